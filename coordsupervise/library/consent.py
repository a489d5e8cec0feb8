"""The trainee's say over a case drawn from their reflection.

When such a case is proposed (cases.propose_case), the trainee who wrote the reflection is asked. They read the case
as it stands now, on their own screens (/account, and a notice on /library and /reflection), and answer yes or no;
they may change the answer at any time. A case is published only with a yes; a no refuses its proposal and, if it
was already published, takes it out of the library (withdrawn, kept). Every answer is in the audit log."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..access import Actor, require_active
from ..clock import now_utc
from ..errors import AccessDenied, NotFound
from ..programme.auth import audit
from ..store.db import Database, Transaction
from .cases import TEXT_LIMITS

ANSWERS = ("accepted", "declined")


@dataclass(frozen=True)
class ConsentRequest:
    case_id: int
    status: str                      # pending | accepted | declined
    asked_at: datetime
    answered_at: datetime | None
    case_status: str
    author_name: str
    practice_date: object            # the day of the reflection it was drawn from
    texts: dict[str, str]            # the case as it stands now


def _require_person(db, actor: Actor) -> None:
    if actor is None or actor.id <= 0:
        raise AccessDenied()
    require_active(db, actor)


def my_requests(db: Database, actor: Actor) -> list[ConsentRequest]:
    """The cases drawn from the person's own reflections, unanswered first, then newest."""
    _require_person(db, actor)
    rows = db.rows(
        f"SELECT k.case_id, k.status, k.asked_at, k.answered_at, c.status, u.display_name, r.practice_date, "  # noqa: S608
        f"{', '.join('c.' + name for name in TEXT_LIMITS)} FROM library_consent k "
        "JOIN library_case c ON c.id = k.case_id JOIN app_user u ON u.id = c.author_id "
        "JOIN reflection r ON r.id = c.reflection_id WHERE k.trainee_id = ? "
        "ORDER BY k.status = 'pending' DESC, k.asked_at DESC, k.case_id DESC", [actor.id])
    return [ConsentRequest(*row[:7], texts=dict(zip(TEXT_LIMITS, row[7:], strict=True))) for row in rows]


def pending_count(db: Database, actor: Actor) -> int:
    """How many requests wait for the person's answer (for a notice on their screens)."""
    _require_person(db, actor)
    return db.value("SELECT count(*) FROM library_consent WHERE trainee_id = ? AND status = 'pending'", [actor.id])


def answer(db: Database, actor: Actor, case_id: int, accepted: bool) -> str:
    """The trainee's yes or no (only theirs: anyone else gets NotFound). A no to a published case withdraws it.
    Returns the case's status afterwards."""
    _require_person(db, actor)
    status = ANSWERS[0] if accepted else ANSWERS[1]

    def run(tx: Transaction) -> str:
        row = tx.one("SELECT k.status, c.status FROM library_consent k JOIN library_case c ON c.id = k.case_id "
                     "WHERE k.case_id = ? AND k.trainee_id = ?", [case_id, actor.id])
        if row is None:
            raise NotFound()
        before, case_status = row
        if before == status:
            return case_status
        now = now_utc()
        tx.execute("UPDATE library_consent SET status = ?, answered_at = ? WHERE case_id = ?", [status, now, case_id])
        audit(tx, actor.id, "library.consent_answered", "library_case", case_id, {"consent": before},
              {"consent": status})
        if status == "declined" and case_status == "published":
            tx.execute("UPDATE library_case SET status = 'withdrawn', updated_at = ?, row_version = row_version + 1 "
                       "WHERE id = ?", [now, case_id])
            audit(tx, actor.id, "library.case_withdrawn", "library_case", case_id, {"status": case_status},
                  {"status": "withdrawn"}, "library.consent_declined")
            return "withdrawn"
        return case_status

    return db.write(run)
