-- 010: the audit log holds no free text of reflections or messages (issue 14).
-- Until now a confirmed privacy finding ("not about a client") on a reply or an assignment was logged with the span
-- it confirmed, so redaction had to rewrite those audit rows. Writers now log the kind, field, offset and length
-- (privacy.audit_record). A one-off pass, run once when the database is upgraded, reduces the rows already
-- written to the kind and the span's length; after it the application never updates an audit row again. The pass
-- is Python (migrations/__init__.py, step 10): the JSON rewrite is spelled differently in DuckDB and PostgreSQL.
SELECT 1;
