"""AppTest runs app.py in this process; the app finds its database through COORDSUPERVISE_DB. One demo database
serves every page test (they only read), so the process-wide cached Database stays valid."""
import shutil
from pathlib import Path

import pytest
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
