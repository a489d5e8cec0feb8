"""A crash loses no acknowledged write: a child process writes through the services and is killed with SIGKILL at
seeded random moments; after every round the database opens cleanly at the latest schema and every write the
child acknowledged is there exactly once."""
from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from coordsupervise.programme.auth import insert_user
from coordsupervise.store.db import Database, migrations
from coordsupervise.store.engine import open_database

from ..conftest import DEMO_TODAY, actor_of

ROOT = Path(__file__).resolve().parents[2]
ROUNDS = 10  # each round is a fresh interpreter killed at a seeded point (1-12 acknowledged writes in)


def _enrol_trainees(db: Database, count: int) -> list[str]:
    """Fresh trainees in demo-trainee's cohort (practical stage), supervised by demo-supervisor."""
    from coordsupervise.programme import enrolments

    cohort_id = enrolments.current_for_trainee(db, actor_of(db, "demo-trainee")).cohort_id
    supervisor_id = actor_of(db, "demo-supervisor").id
    names = [f"crash-{i:02d}" for i in range(count)]

    def enrol(tx):
        for name in names:
            user_id = insert_user(tx, name, f"試験 {name}", "x", ("trainee",))
            enrolment_id = tx.value("INSERT INTO enrolment (cohort_id, trainee_id) VALUES (?, ?) RETURNING id",
                                    [cohort_id, user_id])
            tx.execute("INSERT INTO supervision (enrolment_id, supervisor_id) VALUES (?, ?)",
                       [enrolment_id, supervisor_id])

    db.write(enrol)
    return names


def _check(db_path: Path, acks: list[str]) -> None:
    db = open_database(db_path)  # opening replays the WAL; migrations must be at the latest version
    try:
        assert db.schema_version() == migrations()[-1].version
        for line in acks:
            kind, *rest = line.split()
            if kind == "draft":
                enrolment_id, day = rest
                assert db.value("SELECT count(*) FROM reflection WHERE enrolment_id = ? AND practice_date = ?",
                                [int(enrolment_id), day]) == 1, line
            elif kind == "submit":
                enrolment_id, day, version = rest
                row = db.one("SELECT id, status, version FROM reflection WHERE enrolment_id = ? "
                             "AND practice_date = ?", [int(enrolment_id), day])
                assert row is not None and row[1] == "submitted" and row[2] == int(version), line
                assert db.value("SELECT count(*) FROM reflection_version WHERE reflection_id = ? AND version = ?",
                                [row[0], int(version)]) == 1, line
            elif kind == "feedback":
                feedback_id, reflection_id = rest
                assert db.value("SELECT count(*) FROM feedback WHERE id = ? AND reflection_id = ?",
                                [int(feedback_id), int(reflection_id)]) == 1, line
        # exactly once: no reflection day twice, no feedback duplicated for one reflection by the child
        assert db.value("SELECT count(*) FROM (SELECT enrolment_id, practice_date FROM reflection "
                        "GROUP BY 1, 2 HAVING count(*) > 1)") == 0
    finally:
        db.close()


def test_sigkill_during_a_write_burst_loses_no_acknowledged_write(demo_db, tmp_path):
    trainees = _enrol_trainees(demo_db, ROUNDS)
    db_path = Path(demo_db.path)
    demo_db.close()
    rng = random.Random(20261128)
    acks_total = 0
    for round_no, trainee in enumerate(trainees):
        ack_path = tmp_path / f"acks-{round_no}.txt"
        ack_path.write_text("", encoding="utf-8")
        child = subprocess.Popen(
            [sys.executable, "-m", "tests.reliability.crash_writer", str(db_path), str(ack_path), trainee,
             DEMO_TODAY.isoformat()], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        # wait until the child has acknowledged a seeded number of writes, then kill it a moment later
        wanted = rng.randint(1, 12)
        deadline = time.time() + 20
        while time.time() < deadline and child.poll() is None:
            if len(ack_path.read_text(encoding="utf-8").splitlines()) >= wanted:
                break
            time.sleep(0.005)
        time.sleep(rng.uniform(0, 0.05))
        if child.poll() is None:
            child.send_signal(signal.SIGKILL)
        _, stderr = child.communicate(timeout=10)
        assert child.returncode == -signal.SIGKILL, stderr.decode(errors="replace")[-2000:]
        acks = ack_path.read_text(encoding="utf-8").splitlines()
        acks_total += len(acks)
        _check(db_path, acks)
    demo_db.__init__(db_path)  # reopen so the fixture can close it
    assert acks_total >= ROUNDS
