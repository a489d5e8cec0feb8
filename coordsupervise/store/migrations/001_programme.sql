-- 001: the whole programme. Written in SQL that PostgreSQL also accepts (sequences, plain types, no DuckDB-only
-- syntax), because PostgreSQL is the planned system of record when one process is no longer enough.

CREATE SEQUENCE seq_programme;
CREATE TABLE programme (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_programme'),
    code VARCHAR NOT NULL UNIQUE,
    name_ja VARCHAR NOT NULL,
    name_en VARCHAR NOT NULL
);

-- settings the app keeps for itself (for example the demo-mode cookie key)
CREATE TABLE app_setting (
    key VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

CREATE TABLE competency (
    code VARCHAR PRIMARY KEY,            -- C1..C4
    seq INTEGER NOT NULL,
    name_ja VARCHAR NOT NULL,
    name_en VARCHAR NOT NULL
);

CREATE SEQUENCE seq_app_user;
CREATE TABLE app_user (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_app_user'),
    username VARCHAR NOT NULL UNIQUE,     -- stored lower-case
    display_name VARCHAR NOT NULL,
    display_name_kana VARCHAR,
    email VARCHAR,
    password_hash VARCHAR NOT NULL,
    language VARCHAR NOT NULL DEFAULT 'ja',
    active BOOLEAN NOT NULL DEFAULT TRUE,
    -- every login cookie issued before this instant is dead (logout, deactivation, password change)
    sessions_valid_after TIMESTAMP,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE user_role (
    user_id BIGINT NOT NULL REFERENCES app_user(id),
    role VARCHAR NOT NULL,                -- trainee | supervisor | manager | admin
    PRIMARY KEY (user_id, role)
);

CREATE SEQUENCE seq_login_failure;
CREATE TABLE login_failure (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_login_failure'),
    username VARCHAR NOT NULL,
    failed_at TIMESTAMP NOT NULL
);
CREATE INDEX idx_login_failure_user ON login_failure(username, failed_at);

CREATE SEQUENCE seq_cohort;
CREATE TABLE cohort (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_cohort'),
    programme_id BIGINT NOT NULL REFERENCES programme(id),
    code VARCHAR NOT NULL UNIQUE,
    name_ja VARCHAR NOT NULL,
    name_en VARCHAR NOT NULL,
    -- certification criteria and rules: data per cohort, defaults from domain.md
    module_pass_pct INTEGER NOT NULL DEFAULT 80,
    overall_test_pass_pct INTEGER NOT NULL DEFAULT 70,
    reflection_rate_pct INTEGER NOT NULL DEFAULT 80,
    report_min_level INTEGER NOT NULL DEFAULT 3,
    certification_test_pass_pct INTEGER NOT NULL DEFAULT 70,
    certificate_valid_years INTEGER NOT NULL DEFAULT 3,
    reflection_cutoff_days INTEGER NOT NULL DEFAULT 1,   -- submitted after day + N at 23:59 JST = late
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE TABLE cohort_stage (
    cohort_id BIGINT NOT NULL REFERENCES cohort(id),
    stage VARCHAR NOT NULL,   -- online | task_setting | practical | workshop_day1 | workshop_day2 | certification
    starts_on DATE NOT NULL,
    ends_on DATE NOT NULL,
    PRIMARY KEY (cohort_id, stage)
);

CREATE SEQUENCE seq_organisation;
CREATE TABLE organisation (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_organisation'),
    name VARCHAR NOT NULL,
    prefecture VARCHAR NOT NULL,
    region VARCHAR NOT NULL
);

CREATE SEQUENCE seq_enrolment;
CREATE TABLE enrolment (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_enrolment'),
    cohort_id BIGINT NOT NULL REFERENCES cohort(id),
    trainee_id BIGINT NOT NULL REFERENCES app_user(id),
    organisation_id BIGINT REFERENCES organisation(id),
    status VARCHAR NOT NULL DEFAULT 'active',   -- active | withdrawn | completed
    enrolled_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (cohort_id, trainee_id)
);
CREATE INDEX idx_enrolment_trainee ON enrolment(trainee_id);

CREATE TABLE supervision (
    enrolment_id BIGINT NOT NULL REFERENCES enrolment(id),
    supervisor_id BIGINT NOT NULL REFERENCES app_user(id),
    is_lead BOOLEAN NOT NULL DEFAULT TRUE,
    PRIMARY KEY (enrolment_id, supervisor_id)
);
CREATE INDEX idx_supervision_supervisor ON supervision(supervisor_id);

CREATE SEQUENCE seq_module;
CREATE TABLE module (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_module'),
    programme_id BIGINT NOT NULL REFERENCES programme(id),
    seq INTEGER NOT NULL,
    group_code VARCHAR NOT NULL,
    title_ja VARCHAR NOT NULL,
    title_en VARCHAR NOT NULL,
    competency VARCHAR,                   -- NULL = all four
    UNIQUE (programme_id, seq)
);

CREATE SEQUENCE seq_quiz_attempt;
CREATE TABLE quiz_attempt (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_quiz_attempt'),
    enrolment_id BIGINT NOT NULL REFERENCES enrolment(id),
    module_id BIGINT NOT NULL REFERENCES module(id),
    attempt_no INTEGER NOT NULL,
    score_pct DOUBLE NOT NULL,
    taken_at TIMESTAMP NOT NULL,
    source VARCHAR NOT NULL DEFAULT 'import',
    UNIQUE (enrolment_id, module_id, attempt_no)
);

-- overall test (総合確認テスト) and certification test (修了認定テスト)
CREATE SEQUENCE seq_test_attempt;
CREATE TABLE test_attempt (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_test_attempt'),
    enrolment_id BIGINT NOT NULL REFERENCES enrolment(id),
    kind VARCHAR NOT NULL,                -- overall | certification
    attempt_no INTEGER NOT NULL,
    score_pct DOUBLE NOT NULL,
    taken_at TIMESTAMP NOT NULL,
    UNIQUE (enrolment_id, kind, attempt_no)
);

CREATE SEQUENCE seq_rubric;
CREATE TABLE rubric (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_rubric'),
    programme_id BIGINT NOT NULL REFERENCES programme(id),
    code VARCHAR NOT NULL,
    version INTEGER NOT NULL,
    title_ja VARCHAR NOT NULL,
    title_en VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (programme_id, code, version)
);

CREATE SEQUENCE seq_rubric_criterion;
CREATE TABLE rubric_criterion (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_rubric_criterion'),
    rubric_id BIGINT NOT NULL REFERENCES rubric(id),
    seq INTEGER NOT NULL,
    competency VARCHAR NOT NULL REFERENCES competency(code),
    title_ja VARCHAR NOT NULL,
    title_en VARCHAR NOT NULL,
    weight DOUBLE NOT NULL DEFAULT 1,
    UNIQUE (rubric_id, seq)
);

CREATE TABLE rubric_level (
    criterion_id BIGINT NOT NULL REFERENCES rubric_criterion(id),
    level INTEGER NOT NULL,               -- 1..4, 3 = pass
    descriptor_ja VARCHAR NOT NULL,
    descriptor_en VARCHAR NOT NULL,
    PRIMARY KEY (criterion_id, level)
);

CREATE SEQUENCE seq_assignment;
CREATE TABLE assignment (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_assignment'),
    cohort_id BIGINT NOT NULL REFERENCES cohort(id),
    seq INTEGER NOT NULL,
    code VARCHAR NOT NULL,
    title_ja VARCHAR NOT NULL,
    title_en VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,                -- approval | scored
    rubric_id BIGINT REFERENCES rubric(id),
    due_on DATE NOT NULL,
    certification_critical BOOLEAN NOT NULL DEFAULT FALSE,
    UNIQUE (cohort_id, seq)
);

CREATE SEQUENCE seq_submission;
CREATE TABLE submission (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_submission'),
    assignment_id BIGINT NOT NULL REFERENCES assignment(id),
    enrolment_id BIGINT NOT NULL REFERENCES enrolment(id),
    version INTEGER NOT NULL,
    body_md VARCHAR NOT NULL DEFAULT '',
    status VARCHAR NOT NULL,              -- draft | submitted | revision_requested | approved | scored
    submitted_at TIMESTAMP,
    late BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (assignment_id, enrolment_id, version)
);
CREATE INDEX idx_submission_enrolment ON submission(enrolment_id);

CREATE SEQUENCE seq_attachment;
CREATE TABLE attachment (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_attachment'),
    submission_id BIGINT NOT NULL REFERENCES submission(id),
    filename VARCHAR NOT NULL,            -- shown only, never used as a path
    media_type VARCHAR NOT NULL,
    size_bytes BIGINT NOT NULL,
    sha256 VARCHAR NOT NULL,
    content BLOB NOT NULL,
    uploaded_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);

CREATE SEQUENCE seq_score;
CREATE TABLE score (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_score'),
    submission_id BIGINT NOT NULL REFERENCES submission(id),
    scorer_id BIGINT NOT NULL REFERENCES app_user(id),
    status VARCHAR NOT NULL,              -- draft | released
    overall_comment VARCHAR NOT NULL DEFAULT '',
    row_version INTEGER NOT NULL DEFAULT 1,
    released_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (submission_id)
);

CREATE TABLE score_criterion (
    score_id BIGINT NOT NULL REFERENCES score(id),
    criterion_id BIGINT NOT NULL REFERENCES rubric_criterion(id),
    level INTEGER NOT NULL,
    comment VARCHAR NOT NULL DEFAULT '',
    PRIMARY KEY (score_id, criterion_id)
);

CREATE SEQUENCE seq_reflection;
CREATE TABLE reflection (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_reflection'),
    enrolment_id BIGINT NOT NULL REFERENCES enrolment(id),
    practice_date DATE NOT NULL,
    status VARCHAR NOT NULL,              -- draft | submitted
    version INTEGER NOT NULL DEFAULT 1,   -- current version; earlier ones live in reflection_version
    goal VARCHAR NOT NULL DEFAULT '',
    case_count INTEGER NOT NULL DEFAULT 0,
    case_fields VARCHAR NOT NULL DEFAULT '',
    event VARCHAR NOT NULL DEFAULT '',
    feelings VARCHAR NOT NULL DEFAULT '',
    keep_text VARCHAR NOT NULL DEFAULT '',
    problem VARCHAR NOT NULL DEFAULT '',
    analysis VARCHAR NOT NULL DEFAULT '',
    insight VARCHAR NOT NULL DEFAULT '',
    try_text VARCHAR NOT NULL DEFAULT '',
    self_rating INTEGER,
    search_text VARCHAR NOT NULL DEFAULT '',   -- normalised (NFKC, hiragana, lower) for Japanese search
    submitted_at TIMESTAMP,
    late BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (enrolment_id, practice_date)
);
CREATE INDEX idx_reflection_date ON reflection(practice_date);

CREATE TABLE reflection_competency (
    reflection_id BIGINT NOT NULL REFERENCES reflection(id),
    competency VARCHAR NOT NULL REFERENCES competency(code),
    PRIMARY KEY (reflection_id, competency)
);

CREATE TABLE reflection_module (
    reflection_id BIGINT NOT NULL REFERENCES reflection(id),
    module_id BIGINT NOT NULL REFERENCES module(id),
    PRIMARY KEY (reflection_id, module_id)
);

-- every submitted version, frozen; the supervisor compares what they read with what changed after
CREATE TABLE reflection_version (
    reflection_id BIGINT NOT NULL REFERENCES reflection(id),
    version INTEGER NOT NULL,
    body_json VARCHAR NOT NULL,
    saved_at TIMESTAMP NOT NULL,
    PRIMARY KEY (reflection_id, version)
);

CREATE TABLE reflection_read (
    reflection_id BIGINT NOT NULL REFERENCES reflection(id),
    reader_id BIGINT NOT NULL REFERENCES app_user(id),
    read_version INTEGER NOT NULL,
    read_at TIMESTAMP NOT NULL,
    PRIMARY KEY (reflection_id, reader_id)
);

CREATE TABLE privacy_confirmation (
    reflection_id BIGINT NOT NULL REFERENCES reflection(id),
    version INTEGER NOT NULL,
    kind VARCHAR NOT NULL,
    span_text VARCHAR NOT NULL,
    confirmed_by BIGINT NOT NULL REFERENCES app_user(id),
    confirmed_at TIMESTAMP NOT NULL
);

CREATE SEQUENCE seq_feedback;
CREATE TABLE feedback (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_feedback'),
    reflection_id BIGINT NOT NULL REFERENCES reflection(id),
    author_id BIGINT NOT NULL REFERENCES app_user(id),
    body_md VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX idx_feedback_reflection ON feedback(reflection_id);

CREATE TABLE feedback_read (
    feedback_id BIGINT NOT NULL REFERENCES feedback(id),
    reader_id BIGINT NOT NULL REFERENCES app_user(id),
    read_at TIMESTAMP NOT NULL,
    PRIMARY KEY (feedback_id, reader_id)
);

CREATE TABLE day_off (
    enrolment_id BIGINT NOT NULL REFERENCES enrolment(id),
    day DATE NOT NULL,
    reason VARCHAR NOT NULL,              -- holiday | training | sick | other
    PRIMARY KEY (enrolment_id, day)
);

-- unsent text a person typed (reflection form, reply, comment): survives refresh, logout and restart
CREATE TABLE draft (
    owner_id BIGINT NOT NULL REFERENCES app_user(id),
    draft_key VARCHAR NOT NULL,
    body_json VARCHAR NOT NULL,
    base_version INTEGER,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (owner_id, draft_key)
);

CREATE SEQUENCE seq_flag;
CREATE TABLE flag (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_flag'),
    enrolment_id BIGINT NOT NULL REFERENCES enrolment(id),
    reflection_id BIGINT REFERENCES reflection(id),
    raised_by BIGINT NOT NULL REFERENCES app_user(id),
    severity VARCHAR NOT NULL,            -- low | medium | high
    reason VARCHAR NOT NULL,
    raised_at TIMESTAMP NOT NULL,
    resolved_by BIGINT REFERENCES app_user(id),
    resolved_at TIMESTAMP,
    resolution_note VARCHAR
);
CREATE INDEX idx_flag_enrolment ON flag(enrolment_id);

CREATE SEQUENCE seq_private_note;
CREATE TABLE private_note (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_private_note'),
    enrolment_id BIGINT NOT NULL REFERENCES enrolment(id),
    author_id BIGINT NOT NULL REFERENCES app_user(id),
    body_md VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE SEQUENCE seq_comment_bank;
CREATE TABLE comment_bank (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_comment_bank'),
    owner_id BIGINT NOT NULL REFERENCES app_user(id),
    title VARCHAR NOT NULL,
    body_md VARCHAR NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE workshop_attendance (
    enrolment_id BIGINT NOT NULL REFERENCES enrolment(id),
    day INTEGER NOT NULL,                 -- 1 | 2
    attended BOOLEAN NOT NULL,
    PRIMARY KEY (enrolment_id, day)
);

CREATE SEQUENCE seq_certification_decision;
CREATE TABLE certification_decision (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_certification_decision'),
    enrolment_id BIGINT NOT NULL REFERENCES enrolment(id),
    decision VARCHAR NOT NULL,            -- certified | not_certified | deferred
    reason VARCHAR NOT NULL,
    decided_by BIGINT NOT NULL REFERENCES app_user(id),
    decided_at TIMESTAMP NOT NULL
);

CREATE SEQUENCE seq_certificate;
CREATE TABLE certificate (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_certificate'),
    enrolment_id BIGINT NOT NULL UNIQUE REFERENCES enrolment(id),
    certificate_no VARCHAR NOT NULL UNIQUE,
    issued_on DATE NOT NULL,
    valid_until DATE NOT NULL
);

-- append-only: the application never updates or deletes a row here
CREATE SEQUENCE seq_audit_log;
CREATE TABLE audit_log (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_audit_log'),
    occurred_at TIMESTAMP NOT NULL,
    actor_id BIGINT,
    action VARCHAR NOT NULL,
    entity VARCHAR NOT NULL,
    entity_id VARCHAR NOT NULL,
    before_json VARCHAR,
    after_json VARCHAR,
    reason VARCHAR
);
