"""The supervisor's reflection inbox: every submitted reflection of the trainees assigned to them, unread first,
filterable, searchable in Japanese, paginated in SQL; and the caseload's workload figures.

A reflection is unread for a supervisor until they have read its current version: a trainee's revision after
reading makes it unread again (marked "revised"). "Awaiting reply" means the newest message in the thread is the
trainee's. Managers may look at any trainee read-only, but the inbox is the caseload of the person asking.

The f-strings below only join constant SQL fragments of this module; every value is a parameter. `workload` uses
DuckDB's median() and date_diff() (PostgreSQL: percentile_cont and extract(epoch)), the one analytic query here."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd

from ..access import Actor, require_role
from ..clock import now_utc
from ..store.db import Database
from ..text.limits import bounded_query
from ..text.textnorm import name_key, name_matches, search_key

PAGE_SIZE = 25
COMPETENCIES = ("C1", "C2", "C3", "C4")


@dataclass(frozen=True)
class InboxFilter:
    cohort_id: int | None = None
    enrolment_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    competency: str | None = None
    flagged: bool = False
    unread: bool = False
    awaiting_reply: bool = False
    query: str = ""
    not_replied: bool = False


_UNREAD = ("NOT EXISTS (SELECT 1 FROM reflection_read rr WHERE rr.reflection_id = r.id AND rr.reader_id = ? "
           "AND rr.read_version >= r.version)")
# a finished cohort's old threads are history, not work: only trainees still in training await a reply
_AWAITING = ("(e.status = 'active' AND coalesce((SELECT f.author_id FROM feedback f WHERE f.reflection_id = r.id "
             "ORDER BY f.created_at DESC, f.id DESC LIMIT 1) = e.trainee_id, FALSE))")
# answered at all: someone other than the trainee (a supervisor) wrote in the thread. Opening marks a reflection read,
# not replied; this is its own state, apart from "awaiting reply" (the trainee wrote back last).
_REPLIED = "EXISTS (SELECT 1 FROM feedback f WHERE f.reflection_id = r.id AND f.author_id <> e.trainee_id)"
_FLAGGED = ("EXISTS (SELECT 1 FROM flag fl WHERE fl.enrolment_id = e.id AND fl.resolved_at IS NULL AND "
            "(fl.reflection_id IS NULL OR fl.reflection_id = r.id))")


def _where(actor: Actor, flt: InboxFilter, named: list[int] = ()) -> tuple[str, list]:
    """The caseload (assigned trainees, submitted reflections) narrowed by the filter, as SQL and parameters.
    `named`: the trainees (user ids) whose name the query is (see _named), found before in Python."""
    parts = ["r.status = 'submitted'",
             "EXISTS (SELECT 1 FROM supervision s WHERE s.enrolment_id = e.id AND s.supervisor_id = ?)"]
    params: list = [actor.id]
    if flt.cohort_id:
        parts.append("e.cohort_id = ?")
        params.append(flt.cohort_id)
    if flt.enrolment_id:
        parts.append("e.id = ?")
        params.append(flt.enrolment_id)
    if flt.date_from:
        parts.append("r.practice_date >= ?")
        params.append(flt.date_from)
    if flt.date_to:
        parts.append("r.practice_date <= ?")
        params.append(flt.date_to)
    if flt.competency in COMPETENCIES:
        parts.append("EXISTS (SELECT 1 FROM reflection_competency rc WHERE rc.reflection_id = r.id "
                     "AND rc.competency = ?)")
        params.append(flt.competency)
    if flt.flagged:
        parts.append(_FLAGGED)
    if flt.unread:
        parts.append(_UNREAD)
        params.append(actor.id)
    if flt.awaiting_reply:
        parts.append(_AWAITING)
    if flt.not_replied:  # as the figure above the list counts it: a finished cohort's old threads are not work
        parts.append(f"e.status = 'active' AND NOT {_REPLIED}")
    words = search_key(bounded_query(flt.query)).split()[:5]
    if words:
        # every word must appear in the reflection or its thread (kanji found by their reading too: readings.py),
        # or the whole query is the trainee's name, in kanji or kana, with or without the space
        text_parts = []
        for word in words:
            text_parts.append("(r.search_text LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM feedback f WHERE "
                              "f.reflection_id = r.id AND f.search_text LIKE ? ESCAPE '\\'))")
            params.extend([_like(word), _like(word)])
        text = " AND ".join(text_parts)
        if named:
            parts.append(f"(({text}) OR e.trainee_id IN ({', '.join('?' for _ in named)}))")
            params.extend(named)
        else:
            parts.append(f"({text})")
    return " AND ".join(parts), params


def _named(db: Database, actor: Actor, query: str) -> list[int]:
    """The caseload's trainees whose name the whole query is, in kanji or kana, with or without the space: matched
    in Python over the caseload's few names, so the reflection scan stays a plain LIKE."""
    query = bounded_query(query)
    if not name_key(query):
        return []
    people = db.rows("SELECT DISTINCT u.id, u.display_name, u.display_name_kana FROM supervision s "
                     "JOIN enrolment e ON e.id = s.enrolment_id JOIN app_user u ON u.id = e.trainee_id "
                     "WHERE s.supervisor_id = ?", [actor.id])
    return [uid for uid, name, kana in people if name_matches(query, name, kana)]


