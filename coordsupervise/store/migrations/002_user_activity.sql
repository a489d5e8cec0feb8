-- 002: when each person last logged in, for the admin user list and for spotting dormant accounts.
ALTER TABLE app_user ADD COLUMN last_login_at TIMESTAMP;
CREATE INDEX idx_audit_entity ON audit_log(entity, entity_id);
