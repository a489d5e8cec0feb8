"""Backups and restore of the one DuckDB file (on PostgreSQL: a pg_dump snapshot, restored with pg_restore).

A backup is a consistent snapshot taken while the app runs (`Database.copy_to`: DuckDB's COPY FROM DATABASE into a
fresh file under the write lock), never a copy of a file being written. Admins download one from /admin; the
command line writes one (`python -m coordsupervise backup DEST`, with the app stopped, since DuckDB lets one process
open the file). A restore replaces the database file with a backup while the app is stopped, keeping the file it
replaces beside it, and then applies any migration newer than the backup.

A download leaves the server, so it is never the bare database (every person's data and password hashes): it is a
ZIP with the snapshot inside, encrypted with AES-256 (WinZip's AE-2, which 7-Zip opens: `7z x FILE`) under a
passphrase the admin types for it. `restore` takes that ZIP (asking for the passphrase, or reading it from a file)
as well as a plain snapshot."""
from __future__ import annotations

import io
import shutil
import tempfile
import zipfile
import zlib
from datetime import datetime
from pathlib import Path

import duckdb
import pyzipper

from ..access import Actor, require_role
from ..clock import now_utc
from ..errors import InvalidInput
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


# the passphrase of a downloaded backup: as long as a password at least (auth.PASSWORD_MIN_CHARS); typed, so bounded
PASSPHRASE_MIN_CHARS = 12
PASSPHRASE_MAX_CHARS = 200


def passphrase_problem(passphrase: str | None) -> InvalidInput | None:
    """Why `passphrase` cannot protect a backup (too short or too long), or None."""
    length = len(passphrase or "")
    if length < PASSPHRASE_MIN_CHARS:
        return InvalidInput("downloads.passphrase_short", minimum=PASSPHRASE_MIN_CHARS)
    if length > PASSPHRASE_MAX_CHARS:
        return InvalidInput("input.too_long", limit=PASSPHRASE_MAX_CHARS, actual=length)
    return None


def backup_bytes(db: Database, actor: Actor, passphrase: str, now: datetime | None = None) -> bytes:
    """A snapshot for the download on /admin, as an AES-256 ZIP under `passphrase` (admins only; the download is
    audited). The file inside is named by `file_name(now)`, the ZIP itself by `download_name(now)`."""
    require_role(actor, "admin", db=db)
    problem = passphrase_problem(passphrase)
    if problem is not None:
        raise problem
    member = file_name(now or now_utc(), db.engine)
    with tempfile.TemporaryDirectory() as folder:
        path = snapshot(db, Path(folder) / member)
        data = encrypt(path, member, passphrase)
    db.write(lambda tx: audit(tx, actor.id, "backup.download", "database", "-", None,
                              {"bytes": len(data), "encrypted": "aes-256"}))
    return data


def encrypt(path: Path, member: str, passphrase: str) -> bytes:
    """`path` as the one file `member` of a ZIP encrypted with AES-256 under `passphrase` (UTF-8, as 7-Zip reads
    it)."""
    out = io.BytesIO()
    with pyzipper.AESZipFile(out, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES) as zf:
        zf.setpassword(passphrase.encode("utf-8"))
        zf.setencryption(pyzipper.WZ_AES, nbits=256)
        zf.write(path, member)
    return out.getvalue()


def download_name(now: datetime, engine: str = "duckdb") -> str:
    """The downloaded ZIP's name: the snapshot's own name, then .zip (`7z x` gives back the snapshot)."""
    return file_name(now, engine) + ".zip"


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


class PassphraseNeeded(BackupError):
    """The backup is an encrypted ZIP and no passphrase was given."""


class WrongPassphrase(BackupError):
    """The passphrase does not open the encrypted ZIP."""


def is_zip(path: str | Path) -> bool:
    """A downloaded backup (a ZIP), rather than a snapshot file itself."""
    return Path(path).is_file() and zipfile.is_zipfile(path)


def _member(archive: pyzipper.AESZipFile, path: Path) -> pyzipper.ZipInfo:
    """The one snapshot inside a downloaded backup; its name is never used as a path."""
    members = [info for info in archive.infolist() if not info.is_dir()]
    if len(members) != 1 or not members[0].filename.endswith(_SUFFIX["duckdb"]):
        raise BackupError(f"{path} is a ZIP but not a coordsupervise backup (one .duckdb file inside)")
    return members[0]


def needs_passphrase(path: str | Path) -> bool:
    """Whether the downloaded backup at `path` is encrypted (asked before the passphrase is)."""
    path = Path(path)
    try:
        with pyzipper.AESZipFile(path) as archive:
            return bool(_member(archive, path).flag_bits & 0x1)
    except (zipfile.BadZipFile, pyzipper.BadZipFile) as exc:
        raise BackupError(f"{path} is not a readable ZIP: {exc}") from exc


def unpack(path: str | Path, passphrase: str | None, folder: str | Path) -> Path:
    """The snapshot inside the downloaded backup at `path`, written into `folder` (nothing else is written);
    PassphraseNeeded or WrongPassphrase when it cannot be decrypted."""
    path = Path(path)
    target = Path(folder) / "unpacked.duckdb"
    try:
        with pyzipper.AESZipFile(path) as archive:
            member = _member(archive, path)
            if member.flag_bits & 0x1:
                if not passphrase:
                    raise PassphraseNeeded(f"{path} is encrypted: give its passphrase")
                archive.setpassword(passphrase.encode("utf-8"))
            with archive.open(member) as source, target.open("wb") as out:
                shutil.copyfileobj(source, out, 1024 * 1024)
    except RuntimeError as exc:  # pyzipper: "Bad password for file ..." (AES's 2-byte password check)
        target.unlink(missing_ok=True)
        if "password" not in str(exc).lower():
            raise BackupError(f"{path} cannot be read: {exc}") from exc
        raise WrongPassphrase(f"the passphrase does not open {path}") from exc
    except (zipfile.BadZipFile, pyzipper.BadZipFile, zlib.error) as exc:
        # a wrong passphrase that passed the 2-byte check (1 in 65,536) fails AES's authentication code or the
        # inflating of what it decrypted; so does a damaged file
        target.unlink(missing_ok=True)
        raise WrongPassphrase(f"the passphrase does not open {path}, or the file is damaged") from exc
    target.chmod(0o600)
    return target


def restore(backup: str | Path, db_path: str | Path, now: datetime, passphrase: str | None = None) -> Path | None:
    """Replace the database file at `db_path` with `backup` (the app must be stopped): a snapshot file, or a
    backup downloaded from /admin (an encrypted ZIP, opened with `passphrase`; nothing changes when it does not
    open it). The replaced file is kept as `<db_path>.before-restore-<time>` and returned (None when there was
    none)."""
    db_path = Path(db_path)
    if is_zip(backup):
        db_path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=db_path.parent) as folder:
            return _restore_file(unpack(backup, passphrase, folder), db_path, now)
    return _restore_file(Path(backup), db_path, now)


def _restore_file(backup: Path, db_path: Path, now: datetime) -> Path | None:
    check_backup(backup)
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
