"""Roster and quiz imports: preview, all-or-nothing commit, idempotence, row errors, and property tests that no
input crashes the importer and every row is imported exactly or rejected with a reason."""
from __future__ import annotations

import csv
import io
import itertools
import json
import unicodedata
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coordsupervise.errors import AccessDenied, InvalidInput
from coordsupervise.i18n import translate
from coordsupervise.office import imports
from coordsupervise.office.tabular import CREATED, REJECTED, UNCHANGED, UPDATED
from coordsupervise.practice import progress
from coordsupervise.programme import auth
from coordsupervise.programme.enrolments import current_for_trainee
from tests.conftest import actor_of

HEADER = ["ログインID", "氏名", "ふりがな", "メールアドレス", "所属機関", "地域", "担当指導者"]


def csv_data(rows, encoding="cp932", header=HEADER) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([header, *rows])
    return out.getvalue().encode(encoding)


@pytest.fixture
def office(demo_db):
    admin = actor_of(demo_db, "demo-admin")
    cohort_id = current_for_trainee(demo_db, actor_of(demo_db, "demo-trainee")).cohort_id
    return demo_db, admin, cohort_id


def new_rows():
    return [["yamada.taro", "山田 太郎", "やまだ たろう", "yamada@example.jp", "浜松国際交流協会 外国人相談", "中部",
             "demo-supervisor"],
            ["ＫＩＭ.ＭＩＮ", "金 ミン", "", "", "新しい相談センター", "関東", "demo-supervisor;demo-manager"]]


def test_roster_preview_then_commit_creates_accounts_enrolments_and_caseload(office):
    db, admin, cohort_id = office
    data = csv_data(new_rows())
    preview = imports.preview_roster(db, admin, data, "roster.csv", cohort_id)
    assert preview.counts == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 0}
    assert db.value("SELECT count(*) FROM app_user WHERE username = 'yamada.taro'") == 0  # preview writes nothing

    result = imports.commit_roster(db, admin, data, "roster.csv", cohort_id)
    assert sorted(p[0] for p in result.passwords) == ["kim.min", "yamada.taro"]
    kim = auth.load_login_user(db, "kim.min")
    assert kim.must_change_password and "trainee" in kim.roles
    assert auth.verify_password(dict((p[0], p[2]) for p in result.passwords)["kim.min"], kim.password_hash)
    sups = db.rows("SELECT u.username, s.is_lead FROM supervision s JOIN enrolment e ON e.id = s.enrolment_id "
                   "JOIN app_user u ON u.id = s.supervisor_id WHERE e.trainee_id = ? ORDER BY u.username", [kim.id])
    assert sups == [("demo-manager", False), ("demo-supervisor", True)]
    assert db.value("SELECT o.region FROM enrolment e JOIN organisation o ON o.id = e.organisation_id "
                    "WHERE e.trainee_id = ?", [kim.id]) == "関東"
    logged = json.loads(db.value("SELECT after_json FROM audit_log WHERE action = 'import.roster'"))
    assert logged["sha256"] == preview.sha256 and logged["counts"]["created"] == 2


def test_the_same_roster_twice_changes_nothing_the_second_time(office):
    db, admin, cohort_id = office
    data = csv_data(new_rows())
    imports.commit_roster(db, admin, data, "roster.csv", cohort_id)
    tables = {t: db.value(f"SELECT count(*) FROM {t}") for t in ("app_user", "enrolment", "supervision",
                                                                  "organisation", "audit_log")}
    again = imports.commit_roster(db, admin, data, "roster.csv", cohort_id)
    assert again.counts["unchanged"] == 2 and again.passwords == []
    assert {t: db.value(f"SELECT count(*) FROM {t}") for t in tables} == tables


def test_nfd_names_full_width_ids_and_utf8_bom_match_what_is_on_record(office):
    db, admin, cohort_id = office
    imports.commit_roster(db, admin, csv_data(new_rows()), "roster.csv", cohort_id)
    rows = [[unicodedata.normalize("NFD", c) for c in row] for row in new_rows()]
    rows[0][0] = " ｙａｍａｄａ.ｔａｒｏ "
    preview = imports.preview_roster(db, admin, csv_data(rows, "utf-8-sig"), "roster.csv", cohort_id)
    assert [r.action for r in preview.rows] == [UNCHANGED, UNCHANGED]


def test_a_changed_name_or_supervisor_is_an_update(office):
    db, admin, cohort_id = office
    imports.commit_roster(db, admin, csv_data(new_rows()), "roster.csv", cohort_id)
    rows = new_rows()
    rows[0][1] = "山田 太朗"
    rows[1][6] = "demo-manager"
    preview = imports.preview_roster(db, admin, csv_data(rows), "roster.csv", cohort_id)
    assert [(r.action, r.values["changes"]) for r in preview.rows] == [(UPDATED, ["name"]), (UPDATED, ["supervisor"])]
    imports.commit_roster(db, admin, csv_data(rows), "roster.csv", cohort_id)
    assert auth.load_login_user(db, "yamada.taro").display_name == "山田 太朗"


