"""Day one of a real programme, as a programme office lives it: from an empty database to a certified coordinator in
the register, with no demo function on the way. The office works on the command line (create-admin, programme
init, cohort create, roster import from a CP932 file as Japanese Excel saves it); then the people work through the
services the screens call, the programme's clock travelling through the cohort's stages."""
from __future__ import annotations

import csv
import inspect
import io
from datetime import date, timedelta

import pytest

from coordsupervise import __main__, clock
from coordsupervise.certification import certification, workshop
from coordsupervise.certification.workshop import Attendance
from coordsupervise.demo import build as demo
from coordsupervise.demo import closing as demo_workshop
from coordsupervise.errors import BeforeStage
from coordsupervise.i18n import translate
from coordsupervise.office import imports
from coordsupervise.practice import assignments, reflections, supervision
from coordsupervise.practice.reflections import ReflectionBody
from coordsupervise.programme import auth, cohorts, enrolments
from coordsupervise.scoring import scoring
from coordsupervise.store.db import Database
from coordsupervise.ui import runtime
from tests.conftest import DEMO_TODAY, actor_of

pytestmark = pytest.mark.duckdb_only  # the command line's own file; the services run the same SQL on PostgreSQL
CODE = "2027-A-001"
PASSWORD = "a long enough passphrase"  # noqa: S105 (the test's own)


@pytest.fixture
def no_demo(monkeypatch):
    """Any demo builder called on this path fails the test."""
    def forbidden(*args, **kwargs):
        raise AssertionError("a demo function was called on the day-one path")

    for module in (demo, demo_workshop):
        for name, value in vars(module).items():
            if inspect.isfunction(value) and value.__module__ == module.__name__:
                monkeypatch.setattr(module, name, forbidden)
    monkeypatch.setattr(__main__, "build_demo", forbidden)
    monkeypatch.setattr(runtime, "build_demo", forbidden)


@pytest.fixture
def clock_back():
    yield
    clock.travel_to(DEMO_TODAY)


def cli(*args: str) -> None:
    assert __main__.main(list(args)) == 0, args


