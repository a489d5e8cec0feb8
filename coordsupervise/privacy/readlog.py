"""Who read what: every time someone other than the trainee is shown a trainee's submitted reflection (a
supervisor in the inbox or on the trainee's profile, a manager on the profile), the version they saw is recorded with
the first and last time. The trainee sees who read their reflections and when; a manager can list everything one
person read, for an audit.

Admins do not appear: access.py gives them no way to read reflections at all. `reflection_read` stays the
supervisor's "read up to version N" marker that drives the inbox; this log is the complete record."""
from __future__ import annotations

from datetime import timedelta

from ..access import Actor, require_enrolment_read, require_role
from ..clock import now_utc
from ..errors import AccessDenied, NotFound
from ..store.db import Database, Transaction

REFRESH = timedelta(minutes=10)  # re-reads within this time of the last recorded one are not written again


def record(db: Database, actor: Actor, relation: set[str], reflection_ids: list[int]) -> None:
    """Called by the services that show reflections to staff, after their own access check. A trainee reading
    their own reflections leaves nothing here."""
    staff = "supervised" if "supervised" in relation else "managed" if "managed" in relation else None
    if staff is None or not reflection_ids:
        return
    now = now_utc()
    marks = ", ".join("?" for _ in reflection_ids)
    # every rerun of a screen shows the same reflections again: write only when something is new or stale
    fresh = db.value(
        f"SELECT count(*) FROM reflection r JOIN reflection_access a ON a.reflection_id = r.id AND a.reader_id = ? "
        f"AND a.version = r.version AND a.last_read_at >= ? WHERE r.id IN ({marks}) AND r.status = 'submitted'",
        [actor.id, now - REFRESH, *reflection_ids])
    if fresh == len(reflection_ids):
        return
    db.write(lambda tx: tx.execute(
        "INSERT INTO reflection_access (reflection_id, reader_id, version, relation, first_read_at, last_read_at) "
        f"SELECT id, ?, version, ?, ?, ? FROM reflection WHERE id IN ({marks}) AND status = 'submitted' "
        "ON CONFLICT (reflection_id, reader_id, version) DO UPDATE SET last_read_at = excluded.last_read_at",
        [actor.id, staff, now, now, *reflection_ids]))


COPY_READ_MARKERS = (
    "INSERT INTO reflection_access (reflection_id, reader_id, version, relation, first_read_at, last_read_at) "
    "SELECT x.reflection_id, x.reader_id, x.read_version, 'supervised', x.read_at, x.read_at FROM reflection_read x "
    "WHERE NOT EXISTS (SELECT 1 FROM reflection_access a WHERE a.reflection_id = x.reflection_id "
    "AND a.reader_id = x.reader_id AND a.version = x.read_version)")


def copy_read_markers(tx: Transaction) -> None:
    """Supervisors' read markers written before this log existed (or by the demo builder) become log entries."""
    tx.execute(COPY_READ_MARKERS)


def readers(db: Database, actor: Actor, reflection_id: int) -> list[dict]:
    """Who read this reflection, which version, first and last time; newest first. The trainee and the staff who
    may read the reflection may ask."""
    enrolment_id = db.value("SELECT enrolment_id FROM reflection WHERE id = ?", [reflection_id])
    if enrolment_id is None:
        raise NotFound()
    require_enrolment_read(db, actor, enrolment_id)
    return db.dicts(
        "SELECT u.display_name AS reader, a.relation, a.version, a.first_read_at, a.last_read_at "
        "FROM reflection_access a JOIN app_user u ON u.id = a.reader_id WHERE a.reflection_id = ? "
        "ORDER BY a.last_read_at DESC", [reflection_id])


def reads_of_own(db: Database, actor: Actor, enrolment_id: int, limit: int = 20) -> list[dict]:
    """The trainee's view across all their reflections: the latest reads, newest first."""
    if "own" not in require_enrolment_read(db, actor, enrolment_id):
        raise AccessDenied()
    return db.dicts(
        "SELECT r.practice_date, u.display_name AS reader, a.relation, a.version, a.last_read_at "
        "FROM reflection_access a JOIN reflection r ON r.id = a.reflection_id JOIN app_user u ON u.id = a.reader_id "
        "WHERE r.enrolment_id = ? ORDER BY a.last_read_at DESC LIMIT ?", [enrolment_id, limit])


def readers_directory(db: Database, actor: Actor) -> list[dict]:
    """Everyone who has read reflections, with how many and when last (managers, for an audit)."""
    require_role(actor, "manager", db=db)
    return db.dicts(
        "SELECT u.id AS reader_id, u.display_name AS reader, u.username, "
        "count(DISTINCT a.reflection_id) AS reflections, "
        "count(DISTINCT r.enrolment_id) AS trainees, max(a.last_read_at) AS last_read_at FROM reflection_access a "
        "JOIN app_user u ON u.id = a.reader_id JOIN reflection r ON r.id = a.reflection_id "
        "GROUP BY u.id, u.display_name, u.username ORDER BY last_read_at DESC")


def reads_by_person(db: Database, actor: Actor, reader_id: int, limit: int = 50,
                    offset: int = 0) -> tuple[list[dict], int]:
    """Every reflection one person read, newest first, a page at a time (managers, for an audit)."""
    require_role(actor, "manager", db=db)
    total = db.value("SELECT count(*) FROM reflection_access WHERE reader_id = ?", [reader_id])
    rows = db.dicts(
        "SELECT c.code AS cohort, t.display_name AS trainee, r.practice_date, a.version, a.relation, "
        "a.first_read_at, a.last_read_at FROM reflection_access a JOIN reflection r ON r.id = a.reflection_id "
        "JOIN enrolment e ON e.id = r.enrolment_id JOIN cohort c ON c.id = e.cohort_id "
        "JOIN app_user t ON t.id = e.trainee_id WHERE a.reader_id = ? "
        "ORDER BY a.last_read_at DESC, r.practice_date DESC LIMIT ? OFFSET ?", [reader_id, limit, offset])
    return rows, total
