"""Benchmark at scale, reported as ratios measured in one run (never absolute times):
- services: our SQL-paginated inbox ÷ a naive approach that loads every reflection and read receipt into pandas;
- dashboards: the cohort dashboards' metrics in SQL (every cohort's reflection rate, reply time and certification
  rate, plus one cohort's day-by-day submission rate) ÷ a naive approach that loads the tables into pandas;
- pages: a screen's full script run (AppTest, warm) ÷ the run of an empty Streamlit page, for the inbox, the
  trainee profile, the trainee's reflection page, all cohorts (/cohorts) and one cohort (/cohort).
Run against a large demo database, app stopped:

    python -m coordsupervise --db data/bench.duckdb demo --cohorts 100 --trainees 50 --replace
    python -m coordsupervise --db data/bench.duckdb bench
"""
from __future__ import annotations

import statistics
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pandas as pd

from . import dashboard, inbox
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


def naive_dashboard(db: Database, cohort_id: int, today) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The same figures as ours_dashboard the way a first version might get them: every table into pandas, practice
    days laid out per enrolment in pandas, then grouped."""
    enrolments = db.frame("SELECT * FROM enrolment")
    stages = db.frame("SELECT * FROM cohort_stage WHERE stage = 'practical'")
    cohorts = db.frame("SELECT * FROM cohort")
    reflections = db.frame("SELECT * FROM reflection")
    days_off = db.frame("SELECT * FROM day_off")
    feedback = db.frame("SELECT * FROM feedback")
    decisions = db.frame("SELECT * FROM certification_decision")
    today_ts = pd.Timestamp(today)
    people = enrolments.merge(stages, on="cohort_id").merge(cohorts[["id", "reflection_cutoff_days"]],
                                                               left_on="cohort_id", right_on="id", suffixes=("", "_c"))
    people["last"] = people["ends_on"].where(people["ends_on"] <= today_ts, today_ts)
    people = people[people["starts_on"] <= people["last"]]
    people["day"] = [pd.date_range(s, e) for s, e in zip(people["starts_on"], people["last"], strict=True)]
    days = people[["id", "cohort_id", "day", "reflection_cutoff_days"]].explode("day")
    days = days[days["day"].dt.weekday < 5]
    days = days.merge(reflections[["enrolment_id", "practice_date", "status", "late"]], how="left",
                      left_on=["id", "day"], right_on=["enrolment_id", "practice_date"])
    off = days_off.assign(off=True)
    days = days.merge(off[["enrolment_id", "day", "off"]], how="left", left_on=["id", "day"],
                      right_on=["enrolment_id", "day"], suffixes=("", "_o"))
    done = (days["status"] == "submitted") & days["off"].isna()
    due = days["day"] + pd.to_timedelta(days["reflection_cutoff_days"].astype(int), unit="D") < today_ts
    days["done"], days["expected"] = done, done | (due & days["off"].isna())
    rates = days.groupby("cohort_id")[["done", "expected"]].sum()
    first = feedback.merge(reflections[["id", "enrolment_id", "submitted_at"]], left_on="reflection_id",
                           right_on="id").merge(enrolments[["id", "trainee_id", "cohort_id"]], left_on="enrolment_id",
                                                right_on="id")
    first = first[first["author_id"] != first["trainee_id"]].groupby(["cohort_id", "reflection_id"]).agg(
        at=("created_at", "min"), submitted=("submitted_at", "first"))
    turn = ((first["at"] - first["submitted"]).dt.total_seconds() / 3600).groupby(level=0).median()
    latest = decisions.sort_values("decided_at").groupby("enrolment_id").tail(1).merge(
        enrolments[["id", "cohort_id"]], left_on="enrolment_id", right_on="id")
    certified = latest.groupby("cohort_id")["decision"].apply(lambda d: (d == "certified").mean())
    per_cohort = rates.assign(turnaround=turn, certified=certified)
    one = days[days["cohort_id"] == cohort_id].groupby("day")[["done", "expected"]].sum()
    return per_cohort, one


def ours_dashboard(db: Database, actor, cohort_id: int, today):
    cohort_ids = [cid for (cid,) in db.rows("SELECT id FROM cohort")]
    return (dashboard.cohort_metrics(db, actor, today, cohort_ids),
            dashboard.submission_rate_by_day(db, actor, cohort_id, today))


def page_ratios(db: Database, supervisor: str, trainee: str, repeat: int, manager: str | None = None,
                cohort_code: str | None = None) -> dict[str, float]:
    """Each screen's script run ÷ an empty page's, both through AppTest in this process (the app's cached
    Database opens the same file as `db`)."""
    import os
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    from .db import utcnow

    os.environ["COORDSUPERVISE_DB"] = db.path
    root = Path(__file__).resolve().parent.parent

    def screen(file: str, username: str, query: dict | None = None):
        def go():
            at = AppTest.from_file(str(root / file), default_timeout=120)
            at.query_params.update(query or {})
            at.session_state["authentication_status"] = True
            at.session_state["username"] = username
            at.session_state["cs_login_at"] = utcnow()
            at.run()
            if at.exception:  # a benchmark of a failing page would measure an error screen
                raise RuntimeError(f"{file} failed: {at.exception}")
        return go

    def empty():
        AppTest.from_string(EMPTY_PAGE).run()

    empty()  # warm up Streamlit itself
    base = _timed(empty, repeat)
    out = {}
    screens = [("inbox", "pages/inbox.py", supervisor, None),
               ("trainee_profile", "pages/trainee.py", supervisor, None),
               ("reflection", "pages/reflection.py", trainee, None)]
    if manager:
        screens += [("cohorts", "pages/cohorts.py", manager, None),
                    ("cohort", "pages/cohort.py", manager, {"cohort": cohort_code} if cohort_code else None)]
    for name, file, username, query in screens:
        screen(file, username, query)()  # warm the caches
        out[name] = _timed(screen(file, username, query), repeat) / base
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
    manager = db.value("SELECT u.username FROM app_user u JOIN user_role r ON r.user_id = u.id "
                       "WHERE r.role = 'manager' ORDER BY u.id LIMIT 1")
    today = datetime.now(ZoneInfo("Asia/Tokyo")).date()
    # the cohort in the middle of its practical stage: the busiest single-cohort dashboard
    cohort_id, cohort_code = db.one(
        "SELECT c.id, c.code FROM cohort c JOIN cohort_stage s ON s.cohort_id = c.id AND s.stage = 'practical' "
        "WHERE s.starts_on <= ? ORDER BY s.starts_on DESC LIMIT 1", [today])
    boss = load_login_user(db, manager).actor()
    dash_s = _timed(lambda: ours_dashboard(db, boss, cohort_id, today), repeat)
    naive_dash_s = _timed(lambda: naive_dashboard(db, cohort_id, today), max(1, repeat // 2))
    result.update({"manager": manager, "cohort": cohort_code, "dashboard_over_naive": dash_s / naive_dash_s})
    if pages:
        trainee = db.value("SELECT u.username FROM supervision s JOIN enrolment e ON e.id = s.enrolment_id "
                           "JOIN app_user u ON u.id = e.trainee_id WHERE s.supervisor_id = ? AND e.status = 'active' "
                           "ORDER BY e.id LIMIT 1", [busiest]) or "demo-trainee"
        result["pages_over_empty"] = page_ratios(db, username, trainee, repeat, manager, cohort_code)
    return result
