"""Several app processes on one PostgreSQL database (issue 15), with real OS processes on the throwaway cluster:
two processes saving the same reflection or the same reply (one saves, the other is refused with its text kept),
and a writer process killed with SIGKILL in the middle of a burst from several (every write it acknowledged is in
PostgreSQL exactly once, and the other writers go on). Run when PostgreSQL is among --engines (always with
CI=true)."""
from __future__ import annotations

import multiprocessing
import signal
import subprocess
import sys
import types
from pathlib import Path

import pytest

from coordsupervise.practice import reflections, supervision
from coordsupervise.programme import enrolments
from coordsupervise.store.engine import open_database
from tests.conftest import DEMO_TODAY, _pg_clone, _pg_drop, actor_of, wait_for
from tests.reliability import race_writer
from tests.reliability.test_crash_durability import _check, _enrol_trainees

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def pg_demo(request):
    """The address of a fresh PostgreSQL copy of the small demo."""
    if "postgresql" not in request.config.getoption("engines"):
        pytest.skip("PostgreSQL is not among --engines (it always is with CI=true)")
    cluster = request.getfixturevalue("pg_cluster")
    url = _pg_clone(cluster, request.getfixturevalue("pg_templates")["demo"])
    yield url
    _pg_drop(cluster, url)


def _race(target, *argument_sets) -> list[tuple[str, str]]:
    """Run `target` in one new OS process per argument set, all released together; their reports."""
    spawn = multiprocessing.get_context("spawn")  # a fresh interpreter each, like separate app processes
    barrier, results = spawn.Barrier(len(argument_sets)), spawn.Queue()
    children = [spawn.Process(target=target, args=(*args, barrier, results)) for args in argument_sets]
    # a page test (AppTest) run earlier in this process leaves its page script as __main__, and a spawned child
    # runs the parent's __main__ first: the children start from a blank one instead
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        for child in children:
            child.start()
    finally:
        sys.modules["__main__"] = main
    reports = [results.get(timeout=60) for _ in children]
    for child in children:
        child.join(timeout=30)
        assert child.exitcode == 0
    return reports


def test_two_processes_revising_the_same_reflection_one_saves_the_other_keeps_its_text(pg_demo):
    db = open_database(pg_demo)
    try:
        trainee = actor_of(db, "demo-trainee")
        enrolment = enrolments.current_for_trainee(db, trainee)
        day, version = db.one("SELECT practice_date, version FROM reflection WHERE enrolment_id = ? AND status = "
                              "'submitted' AND practice_date <= ? ORDER BY practice_date DESC LIMIT 1",
                              [enrolment.id, DEMO_TODAY])
        texts = ("一つ目のタブで書き直した気づき", "二つ目のタブで書き直した気づき")
        reports = _race(race_writer.submit_revision, *[
            (pg_demo, "demo-trainee", day.isoformat(), version, text, DEMO_TODAY.isoformat()) for text in texts])
        assert sorted(kind for kind, _ in reports) == ["refused", "saved"]
        saved, refused = (next(text for kind, text in reports if kind == k) for k in ("saved", "refused"))
        assert db.one("SELECT version, insight FROM reflection WHERE enrolment_id = ? AND practice_date = ?",
                      [enrolment.id, day]) == (version + 1, saved)
        assert db.value("SELECT count(*) FROM reflection_version v JOIN reflection r ON r.id = v.reflection_id "
                        "WHERE r.enrolment_id = ? AND r.practice_date = ? AND v.version = ?",
                        [enrolment.id, day, version + 1]) == 1
        again = reflections.open_day(db, trainee, enrolment, day)  # the refused text waits as unsent edits
        assert again.pending_edit and again.body.insight == refused
    finally:
        db.close()


def test_two_processes_sending_a_reply_to_the_same_thread_one_sends_the_other_keeps_its_text(pg_demo):
    """The same supervisor in two tabs served by two processes: sending deletes the reply draft, so the refused
    text must be saved again after the refusal, not only before the attempt."""
    db = open_database(pg_demo)
    try:
        supervisor = actor_of(db, "demo-supervisor")
        enrolment = enrolments.current_for_trainee(db, actor_of(db, "demo-trainee"))
        reflection_id, version = db.one("SELECT id, version FROM reflection WHERE enrolment_id = ? AND status = "
                                        "'submitted' ORDER BY practice_date DESC LIMIT 1", [enrolment.id])
        length = db.value("SELECT count(*) FROM feedback WHERE reflection_id = ?", [reflection_id])
        texts = ("一つ目のタブからの返信です。", "二つ目のタブからの返信です。")
        reports = _race(race_writer.send_reply, *[
            (pg_demo, "demo-supervisor", reflection_id, version, length, text) for text in texts])
        assert sorted(kind for kind, _ in reports) == ["refused", "saved"]
        saved, refused = (next(text for kind, text in reports if kind == k) for k in ("saved", "refused"))
        bodies = [b for (b,) in db.rows("SELECT body_md FROM feedback WHERE reflection_id = ? ORDER BY id",
                                        [reflection_id])]
        assert len(bodies) == length + 1 and bodies[-1] == saved
        assert supervision.reply_draft(db, supervisor, reflection_id) == refused
    finally:
        db.close()


def _acks(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines()


def test_sigkill_of_one_writer_process_in_a_burst_loses_none_of_its_acknowledged_writes(pg_demo, tmp_path):
    db = open_database(pg_demo)
    trainees = _enrol_trainees(db, 3)
    db.close()
    ack_files = [tmp_path / f"acks-{name}.txt" for name in trainees]
    writers = []
    for name, ack_path in zip(trainees, ack_files, strict=True):
        ack_path.write_text("", encoding="utf-8")
        writers.append(subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.crash_writer", pg_demo, str(ack_path), name,
             DEMO_TODAY.isoformat()], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
    victim = writers[0]
    try:
        assert wait_for(lambda: all(len(_acks(p)) >= 4 for p in ack_files), 30, 0.01), "the writers did not start"
        victim.send_signal(signal.SIGKILL)
        _, stderr = victim.communicate(timeout=10)
        assert victim.returncode == -signal.SIGKILL, stderr.decode(errors="replace")[-2000:]
        at_kill = [len(_acks(p)) for p in ack_files[1:]]
        # the others go on writing after the kill (a writer writes until it is killed)
        assert wait_for(lambda: all(len(_acks(p)) >= n + 6 for p, n in zip(ack_files[1:], at_kill, strict=True)),
                        30, 0.01)
    finally:
        for writer in writers:  # the victim too, had a check failed before its kill
            if writer.poll() is None:
                writer.send_signal(signal.SIGKILL)
            if writer is not victim:
                _, stderr = writer.communicate(timeout=10)
                assert writer.returncode == -signal.SIGKILL, stderr.decode(errors="replace")[-2000:]
    for ack_path in ack_files:  # every acknowledged write of every writer, the killed one included, exactly once
        _check(pg_demo, _acks(ack_path))
    assert len(_acks(ack_files[0])) >= 4
