"""Benchmark of the supervisor's inbox at scale, reported as ratios measured in one run (never absolute times):
our SQL-paginated inbox ÷ a naive approach that loads every reflection, read receipt and message into pandas and
filters there. Run against a large demo database, app stopped:

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


def run(db: Database, repeat: int = 5) -> dict:
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
    return {"reflections": total, "supervisor": username, "ours_over_naive": ours_s / naive_s,
            "search_over_naive": search_s / naive_s}
