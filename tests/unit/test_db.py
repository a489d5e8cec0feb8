"""The data layer: migrations, upgrades that lose nothing, transactions, retries."""
import threading

import duckdb
import pandas as pd
import pytest

from coordsupervise.db import Database, WriteConflict, insert_frame, migrations


def test_fresh_database_has_every_migration(db):
    assert db.schema_version() == migrations()[-1].version
    applied = [v for (v,) in db.rows("SELECT version FROM schema_version ORDER BY version")]
    assert applied == [m.version for m in migrations()]


def test_reopening_applies_nothing_twice(tmp_path):
    first = Database(tmp_path / "a.duckdb")
    first.close()
    again = Database(tmp_path / "a.duckdb")
    assert again.migrate() == []
    again.close()


def test_upgrade_from_first_migration_keeps_every_row(tmp_path):
    """A database made by schema 1 and filled with a demo programme upgrades to the latest without losing data."""
    from coordsupervise.demo import build_demo

    path = tmp_path / "old.duckdb"
    old = Database(path, upgrade_to=1)
    assert old.schema_version() == 1
    # the demo builder writes last_login_at only through later services, so schema 1 can hold it
    build_demo(old, cohorts=2, trainees_per_cohort=4, seed=3)
    tables = [t for (t,) in old.rows(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_name <> "
        "'schema_version'")]
    before = {t: old.value("SELECT count(*) FROM " + t) for t in tables}
    sample = old.rows("SELECT id, username, password_hash FROM app_user ORDER BY id")
    reflections = old.rows("SELECT id, event, insight FROM reflection ORDER BY id")
    old.close()

    upgraded = Database(path)
    assert upgraded.schema_version() == migrations()[-1].version
    assert {t: upgraded.value("SELECT count(*) FROM " + t) for t in tables} == before
    assert upgraded.rows("SELECT id, username, password_hash FROM app_user ORDER BY id") == sample
    assert upgraded.rows("SELECT id, event, insight FROM reflection ORDER BY id") == reflections
    assert upgraded.value("SELECT count(*) FROM app_user WHERE last_login_at IS NULL") == before["app_user"]
    upgraded.close()


def test_failed_transaction_commits_nothing(db):
    with pytest.raises(RuntimeError):
        with db.transaction() as tx:
            tx.execute("INSERT INTO app_setting (key, value) VALUES ('a', '1')")
            raise RuntimeError("boom")
    assert db.value("SELECT count(*) FROM app_setting") == 0


def test_write_retries_a_conflict_then_succeeds(db):
    calls = []

    def flaky(tx):
        calls.append(1)
        if len(calls) < 3:
            raise duckdb.TransactionException("Conflict on update")
        tx.execute("INSERT INTO app_setting (key, value) VALUES ('k', 'v')")

    db.write(flaky)
    assert len(calls) == 3
    assert db.value("SELECT value FROM app_setting WHERE key = 'k'") == "v"


def test_write_gives_up_after_bounded_retries(db):
    def always(tx):
        raise duckdb.TransactionException("Conflict")

    with pytest.raises(WriteConflict):
        db.write(always)


def test_concurrent_writers_from_threads_all_land(db):
    def worker(n):
        for i in range(20):
            db.write(lambda tx, k=f"{n}-{i}": tx.execute("INSERT INTO app_setting (key, value) VALUES (?, 'x')",
                                                         [k]))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert db.value("SELECT count(*) FROM app_setting") == 80


def test_committed_data_survives_reopen(tmp_path):
    path = tmp_path / "durable.duckdb"
    first = Database(path)
    first.write(lambda tx: tx.execute("INSERT INTO app_setting (key, value) VALUES ('日本語', '値')"))
    first.close()
    again = Database(path)
    assert again.value("SELECT value FROM app_setting WHERE key = '日本語'") == "値"
    again.close()


def test_insert_frame_refuses_odd_identifiers(db):
    with pytest.raises(ValueError):
        with db.transaction() as tx:
            insert_frame(tx, "app_setting; DROP TABLE app_user", pd.DataFrame({"key": ["a"], "value": ["b"]}))
