"""In the browser, as a person feels it: Playwright in Debian's Chromium against `streamlit run app.py` on the
benchmark database, and against an empty Streamlit app started the same way (the yardstick). Measured: logging in
(submitting the form → the start page settled) and every route of routes.py opened by address while logged in
(navigation → settled, through the login cookie's rerun as a bookmark does), each ÷ the empty app's page load.
"Settled" is the test suite's wait_idle: the script idle, still idle 300 ms later. Loopback only."""
from __future__ import annotations

import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from . import bench_pages
from .db import Database

IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"
PASSWORD = "coordsupervise-demo"  # noqa: S105 - the demo accounts' published password
PORTS = range(8720, 8730)


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port in 8720-8729")


@contextmanager
def streamlit_server(script: Path, db_path: str):
    """`streamlit run script` on loopback until the block ends."""
    port = _free_port()
    env = {**os.environ, "COORDSUPERVISE_DB": db_path, "COORDSUPERVISE_MODE": "demo"}
    log = open(Path(tempfile.gettempdir()) / f"bench-streamlit-{port}.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),  # noqa: S603
                             "--server.address", "127.0.0.1", "--server.headless", "true"],
                            cwd=bench_pages.ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 120
        while True:
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=1)  # noqa: S310 - http on loopback
                break
            except OSError:
                if time.time() > deadline:
                    raise RuntimeError(f"streamlit did not start for {script}") from None
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def settled(page) -> None:
    page.wait_for_selector(IDLE, timeout=120000)
    page.wait_for_timeout(300)
    page.wait_for_selector(IDLE, timeout=120000)


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


def ratios(db: Database, today: date, repeat: int, routes: set[str] | None = None) -> dict[str, float]:
    """Logging in and every route (or those in `routes`) ÷ the empty app's page load (medians of `repeat`)."""
    from playwright.sync_api import sync_playwright

    visits = [v for v in bench_pages.visits(db, today) if routes is None or v.route in routes]
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    with tempfile.TemporaryDirectory() as folder:
        empty = Path(folder) / "empty_app.py"
        empty.write_text(bench_pages.EMPTY_PAGE, encoding="utf-8")
        # DuckDB lets one process open a file: the server gets a copy, written out in full first
        db.rows("CHECKPOINT")
        served = str(Path(folder) / "served.duckdb")
        shutil.copy(db.path, served)
        with streamlit_server(empty, served) as empty_url, \
                streamlit_server(bench_pages.ROOT / "app.py", served) as app_url, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox"])

            def load_empty():
                context = browser.new_context()
                page = context.new_page()
                seconds = _timed(lambda: (page.goto(empty_url + "/"), settled(page)))
                context.close()
                return seconds

            load_empty()  # warm up the browser and the empty server
            base = statistics.median(load_empty() for _ in range(repeat))
            out = {}
            logins = []
            for n in range(repeat + 1):
                context = browser.new_context()
                seconds = _login(context.new_page(), app_url, visits[0].username)
                context.close()
                if n:  # the first warms the server's caches
                    logins.append(seconds)
            out[f"log in as {visits[0].username} → start page settled"] = statistics.median(logins) / base
            contexts = {}
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

                go()  # warm
                out[f"{visit.address} ({visit.username}) navigation → settled"] = \
                    statistics.median(_timed(go) for _ in range(repeat)) / base
            browser.close()
    return out


def rows(db: Database, today: date, repeat: int) -> list:
    from .bench import Row
    return [Row("browser", f"{name} ÷ empty app load", ratio, "≤ 3×", ratio > 3)
            for name, ratio in ratios(db, today, repeat).items()]
