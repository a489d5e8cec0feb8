"""People as the programme office keeps them: names, roles, password resets. Admins only.

A reset hands the person a one-time password through the office: it is shown once, ends every session of that
account, and must be replaced at the next login (the guard sends the person to /account until they do).
Accounts are never deleted (feedback and scores keep their author); they are deactivated (auth.set_active)."""
from __future__ import annotations

import re
import secrets

import bcrypt

from ..access import ROLES, Actor, require_role
from ..clock import now_utc
from ..errors import InvalidInput, NotFound
from ..store import cache_stamp
from ..store.db import Database, Transaction
from ..text.textnorm import strip_bidi
from .auth import audit

NAME_MAX = 100
EMAIL_MAX = 254
# one @, no spaces, a dot in the domain: what a programme office can reasonably check without sending mail
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+")
# one-time passwords are 96 random bits: a low bcrypt cost is enough and keeps a 60-person roster import fast
ONE_TIME_ROUNDS = 6


def valid_email(text: str) -> bool:
    return len(text) <= EMAIL_MAX and _EMAIL.fullmatch(text) is not None


def one_time_password() -> tuple[str, str]:
    """(password, hash) of a fresh one-time password: 16 URL-safe characters, to be changed at first login."""
    password = secrets.token_urlsafe(12)
    return password, bcrypt.hashpw(password.encode("ascii"), bcrypt.gensalt(ONE_TIME_ROUNDS)).decode("ascii")


def person(db: Database, actor: Actor, user_id: int) -> dict:
    require_role(actor, "admin", db=db)
    row = db.dicts(
        "SELECT u.id, u.username, u.display_name, u.display_name_kana, u.email, u.active, u.last_login_at, "
        "coalesce(u.must_change_password, FALSE) AS must_change_password, "
        "coalesce(string_agg(r.role, ',' ORDER BY r.role), '') AS roles "
        "FROM app_user u LEFT JOIN user_role r ON r.user_id = u.id WHERE u.id = ? "
        "GROUP BY u.id, u.username, u.display_name, u.display_name_kana, u.email, u.active, u.last_login_at, "
        "u.must_change_password", [user_id])
    if not row:
        raise NotFound()
    found = row[0]
    found["roles"] = tuple(r for r in found["roles"].split(",") if r)
    return found


def update_person(db: Database, actor: Actor, user_id: int, *, display_name: str, kana: str | None,
                  email: str | None, roles: tuple[str, ...]) -> None:
    """Change names, e-mail and roles. An admin cannot take the admin role from themselves (the office would lock
    itself out); role changes take effect on the person's next page view. Names lose their bidi controls."""
    require_role(actor, "admin", db=db)
    display_name = strip_bidi(display_name).strip()
    kana = strip_bidi(kana).strip() or None
    email = (email or "").strip() or None
    if not display_name:
        raise InvalidInput("admin.name_required")
    if len(display_name) > NAME_MAX or len(kana or "") > NAME_MAX:
        raise InvalidInput("people.name_too_long", limit=NAME_MAX)
    if email is not None and not valid_email(email):
        raise InvalidInput("people.bad_email")
    if not roles:
        raise InvalidInput("admin.roles_required")
    for role in roles:
        if role not in ROLES:
            raise InvalidInput("user.unknown_role", role=role)
    if user_id == actor.id and "admin" not in roles:
        raise InvalidInput("people.cannot_drop_own_admin")

    def run(tx: Transaction):
        before = tx.one("SELECT display_name, display_name_kana, email FROM app_user WHERE id = ?", [user_id])
        if before is None:
            raise NotFound()
        old_roles = sorted(r for (r,) in tx.rows("SELECT role FROM user_role WHERE user_id = ?", [user_id]))
        tx.execute("UPDATE app_user SET display_name = ?, display_name_kana = ?, email = ? WHERE id = ?",
                   [display_name, kana, email, user_id])
        tx.execute("DELETE FROM user_role WHERE user_id = ?", [user_id])
        tx.executemany("INSERT INTO user_role (user_id, role) VALUES (?, ?)", [(user_id, r) for r in sorted(roles)])
        cache_stamp.bump(tx)
        audit(tx, actor.id, "user.update", "app_user", user_id,
              {"display_name": before[0], "kana": before[1], "email": before[2], "roles": old_roles},
              {"display_name": display_name, "kana": kana, "email": email, "roles": sorted(roles)})

    db.write(run)


def reset_password(db: Database, actor: Actor, user_id: int) -> str:
    """A new one-time password for someone who lost theirs; returned once for the admin to hand over. Every session
    of the account ends now."""
    require_role(actor, "admin", db=db)
    if user_id == actor.id:
        raise InvalidInput("people.reset_own_password")
    password, password_hash = one_time_password()

    def run(tx: Transaction):
        if tx.value("SELECT id FROM app_user WHERE id = ?", [user_id]) is None:
            raise NotFound()
        tx.execute("UPDATE app_user SET password_hash = ?, must_change_password = TRUE, sessions_valid_after = ? "
                   "WHERE id = ?", [password_hash, now_utc(), user_id])
        audit(tx, actor.id, "user.reset_password", "app_user", user_id, None, {"must_change_password": True})

    db.write(run)
    return password


def require_password_change(db: Database, actor: Actor, user_id: int) -> None:
    """The password the office just set (a new account's first one) must be replaced at the next login."""
    require_role(actor, "admin", db=db)
    db.write(lambda tx: tx.execute("UPDATE app_user SET must_change_password = TRUE WHERE id = ?", [user_id]))


def staff(db: Database, actor: Actor, role: str = "supervisor") -> list[dict]:
    """Active people holding `role`, by kana reading (for choosing supervisors)."""
    require_role(actor, "admin", db=db)
    return db.dicts(
        "SELECT u.id, u.username, u.display_name, u.display_name_kana FROM app_user u "
        "JOIN user_role r ON r.user_id = u.id AND r.role = ? WHERE u.active "
        "ORDER BY u.display_name_kana NULLS LAST, u.username", [role])
