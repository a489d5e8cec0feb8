-- 011: the version stamp of what admins and managers edit (cache_stamp.py). Every app process keys its cached
-- reads (st.cache_data) by this number, and every edit of cached content bumps it in the same transaction, so an
-- edit made in one process is seen at once by every other process's cached reads.
CREATE TABLE cache_version (
    area VARCHAR PRIMARY KEY,
    version BIGINT NOT NULL,
    changed_at TIMESTAMP
);
INSERT INTO cache_version (area, version) VALUES ('content', 0);
