-- 013: the source (client address) of each failed login, so the throttle can limit guesses per source as well as per
-- account (auth.begin_login_attempt). NULL for failures recorded before, or where the address is unknown.
ALTER TABLE login_failure ADD COLUMN source VARCHAR;
CREATE INDEX idx_login_failure_source ON login_failure(source, failed_at);
