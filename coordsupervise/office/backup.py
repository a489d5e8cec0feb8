"""Backups and restore of the one DuckDB file (on PostgreSQL: a pg_dump snapshot, restored with pg_restore).

A backup is a consistent snapshot taken while the app runs (`Database.copy_to`: DuckDB's COPY FROM DATABASE into a
fresh file under the write lock), never a copy of a file being written. Admins download one from /admin; the
command line writes one (`python -m coordsupervise backup DEST`, with the app stopped, since DuckDB lets one process
open the file). A restore replaces the database file with a backup while the app is stopped, keeping the file it
replaces beside it, and then applies any migration newer than the backup."""
from __future__ import annotations

import shutil
import tempfile
from datetime import datetime
from pathlib import Path

import duckdb

from ..access import Actor, require_role
from ..programme.auth import audit
from ..store.db import Database, migrations
from ..store.engine import open_database


class BackupError(Exception):
    """The file is not a backup this version can restore (message for the operator's terminal)."""


def snapshot(db: Database, destination: str | Path) -> Path:
    """Write a consistent copy of the database to `destination` (a new file)."""
    destination = Path(destination)
    if destination.exists():
        raise BackupError(f"{destination} exists; choose a new file name")
    destination.parent.mkdir(parents=True, exist_ok=True)
    db.copy_to(destination)
    destination.chmod(0o600)  # personal data and password hashes: the owner's alone, whatever the umask
    return destination


def backup_bytes(db: Database, actor: Actor) -> bytes:
    """A snapshot as bytes, for the download on /admin (admins only; the download is audited)."""
    require_role(actor, "admin", db=db)
    with tempfile.TemporaryDirectory() as folder:
        path = snapshot(db, Path(folder) / ("backup" + _SUFFIX[db.engine]))
        data = path.read_bytes()
    db.write(lambda tx: audit(tx, actor.id, "backup.download", "database", "-", None, {"bytes": len(data)}))
    return data


# DuckDB: a database file; PostgreSQL: pg_dump's custom format (pg.PostgresDatabase.copy_to), read by pg_restore
_SUFFIX = {"duckdb": ".duckdb", "postgresql": ".dump"}


def file_name(now: datetime, engine: str = "duckdb") -> str:
    return f"coordsupervise-{now:%Y%m%d-%H%M}{_SUFFIX[engine]}"


def check_backup(path: str | Path) -> int:
    """The schema version of a backup file; refuses what is not one, or one newer than this version."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} is not a file")
    try:
        conn = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        raise BackupError(f"{path} is not a DuckDB database: {exc}") from exc
    try:
        version = conn.execute("SELECT max(version) FROM schema_version").fetchone()[0]
        conn.execute("SELECT count(*) FROM app_user").fetchone()
    except duckdb.Error as exc:
        raise BackupError(f"{path} is not a coordsupervise database") from exc
    finally:
        conn.close()
    newest = max(m.version for m in migrations())
    if version is None or version > newest:
        raise BackupError(f"{path} has schema version {version}; this version knows up to {newest}")
    return version


def restore(backup: str | Path, db_path: str | Path, now: datetime) -> Path | None:
    """Replace the database file at `db_path` with `backup` (the app must be stopped). The replaced file is kept
    as `<db_path>.before-restore-<time>` and returned (None when there was none)."""
    check_backup(backup)
    db_path = Path(db_path)
    kept = None
    if db_path.exists():
        _refuse_if_held(db_path)
        kept = db_path.with_name(f"{db_path.name}.before-restore-{now:%Y%m%d-%H%M%S}")
        db_path.rename(kept)
        wal = db_path.with_name(db_path.name + ".wal")
        if wal.exists():
            wal.rename(kept.with_name(kept.name + ".wal"))
    shutil.copyfile(backup, db_path)
    open_database(db_path).close()  # applies migrations newer than the backup
    return kept


def _refuse_if_held(path: Path) -> None:
    """A running app holding the file would go on writing to the renamed one: let DuckDB's lock refuse first
    (duckdb.IOException, which the command line explains). A damaged file is what a restore replaces: go on."""
    try:
        duckdb.connect(str(path), read_only=True).close()
    except duckdb.IOException as exc:
        if "lock" in str(exc).lower():
            raise
    except duckdb.Error:
        pass
