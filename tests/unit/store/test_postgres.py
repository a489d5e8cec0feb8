"""PostgreSQL as the system of record: the dialect translation, the engine's write rules and `migrate`.

The translation tests need no server. The others use the throwaway cluster and run when PostgreSQL is among the
engines (`--engines`, always with CI=true)."""
from __future__ import annotations

import io
import os
import subprocess
import threading
from datetime import datetime

import psycopg
import pytest
import pyzipper

from coordsupervise.__main__ import main
from coordsupervise.errors import AccessDenied, StaleWrite
from coordsupervise.store import transfer
from coordsupervise.store.db import Database, WriteConflict, migrations
from coordsupervise.store.dialect import to_postgres
from coordsupervise.store.engine import open_database
from tests.conftest import _clone_numbers, _pg_clone

PASSPHRASE = "a long backup passphrase"


@pytest.fixture
def pg(request):
    if "postgresql" not in request.config.getoption("engines"):
        pytest.skip("PostgreSQL is not among --engines (it always is with CI=true)")
    return request.getfixturevalue("pg_cluster")


@pytest.fixture
def empty_pg(pg):
    name = f"empty_{next(_clone_numbers)}"
    with psycopg.connect(pg.url(), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return pg.url(name)


# -- the dialect, in one place -----------------------------------------------------------------------------------
def test_placeholders_become_psycopg_ones_but_text_in_literals_is_left_alone():
    sql = "SELECT '?', 'it''s 100%' FROM t WHERE a = ? AND b LIKE ? AND c = $code -- why? 5%"
    assert to_postgres(sql, True) == (
        "SELECT '?', 'it''s 100%%' FROM t WHERE a = %s AND b LIKE %s AND c = %(code)s -- why? 5%%")
    assert to_postgres("SELECT 5 % 2", False) == "SELECT 5 % 2"


def test_duckdb_analytics_are_rewritten_to_postgresql_equivalents():
    out = to_postgres("SELECT median(epoch(a - b) / 3600.0), quantile_cont(x, 0.25), arg_max(l, t), "
                      "round(avg(x), 1), list(id ORDER BY id) FROM t WHERE d + INTERVAL 1 DAY < ? "
                      "AND id IN (SELECT unnest(?)) AND isodow(d) <= 5", True)
    assert out == ("SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM a - b) / 3600.0), "
                   "percentile_cont(0.25) WITHIN GROUP (ORDER BY x), (array_agg(l ORDER BY t DESC NULLS LAST))[1], "
                   "round(CAST(avg(x) AS NUMERIC), 1), array_agg(id ORDER BY id) FROM t "
                   "WHERE d + INTERVAL '1 DAY' < %s AND id = ANY(%s) AND extract(isodow FROM d) <= 5")


def test_an_unnamed_subquery_in_from_gets_a_name_postgresql_15_requires():
    assert to_postgres("SELECT count(*) FROM (SELECT x FROM (SELECT 1 AS x) WHERE x > ?) WHERE TRUE", True) == \
        "SELECT count(*) FROM (SELECT x FROM (SELECT 1 AS x) AS sub_1 WHERE x > %s) AS sub_2 WHERE TRUE"
    assert to_postgres("SELECT * FROM (SELECT 1) t JOIN (VALUES (1)) v(k) ON TRUE", False) == \
        "SELECT * FROM (SELECT 1) t JOIN (VALUES (1)) v(k) ON TRUE"


def test_migration_types_are_translated_and_a_function_name_inside_a_literal_is_not():
    assert to_postgres("CREATE TABLE x (a DOUBLE NOT NULL, b BLOB, c DOUBLE PRECISION)", False) == \
        "CREATE TABLE x (a DOUBLE PRECISION NOT NULL, b BYTEA, c DOUBLE PRECISION)"
    assert to_postgres("SELECT 'median(x)' AS label", False) == "SELECT 'median(x)' AS label"


# -- the engine ------------------------------------------------------------------------------------------------
def test_a_postgresql_address_selects_the_postgresql_engine_with_the_same_answers(empty_pg):
    db = open_database(empty_pg)
    try:
        assert db.engine == "postgresql" and db.schema_version() == max(m.version for m in migrations())
        db.write(lambda tx: tx.execute("INSERT INTO app_setting (key, value) VALUES (?, ?)", ["k", "50%"]))
        assert db.value("SELECT value FROM app_setting WHERE key = ?", ["k"]) == "50%"
        assert db.value("SELECT sum(x) FROM (VALUES (1), (2)) v(x)") == 3  # NUMERIC comes back as int, not Decimal
        assert db.value("SELECT median(x) FROM (VALUES (1), (2)) v(x)") == 1.5
        assert db.dicts("SELECT key FROM app_setting WHERE key IN (SELECT unnest(?))", [[]]) == []
    finally:
        db.close()


def test_the_admin_backup_on_postgresql_is_a_pg_dump_that_pg_restore_loads_whole(pg, request, tmp_path,
                                                                              monkeypatch):
    from coordsupervise.errors import InvalidInput
    from coordsupervise.office import backup
    from coordsupervise.store import pg as pg_engine
    from tests.conftest import _pg_admin, _pg_drop, actor_of

    source_url = _pg_clone(pg, request.getfixturevalue("pg_templates")["demo"])
    db = open_database(source_url)
    tables = [t for (t,) in db.rows("SELECT table_name FROM information_schema.tables WHERE table_schema = "
                                    "'public' ORDER BY 1")]
    try:
        admin = actor_of(db, "demo-admin")
        counts = {t: db.value(f"SELECT count(*) FROM {t}") for t in tables}  # noqa: S608 - names from the catalogue
        data = backup.backup_bytes(db, admin, PASSPHRASE)
        with pyzipper.AESZipFile(io.BytesIO(data)) as archive:  # downloaded as an encrypted ZIP
            archive.setpassword(PASSPHRASE.encode())
            (member,) = archive.infolist()
            dumped = archive.read(member)
        assert member.filename.endswith(".dump") and dumped[:5] == b"PGDMP"  # pg_dump's custom format
        assert backup.file_name(datetime(2026, 11, 28, 9, 5), "postgresql") == "coordsupervise-20261128-0905.dump"
        assert db.value("SELECT count(*) FROM audit_log WHERE action = 'backup.download' AND actor_id = ?",
                        [admin.id]) == 1
        with pytest.raises(AccessDenied):
            backup.backup_bytes(db, actor_of(db, "demo-manager"), PASSPHRASE)
        # without pg_dump on the app's server: the message, not a stack trace
        monkeypatch.setattr(pg_engine, "pg_tool", lambda name: None)
        with pytest.raises(InvalidInput) as refused:
            backup.backup_bytes(db, admin, PASSPHRASE)
        assert refused.value.key == "admin.backup_postgresql"
    finally:
        db.close()
        _pg_drop(pg, source_url)
    dump = tmp_path / "backup.dump"
    dump.write_bytes(dumped)
    _pg_admin(pg, "CREATE DATABASE restored_backup")
    target = pg.url("restored_backup")
    try:
        done = subprocess.run([pg_engine.pg_tool("pg_restore") or "pg_restore", "--no-owner", "--dbname", target,
                               str(dump)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        restored = open_database(target)  # opens as is: the migrations are all there
        try:
            assert {t: restored.value(f"SELECT count(*) FROM {t}") for t in tables} == counts  # noqa: S608
        finally:
            restored.close()
    finally:
        _pg_drop(pg, target)


def test_a_serialization_failure_is_retried_then_surfaces_as_write_conflict(empty_pg):
    db = open_database(empty_pg)
    tries = []

    def flaky(tx, fail_times):
        tries.append(1)
        if len(tries) <= fail_times:
            raise psycopg.errors.SerializationFailure("could not serialize access")
        tx.execute("INSERT INTO app_setting (key, value) VALUES ('after', 'retries')")
        return "saved"

    try:
        assert db.write(flaky, 2) == "saved" and len(tries) == 3
        tries.clear()
        with pytest.raises(WriteConflict):
            db.write(flaky, 1000)
        assert db.value("SELECT count(*) FROM app_setting WHERE key = 'after'") == 1
        with pytest.raises(psycopg.errors.UniqueViolation):  # not a conflict: not retried
            db.write(lambda tx: tx.execute("INSERT INTO app_setting (key, value) VALUES ('after', 'again')"))
    finally:
        db.close()


def test_two_processes_saving_the_same_score_one_wins_the_other_is_refused(pg, request):
    """Two Database objects (as two app processes would hold) race the same versioned update: exactly one saves."""
    url = _pg_clone(pg, request.getfixturevalue("pg_templates")["demo"])
    first, second = open_database(url), open_database(url)
    score_id, version = first.one("SELECT id, row_version FROM score ORDER BY id LIMIT 1")
    barrier, outcomes = threading.Barrier(2), []

    def save(db, comment):
        first_try = [True]

        def run(tx):
            current = tx.value("SELECT row_version FROM score WHERE id = ?", [score_id])
            if first_try[0]:  # both read the same version before either writes; a rerun goes straight on
                first_try[0] = False
                barrier.wait(timeout=10)
            if current != version:
                raise StaleWrite()
            tx.execute("UPDATE score SET overall_comment = ?, row_version = row_version + 1 WHERE id = ?",
                       [comment, score_id])
        try:
            db.write(run)
            outcomes.append(("saved", comment))
        except StaleWrite:
            outcomes.append(("refused", comment))

    threads = [threading.Thread(target=save, args=(d, c)) for d, c in ((first, "A"), (second, "B"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert sorted(kind for kind, _ in outcomes) == ["refused", "saved"]
        saved = [c for kind, c in outcomes if kind == "saved"]
        assert first.one("SELECT overall_comment, row_version FROM score WHERE id = ?", [score_id]) == \
            (saved[0], version + 1)
    finally:
        first.close()
        second.close()


# -- moving a programme across -------------------------------------------------------------------------------------
def test_migrate_copies_every_table_and_new_rows_continue_the_numbering(pg, demo_template, empty_pg, capsys):
    assert main(["migrate", "--from", str(demo_template), "--to", empty_pg]) == 0
    out = capsys.readouterr().out
    assert "row counts and checksums match" in out and "DIFFERENT" not in out
    source, target = Database(demo_template), open_database(empty_pg)
    try:
        assert target.value("SELECT count(*) FROM reflection") == source.value("SELECT count(*) FROM reflection") > 0
        highest = target.value("SELECT max(id) FROM app_user")
        new_id = target.write(lambda tx: tx.value(
            "INSERT INTO app_user (username, display_name, password_hash) VALUES ('new', '新規', 'x') RETURNING id"))
        assert new_id > highest
        target.write(lambda tx: tx.execute("UPDATE reflection SET goal = goal || '!' WHERE id = "
                                           "(SELECT min(id) FROM reflection)"))
        different = [c.table for c in transfer.compare(source, target) if not c.ok]
        assert sorted(different) == ["app_user", "reflection"]
    finally:
        source.close()
        target.close()
    assert main(["migrate", "--from", str(demo_template), "--to", empty_pg]) == 1
    assert "already holds data" in capsys.readouterr().err


# -- several processes ----------------------------------------------------------------------------------------------
def test_the_nginx_configuration_is_sticky_upgrades_websockets_and_lists_every_process(tmp_path):
    from coordsupervise.serve import Plan, nginx_config

    config = nginx_config(Plan(8500, [8701, 8702, 8703], tmp_path))
    upstream = config[config.index("upstream coordsupervise"):config.index("server {")]
    assert "hash $cs_route consistent;" in upstream
    assert '"~^[0-9a-f]{32}$" $cookie_cs_route;' in config and "default $request_id;" in config
    assert 'add_header Set-Cookie "cs_route=$cs_route; Path=/; HttpOnly; SameSite=Lax" always;' in config
    assert [f"127.0.0.1:{p}" in upstream for p in (8701, 8702, 8703)] == [True, True, True]
    assert "max_fails=2 fail_timeout=10s" in upstream
    assert "proxy_set_header Upgrade $http_upgrade;" in config
    assert "proxy_set_header Connection $connection_upgrade;" in config and "listen 0.0.0.0:8500;" in config
    assert "proxy_max_temp_file_size 0;" in config  # root's nginx workers cannot write a private temp folder
    assert "listen 127.0.0.1:8500;" in nginx_config(Plan(8500, [8701], tmp_path, "127.0.0.1"))
    assert "zone coordsupervise" in upstream  # every nginx worker knows which process failed
    components = config[config.index("location /component/"):]
    assert "proxy_next_upstream error timeout http_404;" in components[:components.index("}")]


def test_serve_refuses_a_duckdb_file(tmp_path, capsys):
    assert main(["--db", str(tmp_path / "x.duckdb"), "serve", "--processes", "2"]) == 2
    assert "postgresql://" in capsys.readouterr().err


def test_pg_dump_gets_the_password_in_its_environment_not_on_its_command_line(tmp_path):
    from coordsupervise.store.pg import dump_command

    command, env = dump_command("pg_dump", "postgresql://coord:s%40cret-pw@db.example:5433/prog", tmp_path / "b.dump")
    assert not any("s@cret-pw" in part or "s%40cret-pw" in part for part in command)
    assert env["PGPASSWORD"] == "s@cret-pw"
    assert command[-1] == "user=coord dbname=prog host=db.example port=5433"
    # no password in the address: the environment is left as it was
    assert dump_command("pg_dump", "postgresql://coord@db/prog", tmp_path / "b.dump")[1].get("PGPASSWORD") == \
        os.environ.get("PGPASSWORD")


def test_a_failing_pg_dump_is_a_message_and_leaves_no_file(pg, request, tmp_path, monkeypatch):
    from coordsupervise.errors import InvalidInput
    from coordsupervise.office import backup
    from coordsupervise.store import pg as pg_engine

    url = _pg_clone(pg, request.getfixturevalue("pg_templates")["fresh"])
    db = open_database(url)
    try:
        monkeypatch.setattr(pg_engine, "pg_tool", lambda name: "/bin/false")
        with pytest.raises(InvalidInput) as refused:
            backup.snapshot(db, tmp_path / "b.dump")
        assert refused.value.key == "admin.backup_pg_dump_failed"
        assert not (tmp_path / "b.dump").exists()
        assert main(["--db", url, "backup", str(tmp_path / "c.dump")]) == 2  # the command says so, no traceback
    finally:
        db.close()


def test_pooled_connections_run_without_jit(empty_pg):
    db = open_database(empty_pg)
    try:
        assert db.value("SHOW jit") == "off"
    finally:
        db.close()


def test_restore_on_postgresql_points_to_pg_restore(tmp_path, capsys):
    assert main(["--db", "postgresql://127.0.0.1:1/none", "restore", str(tmp_path / "backup.dump")]) == 2
    assert "pg_restore --no-owner --dbname URL" in capsys.readouterr().err
