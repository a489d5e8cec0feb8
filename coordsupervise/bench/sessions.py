"""Many sessions on one `streamlit run` process, as an evening of colleagues clicking at once.

Each session is a lightweight websocket client speaking Streamlit's own protocol (BackMsg / ForwardMsg protobufs over
/_stcore/stream, exactly what the browser's frontend sends), logged in by the app's signed login cookie (forged with
the key the server is started with, as a browser that logged in earlier carries it). A browser context per session
would cost the 2-core machine more than the server under test. Half the sessions are supervisors on the inbox, half
managers on the cohort dashboards (the overview, or one cohort chosen at random: the "change of cohort"); each
clicks every 10-30 s (seeded), and a click is a rerun of its page: the time from sending it to the server's
"script finished" is the rerun latency a person waits for before the page is drawn. The browser's drawing is not in
it (bench_browser measures that). Reported as ratios ÷ the same rerun of an empty app over the same websocket, with
the server process's resident memory and how busy its CPU was (from /proc), the CPU one click costs (the server
process's CPU within the clicking window ÷ the clicks finished in it; DuckDB runs inside that process) and the
sessions one process carries at 70% of a core at this click rate."""
from __future__ import annotations

import asyncio
import concurrent.futures
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from ..store.db import Database
from . import pages as bench_pages
from .browser import (  # (login_cookie, COOKIE: for cpu, processes)
    COOKIE,
    login_cookie,
    served_copies,
    streamlit_process,
)
from .report import Row

RUN_TIMEOUT = 300.0


