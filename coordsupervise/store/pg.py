"""PostgreSQL as the system of record: the same `Database` methods over a psycopg 3 connection pool.

Chosen by `COORDSUPERVISE_DB=postgresql://user:password@host:port/dbname` (or `db_path` in secrets); engine.py opens it.
Several app processes may share one PostgreSQL database, so there is no process write lock here: every write runs
in a SERIALIZABLE transaction (the guarantee DuckDB's one-writer-at-a-time gave: a check-then-insert such as the
login throttle cannot be raced past), and one that PostgreSQL aborts for a serialization failure (SQLSTATE 40001)
or a deadlock (40P01) is rerun from the start a bounded number of times with a jittered back-off, then surfaces
as `WriteConflict` (the "changed by someone else" message), like DuckDB's conflicts. The version checks the
services already make (row_version, reflection version) then refuse the loser of a race with `StaleWrite`, its
text kept.

Every statement goes through `dialect.to_postgres` once (cached), so services keep one SQL text for both engines.
Values come back as DuckDB returns them: NUMERIC (what PostgreSQL's sum/avg/percentile give) as int when whole
and float otherwise, timestamps naive in UTC (the session's TimeZone is UTC).
"""
from __future__ import annotations

import contextlib
import glob
import logging
import os
import random
import shutil
import subprocess
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import psycopg
from psycopg.adapt import Loader
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg_pool import ConnectionPool

from ..errors import InvalidInput
from .db import Database, WriteConflict
from .dialect import to_postgres

_log = logging.getLogger(__name__)

RETRY_SQLSTATES = {"40001", "40P01"}  # serialization_failure, deadlock_detected
PG_WRITE_RETRIES = 12  # more than DuckDB's: concurrent writers really run side by side here
POOL_SIZE = 8
MIGRATION_LOCK = 7262_2015  # pg_advisory_lock key: one migrating process at a time


class _NumericLoader(Loader):
    """NUMERIC as DuckDB would give it: a whole number as int, anything else as float (never Decimal)."""

    def load(self, data) -> int | float:
        text = bytes(data).decode()
        if text in ("NaN", "Infinity", "-Infinity"):
            return float(text)
        return int(text) if "." not in text else float(text)


def _configure(conn: psycopg.Connection) -> None:
    conn.adapters.register_loader("numeric", _NumericLoader)


def _statement(sql: str, params: Sequence[Any] | dict | None) -> tuple[str, Sequence[Any] | dict | None]:
    with_params = bool(params)
    return to_postgres(sql, with_params), (params if with_params else None)


_DATE_TYPES = {1082, 1114}  # date, timestamp
_NUMBER_TYPES = {20, 21, 23, 700, 701, 1700}  # int8, int2, int4, float4, float8, numeric


def _frame(cursor: psycopg.Cursor) -> pd.DataFrame:
    """A DataFrame shaped like DuckDB's `.df()`: dates and timestamps as datetime64 columns, and a number column
    that holds NULLs as float64 with NaN (never an object column of None, which pandas cannot round or sum)."""
    names = [d.name for d in cursor.description]
    frame = pd.DataFrame.from_records(cursor.fetchall(), columns=names)
    for d, name in zip(cursor.description, names, strict=True):
        if d.type_code in _DATE_TYPES:
            frame[name] = pd.to_datetime(frame[name]) if not frame.empty else pd.Series(dtype="datetime64[us]")
        elif d.type_code in _NUMBER_TYPES and frame[name].dtype == object:
            frame[name] = pd.to_numeric(frame[name], errors="coerce").astype("float64")
    return frame


