"""The version stamp that keeps cached reads correct across app processes.

Each Streamlit process caches reads of content that admins and managers edit (modules, competencies, cohorts and
their calendars, rubrics, caseloads, risk and retention settings, and the dashboards built on them), and one
process cannot clear another's cache. So every such edit bumps one number in the `cache_version` table in the same
transaction as the edit, and every cached read includes the number it read from the database in its cache key: a
process that reads a new number misses its old entries and reads the database again. The number is a primary-key
lookup, read once per rerun (ui/runtime.py). Works the same on DuckDB and PostgreSQL.
"""
from __future__ import annotations

from ..clock import now_utc
from .db import Database, Transaction

AREA = "content"


def bump(tx: Transaction) -> None:
    """Call inside the write that edits cached content: the edit and the new stamp commit together or not at all."""
    tx.execute("UPDATE cache_version SET version = version + 1, changed_at = ? WHERE area = ?", [now_utc(), AREA])


def current(db: Database) -> int:
    """The stamp as committed now."""
    return db.value("SELECT version FROM cache_version WHERE area = ?", [AREA]) or 0
