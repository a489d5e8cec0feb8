"""The data layer: migrations, upgrades that lose nothing, transactions, retries."""
import threading

import duckdb
import pandas as pd
import pytest

from coordsupervise.store.db import Database, WriteConflict, insert_frame, migrations


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


def test_upgrade_from_first_migration_keeps_every_row(tmp_path, demo_template):
    """A database made by schema 1, filled with a demo programme, upgrades to the latest without losing data."""
    path = tmp_path / "old.duckdb"
    old = Database(path, upgrade_to=1)
    assert old.schema_version() == 1
    tables = [t for (t,) in old.rows(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_name <> "
        "'schema_version' ORDER BY table_name")]
    # fill schema 1 with the demo programme: copy every column schema 1 has from a demo database
    old.write(lambda tx: tx.execute("ATTACH ? AS demo (READ_ONLY)", [str(demo_template)]))
    for table in _in_dependency_order(old, tables):
        columns = ", ".join(c for (c,) in old.rows(
            "SELECT column_name FROM information_schema.columns WHERE table_catalog = 'old' AND table_name = ? "
            "ORDER BY ordinal_position", [table]))
        old.write(lambda tx, t=table, c=columns: tx.execute(
            "INSERT INTO " + t + " (" + c + ") SELECT " + c + " FROM demo.main." + t))
    old.write(lambda tx: tx.execute("DETACH demo"))
    before = {t: old.value("SELECT count(*) FROM " + t) for t in tables}
    assert before["reflection"] > 100 and before["feedback"] > 50
    users = old.rows("SELECT id, username, password_hash FROM app_user ORDER BY id")
    reflections = old.rows("SELECT id, event, insight FROM reflection ORDER BY id")
    feedback = old.rows("SELECT id, body_md FROM feedback ORDER BY id")
    old.close()

    upgraded = Database(path)
    assert upgraded.schema_version() == migrations()[-1].version
    assert {t: upgraded.value("SELECT count(*) FROM " + t) for t in tables} == before
    assert upgraded.rows("SELECT id, username, password_hash FROM app_user ORDER BY id") == users
    assert upgraded.rows("SELECT id, event, insight FROM reflection ORDER BY id") == reflections
    assert upgraded.rows("SELECT id, body_md FROM feedback ORDER BY id") == feedback
    # what later migrations add is there and filled
    assert upgraded.value("SELECT count(*) FROM feedback WHERE search_text IS NULL") == 0
    from coordsupervise.text.textnorm import search_key
    sample_id, sample_body = feedback[0]
    from coordsupervise.text.readings import searchable  # 009 adds the readings of kanji words after the text

    stored = upgraded.value("SELECT search_text FROM feedback WHERE id = ?", [sample_id])
    assert stored.startswith(search_key(sample_body)) and stored == searchable(sample_body)
    assert upgraded.value("SELECT count(*) FROM app_user WHERE last_login_at IS NOT NULL") == 0
    # 012 gives the programme made before it what the built-in curriculum says: stages, assignments, short names
    from coordsupervise.programme.curriculum import from_database, load

    shipped, programme = load(None), from_database(upgraded)
    assert programme.stages == shipped.stages and programme.assignments == shipped.assignments
    assert [(k.code, k.short_ja, k.short_en) for k in programme.competencies] == \
        [(k.code, k.short_ja, k.short_en) for k in shipped.competencies]
    upgraded.close()


def _in_dependency_order(db, tables):
    """Parents before children, from the foreign keys schema 1 declares."""
    edges = db.rows("SELECT table_name, referenced_table FROM duckdb_constraints() "
                    "WHERE constraint_type = 'FOREIGN KEY' AND database_name = 'old'")
    ordered, remaining = [], list(tables)
    while remaining:
        for table in remaining:
            parents = {p for child, p in edges if child == table and p != table}
            if parents <= set(ordered):
                ordered.append(table)
                remaining.remove(table)
                break
        else:
            raise AssertionError(f"cycle among {remaining}")
    return ordered


def test_failed_transaction_commits_nothing(db):
    with pytest.raises(RuntimeError):
        with db.transaction() as tx:
            tx.execute("INSERT INTO app_setting (key, value) VALUES ('a', '1')")
            raise RuntimeError("boom")
    assert db.value("SELECT count(*) FROM app_setting") == 0


@pytest.mark.duckdb_only  # DuckDB's conflict exception; PostgreSQL's retry: test_postgres.py
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


@pytest.mark.duckdb_only  # DuckDB's conflict exception; PostgreSQL's retry: test_postgres.py
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
