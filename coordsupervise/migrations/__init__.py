"""Numbered schema migrations: NNN_name.sql, applied in order at start-up, each in one transaction.

A migration that needs Python (text normalisation SQL cannot do) adds a step here, run in the same transaction
right after its SQL."""
from __future__ import annotations

from ..textnorm import search_key


def _feedback_search_text(tx) -> None:
    """003: give feedback written before it the same normalised search text new feedback gets."""
    rows = tx.rows("SELECT id, body_md FROM feedback")
    tx.executemany("UPDATE feedback SET search_text = ? WHERE id = ?", [(search_key(body), fid) for fid, body in rows])


def _readings_in_search_text(tx) -> None:
    """009: submitted reflections and all feedback get the readings of their kanji words in their search text."""
    from ..readings import searchable

    fields = "goal, case_fields, event, feelings, keep_text, problem, analysis, insight, try_text"
    rows = tx.rows(f"SELECT id, concat_ws(' ', {fields}) FROM reflection WHERE status = 'submitted'")
    tx.executemany("UPDATE reflection SET search_text = ? WHERE id = ?",
                   [(searchable(text), rid) for rid, text in rows])
    rows = tx.rows("SELECT id, body_md FROM feedback")
    tx.executemany("UPDATE feedback SET search_text = ? WHERE id = ?",
                   [(searchable(body), fid) for fid, body in rows])


PYTHON_STEPS = {3: _feedback_search_text, 9: _readings_in_search_text}
