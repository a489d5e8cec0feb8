"""Who supervises whom. `supervision` holds the CURRENT assignment (inboxes, access rules and every other query read
it, so an inbox follows a change at once); `supervision_period` keeps the history: from when to when, set and ended
by whom, and why. Feedback is never deleted, so what an earlier supervisor wrote stays in the trainee's record.

Admins assign; everything here but the supervisors' day-off correction at the end refuses other roles."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

import pandas as pd

from ..access import Actor, enrolment_relation, require_role
from ..clock import now_utc
from ..errors import AccessDenied, InvalidInput, NotFound
from ..store import cache_stamp
from ..store.db import Database, Transaction
from .auth import audit

REASON_MAX = 500


def caseload(db: Database, actor: Actor, cohort_id: int) -> pd.DataFrame:
    """One row per trainee of the cohort with their current supervisors (names and ids), by kana reading."""
    require_role(actor, "admin", db=db)
    return db.frame(
        "SELECT e.id AS enrolment_id, u.username, u.display_name, u.display_name_kana, o.name AS organisation, "
        "  coalesce(string_agg(su.display_name, '・' ORDER BY s.is_lead DESC, su.display_name_kana), '') "
        "    AS supervisors, "
        "  list(s.supervisor_id ORDER BY s.is_lead DESC, su.display_name_kana) "
        "    FILTER (WHERE s.supervisor_id IS NOT NULL) AS supervisor_ids "
        "FROM enrolment e JOIN app_user u ON u.id = e.trainee_id LEFT JOIN organisation o ON o.id = e.organisation_id "
        "LEFT JOIN supervision s ON s.enrolment_id = e.id LEFT JOIN app_user su ON su.id = s.supervisor_id "
        "WHERE e.cohort_id = ? GROUP BY e.id, u.username, u.display_name, u.display_name_kana, o.name "
        "ORDER BY u.display_name_kana NULLS LAST, u.username", [cohort_id])


def load_by_supervisor(db: Database, actor: Actor, cohort_id: int) -> pd.DataFrame:
    """How many trainees of the cohort each active supervisor has now (zero included), to spread the load."""
    require_role(actor, "admin", db=db)
    return db.frame(
        "SELECT u.id AS supervisor_id, u.display_name, u.username, count(e.id) AS trainees "
        "FROM app_user u JOIN user_role r ON r.user_id = u.id AND r.role = 'supervisor' "
        "LEFT JOIN supervision s ON s.supervisor_id = u.id "
        "LEFT JOIN enrolment e ON e.id = s.enrolment_id AND e.cohort_id = ? "
        "WHERE u.active GROUP BY u.id, u.display_name, u.username, u.display_name_kana "
        "ORDER BY u.display_name_kana NULLS LAST, u.username", [cohort_id])


def assign(db: Database, actor: Actor, enrolment_ids: Iterable[int], supervisor_ids: Iterable[int], *,
           replace: bool, reason: str | None = None) -> int:
    """Give every selected trainee the selected supervisors: added beside the current ones, or replacing them
    (`replace`). Returns how many trainees changed. One transaction: all of the selection or none."""

    def wanted(current: list[int], chosen: list[int]) -> list[int]:
        return chosen if replace else current + [s for s in chosen if s not in current]

    return _change_supervisors(db, actor, enrolment_ids, supervisor_ids, reason, wanted)


def unassign(db: Database, actor: Actor, enrolment_ids: Iterable[int], supervisor_ids: Iterable[int],
             reason: str | None = None) -> int:
    """End the selected supervisors' assignment to the selected trainees (history kept). Returns how many trainees
    changed. One transaction: all of the selection or none."""
    return _change_supervisors(db, actor, enrolment_ids, supervisor_ids, reason,
                               lambda current, chosen: [s for s in current if s not in chosen])


def _change_supervisors(db: Database, actor: Actor, enrolment_ids: Iterable[int], supervisor_ids: Iterable[int],
                        reason: str | None, wanted) -> int:
    """What assigning and unassigning share: admins only, a selection of trainees and of supervisors that is not
    empty, a reason of bounded length; then `wanted(current, chosen)` gives each trainee's new supervisors (lead
    first) in one transaction. Returns how many trainees changed."""
    require_role(actor, "admin", db=db)
    enrolment_ids = sorted(set(enrolment_ids))
    supervisor_ids = list(dict.fromkeys(supervisor_ids))
    reason = _reason(reason)
    if not enrolment_ids:
        raise InvalidInput("caseload.no_trainees")
    if not supervisor_ids:
        raise InvalidInput("caseload.no_supervisors")

    def run(tx: Transaction) -> int:
        now = now_utc()
        cache_stamp.bump(tx)
        return sum(set_supervisors(tx, actor.id, enrolment_id, wanted(current_supervisors(tx, enrolment_id),
                                                                      supervisor_ids), now, reason)
                   for enrolment_id in enrolment_ids)

    return db.write(run)


def history(db: Database, actor: Actor, enrolment_id: int) -> list[dict]:
    """Every supervisor the trainee has had, newest first: from, until (None = now), who set and ended it, why.
    An assignment older than this history shows from the enrolment date."""
    require_role(actor, "admin", db=db)
    if db.value("SELECT id FROM enrolment WHERE id = ?", [enrolment_id]) is None:
        raise NotFound()
    return db.dicts(
        "SELECT x.supervisor_id, u.display_name AS supervisor, x.starts_at, x.ends_at, "
        "  sb.display_name AS started_by, eb.display_name AS ended_by, x.reason FROM ("
        "  SELECT supervisor_id, starts_at, ends_at, started_by, ended_by, reason FROM supervision_period "
        "  WHERE enrolment_id = ? "
        "  UNION ALL SELECT s.supervisor_id, e.enrolled_at, NULL, NULL, NULL, NULL FROM supervision s "
        "  JOIN enrolment e ON e.id = s.enrolment_id WHERE s.enrolment_id = ? AND NOT EXISTS ("
        "    SELECT 1 FROM supervision_period p WHERE p.enrolment_id = s.enrolment_id "
        "    AND p.supervisor_id = s.supervisor_id AND p.ends_at IS NULL)) x "
        "JOIN app_user u ON u.id = x.supervisor_id LEFT JOIN app_user sb ON sb.id = x.started_by "
        "LEFT JOIN app_user eb ON eb.id = x.ended_by "
        "ORDER BY x.ends_at IS NULL DESC, x.ends_at DESC, x.starts_at DESC", [enrolment_id, enrolment_id])


# -- inside a transaction (also used by the roster import) -----------------------------------------------------
def current_supervisors(tx: Transaction, enrolment_id: int) -> list[int]:
    """The current supervisors, lead first."""
    return [s for (s,) in tx.rows(
        "SELECT supervisor_id FROM supervision WHERE enrolment_id = ? ORDER BY is_lead DESC, supervisor_id",
        [enrolment_id])]


def set_supervisors(tx: Transaction, actor_id: int, enrolment_id: int, supervisor_ids: list[int], now: datetime,
                    reason: str | None = None) -> bool:
    """Make `supervisor_ids` (the first is the lead) the trainee's current supervisors, closing and opening history
    periods for the difference. Returns whether anything changed. The caller checked the actor."""
    current = current_supervisors(tx, enrolment_id)
    if current == list(supervisor_ids):
        return False
    enrolled_at = tx.value("SELECT enrolled_at FROM enrolment WHERE id = ?", [enrolment_id])
    if enrolled_at is None:
        raise NotFound()
    for supervisor_id in supervisor_ids:
        if not tx.value("SELECT count(*) FROM app_user u JOIN user_role r ON r.user_id = u.id "
                        "AND r.role = 'supervisor' WHERE u.id = ? AND u.active", [supervisor_id]):
            raise InvalidInput("caseload.not_a_supervisor")
    # assignments from before the history existed get their open period first
    tx.execute(
        "INSERT INTO supervision_period (enrolment_id, supervisor_id, starts_at) "
        "SELECT s.enrolment_id, s.supervisor_id, ? FROM supervision s WHERE s.enrolment_id = ? AND NOT EXISTS ("
        "  SELECT 1 FROM supervision_period p WHERE p.enrolment_id = s.enrolment_id "
        "  AND p.supervisor_id = s.supervisor_id AND p.ends_at IS NULL)", [enrolled_at, enrolment_id])
    ended = [s for s in current if s not in supervisor_ids]
    started = [s for s in supervisor_ids if s not in current]
    for supervisor_id in ended:
        tx.execute("UPDATE supervision_period SET ends_at = ?, ended_by = ?, reason = coalesce(?, reason) "
                   "WHERE enrolment_id = ? AND supervisor_id = ? AND ends_at IS NULL",
                   [now, actor_id, reason, enrolment_id, supervisor_id])
    tx.execute("DELETE FROM supervision WHERE enrolment_id = ?", [enrolment_id])
    tx.executemany("INSERT INTO supervision (enrolment_id, supervisor_id, is_lead) VALUES (?, ?, ?)",
                   [(enrolment_id, s, i == 0) for i, s in enumerate(supervisor_ids)])
    tx.executemany("INSERT INTO supervision_period (enrolment_id, supervisor_id, starts_at, started_by, reason) "
                   "VALUES (?, ?, ?, ?, ?)", [(enrolment_id, s, now, actor_id, reason) for s in started])
    audit(tx, actor_id, "caseload.set", "enrolment", enrolment_id, {"supervisors": current},
          {"supervisors": list(supervisor_ids)}, reason)
    return True


def _reason(reason: str | None) -> str | None:
    reason = (reason or "").strip() or None
    if reason is not None and len(reason) > REASON_MAX:
        raise InvalidInput("caseload.reason_too_long", limit=REASON_MAX)
    return reason


# -- a supervisor's correction of the practice calendar ----------------------------------------------------------
def mark_day_off(db: Database, actor: Actor, enrolment_id: int, day: date, reason: str | None, note: str) -> None:
    """A supervisor marks (or with reason None clears) a day off for one of their trainees, also after the day's
    cut-off, which the trainee cannot: a hospital stay reported a week later should not count as a missed day.
    Who and why are recorded with the day and in the audit log."""
    from ..practice.reflections import DAY_OFF_REASONS

    if "supervised" not in enrolment_relation(db, actor, enrolment_id):
        raise AccessDenied()
    note = (note or "").strip()
    if not note:
        raise InvalidInput("dayoff.note_required")
    if len(note) > REASON_MAX:
        raise InvalidInput("caseload.reason_too_long", limit=REASON_MAX)
    if reason is not None and reason not in DAY_OFF_REASONS:
        raise InvalidInput("reflection.unknown_off_reason")
    practical = db.one("SELECT s.starts_on, s.ends_on FROM enrolment e JOIN cohort_stage s ON s.cohort_id = "
                       "e.cohort_id AND s.stage = 'practical' WHERE e.id = ?", [enrolment_id])
    if practical is None or not practical[0] <= day <= practical[1]:
        raise InvalidInput("reflection.outside_practical", start=str(practical[0] if practical else ""),
                           end=str(practical[1] if practical else ""))

    def run(tx: Transaction):
        before = tx.one("SELECT reason, note FROM day_off WHERE enrolment_id = ? AND day = ?", [enrolment_id, day])
        tx.execute("DELETE FROM day_off WHERE enrolment_id = ? AND day = ?", [enrolment_id, day])
        if reason is not None:
            tx.execute("INSERT INTO day_off (enrolment_id, day, reason, marked_by, note) VALUES (?, ?, ?, ?, ?)",
                       [enrolment_id, day, reason, actor.id, note])
        audit(tx, actor.id, "reflection.day_off_by_supervisor", "enrolment", enrolment_id,
              {"day": day, "reason": before[0] if before else None}, {"day": day, "reason": reason}, note)
        cache_stamp.bump(tx)  # the dashboards and at-risk lists count the day as off, not missed, in every process

    db.write(run)


def marked_days_off(db: Database, actor: Actor, enrolment_id: int) -> list[dict]:
    """The trainee's days off with who marked them and why (the trainee's own marks have no marker)."""
    if not enrolment_relation(db, actor, enrolment_id) & {"supervised", "managed"}:
        raise AccessDenied()
    return db.dicts("SELECT d.day, d.reason, d.note, u.display_name AS marked_by FROM day_off d "
                    "LEFT JOIN app_user u ON u.id = d.marked_by WHERE d.enrolment_id = ? ORDER BY d.day DESC",
                    [enrolment_id])