def run_async(coroutine):
    """asyncio.run, also from a thread that already runs an event loop (a test process that drove a browser with
    Playwright's sync API keeps one): the sessions then run on a thread of their own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


class Session:
    """One browser tab's conversation with the server, without the browser. Like a browser behind `serve`'s nginx,
    it carries its own route cookie (`cs_route`, random), so sessions spread over the app processes and each stays
    on one; a single `streamlit run` ignores it."""

    def __init__(self, url: str, cookie: str | None = None):
        self.url = url.replace("http://", "ws://") + "/_stcore/stream"
        self.cookie = cookie
        self.route = secrets.token_hex(16)
        self.app_port: int | None = None  # the app process that serves it, when the caller found out (bench_processes)
        self._finished = asyncio.Event()
        self._failed: str | None = None
        self._socket = None
        self._reader = None
        self.headings: list[str] = []  # the titles the last run drew: proves which page a person saw
        self.runs = 0  # script runs the server finished for this session, of any ending (bench/cpu.py)

    async def open(self) -> None:
        cookies = [f"{COOKIE}={self.cookie}"] if self.cookie else []
        headers = {"Cookie": "; ".join([*cookies, f"cs_route={self.route}"])}
        self._socket = await websockets.connect(self.url, subprotocols=["streamlit"], additional_headers=headers,
                                                max_size=None, open_timeout=RUN_TIMEOUT, ping_timeout=None)
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for data in self._socket:
            msg = ForwardMsg()
            msg.ParseFromString(data)
            kind = msg.WhichOneof("type")
            if kind == "script_finished":
                self.runs += 1
            if kind == "script_finished" and msg.script_finished in (ForwardMsg.FINISHED_SUCCESSFULLY,
                                                                     ForwardMsg.FINISHED_WITH_COMPILE_ERROR):
                self._finished.set()
            elif kind == "delta" and msg.delta.new_element.WhichOneof("type") == "exception":
                self._failed = msg.delta.new_element.exception.message
            elif kind == "delta" and msg.delta.new_element.WhichOneof("type") == "heading":
                self.headings.append(msg.delta.new_element.heading.body)

    async def rerun(self, page: str, query: str = "") -> float:
        """Ask for a run of `page` (its url path) with `query`, as a click or a navigation does; seconds until the
        run (and any rerun it asked for) has finished."""
        msg = BackMsg()
        state = msg.rerun_script
        state.page_name, state.query_string = page, query
        state.context_info.timezone, state.context_info.locale = "Asia/Tokyo", "ja-JP"
        state.widget_states.SetInParent()
        self._finished.clear()
        self.headings = []
        started = time.perf_counter()
        await self._socket.send(msg.SerializeToString())
        await asyncio.wait_for(self._finished.wait(), RUN_TIMEOUT)
        if self._failed:
            raise RuntimeError(f"/{page}?{query} failed on the server: {self._failed}")
        return time.perf_counter() - started

    async def close(self) -> None:
        await self._socket.close()
        self._reader.cancel()


@dataclass(frozen=True)
class Clicker:
    """Who a session is and what it clicks: (page, query) choices, one drawn at random per click."""
    username: str
    choices: tuple[tuple[str, str], ...]


def clickers(db: Database, today: date, count: int) -> list[Clicker]:
    """Half supervisors on the inbox (the busiest first, an opened reflection or the list), half managers on the
    cohort dashboards (the overview or one cohort, the cohorts mid-practice first)."""
    who = bench_pages.cast(db, today)
    supervisors = [name for (name,) in db.rows(
        "SELECT u.username FROM supervision s JOIN app_user u ON u.id = s.supervisor_id "
        "JOIN enrolment e ON e.id = s.enrolment_id GROUP BY u.username "
        "ORDER BY count(*) FILTER (WHERE e.status = 'active') DESC, count(*) DESC, u.username LIMIT ?",
        [max(1, count // 2)])]
    managers = [name for (name,) in db.rows(
        "SELECT u.username FROM app_user u JOIN user_role r ON r.user_id = u.id WHERE r.role = 'manager' "
        "ORDER BY u.id LIMIT ?", [max(1, count // 2)])]
    cohorts = [code for (code,) in db.rows(
        "SELECT c.code FROM cohort c JOIN cohort_stage s ON s.cohort_id = c.id AND s.stage = 'practical' "
        "ORDER BY (s.starts_on <= ? AND ? <= s.ends_on) DESC, s.starts_on DESC, c.id LIMIT 10", [today, today])]
    cohorts = cohorts or [who.cohort_code]
    inbox_pages = (("inbox", ""), ("inbox", "unread=1"))
    dashboard_pages = (("cohorts", ""), *(("cohort", f"cohort={code}") for code in cohorts))
    out = []
    for n in range(count):
        if n % 2 == 0:
            out.append(Clicker(supervisors[(n // 2) % len(supervisors)], inbox_pages))
        else:
            out.append(Clicker(managers[(n // 2) % len(managers)], dashboard_pages))
    return out


@dataclass
class Load:
    """What one period of many sessions found."""
    sessions: int
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    rss_mb: float = 0.0
    peak_rss_mb: float = 0.0
    cpu_busy: float = 0.0  # share of one core the server processes used during the clicking, summed
    cpu_each: list[float] = field(default_factory=list)  # the same per server process, in the order given
    client_cpu: float = 0.0  # share of one core this load generator used meanwhile (it runs on the same machine)
    machine_busy: float = 0.0  # cores busy on the whole machine meanwhile (from /proc/stat): 2.0 = two cores full
    db_cpu: float = 0.0  # share of one core the database server's processes used meanwhile, when it runs here
    window: float = 0.0  # seconds of clicking the CPU figures cover (clicks still running at its end then finish)
    clicks_in_window: int = 0  # clicks finished within the window
    seen: set[str] = field(default_factory=set)  # the title of each page a click drew
    clicks_by_port: dict[int, int] = field(default_factory=dict)  # clicks per app process, when sessions know it
    sessions_by_port: dict[int, int] = field(default_factory=dict)


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    """CPU seconds a process (all its threads) has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _machine_jiffies() -> tuple[int, int]:
    """(all, idle) clock ticks of every core so far, from the first line of /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]  # guest time is in user
    return sum(values), values[3] + values[4]  # idle + iowait


def _parent(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("PPid:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def database_server_pid(db) -> int | None:
    """The PostgreSQL postmaster serving `db`, when it runs on this machine (the parent of our own backend);
    None for DuckDB or a database elsewhere."""
    if db.engine != "postgresql":
        return None
    backend = db.value("SELECT pg_backend_pid()")
    parent = _parent(backend)
    return parent if parent and Path(f"/proc/{parent}/comm").read_text().strip() == "postgres" else None


def _server_cpu(root: int | None) -> dict[int, float]:
    """CPU seconds so far of the database server `root` and its own processes (backends, writers): that cluster
    only, not any other PostgreSQL on the machine (a test cluster, a system one)."""
    if root is None:
        return {}
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            pid = int(entry.name)
            try:
                if pid == root or _parent(pid) == root:
                    found[pid] = cpu_seconds(pid)
            except OSError:
                continue  # gone meanwhile
    return found


@dataclass
class _CpuMark:
    """Every CPU counter the sessions' figures compare, at one moment."""
    at: float
    apps: list[float]
    client: float
    machine: tuple[int, int]
    db: dict[int, float]

    @classmethod
    def now(cls, pids: list[int], db_server: int | None = None) -> _CpuMark:
        return cls(time.perf_counter(), [cpu_seconds(pid) for pid in pids], time.process_time(), _machine_jiffies(),
                   _server_cpu(db_server))

    def until(self, later: _CpuMark, load: Load) -> None:
        """Fill `load`'s CPU figures with what was used between this mark and `later`."""
        wall = later.at - self.at
        load.window = wall
        load.cpu_each = [(b - a) / wall for a, b in zip(self.apps, later.apps, strict=True)]
        load.cpu_busy = sum(load.cpu_each)
        load.client_cpu = (later.client - self.client) / wall
        ticks, idle = later.machine[0] - self.machine[0], later.machine[1] - self.machine[1]
        load.machine_busy = (1 - idle / ticks) * (os.cpu_count() or 1) if ticks else 0.0
        # a PostgreSQL backend that started meanwhile counts from zero; one that ended is lost (connections are
        # pooled, so few do either)
        load.db_cpu = sum(seconds - self.db.get(pid, 0.0) for pid, seconds in later.db.items()) / wall


