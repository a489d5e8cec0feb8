"""Settings, from environment variables first, then Streamlit secrets (passed in by the UI), then defaults.

| setting | environment variable | secrets key | default |
|---|---|---|---|
| database file | COORDSUPERVISE_DB | db_path | data/coordsupervise.duckdb |
| mode | COORDSUPERVISE_MODE (demo / production) | mode | demo |
| login cookie key | COORDSUPERVISE_COOKIE_KEY | cookie_key | demo: generated once and kept in the database |
| login cookie name | COORDSUPERVISE_COOKIE_NAME | cookie_name | coordsupervise_session |
| session lifetime (hours, at most 12) | COORDSUPERVISE_SESSION_HOURS | session_hours | 12 |
| behind our own nginx (set by `serve`; see below) | COORDSUPERVISE_BEHIND_PROXY (1 / 0) | behind_proxy | 0 |
| language of the command line | COORDSUPERVISE_LANG, else LANG (en... → English) | — | Japanese |
| mail server for reminders | COORDSUPERVISE_SMTP_URL (smtp://, smtp+starttls://, smtps://) | smtp_url | none |
| sender of reminders | COORDSUPERVISE_MAIL_FROM | mail_from | coordsupervise@localhost |
| the app's address, for links in mails | COORDSUPERVISE_BASE_URL | base_url | http://localhost:8501 |
| minutes between the app's own reminder runs (0: off) | COORDSUPERVISE_REMIND_EVERY | remind_every | 60 |

Behind our own nginx the login throttle takes the client address from the last X-Forwarded-For entry (the one nginx
appends); otherwise from the connection, and X-Forwarded-For is ignored. Set it only when every request reaches the
app through such a proxy (the app listening on loopback), never on an app that browsers can reach directly.
"""
from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .store.app_setting import get_or_create_setting

DEFAULT_DB = str(Path(__file__).resolve().parent.parent / "data" / "coordsupervise.duckdb")
MAX_SESSION_HOURS = 12.0
MIN_KEY_CHARS = 43  # secrets.token_urlsafe(32): 32 random bytes
KEY_HOWTO = 'python -c "import secrets; print(secrets.token_urlsafe(32))"'


class ConfigError(Exception):
    """The app must not start with these settings; the message says how to fix them."""


@dataclass(frozen=True)
class MailSettings:
    """Where reminders go out (smtp_url None: not configured) and the address their links are built on."""

    smtp_url: str | None
    mail_from: str
    base_url: str
    remind_every: int = 60  # minutes between the app's own runs of `remind` (reminders/scheduler.py); 0: off


@dataclass(frozen=True)
class Settings:
    db_path: str
    demo: bool
    cookie_key: str | None
    cookie_name: str
    session_hours: float
    behind_proxy: bool = False  # X-Forwarded-For is trusted only then (ui/login.client_address)
    mail: MailSettings | None = None  # reminders by mail (coordsupervise/reminders/)


def load_settings(env: Mapping[str, str] | None = None, secrets: Mapping[str, object] | None = None) -> Settings:
    env = os.environ if env is None else env
    secrets = secrets or {}

    def get(var: str, key: str, default):
        value = env.get(var)
        if value not in (None, ""):
            return value
        value = secrets.get(key)
        return default if value in (None, "") else value

    mode = str(get("COORDSUPERVISE_MODE", "mode", "demo")).strip().lower()
    if mode not in ("demo", "production"):
        raise ConfigError(f"COORDSUPERVISE_MODE must be 'demo' or 'production', not {mode!r}")
    try:
        hours = float(get("COORDSUPERVISE_SESSION_HOURS", "session_hours", MAX_SESSION_HOURS))
    except ValueError as exc:
        raise ConfigError("COORDSUPERVISE_SESSION_HOURS must be a number of hours (at most 12)") from exc
    if not 0 < hours <= MAX_SESSION_HOURS:
        raise ConfigError("COORDSUPERVISE_SESSION_HOURS must be more than 0 and at most 12")
    key = get("COORDSUPERVISE_COOKIE_KEY", "cookie_key", None)
    if mode == "production":
        check_cookie_key(key)
    return Settings(
        db_path=str(get("COORDSUPERVISE_DB", "db_path", DEFAULT_DB)),
        demo=mode == "demo",
        cookie_key=key,
        cookie_name=str(get("COORDSUPERVISE_COOKIE_NAME", "cookie_name", "coordsupervise_session")),
        session_hours=hours,
        behind_proxy=str(get("COORDSUPERVISE_BEHIND_PROXY", "behind_proxy", "0")).strip().lower()
        in ("1", "true", "yes"),
        mail=load_mail_settings(env, secrets),
    )


