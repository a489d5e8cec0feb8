"""Speed as people feel it, at benchmark size, reported as ratios measured in one run (never absolute times, never
test assertions). Parts (`--parts`, in this order; writes last since they add rows):
- queries: each service ÷ a load-everything pandas approach computing the same answer (bench/naive.py): the inbox,
  the cohort dashboards' metrics, the at-risk list and the certification board. Target: 10× faster or more.
- pages: every route of routes.py, as its role and with the address a real visit carries, through AppTest (warm)
  ÷ an empty Streamlit page (bench/pages.py). Target: 3× or less.
- cpu: every route's server CPU per rerun (from /proc, runs counted by Streamlit's `script_finished` messages) over
  `streamlit run app.py`'s websocket ÷ an empty app's, in the same run (bench/cpu.py). Target: 2× or less, 1.3× on
  /account, /admin and /register.
- browser: in Chromium against `streamlit run`, logging in, every route settled and the busy screens' most frequent
  actions ÷ an empty app's page load (bench/browser.py). Target: 3× or less.
- sessions: 50 then 100 sessions on one `streamlit run` process over Streamlit's websocket protocol, clicking every
  10-30 s on the inbox and the cohort dashboards: rerun p50/p95 ÷ an empty app's rerun, resident memory, CPU
  (bench/sessions.py).
- processes: the same many sessions on 1 app process and on N behind nginx, on PostgreSQL (`--pg`, a database
  holding the same data: `migrate --from FILE --to URL`), at 100 and 200 sessions: rerun p50/p95 ÷ the empty app's
  rerun, and the p95 in seconds where issue 15's target is absolute; CPU per process, memory, the load generator's
  own CPU (bench/processes.py).
- guard: the privacy guard's scan of a 2,000-character reflection, as written and dense with identifiers, in
  milliseconds (best of --repeat × 4; its target is absolute, 20 ms, since it runs at every autosave and submit)
  (bench/guard.py).
- writes: a reflection submit, a feedback reply and a score save through the services, median and p95 ÷ an empty
  write transaction; then many threads writing at once, every acknowledged write present exactly once
  (bench/writes.py).
Run against a large demo database, app stopped:

    python -m coordsupervise --db data/bench.duckdb demo --cohorts 100 --trainees 50 --replace
    python -m coordsupervise --db data/bench.duckdb bench --out data/bench-results.md
"""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from ..certification import certification
from ..dashboards import dashboard, risk
from ..practice import inbox
from ..practice.inbox import InboxFilter
from ..programme.auth import load_login_user
from ..store.db import Database
from . import guard as bench_guard
from . import naive as bench_naive
from . import pages as bench_pages
from . import writes as bench_writes
from .pages import timed
from .report import Row


def ours_dashboard(db: Database, actor, cohort_id: int, today):
    cohort_ids = [cid for (cid,) in db.rows("SELECT id FROM cohort")]
    return (dashboard.cohort_metrics(db, actor, today, cohort_ids),
            dashboard.submission_rate_by_day(db, actor, cohort_id, today))


def _faster(name: str, ours: float, naive: float) -> Row:
    times = naive / ours
    return Row("queries", f"{name}: naive ÷ ours (× faster)", times, "≥ 10×", times < 10)


