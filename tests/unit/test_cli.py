"""The command line as an office uses it beside the app: `cohort create` prints the calendar and due dates,
`cohort move` previews (--dry-run) and moves the due dates with the stage, a database held by the running app is
said in a sentence with what to do (no traceback), `restore BACKUP --db PATH` is accepted as --help shows it, and
a refused password is a sentence, not a catalogue key. Messages in Japanese and English (COORDSUPERVISE_LANG)."""
from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta

import pytest

from coordsupervise.__main__ import main
from coordsupervise.i18n import translate
from coordsupervise.programme import auth, cohorts
from coordsupervise.store.db import Database
from tests.conftest import DEMO_TODAY

pytestmark = pytest.mark.duckdb_only


@pytest.fixture
def office(tmp_path, monkeypatch):
    """A database file with the shipped programme and nothing else, as after `programme init`."""
    monkeypatch.setenv("COORDSUPERVISE_LANG", "en")
    path = str(tmp_path / "office.duckdb")
    assert main(["programme", "init", "--db", path]) == 0
    return path


def read(path: str, sql: str, params=None) -> list[tuple]:
    db = Database(path)
    try:
        return db.rows(sql, params)
    finally:
        db.close()


def calendar_of(path: str, code: str) -> dict[str, tuple[date, date]]:
    return {stage: (start, end) for stage, start, end in read(
        path, "SELECT s.stage, s.starts_on, s.ends_on FROM cohort_stage s JOIN cohort c ON c.id = s.cohort_id "
              "WHERE c.code = ?", [code])}


def due_dates(path: str, code: str) -> dict[str, date]:
    return dict(read(path, "SELECT a.code, a.due_on FROM assignment a JOIN cohort c ON c.id = a.cohort_id "
                           "WHERE c.code = ?", [code]))


def day(d: date, language: str) -> str:
    return f"{d.isoformat()} ({translate(language, f'weekday.{d.weekday()}')})"


@pytest.mark.parametrize("language", ["ja", "en"])
def test_cohort_create_prints_the_calendar_and_every_due_date(office, capsys, monkeypatch, language):
    monkeypatch.setenv("COORDSUPERVISE_LANG", language)
    capsys.readouterr()
    start = DEMO_TODAY + timedelta(days=40)
    assert main(["cohort", "create", "2030-A-001", "--online-start", start.isoformat(), "--name-ja", "第1期",
                 "--db", office]) == 0
    out = capsys.readouterr().out
    say = lambda key, **p: translate(language, key, **p)  # noqa: E731
    assert say("cli.created", code="2030-A-001", count=8, source=say("setup.copy_defaults")) in out
    assert say("cli.calendar") in out and say("cli.assignments") in out
    calendar = calendar_of(office, "2030-A-001")
    assert calendar["online"][0] >= start and (calendar["online"][0] - start).days < 7  # the next working day
    lines = out.splitlines()
    for stage, (first, last) in calendar.items():
        [line] = [line for line in lines if line.strip().startswith(say(f"stage.{stage}") + " ")]
        assert day(first, language) in line and day(last, language) in line
    due = due_dates(office, "2030-A-001")
    assert len(due) == 8
    for code, due_on in due.items():
        [line] = [line for line in lines if line.strip().startswith(code + " ")]
        assert line.rstrip().endswith(day(due_on, language))
    db = Database(office)
    try:  # due_days of the shipped curriculum, or the next working day
        assert due["A8"] == cohorts.working_day_from(db, calendar["practical"][0] + timedelta(days=92))[0]
    finally:
        db.close()

    assert main(["cohort", "create", "2030-A-001", "--online-start", start.isoformat(), "--db", office]) == 2
    err = capsys.readouterr().err
    assert err.startswith(say("cli.refused", reason="")) and "setup." not in err


