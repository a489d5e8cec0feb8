"""Login and logout around streamlit-authenticator, with the accounts in DuckDB.

streamlit-authenticator renders the login form, checks the bcrypt hash and issues the signed cookie. It expects
its credentials as an in-memory dict; `DbUserDirectory` stands in for that dict and looks each name up in the
database when asked, so no list of users is ever loaded. Around it we add what it lacks: throttling per account,
revocation (a cookie issued before the user's `sessions_valid_after` no longer logs in) and a re-check of the
session against the database on every run, so logout and deactivation end open tabs too.
"""
from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta

import jwt
import streamlit as st
import streamlit_authenticator as stauth

from ..access import Actor
from ..clock import real_now_utc
from ..config import settings_cookie_key
from ..demo.build import DEMO_ACCOUNTS, DEMO_PASSWORD, is_demo_database
from ..errors import UserError
from ..programme import auth
from . import state
from .firsthour import keep_words
from .runtime import database, once_per_run, set_language, settings, t
from .scroll import TITLE, focus_once

log = logging.getLogger("coordsupervise")
LANGUAGES = ["ja", "en"]


class DbUserDirectory(dict):
    """What streamlit-authenticator reads as `credentials['usernames']`, answered from the database."""

    def __init__(self, db, *, throttle: bool):
        super().__init__()
        self._db = db
        self._throttle = throttle
        self.asked: str | None = None
        self._user: auth.LoginUser | None = None
        self._entry: dict | None = None  # stauth writes counters into it: hand out the same dict each time

    def _load(self, username) -> auth.LoginUser | None:
        name = auth.normalize_username(str(username))
        if self.asked != name:
            if self._throttle:  # a form login: this try is counted before the password is checked
                auth.begin_login_attempt(self._db, name, source=client_address())
                # an unknown or inactive account still costs one bcrypt check (stauth skips it for them)
                self._user = auth.load_login_candidate(self._db, name)
            else:
                self._user = auth.load_login_user(self._db, name)
            self.asked = name
            self._entry = None
        return self._user if self._user is not None and self._user.active else None

    def __contains__(self, username) -> bool:
        return self._load(username) is not None

    def __getitem__(self, username) -> dict:
        user = self._load(username)
        if user is None:
            raise KeyError(username)
        if self._entry is None:
            # the throttle lives in the database; stauth's own counter is kept here only so it has somewhere
            self._entry = {"password": user.password_hash, "email": user.email, "first_name": user.display_name,
                           "last_name": "", "roles": list(user.roles), "failed_login_attempts": 0}
        return self._entry

    def get(self, username, default=None):
        try:
            return self[username]
        except KeyError:
            return default

    @property
    def user(self) -> auth.LoginUser | None:
        return self._user


def client_address() -> str | None:
    """Where this login comes from, for the per-source throttle (auth.begin_login_attempt); None when unknown
    (a browser on this machine). Behind our own nginx (`serve`, which sets COORDSUPERVISE_BEHIND_PROXY) the
    websocket comes from nginx on loopback, and the client is the last X-Forwarded-For entry: the address nginx
    itself appended ($proxy_add_x_forwarded_for); earlier entries come from the client and are not trusted.
    Without that setting X-Forwarded-For is ignored, as anyone could send it."""
    if settings().behind_proxy:
        forwarded = st.context.headers.get("X-Forwarded-For") or ""
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1][:64]
    address = st.context.ip_address
    return address[:64] if isinstance(address, str) and address else None  # (AppTest's context is a mock)


def current_actor() -> Actor | None:
    """The person logged in to this session, re-checked against the database (active, not logged out) on every
    script run, once: the router and the page's guard share the run's check."""
    key = tuple(st.session_state.get(k) for k in (state.AUTH_STATUS, state.USERNAME, state.LOGIN_AT))
    return once_per_run("actor", key, _checked_actor)


def _checked_actor() -> Actor | None:
    if not st.session_state.get(state.AUTH_STATUS):
        return None
    user = auth.load_login_user(database(), st.session_state.get(state.USERNAME) or "")
    issued = st.session_state.get(state.LOGIN_AT)
    if issued is None or not auth.session_is_valid(user, issued, timedelta(hours=settings().session_hours)):
        _forget_session()
        st.session_state[state.NOTICE] = "login.session_ended"
        return None
    set_language(user.language)
    st.session_state[state.MUST_CHANGE_PASSWORD] = user.must_change_password
    return user.actor()


def _forget_session() -> None:
    """Drop everything this browser session held for the person (typed text, privacy findings, filters): the
    next person at a shared desk starts clean. The language choice and the notice to show survive."""
    keep = {state.LANGUAGE, state.NOTICE, state.LOGGING_OUT}
    for key in list(st.session_state.keys()):
        if key not in keep:
            del st.session_state[key]
    for key in state.STAUTH_KEYS:
        st.session_state[key] = None


