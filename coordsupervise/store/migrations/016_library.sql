-- 016: the know-how library (case studies drawn from practice) and the partner directory (連携先), read by trainees
-- of every cohort, supervisors, managers and graduates (a role derived from a certificate that is not revoked,
-- access.is_graduate), and a workshop day's case set for its discussion groups.
-- No index on a column that is updated in a table other tables reference: DuckDB updates an indexed column as
-- delete + insert and refuses that while a foreign key points at the row. A foreign key column is indexed too, so
-- who decided (decided_by, set when a manager publishes) is a plain id, like status, without REFERENCES.

-- The problem domains of cases and the fields of partners, per programme. A programme without rows uses the
-- defaults of library/domains.py; the first edit on /library writes them all. A retired domain stays on what carries
-- it but is no longer offered.
CREATE TABLE library_domain (
    programme_id BIGINT NOT NULL REFERENCES programme(id),
    code VARCHAR NOT NULL,
    seq INTEGER NOT NULL,
    name_ja VARCHAR NOT NULL,
    name_en VARCHAR NOT NULL,
    retired BOOLEAN NOT NULL DEFAULT FALSE,
    updated_by BIGINT REFERENCES app_user(id),
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (programme_id, code)
);

CREATE SEQUENCE seq_partner;
CREATE TABLE partner (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_partner'),
    name VARCHAR NOT NULL,
    prefecture VARCHAR NOT NULL,          -- JIS code '01'..'47', '00' = nationwide
    region VARCHAR NOT NULL,              -- region code (library/domains.py), follows from the prefecture
    helps_with VARCHAR NOT NULL DEFAULT '',
    languages VARCHAR NOT NULL DEFAULT '',
    contact VARCHAR NOT NULL DEFAULT '',  -- the organisation's public contact only
    hours VARCHAR NOT NULL DEFAULT '',
    notes VARCHAR NOT NULL DEFAULT '',
    status VARCHAR NOT NULL,              -- proposed | returned | published | withdrawn
    proposed_by BIGINT NOT NULL REFERENCES app_user(id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    row_version INTEGER NOT NULL DEFAULT 1,
    decided_by BIGINT,                    -- app_user id (see above)
    decided_at TIMESTAMP,
    return_reason VARCHAR,
    name_key VARCHAR NOT NULL,            -- the name as compared (textnorm.name_key): one entry per name and prefecture
    search_text VARCHAR NOT NULL DEFAULT ''
);
CREATE INDEX idx_partner_proposer ON partner(proposed_by);

CREATE TABLE partner_field (
    partner_id BIGINT NOT NULL REFERENCES partner(id),
    domain VARCHAR NOT NULL,
    PRIMARY KEY (partner_id, domain)
);

CREATE SEQUENCE seq_library_case;
CREATE TABLE library_case (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_library_case'),
    title VARCHAR NOT NULL,
    situation VARCHAR NOT NULL DEFAULT '',
    actions VARCHAR NOT NULL DEFAULT '',        -- what was done
    partners_note VARCHAR NOT NULL DEFAULT '',  -- the partners involved, in words (entries: library_case_partner)
    outcome VARCHAR NOT NULL DEFAULT '',
    lessons VARCHAR NOT NULL DEFAULT '',        -- what to learn
    region VARCHAR,                             -- region code, or none
    status VARCHAR NOT NULL,                    -- draft | proposed | returned | published | withdrawn
    reflection_id BIGINT REFERENCES reflection(id),  -- drawn from this reflection (its trainee is asked)
    author_id BIGINT NOT NULL REFERENCES app_user(id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    row_version INTEGER NOT NULL DEFAULT 1,
    proposed_at TIMESTAMP,
    decided_by BIGINT,                    -- app_user id (see above)
    decided_at TIMESTAMP,
    return_reason VARCHAR,
    published_at TIMESTAMP,
    search_text VARCHAR NOT NULL DEFAULT ''     -- normalised text and the readings of its kanji words
);
CREATE INDEX idx_library_case_author ON library_case(author_id);

CREATE TABLE library_case_tag (
    case_id BIGINT NOT NULL REFERENCES library_case(id),
    kind VARCHAR NOT NULL,                      -- domain | competency
    code VARCHAR NOT NULL,
    PRIMARY KEY (case_id, kind, code)
);

CREATE TABLE library_case_partner (
    case_id BIGINT NOT NULL REFERENCES library_case(id),
    partner_id BIGINT NOT NULL REFERENCES partner(id),
    PRIMARY KEY (case_id, partner_id)
);

-- The trainee who wrote the reflection a case is drawn from is asked when the case is proposed; the answer can
-- change, and a "no" keeps the case out of the library (withdraws it if it was published).
CREATE TABLE library_consent (
    case_id BIGINT PRIMARY KEY REFERENCES library_case(id),
    trainee_id BIGINT NOT NULL REFERENCES app_user(id),
    status VARCHAR NOT NULL,                    -- pending | accepted | declined
    asked_at TIMESTAMP NOT NULL,
    answered_at TIMESTAMP
);
CREATE INDEX idx_library_consent_trainee ON library_consent(trainee_id);

-- The published cases a workshop day's discussion groups work on (事例検討), in order.
CREATE TABLE workshop_case (
    cohort_id BIGINT NOT NULL REFERENCES cohort(id),
    day INTEGER NOT NULL,
    case_id BIGINT NOT NULL REFERENCES library_case(id),
    seq INTEGER NOT NULL,
    PRIMARY KEY (cohort_id, day, case_id)
);
