"""The one place that owns the database: a DuckDB file (the default), or PostgreSQL when the setting is a
`postgresql://` address. `Database` is the interface every service uses and the DuckDB engine; pg.py implements the
same interface for PostgreSQL, and `engine.open_database(target)` picks one of the two, so nothing else needs to
know (this module never imports pg.py).

DuckDB lets one process open a file, and a connection must not be shared across threads (Streamlit runs every
browser session in its own thread). So the process keeps one connection, every call works on its own cursor and
fetches the whole result before returning, and every write is a short transaction under one process-wide lock.
A write that meets a `duckdb.TransactionException` (a conflict with another transaction) is retried a bounded
number of times; what still conflicts after that surfaces as `WriteConflict`, which pages show as "changed by
someone else". Committed means durable: DuckDB writes its WAL before COMMIT returns.
"""
from __future__ import annotations

import contextlib
import re
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from ..clock import now_utc
from ..errors import UserError
from .migrations import PYTHON_STEPS

MIGRATIONS_PACKAGE = "coordsupervise.store.migrations"
WRITE_RETRIES = 5
_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")


class WriteConflict(UserError):
    """A write kept conflicting with another transaction; nothing of it was committed."""

    def __init__(self, detail: str = ""):
        super().__init__("error.write_conflict")
        self.detail = detail



@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str


def migrations() -> list[Migration]:
    """The numbered SQL files shipped in the package, in order."""
    found = []
    for entry in resources.files(MIGRATIONS_PACKAGE).iterdir():
        if entry.name.endswith(".sql"):
            number, _, rest = entry.name.partition("_")
            found.append(Migration(int(number), rest.removesuffix(".sql"), entry.read_text(encoding="utf-8")))
    return sorted(found, key=lambda m: m.version)


class Transaction:
    """The cursor of one write transaction; same query helpers as Database."""

    def __init__(self, cursor: duckdb.DuckDBPyConnection):
        self._cursor = cursor

    def execute(self, sql: str, params: Sequence[Any] | dict | None = None) -> None:
        self._cursor.execute(sql, params or [])

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self._cursor.executemany(sql, rows)

    def one(self, sql: str, params: Sequence[Any] | dict | None = None) -> tuple | None:
        return self._cursor.execute(sql, params or []).fetchone()

    def value(self, sql: str, params: Sequence[Any] | dict | None = None) -> Any:
        row = self.one(sql, params)
        return None if row is None else row[0]

    def rows(self, sql: str, params: Sequence[Any] | dict | None = None) -> list[tuple]:
        return self._cursor.execute(sql, params or []).fetchall()

    def insert_frame(self, table: str, columns: str, frame: pd.DataFrame) -> None:
        """Bulk append by scanning the DataFrame in place (see insert_frame). The previous statement's result is run
        to its end first: DuckDB registers nothing while one is unfinished."""
        self._cursor.complete()
        self._cursor.register("incoming_frame", frame)
        try:
            self._cursor.execute("INSERT INTO " + table + " (" + columns + ") SELECT " + columns
                                 + " FROM incoming_frame")
        finally:
            self._cursor.unregister("incoming_frame")


def is_postgres(target: str | Path) -> bool:
    """A `postgresql://` (or `postgres://`) address selects PostgreSQL; anything else is a DuckDB file path."""
    return str(target).startswith(("postgresql://", "postgres://"))


