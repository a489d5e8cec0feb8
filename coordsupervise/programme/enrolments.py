"""A trainee's place in the programme: which cohort, which stage calendar, which rules."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..access import Actor, require_enrolment_read, visible_enrolments_sql
from ..errors import NotFound
from ..store.db import Database
from ..text.limits import bounded_query
from ..text.textnorm import name_key, name_matches
from .cohorts import calendars


@dataclass(frozen=True)
class Enrolment:
    id: int
    cohort_id: int
    trainee_id: int
    trainee_name: str
    cohort_name_ja: str
    cohort_name_en: str
    calendar: dict[str, tuple[date, date]]
    module_pass_pct: int
    overall_test_pass_pct: int
    reflection_rate_pct: int
    report_min_level: int
    certification_test_pass_pct: int
    reflection_cutoff_days: int

    @property
    def practical(self) -> tuple[date, date]:
        return self.calendar["practical"]


def load(db: Database, actor: Actor, enrolment_id: int) -> Enrolment:
    require_enrolment_read(db, actor, enrolment_id)
    row = db.one(
        "SELECT e.id, e.cohort_id, e.trainee_id, u.display_name, c.name_ja, c.name_en, c.module_pass_pct, "
        "c.overall_test_pass_pct, c.reflection_rate_pct, c.report_min_level, c.certification_test_pass_pct, "
        "c.reflection_cutoff_days FROM enrolment e JOIN cohort c ON c.id = e.cohort_id "
        "JOIN app_user u ON u.id = e.trainee_id WHERE e.id = ?", [enrolment_id])
    if row is None:
        raise NotFound()
    (eid, cid, tid, name, cja, cen, mod_pct, overall_pct, refl_pct, min_level, cert_pct, cutoff) = row
    return Enrolment(eid, cid, tid, name, cja, cen, calendars(db, [cid])[cid], mod_pct, overall_pct, refl_pct,
                     min_level, cert_pct, cutoff)


def current_for_trainee(db: Database, actor: Actor) -> Enrolment | None:
    """The trainee's own enrolment in the most recent cohort (a trainee who repeats has several)."""
    enrolment_id = db.value(
        "SELECT e.id FROM enrolment e JOIN cohort_stage s ON s.cohort_id = e.cohort_id AND s.stage = 'online' "
        "WHERE e.trainee_id = ? ORDER BY s.starts_on DESC LIMIT 1", [actor.id])
    return None if enrolment_id is None else load(db, actor, enrolment_id)


def directory(db: Database, actor: Actor, query: str = "", limit: int = 200,
              cohort_id: int | None = None) -> list[dict]:
    """Enrolments the actor may open (caseload for supervisors, everyone for managers): cohorts in or past the
    practical stage first, newest first, then by kana reading; `query` matches name or reading, width- and
    kana-insensitively and with or without the space between family and given name; `cohort_id` narrows to one
    cohort."""
    query = bounded_query(query)
    condition, params = visible_enrolments_sql(actor)
    rows = db.dicts(
        "SELECT e.id AS enrolment_id, e.cohort_id, c.code AS cohort, u.display_name, u.display_name_kana "
        "FROM enrolment e JOIN app_user u ON u.id = e.trainee_id JOIN cohort c ON c.id = e.cohort_id "
        "JOIN cohort_stage p ON p.cohort_id = c.id AND p.stage = 'practical' WHERE " + condition +
        # trainees already writing reflections first (newest such cohort), then cohorts still in the online stage
        " ORDER BY p.starts_on <= current_date DESC, p.starts_on DESC, u.display_name_kana, u.display_name", params)
    if name_key(query):
        rows = [r for r in rows if name_matches(query, r["display_name"], r["display_name_kana"])]
    if cohort_id is not None:
        rows = [r for r in rows if r["cohort_id"] == cohort_id]
    return rows[:limit]


def visible_cohorts(db: Database, actor: Actor) -> list[dict]:
    """The cohorts of the enrolments the actor may open, newest first, for a cohort filter beside a trainee picker."""
    condition, params = visible_enrolments_sql(actor)
    return db.dicts(
        "SELECT DISTINCT c.id AS cohort_id, c.code AS cohort FROM enrolment e JOIN cohort c ON c.id = e.cohort_id "
        "WHERE " + condition + " ORDER BY c.code DESC", params)


def relation(db: Database, actor: Actor, enrolment_id: int) -> set[str]:
    """How the actor stands to this enrolment ({'own', 'supervised', 'managed'}), for pages deciding what to offer."""
    return require_enrolment_read(db, actor, enrolment_id)
