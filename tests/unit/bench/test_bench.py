"""A small run of every part of the benchmark (coordsupervise/bench*.py) on the small demo: each part runs and
reports what it should, and each naive approach computes the same answer as the service it is compared with (else
its ratio would compare unlike things). No timing is asserted: the figures come from `python -m coordsupervise
bench` on the benchmark database."""
from __future__ import annotations

import os

import pytest

from coordsupervise.bench import cpu as bench_cpu
from coordsupervise.bench import naive as bench_naive
from coordsupervise.bench import pages as bench_pages
from coordsupervise.bench import run as bench
from coordsupervise.bench import sessions as bench_sessions
from coordsupervise.bench import writes as bench_writes
from coordsupervise.certification import certification
from coordsupervise.dashboards import risk
from coordsupervise.i18n import translate
from coordsupervise.routes import ROUTES
from tests.conftest import DEMO_TODAY, actor_of

pytestmark = pytest.mark.duckdb_only  # the benchmark measures the DuckDB file the app runs on by default


def test_a_visit_per_route_as_its_role_with_the_address_a_person_uses(demo_db):
    visits = bench_pages.visits(demo_db, DEMO_TODAY)
    assert [v.route for v in visits] == [r.path for r in ROUTES]
    for visit, route in zip(visits, ROUTES, strict=True):
        assert route.roles[0] in actor_of(demo_db, visit.username).roles
    by_route = {v.route: v for v in visits}
    assert set(by_route["inbox"].query) == {"r"} and set(by_route["scoring"].query) == {"s"}
    assert by_route["cohort"].address == f"/cohort?cohort={by_route['cohort'].query['cohort']}"


def test_every_route_runs_through_apptest_without_an_error(demo_db, monkeypatch):
    monkeypatch.setenv("COORDSUPERVISE_DB", demo_db.path)
    rows = bench.page_rows(demo_db, DEMO_TODAY, 1, warm=False)
    assert len(rows) == len(ROUTES)
    assert all(row.value > 0 and row.target == "≤ 3×" for row in rows)


def test_the_naive_at_risk_list_finds_the_same_trainees_for_the_same_reasons(demo_db):
    found = risk.at_risk(demo_db, actor_of(demo_db, "demo-manager"), DEMO_TODAY)
    ours = {(int(e), rule, int(n)) for e, reasons in zip(found["enrolment_id"], found["reasons"], strict=True)
            for rule, n, _ in reasons}
    assert ours and bench_naive.at_risk(demo_db, DEMO_TODAY) == ours


def test_the_naive_certification_board_reaches_the_same_checks(demo_db):
    manager = actor_of(demo_db, "demo-manager")
    for (cohort_id,) in demo_db.rows("SELECT id FROM cohort"):
        ours = bench_naive.board_as_checks(certification.board(demo_db, manager, cohort_id, DEMO_TODAY))
        assert ours and bench_naive.certification_board(demo_db, cohort_id, DEMO_TODAY) == ours


def test_query_rows_compare_every_service_with_its_naive_approach(demo_db):
    rows = bench.query_rows(demo_db, DEMO_TODAY, 1)
    assert [r.measure.split(":")[0].split(" ")[0] for r in rows] == ["inbox", "inbox", "cohort", "at-risk",
                                                                      "certification"]
    assert all(r.value > 0 and r.missed == (r.value < 10) for r in rows)


def test_writes_at_once_are_each_in_the_database_exactly_once(demo_db):
    before = demo_db.value("SELECT count(*) FROM feedback")
    timed = bench_writes.latencies(demo_db, DEMO_TODAY, 2)
    assert set(timed) == {"submit", "reply", "score"} and all(f["n"] == 2 for f in timed.values())
    found = bench_writes.rush(demo_db, DEMO_TODAY, 12)
    assert found["threads"] == 12 and all(found["kinds"].values())
    assert (found["acknowledged"], found["exactly_once"], found["errors"]) == (12, 12, {})
    assert demo_db.value("SELECT count(*) FROM feedback") == before + 2 + found["kinds"]["reply"]


def test_the_table_names_the_misses():
    rows = [bench.Row("queries", "inbox", 12.0, "≥ 10×", False), bench.Row("pages", "/cohort", 3.4, "≤ 3×", True)]
    text = bench.table({"cohorts": 3, "reflections": 1234, "machine": "2 cores", "rows": rows})
    assert "| pages | /cohort | 3.40 | ≤ 3× | ✗ |" in text and "Missed: /cohort" in text


