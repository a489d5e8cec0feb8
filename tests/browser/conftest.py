"""Browser tests: a real `streamlit run app.py` on a free port against a copy of the small demo database, driven
by Playwright in Debian's Chromium (`playwright install` cannot download browsers here)."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"
PASSWORD = "coordsupervise-demo"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# a page settles after its reruns (cookie component, autosave); on two busy cores that can take seconds
expect.set_options(timeout=15000)


# With pytest-xdist (scripts/test.sh: two workers), the browser tests run in two lanes, one per worker: within a
# lane one test at a time, as a person's browser would, and each worker takes unit, page and reliability tests when
# its lane is done. The files of the second lane took about half the browser time in session 6's clean-clone run
# (the fresh-server file alone about 4.5 min); a new file joins the first lane unless named here.
SECOND_LANE = {"test_bookmarks_on_a_fresh_server.py", "test_hostile_text.py", "test_session_cookies.py",
               "test_server_lifecycle.py", "test_benchmark_browser.py", "test_trust_journeys.py",
               "test_accessibility.py"}


def pytest_collection_modifyitems(config, items):
    if config.pluginmanager.hasplugin("xdist"):
        for item in items:
            if "browser" in str(item.fspath):
                lane = "browser-2" if item.fspath.basename in SECOND_LANE else "browser-1"
                item.add_marker(pytest.mark.xdist_group(lane))
    if CHROMIUM:
        return
    if os.environ.get("CI", "").lower() == "true":
        raise pytest.UsageError("CI=true but Debian's chromium is not installed: browser tests must run in CI")
    marker = pytest.mark.skip(reason="chromium not installed (apt-get install chromium fonts-noto-cjk)")
    for item in items:
        if "browser" in str(item.fspath):
            item.add_marker(marker)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM,
            "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run"]}


class Server:
    def __init__(self, db_path: Path, log_path: Path, env: dict | None = None):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.db_path = db_path
        env = {**os.environ, "COORDSUPERVISE_DB": str(db_path), "COORDSUPERVISE_MODE": "demo", **(env or {})}
        self._log = open(log_path, "wb")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(self.port),
             "--server.address", "127.0.0.1", "--server.headless", "true"],
            cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT)
        self.log_path = log_path

    def wait_ready(self) -> Server:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.url + "/_stcore/health", timeout=1)
                return self
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("streamlit did not start; see " + str(self.log_path))

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._log.close()
        # the server's copy of the demo goes with it (the log stays for a failed test's report): a CI runner's disk
        # is not ours to fill
        for path in self.db_path.parent.glob(self.db_path.name + "*"):
            path.unlink(missing_ok=True)


def _launch(demo_template, tmp_path_factory, env: dict | None = None) -> Server:
    folder = tmp_path_factory.mktemp("server")
    db_path = folder / "browser.duckdb"
    shutil.copy(demo_template, db_path)
    return Server(db_path, folder / "streamlit.log", env)


@pytest.fixture(scope="session")
def _spare_servers(demo_template, tmp_path_factory):
    """Fresh servers are launched one test ahead: the next one starts up while the current test runs."""
    spare: list[Server] = []
    yield spare, lambda: _launch(demo_template, tmp_path_factory, {"COORDSUPERVISE_COOKIE_KEY": FRESH_SERVER_KEY})
    for server in spare:
        server.stop()


@pytest.fixture
def fresh_server(_spare_servers):
    """A newly started server that no browser has visited yet (for tests where a fresh server is the point). It
    signs login cookies with FRESH_SERVER_KEY, so a test can arrive logged in (`logged_in_context`)."""
    spare, launch = _spare_servers
    server = spare.pop() if spare else launch()
    spare.append(launch())
    yield server.wait_ready()
    server.stop()


@pytest.fixture(scope="module")
def server(demo_template, tmp_path_factory):
    """One server per test file, on its own copy of the demo: what one file's journeys write never meets
    another file's."""
    server = _launch(demo_template, tmp_path_factory).wait_ready()
    yield server
    server.stop()


FRESH_SERVER_KEY = "fresh-server-test-key-3c1e9a7b5d"  # noqa: S105 (a test server's cookie key)
SESSION_COOKIE = "coordsupervise_session"


def logged_in_context(browser, server, username: str, **options):
    """A browser context holding the login cookie the server would have issued to `username` (the server must have
    been started with FRESH_SERVER_KEY): arriving logged in without the login form's password check. `options` go
    to `browser.new_context` (a locale, a viewport, a device scale factor)."""
    import jwt

    expires = datetime.now(UTC) + timedelta(hours=11)
    value = jwt.encode({"username": username, "exp_date": expires.timestamp()},
                       f"{FRESH_SERVER_KEY}|session_hours=12.0", algorithm="HS256")
    context = browser.new_context(**options)
    context.add_cookies([{"name": SESSION_COOKIE, "value": value, "url": server.url}])
    return context


def demo_trainee_free_days(target) -> list:
    """Working days of demo-trainee's practical stage with no reflection yet, newest first, in the database at
    `target` (a DuckDB file, read before a server opens it: one process per file; or a PostgreSQL address)."""
    from coordsupervise.store.engine import open_database
    from tests.conftest import DEMO_TODAY

    db = open_database(target)
    try:
        taken = {d for (d,) in db.rows(
            "SELECT r.practice_date FROM reflection r JOIN enrolment e ON e.id = r.enrolment_id "
            "JOIN app_user u ON u.id = e.trainee_id WHERE u.username = 'demo-trainee'")}
        start = db.value("SELECT s.starts_on FROM cohort_stage s JOIN enrolment e ON e.cohort_id = s.cohort_id "
                         "JOIN app_user u ON u.id = e.trainee_id WHERE u.username = 'demo-trainee' AND "
                         "s.stage = 'practical'")
    finally:
        db.close()
    days, day = [], DEMO_TODAY - timedelta(days=1)
    while day >= start:
        if day.weekday() < 5 and day not in taken:
            days.append(day)
        day -= timedelta(days=1)
    assert len(days) >= 2, "the demo should leave some days without a reflection"
    return days


def wait_idle(page):
    page.wait_for_selector(IDLE, timeout=60000)
    page.wait_for_timeout(300)
    page.wait_for_selector(IDLE, timeout=60000)


def login(page, base: str, username: str, path: str = "/"):
    page.goto(base + path)
    wait_idle(page)
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(PASSWORD)
    submit_login(page)
    wait_idle(page)


def submit_login(page, attempts: int = 3):
    """Press the login button until the form goes away. On a busy machine a click that lands while the page is
    still rerunning (the cookie component) can be swallowed; a person would press again, and so does this."""
    password = page.get_by_label("パスワード", exact=True)
    for attempt in range(attempts):
        page.locator("[data-testid=stFormSubmitButton] button").click()
        try:
            password.wait_for(state="detached", timeout=20000)
            return
        except PlaywrightTimeout:
            if attempt == attempts - 1 or not password.is_visible():
                raise


def menu(page) -> list[str]:
    """The menu entries' titles (each link also holds its icon's ligature name on a line of its own)."""
    return [t.strip().split("\n")[-1] for t in page.locator("[data-testid=stSidebarNavLink]").all_inner_texts()]
