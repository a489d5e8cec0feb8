"""Values the app makes once and keeps in its own database (the `app_setting` table), such as the demo's login
cookie key: read by the settings (config.py), so they sit beside the database, below every service."""
from __future__ import annotations

from .db import Database, Transaction


def get_or_create_setting(db: Database, key: str, make) -> str:
    """The value kept under `key`; the first caller stores `make()` (two processes racing keep the first one)."""
    value = db.value("SELECT value FROM app_setting WHERE key = ?", [key])
    if value is None:
        candidate = make()

        def run(tx: Transaction):
            existing = tx.value("SELECT value FROM app_setting WHERE key = ?", [key])
            if existing is not None:
                return existing
            tx.execute("INSERT INTO app_setting (key, value) VALUES (?, ?)", [key, candidate])
            return candidate

        value = db.write(run)
    return value