SMTP_SCHEMES = ("smtp", "smtp+starttls", "smtps")


def load_mail_settings(env: Mapping[str, str] | None = None,
                       secrets: Mapping[str, object] | None = None) -> MailSettings:
    """The mail settings alone (the `remind` command needs no cookie key): environment, then secrets, then defaults.
    A mail server address of another scheme is refused with the three that work."""
    env = os.environ if env is None else env
    secrets = secrets or {}

    def get(var: str, key: str, default):
        value = env.get(var) or secrets.get(key)
        return default if value in (None, "") else str(value).strip()

    smtp_url = get("COORDSUPERVISE_SMTP_URL", "smtp_url", None)
    if smtp_url is not None and smtp_url.partition("://")[0].lower() not in SMTP_SCHEMES:
        raise ConfigError("COORDSUPERVISE_SMTP_URL must start with smtp://, smtp+starttls:// or smtps://")
    base_url = get("COORDSUPERVISE_BASE_URL", "base_url", "http://localhost:8501")
    if not base_url.lower().startswith(("http://", "https://")):
        raise ConfigError("COORDSUPERVISE_BASE_URL must be the app's address, starting with https:// or http://")
    every = get("COORDSUPERVISE_REMIND_EVERY", "remind_every", "60")
    if not every.isdigit() or int(every) > 24 * 60:
        raise ConfigError("COORDSUPERVISE_REMIND_EVERY must be a whole number of minutes from 0 (off) to 1440")
    return MailSettings(smtp_url, get("COORDSUPERVISE_MAIL_FROM", "mail_from", "coordsupervise@localhost"),
                        base_url.rstrip("/"), int(every))


def file_secrets(path: str | Path = ".streamlit/secrets.toml") -> dict:
    """The secrets file a command reads as the app does (the app gets it from Streamlit); {} when there is none."""
    import tomllib

    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}


def check_cookie_key(key: str | None) -> None:
    """At least 32 random bytes, written as text: 43 or more characters, not a repeated pattern."""
    if not key or len(key) < MIN_KEY_CHARS or len(set(key)) < 16:
        raise ConfigError(
            "Production mode needs a login cookie key of at least 32 random bytes in COORDSUPERVISE_COOKIE_KEY "
            f"(or cookie_key in .streamlit/secrets.toml). Make one with:\n    {KEY_HOWTO}"
        )


def settings_cookie_key(settings: Settings, db) -> str:
    """The configured key; in demo mode without one, a random key generated once and kept in the database so
    cookies survive a restart."""
    if settings.cookie_key:
        return settings.cookie_key
    if not settings.demo:
        check_cookie_key(None)
    return get_or_create_setting(db, "demo_cookie_key", lambda: secrets.token_urlsafe(32))


def command_line_language(env: Mapping[str, str] | None = None) -> str:
    """The language the command line speaks: COORDSUPERVISE_LANG when set, else the system's LANG; English when it
    starts with "en", Japanese otherwise (the app's own default). Screens use each person's own setting instead."""
    env = os.environ if env is None else env
    chosen = env.get("COORDSUPERVISE_LANG") or env.get("LANG") or ""
    return "en" if chosen.strip().lower().startswith("en") else "ja"
