"""Which engine a database setting means: the one factory above both engines (db.py defines the `Database`
interface and the DuckDB engine, pg.py implements the interface for PostgreSQL; neither imports the other back).

Every place that opens the configured database (the app, the command line, the benchmark) opens it here."""
from __future__ import annotations

from pathlib import Path

from .db import Database, is_postgres


def open_database(target: str | Path, **kwargs) -> Database:
    """A DuckDB file path opens the DuckDB engine; a `postgresql://` (or `postgres://`) address opens PostgreSQL
    (psycopg is imported only then). Keyword arguments go to the engine (`upgrade_to`, and PostgreSQL's
    `pool_size`)."""
    if is_postgres(target):
        from .pg import PostgresDatabase

        return PostgresDatabase(target, **kwargs)
    return Database(target, **kwargs)
