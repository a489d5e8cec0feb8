-- 012: the curriculum is data (coordsupervise/curriculum.py, coordsupervise/curricula/frsc.toml). What the
-- programme's file says and the tables before this one could not hold: the programme's certificate rules and the
-- certification thresholds each new cohort copies, the competencies' short names, a module's own pass mark, the
-- stage lengths a new cohort's calendar is drawn from, and the assignments a new cohort starts with.
-- The defaults are the built-in programme's (the only one before this migration); its stages and assignments are
-- filled in by the Python step of 012 (migrations/__init__.py). The new columns of `programme` may hold NULL:
-- DuckDB cannot add a NOT NULL column to a table other tables refer to; the loader always writes them.

ALTER TABLE programme ADD COLUMN certificate_valid_years INTEGER DEFAULT 3;
-- {programme}, {cohort} and {serial} (Python format syntax, e.g. {serial:03d}); checked when the file is loaded
ALTER TABLE programme ADD COLUMN certificate_number_format VARCHAR DEFAULT '{programme}-{cohort}-{serial:03d}';
ALTER TABLE programme ADD COLUMN module_pass_pct INTEGER DEFAULT 80;
ALTER TABLE programme ADD COLUMN overall_test_pass_pct INTEGER DEFAULT 70;
ALTER TABLE programme ADD COLUMN reflection_rate_pct INTEGER DEFAULT 80;
ALTER TABLE programme ADD COLUMN report_min_level INTEGER DEFAULT 3;
ALTER TABLE programme ADD COLUMN certification_test_pass_pct INTEGER DEFAULT 70;

ALTER TABLE competency ADD COLUMN short_ja VARCHAR;
ALTER TABLE competency ADD COLUMN short_en VARCHAR;

-- NULL: the module passes at its cohort's module_pass_pct (copied from the programme); a number: its own bar
ALTER TABLE module ADD COLUMN pass_pct INTEGER;

-- the stages a new cohort's calendar is drawn from, in order (cohorts.stage_calendar)
CREATE TABLE programme_stage (
    programme_id BIGINT NOT NULL REFERENCES programme(id),
    seq INTEGER NOT NULL,
    stage VARCHAR NOT NULL,                -- online | task_setting | practical | workshop | certification
    days INTEGER NOT NULL,                 -- length; the workshop's two days become workshop_day1 and workshop_day2
    days_after_previous INTEGER NOT NULL DEFAULT 1,   -- first day = previous stage's last day + this
    weekday INTEGER,                       -- 0 Monday .. 6 Sunday: the first day moves forward to it; NULL: any day
    PRIMARY KEY (programme_id, stage),
    UNIQUE (programme_id, seq)
);

-- the assignments a cohort created without a source cohort starts with (cohorts.create_cohort)
CREATE TABLE assignment_template (
    programme_id BIGINT NOT NULL REFERENCES programme(id),
    seq INTEGER NOT NULL,
    code VARCHAR NOT NULL,
    title_ja VARCHAR NOT NULL,
    title_en VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,                 -- approval | scored
    rubric_code VARCHAR,                   -- scored: the rubric, its newest version when a cohort is created
    due_days INTEGER NOT NULL,             -- due on the practical stage's first day + this
    certification_critical BOOLEAN NOT NULL DEFAULT FALSE,
    moderation_rule VARCHAR NOT NULL DEFAULT 'none',
    moderation_pct INTEGER NOT NULL DEFAULT 10,
    moderation_tolerance INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (programme_id, code),
    UNIQUE (programme_id, seq)
);