class PgTransaction:
    """The cursor of one write transaction; same helpers as db.Transaction."""

    def __init__(self, cursor: psycopg.Cursor):
        self._cursor = cursor

    def execute(self, sql: str, params: Sequence[Any] | dict | None = None) -> None:
        self._cursor.execute(*_statement(sql, params))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self._cursor.executemany(to_postgres(sql, True), rows)

    def one(self, sql: str, params: Sequence[Any] | dict | None = None) -> tuple | None:
        return self._cursor.execute(*_statement(sql, params)).fetchone()

    def value(self, sql: str, params: Sequence[Any] | dict | None = None) -> Any:
        row = self.one(sql, params)
        return None if row is None else row[0]

    def rows(self, sql: str, params: Sequence[Any] | dict | None = None) -> list[tuple]:
        return self._cursor.execute(*_statement(sql, params)).fetchall()

    def insert_frame(self, table: str, columns: str, frame: pd.DataFrame) -> None:
        """Bulk append with COPY: the rows stream in one command instead of one INSERT each."""
        with self._cursor.copy("COPY " + table + " (" + columns + ") FROM STDIN") as copy:
            for record in frame.astype(object).where(frame.notna(), None).itertuples(index=False, name=None):
                copy.write_row(record)


    def copy_rows(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        """COPY rows read from another database (python -m coordsupervise migrate); names come from the catalogue."""
        with self._cursor.copy("COPY " + table + " (" + ", ".join(columns) + ") FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def pg_tool(name: str) -> str | None:
    """A PostgreSQL client program (pg_dump, pg_restore): on the PATH, else Debian's newest installed version."""
    found = shutil.which(name)
    if found:
        return found
    installed = glob.glob(f"/usr/lib/postgresql/*/bin/{name}")
    newest = sorted(installed, key=lambda path: [int(n) for n in path.split("/")[4].split(".") if n.isdigit()])
    return newest[-1] if newest else None


def dump_command(dump: str, url: str, path: str | Path) -> tuple[list[str], dict[str, str]]:
    """pg_dump's arguments and environment for the database at `url`: the password travels in PGPASSWORD, not on
    the command line, where any local user could read it (ps, /proc/PID/cmdline) while the dump runs."""
    params = conninfo_to_dict(url)
    password = params.pop("password", None)
    env = {**os.environ, **({"PGPASSWORD": str(password)} if password else {})}
    return [dump, "--format=custom", "--file", str(path), "--dbname", make_conninfo(**params)], env


class PostgresDatabase(Database):
    """The PostgreSQL engine. Thread-safe: every call borrows a pooled connection for its duration."""

    engine = "postgresql"

    def __init__(self, url: str | Path, *, upgrade_to: int | None = None, pool_size: int = POOL_SIZE):
        self.path = str(url)
        self._pool = ConnectionPool(
            self.path, min_size=1, max_size=pool_size, open=True, configure=_configure,
            # jit off: PostgreSQL compiles any query whose estimated cost passes jit_above_cost, and this app's
            # screen queries (correlated look-ups over the reflection table) pass it while running in tens of
            # milliseconds; the compiling took half of their time at 100 cohorts (EXPLAIN ANALYZE, issue 15)
            kwargs={"autocommit": True, "options": "-c TimeZone=UTC -c jit=off"},
        )
        self._pool.wait()
        self.migrate(upgrade_to)

    # -- reads --------------------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def _cursor(self) -> Iterator[psycopg.Cursor]:
        with self._pool.connection() as conn, conn.cursor() as cur:
            yield cur

    def rows(self, sql: str, params: Sequence[Any] | dict | None = None) -> list[tuple]:
        with self._cursor() as cur:
            return cur.execute(*_statement(sql, params)).fetchall()

    def one(self, sql: str, params: Sequence[Any] | dict | None = None) -> tuple | None:
        with self._cursor() as cur:
            return cur.execute(*_statement(sql, params)).fetchone()

    def frame(self, sql: str, params: Sequence[Any] | dict | None = None) -> pd.DataFrame:
        with self._cursor() as cur:
            return _frame(cur.execute(*_statement(sql, params)))

    def dicts(self, sql: str, params: Sequence[Any] | dict | None = None) -> list[dict]:
        with self._cursor() as cur:
            cur.execute(*_statement(sql, params))
            names = [d.name for d in cur.description]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    # -- writes -------------------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self) -> Iterator[PgTransaction]:
        """One SERIALIZABLE transaction on a pooled connection; rolled back on any exception."""
        self.writes += 1  # before, not after: what was read before a write is not trusted after it (access.py)
        with self._pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
            cur.execute("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE")
            yield PgTransaction(cur)

    def write(self, fn, *args, **kwargs):
        """Run fn(tx, *args, **kwargs) in a transaction, rerunning it a bounded number of times when PostgreSQL
        aborts it for a serialization failure or a deadlock."""
        for attempt in range(PG_WRITE_RETRIES):
            try:
                with self.transaction() as tx:
                    return fn(tx, *args, **kwargs)
            except psycopg.Error as exc:
                if exc.sqlstate not in RETRY_SQLSTATES:
                    raise
                if attempt == PG_WRITE_RETRIES - 1:
                    raise WriteConflict(str(exc)) from exc
                time.sleep(random.uniform(0.005, 0.02 * 2 ** min(attempt, 5)))  # noqa: S311 (jitter, no secret)
        raise AssertionError("unreachable")

    def migrate(self, upgrade_to: int | None = None) -> list[int]:
        """Processes starting together queue on an advisory lock; each then sees what the one before applied."""
        with self._pool.connection() as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", [MIGRATION_LOCK])
            try:
                return super().migrate(upgrade_to)
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", [MIGRATION_LOCK])

    def schema_version(self) -> int:
        exists = self.value("SELECT to_regclass('schema_version') IS NOT NULL")
        return self.value("SELECT coalesce(max(version), 0) FROM schema_version") if exists else 0

    def checkpoint(self) -> None:
        """Nothing to do: PostgreSQL checkpoints on its own, and a commit is durable once it returns."""

    def copy_to(self, path: str | Path) -> None:
        """A consistent snapshot with pg_dump (its custom format, one transaction's view while the app runs on):
        what the admin screen's backup downloads and `python -m coordsupervise backup` writes on PostgreSQL.
        `pg_restore --no-owner --dbname URL FILE` loads it into an empty database (README). pg_dump must be at
        least the server's version (Debian: the postgresql-client package of that version); without it, or when
        it fails, a message (pg_dump's own words go to the server log, not to the page)."""
        dump = pg_tool("pg_dump")
        if dump is None:
            raise InvalidInput("admin.backup_postgresql")
        command, env = dump_command(dump, self.path, path)
        try:
            done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=3600)  # noqa: S603
        except subprocess.TimeoutExpired:
            done = None
        if done is None or done.returncode != 0:
            Path(path).unlink(missing_ok=True)
            _log.error("pg_dump failed: %s", "timed out after an hour" if done is None else done.stderr.strip()[-2000:])
            raise InvalidInput("admin.backup_pg_dump_failed")
        Path(path).chmod(0o600)  # personal data and password hashes

    def close(self) -> None:
        self._pool.close()
