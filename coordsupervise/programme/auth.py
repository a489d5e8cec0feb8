"""Users, roles, password hashing, login throttling and session revocation.

Login cookies are issued by streamlit-authenticator (a signed token carrying the username and its expiry). It cannot
revoke them, so the database keeps, per user, `sessions_valid_after`: a token issued before that instant no longer
logs in. Logout, a password change and deactivation move it to "now", which ends every session of that user,
including a copied cookie and other open tabs (the router re-checks on every run).
"""
from __future__ import annotations

import json
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

import bcrypt

from ..access import GRADUATE, ROLES, Actor, is_graduate, require_active, require_role
from ..clock import now_utc, real_now_utc
from ..errors import InvalidInput, NotFound, UserError
from ..store.db import Database, Transaction
from ..text.limits import EMAIL_LIMIT, NAME_LIMIT, bounded_query, check_length
from ..text.textnorm import name_key, name_matches, strip_bidi

PASSWORD_MIN_CHARS = 12
BCRYPT_MAX_BYTES = 72
THROTTLE_WINDOW = timedelta(minutes=15)
THROTTLE_WAIT = timedelta(minutes=15)


class LoginThrottled(UserError):
    def __init__(self, minutes: int):
        super().__init__("login.throttled", minutes=minutes)


@dataclass(frozen=True)
class LoginUser:
    """What the login needs to know of an account."""

    id: int
    username: str
    display_name: str
    email: str | None
    password_hash: str
    roles: tuple[str, ...]
    language: str
    active: bool
    sessions_valid_after: datetime | None
    must_change_password: bool = False   # a password an admin handed over (reset, roster import)

    def actor(self) -> Actor:
        return Actor(self.id, self.username, self.display_name, frozenset(self.roles), self.language)


def normalize_username(username: str) -> str:
    """Usernames are compared NFKC-folded and lower-case, so 'Ｄｅｍｏ' and 'demo' are the same account."""
    return unicodedata.normalize("NFKC", username or "").strip().lower()


# half-width letters, digits and . _ - (after NFKC folding, so full-width ＹＡＭＡＤＡ is yamada): an ID is typed on
# any keyboard and read out over the phone, so no spaces, no kanji, no @
LOGIN_ID = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")


def login_id_problem(username: str) -> InvalidInput | None:
    """Why `username` cannot be a login ID (None when it can); the admin form and the roster import share it."""
    name = normalize_username(username)
    if not name:
        return InvalidInput("user.username_required")
    if not LOGIN_ID.fullmatch(name):
        return InvalidInput("user.bad_login_id", username=name)
    return None


def password_problems(password: str) -> list[UserError]:
    """Length rules only (NIST 800-63B): at least 12 characters of any script, at most bcrypt's 72 bytes."""
    problems: list[UserError] = []
    if password != password.strip():
        problems.append(InvalidInput("password.edge_spaces"))  # the login form strips them
    if len(password) < PASSWORD_MIN_CHARS:
        problems.append(InvalidInput("password.too_short", min=PASSWORD_MIN_CHARS, actual=len(password)))
    size = len(password.encode("utf-8"))
    if size > BCRYPT_MAX_BYTES:
        problems.append(InvalidInput("password.too_long", max=BCRYPT_MAX_BYTES, actual=size))
    return problems


# bcrypt's work factor for new hashes (2^12 rounds, about a quarter of a second a check). A hash keeps the cost it was
# made with, so raising this strengthens each password as its owner next changes it. The test suite lowers it for
# the accounts it makes (tests/conftest.py); tests/unit/programme/test_auth.py checks what a fresh process uses.
BCRYPT_ROUNDS = 12


def hash_password(password: str) -> str:
    problems = password_problems(password)
    if problems:
        raise problems[0]
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(BCRYPT_ROUNDS)).decode("ascii")


def initial_password() -> str:
    """A random first password for a new account (16 URL-safe characters, about 96 bits)."""
    return secrets.token_urlsafe(12)


def verify_password(password: str, password_hash: str) -> bool:
    """False for a wrong password, including one too long to ever have been hashed (never an exception)."""
    data = (password or "").encode("utf-8")
    if len(data) > BCRYPT_MAX_BYTES or not password_hash:
        return False
    try:
        return bcrypt.checkpw(data, password_hash.encode("ascii"))
    except ValueError:
        return False


_DUMMY_HASHES: dict[int, bytes] = {}


def _dummy_hash() -> bytes:
    """A bcrypt hash of nothing anyone can type, at the cost new hashes are made with (made once per process)."""
    if BCRYPT_ROUNDS not in _DUMMY_HASHES:
        _DUMMY_HASHES[BCRYPT_ROUNDS] = bcrypt.hashpw(secrets.token_bytes(32).hex().encode("ascii"),
                                                     bcrypt.gensalt(BCRYPT_ROUNDS))
    return _DUMMY_HASHES[BCRYPT_ROUNDS]


