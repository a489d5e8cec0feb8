"""In the browser, as a person feels it: Playwright in Debian's Chromium against `streamlit run app.py` on the
benchmark database, and against an empty Streamlit app started the same way (the yardstick). Measured: logging in
(submitting the form → the start page settled) and every route of routes.py opened by address while logged in
(navigation → settled, in the tab that logged in: its cache warm), every route opened fresh (a new browser context,
its cache empty, holding the login cookie: a bookmark opened in a new browser; fresh_load()), and the busy screens'
most frequent actions (interactions(): send and next unread, save and next, autosave, change of cohort), each ÷ the
empty app's page load started the same way.
"Settled" is the test suite's wait_idle: the script idle, still idle 300 ms later. Loopback only."""
from __future__ import annotations

import asyncio
import concurrent.futures
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager, nullcontext
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import jwt

from ..config import MAX_SESSION_HOURS
from ..serve import free_port
from ..store.db import Database
from . import pages as bench_pages
from .report import Row

IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"
COOKIE = "coordsupervise_session"  # the app's login cookie (its default name)
PASSWORD = "coordsupervise-demo"  # noqa: S105 - the demo accounts' published password
REPLY = "読みました。次の面談で一緒に確認しましょう。"  # what the supervisor sends in the inbox
FEELINGS = "焦りを感じたが落ち着いて対応できた"  # what the trainee types, then pauses on


@contextmanager
def streamlit_server(script: Path, db_path: str):
    """`streamlit run script` on loopback until the block ends; yields its address."""
    with streamlit_process(script, db_path) as (url, _):
        yield url


@contextmanager
def streamlit_process(script: Path, db_path: str, extra_env: dict | None = None):
    """`streamlit run script` on loopback until the block ends; yields (address, the server's Popen)."""
    port = free_port()  # the operating system's choice: two runs at once (the suite's two workers) never meet
    env = {**os.environ, "COORDSUPERVISE_DB": db_path, "COORDSUPERVISE_MODE": "demo", **(extra_env or {})}
    log_path = Path(tempfile.gettempdir()) / f"bench-streamlit-{port}.log"  # kept only when the server failed
    log = open(log_path, "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),  # noqa: S603
                             "--server.address", "127.0.0.1", "--server.headless", "true"],
                            cwd=bench_pages.ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    failed = True
    try:
        deadline = time.time() + 120
        while True:
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=1)  # noqa: S310 - http on loopback
                break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    raise RuntimeError(f"streamlit did not start for {script}; see {log_path}") from None
                time.sleep(0.3)
        yield url, proc
        failed = False
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        if not failed:
            log_path.unlink(missing_ok=True)


def login_cookie(username: str, key: str) -> str:
    """The cookie streamlit-authenticator issues at login (ui/login.py signs with the key bound to the lifetime)."""
    expires = datetime.now(UTC) + timedelta(hours=MAX_SESSION_HOURS) - timedelta(minutes=1)
    return jwt.encode({"username": username, "exp_date": expires.timestamp()},
                      f"{key}|session_hours={float(MAX_SESSION_HOURS)}", algorithm="HS256")


def settled(page) -> None:
    page.wait_for_selector(IDLE, timeout=120000)
    page.wait_for_timeout(300)
    page.wait_for_selector(IDLE, timeout=120000)


def settled_at(page) -> float:
    """The moment (perf_counter) the page became idle for good: the first idle of a stretch still idle 300 ms
    later, the 300 ms not counted (a fresh load's runs may come one after the other)."""
    page.wait_for_selector(IDLE, timeout=120000)
    idle_since = time.perf_counter()
    while True:
        page.wait_for_timeout(300)
        if page.query_selector(IDLE):
            return idle_since
        page.wait_for_selector(IDLE, timeout=120000)
        idle_since = time.perf_counter()


def _timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _login(page, url: str, username: str) -> float:
    """Open the app, fill the login form; the time from submitting it to the start page settled."""
    page.goto(url + "/")
    settled(page)
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill(PASSWORD)

    def submit():
        page.locator("[data-testid=stFormSubmitButton] button").click()
        page.get_by_label("パスワード", exact=True).wait_for(state="detached", timeout=120000)
        settled(page)

    return _timed(submit)


def served_copies(db: Database, folder: Path) -> tuple[Path, str]:
    """In `folder`: the empty Streamlit app every ratio is measured against, and a copy of the database for the
    app's server (DuckDB lets one process open a file; the copy is written out in full first)."""
    empty = folder / "empty_app.py"
    empty.write_text(bench_pages.EMPTY_PAGE, encoding="utf-8")
    db.rows("CHECKPOINT")
    served = str(folder / "served.duckdb")
    shutil.copy(db.path, served)
    return empty, served


