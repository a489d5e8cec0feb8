"""Process-wide resources (settings, the one Database) and the current reader's language."""
from __future__ import annotations

import atexit
import base64
import functools
import gc
import logging
import sys
import threading
import weakref
from collections.abc import Callable
from pathlib import Path

import streamlit as st
from streamlit import config as streamlit_config
from streamlit.runtime.scriptrunner import get_script_run_ctx

from ..config import Settings, load_settings
from ..demo.build import build_demo
from ..i18n import DEFAULT_LANGUAGE, translate
from ..office import samples
from ..programme import cohorts
from ..reminders import scheduler
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
    if cfg.mail is not None:  # with a mail server configured, the process sends due reminders itself
        scheduler.start(db, cfg.mail, cfg.mail.remind_every)
    return db


def _close_at_exit(ref: weakref.ref) -> None:
    db = ref()
    if db is not None:
        db.close()


@functools.cache
def favicon() -> str:
    """The app's icon as a data: URL (app.py says why inline), read from ui/favicon.png once per process."""
    return "data:image/png;base64," + base64.b64encode((Path(__file__).parent / "favicon.png").read_bytes()).decode()


def language() -> str:
    """The reader's language, read from the session once per script run: every message goes through here, and a
    read of session state costs more than the translation itself (a table of 500 rows with translated cells spent a
    third of its run on it). It is written only through set_language, which keeps the run's copy current."""
    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None:
        return st.session_state.get(state.LANGUAGE, DEFAULT_LANGUAGE)
    memo = getattr(ctx, _LANGUAGE_MEMO, None)
    if memo is not None and memo[0] is ctx.cursors:  # a new `cursors` dict every run (content_stamp)
        return memo[1]
    code = st.session_state.get(state.LANGUAGE, DEFAULT_LANGUAGE)
    setattr(ctx, _LANGUAGE_MEMO, (ctx.cursors, code))
    return code


def set_language(code: str) -> None:
    """Change the reader's language in this session (and in the rest of this run)."""
    st.session_state[state.LANGUAGE] = code
    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is not None:
        setattr(ctx, _LANGUAGE_MEMO, (ctx.cursors, code))


_LANGUAGE_MEMO = "_coordsupervise_language"


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


def once_per_run(name: str, key, compute: Callable):
    """`compute()` once per script run of this session while `key` stays equal (the router and the page's guard
    share the login check of one run); outside a script run, every call computes."""
    ctx = get_script_run_ctx(suppress_warning=True)
    if ctx is None:
        return compute()
    memo = getattr(ctx, "_coordsupervise_" + name, None)
    if memo is not None and memo[0] is ctx.cursors and memo[1] == key:  # a new `cursors` dict every run (above)
        return memo[2]
    value = compute()
    setattr(ctx, "_coordsupervise_" + name, (ctx.cursors, key, value))
    return value


_heap_lock = threading.Lock()
_heap_modules = [0]  # how many modules were loaded when the heap was last frozen


def settle_heap() -> None:
    """Last thing in a script run: the garbage the run made is collected, and the collector is kept from walking
    what lives as long as the process.

    Streamlit, left to itself, collects garbage in full after every script run (its hidden `runner.postScriptGC`),
    walking every object the process holds: with pandas, plotly, DuckDB and our modules loaded, and many sessions'
    state and caches beside them, that walk was most of a light screen's rerun and a third of a click's CPU among
    50 sessions (docs/speed.md). So this process turns it off (once, at its first run) and collects the young
    generations instead, where a run's garbage is: what survives them goes to the old generation, which Python
    collects on its own schedule (when it has grown by a quarter). Objects that live as long as the process (modules,
    classes, functions, the caches' keys) never become garbage, so after a run that loaded new modules (a process's
    first runs of each screen) everything is collected once and what is left is frozen (`gc.freeze`): later full
    collections walk only what runs created since. Nothing is kept alive by it; objects frozen then are still freed
    when their last reference goes, only a reference cycle among them would stay."""
    if streamlit_config.get_option("runner.postScriptGC"):
        streamlit_config.set_option("runner.postScriptGC", False, "coordsupervise.ui.runtime.settle_heap")
    if len(sys.modules) == _heap_modules[0]:
        gc.collect(1)
        return
    with _heap_lock:
        if len(sys.modules) != _heap_modules[0]:
            gc.collect()
            gc.freeze()
            _heap_modules[0] = len(sys.modules)


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
