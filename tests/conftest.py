"""Shared fixtures: a fresh database per test, and one small demo database built once per run and copied.

Both engines: `--engines duckdb,postgresql` (default: both when CI=true, else COORDSUPERVISE_TEST_ENGINES or
duckdb) runs every unit test that takes `db` or `demo_db` once per engine, except tests marked `duckdb_only`
(they work on the DuckDB file itself: copies, backups, crash recovery), and the page tests of PG_PAGE_MODULES;
reliability and browser tests stay on DuckDB. PostgreSQL runs on a throwaway cluster (tests/pgcluster.py)
started once per run; each test gets its own database cloned from a template (`CREATE DATABASE ... TEMPLATE`),
the PostgreSQL counterpart of copying the demo file."""
from __future__ import annotations

import functools
import itertools
import os
import shutil
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest

from coordsupervise import clock
from coordsupervise.access import Actor
from coordsupervise.demo.build import build_demo
from coordsupervise.programme import auth
from coordsupervise.programme.auth import load_login_user
from coordsupervise.store.db import Database
from coordsupervise.store.engine import open_database
from tests.pgcluster import Cluster

# The suite's day. The demo is built at it and the programme's clock (coordsupervise/clock.py) is set to it, in this
# process and, through COORDSUPERVISE_TODAY, in every server and command a test starts: no test depends on the day it
# runs. COORDSUPERVISE_TEST_TODAY runs the whole suite at another day (README, "Tests"); the tests whose subject is
# the calendar also run at the days of PROGRAMME_DAYS (the `programme_day` fixture).
DEMO_TODAY = date.fromisoformat(os.environ.get("COORDSUPERVISE_TEST_TODAY") or "2026-12-07")
os.environ[clock.TODAY_SETTING] = DEMO_TODAY.isoformat()
clock.travel_to(DEMO_TODAY)


ENGINES = ("duckdb", "postgresql")
# Page tests on PostgreSQL: every screen as every role (each screen's queries on the second engine) and not the
# rest, which test screen behaviour that does not depend on the engine; this keeps the suite within its time.
PG_PAGE_MODULES = {"test_routes_as_every_role.py"}
_DATABASE_FIXTURES = {"db", "demo_db", "page_db"}
_clone_numbers = itertools.count(1)


def pytest_addoption(parser):
    default = "duckdb,postgresql" if os.environ.get("CI") == "true" else \
        os.environ.get("COORDSUPERVISE_TEST_ENGINES", "duckdb")
    parser.addoption("--engines", default=default,
                     help="comma-separated database engines to run the database tests on: duckdb, postgresql")


def pytest_configure(config):
    config.addinivalue_line("markers", "duckdb_only: works on the DuckDB file itself; not run on PostgreSQL")
    # The accounts the tests make (the demo templates included, so every browser login too) are hashed with bcrypt's
    # smallest cost: a check takes a millisecond instead of a quarter of a second, which was about a minute of the
    # suite's CPU. What is checked is the same bcrypt; the app's own cost is asserted in a fresh process
    # (tests/unit/programme/test_auth.py::test_a_fresh_process_hashes_at_the_apps_cost).
    auth.BCRYPT_ROUNDS = 4
    _scan_installed_components_once()


def _scan_installed_components_once() -> None:
    """Every new AppTest scans the metadata of every installed package for Streamlit components (Streamlit 1.67:
    testing/v1/app_test.py calls components/v2/manifest_scanner.scan_component_manifests): 0.6 s of CPU for each
    page test, three minutes of the suite. The installed packages do not change during a run, so the first scan's
    answer serves every AppTest of this process. A real server scans once, at its start, as before."""
    from streamlit.components.v2 import manifest_scanner

    manifest_scanner.scan_component_manifests = functools.cache(manifest_scanner.scan_component_manifests)


def pytest_generate_tests(metafunc):
    if not _DATABASE_FIXTURES & set(metafunc.fixturenames):
        return
    engines = [e.strip() for e in metafunc.config.getoption("engines").split(",") if e.strip()]
    unknown = set(engines) - set(ENGINES)
    if unknown:
        raise pytest.UsageError(f"--engines: unknown {sorted(unknown)}; choose from {ENGINES}")
    path = metafunc.definition.path
    both = "unit" in path.parent.parts or (path.parent.name == "pages" and path.name in PG_PAGE_MODULES)
    if not both or metafunc.definition.get_closest_marker("duckdb_only"):
        engines = ["duckdb"]
    if engines != ["duckdb"]:
        metafunc.parametrize("engine", engines, indirect=True)


@pytest.fixture
def engine(request) -> str:
    """The engine this test runs on (parametrized by pytest_generate_tests; DuckDB when not)."""
    return getattr(request, "param", "duckdb")


@pytest.fixture(scope="session")
def pg_cluster():
    cluster = Cluster().start()
    yield cluster
    cluster.stop()