async def _open(url: str, key: str, clicker: Clicker, rng: random.Random, connect=None) -> Session:
    session = Session(url, login_cookie(clicker.username, key))
    await (connect(session) if connect else session.open())
    page, query = rng.choice(clicker.choices)
    await session.rerun(page, query)  # the cookie logs in and the page is drawn (login.login_from_cookie)
    await session.rerun(page, query)
    return session


async def evening(url: str, pids: list[int], key: str, people: list[Clicker], seconds: float, seed: int,
                   interval: tuple[float, float], connect=None, db_server: int | None = None) -> Load:
    """Open every session (spread over the first interval), then let each click at random intervals. `pids`: the
    server processes whose CPU and memory count (summed); `connect(session)`, when given, opens a session's
    websocket instead of `session.open()` (and may note which process serves it in `session.app_port`);
    `db_server`: the local PostgreSQL postmaster whose processes' CPU counts as the database's."""
    load = Load(len(people))
    rngs = [random.Random(seed * 1000 + n) for n in range(len(people))]  # noqa: S311 - click timing, not secrets

    async def opened(n: int) -> Session | None:
        await asyncio.sleep(rngs[n].uniform(0, interval[0]))
        try:
            return await _open(url, key, people[n], rngs[n], connect)
        except (RuntimeError, OSError, TimeoutError, websockets.WebSocketException) as exc:
            load.errors.append(f"open: {exc!r}")
            return None

    sessions = await asyncio.gather(*(opened(n) for n in range(len(people))))
    for session in sessions:
        if session is not None and session.app_port is not None:
            load.sessions_by_port[session.app_port] = load.sessions_by_port.get(session.app_port, 0) + 1
    first = _CpuMark.now(pids, db_server)
    started = first.at
    stop = started + seconds

    async def clicking(n: int, session: Session) -> None:
        rng = rngs[n]
        while True:
            await asyncio.sleep(rng.uniform(*interval))
            if time.perf_counter() >= stop:
                return
            page, query = rng.choice(people[n].choices)
            try:
                load.latencies.append(await session.rerun(page, query))
                load.seen.update(session.headings[:1])
                if session.app_port is not None:
                    load.clicks_by_port[session.app_port] = load.clicks_by_port.get(session.app_port, 0) + 1
            except (RuntimeError, OSError, TimeoutError, websockets.WebSocketException) as exc:
                load.errors.append(f"/{page}?{query}: {exc!r}")
                return

    async def watching() -> None:
        while time.perf_counter() < stop:
            load.peak_rss_mb = max(load.peak_rss_mb, sum(_rss_mb(pid) for pid in pids))
            await asyncio.sleep(min(1.0, max(0.0, stop - time.perf_counter())))
        # the CPU figures cover the clicking window itself: clicks still waiting at its end finish afterwards, on a
        # machine with nothing else to do, which would thin the shares out
        first.until(_CpuMark.now(pids, db_server), load)
        load.clicks_in_window = len(load.latencies)

    await asyncio.gather(watching(), *(clicking(n, s) for n, s in enumerate(sessions) if s is not None))
    load.rss_mb = sum(_rss_mb(pid) for pid in pids)
    load.peak_rss_mb = max(load.peak_rss_mb, load.rss_mb)
    for session in sessions:
        if session is not None:
            await session.close()
    return load