def roster_cp932(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(
        [["ログインID", "氏名", "ふりがな", "メールアドレス", "所属機関", "地域", "担当指導者"], *rows])
    return out.getvalue().encode("cp932")


def quiz_csv(rows: list[list]) -> bytes:
    out = io.StringIO()
    header = ["ログインID", "モジュール", "得点", "受験回数", "受験日"]
    csv.writer(out, lineterminator="\r\n").writerows([header, *rows])
    return out.getvalue().encode("cp932")


def working_day(db: Database, start: date) -> date:
    """The first weekday from `start` that is not a day off."""
    day = start
    while day.weekday() >= 5 or cohorts.days_off(db, day, day):
        day += timedelta(days=1)
    return day


def test_from_an_empty_database_to_the_register_without_the_demo(tmp_path, monkeypatch, capsys, no_demo,
                                                                  clock_back):
    monkeypatch.setenv("COORDSUPERVISE_LANG", "ja")
    monkeypatch.setattr("getpass.getpass", lambda prompt="": PASSWORD)
    path = str(tmp_path / "data" / "coordsupervise.duckdb")
    roster = tmp_path / "名簿.csv"
    passwords = tmp_path / "one-time-passwords.csv"

    # -- the office, on the command line ---------------------------------------------------------------------------
    cli("--db", path, "create-admin", "office", "事務局 一郎")
    cli("--db", path, "programme", "init")
    cli("--db", path, "cohort", "create", CODE, "--online-start", (DEMO_TODAY + timedelta(days=14)).isoformat(),
        "--name-ja", "2027年度 第1期", "--name-en", "2027 cohort 1")
    db = Database(path)
    try:
        admin = actor_of(db, "office")
        auth.create_user(db, admin, "lead.sato", "佐藤 指導", PASSWORD, ("supervisor",))  # as on /admin
        auth.create_user(db, admin, "manager.ito", "伊藤 管理", PASSWORD, ("manager",))
    finally:
        db.close()
    roster.write_bytes(roster_cp932([
        ["yamada.taro", "山田 太郎", "やまだ たろう", "", "浜松国際交流協会", "中部", "lead.sato"],
        ["kim.min", "金 ミン", "きむ みん", "", "新宿区多文化共生プラザ", "関東", "lead.sato"]]))
    cli("import", "roster", str(roster), "--cohort", CODE, "--passwords", str(passwords), "--db", path)
    out = capsys.readouterr().out
    assert translate("ja", "cli.programme_loaded", name="外国人支援コーディネーター養成研修", code="FRSC",
                     path=path) in out
    assert "A8 課題レポート" in out  # the new cohort's calendar and due dates
    assert "yamada.taro" in passwords.read_text(encoding="utf-8-sig")

    db = Database(path)
    try:
        admin, sup, manager = (actor_of(db, name) for name in ("office", "lead.sato", "manager.ito"))
        taro, kim = actor_of(db, "yamada.taro"), actor_of(db, "kim.min")
        cohort = imports.cohort_by_code(db, admin, CODE)
        calendar = cohorts.setup_of(db, admin, cohort["id"]).calendar
        taro_enrolment = enrolments.current_for_trainee(db, taro)
        kim_enrolment = enrolments.current_for_trainee(db, kim)
        assert taro_enrolment.cohort_id == cohort["id"] and taro_enrolment.module_pass_pct == 80

        # -- the online stage: the lecture platform's results --------------------------------------------------
        online_start, online_end = calendar["online"]
        clock.travel_to(online_end)
        results = [["yamada.taro", seq, 90, 1, (online_start + timedelta(days=seq)).isoformat()]
                   for seq in range(1, 16)]
        results += [["yamada.taro", "総合", 85, 1, online_end.isoformat()],
                    ["kim.min", 1, 60, 1, online_start.isoformat()]]
        committed = imports.commit_quiz(db, admin, quiz_csv(results), "quiz.csv", cohort["id"])
        assert committed.counts["created"] == 17 and committed.counts["rejected"] == 0

        # -- task setting: the sheet, approved -------------------------------------------------------------------
        clock.travel_to(calendar["task_setting"][0])
        rows = {a.code: a for a in assignments.for_enrolment(db, taro, taro_enrolment, clock.today())}
        assert list(rows) == [f"A{i}" for i in range(1, 9)]
        assignments.save_draft(db, taro, taro_enrolment, rows["A1"].id, "## 課題設定\n在留手続の相談を中心に。")
        assignments.submit(db, taro, taro_enrolment, rows["A1"].id, 1)
        [sheet] = scoring.queue(db, sup, scoring.QueueFilter(assignment_code="A1"))[0]
        scoring.decide_sheet(db, sup, sheet["submission_id"], True, "よく整理されています。")

        # -- the practical stage: a reflection, the supervisor's reply, a scored assignment -------------------------
        day = working_day(db, calendar["practical"][0] + timedelta(days=2))
        clock.travel_to(day)
        body = ReflectionBody(goal="在留期限の確認", competencies=["C1"], case_count=2, case_fields="在留手続",
                              event="相談者コード K-101 の在留期間更新の相談を受けた。", feelings="緊張した。",
                              try_text="確認項目の一覧を作る。", self_rating=3)
        assert reflections.submit(db, taro, taro_enrolment, day, body, 0, set(), day) == 1
        reflection_id = reflections.open_day(db, taro, taro_enrolment, day).reflection_id
        assert supervision.open_reflection(db, sup, reflection_id).body.event == body.event
        supervision.send_reply(db, sup, reflection_id, "期限を最初に確かめたのは良い判断です。", 1, 0)
        [message] = reflections.thread(db, taro, reflection_id)
        assert message.author_name == "佐藤 指導" and message.is_new

        assignments.save_draft(db, taro, taro_enrolment, rows["A2"].id, "## 在留状況確認記録\n3件を確認した。")
        assignments.submit(db, taro, taro_enrolment, rows["A2"].id, 1)
        [a2] = scoring.queue(db, sup, scoring.QueueFilter(assignment_code="A2"))[0]
        view = scoring.open_item(db, sup, a2["submission_id"])
        levels = {c["id"]: 3 for c in view.criteria}
        assert scoring.release(db, sup, a2["submission_id"], levels, {}, "重要な事実を確認できています。",
                               view.row_version) == "released"
        released = assignments.released_score(db, taro, taro_enrolment, rows["A2"].id)
        assert [c["level"] for c in released.criteria] == [3] * len(levels)

        # workshop attendance before the workshop is asked about, not taken silently
        with pytest.raises(BeforeStage):
            workshop.record_attendance(db, admin, cohort["id"], [Attendance(taro_enrolment.id, 1, "present")])

        # -- the workshop: both days, the certification test on day 2 ----------------------------------------------
        day2 = calendar["workshop_day2"][0]
        clock.travel_to(day2)
        assert workshop.record_attendance(db, admin, cohort["id"], [
            Attendance(taro_enrolment.id, 1, "present"), Attendance(taro_enrolment.id, 2, "present"),
            Attendance(kim_enrolment.id, 1, "present"), Attendance(kim_enrolment.id, 2, "absent")]) == 4
        assert workshop.record_test_scores(db, manager, cohort["id"],
                                           {taro_enrolment.id: 82, kim_enrolment.id: None}, 1, day2) == 1

        # -- certification: the decisions and the register ---------------------------------------------------------
        decision_day = calendar["certification"][0]
        clock.travel_to(decision_day)
        checks = {c.key: c.met for c in certification.checklist(db, manager, taro_enrolment, decision_day)}
        assert checks["cert.overall_test"] and checks["cert.task_sheet"] and checks["cert.modules"]
        assert checks["cert.workshop"] and checks["cert.certification_test"]
        assert checks["cert.reflections"] is False and checks["cert.final_report"] is False  # one day of ninety
        decided = certification.decide(db, manager, taro_enrolment.id, "certified", "研修を修了した。", decision_day,
                                       override_reason="事務局の了承のもと、実践研修の記録は別途確認した。")
        assert decided.certificate_no == f"FRSC-{CODE}-001"
        certification.decide(db, manager, kim_enrolment.id, "deferred", "集合研修2日目を欠席。次期で受講。",
                             decision_day)

        register = certification.register(db, manager, decision_day)
        assert list(register["certificate_no"]) == [f"FRSC-{CODE}-001"]
        entry = register.iloc[0]
        assert (entry["name"], entry["cohort"], entry["organisation"]) == ("山田 太郎", CODE, "浜松国際交流協会")
        assert entry["issued_on"] == decision_day
        assert entry["valid_until"] == certification.valid_until(decision_day, 3)
        assert db.value("SELECT count(*) FROM audit_log WHERE action = 'programme.init'") == 1
    finally:
        db.close()
