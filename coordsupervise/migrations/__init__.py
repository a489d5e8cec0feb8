"""Numbered schema migrations: NNN_name.sql, applied in order at start-up, each in one transaction.

A migration that needs Python (text normalisation SQL cannot do) adds a step here, run in the same transaction
right after its SQL."""
from __future__ import annotations

from ..textnorm import search_key


def _feedback_search_text(tx) -> None:
    """003: give feedback written before it the same normalised search text new feedback gets."""
    rows = tx.rows("SELECT id, body_md FROM feedback")
    tx.executemany("UPDATE feedback SET search_text = ? WHERE id = ?", [(search_key(body), fid) for fid, body in rows])


PYTHON_STEPS = {3: _feedback_search_text}
