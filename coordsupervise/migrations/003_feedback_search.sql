-- 003: feedback becomes searchable like reflections (normalised text beside the original; see textnorm.py).
-- Rows written before this get a lower-cased copy; new rows get the full normalisation from the application.
ALTER TABLE feedback ADD COLUMN search_text VARCHAR;
UPDATE feedback SET search_text = lower(body_md);
CREATE INDEX idx_reflection_enrolment_date ON reflection(enrolment_id, practice_date);