def test_a_new_login_id_follows_the_admin_form_rule_and_a_bad_email_is_quoted(office):
    db, admin, cohort_id = office
    rows = [["山田 太郎", "山田 太郎", "", "", "", "", ""], ["yui", "結衣", "", "yui@@example", "", "", ""]]
    preview = imports.preview_roster(db, admin, csv_data(rows), "roster.csv", cohort_id)
    assert {(e.line, e.key, tuple(e.params.values())) for e in preview.errors} == {
        (2, "user.bad_login_id", ("山田 太郎",)), (3, "roster.bad_email", ("yui@@example",))}
    assert "yui@@example" in translate("ja", preview.errors[-1].key, **preview.errors[-1].params)


def test_bad_rows_are_named_by_line_and_column_and_nothing_is_imported(office):
    db, admin, cohort_id = office
    rows = new_rows() + [
        ["sato", "佐藤", "", "not-an-email", "", "", ""],
        ["ito", "", "", "", "", "", "nobody-here"],
        ["yamada.taro", "山田 二郎", "", "", "", "", ""],
        ["demo-admin", "前田", "", "", "", "", ""],
    ]
    data = csv_data(rows)
    preview = imports.preview_roster(db, admin, data, "roster.csv", cohort_id)
    assert {(e.line, e.column, e.key) for e in preview.errors} == {
        (4, "メールアドレス", "roster.bad_email"),
        (5, "氏名", "tabular.required"),
        (6, "ログインID", "import.duplicate_login_id"),
        (7, "ログインID", "roster.not_a_trainee"),
    }
    assert preview.counts["rejected"] == 4 and preview.counts["created"] == 2
    # only the ID repeats on line 6 (another name): the reason says that, not "the same content as line 2"
    repeated = next(e for e in preview.errors if e.line == 6)
    assert translate("ja", repeated.key, **repeated.params) == \
        "ログインID「yamada.taro」は 2 行目にもあります。1人につき1行にしてください。"
    before = db.value("SELECT count(*) FROM app_user")
    with pytest.raises(InvalidInput) as refused:
        imports.commit_roster(db, admin, data, "roster.csv", cohort_id)
    assert refused.value.key == "tabular.rejected"
    assert db.value("SELECT count(*) FROM app_user") == before


def test_unknown_supervisor_is_named(office):
    db, admin, cohort_id = office
    preview = imports.preview_roster(db, admin, csv_data([["a1", "甲", "", "", "", "", "nobody;demo-trainee"]]),
                                     "r.csv", cohort_id)
    assert [(e.key, e.params) for e in preview.errors] == [
        ("roster.unknown_supervisor", {"username": "nobody"}),
        ("roster.unknown_supervisor", {"username": "demo-trainee"})]


def test_english_headers_and_xlsx(office, tmp_path):
    from openpyxl import Workbook

    db, admin, cohort_id = office
    book = Workbook()
    book.active.append(["username", "name", "supervisor"])
    book.active.append(["xlsx.user", "エクセル 太郎", "demo-supervisor"])
    out = io.BytesIO()
    book.save(out)
    preview = imports.preview_roster(db, admin, out.getvalue(), "roster.xlsx", cohort_id)
    assert preview.counts["created"] == 1 and preview.committable


def test_only_admins_import(office):
    db, _admin, cohort_id = office
    data = csv_data(new_rows())
    for username in ("demo-manager", "demo-supervisor", "demo-trainee"):
        with pytest.raises(AccessDenied):
            imports.preview_roster(db, actor_of(db, username), data, "r.csv", cohort_id)
        with pytest.raises(AccessDenied):
            imports.commit_roster(db, actor_of(db, username), data, "r.csv", cohort_id)
        with pytest.raises(AccessDenied):
            imports.commit_quiz(db, actor_of(db, username), data, "r.csv", cohort_id)


# -- quiz ----------------------------------------------------------------------------------------------------------
QUIZ_HEADER = ["ログインID", "モジュール", "得点", "受験回数", "受験日"]


@pytest.fixture
def online_cohort(demo_db):
    """The newest demo cohort (online stage) and one of its trainees."""
    admin = actor_of(demo_db, "demo-admin")
    cohort_id, start, end = demo_db.one(
        "SELECT c.id, s.starts_on, s.ends_on FROM cohort c JOIN cohort_stage s ON s.cohort_id = c.id "
        "AND s.stage = 'online' ORDER BY s.starts_on DESC LIMIT 1")
    username = demo_db.value("SELECT u.username FROM enrolment e JOIN app_user u ON u.id = e.trainee_id "
                             "WHERE e.cohort_id = ? ORDER BY u.username LIMIT 1", [cohort_id])
    return demo_db, admin, cohort_id, start, end, username


