"""Writes at size, through the services as the pages call them: a trainee revising a reflection, a supervisor's
feedback reply, a supervisor saving a score draft. Timed one at a time (median and p95 ÷ the median of a write
transaction that does nothing, the floor of Database.write), then all at once from many threads (the evening rush):
every acknowledged write must be in the database exactly once and none may surface as an error (a WriteConflict
after Database.write's bounded retries counts as one).

Each job writes a marker of its own (letters only, so the privacy scan of a reflection finds nothing in it) that the
check looks for afterwards. The writes stay in the database: run this against a benchmark copy, never a real one."""
from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from ..practice import reflections, supervision
from ..practice.reflections import ReflectionBody
from ..programme import enrolments
from ..programme.auth import load_login_user
from ..scoring import scoring
from ..scoring.scoring import QueueFilter
from ..store.db import Database


def _marker(n: int) -> str:
    return "bench-" + "".join(chr(ord("a") + int(d)) for d in f"{n:05d}")


@dataclass
class Job:
    kind: str                        # submit | reply | score
    write: Callable[[str], object]   # writes with the given marker, returns what the service acknowledged
    present: Callable[[str], int]    # how many times the marker's write is in the database


def _submit_jobs(db: Database, today: date, limit: int) -> list[Job]:
    """Active trainees in their practical stage revising their latest reflection (a new version)."""
    found = db.rows(
        "SELECT u.username, max(r.practice_date) FROM enrolment e JOIN app_user u ON u.id = e.trainee_id "
        "JOIN cohort_stage p ON p.cohort_id = e.cohort_id AND p.stage = 'practical' "
        "JOIN reflection r ON r.enrolment_id = e.id AND r.status = 'submitted' "
        "WHERE e.status = 'active' AND p.starts_on <= ? AND ? <= p.ends_on "
        "GROUP BY u.username ORDER BY u.username LIMIT ?", [today, today, limit])
    jobs = []
    for username, day in found:
        actor = load_login_user(db, username).actor()
        enrolment = enrolments.current_for_trainee(db, actor)
        if enrolment is None:
            continue

        def write(marker, actor=actor, enrolment=enrolment, day=day):
            view = reflections.open_day(db, actor, enrolment, day)
            body = ReflectionBody(**{**view.body.__dict__, "goal": f"{view.body.goal} {marker}"[-200:]})
            return reflections.submit(db, actor, enrolment, day, body, view.version, set(), today)

        def present(marker):
            return db.value("SELECT count(*) FROM reflection_version WHERE body_json LIKE ?", [f"%{marker}%"])

        jobs.append(Job("submit", write, present))
    return jobs


def _reply_jobs(db: Database, limit: int) -> list[Job]:
    """Supervisors answering reflections of their own trainees, one reflection each; never a trainee's latest
    one, which the submit jobs revise (a reply to a reflection revised meanwhile is rightly refused as stale).
    "Latest" as the submit jobs count it: the latest submitted one (a newer draft does not count)."""
    found = db.rows(
        "SELECT u.username, r.id FROM reflection r JOIN supervision s ON s.enrolment_id = r.enrolment_id "
        "JOIN app_user u ON u.id = s.supervisor_id WHERE r.status = 'submitted' AND r.practice_date < "
        "(SELECT max(x.practice_date) FROM reflection x WHERE x.enrolment_id = r.enrolment_id "
        "AND x.status = 'submitted') "
        "QUALIFY row_number() OVER (PARTITION BY r.id ORDER BY s.supervisor_id) = 1 "
        "ORDER BY r.practice_date DESC, r.id LIMIT ?", [limit])
    actors = {}
    jobs = []
    for username, reflection_id in found:
        actor = actors.setdefault(username, load_login_user(db, username).actor())

        def write(marker, actor=actor, reflection_id=reflection_id):
            view = supervision.open_reflection(db, actor, reflection_id)
            return supervision.send_reply(db, actor, reflection_id, f"ありがとうございます。{marker}", view.version,
                                          view.thread_length)

        def present(marker):
            return db.value("SELECT count(*) FROM feedback WHERE body_md LIKE ?", [f"%{marker}%"])

        jobs.append(Job("reply", write, present))
    return jobs


