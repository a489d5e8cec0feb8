"""Shared shapes folded together in the polish round, held to what a user notices: an import commits exactly what
was previewed or nothing; assign and unassign refuse the same things."""
from __future__ import annotations

import csv
import io

import pytest

from coordsupervise.errors import InvalidInput, StaleWrite
from coordsupervise.office import imports
from coordsupervise.programme import caseload
from coordsupervise.programme.enrolments import current_for_trainee
from tests.conftest import actor_of

HEADER = ["ログインID", "氏名", "ふりがな", "メールアドレス", "所属機関", "地域", "担当指導者"]


def roster(*rows) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([HEADER, *rows])
    return out.getvalue().encode("utf-8")


def test_a_roster_imported_by_someone_else_meanwhile_is_refused_and_writes_nothing(demo_db, monkeypatch):
    admin = actor_of(demo_db, "demo-admin")
    cohort_id = current_for_trainee(demo_db, actor_of(demo_db, "demo-trainee")).cohort_id
    data = roster(["sato.hana", "佐藤 花", "さとう はな", "", "", "", "demo-supervisor"],
                  ["ito.ken", "伊藤 健", "いとう けん", "", "", "", "demo-supervisor"])
    other = roster(["sato.hana", "佐藤 花", "さとう はな", "", "", "", "demo-supervisor"])
    hashing = imports.one_time_password

    def someone_else_imports_while_passwords_hash():
        monkeypatch.setattr(imports, "one_time_password", hashing)
        imports.commit_roster(demo_db, admin, other, "other.csv", cohort_id)
        return hashing()

    monkeypatch.setattr(imports, "one_time_password", someone_else_imports_while_passwords_hash)
    audits = demo_db.value("SELECT count(*) FROM audit_log WHERE action = 'import.roster'")
    with pytest.raises(StaleWrite):
        imports.commit_roster(demo_db, admin, data, "roster.csv", cohort_id)
    assert demo_db.value("SELECT count(*) FROM app_user WHERE username = 'ito.ken'") == 0
    assert demo_db.value("SELECT count(*) FROM audit_log WHERE action = 'import.roster'") == audits + 1  # theirs


def test_unassign_refuses_an_empty_choice_like_assign_and_counts_each_trainee_once(demo_db):
    admin = actor_of(demo_db, "demo-admin")
    enrolment = current_for_trainee(demo_db, actor_of(demo_db, "demo-trainee"))
    supervisor, manager = actor_of(demo_db, "demo-supervisor"), actor_of(demo_db, "demo-manager")
    for change in (caseload.assign, caseload.unassign):
        extra = {"replace": False} if change is caseload.assign else {}
        with pytest.raises(InvalidInput) as no_supervisor:
            change(demo_db, admin, [enrolment.id], [], **extra)
        assert no_supervisor.value.key == "caseload.no_supervisors"  # "remove" with nobody chosen says so
        with pytest.raises(InvalidInput) as no_trainee:
            change(demo_db, admin, [], [supervisor.id], **extra)
        assert no_trainee.value.key == "caseload.no_trainees"
    caseload.assign(demo_db, admin, [enrolment.id], [manager.id], replace=False)
    assert caseload.unassign(demo_db, admin, [enrolment.id], [supervisor.id, manager.id]) == 1
    assert caseload.current_supervisors(demo_db, enrolment.id) == []


def test_the_demo_trainees_month_does_not_repeat_itself(demo_db):
    """A supervisor reading one trainee's reflections meets new wording day after day, and a rebuilt demo says the
    same on every build: a new feeling, keep and try at least every third day of a trainee (the short
    lists they are drawn from hold six to eight), and hardly two days told alike."""
    per_trainee = demo_db.rows(
        "SELECT enrolment_id, count(*), count(DISTINCT feelings), count(DISTINCT keep_text), "
        "count(DISTINCT try_text), "
        "count(DISTINCT regexp_replace(event, '^相談者コード K-[0-9]+:', '')) FROM reflection "
        "GROUP BY enrolment_id HAVING count(*) >= 20")
    assert per_trainee
    for _enrolment, days, feelings, keeps, tries, events in per_trainee:
        assert min(feelings, keeps, tries) >= days // 3
        assert events >= days - 2  # a day told like another is rare (the old demo repeated one in eight)