def wait_for(condition, seconds: float, step: float = 0.2) -> bool:
    """Whether `condition()` came true within `seconds`, looked at every `step` seconds."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return condition()


def _pg_admin(cluster: Cluster, *statements: str) -> None:
    import psycopg
    with psycopg.connect(cluster.url(), autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def _pg_clone(cluster: Cluster, template: str) -> str:
    name = f"test_{next(_clone_numbers)}"
    _pg_admin(cluster, f"CREATE DATABASE {name} TEMPLATE {template} STRATEGY FILE_COPY")
    return cluster.url(name)


def _pg_drop(cluster: Cluster, url: str) -> None:
    """A test's clone is dropped when the test ends, as a passed test's DuckDB copy is (pytest.ini)."""
    _pg_admin(cluster, f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)")


@contextmanager
def pg_demo_behind_nginx(request):
    """A PostgreSQL copy of the small demo for tests of several app processes behind nginx (serve.running()),
    dropped afterwards. Skips when PostgreSQL is not among --engines (it always is with CI=true) or when nginx is
    missing; with CI=true a missing nginx fails instead (scripts/test.sh installs Debian's)."""
    from coordsupervise.serve import NginxMissing, nginx_binary

    if "postgresql" not in request.config.getoption("engines"):
        pytest.skip("PostgreSQL is not among --engines (it always is with CI=true)")
    try:
        nginx_binary()
    except NginxMissing:
        if os.environ.get("CI", "").lower() == "true":
            raise
        pytest.skip("nginx is not installed (scripts/test.sh installs Debian's nginx)")
    cluster = request.getfixturevalue("pg_cluster")
    url = _pg_clone(cluster, request.getfixturevalue("pg_templates")["demo"])
    try:
        yield url
    finally:
        _pg_drop(cluster, url)


@pytest.fixture(scope="session")
def pg_templates(pg_cluster) -> dict[str, str]:
    """Two template databases built once: `fresh` (migrated, empty) and `demo` (the small demo)."""
    _pg_admin(pg_cluster, "CREATE DATABASE tpl_fresh", "CREATE DATABASE tpl_demo")
    open_database(pg_cluster.url("tpl_fresh")).close()
    database = open_database(pg_cluster.url("tpl_demo"))
    build_demo(database, cohorts=3, trainees_per_cohort=8, seed=7, today=DEMO_TODAY)
    database.close()
    return {"fresh": "tpl_fresh", "demo": "tpl_demo"}


def _database_target(engine: str, request, duckdb_path: Path, template: str) -> str | Path:
    if engine == "duckdb":
        return duckdb_path
    cluster = request.getfixturevalue("pg_cluster")
    return _pg_clone(cluster, request.getfixturevalue("pg_templates")[template])


def _drop_if_clone(engine: str, request, target: str | Path) -> None:
    if engine != "duckdb":
        _pg_drop(request.getfixturevalue("pg_cluster"), str(target))


@pytest.fixture
def db(engine, request, tmp_path) -> Database:
    target = _database_target(engine, request, tmp_path / "test.duckdb", "fresh")
    database = open_database(target)
    yield database
    database.close()
    _drop_if_clone(engine, request, target)


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    database = Database(path)
    build_demo(database, cohorts=3, trainees_per_cohort=8, seed=7, today=DEMO_TODAY)
    database.close()
    return path


# Days the calendar's rules are tried at besides the suite's own (tests/unit/test_any_day.py,
# tests/pages/test_any_day_pages.py): a Monday and a Saturday, a public holiday, Golden Week, the fiscal-year turn
# and a leap day.
PROGRAMME_DAYS = (date(2026, 12, 7), date(2026, 12, 12), date(2027, 1, 1), date(2027, 5, 3), date(2027, 3, 31),
                  date(2027, 4, 1), date(2028, 2, 29))


@pytest.fixture(scope="session")
def demo_at(tmp_path_factory):
    """`demo_at(day)`: the path of a small demo built with `day` as today, built once per day and process."""
    built: dict[date, Path] = {}

    def make(day: date) -> Path:
        if day not in built:
            path = tmp_path_factory.mktemp(f"demo-{day.isoformat()}") / "demo.duckdb"
            database = Database(path)
            build_demo(database, cohorts=3, trainees_per_cohort=8, seed=7, today=day)
            database.close()
            built[day] = path
        return built[day]

    return make


@pytest.fixture(params=PROGRAMME_DAYS, ids=lambda d: d.isoformat())
def programme_day(request, demo_at, tmp_path):
    """(day, path of this test's own copy of a demo built on that day), with the programme's clock at that day for
    the length of the test."""
    day = request.param
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_at(day), path)
    clock.travel_to(day)
    try:
        yield day, path
    finally:
        clock.travel_to(DEMO_TODAY)


@pytest.fixture
def demo_target(engine, request, tmp_path) -> str | Path:
    """Where this test's own copy of the small demo lives: a DuckDB file, or a PostgreSQL database's address."""
    if engine == "duckdb":
        path = tmp_path / "demo.duckdb"
        shutil.copy(request.getfixturevalue("demo_template"), path)
        yield path
        return
    target = _database_target(engine, request, tmp_path, "demo")
    yield target
    _drop_if_clone(engine, request, target)


@pytest.fixture
def demo_db(demo_target) -> Database:
    database = open_database(demo_target)
    yield database
    database.close()


def actor_of(database: Database, username: str) -> Actor:
    return load_login_user(database, username).actor()


@pytest.fixture
def new_trainee(demo_db):
    """A fresh trainee in demo-trainee's cohort (practical stage), supervised by demo-supervisor, with nothing
    written yet: (actor, enrolment)."""
    from coordsupervise.programme import enrolments
    from coordsupervise.programme.auth import insert_user

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