def _score_jobs(db: Database, limit: int) -> list[Job]:
    """First scorers saving a draft on submissions of a scored assignment not yet released, each submission once
    (a co-supervised trainee's work is in two supervisors' queues)."""
    jobs, taken = [], set()
    for (username,) in db.rows("SELECT DISTINCT u.username FROM supervision s JOIN app_user u "
                               "ON u.id = s.supervisor_id ORDER BY u.username"):
        actor = load_login_user(db, username).actor()
        items, _ = scoring.queue(db, actor, QueueFilter(), limit=200)
        for item in items:
            if len(jobs) >= limit:
                return jobs
            if item["submission_id"] in taken:
                continue
            view = scoring.open_item(db, actor, item["submission_id"])
            if view.role != "first" or view.kind != "scored" or view.score_status not in (None, "draft") \
                    or not view.criteria:
                continue

            def write(marker, actor=actor, sid=view.submission_id, criteria=view.criteria):
                fresh = scoring.open_item(db, actor, sid)
                return scoring.save_draft(db, actor, sid, {c["id"]: 3 for c in criteria}, {}, marker,
                                          fresh.row_version)

            def present(marker, sid=view.submission_id):
                return db.value("SELECT count(*) FROM score WHERE submission_id = ? AND overall_comment = ?",
                                [sid, marker])

            taken.add(view.submission_id)
            jobs.append(Job("score", write, present))
    return jobs


def jobs(db: Database, today: date, per_kind: int) -> dict[str, list[Job]]:
    return {"submit": _submit_jobs(db, today, per_kind), "reply": _reply_jobs(db, per_kind),
            "score": _score_jobs(db, per_kind)}


def _p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def latencies(db: Database, today: date, count: int) -> dict[str, dict]:
    """Median and p95 of `count` writes of each kind one after another, ÷ the median of an empty write."""
    def empty(tx):
        tx.value("SELECT 1")

    floor = []
    for _ in range(max(count, 5)):
        started = time.perf_counter()
        db.write(empty)
        floor.append(time.perf_counter() - started)
    base = statistics.median(floor)
    out = {}
    serial = 0
    for kind, found in jobs(db, today, count).items():
        samples = []
        for job in found[:count]:
            serial += 1
            started = time.perf_counter()
            job.write(_marker(serial))
            samples.append(time.perf_counter() - started)
        if samples:
            out[kind] = {"n": len(samples), "median": statistics.median(samples) / base,
                         "p95": _p95(samples) / base}
    return out


def rush(db: Database, today: date, threads: int) -> dict:
    """`threads` writes started together (a barrier), each on an item of its own, mixed across the three kinds.
    Returns how many were acknowledged, present exactly once, missing or duplicated, and the errors by type."""
    pools = jobs(db, today, threads)
    mixed: list[Job] = []
    while len(mixed) < threads and any(pools.values()):
        for kind in ("reply", "submit", "score"):
            if pools[kind] and len(mixed) < threads:
                mixed.append(pools[kind].pop())
    barrier = threading.Barrier(len(mixed))
    acknowledged: list[tuple[Job, str]] = []
    errors: dict[str, int] = {}
    lock = threading.Lock()

    def worker(n: int, job: Job) -> None:
        marker = _marker(90000 + n)
        barrier.wait()
        try:
            job.write(marker)
        except Exception as exc:  # noqa: BLE001 - every failure is what this measures
            with lock:
                name = f"{job.kind} {type(exc).__name__}"
                errors[name] = errors.get(name, 0) + 1
            return
        with lock:
            acknowledged.append((job, marker))

    workers = [threading.Thread(target=worker, args=(n, job)) for n, job in enumerate(mixed)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    counts = [job.present(marker) for job, marker in acknowledged]
    return {"threads": len(mixed), "kinds": {k: sum(j.kind == k for j in mixed) for k in ("reply", "submit", "score")},
            "acknowledged": len(acknowledged), "exactly_once": sum(c == 1 for c in counts),
            "missing": sum(c == 0 for c in counts), "duplicated": sum(c > 1 for c in counts), "errors": errors}
