"""Setting cohorts up, days off, backup and restore, and the import command line."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

import pytest

from coordsupervise.__main__ import main
from coordsupervise.errors import AccessDenied, InvalidInput
from coordsupervise.office import backup
from coordsupervise.practice import reflections
from coordsupervise.programme import caseload, cohorts, defaults
from coordsupervise.programme.enrolments import current_for_trainee
from coordsupervise.store.db import Database
from coordsupervise.store.engine import open_database
from tests.conftest import actor_of


def setup_for(code: str, start: date) -> cohorts.CohortSetup:
    return cohorts.CohortSetup(code, "2027年度前期 第9期", "2027 spring cohort 9", defaults.stage_calendar(start), 2)


def test_a_new_cohort_copies_assignments_rubrics_and_thresholds_with_due_dates_moved(demo_db):
    admin = actor_of(demo_db, "demo-admin")
    source = current_for_trainee(demo_db, actor_of(demo_db, "demo-trainee"))
    demo_db.write(lambda tx: tx.execute("UPDATE cohort SET module_pass_pct = 75 WHERE id = ?", [source.cohort_id]))
    start = date(2027, 4, 1)
    cohort_id = cohorts.create_cohort(demo_db, admin, setup_for("2027-A-009", start), copy_from=source.cohort_id)
    old = cohorts.assignment_list(demo_db, admin, source.cohort_id)
    new = cohorts.assignment_list(demo_db, admin, cohort_id)
    shift = defaults.stage_calendar(start)["practical"][0] - source.practical[0]
    # moved with the practical stage, onto the next working day when that is a weekend or a holiday
    assert [(a["code"], cohorts.working_day_from(demo_db, a["due_on"] + shift)[0]) for a in old] == \
        [(a["code"], a["due_on"]) for a in new]
    assert demo_db.value("SELECT count(DISTINCT rubric_id) FROM assignment WHERE cohort_id = ?", [cohort_id]) == 7
    assert demo_db.value("SELECT module_pass_pct FROM cohort WHERE id = ?", [cohort_id]) == 75
    assert cohorts.setup_of(demo_db, admin, cohort_id).reflection_cutoff_days == 2


def test_a_copy_keeps_second_marking_and_the_rubric_version_and_says_what_it_copied(demo_db):
    admin = actor_of(demo_db, "demo-admin")
    source = current_for_trainee(demo_db, actor_of(demo_db, "demo-trainee")).cohort_id
    demo_db.write(lambda tx: tx.execute(
        "UPDATE assignment SET moderation_rule = 'sample', moderation_pct = 30, moderation_seed = 7, "
        "moderation_tolerance = 1, rubric_version = 2 WHERE cohort_id = ? AND seq = 1", [source]))
    columns = ("code, moderation_rule, moderation_pct, moderation_seed, moderation_tolerance, rubric_version")
    before = demo_db.rows(f"SELECT {columns} FROM assignment WHERE cohort_id = ? ORDER BY seq", [source])  # noqa: S608
    cohort_id = cohorts.create_cohort(demo_db, admin, setup_for("2027-A-012", date(2027, 4, 1)), copy_from=source)
    after = demo_db.rows(f"SELECT {columns} FROM assignment WHERE cohort_id = ? ORDER BY seq", [cohort_id])  # noqa: S608
    assert after == before and ("A8", "all") in [row[:2] for row in after]
    rules = [row[1] for row in before]
    assert cohorts.copy_summary(demo_db, admin, cohort_id) == {
        "assignments": len(rules), "second_all": rules.count("all"), "second_sample": rules.count("sample")}


def test_cohort_rules_are_checked(demo_db):
    admin = actor_of(demo_db, "demo-admin")
    good = setup_for("2027-A-010", date(2027, 4, 1))
    calendar = dict(good.calendar)
    calendar["practical"] = (calendar["task_setting"][1], calendar["practical"][1])
    for bad, key in [(cohorts.CohortSetup("x", "a", "b", good.calendar), "setup.bad_code"),
                     (cohorts.CohortSetup("2027-A-010", "a", "b", calendar), "setup.stage_overlaps"),
                     (cohorts.CohortSetup("2027-A-010", "", "b", good.calendar), "setup.names_required"),
                     (cohorts.CohortSetup("2027-A-010", "a", "b", good.calendar, 99), "setup.cutoff_range")]:
        with pytest.raises(InvalidInput) as refused:
            cohorts.create_cohort(demo_db, admin, bad)
        assert refused.value.key == key
    cohort_id = cohorts.create_cohort(demo_db, admin, good)
    assert len(cohorts.assignment_list(demo_db, admin, cohort_id)) == len(defaults.ASSIGNMENTS)
    with pytest.raises(InvalidInput):
        cohorts.create_cohort(demo_db, admin, good)
    edited = cohorts.CohortSetup(good.code, "改名", "Renamed", good.calendar, 3)
    cohorts.update_cohort(demo_db, admin, cohort_id, edited)
    assert cohorts.setup_of(demo_db, admin, cohort_id) == edited


def test_setup_services_refuse_non_admins(demo_db):
    manager = actor_of(demo_db, "demo-manager")
    with pytest.raises(AccessDenied):
        cohorts.create_cohort(demo_db, manager, setup_for("2027-A-011", date(2027, 4, 1)))
    with pytest.raises(AccessDenied):
        cohorts.add_programme_day_off(demo_db, manager, date(2027, 1, 4), "年始休業", "New year closure")
    with pytest.raises(AccessDenied):
        backup.backup_bytes(demo_db, manager, "a long backup passphrase")


def test_public_holidays_and_programme_days_off_are_off_in_the_practice_calendar(demo_db):
    admin = actor_of(demo_db, "demo-admin")
    trainee = actor_of(demo_db, "demo-trainee")
    enrolment = current_for_trainee(demo_db, trainee)
    start, end = enrolment.practical
    weekday = next(d for d in (start + timedelta(days=i) for i in range(30))
                   if d.weekday() < 3 and not cohorts.days_off(demo_db, d, d))  # not a public holiday already
    cohorts.add_programme_day_off(demo_db, admin, weekday, "研修休業日", "Programme closure")
    today = end
    statuses = reflections.calendar(demo_db, trainee, enrolment, today)
    assert statuses[weekday] in ("off", "extra")
    holidays = cohorts.days_off(demo_db, date(2027, 1, 1), date(2027, 1, 31))
    assert holidays[date(2027, 1, 1)] == ("元日", "元日") and date(2027, 1, 11) in holidays
    cohorts.remove_programme_day_off(demo_db, admin, weekday)
    assert weekday not in cohorts.days_off(demo_db, weekday, weekday)


def test_a_supervisor_marks_a_day_off_after_its_cut_off_with_who_and_why(demo_db):
    supervisor = actor_of(demo_db, "demo-supervisor")
    enrolment = current_for_trainee(demo_db, actor_of(demo_db, "demo-trainee"))
    day = enrolment.practical[0] + timedelta(days=1)
    with pytest.raises(InvalidInput):
        caseload.mark_day_off(demo_db, supervisor, enrolment.id, day, "sick", "")
    caseload.mark_day_off(demo_db, supervisor, enrolment.id, day, "sick", "入院のため(本人から電話)")
    marked = [d for d in caseload.marked_days_off(demo_db, supervisor, enrolment.id) if d["day"] == day]
    assert marked == [{"day": day, "reason": "sick", "note": "入院のため(本人から電話)", "marked_by": "森 由美"}]
    with pytest.raises(AccessDenied):
        caseload.mark_day_off(demo_db, actor_of(demo_db, "supervisor-01"), enrolment.id, day, "sick", "x")
    with pytest.raises(AccessDenied):
        caseload.mark_day_off(demo_db, actor_of(demo_db, "demo-trainee"), enrolment.id, day, "sick", "x")


def every_row(path) -> dict[str, list]:
    db = Database(path)
    try:
        tables = [t for (t,) in db.rows("SELECT table_name FROM information_schema.tables "
                                         "WHERE table_schema = 'main' ORDER BY table_name")]
        return {t: sorted(map(repr, db.rows(f'SELECT * FROM "{t}"'))) for t in tables}
    finally:
        db.close()


@pytest.mark.duckdb_only  # backups copy the DuckDB file; PostgreSQL uses pg_dump
def test_a_backup_taken_while_running_restores_every_row_of_every_table(demo_db, tmp_path):
    admin = actor_of(demo_db, "demo-admin")
    data = backup.backup_bytes(demo_db, admin, "the office's backup passphrase")
    snapshot = tmp_path / "backup.duckdb.zip"  # as downloaded from /admin: encrypted
    snapshot.write_bytes(data)
    original = demo_db.path
    demo_db.close()
    before = every_row(original)
    assert sum(len(rows) for rows in before.values()) > 1000
    restored_into = tmp_path / "restored" / "coordsupervise.duckdb"
    restored_into.parent.mkdir()
    backup.restore(snapshot, restored_into, datetime(2026, 11, 28, 3, 0), "the office's backup passphrase")
    after = every_row(restored_into)
    assert set(after) == set(before)
    for table in before:
        if table != "audit_log":
            assert after[table] == before[table], table
    assert len(after["audit_log"]) == len(before["audit_log"]) - 1  # the download is audited after its snapshot
    # sequences continue after the restored rows
    db = Database(restored_into)
    try:
        new_id = db.write(lambda tx: tx.value("INSERT INTO programme (code, name_ja, name_en) VALUES "
                                              "('X', 'x', 'x') RETURNING id"))
        assert new_id == 2
    finally:
        db.close()
    Database(demo_db.path).close()


def test_restore_keeps_the_replaced_file_and_refuses_what_is_not_a_backup(tmp_path):
    live = tmp_path / "live.duckdb"
    Database(live).close()
    snap = tmp_path / "snap.duckdb"
    db = Database(live)
    backup.snapshot(db, snap)
    db.close()
    kept = backup.restore(snap, live, datetime(2026, 11, 28, 3, 0))
    assert kept is not None and kept.exists() and live.exists()
    junk = tmp_path / "junk.duckdb"
    junk.write_bytes(b"not a database")
    with pytest.raises(backup.BackupError):
        backup.restore(junk, live, datetime(2026, 11, 28, 3, 1))
    assert main(["--db", str(live), "restore", str(junk)]) == 2


def roster_csv(rows) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([["ログインID", "氏名", "担当指導者"], *rows])
    return out.getvalue().encode("cp932")


def test_the_import_command_previews_commits_and_fails_on_rejected_rows(demo_db, tmp_path, capsys):
    code = demo_db.value("SELECT c.code FROM cohort c JOIN enrolment e ON e.cohort_id = c.id JOIN app_user u "
                         "ON u.id = e.trainee_id WHERE u.username = 'demo-trainee'")
    path = demo_db.path
    demo_db.close()
    bad = tmp_path / "bad.csv"
    bad.write_bytes(roster_csv([["cli.one", "一郎", "demo-supervisor"], ["cli.two", "", "nobody"]]))
    assert main(["--db", path, "import", "roster", str(bad), "--cohort", code]) == 1
    err = capsys.readouterr().err
    assert "line 3" in err and "氏名" in err
    good = tmp_path / "good.csv"
    good.write_bytes(roster_csv([["cli.one", "一郎", "demo-supervisor"]]))
    assert main(["--db", path, "import", "roster", str(good), "--cohort", code, "--dry-run"]) == 0
    passwords = tmp_path / "pw.csv"
    assert main(["--db", path, "import", "roster", str(good), "--cohort", code, "--passwords", str(passwords)]) == 0
    assert "cli.one" in passwords.read_text(encoding="utf-8-sig")
    assert main(["--db", path, "import", "roster", str(good), "--cohort", code]) == 0
    assert main(["--db", path, "import", "roster", str(good), "--cohort", "NO-SUCH"]) == 2
    db = open_database(path)
    try:
        assert db.value("SELECT count(*) FROM app_user WHERE username = 'cli.one'") == 1
        assert db.value("SELECT count(*) FROM app_user WHERE username = 'cli.two'") == 0
    finally:
        db.close()
    open_database(path).close()
