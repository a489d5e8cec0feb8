"""AppTest runs app.py in this process; the app finds its database through COORDSUPERVISE_DB. One demo database
serves every page test (they only read), so the process-wide cached Database stays valid."""
import shutil
from pathlib import Path

import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from coordsupervise.db import utcnow

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def page_db(demo_template, tmp_path_factory):
    path = tmp_path_factory.mktemp("pages") / "pages.duckdb"
    shutil.copy(demo_template, path)
    return path


@pytest.fixture
def app(page_db, monkeypatch):
    monkeypatch.setenv("COORDSUPERVISE_DB", str(page_db))
    monkeypatch.setenv("COORDSUPERVISE_MODE", "demo")

    def make(username: str | None = None, script: str = "app.py") -> AppTest:
        at = AppTest.from_file(str(ROOT / script), default_timeout=30)
        if username:
            # what a successful login leaves behind (streamlit-authenticator's keys plus ours)
            at.session_state["authentication_status"] = True
            at.session_state["username"] = username
            at.session_state["cs_login_at"] = utcnow()
        return at

    return make


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
