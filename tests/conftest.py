"""Shared fixtures: a fresh database per test, and one small demo database built once per run and copied."""
from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from coordsupervise.access import Actor
from coordsupervise.auth import load_login_user
from coordsupervise.db import Database
from coordsupervise.demo import build_demo

# the demo is placed relative to the day the tests run (Asia/Tokyo), as the app places it relative to today
DEMO_TODAY = datetime.now(ZoneInfo("Asia/Tokyo")).date()


@pytest.fixture
def db(tmp_path) -> Database:
    database = Database(tmp_path / "test.duckdb")
    yield database
    database.close()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    database = Database(path)
    build_demo(database, cohorts=3, trainees_per_cohort=8, seed=7, today=DEMO_TODAY)
    database.close()
    return path


@pytest.fixture
def demo_db(demo_template, tmp_path) -> Database:
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_template, path)
    database = Database(path)
    yield database
    database.close()


def actor_of(database: Database, username: str) -> Actor:
    return load_login_user(database, username).actor()


@pytest.fixture
def new_trainee(demo_db):
    """A fresh trainee in demo-trainee's cohort (practical stage), supervised by demo-supervisor, with nothing
    written yet: (actor, enrolment)."""
    from coordsupervise import enrolments
    from coordsupervise.auth import insert_user

    cohort_id = enrolments.current_for_trainee(demo_db, actor_of(demo_db, "demo-trainee")).cohort_id
    supervisor_id = actor_of(demo_db, "demo-supervisor").id

    def enrol(tx):
        user_id = insert_user(tx, "test-trainee", "試験 花子", "x", ("trainee",))
        enrolment_id = tx.value("INSERT INTO enrolment (cohort_id, trainee_id) VALUES (?, ?) RETURNING id",
                                [cohort_id, user_id])
        tx.execute("INSERT INTO supervision (enrolment_id, supervisor_id) VALUES (?, ?)",
                   [enrolment_id, supervisor_id])

    demo_db.write(enrol)
    actor = actor_of(demo_db, "test-trainee")
    return actor, enrolments.current_for_trainee(demo_db, actor)
