"""Process-wide resources (settings, the one Database) and the current reader's language."""
from __future__ import annotations

import atexit
import logging
import weakref
from pathlib import Path

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from ..config import Settings, load_settings
from ..demo.build import build_demo
from ..i18n import DEFAULT_LANGUAGE, translate
from ..office import samples
from ..programme import cohorts
from ..store import cache_stamp
from ..store.db import Database
from ..store.engine import open_database
from . import state

log = logging.getLogger("coordsupervise")


def _secrets() -> dict:
    try:
        return dict(st.secrets)
    except Exception:  # no secrets.toml at all is the normal case
        return {}


@st.cache_resource(show_spinner=False)
def settings() -> Settings:
    return load_settings(secrets=_secrets())


@st.cache_resource(show_spinner=False)
def database() -> Database:
    """The one Database of this process. In demo mode an empty file gets the small default demo on first start."""
    cfg = settings()
    db = open_database(cfg.db_path)
    # Stopping the server (SIGTERM, Ctrl-C) ends the interpreter normally: close the file then, which checkpoints
    # the WAL into it, so a stopped server leaves one self-contained file to copy or back up.
    atexit.register(_close_at_exit, weakref.ref(db))
    if cfg.demo and not db.value("SELECT count(*) FROM app_user"):
        log.info("building the default demo programme into %s", cfg.db_path)
        build_demo(db)
        if db.engine == "duckdb":  # the sample import files beside the file, for this demo's newest cohort
            samples.write_for_newest(db, Path(cfg.db_path).parent)
    return db


def _close_at_exit(ref: weakref.ref) -> None:
    db = ref()
    if db is not None:
        db.close()


def language() -> str:
    return st.session_state.get(state.LANGUAGE, DEFAULT_LANGUAGE)


def t(key: str, **params) -> str:
    """Translate for the person reading this session."""
    return translate(language(), key, **params)


def content_stamp() -> int:
    """The database's version stamp of edited content (cache_stamp.py), read once per rerun of a session: every
    cached read below and in ui/cohorts.py includes it in its key, so an edit made in another app process is seen at
    the next rerun. Outside a script run (tests, scripts) it is read on every call."""
    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None:
        return cache_stamp.current(database())
    memo = getattr(ctx, _STAMP_MEMO, None)
    # ScriptRunContext.reset() gives every rerun a new `cursors` dict: the memo holds the one it was read in
    if memo is not None and memo[0] is ctx.cursors:
        return memo[1]
    stamp = cache_stamp.current(database())
    setattr(ctx, _STAMP_MEMO, (ctx.cursors, stamp))
    return stamp


_STAMP_MEMO = "_coordsupervise_content_stamp"


# -- cached reads of programme content that is the same for everyone and changes only when an admin edits it ------
@st.cache_data(ttl=600, show_spinner=False)
def _modules(stamp: int, cohort_id: int) -> list[dict]:
    return cohorts.modules(database(), cohort_id)


@st.cache_data(ttl=600, show_spinner=False)
def _competencies(stamp: int) -> list[dict]:
    return cohorts.competencies(database())


def modules(cohort_id: int) -> list[dict]:
    return _modules(content_stamp(), cohort_id)


def competencies() -> list[dict]:
    return _competencies(content_stamp())