def test_quiz_results_land_where_progress_reads_them_and_twice_changes_nothing(online_cohort):
    db, admin, cohort_id, start, end, username = online_cohort
    day = (start + timedelta(days=3)).strftime("%Y/%m/%d")
    data = csv_data([[username, "１５", "９２", "4", day], [username, "総合", "88.5", "1", day]], header=QUIZ_HEADER)
    preview = imports.preview_quiz(db, admin, data, "quiz.csv", cohort_id)
    assert preview.counts == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 0}, preview.errors
    imports.commit_quiz(db, admin, data, "quiz.csv", cohort_id)
    trainee = actor_of(db, username)
    enrolment = current_for_trainee(db, trainee)
    module15 = [m for m in progress.module_results(db, trainee, enrolment) if m["seq"] == 15][0]
    assert module15["best"] == 92
    assert progress.test_result(db, trainee, enrolment, "overall")["best"] == 88.5
    assert imports.preview_quiz(db, admin, data, "quiz.csv", cohort_id).counts["unchanged"] == 2


def test_a_changed_score_is_an_update_with_its_old_value_audited(online_cohort):
    db, admin, cohort_id, start, _end, username = online_cohort
    day = start.isoformat()
    imports.commit_quiz(db, admin, csv_data([[username, "15", "50", "5", day]], header=QUIZ_HEADER), "q.csv",
                        cohort_id)
    data = csv_data([[username, "15", "60", "5", day]], header=QUIZ_HEADER)
    assert [r.action for r in imports.preview_quiz(db, admin, data, "q.csv", cohort_id).rows] == [UPDATED]
    imports.commit_quiz(db, admin, data, "q.csv", cohort_id)
    before = json.loads(db.value("SELECT before_json FROM audit_log WHERE action = 'import.quiz_score'"))
    assert before["score"] == 50


def test_quiz_row_errors(online_cohort):
    db, admin, cohort_id, start, end, username = online_cohort
    rows = [
        ["nobody", "1", "80", "1", start.isoformat()],
        [username, "16", "80", "1", start.isoformat()],
        [username, "1", "101", "1", start.isoformat()],
        [username, "1", "80", "0", start.isoformat()],
        [username, "4", "80", "1", (end + timedelta(days=1)).isoformat()],
        [username, "2", "80", "1", "昨日"],
        [username, "3", "80", "9", start.isoformat()],
        [username, "3", "81", "9", start.isoformat()],
    ]
    preview = imports.preview_quiz(db, admin, csv_data(rows, header=QUIZ_HEADER), "q.csv", cohort_id)
    assert [(e.line, e.column, e.key) for e in preview.errors] == [
        (2, "ログインID", "quiz.unknown_trainee"), (3, "モジュール", "quiz.unknown_module"),
        (4, "得点", "quiz.score_range"), (5, "受験回数", "quiz.bad_attempt"), (6, "受験日", "quiz.outside_online"),
        (7, "受験日", "quiz.bad_date"), (9, "ログインID", "import.duplicate_attempt")]
    assert [r.action for r in preview.rows] == [REJECTED] * 6 + [CREATED, REJECTED]


def test_missing_and_unknown_columns_reject_the_file(online_cohort):
    db, admin, cohort_id, *_ = online_cohort
    data = csv_data([["a", "1", "80", "x"]], header=["ログインID", "モジュール", "得点", "電話"])
    preview = imports.preview_quiz(db, admin, data, "q.csv", cohort_id)
    assert {e.key for e in preview.errors} == {"tabular.unknown_column", "tabular.missing_column"}
    assert not preview.committable


# -- properties ----------------------------------------------------------------------------------------------------
SERIAL = itertools.count(1)
awkward = st.text(st.one_of(
    st.characters(codec="utf-8", exclude_categories=("Cs",)),
    st.sampled_from(list("山田花子ガギグｶﾞ　 ;,\"\r\n\t\x00\x07😀👨‍👩‍👧é́ＡＢ１２"))), max_size=300)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(awkward, awkward, awkward), min_size=1, max_size=4),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp932"]))