class Database:
    """One DuckDB file for the whole process. Create it once (the UI caches it with st.cache_resource).

    A `postgresql://` address opens with `engine.open_database`, which returns pg.PostgresDatabase (same methods);
    given to this class it is refused rather than taken for a file name."""

    engine = "duckdb"
    writes = 0  # write transactions begun through this object (a run's remembered checks end at one: access.py)

    def __init__(self, path: str | Path, *, upgrade_to: int | None = None):
        if is_postgres(path):
            raise ValueError("a PostgreSQL address opens with coordsupervise.store.engine.open_database, not Database")
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._conn = duckdb.connect(self.path)
        self._write_lock = threading.RLock()
        self.migrate(upgrade_to)

    # -- reads: a fresh cursor per call, fully fetched -------------------------------------------------------
    @contextlib.contextmanager
    def _cursor(self) -> Iterator[duckdb.DuckDBPyConnection]:
        cursor = self._conn.cursor()
        try:
            yield cursor
        finally:
            cursor.close()

    def rows(self, sql: str, params: Sequence[Any] | dict | None = None) -> list[tuple]:
        with self._cursor() as cur:
            return cur.execute(sql, params or []).fetchall()

    def one(self, sql: str, params: Sequence[Any] | dict | None = None) -> tuple | None:
        with self._cursor() as cur:
            return cur.execute(sql, params or []).fetchone()

    def value(self, sql: str, params: Sequence[Any] | dict | None = None) -> Any:
        row = self.one(sql, params)
        return None if row is None else row[0]

    def frame(self, sql: str, params: Sequence[Any] | dict | None = None) -> pd.DataFrame:
        with self._cursor() as cur:
            return cur.execute(sql, params or []).df()

    def dicts(self, sql: str, params: Sequence[Any] | dict | None = None) -> list[dict]:
        with self._cursor() as cur:
            result = cur.execute(sql, params or [])
            names = [d[0] for d in result.description]
            return [dict(zip(names, row, strict=True)) for row in result.fetchall()]

    # -- writes: short, serialised, retried -------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """One write transaction. Keep the body short and free of slow work (hashing, parsing) done beforehand.

        Conflicts are retried by `write`, not here: use `write(fn)` when the body may be rerun."""
        self.writes += 1  # before, not after: what was read before a write is not trusted after it (access.py)
        with self._write_lock, self._cursor() as cur:
            cur.execute("BEGIN TRANSACTION")
            try:
                yield Transaction(cur)
            except BaseException:
                cur.execute("ROLLBACK")
                raise
            cur.execute("COMMIT")

    def write(self, fn, *args, **kwargs):
        """Run fn(tx, *args, **kwargs) in a transaction, retrying a bounded number of times on a conflict."""
        for attempt in range(WRITE_RETRIES):
            try:
                with self.transaction() as tx:
                    return fn(tx, *args, **kwargs)
            except duckdb.TransactionException as exc:
                if attempt == WRITE_RETRIES - 1:
                    raise WriteConflict(str(exc)) from exc
                time.sleep(0.02 * (attempt + 1))
        raise AssertionError("unreachable")

    # -- schema ----------------------------------------------------------------------------------------------
    def schema_version(self) -> int:
        exists = self.value(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
        )
        if not exists:
            return 0
        return self.value("SELECT coalesce(max(version), 0) FROM schema_version")

    def migrate(self, upgrade_to: int | None = None) -> list[int]:
        """Apply every migration newer than the database's schema version (or up to `upgrade_to`), each atomically.

        Each step re-reads the version inside its own transaction, so a PostgreSQL process that waited for another
        one's migrations (pg.py holds a lock around this) applies nothing twice."""
        applied = []
        with self.transaction() as tx:
            tx.execute(
                "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, "
                "applied_at TIMESTAMP NOT NULL)"
            )
        for migration in migrations():
            if upgrade_to is not None and migration.version > upgrade_to:
                continue
            with self.transaction() as tx:
                if tx.value("SELECT coalesce(max(version), 0) FROM schema_version") >= migration.version:
                    continue
                if any(line.strip() and not line.strip().startswith("--") for line in migration.sql.splitlines()):
                    tx.execute(migration.sql)  # (a migration that is only a Python step has comments alone)
                step = PYTHON_STEPS.get(migration.version)
                if step is not None:
                    step(tx)
                tx.execute(
                    "INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)",
                    [migration.version, migration.name, now_utc()],
                )
            applied.append(migration.version)
        return applied

    def checkpoint(self) -> None:
        with self._write_lock, self._cursor() as cur:
            cur.execute("CHECKPOINT")

    def copy_to(self, path: str | Path) -> None:
        """A consistent copy of the whole database into a new file while the app runs: taken under the write lock,
        so no write of this process is half in it (see backup.py)."""
        with self._write_lock, self._cursor() as cur:
            catalog = cur.execute("SELECT current_database()").fetchone()[0]
            cur.execute("ATTACH ? AS backup_target", [str(path)])
            try:
                cur.execute(f'COPY FROM DATABASE "{catalog}" TO backup_target')
            finally:
                cur.execute("DETACH backup_target")

    def close(self) -> None:
        self._conn.close()


def insert_frame(tx: Transaction, table: str, frame: pd.DataFrame) -> None:
    """Bulk-append a DataFrame (column names = table columns): used by the demo builder and imports, the one place
    where rows arrive by the thousand. Each engine's transaction does it its own way (DuckDB scans the frame,
    PostgreSQL takes COPY). `table` is a constant from our code, never user input."""
    if frame.empty:
        return
    names = [table, *frame.columns]
    if not all(_IDENTIFIER.fullmatch(name) for name in names):
        raise ValueError(f"not a plain identifier among {names}")
    tx.insert_frame(table, ", ".join(frame.columns), frame)
