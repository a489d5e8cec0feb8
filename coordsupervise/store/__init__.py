"""The database: one `Database` interface (db.py: DuckDB), PostgreSQL behind it (pg.py), the factory that picks
one (engine.py), migrations, the cache stamp, settings kept in the database and the move to PostgreSQL.
Imports nothing above it."""