def query_rows(db: Database, today, repeat: int) -> list[Row]:
    who = bench_pages.cast(db, today)
    busiest = db.value("SELECT id FROM app_user WHERE username = ?", [who.supervisor])
    actor = load_login_user(db, who.supervisor).actor()
    boss = load_login_user(db, who.manager).actor()
    cohort_id = db.value("SELECT id FROM cohort WHERE code = ?", [who.cohort_code])

    def ours_inbox():
        inbox.counts(db, actor)
        inbox.page(db, actor, InboxFilter(), 1)
        inbox.next_unread(db, actor, InboxFilter())

    naive_repeat = max(1, repeat // 2)
    naive_inbox_s = timed(lambda: bench_naive.inbox_page(db, busiest), naive_repeat)
    rows = [_faster(f"inbox of {who.supervisor} (counts, first page, next unread)", timed(ours_inbox, repeat),
                    naive_inbox_s),
            _faster("inbox search 在留期限", timed(lambda: inbox.page(db, actor, InboxFilter(query="在留期限"), 1),
                                                  repeat), naive_inbox_s),
            _faster(f"cohort dashboards (all cohorts + {who.cohort_code} by day)",
                    timed(lambda: ours_dashboard(db, boss, cohort_id, today), repeat),
                    timed(lambda: bench_naive.cohort_dashboards(db, cohort_id, today), naive_repeat)),
            _faster("at-risk list (all cohorts, manager)", timed(lambda: risk.at_risk(db, boss, today), repeat),
                    timed(lambda: bench_naive.at_risk(db, today), naive_repeat)),
            _faster(f"certification board {who.cohort_code}",
                    timed(lambda: certification.board(db, boss, cohort_id, today), repeat),
                    timed(lambda: bench_naive.certification_board(db, cohort_id, today), naive_repeat))]
    return rows


def page_rows(db: Database, today, repeat: int, warm: bool = True) -> list[Row]:
    return [Row("pages", f"{name} script ÷ empty page", ratio, "≤ 3×", ratio > 3)
            for name, ratio in bench_pages.script_ratios(db, today, repeat, warm).items()]


def write_rows(db: Database, today, writes: int, threads: int) -> list[Row]:
    rows = []
    for kind, figures in bench_writes.latencies(db, today, writes).items():
        rows.append(Row("writes", f"{kind} ×{figures['n']}: median ÷ empty write", figures["median"]))
        rows.append(Row("writes", f"{kind} ×{figures['n']}: p95 ÷ empty write", figures["p95"]))
    found = bench_writes.rush(db, today, threads)
    kinds = ", ".join(f"{n} {k}" for k, n in found["kinds"].items())
    errors = ", ".join(f"{n} {k}" for k, n in found["errors"].items()) or "none"
    bad = found["exactly_once"] != found["threads"]
    rows.append(Row("writes", f"{found['threads']} threads at once ({kinds}): acknowledged / present exactly once "
                              f"/ missing / duplicated / errors",
                    f"{found['acknowledged']} / {found['exactly_once']} / {found['missing']} / "
                    f"{found['duplicated']} / {errors}", "all acknowledged, each once", bad))
    return rows


PARTS = ("queries", "pages", "cpu", "browser", "sessions", "processes", "guard", "writes")


def run(db: Database, repeat: int = 5, parts=PARTS, writes: int = 30, threads: int = 200,
        browser_repeat: int = 3, sessions: tuple[int, ...] | None = None, session_seconds: float = 120.0,
        pg: str | None = None, processes: int = 3) -> dict:
    """Every part asked for, as rows of one table."""
    today = datetime.now(ZoneInfo("Asia/Tokyo")).date()
    rows: list[Row] = []
    if "queries" in parts:
        rows += query_rows(db, today, repeat)
    if "pages" in parts:
        rows += page_rows(db, today, repeat)
    if "cpu" in parts:
        from . import cpu as bench_cpu  # starts servers: loaded only when asked for
        rows += bench_cpu.rows(db, today, reruns=4 * repeat)
    if "browser" in parts:
        from . import browser as bench_browser  # the parts that drive browsers and servers load only when asked for
        rows += bench_browser.rows(db, today, browser_repeat)
    if "sessions" in parts:
        from . import sessions as bench_sessions
        rows += bench_sessions.rows(db, today, sessions or (50, 100), session_seconds)
    if "processes" in parts:
        from . import processes as bench_processes
        rows += bench_processes.rows(pg, today, sessions or (100, 200), session_seconds, processes=processes,
                                     repeat=repeat)
    if "guard" in parts:
        rows += bench_guard.rows(repeat * 4)
    if "writes" in parts:
        rows += write_rows(db, today, writes, threads)
    return {"reflections": db.value("SELECT count(*) FROM reflection"),
            "cohorts": db.value("SELECT count(*) FROM cohort"), "machine": machine(), "rows": rows}


def machine() -> str:
    import os
    import platform
    return f"{os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}"


def _shown(value) -> str:
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def table(result: dict) -> str:
    """The result as a Markdown table, with what it was measured on; misses marked ✗."""
    lines = [f"Benchmark: {result['cohorts']} cohorts, {result['reflections']:,} reflections; {result['machine']}; "
             f"{datetime.now(ZoneInfo('Asia/Tokyo')):%Y-%m-%d %H:%M} JST", "",
             "| part | measure | ratio / count | target | |", "|---|---|---:|---|---|"]
    for row in result["rows"]:
        mark = "✗" if row.missed else ("✓" if row.target else "")
        lines.append(f"| {row.part} | {row.measure} | {_shown(row.value)} | {row.target} | {mark} |")
    missed = [row.measure for row in result["rows"] if row.missed]
    lines += ["", "Missed: " + ("; ".join(missed) if missed else "none")]
    return "\n".join(lines) + "\n"