def spend_password_check(password: str = "") -> bool:
    """Run a full bcrypt check against a dummy hash and return False: a login for an unknown or inactive account
    costs what a wrong password for a real one costs, so the answer time does not tell which accounts exist."""
    data = (password or "").encode("utf-8")[:BCRYPT_MAX_BYTES]
    bcrypt.checkpw(data, _dummy_hash())
    return False


def load_login_candidate(db: Database, username: str, password: str = "") -> LoginUser | None:
    """The account a login form names, if it can log in (exists and is active); otherwise None, after the same
    bcrypt work a real account's password check takes (spend_password_check)."""
    user = load_login_user(db, username)
    if user is None or not user.active:
        spend_password_check(password)
    return user


# -- accounts -----------------------------------------------------------------------------------------------------
def insert_user(tx: Transaction, username: str, display_name: str, password_hash: str, roles: tuple[str, ...],
                *, kana: str | None = None, email: str | None = None, language: str = "ja") -> int:
    """Low-level insert used by admin services, imports and the demo builder (callers check the actor). Names are
    kept without bidi controls (textnorm.strip_bidi), whoever sends them."""
    display_name, kana = strip_bidi(display_name), strip_bidi(kana) or None
    for role in roles:
        if role not in ROLES:
            raise InvalidInput("user.unknown_role", role=role)
    user_id = tx.value(
        "INSERT INTO app_user (username, display_name, display_name_kana, email, password_hash, language) "
        "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        [normalize_username(username), display_name, kana, email, password_hash, language],
    )
    tx.executemany("INSERT INTO user_role (user_id, role) VALUES (?, ?)", [(user_id, r) for r in roles])
    return user_id


def load_login_user(db: Database, username: str) -> LoginUser | None:
    row = db.one(
        "SELECT u.id, u.username, u.display_name, u.email, u.password_hash, u.language, u.active, "
        "u.sessions_valid_after, coalesce(string_agg(r.role, ',' ORDER BY r.role), ''), "
        "coalesce(u.must_change_password, FALSE) "
        "FROM app_user u LEFT JOIN user_role r ON r.user_id = u.id WHERE u.username = ? "
        "GROUP BY u.id, u.username, u.display_name, u.email, u.password_hash, u.language, u.active, "
        "u.sessions_valid_after, u.must_change_password",
        [normalize_username(username)],
    )
    if row is None:
        return None
    uid, uname, name, email, pw_hash, lang, active, valid_after, roles, must_change = row
    held = tuple(r for r in roles.split(",") if r)
    if active and is_graduate(db, uid):  # derived on every run: a revoked certificate ends it at the next one
        held = (*held, GRADUATE)
    return LoginUser(uid, uname, name, email, pw_hash, held, lang, active, valid_after, bool(must_change))


def create_user(db: Database, actor: Actor, username: str, display_name: str, password: str,
                roles: tuple[str, ...], *, kana: str | None = None, email: str | None = None) -> int:
    require_role(actor, "admin", db=db)
    check_length(display_name, NAME_LIMIT)
    check_length(kana, NAME_LIMIT)
    check_length(email, EMAIL_LIMIT)
    problem = login_id_problem(username)
    if problem is not None:
        raise problem
    if load_login_user(db, username) is not None:
        raise InvalidInput("user.username_taken", username=normalize_username(username))
    password_hash = hash_password(password)
    return db.write(insert_user, username, display_name, password_hash, roles, kana=kana, email=email)


def set_active(db: Database, actor: Actor, user_id: int, active: bool) -> None:
    """Deactivating ends every session of that user at once."""
    require_role(actor, "admin", db=db)
    if user_id == actor.id and not active:
        raise InvalidInput("user.cannot_deactivate_self")

    def run(tx: Transaction):
        before = tx.value("SELECT active FROM app_user WHERE id = ?", [user_id])
        if before is None:
            raise NotFound()
        tx.execute("UPDATE app_user SET active = ?, sessions_valid_after = ? WHERE id = ?",
                   [active, real_now_utc() if not active else _valid_after(tx, user_id), user_id])
        audit(tx, actor.id, "user.set_active", "app_user", user_id, {"active": before}, {"active": active})

    db.write(run)


def _valid_after(tx: Transaction, user_id: int):
    return tx.value("SELECT sessions_valid_after FROM app_user WHERE id = ?", [user_id])


