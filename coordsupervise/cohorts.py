"""Cohorts and their stage calendar."""
from __future__ import annotations

from datetime import date

import pandas as pd

from .access import Actor, require_role
from .db import Database

STAGE_ORDER = ("online", "task_setting", "practical", "workshop_day1", "workshop_day2", "certification")


def current_stage(calendar: dict[str, tuple[date, date]], today: date) -> str:
    """The stage a cohort is in on `today`: 'before' the first, a stage name, a gap counts as the stage just
    ended (waiting for the next), 'finished' after certification."""
    first = calendar[STAGE_ORDER[0]][0]
    if today < first:
        return "before"
    latest = STAGE_ORDER[0]
    for stage in STAGE_ORDER:
        start, end = calendar[stage]
        if start <= today <= end:
            return stage
        if today > end:
            latest = stage
    return "finished" if latest == STAGE_ORDER[-1] else latest


def overview(db: Database, actor: Actor, today: date) -> pd.DataFrame:
    """One row per cohort with its calendar, size and where it stands today (managers and admins)."""
    require_role(actor, "manager", "admin")
    frame = db.frame(
        "SELECT c.id, c.code, c.name_ja, c.name_en, "
        "  (SELECT count(*) FROM enrolment e WHERE e.cohort_id = c.id) AS trainees, "
        "  (SELECT count(*) FROM flag f JOIN enrolment e ON e.id = f.enrolment_id "
        "     WHERE e.cohort_id = c.id AND f.resolved_at IS NULL) AS open_flags, "
        "  min(s.starts_on) AS starts_on, max(s.ends_on) AS ends_on "
        "FROM cohort c JOIN cohort_stage s ON s.cohort_id = c.id "
        "GROUP BY c.id, c.code, c.name_ja, c.name_en ORDER BY min(s.starts_on) DESC"
    )
    stages = calendars(db, list(frame["id"]))
    frame["stage"] = [current_stage(stages[cid], today) for cid in frame["id"]]
    return frame


def calendars(db: Database, cohort_ids: list[int]) -> dict[int, dict[str, tuple[date, date]]]:
    out: dict[int, dict[str, tuple[date, date]]] = {cid: {} for cid in cohort_ids}
    if not cohort_ids:
        return out
    for cid, stage, start, end in db.rows(
            "SELECT cohort_id, stage, starts_on, ends_on FROM cohort_stage WHERE cohort_id IN (SELECT unnest(?))",
            [cohort_ids]):
        out[cid][stage] = (start, end)
    return out


def modules(db: Database, cohort_id: int) -> list[dict]:
    """The online modules of the cohort's programme, in order (anyone enrolled or staff may read them)."""
    return db.dicts(
        "SELECT m.id, m.seq, m.group_code, m.title_ja, m.title_en, m.competency FROM module m "
        "JOIN cohort c ON c.programme_id = m.programme_id WHERE c.id = ? ORDER BY m.seq", [cohort_id])


def competencies(db: Database) -> list[dict]:
    return db.dicts("SELECT code, name_ja, name_en FROM competency ORDER BY seq")
