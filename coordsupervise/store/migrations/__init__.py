"""Numbered schema migrations: NNN_name.sql, applied in order at start-up, each in one transaction.

A migration that needs Python (text normalisation SQL cannot do) adds a step here, run in the same transaction
right after its SQL."""
from __future__ import annotations

import json

from ...text.textnorm import search_key


def _feedback_search_text(tx) -> None:
    """003: give feedback written before it the same normalised search text new feedback gets."""
    rows = tx.rows("SELECT id, body_md FROM feedback")
    tx.executemany("UPDATE feedback SET search_text = ? WHERE id = ?", [(search_key(body), fid) for fid, body in rows])


def _readings_in_search_text(tx) -> None:
    """009: submitted reflections and all feedback get the readings of their kanji words in their search text."""
    from ...text.readings import searchable

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


# The built-in FRSC programme as it stood when 012 was written (until then in code, since then the shipped
# curricula/frsc.toml): stage (stage, days, days_after_previous, weekday 0 = Monday) and default assignment (code,
# titles, kind, rubric, due_days, certification_critical, second marking rule, pct, tolerance) rows, and the
# competencies' short names. Frozen here: a migration replays history, so a later edit of the shipped file must not
# change what upgrading an old database writes (and the schema layer imports nothing from the programme's code).
_FRSC_012_STAGES = (
    ("online", 60, 1, None),
    ("task_setting", 10, 1, None),
    ("practical", 92, 1, None),
    ("workshop", 2, 14, 5),
    ("certification", 1, 21, None),
)
_FRSC_012_ASSIGNMENTS = (
    ("A1", "課題設定シート", "Task-setting sheet",
     "approval", None, -2, True, "none", 10, 0),
    ("A2", "在留状況確認記録", "Residence-status verification log",
     "scored", "A2", 21, False, "none", 10, 0),
    ("A3", "相談内容の切り分け・アセスメント", "Case decomposition and assessment",
     "scored", "A3", 35, False, "none", 10, 0),
    ("A4", "分野横断的支援プラン(解決順序つき)", "Cross-field support plan with order of resolution",
     "scored", "A4", 49, False, "none", 10, 0),
    ("A5", "連携先マップと引継ぎ記録", "Partner map and hand-off record",
     "scored", "A5", 60, False, "none", 10, 0),
    ("A6", "異文化場面の省察事例", "Reflection on an intercultural critical incident",
     "scored", "A6", 70, False, "none", 10, 0),
    ("A7", "予防的支援(オリエンテーション)企画", "Plan for a preventive orientation",
     "scored", "A7", 80, False, "none", 10, 0),
    ("A8", "課題レポート", "Final practice report",
     "scored", "A8", 92, True, "all", 10, 0),
)
_FRSC_012_SHORT_NAMES = {
    "C1": ("在留状況の把握", "Residence status"),
    "C2": ("異文化理解", "Cultures and values"),
    "C3": ("複合的な相談の解決", "Compound consultations"),
    "C4": ("適切な支援へのつなぎ", "Connecting to support"),
}


def _curriculum(tx) -> None:
    """012: a programme written before the curriculum was data is the built-in FRSC one (the demo builder was the
    only way to make one), so it gets FRSC's stage lengths, assignment set and the competencies' short names, which
    until then lived in code."""
    for (programme_id,) in tx.rows("SELECT id FROM programme ORDER BY id"):
        tx.executemany("INSERT INTO programme_stage (programme_id, seq, stage, days, days_after_previous, weekday) "
                       "VALUES (?, ?, ?, ?, ?, ?)",
                       [(programme_id, seq, *stage) for seq, stage in enumerate(_FRSC_012_STAGES, start=1)])
        tx.executemany(
            "INSERT INTO assignment_template (programme_id, seq, code, title_ja, title_en, kind, rubric_code, "
            "due_days, certification_critical, moderation_rule, moderation_pct, moderation_tolerance) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(programme_id, seq, *assignment) for seq, assignment in enumerate(_FRSC_012_ASSIGNMENTS, start=1)])
    tx.executemany("UPDATE competency SET short_ja = ?, short_en = ? WHERE code = ? AND short_ja IS NULL",
                   [(ja, en, code) for code, (ja, en) in _FRSC_012_SHORT_NAMES.items()])


# U+202A–202E and U+2066–2069 as textnorm.strip_bidi drops them when 014 was written (frozen, as above)
_BIDI_014 = str.maketrans("", "", "".join(map(chr, [*range(0x202A, 0x202F), *range(0x2066, 0x206A)])))


def _names_without_bidi(tx) -> None:
    """014: accounts' names and readings and organisations' fields stored with bidi controls lose them. A display
    name made of controls alone becomes the login ID (a name is required); a reading becomes NULL."""
    users = []
    for user_id, username, name, kana in tx.rows(
            "SELECT id, username, display_name, display_name_kana FROM app_user ORDER BY id"):
        clean_name, clean_kana = name.translate(_BIDI_014), (kana or "").translate(_BIDI_014) or None
        if (clean_name, clean_kana) != (name, kana or None):
            users.append((clean_name if clean_name.strip() else username, clean_kana, user_id))
    tx.executemany("UPDATE app_user SET display_name = ?, display_name_kana = ? WHERE id = ?", users)
    organisations = []
    for row in tx.rows("SELECT id, name, prefecture, region FROM organisation ORDER BY id"):
        clean = tuple(value.translate(_BIDI_014) for value in row[1:])
        if clean != tuple(row[1:]):
            organisations.append((*clean, row[0]))
    tx.executemany("UPDATE organisation SET name = ?, prefecture = ?, region = ? WHERE id = ?", organisations)


PYTHON_STEPS = {3: _feedback_search_text, 9: _readings_in_search_text, 10: _audit_without_text, 12: _curriculum,
                14: _names_without_bidi}