def _like(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def counts(db: Database, actor: Actor) -> dict[str, int]:
    """The numbers at the top of the inbox (not replied: reflections of trainees still in training that no
    supervisor has answered yet; flagged: trainees with an open flag). They mean what the list's filters mean
    (_UNREAD, _AWAITING, _REPLIED), counted in one query and one pass over the caseload: each reflection joined once
    to this supervisor's read receipt and once to its thread (its newest message, whether staff wrote in it) rather
    than three lookups per reflection, which at 100 cohorts took a third of an inbox run (docs/speed.md).
    tests/unit/practice/test_inbox_counts.py holds the two forms equal."""
    require_role(actor, "supervisor", db=db)
    unread, awaiting, not_replied, flagged = db.one(_COUNTS, [actor.id, actor.id, actor.id])
    return {"unread": unread, "awaiting_reply": awaiting, "not_replied": not_replied, "flagged_trainees": flagged}


_COUNTS = (
    "WITH mine AS MATERIALIZED (SELECT r.id, r.version, e.trainee_id, e.status = 'active' AS active "
    "  FROM reflection r JOIN enrolment e ON e.id = r.enrolment_id WHERE r.status = 'submitted' "
    "  AND EXISTS (SELECT 1 FROM supervision s WHERE s.enrolment_id = e.id AND s.supervisor_id = ?)), "
    # every message of the caseload's threads, numbered newest first (the order _AWAITING takes its newest by)
    "messages AS (SELECT f.reflection_id, f.author_id = m.trainee_id AS by_trainee, "
    "  row_number() OVER (PARTITION BY f.reflection_id ORDER BY f.created_at DESC, f.id DESC) AS newest "
    "  FROM feedback f JOIN mine m ON m.id = f.reflection_id), "
    "threads AS (SELECT reflection_id, bool_or(by_trainee AND newest = 1) AS trainee_last, "
    "  bool_or(NOT by_trainee) AS replied FROM messages GROUP BY reflection_id) "
    "SELECT count(*) FILTER (WHERE rr.read_version IS NULL OR rr.read_version < m.version), "
    "count(*) FILTER (WHERE m.active AND coalesce(th.trainee_last, FALSE)), "
    "count(*) FILTER (WHERE m.active AND NOT coalesce(th.replied, FALSE)), "
    "(SELECT count(DISTINCT fl.enrolment_id) FROM flag fl JOIN supervision s ON s.enrolment_id = fl.enrolment_id "
    "  WHERE s.supervisor_id = ? AND fl.resolved_at IS NULL) "
    "FROM mine m LEFT JOIN reflection_read rr ON rr.reflection_id = m.id AND rr.reader_id = ? "
    "LEFT JOIN threads th ON th.reflection_id = m.id")


def page(db: Database, actor: Actor, flt: InboxFilter, page_no: int = 1,
         page_size: int = PAGE_SIZE) -> tuple[pd.DataFrame, int]:
    """One page of the inbox (unread first, then newest day first) and the total number of matches."""
    require_role(actor, "supervisor", db=db)
    where, params = _where(actor, flt, _named(db, actor, flt.query))
    total = db.value(f"SELECT count(*) FROM reflection r JOIN enrolment e ON e.id = r.enrolment_id WHERE {where}",
                     params)
    offset = max(0, (page_no - 1) * page_size)
    # The page's rows are picked first (unread first, then newest day: one pass over the caseload with the read
    # receipts), then only those 25 are described, their threads and competencies read by joins on the picked ids.
    # Written as correlated lookups over the caseload (as the filters say them), the descriptions were planned over
    # whole tables: 90 ms of CPU per page at 100 cohorts, the largest share of an inbox click among 50 sessions
    # (docs/speed.md); now about 20. tests/unit/practice/test_inbox_counts.py holds it equal to the plain form.
    frame = db.frame(
        f"WITH pick AS MATERIALIZED (SELECT r.id, {_UNREAD} AS unread FROM reflection r "
        f"  JOIN enrolment e ON e.id = r.enrolment_id WHERE {where} "
        f"  ORDER BY unread DESC, r.practice_date DESC, r.id DESC LIMIT ? OFFSET ?), "
        # each message of the picked threads, newest first (as _AWAITING takes its newest), by the trainee or not
        f"messages AS (SELECT f.reflection_id, f.author_id = e.trainee_id AS by_trainee, "
        f"  row_number() OVER (PARTITION BY f.reflection_id ORDER BY f.created_at DESC, f.id DESC) AS newest "
        f"  FROM pick p JOIN feedback f ON f.reflection_id = p.id JOIN reflection r ON r.id = p.id "
        f"  JOIN enrolment e ON e.id = r.enrolment_id), "
        f"threads AS (SELECT reflection_id, count(*) AS messages, bool_or(by_trainee AND newest = 1) AS trainee_last, "
        f"  bool_or(NOT by_trainee) AS replied FROM messages GROUP BY reflection_id), "
        f"tags AS (SELECT rc.reflection_id, string_agg(rc.competency, ' ' ORDER BY rc.competency) AS competencies "
        f"  FROM pick p JOIN reflection_competency rc ON rc.reflection_id = p.id GROUP BY rc.reflection_id) "
        f"SELECT r.id, r.practice_date, u.display_name AS trainee, u.display_name_kana AS trainee_kana, "
        f"c.code AS cohort, r.version, r.late, r.self_rating, r.submitted_at, "
        f"substr(r.event, 1, 80) AS excerpt, p.unread, coalesce(rr.read_version < r.version, FALSE) AS revised, "
        f"e.status = 'active' AND coalesce(th.trainee_last, FALSE) AS awaiting_reply, "
        f"coalesce(th.replied, FALSE) AS replied, {_FLAGGED} AS flagged, tg.competencies, "
        f"coalesce(th.messages, 0) AS messages "
        f"FROM pick p JOIN reflection r ON r.id = p.id JOIN enrolment e ON e.id = r.enrolment_id "
        f"JOIN app_user u ON u.id = e.trainee_id JOIN cohort c ON c.id = e.cohort_id "
        f"LEFT JOIN reflection_read rr ON rr.reflection_id = r.id AND rr.reader_id = ? "
        f"LEFT JOIN threads th ON th.reflection_id = r.id LEFT JOIN tags tg ON tg.reflection_id = r.id "
        f"ORDER BY p.unread DESC, r.practice_date DESC, r.id DESC",
        [actor.id, *params, page_size, offset, actor.id])
    return frame, total


def next_unread(db: Database, actor: Actor, flt: InboxFilter, after_id: int | None = None) -> int | None:
    """The next unread reflection in inbox order (newest day first), skipping `after_id`."""
    require_role(actor, "supervisor", db=db)
    where, params = _where(actor, InboxFilter(**{**flt.__dict__, "unread": False}), _named(db, actor, flt.query))
    # The caseload's unread reflections first, then the newest: as one plain query with LIMIT 1, PostgreSQL walks
    # the whole reflection table newest day first, looking for one of this caseload's (all 280,000 rows at 100
    # cohorts when nothing is unread: 0.4 s idle, ~1.8 s under load, the inbox's slowest query). MATERIALIZED
    # keeps the caseload as the starting point on both engines. Unread as _UNREAD means it, joined to this
    # supervisor's read receipts once rather than looked up per reflection (half the query's cost).
    return db.value(
        f"WITH mine AS MATERIALIZED (SELECT r.id, r.practice_date, r.version FROM reflection r "
        f"JOIN enrolment e ON e.id = r.enrolment_id WHERE {where}) "
        f"SELECT m.id FROM mine m LEFT JOIN reflection_read rr ON rr.reflection_id = m.id AND rr.reader_id = ? "
        f"WHERE (rr.read_version IS NULL OR rr.read_version < m.version) AND m.id <> ? "
        f"ORDER BY m.practice_date DESC, m.id DESC LIMIT 1", [*params, actor.id, after_id or -1])


def caseload(db: Database, actor: Actor, name: str = "") -> list[dict]:
    """The supervisor's assigned enrolments, for the trainee filter (sorted by kana reading); `name` narrows them
    to a name typed in kanji or kana, with or without the space."""
    require_role(actor, "supervisor", db=db)
    name = bounded_query(name)
    rows = db.dicts(
        "SELECT e.id AS enrolment_id, e.cohort_id, c.code AS cohort, u.display_name, u.display_name_kana "
        "FROM supervision s JOIN enrolment e ON e.id = s.enrolment_id JOIN app_user u ON u.id = e.trainee_id "
        "JOIN cohort c ON c.id = e.cohort_id WHERE s.supervisor_id = ? "
        "ORDER BY c.code DESC, u.display_name_kana, u.display_name", [actor.id])
    return [r for r in rows if name_matches(name, r["display_name"], r["display_name_kana"])] if name.strip() else rows


def workload(db: Database, actor: Actor, now: datetime | None = None) -> dict:
    """Median hours from submission to this supervisor's first reply (replies of this week; per cohort) and the
    submitted reflections of the caseload still without a reply from them after two days."""
    require_role(actor, "supervisor", db=db)
    now = now or now_utc()
    first_reply = (
        "SELECT e.cohort_id, c.code, r.id, r.submitted_at, "
        "(SELECT min(f.created_at) FROM feedback f WHERE f.reflection_id = r.id AND f.author_id = ?) AS replied_at "
        "FROM reflection r JOIN enrolment e ON e.id = r.enrolment_id JOIN cohort c ON c.id = e.cohort_id "
        "JOIN supervision s ON s.enrolment_id = e.id AND s.supervisor_id = ? WHERE r.status = 'submitted'")
    week = db.value(
        f"SELECT median(date_diff('minute', submitted_at, replied_at)) / 60.0 FROM ({first_reply}) x "
        f"WHERE replied_at >= ?", [actor.id, actor.id, now - timedelta(days=7)])
    per_cohort = db.dicts(
        f"SELECT code AS cohort, median(date_diff('minute', submitted_at, replied_at)) / 60.0 AS median_hours, "
        f"count(replied_at) AS replied FROM ({first_reply}) x WHERE replied_at IS NOT NULL "
        f"GROUP BY code ORDER BY code DESC", [actor.id, actor.id])
    waiting = db.value(
        f"SELECT count(*) FROM ({first_reply}) x WHERE replied_at IS NULL AND submitted_at < ?",
        [actor.id, actor.id, now - timedelta(days=2)])
    return {"median_hours_week": week, "per_cohort": per_cohort, "waiting_over_2_days": waiting}
