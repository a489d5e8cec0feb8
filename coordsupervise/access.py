"""Who may see or change what. Every service calls these with the acting user; pages and menus only mirror them.

Rules (domain.md, "People and what they may see"):
- a trainee: own enrolments only;
- a supervisor: enrolments they are assigned to;
- a manager: every enrolment, read-only for supervision data, and certification decisions;
- an admin: programme set-up (cohorts, users, rosters, imports); not trainees' reflections;
- a graduate (derived from a certificate that is not revoked, never stored): the know-how library and the partner
  directory (library/audience.py), their own certificate.

A deactivated account is refused by the services themselves, not only by the login layer: an Actor kept in a
browser tab, a thread or a script after the account was switched off gets AccessDenied from require_role(db=...),
enrolment_relation / require_enrolment_read and no rows from visible_enrolments_sql. Each is one primary-key look-up
(or one more condition in the query it already runs), so a page's reruns stay cheap.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from .errors import AccessDenied
from .store.db import Database

ROLES = ("trainee", "supervisor", "manager", "admin")
# roles that follow from the records rather than being granted: nobody stores them in user_role
GRADUATE = "graduate"


@dataclass(frozen=True)
class Actor:
    """The logged-in person on whose behalf a service runs."""

    id: int
    username: str
    display_name: str
    roles: frozenset[str] = field(default_factory=frozenset)
    language: str = "ja"

    def has(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


# Actors that are not a person's account (the command line, demo building) have no row and id <= 0.
_SYSTEM_IDS = 0
# the command line acts as the programme office; its audit rows carry no user
COMMAND_LINE = Actor(0, "command-line", "command line", frozenset({"admin"}))


def require_active(db, actor: Actor) -> Actor:
    """Refuse an Actor whose account has been deactivated (or no longer exists) since the Actor was made."""
    if actor.id > _SYSTEM_IDS and not db.value("SELECT active FROM app_user WHERE id = ?", [actor.id]):
        raise AccessDenied()
    return actor


def require_role(actor: Actor | None, *roles: str, db=None) -> Actor:
    """Refuse unless the actor holds one of `roles` and, given the database (every service passes it), the account
    is still active."""
    if actor is None or not actor.has(*roles):
        raise AccessDenied()
    if db is not None:
        require_active(db, actor)
    return actor


def is_graduate(db, user_id: int) -> bool:
    """A graduate (a certified coordinator after the cohort) is derived, never stored: a person holding a certificate
    that is not revoked (a reversed certification revokes it). The login adds the role on every run
    (auth.load_login_user) and the library's services ask again, so a revocation ends it at once."""
    return bool(db.value(
        "SELECT EXISTS (SELECT 1 FROM certificate k JOIN enrolment e ON e.id = k.enrolment_id "
        "WHERE e.trainee_id = ? AND k.revoked_at IS NULL)", [user_id]))


# The relations asked within one screen's run (remembering_relations): a screen about one trainee asks each of its
# services, and each asks again (/progress: six times, a tenth of its run at 100 cohorts). Keyed by the database
# object and its count of writes, so a write made meanwhile through this process (a caseload changed) is not
# answered from before it; nothing is kept beyond the block.
_relations: ContextVar[dict | None] = ContextVar("coordsupervise_relations", default=None)


@contextmanager
def remembering_relations() -> Iterator[None]:
    """Within the block (the router wraps one run of a screen), enrolment_relation answers a question it was already
    asked from the first answer, unless a write began through the same database object since."""
    token = _relations.set({})
    try:
        yield
    finally:
        _relations.reset(token)


def enrolment_relation(db: Database, actor: Actor, enrolment_id: int) -> set[str]:
    """How the actor relates to one enrolment: {'own', 'supervised', 'managed'} (empty: none)."""
    remembered = _relations.get()
    key = (id(db), db.writes, actor, enrolment_id)
    if remembered is not None and key in remembered:
        return set(remembered[key])
    relation = _relation(db, actor, enrolment_id)
    if remembered is not None:
        remembered[key] = frozenset(relation)
    return relation


def _relation(db: Database, actor: Actor, enrolment_id: int) -> set[str]:
    relation: set[str] = set()
    # the look-ups name their keys rather than correlate with `e`, which DuckDB plans as joins: 1.2 ms of CPU
    # instead of 1.9 at 100 cohorts, and the inbox's reading view asks this several times per run
    row = db.one(
        "SELECT e.trainee_id, EXISTS (SELECT 1 FROM supervision s WHERE s.enrolment_id = ? "
        "AND s.supervisor_id = ?), ? <= ? OR EXISTS (SELECT 1 FROM app_user u WHERE u.id = ? AND u.active) "
        "FROM enrolment e WHERE e.id = ?",
        [enrolment_id, actor.id, actor.id, _SYSTEM_IDS, actor.id, enrolment_id],
    )
    if row is None or not row[2]:
        return relation
    trainee_id, supervised, _active = row
    if trainee_id == actor.id and actor.has("trainee"):
        relation.add("own")
    if supervised and actor.has("supervisor"):
        relation.add("supervised")
    if actor.has("manager"):
        relation.add("managed")
    return relation


def require_enrolment_read(db: Database, actor: Actor, enrolment_id: int) -> set[str]:
    relation = enrolment_relation(db, actor, enrolment_id)
    if not relation:
        raise AccessDenied()
    return relation


def visible_enrolments_sql(actor: Actor) -> tuple[str, list]:
    """A SQL condition on alias `e` (enrolment) limiting rows to what the actor may read, with its parameters."""
    active = "EXISTS (SELECT 1 FROM app_user au WHERE au.id = ? AND au.active)"
    if actor.id <= _SYSTEM_IDS:
        active = "? <= 0"
    if actor.has("manager"):
        return active, [actor.id]
    parts, params = [], []
    if actor.has("supervisor"):
        parts.append("EXISTS (SELECT 1 FROM supervision s WHERE s.enrolment_id = e.id AND s.supervisor_id = ?)")
        params.append(actor.id)
    if actor.has("trainee"):
        parts.append("e.trainee_id = ?")
        params.append(actor.id)
    if not parts:
        return "FALSE", []
    return "(" + active + " AND (" + " OR ".join(parts) + "))", [actor.id, *params]
