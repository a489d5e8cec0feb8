-- 008: privacy of the people in the reflections (issue 14).

-- How long the free text of reflections, feedback and private notes is kept after a cohort finishes, per programme.
-- No row = the default of retention.py (3 years, the certificate's validity).
CREATE TABLE programme_retention (
    programme_id BIGINT PRIMARY KEY REFERENCES programme(id),
    text_years INTEGER NOT NULL,
    updated_by BIGINT REFERENCES app_user(id),
    updated_at TIMESTAMP NOT NULL
);

-- A cohort whose free text retention has cleared (dates, tags, self-ratings, scores and decisions stay).
CREATE TABLE cohort_text_cleared (
    cohort_id BIGINT PRIMARY KEY REFERENCES cohort(id),
    cleared_at TIMESTAMP NOT NULL,
    cleared_by BIGINT REFERENCES app_user(id)
);

-- Who other than the trainee opened which version of a reflection, and when (first and last time): supervisors and
-- managers alike. reflection_read stays the supervisor's "read up to version N" marker for the inbox.
CREATE TABLE reflection_access (
    reflection_id BIGINT NOT NULL REFERENCES reflection(id),
    reader_id BIGINT NOT NULL REFERENCES app_user(id),
    version INTEGER NOT NULL,
    relation VARCHAR NOT NULL,            -- supervised | managed
    first_read_at TIMESTAMP NOT NULL,
    last_read_at TIMESTAMP NOT NULL,
    PRIMARY KEY (reflection_id, reader_id, version)
);
CREATE INDEX idx_reflection_access_reader ON reflection_access(reader_id, last_read_at);
-- reads recorded before this migration: the supervisors' read markers (same statement as readlog.copy_read_markers)
INSERT INTO reflection_access (reflection_id, reader_id, version, relation, first_read_at, last_read_at)
SELECT reflection_id, reader_id, read_version, 'supervised', read_at, read_at FROM reflection_read;