def test_every_roster_row_is_imported_exactly_or_rejected_with_a_reason(office, rows, encoding):
    db, admin, cohort_id = office
    full = [[f"prop-{next(SERIAL)}", name, kana, "", org, "", ""] for name, kana, org in rows]
    try:
        data = csv_data(full, encoding)
    except UnicodeEncodeError:
        data = csv_data(full, "utf-8")
    preview = imports.preview_roster(db, admin, data, "r.csv", cohort_id)
    assert len(preview.rows) + len(preview.file_errors) >= 1
    for row in preview.rows:
        assert row.action in (CREATED, REJECTED) and (row.action != REJECTED or row.errors)
    if not preview.committable:
        for row in full:
            assert auth.load_login_user(db, row[0]) is None
        return
    imports.commit_roster(db, admin, data, "r.csv", cohort_id)
    for row in preview.rows:
        user = auth.load_login_user(db, row.values["username"])
        assert user.display_name == row.values["name"]
        assert unicodedata.is_normalized("NFKC", user.display_name) and user.display_name.strip() == user.display_name


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=st.lists(st.lists(awkward, min_size=5, max_size=6), min_size=1, max_size=4))
def test_no_quiz_file_crashes_the_importer(online_cohort, cells):
    db, admin, cohort_id, *_ = online_cohort
    data = csv_data(cells, "utf-8", header=QUIZ_HEADER)
    preview = imports.preview_quiz(db, admin, data, "q.csv", cohort_id)
    for row in preview.rows:
        assert row.action == CREATED or (row.action == REJECTED and row.errors)


def test_the_sample_files_import_cleanly_roster_first_then_quiz(online_cohort, tmp_path):
    from coordsupervise.office import samples

    db, admin, cohort_id, start, _end, _username = online_cohort
    paths = {p.name: p.read_bytes() for p in samples.write(tmp_path, start)}
    for name in ("sample_roster.csv", "sample_roster.xlsx"):
        preview = imports.preview_roster(db, admin, paths[name], name, cohort_id)
        assert preview.committable and preview.counts["created"] == len(samples.ROSTER), preview.errors
    imports.commit_roster(db, admin, paths["sample_roster.csv"], "sample_roster.csv", cohort_id)
    assert imports.preview_roster(db, admin, paths["sample_roster.xlsx"], "x.xlsx", cohort_id).counts[
        "unchanged"] == len(samples.ROSTER)
    result = imports.commit_quiz(db, admin, paths["sample_quiz.csv"], "sample_quiz.csv", cohort_id)
    assert result.counts["created"] == len(samples.quiz_rows(start)) - 1


def test_the_suggested_cohort_follows_the_stage_the_kind_of_data_belongs_to(office):
    db, admin, _ = office
    stages = {cid: (start, end) for cid, start, end in db.rows(
        "SELECT cohort_id, starts_on, ends_on FROM cohort_stage WHERE stage = 'online'")}
    today = min(start for start, _ in stages.values()) + timedelta(days=1)  # the oldest cohort is online
    oldest = min(stages, key=lambda cid: stages[cid][0])
    assert imports.suggested_cohort(db, admin, "quiz", today) == oldest
    assert imports.suggested_cohort(db, admin, "roster", today) == oldest
    after_all = max(end for _, end in stages.values()) + timedelta(days=1)
    assert imports.suggested_cohort(db, admin, "roster", after_all) is None
    newest_ended = max(stages, key=lambda cid: stages[cid][1])
    assert imports.suggested_cohort(db, admin, "quiz", after_all) == newest_ended


def test_a_roster_preview_names_supervisors_not_login_ids(office):
    db, admin, cohort_id = office
    preview = imports.preview_roster(db, admin, csv_data(new_rows()), "roster.csv", cohort_id)
    names = dict(db.rows("SELECT username, display_name FROM app_user WHERE username LIKE 'demo-%'"))
    assert preview.rows[1].values["supervisor_names"] == [names["demo-supervisor"], names["demo-manager"]]


def test_the_readmes_sample_commands_succeed_on_a_demo_built_today(tmp_path, monkeypatch, capsys):
    """`demo` writes the sample files for its newest cohort; the README's import commands, as printed there, then
    import them (whatever day the demo was built: the suite's day is set in tests/conftest.py)."""
    import shlex

    from coordsupervise.__main__ import main

    readme = (Path(__file__).resolve().parents[3] / "README.md").read_text(encoding="utf-8")
    commands = [shlex.split(line.split("#")[0])[3:] for line in readme.splitlines()
                if line.startswith("python -m coordsupervise import ") and "data/sample_" in line]
    assert [c[:2] for c in commands] == [["import", "roster"], ["import", "roster"], ["import", "quiz"]]
    monkeypatch.chdir(tmp_path)
    db = str(tmp_path / "demo.duckdb")
    assert main(["--db", db, "demo", "--cohorts", "3", "--trainees", "4"]) == 0
    assert {p.name for p in (tmp_path / "data").iterdir()} == {
        "sample_roster.csv", "sample_roster.xlsx", "sample_quiz.csv"}
    for command in commands:
        assert main(["--db", db, *command]) == 0, (command, capsys.readouterr())
    assert "nguyen.lan" in (tmp_path / "otp.csv").read_text(encoding="utf-8-sig")