async def rerun_alone(url: str, repeat: int, key: str | None = None, clicker: Clicker | None = None) -> float:
    """Median rerun of one session with the server to itself (the empty app when no clicker is given)."""
    session = Session(url, login_cookie(clicker.username, key) if clicker else None)
    await session.open()
    choices = clicker.choices if clicker else (("", ""),)
    for page, query in choices:  # warm every page this person clicks
        await session.rerun(page, query)
        await session.rerun(page, query)
    samples = [await session.rerun(*choices[n % len(choices)]) for n in range(repeat * len(choices))]
    await session.close()
    return statistics.median(samples)


BUSY_TARGET = 0.7  # a machine planned to run its cores at most 70% busy keeps queues short (the p95 with it)


def per_click(load: Load) -> float | None:
    """Core-seconds one click cost the app processes and the database server together (PostgreSQL's own processes
    when local; DuckDB runs inside the app process), within the clicking window."""
    if not load.clicks_in_window or not load.window:
        return None
    return (load.cpu_busy + load.db_cpu) * load.window / load.clicks_in_window


def sessions_per_core(load: Load, interval: tuple[float, float]) -> float | None:
    """Sessions one core carries at BUSY_TARGET when each clicks once per mean interval: what these figures say
    about a bigger machine (the cost of a click does not depend on the number of cores; the sessions do)."""
    cost = per_click(load)
    return BUSY_TARGET * (interval[0] + interval[1]) / 2 / cost if cost else None


def _share(latencies: list[float], share: float, base: float) -> str:
    return f"{percentile(latencies, share) / base:.1f}" if latencies else "-"


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def measure(db: Database, today: date, counts: tuple[int, ...] = (50, 100), seconds: float = 120.0,
            interval: tuple[float, float] = (10.0, 30.0), seed: int = 7, repeat: int = 5) -> dict:
    """Runs the empty app and the app (one process each) on a copy of `db`; for each count of sessions, one period
    of clicking. Returns the empty app's rerun, each person's rerun alone, and a Load per count."""
    key = secrets.token_urlsafe(32)
    with tempfile.TemporaryDirectory() as folder:
        empty, served = served_copies(db, Path(folder))
        with streamlit_process(empty, served) as (empty_url, _):
            base = run_async(rerun_alone(empty_url, repeat))
        loads = {}
        with streamlit_process(bench_pages.ROOT / "app.py", served,
                               {"COORDSUPERVISE_COOKIE_KEY": key}) as (url, proc):
            people = clickers(db, today, max(counts))
            alone = {"supervisor": run_async(rerun_alone(url, repeat, key, people[0])),
                     "manager": run_async(rerun_alone(url, repeat, key, people[1] if len(people) > 1 else people[0]))}
            idle_mb = _rss_mb(proc.pid)
            for count in counts:
                load = loads[count] = run_async(evening(url, [proc.pid], key, clickers(db, today, count), seconds,
                                                           seed, interval))
                # each period takes minutes: say what it found as it ends, before the table
                print(f"sessions {count}: {len(load.latencies)} clicks, p50 {_share(load.latencies, 0.5, base)}, "
                      f"p95 {_share(load.latencies, 0.95, base)} × empty rerun, {load.peak_rss_mb:.0f} MB peak, "
                      f"CPU {load.cpu_busy:.0%} of a core, {len(load.errors)} errors", file=sys.stderr, flush=True)
    return {"base": base, "alone": alone, "idle_mb": idle_mb, "loads": loads}


