"""What the cohort figures and the at-risk rules share: which enrolments an actor may count, the practice days of
the practical stage with each day's status, and the way their queries bind named parameters. Both dashboard.py and
risk.py build on this module, so neither reaches into the other.

Who sees what: managers every cohort and every trainee; supervisors only the cohorts where they supervise someone,
and inside them only their own trainees' rows. Trainees and admin-only accounts are refused. Every query of the
dashboards and the at-risk list takes its rows through `enrolment_scope`.

A practice day's status, as the trainee's calendar has it (reflections.calendar), for working days (Mon-Fri, not a
public holiday or a programme day off): off (a day off), submitted, late (submitted after the cut-off), future
(still to come, or still before its cut-off) and missing. This is DuckDB-only analytics SQL (see dashboard.py).
"""
from __future__ import annotations

import re

import pandas as pd

from ..access import Actor, require_active, require_role
from ..errors import AccessDenied, NotFound
from ..programme.cohorts import days_off
from ..store.db import Database

DASHBOARD_ROLES = ("manager", "supervisor")


def enrolment_scope(actor: Actor, caseload: bool = False) -> str:
    """SQL condition on alias `e` (enrolment) with the named parameter $actor: the rows this actor may read here.
    `caseload` limits even a manager to the trainees they supervise themselves (their own working lists)."""
    require_role(actor, *(("supervisor",) if caseload else DASHBOARD_ROLES))
    active = "EXISTS (SELECT 1 FROM app_user au WHERE au.id = $actor AND au.active)"  # a deactivated account: none
    if actor.has("manager") and not caseload:
        return active
    return f"({active} AND EXISTS (SELECT 1 FROM supervision sv WHERE sv.enrolment_id = e.id "\
           "AND sv.supervisor_id = $actor))"


def require_cohort(db: Database, actor: Actor, cohort_id: int) -> None:
    """Managers may open any cohort; a supervisor only one where they supervise at least one trainee."""
    scope = enrolment_scope(actor)
    require_active(db, actor)
    if query_value(db, "SELECT count(*) FROM cohort WHERE id = $cohort", {"cohort": cohort_id}) == 0:
        raise NotFound()
    if not query_value(db, "SELECT count(*) > 0 OR $manager FROM enrolment e WHERE e.cohort_id = $cohort AND "
                       f"{scope}", {"cohort": cohort_id, "actor": actor.id, "manager": actor.has("manager")}):
        raise AccessDenied()


def day_status_cte(where: str) -> str:
    """CTEs `en` (the enrolments in scope with their practical stage) and `day_status` (one row per enrolment and
    working day of the practical stage up to $until). Parameters: $actor, $today, $until and those of `where`.
    The days come from one shared calendar joined by range: unnesting a series per enrolment row made DuckDB 2.0.0
    fail with an internal error ("dict-surviving join") at the benchmark size, which invalidates the database."""
    return f"""
    en AS (SELECT e.id AS enrolment_id, e.cohort_id, e.trainee_id, c.reflection_cutoff_days AS cutoff,
                  p.starts_on, p.ends_on
           FROM enrolment e JOIN cohort c ON c.id = e.cohort_id
           JOIN cohort_stage p ON p.cohort_id = e.cohort_id AND p.stage = 'practical'
           WHERE {where}),
    calendar AS (SELECT CAST(d AS DATE) AS day FROM (
                     SELECT unnest(generate_series(min(starts_on), least(max(ends_on), CAST($until AS DATE)),
                                                   INTERVAL 1 DAY)) AS d FROM en) x WHERE isodow(d) <= 5),
    days AS (SELECT en.enrolment_id, en.cohort_id, en.trainee_id, en.cutoff, en.starts_on, calendar.day
             FROM en JOIN calendar ON calendar.day BETWEEN en.starts_on AND least(en.ends_on, CAST($until AS DATE))),
    day_status AS (
        SELECT d.*, CASE
            WHEN o.day IS NOT NULL OR list_contains(CAST($days_off AS DATE[]), d.day) THEN 'off'
            WHEN r.status = 'submitted' AND r.late THEN 'late'
            WHEN r.status = 'submitted' THEN 'submitted'
            WHEN d.day + d.cutoff >= CAST($today AS DATE) THEN 'future'
            ELSE 'missing' END AS status
        FROM days d
        LEFT JOIN reflection r ON r.enrolment_id = d.enrolment_id AND r.practice_date = d.day
        LEFT JOIN day_off o ON o.enrolment_id = d.enrolment_id AND o.day = d.day)"""


def _named(sql: str, params: dict) -> dict:
    """Only the named parameters `sql` uses (DuckDB refuses unused ones), so shared dicts can be passed around."""
    used = set(re.findall(r"\$(\w+)", sql))
    return {k: v for k, v in params.items() if k in used}


def _bound(db: Database, sql: str, params: dict) -> dict:
    """The parameters `sql` uses; `$days_off` (public holidays and the programme's days off, as the trainee's
    calendar excludes them) is filled in here so no caller has to know about it."""
    if "$days_off" in sql:
        first, last = db.one("SELECT min(starts_on), max(ends_on) FROM cohort_stage WHERE stage = 'practical'")
        params = {**params, "days_off": sorted(days_off(db, first, last)) if first else []}
    return _named(sql, params)


def query_frame(db: Database, sql: str, params: dict) -> pd.DataFrame:
    """`db.frame` with named parameters: only those `sql` uses, `$days_off` filled in."""
    return db.frame(sql, _bound(db, sql, params))


def query_value(db: Database, sql: str, params: dict):
    """`db.value` with named parameters, as query_frame."""
    return db.value(sql, _bound(db, sql, params))


def query_rows(db: Database, sql: str, params: dict) -> list[tuple]:
    """`db.rows` with named parameters, as query_frame."""
    return db.rows(sql, _bound(db, sql, params))