def test_cohort_create_before_programme_init_says_what_to_run(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COORDSUPERVISE_LANG", "ja")
    assert main(["cohort", "create", "X-1", "--online-start", DEMO_TODAY.isoformat(),
                 "--db", str(tmp_path / "empty.duckdb")]) == 2
    assert capsys.readouterr().err.strip() == translate("ja", "cli.no_programme")


def test_cohort_move_previews_with_dry_run_and_then_moves_the_due_dates(office, capsys):
    start = DEMO_TODAY + timedelta(days=40)
    assert main(["cohort", "create", "2030-A-002", "--online-start", start.isoformat(), "--db", office]) == 0
    before_calendar, before_due = calendar_of(office, "2030-A-002"), due_dates(office, "2030-A-002")
    old_start = before_calendar["practical"][0]
    db = Database(office)
    try:  # four weeks later, or the working day after that when it is a public holiday
        new_start = cohorts.working_day_from(db, old_start + timedelta(days=28))[0]
    finally:
        db.close()
    shift = new_start - old_start
    capsys.readouterr()

    assert main(["cohort", "move", "2030-A-002", "--practical-start", new_start.isoformat(), "--dry-run",
                 "--db", office]) == 0
    out = capsys.readouterr().out
    assert translate("en", "cli.dry_run") in out
    a2_line = next(line for line in out.splitlines() if line.strip().startswith("A2 "))
    db = Database(office)
    try:
        a2_moved = cohorts.working_day_from(db, before_due["A2"] + shift)[0]
    finally:
        db.close()
    assert day(before_due["A2"], "en") in a2_line and day(a2_moved, "en") in a2_line
    assert calendar_of(office, "2030-A-002") == before_calendar and due_dates(office, "2030-A-002") == before_due

    assert main(["cohort", "move", "2030-A-002", "--practical-start", new_start.isoformat(), "--db", office]) == 0
    assert translate("en", "setup.saved_moved", code="2030-A-002", count=8) in capsys.readouterr().out
    after = calendar_of(office, "2030-A-002")
    assert after["practical"][0] == new_start and after["online"] == before_calendar["online"]
    assert after["workshop_day1"][0] > before_calendar["workshop_day1"][0]
    db = Database(office)
    try:  # moved with the stage, onto the next working day when that is a day off
        expected = {code: cohorts.working_day_from(db, due + shift)[0] for code, due in before_due.items()}
    finally:
        db.close()
    assert due_dates(office, "2030-A-002") == expected

    assert main(["cohort", "move", "2030-A-002", "--practical-start", "next week", "--db", office]) == 2
    assert translate("en", "cli.bad_date", value="next week") in capsys.readouterr().err


HOLDER = ("import sys, time, duckdb\n"
          "connection = duckdb.connect(sys.argv[1])\n"
          "print('holding', flush=True)\n"
          "time.sleep(120)\n")


@pytest.fixture
def held(office):
    """The database file held by another process, as the running app holds it."""
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, office], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        yield office, holder.pid
    finally:
        holder.kill()
        holder.wait(timeout=30)


@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_database_held_by_the_app_is_said_with_what_to_do(held, tmp_path, capsys, monkeypatch, language):
    path, pid = held
    monkeypatch.setenv("COORDSUPERVISE_LANG", language)
    roster = tmp_path / "roster.csv"
    roster.write_bytes("ログインID,氏名\r\nyamada.taro,山田 太郎\r\n".encode("cp932"))
    capsys.readouterr()
    expected = translate(language, "cli.database_in_use", path=path,
                         holder=translate(language, "cli.holder_pid", pid=pid))
    for command in (["import", "roster", str(roster), "--cohort", "X", "--dry-run"], ["programme", "init"],
                    ["cohort", "create", "X-1", "--online-start", DEMO_TODAY.isoformat()], ["samples"]):
        assert main([*command, "--db", path]) == 2, command
        captured = capsys.readouterr()
        assert captured.err.strip() == expected, command
        assert "Traceback" not in captured.err and "IOException" not in captured.err
    stop_the_app = {"ja": "アプリを止めて", "en": "Stop the app"}[language]
    assert stop_the_app in expected and "PostgreSQL" in expected


def test_restore_takes_db_after_the_backup_as_help_shows_it(office, tmp_path, capsys):
    snapshot = tmp_path / "snapshot.duckdb"
    assert main(["backup", str(snapshot), "--db", office]) == 0
    assert main(["cohort", "create", "2030-A-003", "--online-start", (DEMO_TODAY + timedelta(days=40)).isoformat(),
                 "--db", office]) == 0
    capsys.readouterr()
    assert main(["restore", str(snapshot), "--db", office]) == 0
    assert f"restored {snapshot} into {office}" in capsys.readouterr().out
    assert read(office, "SELECT count(*) FROM cohort") == [(0,)]  # as it was when the backup was taken
    assert "--db" in subprocess.run([sys.executable, "-m", "coordsupervise", "restore", "--help"],
                                    capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("language", ["ja", "en"])
def test_create_admin_refuses_a_short_password_with_a_sentence(tmp_path, capsys, monkeypatch, language):
    monkeypatch.setenv("COORDSUPERVISE_LANG", language)
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "short")
    path = tmp_path / "office.duckdb"
    assert main(["--db", str(path), "create-admin", "office", "事務局 一郎"]) == 2
    err = capsys.readouterr().err.strip()
    [problem] = auth.password_problems("short")
    assert err == translate(language, "cli.refused", reason=translate(language, problem.key, **problem.params))
    assert "password.too_short" not in err and "{" not in err and "12" in err
    assert not path.exists()  # nothing was made

    monkeypatch.setattr("getpass.getpass", lambda prompt="": "a long enough passphrase")
    assert main(["--db", str(path), "create-admin", "office", "事務局 一郎"]) == 0
    assert translate(language, "cli.admin_created", username="office", path=str(path)) in capsys.readouterr().out


