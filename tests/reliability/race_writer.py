"""The child processes of the PostgreSQL race tests (test_pg_processes.py): each opens its own Database on the
shared PostgreSQL database, as an app process would, waits at a barrier with the other process so both act on
what they saw at the same moment, calls one service and reports ("saved"|"refused", its text) on a queue."""
from __future__ import annotations

from dataclasses import replace
from datetime import date

from coordsupervise.errors import StaleWrite
from coordsupervise.practice import reflections, supervision
from coordsupervise.programme import enrolments
from coordsupervise.programme.auth import load_login_user
from coordsupervise.store.engine import open_database


def submit_revision(url: str, trainee: str, day_iso: str, base_version: int, insight: str, today_iso: str,
                    barrier, results) -> None:
    """The trainee submits a revision of the day's reflection from a tab served by this process."""
    db = open_database(url)
    try:
        actor = load_login_user(db, trainee).actor()
        enrolment = enrolments.current_for_trainee(db, actor)
        day, today = date.fromisoformat(day_iso), date.fromisoformat(today_iso)
        body = replace(reflections.open_day(db, actor, enrolment, day).body, insight=insight)
        barrier.wait(timeout=30)
        try:
            reflections.submit(db, actor, enrolment, day, body, base_version, set(), today)
            results.put(("saved", insight))
        except StaleWrite:
            results.put(("refused", insight))
    finally:
        db.close()


def send_reply(url: str, supervisor: str, reflection_id: int, seen_version: int, seen_thread_length: int,
               text: str, barrier, results) -> None:
    """The supervisor sends a reply from a tab served by this process."""
    db = open_database(url)
    try:
        actor = load_login_user(db, supervisor).actor()
        barrier.wait(timeout=30)
        try:
            supervision.send_reply(db, actor, reflection_id, text, seen_version, seen_thread_length)
            results.put(("saved", text))
        except StaleWrite:
            results.put(("refused", text))
    finally:
        db.close()
