-- 003: feedback becomes searchable like reflections (normalised text beside the original; see textnorm.py).
-- Rows written before this are filled by the Python step in migrations/__init__.py (NFKC and kana folding).
ALTER TABLE feedback ADD COLUMN search_text VARCHAR;
CREATE INDEX idx_reflection_enrolment_date ON reflection(enrolment_id, practice_date);
