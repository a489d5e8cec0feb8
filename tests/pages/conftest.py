"""AppTest runs app.py in this process; the app finds its database through COORDSUPERVISE_DB. Each page test gets
its own copy of the small demo database (screens write: scores, decisions, imports, redactions), and the app's
process-wide caches (the cached Database, settings, cached reads) are cleared around it, so no test sees another's
writes."""
from pathlib import Path

import pytest
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from coordsupervise.clock import real_now_utc
from coordsupervise.store.engine import open_database
from coordsupervise.ui import runtime

ROOT = Path(__file__).resolve().parents[2]


def _forget_process_caches() -> None:
    runtime.database.clear()
    runtime.settings.clear()
    st.cache_data.clear()


@pytest.fixture
def page_db(demo_target):
    """This test's own copy of the small demo: a DuckDB file, or a PostgreSQL database (tests/conftest.py)."""
    return demo_target


@pytest.fixture
def app(page_db, monkeypatch):
    monkeypatch.setenv("COORDSUPERVISE_DB", str(page_db))
    monkeypatch.setenv("COORDSUPERVISE_MODE", "demo")
    _forget_process_caches()
    opened = []

    def opening(target, **kwargs):
        """The app's Database, remembered so the test closes it (a PostgreSQL pool would otherwise outlive it)."""
        database = open_database(target, **kwargs)
        opened.append(database)
        return database

    monkeypatch.setattr(runtime, "open_database", opening)

    def make(username: str | None = None, script: str = "app.py") -> AppTest:
        at = AppTest.from_file(str(ROOT / script), default_timeout=30)
        if username:
            # what a successful login leaves behind (streamlit-authenticator's keys plus ours)
            at.session_state["authentication_status"] = True
            at.session_state["username"] = username
            at.session_state["cs_login_at"] = real_now_utc()
        return at

    yield make
    _forget_process_caches()
    for database in opened:
        database.close()


@pytest.fixture(autouse=True)
def apptest_runs_like_a_server(monkeypatch):
    """A real server decides Streamlit's old `pages/` mode once, for its first session (coordsupervise/ui/handover.py
    hands that run over to the router); AppTest decides it afresh before every run. So each AppTest's first run goes
    through the hand-over, as a fresh server's first session does, and its later runs (clicks, inputs) run as on a
    server where that already happened: a hand-over rerun would drop the click being tested."""
    ran_before: set[int] = set()
    warm = {"now": False}
    original_init, original_run = PagesManager.__init__, AppTest._run

    def init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        if warm["now"]:
            PagesManager.uses_pages_directory = False

    def run(self, *args, **kwargs):
        warm["now"] = id(self) in ran_before
        ran_before.add(id(self))
        return original_run(self, *args, **kwargs)

    monkeypatch.setattr(PagesManager, "__init__", init)
    monkeypatch.setattr(AppTest, "_run", run)