def ratios(db: Database, today: date, repeat: int, routes: set[str] | None = None,
           folder: Path | None = None, warm: bool = True) -> dict[str, float]:
    """Logging in and every route (or those in `routes`) ÷ the empty app's page load (medians of `repeat`, each
    after one untimed run that fills the caches a person's second visit finds, unless not `warm`: the test
    suite's quick run). The servers run on copies in `folder` (kept, so a caller can look at what the
    interactions wrote) or in a temporary folder.

    Playwright's sync API refuses to start in a thread whose asyncio loop is running (a test process where
    pytest-playwright already drives a browser has one): the measuring then runs on a thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return _ratios(db, today, repeat, routes, folder, warm)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_ratios, db, today, repeat, routes, folder, warm).result()


def _ratios(db: Database, today: date, repeat: int, routes: set[str] | None, folder: Path | None,
            warm: bool) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    visits = [v for v in bench_pages.visits(db, today) if routes is None or v.route in routes]
    free = free_days(db, bench_pages.cast(db, today).trainee_enrolment, today, 2 * repeat + 2)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    key = secrets.token_urlsafe(32)  # the app signs login cookies with it: fresh loads bring one of their own
    with nullcontext(folder) if folder else tempfile.TemporaryDirectory() as work:
        empty, served = served_copies(db, Path(work))
        with streamlit_server(empty, served) as empty_url, \
                streamlit_process(bench_pages.ROOT / "app.py", served, {"COORDSUPERVISE_COOKIE_KEY": key}) \
                as (app_url, _), sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox"])

            def load_empty():
                context = browser.new_context()
                page = context.new_page()
                seconds = _timed(lambda: (page.goto(empty_url + "/"), settled(page)))
                context.close()
                return seconds

            if warm:
                load_empty()  # warm up the browser and the empty server
            base = statistics.median(load_empty() for _ in range(repeat))
            out = {}
            logins, contexts = [], {}
            for n in range(repeat + warm):
                context = browser.new_context()
                page = context.new_page()
                seconds = _login(page, app_url, visits[0].username)
                if n or not warm:  # the first warms the server's caches
                    logins.append(seconds)
                if n < repeat + warm - 1:
                    context.close()
                else:  # the last one logged in stays open for that person's visits
                    contexts[visits[0].username] = page
            out[f"log in as {visits[0].username} → start page settled"] = statistics.median(logins) / base
            for visit in visits:
                if visit.username not in contexts:
                    context = browser.new_context()
                    page = context.new_page()
                    _login(page, app_url, visit.username)
                    contexts[visit.username] = page
                page = contexts[visit.username]

                def go(page=page, visit=visit):
                    page.goto(app_url + visit.address)
                    settled(page)

                if warm:
                    go()
                out[f"{visit.address} ({visit.username}) navigation → settled"] = \
                    statistics.median(_timed(go) for _ in range(repeat)) / base
            out.update(fresh_loads(browser, empty_url, app_url, key, visits, repeat, warm))
            by_route = {visit.route: visit for visit in visits}
            for name, seconds in interactions(app_url, contexts, by_route, free, repeat, warm).items():
                out[name] = seconds / base
            browser.close()
    return out


def fresh_load(browser, url: str, address: str, cookie: tuple[str, str] | None = None) -> float:
    """Seconds from opening `address` in a new browser context (an empty cache; with `cookie`, (name, value), the
    login cookie a person's browser holds) until the page is idle for good (settled_at)."""
    context = browser.new_context()
    try:
        if cookie:
            context.add_cookies([{"name": cookie[0], "value": cookie[1], "url": url}])
        page = context.new_page()
        started = time.perf_counter()
        page.goto(url + address)
        seconds = settled_at(page) - started
        if cookie and page.get_by_label("パスワード", exact=True).count():
            raise RuntimeError(f"the login cookie did not log in at {address}")
        return seconds
    finally:
        context.close()


def fresh_loads(browser, empty_url: str, app_url: str, key: str, visits: list, repeat: int,
                warm: bool = True) -> dict[str, float]:
    """Every route opened fresh, as a bookmark in a browser that holds the login cookie but has nothing cached: the
    medians of `repeat` (after one untimed load that warms the server) ÷ the empty app's fresh load, whose loads
    are interleaved with the route's."""
    empties, found = [], {}
    if warm:
        fresh_load(browser, empty_url, "/")
    for visit in visits:
        cookie = (COOKIE, login_cookie(visit.username, key))
        if warm:
            fresh_load(browser, app_url, visit.address, cookie)
        seconds = []
        for _ in range(repeat):
            empties.append(fresh_load(browser, empty_url, "/"))
            seconds.append(fresh_load(browser, app_url, visit.address, cookie))
        found[f"{visit.address} ({visit.username}) fresh load, empty cache → settled"] = statistics.median(seconds)
    base = statistics.median(empties)
    return {name: seconds / base for name, seconds in found.items()}


def free_days(db: Database, enrolment_id: int, today: date, count: int) -> list[date]:
    """Working days of the enrolment's practical stage before today with no reflection yet, newest first: days a
    trainee can open a fresh reflection form on."""
    start = db.value("SELECT s.starts_on FROM cohort_stage s JOIN enrolment e ON e.cohort_id = s.cohort_id "
                     "WHERE e.id = ? AND s.stage = 'practical'", [enrolment_id])
    taken = {d for (d,) in db.rows("SELECT practice_date FROM reflection WHERE enrolment_id = ?", [enrolment_id])}
    days, day = [], today - timedelta(days=1)
    while start is not None and day >= start and len(days) < count:
        if day.weekday() < 5 and day not in taken:
            days.append(day)
        day -= timedelta(days=1)
    return days


def interactions(url: str, pages: dict, by_route: dict, days: list[date], repeat: int,
                 warm: bool = True) -> dict[str, float]:
    """The most frequent action of each busy screen, timed from the click (or the typing pause) to the page
    settled; medians of `repeat` after one untimed warm-up (if `warm`). Each starts where a person would: the
    inbox on an opened unread reflection, the scoring view on a submission of the queue, the reflection form on a
    fresh day, the cohort dashboard on the cohort mid-practice. The writes land in the served copy only."""
    from ..i18n import translate
    from ..ui.keep_typing import PAUSE_MS

    def ja(key: str) -> str:
        return translate("ja", key)

    out = {}
    if {"inbox", "scoring", "reflection", "cohort"} - set(by_route):
        return out  # a run of some routes only
    inbox, supervisor = by_route["inbox"], pages[by_route["inbox"].username]
    supervisor.goto(url + inbox.address)
    settled(supervisor)

    def send_next():
        supervisor.get_by_role("textbox", name=ja("inbox.reply")).fill(REPLY)
        button = supervisor.get_by_role("button", name=ja("inbox.send_next"), exact=True)
        return _timed(lambda: (button.click(), settled(supervisor)))

    out[f"/inbox ({inbox.username}) send and next unread → settled"] = \
        _median_after_warmup(send_next, repeat, warm)

    scoring, scorer = by_route["scoring"], pages[by_route["scoring"].username]
    scorer.goto(url + "/scoring?a=A3&state=to_score")  # a rubric-scored assignment's queue, scored in a row
    settled(scorer)
    scorer.get_by_role("button", name=ja("scoring.start")).click()
    settled(scorer)

    def save_next():
        scorer.locator("[data-testid=stRadio]").first.locator("label").nth(1).click()  # one level picked
        settled(scorer)
        button = scorer.get_by_role("button", name=ja("scoring.save_next"))
        return _timed(lambda: (button.click(), settled(scorer)))

    out[f"/scoring ({scoring.username}) save and next → settled"] = \
        _median_after_warmup(save_next, repeat, warm)

    form, trainee = by_route["reflection"], pages[by_route["reflection"].username]
    fresh = iter(days)

    def autosave():
        trainee.goto(f"{url}/reflection?day={next(fresh).isoformat()}")
        settled(trainee)
        box = trainee.get_by_role("textbox", name=ja("reflection.field.feelings"))
        box.click()
        box.press_sequentially(FEELINGS, delay=20)
        paused = time.perf_counter()  # the last keystroke: the typing pause starts
        trainee.get_by_text(ja("reflection.draft_saved").split("(")[0]).first.wait_for(timeout=120000)
        settled(trainee)
        return time.perf_counter() - paused - PAUSE_MS / 1000

    if len(days) > repeat:
        out[f"/reflection ({form.username}) typing pause ({PAUSE_MS} ms, not counted) → draft saved, settled"] = \
            _median_after_warmup(autosave, repeat, warm)

    cohort, manager = by_route["cohort"], pages[by_route["cohort"].username]
    manager.goto(url + cohort.address)
    settled(manager)
    picker = manager.get_by_role("combobox", name=ja("dash.pick_cohort"))
    codes = _picker_codes(manager, picker, cohort.query["cohort"])
    turn = iter(codes * (repeat + 1))

    def change_cohort():
        code = next(turn)
        picker.click()
        picker.fill(code)
        seconds = _timed(lambda: (picker.press("Enter"), settled(manager)))
        if f"cohort={code}" not in manager.url:  # else this would time a page that did not change
            raise RuntimeError(f"the cohort picker did not open {code}: {manager.url}")
        return seconds

    out[f"/cohort ({cohort.username}) change of cohort → settled"] = \
        _median_after_warmup(change_cohort, repeat, warm)
    return out


def _picker_codes(page, picker, current: str) -> list[str]:
    """The cohort shown and another from the picker's own list (its options read "CODE · name"), to switch
    between."""
    picker.click()
    options = page.get_by_role("option").all_inner_texts()
    page.keyboard.press("Escape")
    others = [text.split(" · ")[0].strip() for text in options if " · " in text and not text.startswith(current)]
    return [others[0], current]


def _median_after_warmup(action, repeat: int, warm: bool = True) -> float:
    if warm:
        action()
    return statistics.median(action() for _ in range(repeat))


def rows(db: Database, today: date, repeat: int) -> list:
    out = []
    for name, ratio in ratios(db, today, repeat).items():
        limit = 2 if "fresh load" in name else 3
        out.append(Row("browser", f"{name} ÷ empty app load", ratio, f"≤ {limit}×", ratio > limit))
    return out
