-- 005: the programme office's set-up work.
-- A password an admin hands over (reset, roster import) must be changed at the next login.
ALTER TABLE app_user ADD COLUMN must_change_password BOOLEAN DEFAULT FALSE;

-- Who supervised whom, from when to when. `supervision` stays the CURRENT assignment (every existing query reads
-- it); each change closes the open period here and opens a new one. Assignments made before this table existed
-- (or by the demo builder) get their open period the first time they change, dated from the enrolment.
CREATE SEQUENCE seq_supervision_period;
CREATE TABLE supervision_period (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_supervision_period'),
    enrolment_id BIGINT NOT NULL REFERENCES enrolment(id),
    supervisor_id BIGINT NOT NULL REFERENCES app_user(id),
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP,                    -- NULL = current
    started_by BIGINT REFERENCES app_user(id),
    ended_by BIGINT REFERENCES app_user(id),
    reason VARCHAR
);
CREATE INDEX idx_supervision_period_enrolment ON supervision_period(enrolment_id);

-- Days nobody is expected to write a reflection, for the whole programme (year-end closure, training days).
-- Japan's public holidays come from the jpholiday package, not from a table.
CREATE TABLE programme_day_off (
    day DATE PRIMARY KEY,
    name_ja VARCHAR NOT NULL,
    name_en VARCHAR NOT NULL,
    created_by BIGINT REFERENCES app_user(id),
    created_at TIMESTAMP NOT NULL
);

-- A supervisor may mark a trainee's day off after its cut-off: who and why.
ALTER TABLE day_off ADD COLUMN marked_by BIGINT;
ALTER TABLE day_off ADD COLUMN note VARCHAR;
