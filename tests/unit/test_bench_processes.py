"""A small run of the benchmark's `processes` part (coordsupervise/bench_processes.py) on the throwaway PostgreSQL
cluster: sessions against two app processes behind nginx, started by serve.running() (the full part also runs
them against one process; that is the same code with one port).
Proves the part runs end to end, that nginx spread the sessions (each of the two processes served some of their
clicks) and that every row is there. No timing is asserted. Runs when PostgreSQL is
among --engines (always with CI=true)."""
from __future__ import annotations

import pytest

from coordsupervise import bench_processes
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
        for what in ("rerun p50", "rerun p95 ÷", "CPU busy", "load generator (while clicking)", "peak resident memory",
                     "sessions / clicks", "errors"):
            assert any(what in m for m in mine), (n, what)
    assert measures[0].startswith("setup:") and all(row.part == "processes" for row in rows)


def test_the_absolute_p95_row_is_on_three_processes_at_200_sessions_with_its_target():
    load = bench_processes.Load(200, latencies=[0.5] * 19 + [2.0] * 2, cpu_each=[0.6, 0.6, 0.6], cpu_busy=1.8)
    rows = bench_processes.period_rows("3 processes, 200 sessions", 3, 200, load, 0.1, 0.05)
    absolute = [row for row in rows if "SECONDS" in row.measure]
    assert len(absolute) == 1 and absolute[0].value == 2.0 and absolute[0].target == "≤ 1.5 s" and absolute[0].missed
    assert not any("SECONDS" in row.measure for row in
                   bench_processes.period_rows("1 process, 200 sessions", 1, 200, load, 0.1, 0.05))


def test_without_a_postgresql_database_the_part_says_it_was_not_run():
    rows = bench_processes.rows(None, DEMO_TODAY)
    assert len(rows) == 1 and rows[0].measure.startswith("not run: needs --pg")
