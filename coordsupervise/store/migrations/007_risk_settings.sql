-- 007: the thresholds of the at-risk list (risk.py), set per programme by its managers. A programme without a row
-- for a threshold uses the default in code, so a first cohort works with no settings at all.
CREATE TABLE risk_setting (
    programme_id BIGINT NOT NULL REFERENCES programme(id),
    key VARCHAR NOT NULL,
    value INTEGER NOT NULL,
    updated_by BIGINT REFERENCES app_user(id),
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (programme_id, key)
);
