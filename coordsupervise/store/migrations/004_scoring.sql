-- 004: scoring against rubrics, second marking (moderation) and rubric versions.
-- PostgreSQL-compatible: plain ALTER TABLE ... ADD COLUMN with defaults, sequences, no DuckDB-only syntax.

-- the level a criterion must reach to pass (3 = 概ね自立してできる by default)
ALTER TABLE rubric ADD COLUMN pass_level INTEGER DEFAULT 3;

-- how an assignment is second-marked: none | sample | all; the sample share and its seed; the tolerated
-- difference in levels on any criterion before a manager must decide
ALTER TABLE assignment ADD COLUMN moderation_rule VARCHAR DEFAULT 'none';
ALTER TABLE assignment ADD COLUMN moderation_pct INTEGER DEFAULT 10;
ALTER TABLE assignment ADD COLUMN moderation_seed INTEGER DEFAULT 1;
ALTER TABLE assignment ADD COLUMN moderation_tolerance INTEGER DEFAULT 0;
UPDATE assignment SET moderation_rule = 'all' WHERE code = 'A8';

-- the version of the assignment's rubric in force (NULL: the version assignment.rubric_id points to). A column of
-- its own because DuckDB cannot update a foreign-key column of a row that other rows reference (submissions)
ALTER TABLE assignment ADD COLUMN rubric_version INTEGER;

-- one second marking of one score: the second marker scores blind; a manager resolves a disagreement
CREATE SEQUENCE seq_moderation;
CREATE TABLE moderation (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_moderation'),
    score_id BIGINT NOT NULL UNIQUE REFERENCES score(id),
    second_marker_id BIGINT NOT NULL REFERENCES app_user(id),
    status VARCHAR NOT NULL,              -- second_marking | agreed | disagreed | resolved
    tolerance INTEGER NOT NULL,
    overall_comment VARCHAR NOT NULL DEFAULT '',
    row_version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    second_marked_at TIMESTAMP,
    resolved_by BIGINT,                   -- app_user id; no REFERENCES: DuckDB cannot update an FK column here
    resolved_at TIMESTAMP,
    reason VARCHAR
);
CREATE INDEX idx_moderation_marker ON moderation(second_marker_id);

-- per criterion: the first level (frozen when the second marking is handed in), the second, the agreed one
CREATE TABLE moderation_criterion (
    moderation_id BIGINT NOT NULL REFERENCES moderation(id),
    criterion_id BIGINT NOT NULL REFERENCES rubric_criterion(id),
    first_level INTEGER,
    second_level INTEGER NOT NULL,
    agreed_level INTEGER,
    comment VARCHAR NOT NULL DEFAULT '',
    PRIMARY KEY (moderation_id, criterion_id)
);

CREATE INDEX idx_score_scorer ON score(scorer_id);