def _authenticator(directory: DbUserDirectory) -> stauth.Authenticate:
    cfg = settings()
    authenticator = stauth.Authenticate(
        {"usernames": {}}, cookie_name=cfg.cookie_name, cookie_key=_signing_key(),
        cookie_expiry_days=cfg.session_hours / 24, auto_hash=False, login_sleep_time=0)
    authenticator.authentication_controller.authentication_model.credentials["usernames"] = directory
    return authenticator


def _signing_key() -> str:
    """The cookie signing key, bound to the session lifetime: a cookie's issue time is read back as its expiry
    minus the lifetime, so changing the lifetime must invalidate every cookie rather than shift their age."""
    cfg = settings()
    return f"{settings_cookie_key(cfg, database())}|session_hours={cfg.session_hours}"


REISSUE_SECONDS = 60


def reissue_cookie() -> None:
    """After a password change ended every earlier session, give this browser a fresh cookie. The cookie component
    stores it only once the browser has drawn it; a rerun that comes first (the components' own answers, sooner on a
    fast server) takes it off the page unstored. So the screen draws it again on its next runs until the browser
    holds a cookie issued after the change, for a minute at most (keep_reissuing)."""
    st.session_state[state.COOKIE_REISSUE] = time.monotonic() + REISSUE_SECONDS
    _authenticator(DbUserDirectory(database(), throttle=False)).cookie_controller.set_cookie()


def keep_reissuing() -> None:
    """On the screen that reissued the cookie, before it could reissue it again: draw the fresh cookie once more
    until the browser holds it (nothing when no reissue is pending)."""
    until = st.session_state.get(state.COOKIE_REISSUE)
    if until is None:
        return
    authenticator = _authenticator(DbUserDirectory(database(), throttle=False))
    held = _decoded(authenticator.cookie_controller.cookie_model.cookie_manager.cookies.get(settings().cookie_name))
    since = st.session_state.get(state.LOGIN_AT)
    if time.monotonic() > until or since is None or (held and held[1] >= since - timedelta(seconds=1)):
        st.session_state.pop(state.COOKIE_REISSUE, None)
        return
    authenticator.cookie_controller.set_cookie()


def _cookie() -> tuple[str, datetime] | None:
    """(username, issue time) of the login cookie this browser sent, if its signature is valid and it has not
    expired."""
    return _decoded(st.context.cookies.get(settings().cookie_name))


def _decoded(token) -> tuple[str, datetime] | None:
    """(username, issue time) of a login cookie's token, if its signature is valid and it has not expired. The token
    carries only its expiry, so the issue time is the expiry minus the session lifetime."""
    cfg = settings()
    if not token or not isinstance(token, str):
        return None
    try:
        claims = jwt.decode(token, _signing_key(), algorithms=["HS256"])
        username, expires = str(claims["username"]), float(claims["exp_date"])
    except (jwt.PyJWTError, KeyError, TypeError, ValueError):
        return None
    if expires <= datetime.now(UTC).timestamp():
        return None
    issued = datetime.fromtimestamp(expires, UTC).replace(tzinfo=None) - timedelta(hours=cfg.session_hours)
    if issued > real_now_utc() + timedelta(minutes=1):
        return None  # an expiry beyond the session lifetime was never issued by this app
    return username, issued


def login_from_cookie() -> Actor | None:
    """A page opened (or reloaded) by a browser holding a valid login cookie: logged in within this first run, from
    the cookie the browser sent with the connection (st.context.cookies), checked as stauth's own cookie login is
    checked (signature, expiry) and as every session is (active account, not revoked since the cookie was issued).
    Without this, the first run drew the login page while stauth's cookie component fetched the same cookie from
    its iframe and asked for a second run: every fresh load cost two runs. Not while logging out: that run lets
    stauth's component delete the cookie (login_screen)."""
    if st.session_state.get(state.LOGGING_OUT) or st.session_state.get(state.AUTH_STATUS):
        return None
    cookie = _cookie()
    if cookie is None:
        return None
    user = auth.load_login_user(database(), cookie[0])
    if not auth.session_is_valid(user, cookie[1], timedelta(hours=settings().session_hours)):
        return None
    st.session_state.update({state.AUTH_STATUS: True, state.USERNAME: user.username, "name": user.display_name,
                             "email": user.email, "roles": list(user.roles), state.LOGIN_AT: cookie[1]})
    st.session_state.pop(state.LANGUAGE_CHOSEN, None)
    st.session_state.pop(state.NOTICE, None)
    return current_actor()


