"""Move a running programme from its DuckDB file to PostgreSQL (`python -m coordsupervise migrate`).

The target is migrated to the same schema version first and must hold no rows. Every table is then copied in one
transaction, parents before children (foreign keys), each with COPY; the sequences behind the `id` columns are set
past the highest id copied, so new rows continue the numbering. Afterwards both sides are read again and compared
per table: the row count and a checksum that does not depend on row order (the sum of a hash of each row's values
in a canonical text form). Any difference is reported and makes the command exit non-zero; the app must be stopped
while this runs (DuckDB lets one process open the file anyway).
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime
from graphlib import TopologicalSorter

from .db import Database

_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")
_NEXTVAL = re.compile(r"nextval\('(?:public\.)?\"?(\w+)\"?'")


@dataclass(frozen=True)
class TableCheck:
    table: str
    source_rows: int
    target_rows: int
    source_checksum: str
    target_checksum: str

    @property
    def ok(self) -> bool:
        return self.source_rows == self.target_rows and self.source_checksum == self.target_checksum


class TransferRefused(Exception):
    """The transfer cannot start (different schema versions, a target already in use); nothing was written."""


def _canonical(value) -> str:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (bytes, memoryview)):
        return bytes(value).hex()
    if isinstance(value, float):
        return repr(value)
    return repr(value)


def checksum(rows) -> str:
    """Order-independent: each row hashed, the hashes added modulo 2**128."""
    total = 0
    for row in rows:
        text = "\x1f".join(_canonical(v) for v in row)
        total = (total + int.from_bytes(hashlib.sha256(text.encode()).digest()[:16], "big")) % (1 << 128)
    return f"{total:032x}"


def tables(db: Database) -> list[str]:
    """The app's tables, parents before children. Each side keeps its own schema_version and cache_version (the
    stamp of cached reads, cache_stamp.py: it only has to move on when content is edited in that database)."""
    names = [r[0] for r in db.rows(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
        "AND table_type = 'BASE TABLE' AND table_name NOT IN ('schema_version', 'cache_version') "
        "ORDER BY table_name")]
    parents = {name: set() for name in names}
    for child, parent in db.rows(
            "SELECT tc.table_name, ccu.table_name FROM information_schema.table_constraints tc "
            "JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = tc.constraint_name "
            "WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_schema = current_schema()"):
        if child in parents and parent in parents and parent != child:
            parents[child].add(parent)
    return list(TopologicalSorter(parents).static_order())


def _plain(*names: str) -> None:
    """Table, column and sequence names come from the databases' own catalogues, never from input; composing SQL
    with them is safe once each is a plain lower-case identifier, which this checks."""
    for name in names:
        if not _IDENTIFIER.fullmatch(name):
            raise TransferRefused(f"unexpected name in the catalogue: {name!r}")


def _columns(db: Database, table: str) -> list[str]:
    return [r[0] for r in db.rows("SELECT column_name FROM information_schema.columns WHERE table_name = ? "
                                  "AND table_schema = current_schema() ORDER BY ordinal_position", [table])]


def _sequences(db: Database) -> list[tuple[str, str, str]]:
    """(sequence, table, column) for every column whose default draws from a sequence."""
    found = []
    for table, column, default in db.rows(
            "SELECT table_name, column_name, column_default FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND column_default LIKE 'nextval%'"):
        match = _NEXTVAL.search(default)
        if match:
            found.append((match.group(1), table, column))
    return found


def compare(source: Database, target: Database) -> list[TableCheck]:
    checks = []
    for table in tables(target):
        names = _columns(source, table)
        _plain(table, *names)
        query = f"SELECT {', '.join(names)} FROM {table}"  # noqa: S608 (catalogue names, checked by _plain)
        source_rows, target_rows = source.rows(query), target.rows(query)
        checks.append(TableCheck(table, len(source_rows), len(target_rows), checksum(source_rows),
                                 checksum(target_rows)))
    return checks


def copy_database(source: Database, target: Database) -> list[TableCheck]:
    """Copy every row of `source` into the empty `target` in one transaction, then compare both per table."""
    if source.schema_version() != target.schema_version():
        raise TransferRefused(f"schema versions differ: source {source.schema_version()}, "
                              f"target {target.schema_version()}")
    order = tables(target)  # PostgreSQL's catalogue knows the foreign keys
    _plain(*order)
    used = [t for t in order if target.value(f"SELECT count(*) FROM {t}")]  # noqa: S608 (checked names)
    if used:
        raise TransferRefused("the target already holds data (tables: " + ", ".join(used) + "); "
                              "migrate into a new, empty database")

    def run(tx):
        for table in order:
            names = _columns(source, table)
            _plain(*names)
            tx.copy_rows(table, names, source.rows(f"SELECT {', '.join(names)} FROM {table}"))  # noqa: S608
        for sequence, table, column in _sequences(target):
            _plain(sequence, table, column)
            tx.execute(f"SELECT setval('{sequence}', coalesce((SELECT max({column}) FROM {table}), 0) + 1, "  # noqa: S608
                       "false)")

    target.write(run)
    return compare(source, target)
