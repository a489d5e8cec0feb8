"""The visits the benchmark makes: every route of routes.py, as a person of its role, with the address a real
visit carries (an opened reflection in the inbox, a submission in the scoring view, a cohort on the dashboards...),
chosen from the database at hand so the busiest people and cohorts are measured. Shared by the AppTest script
runs (here) and the browser runs (bench/browser.py)."""
from __future__ import annotations

import os
import statistics
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..clock import now_utc
from ..practice import inbox
from ..practice.inbox import InboxFilter
from ..programme.auth import load_login_user
from ..routes import ROUTES
from ..scoring import scoring
from ..scoring.scoring import QueueFilter
from ..store.db import Database

ROOT = Path(__file__).resolve().parents[2]
EMPTY_PAGE = "import streamlit as st\nst.title('empty')\n"


@dataclass(frozen=True)
class Visit:
    route: str
    username: str
    query: dict = field(default_factory=dict)

    @property
    def address(self) -> str:
        """The path and query string a browser opens."""
        query = "&".join(f"{k}={v}" for k, v in self.query.items())
        return f"/{self.route}" + (f"?{query}" if query else "")


@dataclass(frozen=True)
class Cast:
    """Who visits: the busiest supervisor, one of their active trainees, a manager, an admin; and the cohort in
    the middle of its practical stage (the busiest single-cohort screens)."""
    supervisor: str
    trainee: str
    trainee_enrolment: int
    manager: str
    admin: str
    cohort_code: str


def cast(db: Database, today: date) -> Cast:
    # the busiest by trainees still in training (at benchmark size most cohorts have finished; their supervisors
    # have nothing left to read), then by all trainees ever supervised
    busiest = db.value("SELECT s.supervisor_id FROM supervision s JOIN enrolment e ON e.id = s.enrolment_id "
                       "GROUP BY s.supervisor_id ORDER BY count(*) FILTER (WHERE e.status = 'active') DESC, "
                       "count(*) DESC, s.supervisor_id LIMIT 1")
    supervisor = db.value("SELECT username FROM app_user WHERE id = ?", [busiest])
    trainee, enrolment = db.one(
        "SELECT u.username, e.id FROM supervision s JOIN enrolment e ON e.id = s.enrolment_id "
        "JOIN app_user u ON u.id = e.trainee_id JOIN cohort_stage p ON p.cohort_id = e.cohort_id "
        "AND p.stage = 'practical' WHERE s.supervisor_id = ? AND e.status = 'active' "
        "ORDER BY (p.starts_on <= ? AND ? <= p.ends_on) DESC, e.id LIMIT 1", [busiest, today, today])
    manager = db.value("SELECT u.username FROM app_user u JOIN user_role r ON r.user_id = u.id "
                       "WHERE r.role = 'manager' ORDER BY u.id LIMIT 1")
    admin = db.value("SELECT u.username FROM app_user u JOIN user_role r ON r.user_id = u.id "
                     "WHERE r.role = 'admin' ORDER BY u.id LIMIT 1")
    cohort_code = db.value(
        "SELECT c.code FROM cohort c JOIN cohort_stage s ON s.cohort_id = c.id AND s.stage = 'practical' "
        "WHERE s.starts_on <= ? ORDER BY s.starts_on DESC, c.id LIMIT 1", [today])
    return Cast(supervisor, trainee, enrolment, manager, admin, cohort_code)


def visits(db: Database, today: date) -> list[Visit]:
    """One visit per route, in routes.py order, each by a person of the route's first role."""
    who = cast(db, today)
    supervisor = load_login_user(db, who.supervisor).actor()
    opened = inbox.next_unread(db, supervisor, InboxFilter())
    if opened is None:
        found, _ = inbox.page(db, supervisor, InboxFilter(), 1)
        opened = None if found.empty else int(found["id"].iloc[0])
    queued, _ = scoring.queue(db, supervisor, QueueFilter(), limit=1)
    by_role = {"trainee": who.trainee, "supervisor": who.supervisor, "manager": who.manager, "admin": who.admin}
    query = {
        "inbox": {"r": opened} if opened else {},
        "scoring": {"s": queued[0]["submission_id"]} if queued else {},
        "trainee": {"e": who.trainee_enrolment},
        "cohort": {"cohort": who.cohort_code},
        "workshop": {"cohort": who.cohort_code},
        "certification": {"cohort": who.cohort_code},
        "admin": {"cohort": who.cohort_code},
    }
    return [Visit(r.path, by_role[r.roles[0]], {k: str(v) for k, v in query.get(r.path, {}).items()})
            for r in ROUTES]


def timed(fn, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def script_ratios(db: Database, today: date, repeat: int, warm: bool = True) -> dict[str, float]:
    """Each route's full script run ÷ an empty page's, both through AppTest in this process (warm: the first run
    of each fills the caches a person's second visit finds). The app's cached Database opens `db`'s file."""
    from streamlit.testing.v1 import AppTest

    os.environ["COORDSUPERVISE_DB"] = db.path

    def screen(visit: Visit):
        def go():
            at = AppTest.from_file(str(ROOT / f"pages/{visit.route}.py"), default_timeout=180)
            at.query_params.update(visit.query)
            at.session_state["authentication_status"] = True
            at.session_state["username"] = visit.username
            at.session_state["cs_login_at"] = now_utc()
            at.run()
            if at.exception:  # a benchmark of a failing page would measure an error screen
                raise RuntimeError(f"{visit.address} as {visit.username} failed: {at.exception}")
        return go

    def empty():
        AppTest.from_string(EMPTY_PAGE).run()

    empty()  # warm up Streamlit itself
    base = timed(empty, repeat)
    out = {}
    for visit in visits(db, today):
        if warm:
            screen(visit)()
        out[f"{visit.address} ({visit.username})"] = timed(screen(visit), repeat) / base
    return out
