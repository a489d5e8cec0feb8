-- 010: the audit log holds no free text of reflections or messages (issue 14).
-- Until now a confirmed privacy finding ("not about a client") on a reply or an assignment was logged with the span
-- it confirmed, so redaction had to rewrite those audit rows. Writers now log the kind, field, offset and length
-- (privacy.audit_record). This one-off pass, run once when the database is upgraded, reduces the rows already
-- written to the kind and the span's length; after it the application never updates an audit row again.
UPDATE audit_log
SET after_json = CAST(to_json(list_transform(
        from_json(after_json, '[{"kind": "VARCHAR", "text": "VARCHAR"}]'),
        lambda f: {'kind': f.kind, 'length': length(f.text)})) AS VARCHAR)
WHERE action IN ('feedback.privacy_confirmed', 'submission.privacy_confirmed') AND after_json LIKE '%"text"%';
