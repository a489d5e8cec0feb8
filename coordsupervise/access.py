"""Who may see or change what. Every service calls these with the acting user; pages and menus only mirror them.

Rules (domain.md, "People and what they may see"):
- a trainee: own enrolments only;
- a supervisor: enrolments they are assigned to;
- a manager: every enrolment, read-only for supervision data, and certification decisions;
- an admin: programme set-up (cohorts, users, rosters, imports); not trainees' reflections.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .db import Database
from .errors import AccessDenied

ROLES = ("trainee", "supervisor", "manager", "admin")


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


def require_role(actor: Actor | None, *roles: str) -> Actor:
    """Refuse unless the actor holds one of `roles`."""
    if actor is None or not actor.has(*roles):
        raise AccessDenied()
    return actor


def enrolment_relation(db: Database, actor: Actor, enrolment_id: int) -> set[str]:
    """How the actor relates to one enrolment: {'own', 'supervised', 'managed'} (empty: none)."""
    relation: set[str] = set()
    row = db.one(
        "SELECT e.trainee_id, EXISTS (SELECT 1 FROM supervision s WHERE s.enrolment_id = e.id "
        "AND s.supervisor_id = ?) FROM enrolment e WHERE e.id = ?",
        [actor.id, enrolment_id],
    )
    if row is None:
        return relation
    trainee_id, supervised = row
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
    if actor.has("manager"):
        return "TRUE", []
    parts, params = [], []
    if actor.has("supervisor"):
        parts.append("EXISTS (SELECT 1 FROM supervision s WHERE s.enrolment_id = e.id AND s.supervisor_id = ?)")
        params.append(actor.id)
    if actor.has("trainee"):
        parts.append("e.trainee_id = ?")
        params.append(actor.id)
    if not parts:
        return "FALSE", []
    return "(" + " OR ".join(parts) + ")", params
