"""A small run of the benchmark's browser part (coordsupervise/bench/browser.py) on a copy of the small demo: the
login, the busy screens opened by address (in the tab that logged in, and fresh: a new browser holding the login
cookie, which must log in within the load) and their four most frequent actions each give a row, and each action
did what its name says in the database the app served (the reply sent, the score saved, the draft kept; the
cohort picker checks its own address). No timing is asserted: the figures come from `python -m coordsupervise
bench --parts browser`."""
from __future__ import annotations

from coordsupervise.bench import browser as bench_browser
from coordsupervise.bench import pages as bench_pages
from coordsupervise.clock import now_utc
from coordsupervise.store.db import Database
from coordsupervise.ui.keep_typing import PAUSE_MS
from tests.conftest import DEMO_TODAY

BUSY = {"inbox", "scoring", "reflection", "cohort"}  # the routes whose most frequent action is measured


def test_the_browser_rows_of_a_small_run(demo_db, tmp_path):
    visits = [v for v in bench_pages.visits(demo_db, DEMO_TODAY) if v.route in BUSY]
    who = bench_pages.cast(demo_db, DEMO_TODAY)
    started = now_utc()
    found = bench_browser.ratios(demo_db, DEMO_TODAY, 1, routes=BUSY, folder=tmp_path, warm=False)

    assert set(found) == {
        f"log in as {visits[0].username} → start page settled",
        *(f"{v.address} ({v.username}) navigation → settled" for v in visits),
        *(f"{v.address} ({v.username}) fresh load, empty cache → settled" for v in visits),
        f"/inbox ({who.supervisor}) send and next unread → settled",
        f"/scoring ({who.supervisor}) save and next → settled",
        f"/reflection ({who.trainee}) typing pause ({PAUSE_MS} ms, not counted) → draft saved, settled",
        f"/cohort ({who.manager}) change of cohort → settled"}
    assert all(ratio > 0 for ratio in found.values())

    served = Database(tmp_path / "served.duckdb")
    try:
        supervisor = served.value("SELECT id FROM app_user WHERE username = ?", [who.supervisor])
        # each action ran once (no warm-up run in this quick run)
        assert served.value("SELECT count(*) FROM feedback WHERE author_id = ? AND body_md = ? AND created_at >= ?",
                            [supervisor, bench_browser.REPLY, started]) == 1
        assert served.value("SELECT count(DISTINCT submission_id) FROM score WHERE scorer_id = ? AND updated_at >= ?",
                            [supervisor, started]) == 1
        assert served.value("SELECT count(*) FROM reflection WHERE enrolment_id = ? AND status = 'draft' "
                            "AND feelings = ?", [who.trainee_enrolment, bench_browser.FEELINGS]) == 1
    finally:
        served.close()