def test_sessions_log_in_over_the_websocket_and_each_click_draws_its_page(demo_db):
    """Three sessions of the many-sessions part, clicking every 1-2 s for a few seconds: every one logged in by its
    cookie and each click drew the inbox or a cohort dashboard, not the login form."""
    found = bench_sessions.measure(demo_db, DEMO_TODAY, counts=(3,), seconds=8, interval=(1, 2), repeat=1)
    load = found["loads"][3]
    assert load.errors == [] and len(load.latencies) >= 3
    assert load.seen and load.seen <= {translate("ja", "nav.inbox"), translate("ja", "nav.cohorts"),
                                        translate("ja", "nav.cohort")}
    assert found["base"] > 0 and set(found["alone"]) == {"supervisor", "manager"}
    # three sessions need not raise the warm process's memory (what runs leave is collected after each run)
    assert found["idle_mb"] > 0 and 0 < load.rss_mb <= load.peak_rss_mb and load.cpu_busy > 0
    # the CPU one click costs (on a crowded machine no click may finish within the few seconds' window)
    assert bench_sessions.per_click(load) > 0 if load.clicks_in_window else bench_sessions.per_click(load) is None


def test_server_cpu_per_rerun_is_measured_per_route_beside_an_empty_app(demo_db):
    """The cpu part over the websocket: each route's reruns drew its page as its role (no error), the server's
    script runs were counted from its own messages, and the empty app was measured beside every route."""
    routes = {"account", "admin", "register", "inbox", "cohort"}
    found = bench_cpu.measure(demo_db, DEMO_TODAY, reruns=2, routes=routes)
    assert {visit.route for visit, _ in found["routes"]} == routes
    assert all(block.clicks == 2 and block.runs >= 2 and block.cpu >= 0 for _, block in found["routes"])
    assert found["base"].runs == 2 * len(routes) and found["base"].cpu > 0
    rows = bench_cpu.as_rows(found)
    assert rows[0].measure.startswith("empty app") and len(rows) == 1 + len(routes)
    targets = {row.measure.split(" ")[0].split("?")[0]: row.target for row in rows[1:]}
    assert targets == {"/account": "≤ 1.3×", "/admin": "≤ 1.3×", "/register": "≤ 1.3×", "/inbox": "≤ 2×",
                       "/cohort": "≤ 2×"}
    assert all(row.value >= 0 and row.missed == (row.value > float(row.target[2:-1])) for row in rows[1:])


def test_saturation_is_where_a_core_is_full_or_estimated_from_the_largest_count():
    full = {50: bench_sessions.Load(50, latencies=[1.0], cpu_busy=0.5),
            100: bench_sessions.Load(100, latencies=[2.0], cpu_busy=0.97)}
    assert bench_sessions.saturation(full).startswith("≤ 100")
    ok = bench_sessions.Load(50, latencies=[0.5], cpu_busy=0.25)
    assert bench_sessions.saturation({50: ok}).startswith("≈ 200")
    failed = bench_sessions.Load(100, errors=["open: TimeoutError()"], cpu_busy=0.01)
    assert bench_sessions.saturation({50: ok, 100: failed}) == "≤ 100 (sessions failed at 100)"
    # the process had spare CPU, but the machine (load generator, database, other processes) had none
    crowded = bench_sessions.Load(100, latencies=[3.0], cpu_busy=0.7, machine_busy=float(os.cpu_count()))
    assert bench_sessions.saturation({50: ok, 100: crowded}).startswith("≤ 100 (the machine's")


def test_cpu_per_click_and_the_sessions_one_process_carries_at_70_percent():
    load = bench_sessions.Load(50, latencies=[0.5] * 30, cpu_busy=0.5, window=60.0, clicks_in_window=30)
    assert bench_sessions.per_click(load) == 1.0  # 30 core-seconds over 30 clicks
    assert bench_sessions.sessions_per_core(load, (10.0, 30.0)) == 14.0  # 0.7 × 20 s ÷ 1 core-second
    assert bench_sessions.per_click(bench_sessions.Load(5)) is None