def rows(db: Database, today: date, counts: tuple[int, ...] = (50, 100), seconds: float = 120.0,
         interval: tuple[float, float] = (10.0, 30.0), repeat: int = 5) -> list:
    """The table's rows: reruns ÷ the empty app's rerun, memory, CPU, and where one process saturates."""

    found = measure(db, today, counts, seconds, interval, repeat=repeat)
    base = found["base"]
    out = [Row("sessions", f"one {role} alone: rerun median ÷ empty app rerun", found["alone"][role] / base)
           for role in ("supervisor", "manager")]
    out.append(Row("sessions", "resident memory of the app process, logged-in sessions warm (MB)",
                   f"{found['idle_mb']:.0f}"))
    for count, load in found["loads"].items():
        where = f"{count} sessions clicking every {interval[0]:.0f}-{interval[1]:.0f} s"
        if load.latencies:
            out.append(Row("sessions", f"{where}: rerun p50 ÷ empty app rerun ({len(load.latencies)} clicks)",
                           statistics.median(load.latencies) / base))
            out.append(Row("sessions", f"{where}: rerun p95 ÷ empty app rerun",
                           percentile(load.latencies, 0.95) / base))
        out.append(Row("sessions", f"{where}: resident memory at the end / peak (MB)",
                       f"{load.rss_mb:.0f} / {load.peak_rss_mb:.0f}"))
        out.append(Row("sessions", f"{where}: server CPU busy (share of one core)", load.cpu_busy))
        cost = per_click(load)
        if cost:
            out.append(Row("sessions", f"{where}: CPU per click, the app process (core-seconds; "
                                       f"{load.clicks_in_window} clicks in {load.window:.0f} s)", cost))
            out.append(Row("sessions", f"{where}: sessions one process carries at {BUSY_TARGET:.0%} of a core at this "
                                       f"click rate (estimate: {BUSY_TARGET:.0%} × mean interval ÷ CPU per click)",
                           f"{sessions_per_core(load, interval):.0f}"))
        out.append(Row("sessions", f"{where}: errors", str(len(load.errors)) + (f" ({load.errors[0]})"
                                                                                 if load.errors else ""),
                       "none", bool(load.errors)))
    out.append(Row("sessions", "saturation: sessions one process carries before a core is busy all the time",
                   saturation(found["loads"])))
    return out


def saturation(loads: dict[int, Load]) -> str:
    """Where the process runs out: the smallest count whose sessions failed, whose process kept a core busy or
    whose machine was full (the load generator and the database share it); otherwise, at the largest count, the
    count ÷ its busy share (CPU grows with clicks per second)."""
    cores = os.cpu_count() or 1
    failed = [count for count, load in loads.items() if load.errors or not load.latencies]
    full = [count for count, load in loads.items() if load.cpu_busy >= 0.95]
    machine = [count for count, load in loads.items() if load.machine_busy >= 0.95 * cores]
    if failed or full or machine:
        count = min(failed + full + machine)
        why = "sessions failed" if count in failed else "a full core" if count in full else \
            f"the machine's {cores} cores full"
        return f"≤ {count} ({why} at {count})"
    count, load = max(loads.items())
    return f"≈ {count / load.cpu_busy:.0f} (estimated from {load.cpu_busy:.0%} busy at {count})" \
        if load.cpu_busy > 0 else "not reached"