def test_create_admin_asks_for_the_password_twice_and_refuses_two_that_differ(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COORDSUPERVISE_LANG", "ja")
    typed = iter(["a long enough passphrase", "a long enough passphrose"])
    prompts = []
    monkeypatch.setattr("getpass.getpass", lambda prompt="": prompts.append(prompt) or next(typed))
    path = tmp_path / "office.duckdb"
    assert main(["--db", str(path), "create-admin", "office", "事務局 一郎"]) == 2
    assert prompts == [translate("ja", "cli.password_prompt"), translate("ja", "cli.password_again")]
    assert capsys.readouterr().err.strip() == translate(
        "ja", "cli.refused", reason=translate("ja", "cli.password_mismatch"))
    assert not path.exists()  # nothing was made


@pytest.mark.parametrize("language", ["ja", "en"])
def test_import_before_any_admin_says_to_run_create_admin_first(office, tmp_path, capsys, monkeypatch, language):
    monkeypatch.setenv("COORDSUPERVISE_LANG", language)
    roster = tmp_path / "roster.csv"
    roster.write_text("username,name\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["import", "roster", str(roster), "--db", office]) == 2
    err = capsys.readouterr().err.strip()
    assert err == translate(language, "cli.refused", reason=translate(language, "cli.no_admin_yet"))
    assert "create-admin" in err and "no such admin" not in err
    assert main(["import", "roster", str(roster), "--as", "nobody", "--db", office]) == 2
    assert capsys.readouterr().err.strip() == translate(
        language, "cli.refused", reason=translate(language, "cli.no_such_admin", username="nobody"))


def test_the_import_usage_shows_the_cohort_as_optional():
    import coordsupervise.__main__ as cli

    usage = [line for line in cli.__doc__.splitlines() if "coordsupervise import " in line]
    assert len(usage) == 2 and all("[--cohort CODE]" in line for line in usage)


def test_due_dates_fall_on_working_days_when_created_copied_and_moved(office):
    """A1–A8 are due a number of days after the practical stage's first day; one that falls on a weekend or a
    public holiday is due on the next working day (2027-05-04 みどりの日 and 05-05 こどもの日: 05-06)."""
    import jpholiday

    from coordsupervise.cli_cohort import _actor

    db = Database(office)
    try:
        actor = _actor()
        a2_days = db.value("SELECT due_days FROM assignment_template WHERE code = 'A2'")
        practical = date(2027, 5, 4) - timedelta(days=a2_days)  # A2 would be due on みどりの日
        calendar = cohorts.moved_calendar(db, cohorts.proposed_calendar(db, date(2027, 1, 4)), "practical", practical)
        assert calendar["practical"][0] == practical  # a working day itself
        first = cohorts.create_cohort(db, actor, cohorts.CohortSetup("2027-W-001", "第1期", "Cohort 1", calendar))

        def due(cohort_id: int) -> dict[str, date]:
            return {a["code"]: a["due_on"] for a in cohorts.assignment_list(db, actor, cohort_id)}

        def all_working(days) -> bool:
            return all(d.weekday() < 5 and not jpholiday.is_holiday(d) for d in days)

        assert due(first)["A2"] == date(2027, 5, 6)
        assert all_working(due(first).values())

        # copied into a cohort whose practical stage starts a week later: A2 + 7 days is a Thursday, kept;
        # none of the copies lands on a day off
        later = cohorts.moved_calendar(db, calendar, "practical", practical + timedelta(days=7))
        second = cohorts.create_cohort(db, actor, cohorts.CohortSetup("2027-W-002", "第2期", "Cohort 2", later),
                                       copy_from=first)
        assert all_working(due(second).values())

        # moved back so that A4 (nominally) falls on a day off: the preview and the saved date both avoid it
        a4_days = db.value("SELECT due_days FROM assignment_template WHERE code = 'A4'")
        target = date(2027, 7, 19)  # 海の日 2027
        assert jpholiday.is_holiday(target)
        new_start = cohorts.working_day_from(db, target - timedelta(days=a4_days))[0]
        moved = cohorts.moved_calendar(db, cohorts.setup_of(db, actor, first).calendar, "practical", new_start)
        moves = {m["code"]: m for m in cohorts.due_date_moves(db, actor, first, moved)}
        assert all_working(m["new_due"] for m in moves.values())
        setup = cohorts.setup_of(db, actor, first)
        cohorts.update_cohort(db, actor, first, cohorts.CohortSetup(setup.code, setup.name_ja, setup.name_en, moved))
        assert due(first) == {code: m["new_due"] for code, m in moves.items()}
        assert all_working(due(first).values())
    finally:
        db.close()
