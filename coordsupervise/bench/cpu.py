"""Server CPU per rerun, per route, ÷ an empty Streamlit app's: what one click costs the machine, whatever else runs
on it. Wall-clock times on a shared 2-core machine move with its load; the CPU seconds a server process used, read
from /proc, move far less, and the empty app measured in the same run (its blocks interleaved with the routes')
cancels what is left.

`streamlit run app.py` and `streamlit run` of an empty app, each on loopback, on a copy of the database. For every
route of routes.py (bench/pages.py's visits: as its role, with the address a real visit carries) one websocket
session speaking Streamlit's own protocol (bench/sessions.py), logged in by the signed login cookie, is warmed by a
few reruns and then asked for `reruns` reruns of its page one after the other, as the browser's "R" does; the same
number of reruns of the empty app follows. The server process's CPU (all threads, /proc/<pid>/stat) over each
block ÷ the script runs the server finished meanwhile (its `script_finished` messages, whatever their ending: a
click whose page reruns itself counts as the runs it made) is the CPU per rerun. /proc counts in clock ticks (10 ms),
hence blocks of several reruns."""
from __future__ import annotations

import asyncio
import secrets
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..store.db import Database
from . import pages as bench_pages
from .browser import served_copies, streamlit_process
from .report import Row
from .sessions import Session, cpu_seconds, login_cookie, run_async

WARM = 3  # reruns before the clock starts: the cookie's login (which draws the page), then the caches filled
LIGHT = ("account", "admin", "register")  # the screens that read little: their target is tighter


@dataclass
class Block:
    """CPU seconds one server used over some reruns, and the script runs it finished meanwhile."""
    cpu: float = 0.0
    runs: int = 0
    clicks: int = 0

    def add(self, other: Block) -> None:
        self.cpu += other.cpu
        self.runs += other.runs
        self.clicks += other.clicks

    @property
    def per_run(self) -> float:
        return self.cpu / self.runs if self.runs else 0.0


async def _block(session: Session, pid: int, page: str, query: str, reruns: int) -> Block:
    """`reruns` reruns of `page`, one after the other; the server's CPU over them."""
    runs = session.runs
    started = cpu_seconds(pid)
    for _ in range(reruns):
        await session.rerun(page, query)
    await asyncio.sleep(0.05)  # what the server does right after sending "finished" belongs to the run
    return Block(cpu_seconds(pid) - started, session.runs - runs, reruns)


async def _measure(empty_url: str, empty_pid: int, url: str, pid: int, key: str, visits, reruns: int) -> dict:
    empty = Session(empty_url)
    await empty.open()
    for _ in range(WARM):
        await empty.rerun("")
    base = Block()
    found: list = []
    for visit in visits:
        query = visit.address.partition("?")[2]
        session = Session(url, login_cookie(visit.username, key))
        await session.open()
        for _ in range(WARM):
            await session.rerun(visit.route, query)
        found.append((visit, await _block(session, pid, visit.route, query, reruns)))
        await session.close()
        base.add(await _block(empty, empty_pid, "", "", reruns))  # the yardstick, beside every route
    await empty.close()
    return {"base": base, "routes": found}


def measure(db: Database, today: date, reruns: int = 20, routes: set[str] | None = None) -> dict:
    """{"base": the empty app's Block (all its blocks summed), "routes": [(Visit, Block)], "seconds": wall}."""
    key = secrets.token_urlsafe(32)
    visits = [v for v in bench_pages.visits(db, today) if routes is None or v.route in routes]
    with tempfile.TemporaryDirectory() as folder:
        empty, served = served_copies(db, Path(folder))
        with streamlit_process(empty, served) as (empty_url, empty_proc), \
                streamlit_process(bench_pages.ROOT / "app.py", served,
                                  {"COORDSUPERVISE_COOKIE_KEY": key}) as (url, proc):
            started = time.perf_counter()
            found = run_async(_measure(empty_url, empty_proc.pid, url, proc.pid, key, visits, reruns))
            found["seconds"] = time.perf_counter() - started
    return found


def target(route: str) -> float:
    return 1.3 if route in LIGHT else 2.0


def rows(db: Database, today: date, reruns: int = 20, routes: set[str] | None = None) -> list[Row]:
    return as_rows(measure(db, today, reruns, routes))


def as_rows(found: dict) -> list[Row]:
    """The table's rows of what `measure` found: the yardstick in ms, then each route's ratio."""
    base = found["base"]
    out = [Row("cpu", f"empty app: server CPU per rerun (ms; {base.runs} runs, the yardstick)",
               f"{base.per_run * 1000:.0f}")]
    for visit, block in found["routes"]:
        ratio = block.per_run / base.per_run if base.per_run else 0.0
        runs = f"; {block.runs / block.clicks:.1f} runs per click" if block.runs != block.clicks else ""
        out.append(Row("cpu", f"{visit.address} ({visit.username}): server CPU per rerun ÷ empty app "
                              f"({block.per_run * 1000:.0f} ms{runs})",
                       ratio, f"≤ {target(visit.route):g}×", ratio > target(visit.route)))
    return out
