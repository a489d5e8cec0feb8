"""Numbered schema migrations: NNN_name.sql, applied in order at start-up, each in one transaction.

A migration that needs Python (text normalisation SQL cannot do) adds a step here, run in the same transaction
right after its SQL."""
from __future__ import annotations

import json

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


def _audit_without_text(tx) -> None:
    """010: confirmed privacy findings logged with the span they confirmed keep only its kind and length."""
    rows = tx.rows("SELECT id, after_json FROM audit_log WHERE action IN "
                   "('feedback.privacy_confirmed', 'submission.privacy_confirmed') AND after_json LIKE '%\"text\"%'")
    tx.executemany("UPDATE audit_log SET after_json = ? WHERE id = ?", [
        (json.dumps([{"kind": f.get("kind"), "length": len(f.get("text") or "")} for f in json.loads(after)],
                    ensure_ascii=False, separators=(",", ":")), audit_id) for audit_id, after in rows])


def _curriculum(tx) -> None:
    """012: a programme made before the curriculum was data gets what its file says and the code used to hold."""
    from ..curriculum import fill_programmes_made_before_012

    fill_programmes_made_before_012(tx)


PYTHON_STEPS = {3: _feedback_search_text, 9: _readings_in_search_text, 10: _audit_without_text, 12: _curriculum}