def login_screen() -> Actor | None:
    """Render the login page. Returns the actor once logged in: by the form, or by a cookie stauth's component read
    that the connection did not carry (login_from_cookie takes those it did, before this page is drawn)."""
    db = database()
    cfg = settings()
    cookie = _cookie()
    cookie_user = auth.load_login_user(db, cookie[0]) if cookie else None
    cookie_ok = cookie is not None and auth.session_is_valid(cookie_user, cookie[1])
    if st.context.cookies.get(cfg.cookie_name) and not cookie_ok:
        # stauth's own switch: it must not honour a cookie we refused (revoked, forged, from the future)
        st.session_state[state.STAUTH_LOGOUT] = True
    directory = DbUserDirectory(db, throttle=not cookie_ok)
    authenticator = _authenticator(directory)
    if st.session_state.pop(state.LOGGING_OUT, False):
        st.session_state[state.AUTH_STATUS] = True  # stauth's logout refuses to run for a logged-out session
        authenticator.logout(location="unrendered")
        st.session_state[state.NOTICE] = "login.logged_out"

    _login_header()
    try:
        authenticator.login(location="main", key="login_form", fields={
            "Form name": t("login.title"), "Username": t("login.username"), "Password": t("login.password"),
            "Login": t("login.submit")})
    except UserError as exc:  # LoginThrottled among them
        st.error(t(exc.key, **exc.params))
        return None
    except Exception:
        log.exception("login failed unexpectedly")
        st.error(t("error.unexpected"))
        return None

    status = st.session_state.get(state.AUTH_STATUS)
    if status and directory.user is not None:
        via_cookie = cookie_ok and directory.asked == auth.normalize_username(cookie[0])
        st.session_state[state.LOGIN_AT] = cookie[1] if via_cookie else real_now_utc()
        actor = directory.user.actor()
        chosen = st.session_state.pop(state.LANGUAGE_CHOSEN, None)
        shown = st.session_state.get(state.LANGUAGE, "ja")  # the language the login page was in
        if not via_cookie:
            auth.record_login_success(db, directory.user.id, directory.user.username)
            st.session_state[state.TITLE_FOCUS] = st.session_state[state.LOGIN_AT]  # focus_the_title
        if chosen and chosen != actor.language:
            # Any language picked on the login page (even the one it was already shown in) is the one this person
            # wants: it wins over the account's and is kept for the account, as a change on /account is (every
            # run reads the session's language from the account, current_actor).
            auth.set_language(db, actor, chosen)
            actor = auth.load_login_user(db, actor.username).actor()
        set_language(actor.language)
        if not via_cookie and not chosen and actor.language != shown:
            # The page left untouched is no choice: the account's language wins, and the switch is said, not sprung
            # on the person (a login page seen by a new phone or by the previous person at a shared desk).
            st.toast(t("polish.language_from_account", name=t(f"polish.language.{actor.language}")),
                     icon=":material/translate:")
        st.session_state.pop(state.NOTICE, None)
        return actor
    if status is False and directory.asked:  # the failure was counted when the try began
        st.error(t("login.failed"))
        st.session_state[state.AUTH_STATUS] = None
    if cfg.demo:
        st.warning(t("login.demo_mode"), icon=":material/science:")
        if is_demo_database(db):
            _demo_accounts()
    return None


def _login_header() -> None:
    notice = st.session_state.get(state.NOTICE)  # kept until the next login: the cookie component reruns
    left, right = st.columns([3, 1])
    # words short enough for a phone's line at title size, kept whole: wraps only between them
    left.title(keep_words(t("firsthour.login_title")), anchor=False)
    left.caption(t("app.tagline"))
    # a radio, not a selectbox: the username must stay the first text box on the page. Nothing is ticked until the
    # person picks: a pre-ticked 日本語 could not be picked, so an English account picking it got English.
    chosen = st.session_state.get(state.LANGUAGE_CHOSEN)
    choice = right.radio(t("account.language"), LANGUAGES, key="login_language", horizontal=True,
                         index=None if chosen is None else LANGUAGES.index(chosen),
                         format_func=lambda code: {"ja": "日本語", "en": "English"}[code],
                         help=t("polish.login_language_help"))
    if choice is not None and choice != chosen:
        set_language(choice)
        st.session_state[state.LANGUAGE_CHOSEN] = choice
        st.rerun()
    if notice:
        st.info(t(notice))


def _demo_accounts() -> None:
    with st.container(border=True):
        st.markdown(f"**{t('login.demo_title')}**")
        st.caption(t("login.demo_password", password=DEMO_PASSWORD))
        st.table({t("login.demo_account"): list(DEMO_ACCOUNTS),
                  t("login.demo_role"): [t(f"role.{name.split('-')[1]}") for name in DEMO_ACCOUNTS]})


def focus_the_title() -> None:
    """After a login by the form (which held the keyboard focus and is gone), the first screen puts the focus on
    its title, so the next Tab goes on into the screen, not from wherever the browser left it; unless the screen
    moves it to its own new content (an item opened by the address). Called by the router in the menu's column."""
    since = st.session_state.get(state.TITLE_FOCUS)
    if since is not None:
        focus_once("login", since, TITLE, if_lost=True)


def request_logout(actor: Actor) -> None:
    """Button callback: end every session of this user now; the next run lets stauth clear the cookie."""
    auth.end_sessions(database(), actor.id)
    _forget_session()
    st.query_params.clear()  # filters and open items in the address belonged to this person too
    st.session_state[state.LOGGING_OUT] = True
