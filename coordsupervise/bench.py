"""Benchmark at scale, reported as ratios measured in one run (never absolute times):
- services: our SQL-paginated inbox ÷ a naive approach that loads every reflection and read receipt into pandas;
- pages: a screen's full script run (AppTest, warm) ÷ the run of an empty Streamlit page, for the inbox, the
  trainee profile and the trainee's reflection page.
Run against a large demo database, app stopped:

    python -m coordsupervise --db data/bench.duckdb demo --cohorts 100 --trainees 50 --replace
    python -m coordsupervise --db data/bench.duckdb bench
"""
from __future__ import annotations

import statistics
import time

from . import inbox
from .auth import load_login_user
from .db import Database
from .inbox import InboxFilter


def _timed(fn, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def naive_inbox(db: Database, supervisor_id: int):
    """What a first version might do: load everything, then filter and sort in pandas."""
    reflections = db.frame("SELECT * FROM reflection")
    enrolments = db.frame("SELECT * FROM supervision")
    reads = db.frame("SELECT * FROM reflection_read")
    mine = reflections[reflections["enrolment_id"].isin(
        enrolments.loc[enrolments["supervisor_id"] == supervisor_id, "enrolment_id"])]
    mine = mine[mine["status"] == "submitted"]
    read = reads[reads["reader_id"] == supervisor_id].set_index("reflection_id")["read_version"]
    unread = mine["version"] > mine["id"].map(read).fillna(0)
    return mine.assign(unread=unread).sort_values(["unread", "practice_date"], ascending=False).head(inbox.PAGE_SIZE)


EMPTY_PAGE = "import streamlit as st\nst.title('empty')\n"


def page_ratios(db: Database, supervisor: str, trainee: str, repeat: int) -> dict[str, float]:
    """Each screen's script run ÷ an empty page's, both through AppTest in this process (the app's cached
    Database opens the same file as `db`)."""
    import os
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    from .db import utcnow

    os.environ["COORDSUPERVISE_DB"] = db.path
    root = Path(__file__).resolve().parent.parent

    def screen(file: str, username: str):
        def go():
            at = AppTest.from_file(str(root / file), default_timeout=120)
            at.session_state["authentication_status"] = True
            at.session_state["username"] = username
            at.session_state["cs_login_at"] = utcnow()
            at.run()
            assert not at.exception, at.exception
        return go

    def empty():
        AppTest.from_string(EMPTY_PAGE).run()

    empty()  # warm up Streamlit itself
    base = _timed(empty, repeat)
    out = {}
    for name, file, username in (("inbox", "pages/inbox.py", supervisor),
                                 ("trainee_profile", "pages/trainee.py", supervisor),
                                 ("reflection", "pages/reflection.py", trainee)):
        screen(file, username)()  # warm the caches
        out[name] = _timed(screen(file, username), repeat) / base
    return out


def run(db: Database, repeat: int = 5, pages: bool = True) -> dict:
    busiest = db.value("SELECT supervisor_id FROM supervision GROUP BY supervisor_id ORDER BY count(*) DESC LIMIT 1")
    username = db.value("SELECT username FROM app_user WHERE id = ?", [busiest])
    actor = load_login_user(db, username).actor()
    total = db.value("SELECT count(*) FROM reflection")

    def ours():
        inbox.counts(db, actor)
        inbox.page(db, actor, InboxFilter(), 1)
        inbox.next_unread(db, actor, InboxFilter())

    ours_s = _timed(ours, repeat)
    search_s = _timed(lambda: inbox.page(db, actor, InboxFilter(query="在留期限"), 1), repeat)
    naive_s = _timed(lambda: naive_inbox(db, busiest), repeat)
    result = {"reflections": total, "supervisor": username, "ours_over_naive": ours_s / naive_s,
              "search_over_naive": search_s / naive_s}
    if pages:
        trainee = db.value("SELECT u.username FROM supervision s JOIN enrolment e ON e.id = s.enrolment_id "
                           "JOIN app_user u ON u.id = e.trainee_id WHERE s.supervisor_id = ? AND e.status = 'active' "
                           "ORDER BY e.id LIMIT 1", [busiest]) or "demo-trainee"
        result["pages_over_empty"] = page_ratios(db, username, trainee, repeat)
    return result
