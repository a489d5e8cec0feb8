"""Caseloads with history, and the people an admin manages (edit, reset with forced change). Admins only."""
from __future__ import annotations

import pytest

from coordsupervise.access import enrolment_relation
from coordsupervise.errors import AccessDenied, InvalidInput
from coordsupervise.programme import auth, caseload, people
from coordsupervise.programme.enrolments import current_for_trainee
from tests.conftest import actor_of


@pytest.fixture
def setting(demo_db):
    admin = actor_of(demo_db, "demo-admin")
    enrolment = current_for_trainee(demo_db, actor_of(demo_db, "demo-trainee"))
    return demo_db, admin, enrolment


def supervisors_of(db, enrolment_id):
    return [u for (u,) in db.rows("SELECT u.username FROM supervision s JOIN app_user u ON u.id = s.supervisor_id "
                                  "WHERE s.enrolment_id = ? ORDER BY s.is_lead DESC, u.username", [enrolment_id])]


def test_changing_a_supervisor_mid_stage_keeps_who_supervised_whom_from_when_to_when(setting):
    db, admin, enrolment = setting
    assert supervisors_of(db, enrolment.id) == ["demo-supervisor"]
    other = actor_of(db, "supervisor-01")
    changed = caseload.assign(db, admin, [enrolment.id], [other.id], replace=True, reason="産休のため交代")
    assert changed == 1 and supervisors_of(db, enrolment.id) == ["supervisor-01"]
    periods = caseload.history(db, admin, enrolment.id)
    assert [(p["supervisor"], p["ends_at"] is None, p["started_by"]) for p in periods] == [
        (other.display_name, True, admin.display_name), ("森 由美", False, None)]
    assert periods[1]["ended_by"] == admin.display_name and periods[1]["reason"] == "産休のため交代"
    # access (and so the inbox) follows the current assignment; the old supervisor no longer reads this trainee
    assert enrolment_relation(db, actor_of(db, "demo-supervisor"), enrolment.id) == set()
    assert enrolment_relation(db, other, enrolment.id) == {"supervised"}


def test_bulk_add_keeps_current_supervisors_and_the_lead(setting):
    db, admin, enrolment = setting
    cohort = caseload.caseload(db, admin, enrolment.cohort_id)
    ids = list(cohort["enrolment_id"][:3])
    manager = actor_of(db, "demo-manager")
    before = {i: supervisors_of(db, i) for i in ids}
    caseload.assign(db, admin, ids, [manager.id], replace=False)
    for i in ids:
        expected = before[i] + ([] if "demo-manager" in before[i] else ["demo-manager"])
        assert supervisors_of(db, i)[0] == before[i][0] and sorted(supervisors_of(db, i)) == sorted(expected)
    assert caseload.assign(db, admin, ids, [manager.id], replace=False) == 0  # nothing new: no change, no history
    caseload.unassign(db, admin, ids, [manager.id])
    assert {i: supervisors_of(db, i) for i in ids} == {i: [s for s in before[i] if s != "demo-manager"] or
                                                        before[i] for i in ids}


def test_only_active_supervisors_can_be_assigned(setting):
    db, admin, enrolment = setting
    with pytest.raises(InvalidInput):
        caseload.assign(db, admin, [enrolment.id], [actor_of(db, "demo-admin").id], replace=True)
    assert supervisors_of(db, enrolment.id) == ["demo-supervisor"]


def test_people_and_caseload_services_refuse_everyone_but_admins(setting):
    db, _admin, enrolment = setting
    for username in ("demo-manager", "demo-supervisor", "demo-trainee"):
        actor = actor_of(db, username)
        calls = [
            (caseload.caseload, (enrolment.cohort_id,), {}),
            (caseload.assign, ([enrolment.id], [actor.id]), {"replace": True}),
            (caseload.unassign, ([enrolment.id], [actor.id]), {}),
            (caseload.history, (enrolment.id,), {}),
            (people.reset_password, (enrolment.trainee_id,), {}),
            (people.update_person, (actor.id,), {"display_name": "x", "kana": None, "email": None,
                                                 "roles": ("admin",)}),
            (people.person, (actor.id,), {}),
        ]
        for function, args, kwargs in calls:
            with pytest.raises(AccessDenied):
                function(db, actor, *args, **kwargs)


def test_edit_names_and_roles_is_audited_and_an_admin_cannot_drop_their_own_admin_role(setting):
    db, admin, enrolment = setting
    people.update_person(db, admin, enrolment.trainee_id, display_name="中村 陽子", kana="なかむら ようこ",
                         email="yoko@example.jp", roles=("trainee", "supervisor"))
    assert set(auth.load_login_user(db, "demo-trainee").roles) == {"trainee", "supervisor"}
    assert db.value("SELECT count(*) FROM audit_log WHERE action = 'user.update'") == 1
    with pytest.raises(InvalidInput):
        people.update_person(db, admin, admin.id, display_name="前田", kana=None, email=None, roles=("manager",))
    with pytest.raises(InvalidInput):
        people.update_person(db, admin, enrolment.trainee_id, display_name="x", kana=None, email="not mail",
                             roles=("trainee",))


def test_a_reset_password_works_once_ends_sessions_and_must_be_changed(setting):
    db, admin, enrolment = setting
    one_time = people.reset_password(db, admin, enrolment.trainee_id)
    user = auth.load_login_user(db, "demo-trainee")
    assert auth.verify_password(one_time, user.password_hash) and user.must_change_password
    assert user.sessions_valid_after is not None
    trainee = user.actor()
    with pytest.raises(InvalidInput):
        auth.change_password(db, trainee, one_time, one_time)
    auth.change_password(db, trainee, one_time, "新しい合言葉を十二文字以上")
    assert not auth.load_login_user(db, "demo-trainee").must_change_password


@pytest.mark.parametrize("typed", ["山田 太郎", "yamada taro", "yamada@example.jp", "やまだ", "y", ""])
def test_a_login_id_outside_half_width_letters_digits_and_dot_underscore_hyphen_is_refused(setting, typed):
    db, admin, _ = setting
    with pytest.raises(InvalidInput) as refused:
        auth.create_user(db, admin, typed, "山田 太郎", "正しい馬のバッテリー留め金", ("supervisor",))
    assert refused.value.key == ("user.username_required" if not typed else "user.bad_login_id")
    assert db.value("SELECT count(*) FROM app_user WHERE display_name = '山田 太郎'") == 0


def test_a_full_width_login_id_is_folded_to_half_width(setting):
    db, admin, _ = setting
    auth.create_user(db, admin, "ＹＡＭＡＤＡ.Ｔａｒｏ_２", "山田 太郎", "正しい馬のバッテリー留め金", ("supervisor",))
    assert auth.load_login_user(db, "yamada.taro_2").display_name == "山田 太郎"


def test_search_finds_a_name_typed_without_the_space_or_with_a_full_width_one(setting):
    db, admin, _ = setting
    name = db.value("SELECT display_name FROM app_user WHERE username = 'demo-supervisor'")
    assert " " in name
    for query in (name.replace(" ", ""), name.replace(" ", "\u3000")):
        assert "demo-supervisor" in [u["username"] for u in auth.find_users(db, admin, query)[0]]
