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
