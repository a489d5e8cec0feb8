-- 015: reminders and digests by mail (coordsupervise/reminders/, docs/reminders.md).

-- What each person chose for each kind of reminder: daily | weekly | off. No row = the default (reminders on).
CREATE TABLE reminder_preference (
    user_id BIGINT NOT NULL REFERENCES app_user(id),
    topic VARCHAR NOT NULL,
    frequency VARCHAR NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, topic)
);

-- The thresholds of the reminders, per programme (no row = the default in code, reminders/due.py).
CREATE TABLE reminder_setting (
    programme_id BIGINT NOT NULL REFERENCES programme(id),
    key VARCHAR NOT NULL,
    value INTEGER NOT NULL,
    updated_by BIGINT,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (programme_id, key)
);

-- One mail: rendered once when planned (a retry after a crash or a refusal sends the very same message, with the
-- same Message-ID), at most one per person, kind and day. status: pending -> sending (claimed by one run, before
-- the SMTP conversation) -> sent (after the server accepted it) | failed (retried with backoff) | abandoned.
CREATE SEQUENCE seq_reminder_mail;
CREATE TABLE reminder_mail (
    id BIGINT PRIMARY KEY DEFAULT nextval('seq_reminder_mail'),
    person_id BIGINT NOT NULL REFERENCES app_user(id),
    kind VARCHAR NOT NULL,                -- trainee | supervisor | manager | test
    period VARCHAR NOT NULL,              -- the JST day it was planned (YYYY-MM-DD); a test mail: its instant
    to_addr VARCHAR NOT NULL,
    language VARCHAR NOT NULL,
    subject VARCHAR NOT NULL,
    body_text VARCHAR NOT NULL,
    body_html VARCHAR NOT NULL,
    message_id VARCHAR NOT NULL,
    status VARCHAR NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    uncertain INTEGER NOT NULL DEFAULT 0, -- times it was found claimed by a run that died (maybe sent twice)
    last_error VARCHAR,
    next_attempt_at TIMESTAMP NOT NULL,
    claimed_by VARCHAR,                   -- host:pid of the run holding the claim
    claimed_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP,
    UNIQUE (person_id, kind, period)
);
CREATE INDEX idx_reminder_mail_status ON reminder_mail(status, next_attempt_at);

-- The outbox: what each person has been reminded of, keyed by (person, kind of reminder, what it is about,
-- period). A row is written in the same transaction as the mail that carries it, so a reminder is planned once and
-- never again; `period` is '-' for a reminder that is sent once ever, a JST day or an ISO week for a digest.
CREATE TABLE outbox (
    person_id BIGINT NOT NULL REFERENCES app_user(id),
    kind VARCHAR NOT NULL,
    subject VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    mail_id BIGINT NOT NULL,              -- reminder_mail.id; no REFERENCES: DuckDB cannot update a referenced row
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (person_id, kind, subject, period)
);
CREATE INDEX idx_outbox_mail ON outbox(mail_id);