def find_users(db: Database, actor: Actor, query: str = "", limit: int = 500,
               first: str | None = None) -> tuple[list[dict], int]:
    """The first `limit` people `query` matches (everyone when it is empty), sorted by kana reading, and how many
    matched. `query` matches username, name, reading or e-mail, insensitive to full/half width, kana and case.
    `first`: a username listed before everyone else (the person just added).

    Only the rows shown are read in full: at 100 cohorts the office's list holds 5,000 people, and reading all of
    them on every rerun of /admin to show 500 was a third of the screen's run (docs/speed.md)."""
    require_role(actor, "admin", db=db)
    query = bounded_query(query)
    if name_key(query):
        # width- and kana-insensitive (textnorm), so matched in Python over the name columns alone; spaces are
        # ignored on both sides: 「田中花子」 finds 「田中 花子」, 「たなか　はなこ」 finds 「たなか はなこ」
        names = db.rows("SELECT id, username, display_name, display_name_kana, email FROM app_user "
                        "ORDER BY username = ? DESC, display_name_kana NULLS LAST, username", [first or ""])
        matched = [uid for uid, *forms in names if name_matches(query, *forms)]
        total, ids = len(matched), matched[:limit]
    else:
        total = db.value("SELECT count(*) FROM app_user")
        ids = [uid for (uid,) in db.rows("SELECT id FROM app_user "
                                         "ORDER BY username = ? DESC, display_name_kana NULLS LAST, username "
                                         "LIMIT ?", [first or "", limit])]
    if not ids:
        return [], total
    users = db.dicts(
        "SELECT u.id, u.username, u.display_name, u.display_name_kana, u.email, u.active, u.language, "
        "u.last_login_at, coalesce(string_agg(r.role, ',' ORDER BY r.role), '') AS roles "
        "FROM app_user u LEFT JOIN user_role r ON r.user_id = u.id WHERE u.id IN (SELECT unnest(?)) "
        "GROUP BY u.id, u.username, u.display_name, u.display_name_kana, u.email, u.active, u.language, "
        "u.last_login_at", [ids])
    place = {uid: i for i, uid in enumerate(ids)}
    return sorted(users, key=lambda u: place[u["id"]]), total


def change_password(db: Database, actor: Actor, current: str, new: str) -> datetime:
    """Returns the instant other sessions were ended; the caller's own session is re-issued after it."""
    require_active(db, actor)
    begin_login_attempt(db, actor.username)  # guessing the current password counts like failed logins
    user = load_login_user(db, actor.username)
    if user is None or not verify_password(current, user.password_hash):
        raise InvalidInput("password.current_wrong")
    if user.must_change_password and current == new:
        raise InvalidInput("password.same_as_one_time")
    db.write(lambda tx: tx.execute("DELETE FROM login_failure WHERE username = ?", [user.username]))
    new_hash = hash_password(new)
    now = real_now_utc()

    def run(tx: Transaction):
        tx.execute("UPDATE app_user SET password_hash = ?, sessions_valid_after = ?, must_change_password = FALSE "
                   "WHERE id = ?", [new_hash, now, actor.id])
        audit(tx, actor.id, "user.change_password", "app_user", actor.id, None, None)

    db.write(run)
    return now


def set_language(db: Database, actor: Actor, language: str) -> None:
    require_active(db, actor)
    if language not in ("ja", "en"):
        raise InvalidInput("account.unknown_language")
    db.write(lambda tx: tx.execute("UPDATE app_user SET language = ? WHERE id = ?", [language, actor.id]))


# -- throttling ---------------------------------------------------------------------------------------------------
# Two limits, one table (login_failure: account, source, time). Per account: after THROTTLE_FAILURES failures in
# THROTTLE_WINDOW the account waits THROTTLE_WAIT. Per source (the client address, ui/login.client_address): after
# SOURCE_FAILURES failures in the window, that address waits, whichever accounts it tried. So that five guesses
# from anywhere cannot lock a person out (OWASP ASVS 4.0.3 V2.2.1: anti-automation must mitigate "account lockout
# attacks" with soft lockouts and IP address restrictions, and allow no more than 100 failed attempts per hour on
# one account; ASVS 5.0 V6.1.1 / V6.3.1 say the same and ask that the controls "prevent malicious account
# lockout"), a try at a locked account is let through when it comes from a known source with no failures in the
# window (risk-based: the owner's own desk, not the guesser's); it is still reserved as a failure first, so each
# clean source gets one try, and none at all once the account has ACCOUNT_HARD_LIMIT failures in the window (at
# most 4 windows x 25 = 100 failures an hour, ASVS's ceiling). Times are real UTC (clock.real_now_utc), never the
# programme clock a demo may move.
THROTTLE_FAILURES = 5
SOURCE_FAILURES = 20
ACCOUNT_HARD_LIMIT = 25


def _wait_left(count: int, latest: datetime | None, limit: int, now: datetime) -> timedelta | None:
    if count >= limit and latest is not None and latest + THROTTLE_WAIT > now:
        return latest + THROTTLE_WAIT - now
    return None


