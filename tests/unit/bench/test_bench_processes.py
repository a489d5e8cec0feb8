"""A small run of the benchmark's `processes` part (coordsupervise/bench/processes.py) on the throwaway PostgreSQL
cluster: sessions against two app processes behind nginx, started by serve.running() (the full part also runs
them against one process; that is the same code with one port).
Proves the part runs end to end, that nginx spread the sessions (each of the two processes served some of their
clicks) and that every row is there. No timing is asserted. Runs when PostgreSQL is
among --engines (always with CI=true)."""
from __future__ import annotations

import os

import pytest

from coordsupervise.bench import processes as bench_processes
from coordsupervise.i18n import translate
from tests.conftest import DEMO_TODAY, pg_demo_behind_nginx


@pytest.fixture
def pg_demo(request) -> str:
    with pg_demo_behind_nginx(request) as url:
        yield url


def test_sessions_spread_over_two_processes_behind_nginx_and_every_row_is_reported(pg_demo):
    sessions = 16  # random route cookies: all sixteen on one of two processes is about a 1-in-30,000 chance
    # two processes only: one process runs the same code with n = 1, and each setup costs the suite ~30 s of CPU
    found = bench_processes.measure(pg_demo, DEMO_TODAY, counts=(sessions,), seconds=8, interval=(1, 3),
                                    processes=2, repeat=1, with_one=False)
    assert found["base"] > 0 and set(found["setups"]) == {2}
    pages = {translate("ja", "nav.inbox"), translate("ja", "nav.cohorts"), translate("ja", "nav.cohort")}
    for n, periods in found["setups"].items():
        load, nginx_cpu = periods[sessions]
        assert load.errors == [] and len(load.latencies) >= sessions
        assert load.seen and load.seen <= pages  # logged in by the cookie: each click drew its page, not the login
        # every session was traced to the one process that served it, and every click counted on it
        assert sum(load.sessions_by_port.values()) == sessions
        assert sum(load.clicks_by_port.values()) == len(load.latencies)
        assert len(load.sessions_by_port) == n and all(load.clicks_by_port.get(p) for p in load.sessions_by_port)
        assert len(load.cpu_each) == n and all(share > 0 for share in load.cpu_each)
        assert load.peak_rss_mb > 0 and load.client_cpu > 0 and nginx_cpu >= 0
    rows = bench_processes.table_rows(found, (1, 3))
    measures = [row.measure for row in rows]
    for n in ("2 processes,",):
        mine = [m for m in measures if m.startswith(n)]
        assert load.window > 0 and 0 < load.clicks_in_window <= len(load.latencies)
        assert 0 < load.machine_busy <= os.cpu_count() and load.db_cpu > 0  # the test cluster runs here
        for what in ("rerun p50", "rerun p95 ÷", "CPU busy", "load generator (while clicking)", "peak resident memory",
                     "sessions / clicks", "errors", "whole machine CPU busy", "CPU per click",
                     "sessions one core carries"):
            assert any(what in m for m in mine), (n, what)
    assert measures[0].startswith("setup:") and all(row.part == "processes" for row in rows)


def test_the_absolute_p95_row_is_on_three_processes_at_200_sessions_with_its_target():
    load = bench_processes.Load(200, latencies=[0.5] * 19 + [2.0] * 2, cpu_each=[0.6, 0.6, 0.6], cpu_busy=1.8,
                                db_cpu=0.2, window=60.0, clicks_in_window=20)
    rows = bench_processes.period_rows("3 processes, 200 sessions", 3, 200, load, 0.1, 0.05)
    absolute = [row for row in rows if "SECONDS" in row.measure]
    assert len(absolute) == 1 and absolute[0].value == 2.0 and absolute[0].target == "≤ 1.5 s" and absolute[0].missed
    one = bench_processes.period_rows("1 process, 200 sessions", 1, 200, load, 0.1, 0.05)
    assert not any("SECONDS" in row.measure for row in one)
    assert [row for row in rows if "cores for 200 sessions" in row.measure]
    assert not [row for row in one if "cores for 200 sessions" in row.measure]


def test_a_bigger_machine_is_estimated_from_the_cpu_one_click_costs():
    # (1.8 app + 0.2 PostgreSQL) cores for 60 s = 120 core-seconds over 20 clicks: 6 core-seconds a click
    load = bench_processes.Load(200, cpu_busy=1.8, db_cpu=0.2, window=60.0, clicks_in_window=20)
    assert bench_processes.per_click(load) == pytest.approx(6.0)
    # one click per 20 s on average; at 70% busy one core gives 14 core-seconds per 20 s: 14 / 6 sessions
    assert bench_processes.sessions_per_core(load, (10.0, 30.0)) == pytest.approx(14 / 6)
    rows = bench_processes.period_rows("3 processes, 200 sessions", 3, 200, load, 0.1, 0.05, (10.0, 30.0))
    cores = next(row for row in rows if "cores for 200 sessions" in row.measure)
    assert cores.value == f"{200 / (14 / 6):.1f}"
    assert bench_processes.per_click(bench_processes.Load(5)) is None  # nothing clicked: no estimate


def test_without_a_postgresql_database_the_part_says_it_was_not_run():
    rows = bench_processes.rows(None, DEMO_TODAY)
    assert len(rows) == 1 and rows[0].measure.startswith("not run: needs --pg")
