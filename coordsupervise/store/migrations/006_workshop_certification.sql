-- 006: the programme's closing stage. Workshop attendance gets a status (present / absent / partial = late or left
-- early) with a note and who recorded it; `attended` stays and means "present or partial", so the checklist and
-- older queries keep working. Discussion groups per workshop day. Decisions record an override of the checklist and
-- the decision they reverse; certificates keep their number for ever (revoked, never deleted).

ALTER TABLE workshop_attendance ADD COLUMN status VARCHAR NOT NULL DEFAULT 'present';
UPDATE workshop_attendance SET status = CASE WHEN attended THEN 'present' ELSE 'absent' END;
ALTER TABLE workshop_attendance ADD COLUMN note VARCHAR NOT NULL DEFAULT '';
ALTER TABLE workshop_attendance ADD COLUMN recorded_by BIGINT;
ALTER TABLE workshop_attendance ADD COLUMN recorded_at TIMESTAMP;

CREATE SEQUENCE seq_discussion_group;
CREATE TABLE discussion_group (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_discussion_group'),
    cohort_id BIGINT NOT NULL REFERENCES cohort(id),
    day INTEGER NOT NULL,                 -- workshop day 1 | 2
    seq INTEGER NOT NULL,                 -- group number shown to people (1, 2, ...)
    locked BOOLEAN NOT NULL DEFAULT FALSE, -- a locked group keeps its members when groups are made again
    seed INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (cohort_id, day, seq)
);

CREATE TABLE discussion_group_member (
    enrolment_id BIGINT NOT NULL REFERENCES enrolment(id),
    day INTEGER NOT NULL,
    -- no REFERENCES: DuckDB refuses to delete a group in the transaction that deletes its members (its foreign-key
    -- limitation), and making groups again does exactly that; workshop.py keeps the two tables consistent
    group_id BIGINT NOT NULL,
    PRIMARY KEY (enrolment_id, day)
);
CREATE INDEX idx_group_member_group ON discussion_group_member(group_id);

ALTER TABLE certification_decision ADD COLUMN override_reason VARCHAR;   -- certified although a criterion is unmet
ALTER TABLE certification_decision ADD COLUMN reverses_id BIGINT;         -- the earlier decision this one changes
CREATE INDEX idx_decision_enrolment ON certification_decision(enrolment_id, decided_at);

ALTER TABLE certificate ADD COLUMN serial INTEGER;              -- nnn of FRSC-<cohort code>-<nnn>, per cohort
ALTER TABLE certificate ADD COLUMN revoked_at TIMESTAMP;        -- set when a certified decision is reversed
