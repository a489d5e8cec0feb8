"""Who reads the library and the directory, and who contributes to them (domain.md, "People and what they may see").

- Readers: trainees of every cohort, supervisors, managers and graduates. The programme office (admin) keeps the
  programme, not its know-how.
- Contributors (write cases, propose partners): supervisors, managers and graduates.
- A graduate is a certified coordinator after the cohort: a role derived from a certificate that is not revoked
  (access.is_graduate). The Actor a page holds was made at the start of its run; a person who reads or writes here
  only as a graduate is asked again at every call, so a revoked certificate ends access at once, whatever a tab or
  a thread still holds.
"""
from __future__ import annotations

from ..access import GRADUATE, Actor, is_graduate, require_role
from ..errors import AccessDenied
from ..store.db import Database

READER_ROLES = ("trainee", "supervisor", "manager")
CONTRIBUTOR_ROLES = ("supervisor", "manager")


def _as(db: Database, actor: Actor, roles: tuple[str, ...]) -> Actor:
    require_role(actor, *roles, GRADUATE, db=db)
    if not actor.has(*roles) and not is_graduate(db, actor.id):
        raise AccessDenied()
    return actor


def require_reader(db: Database, actor: Actor) -> Actor:
    """Refuse anyone who may not read the published library and directory."""
    return _as(db, actor, READER_ROLES)


def require_contributor(db: Database, actor: Actor) -> Actor:
    """Refuse anyone who may not write a case or propose a partner."""
    return _as(db, actor, CONTRIBUTOR_ROLES)


def certificates(db: Database, actor: Actor) -> list[dict]:
    """The person's own certificates that are not revoked (a graduate's place in the programme), newest first."""
    require_role(actor, *READER_ROLES, GRADUATE, "admin", db=db)
    return db.dicts(
        "SELECT k.certificate_no, k.issued_on, k.valid_until, c.name_ja AS cohort_ja, c.name_en AS cohort_en "
        "FROM certificate k JOIN enrolment e ON e.id = k.enrolment_id JOIN cohort c ON c.id = e.cohort_id "
        "WHERE e.trainee_id = ? AND k.revoked_at IS NULL ORDER BY k.issued_on DESC", [actor.id])