def _throttle_state(tx, name: str, source: str | None, now: datetime) -> timedelta | None:
    """How long this try must wait (None: it may go on to the password check), by the rules above."""
    since = now - THROTTLE_WINDOW
    count, latest = tx.one("SELECT count(*), max(failed_at) FROM login_failure WHERE username = ? AND failed_at > ?",
                           [name, since])
    source_count, source_latest = (0, None) if not source else tx.one(
        "SELECT count(*), max(failed_at) FROM login_failure WHERE source = ? AND failed_at > ?", [source, since])
    source_wait = _wait_left(source_count, source_latest, SOURCE_FAILURES, now)
    if source_wait is not None:
        return source_wait
    account_wait = _wait_left(count, latest, THROTTLE_FAILURES, now)
    if account_wait is None:
        return None
    if source and source_count == 0 and count < ACCOUNT_HARD_LIMIT:
        return None  # a clean source may try a locked account (see above)
    return account_wait


def throttle_wait(db: Database, username: str, now: datetime | None = None,
                  source: str | None = None) -> timedelta | None:
    """How long a try at this account from this source must wait before another try, or None. Never a permanent
    lock-out."""
    now = now or real_now_utc()
    return _throttle_state(db, normalize_username(username), source, now)


def _throttled(wait: timedelta) -> LoginThrottled:
    return LoginThrottled(minutes=max(1, int(wait.total_seconds() // 60) + 1))


def check_not_throttled(db: Database, username: str, now: datetime | None = None,
                        source: str | None = None) -> None:
    wait = throttle_wait(db, username, now, source)
    if wait is not None:
        raise _throttled(wait)


def begin_login_attempt(db: Database, username: str, now: datetime | None = None,
                        source: str | None = None) -> None:
    """Check the throttle and count this try as a failure in one write transaction, before the password is checked.

    Checking first and recording the failure after bcrypt let concurrent guesses race past the count; reserving the
    try under the write lock means at most THROTTLE_FAILURES tries in a window ever reach the password check (plus
    one per clean source, see above). A successful login clears the account's failures (record_login_success), so
    the reservation costs an honest person nothing."""
    name = normalize_username(username)
    now = now or real_now_utc()

    def run(tx: Transaction) -> timedelta | None:
        wait = _throttle_state(tx, name, source, now)
        if wait is None:
            tx.execute("INSERT INTO login_failure (username, failed_at, source) VALUES (?, ?, ?)",
                       [name, now, source or None])
        return wait

    wait = db.write(run)
    if wait is not None:
        raise _throttled(wait)


def record_login_failure(db: Database, username: str, now: datetime | None = None,
                         source: str | None = None) -> None:
    db.write(lambda tx: tx.execute("INSERT INTO login_failure (username, failed_at, source) VALUES (?, ?, ?)",
                                   [normalize_username(username), now or real_now_utc(), source or None]))


def record_login_success(db: Database, user_id: int, username: str) -> None:
    def run(tx: Transaction):
        tx.execute("DELETE FROM login_failure WHERE username = ?", [normalize_username(username)])
        tx.execute("UPDATE app_user SET last_login_at = ? WHERE id = ?", [real_now_utc(), user_id])

    db.write(run)


# -- sessions -----------------------------------------------------------------------------------------------------
def session_is_valid(user: LoginUser | None, issued_at: datetime, max_age: timedelta | None = None) -> bool:
    """A session (cookie or open tab) issued at `issued_at` (naive UTC) may go on: the account is active, nothing
    revoked it since, and (with `max_age`) it is not older than the session lifetime."""
    if user is None or not user.active:
        return False
    if max_age is not None and issued_at + max_age <= real_now_utc():
        return False
    return user.sessions_valid_after is None or issued_at > user.sessions_valid_after


def end_sessions(db: Database, user_id: int, at: datetime | None = None) -> None:
    """Logout: every cookie and open session of this user issued up to now stops working."""
    db.write(lambda tx: tx.execute("UPDATE app_user SET sessions_valid_after = ? WHERE id = ?",
                                   [at or real_now_utc(), user_id]))


# -- audit --------------------------------------------------------------------------------------------------------
def audit(tx: Transaction, actor_id: int | None, action: str, entity: str, entity_id, before, after,
          reason: str | None = None) -> None:
    """Append one row to the audit log inside the caller's transaction (so the change and its record commit
    together). The application never updates or deletes audit rows."""
    tx.execute(
        "INSERT INTO audit_log (occurred_at, actor_id, action, entity, entity_id, before_json, after_json, reason) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [now_utc(), actor_id, action, entity, str(entity_id),
         None if before is None else json.dumps(before, ensure_ascii=False, default=str),
         None if after is None else json.dumps(after, ensure_ascii=False, default=str), reason],
    )
