"""The programme in force on /programme (programme_edit.py): who may read and edit it, how edits are checked,
audited and refused when stale, and what they change: a new cohort starts from the edited defaults while an existing
cohort keeps its own copy; modules are shared, so a new pass mark reaches running cohorts (after a confirmation)."""
import json
from dataclasses import replace
from datetime import timedelta

import pytest

from coordsupervise.certification import certification
from coordsupervise.errors import AccessDenied, InvalidInput, StaleWrite
from coordsupervise.i18n import catalogue
from coordsupervise.programme import cohorts, programme_edit
from coordsupervise.store import cache_stamp
from tests.conftest import DEMO_TODAY, actor_of


def view_as(db, username="demo-admin"):
    return programme_edit.programme_in_force(db, actor_of(db, username), DEMO_TODAY)


def audit_rows(db, action):
    return db.rows("SELECT actor_id, entity_id, before_json, after_json FROM audit_log WHERE action = ? ORDER BY id",
                   [action])


def edits_audited(db):
    return db.value("SELECT count(*) FROM audit_log WHERE action IN ('programme.module', 'programme.thresholds', "
                    "'programme.assignment', 'programme.stages')")


def assignment(view, code):
    return next(a for a in view.assignments if a["code"] == code)


@pytest.mark.parametrize("username", ["demo-manager", "demo-admin"])
def test_managers_and_admins_read_the_programme_and_how_many_cohorts_use_it(demo_db, username):
    view = view_as(demo_db, username)
    assert view.code == "FRSC"
    assert [c["code"] for c in view.competencies] == ["C1", "C2", "C3", "C4"]
    assert len(view.modules) == 15 and {m["group_code"] for m in view.modules} == set("ABCDE")
    assert all(m["pass_pct_in_effect"] == view.thresholds["module_pass_pct"] for m in view.modules
               if m["pass_pct"] is None)
    assert [a["code"] for a in view.assignments] == [f"A{n}" for n in range(1, 9)]
    a1, a8 = assignment(view, "A1"), assignment(view, "A8")
    assert a1["kind"] == "approval" and a1["rubric_id"] is None
    assert a8["certification_critical"] and a8["rubric_code"] == "A8" and a8["rubric_version"] >= 1
    assert [s.stage for s in view.stages] == ["online", "task_setting", "practical", "workshop", "certification"]
    assert set(view.thresholds) == set(certification.THRESHOLDS) == set(programme_edit.THRESHOLD_COLUMNS)
    use = view.use
    assert use.running + use.upcoming + use.finished == demo_db.value("SELECT count(*) FROM cohort")
    assert use.running >= 1


@pytest.mark.parametrize("username", ["demo-trainee", "demo-supervisor"])
def test_trainees_and_supervisors_can_neither_read_nor_edit(demo_db, username):
    view, someone = view_as(demo_db), actor_of(demo_db, username)
    module, a3 = view.modules[0], assignment(view, "A3")
    before = demo_db.value("SELECT count(*) FROM audit_log")
    attempts = [
        lambda: programme_edit.programme_in_force(demo_db, someone, DEMO_TODAY),
        lambda: programme_edit.update_module(demo_db, someone, module["id"], module["settings"],
                                             replace(module["settings"], title_en="Changed"), DEMO_TODAY),
        lambda: programme_edit.update_thresholds(demo_db, someone, view.thresholds,
                                                 {**view.thresholds, "overall_test_pass_pct": 50}),
        lambda: programme_edit.update_assignment(demo_db, someone, "A3", a3["defaults"],
                                                 replace(a3["defaults"], due_days=1)),
        lambda: programme_edit.update_stages(demo_db, someone, view.stages,
                                             (replace(view.stages[0], days=30), *view.stages[1:])),
    ]
    for attempt in attempts:
        with pytest.raises(AccessDenied):
            attempt()
    assert view_as(demo_db) == view
    assert demo_db.value("SELECT count(*) FROM audit_log") == before


def test_edits_are_checked_and_refused_with_a_message_in_both_languages(demo_db):
    admin, view = actor_of(demo_db, "demo-admin"), view_as(demo_db)
    module, a1, a3 = view.modules[0], assignment(view, "A1"), assignment(view, "A3")
    stages = view.stages

    def staged(index, **changes):
        return tuple(replace(s, **changes) if i == index else s for i, s in enumerate(stages))

    refusals = {
        "programme.title_required": lambda: programme_edit.update_module(
            demo_db, admin, module["id"], module["settings"], replace(module["settings"], title_ja="  "), DEMO_TODAY),
        "programme.bad_pct": lambda: programme_edit.update_module(
            demo_db, admin, module["id"], module["settings"], replace(module["settings"], pass_pct=101), DEMO_TODAY,
            running_confirmed=True),
        "programme.too_long": lambda: programme_edit.update_assignment(
            demo_db, admin, "A3", a3["defaults"], replace(a3["defaults"], title_en="x" * 401)),
        "programme.bad_threshold": lambda: programme_edit.update_thresholds(
            demo_db, admin, view.thresholds, {**view.thresholds, "report_min_level": 5}),
        "programme.bad_due_days": lambda: programme_edit.update_assignment(
            demo_db, admin, "A3", a3["defaults"], replace(a3["defaults"], due_days=400)),
        "programme.approval_not_marked": lambda: programme_edit.update_assignment(
            demo_db, admin, "A1", a1["defaults"], replace(a1["defaults"], second_marking="all")),
        "rubrics.bad_moderation": lambda: programme_edit.update_assignment(
            demo_db, admin, "A3", a3["defaults"], replace(a3["defaults"], second_marking_pct=0)),
        "programme.fixed_days": lambda: programme_edit.update_stages(demo_db, admin, stages, staged(3, days=3)),
        "programme.bad_days": lambda: programme_edit.update_stages(demo_db, admin, stages, staged(2, days=0)),
        "programme.bad_gap": lambda: programme_edit.update_stages(
            demo_db, admin, stages, staged(1, days_after_previous=0)),
        "programme.stage_order": lambda: programme_edit.update_stages(demo_db, admin, stages, stages[::-1]),
    }
    for key, attempt in refusals.items():
        with pytest.raises(InvalidInput) as refused:
            attempt()
        assert refused.value.key == key and key in catalogue("ja") and key in catalogue("en")
    assert view_as(demo_db) == view
    assert not edits_audited(demo_db)


def test_each_edit_is_audited_with_before_and_after_and_refreshes_cached_reads(demo_db):
    admin, manager, view = actor_of(demo_db, "demo-admin"), actor_of(demo_db, "demo-manager"), view_as(demo_db)
    stamp = cache_stamp.current(demo_db)
    assert programme_edit.update_thresholds(demo_db, manager, view.thresholds,
                                            {**view.thresholds, "overall_test_pass_pct": 75})
    [(actor_id, entity, before, after)] = audit_rows(demo_db, "programme.thresholds")
    assert actor_id == manager.id and entity == str(view.id)
    assert json.loads(before) == {"overall_test_pass_pct": view.thresholds["overall_test_pass_pct"]}
    assert json.loads(after) == {"overall_test_pass_pct": 75}

    a3 = assignment(view, "A3")
    new = replace(a3["defaults"], title_ja="相談の切り分け", due_days=40, second_marking="all")
    assert programme_edit.update_assignment(demo_db, admin, "A3", a3["defaults"], new)
    [(_, entity, before, after)] = audit_rows(demo_db, "programme.assignment")
    assert entity == f"{view.id}:A3"
    assert json.loads(before)["due_days"] == a3["due_days"] and json.loads(after)["due_days"] == 40
    assert json.loads(after)["second_marking"] == "all"

    practical = replace(view.stages[2], days=100)
    assert programme_edit.update_stages(demo_db, admin, view.stages,
                                        (*view.stages[:2], practical, *view.stages[3:]))
    [(_, _, before, after)] = audit_rows(demo_db, "programme.stages")
    assert json.loads(before)[2]["days"] == view.stages[2].days and json.loads(after)[2]["days"] == 100
    assert cache_stamp.current(demo_db) == stamp + 3

    again = view_as(demo_db)
    assert again.thresholds["overall_test_pass_pct"] == 75
    assert assignment(again, "A3")["defaults"] == new
    assert again.stages[2].days == 100


def test_saving_what_is_already_there_writes_nothing(demo_db):
    admin, view = actor_of(demo_db, "demo-admin"), view_as(demo_db)
    module = view.modules[0]
    assert not programme_edit.update_thresholds(demo_db, admin, view.thresholds, dict(view.thresholds))
    assert not programme_edit.update_module(demo_db, admin, module["id"], module["settings"], module["settings"],
                                            DEMO_TODAY)
    assert not programme_edit.update_stages(demo_db, admin, view.stages, view.stages)
    assert not edits_audited(demo_db)


def test_an_edit_made_meanwhile_by_someone_else_is_not_overwritten(demo_db):
    admin, manager = actor_of(demo_db, "demo-admin"), actor_of(demo_db, "demo-manager")
    opened_by_admin, opened_by_manager = view_as(demo_db), view_as(demo_db, "demo-manager")
    programme_edit.update_thresholds(demo_db, manager, opened_by_manager.thresholds,
                                     {**opened_by_manager.thresholds, "reflection_rate_pct": 85})
    with pytest.raises(StaleWrite) as refused:
        programme_edit.update_thresholds(demo_db, admin, opened_by_admin.thresholds,
                                         {**opened_by_admin.thresholds, "certification_test_pass_pct": 60})
    assert refused.value.key == "programme.stale"
    assert view_as(demo_db).thresholds["reflection_rate_pct"] == 85
    assert view_as(demo_db).thresholds["certification_test_pass_pct"] == opened_by_admin.thresholds[
        "certification_test_pass_pct"]

    module = opened_by_manager.modules[4]
    programme_edit.update_module(demo_db, manager, module["id"], module["settings"],
                                 replace(module["settings"], title_en="Nationality Act"), DEMO_TODAY)
    with pytest.raises(StaleWrite):
        programme_edit.update_module(demo_db, admin, module["id"], module["settings"],
                                     replace(module["settings"], title_ja="国籍法"), DEMO_TODAY)
    a5 = assignment(opened_by_manager, "A5")
    programme_edit.update_assignment(demo_db, manager, "A5", a5["defaults"], replace(a5["defaults"], due_days=61))
    with pytest.raises(StaleWrite):
        programme_edit.update_assignment(demo_db, admin, "A5", a5["defaults"], replace(a5["defaults"], due_days=59))
    stages = opened_by_manager.stages
    programme_edit.update_stages(demo_db, manager, stages, (replace(stages[0], days=55), *stages[1:]))
    with pytest.raises(StaleWrite):
        programme_edit.update_stages(demo_db, admin, stages, (replace(stages[0], days=65), *stages[1:]))
    assert view_as(demo_db).stages[0].days == 55


def test_a_module_pass_mark_reaches_running_cohorts_only_once_confirmed(demo_db):
    admin, view = actor_of(demo_db, "demo-admin"), view_as(demo_db)
    module = view.modules[2]
    in_use = view.use.running + view.use.upcoming
    running = next(cid for (cid,) in demo_db.rows("SELECT id FROM cohort")
                   if cohorts.current_stage(cohorts.calendars(demo_db, [cid])[cid], DEMO_TODAY)
                   not in ("before", "finished"))
    new = replace(module["settings"], pass_pct=90)
    with pytest.raises(InvalidInput) as refused:
        programme_edit.update_module(demo_db, admin, module["id"], module["settings"], new, DEMO_TODAY)
    assert refused.value.key == "programme.module_confirm_needed" and refused.value.params == {"count": in_use}
    # a new title alone needs no confirmation
    assert programme_edit.update_module(demo_db, admin, module["id"], module["settings"],
                                        replace(module["settings"], title_en="Immigration Act: residence"),
                                        DEMO_TODAY)
    settings = view_as(demo_db).modules[2]["settings"]
    assert programme_edit.update_module(demo_db, admin, module["id"], settings, replace(settings, pass_pct=90),
                                        DEMO_TODAY, running_confirmed=True)
    assert next(m for m in cohorts.modules(demo_db, running) if m["id"] == module["id"])["pass_pct"] == 90
    after = json.loads(audit_rows(demo_db, "programme.module")[-1][3])
    assert after["pass_pct"] == 90 and after["applies_to_cohorts_in_use"] == in_use
    # back to the programme's default: empty
    settings = view_as(demo_db).modules[2]["settings"]
    programme_edit.update_module(demo_db, admin, module["id"], settings, replace(settings, pass_pct=None),
                                 DEMO_TODAY, running_confirmed=True)
    assert view_as(demo_db).modules[2]["pass_pct_in_effect"] == view.thresholds["module_pass_pct"]


def test_a_new_cohort_starts_from_the_edited_defaults_and_an_existing_one_keeps_its_own(demo_db):
    admin, view = actor_of(demo_db, "demo-admin"), view_as(demo_db)
    existing = demo_db.value("SELECT max(id) FROM cohort")
    kept = demo_db.dicts("SELECT code, title_ja, due_on, moderation_rule FROM assignment WHERE cohort_id = ? "
                         "ORDER BY seq", [existing])
    kept_thresholds = demo_db.one("SELECT overall_test_pass_pct, certificate_valid_years FROM cohort WHERE id = ?",
                                  [existing])
    kept_calendar = cohorts.calendars(demo_db, [existing])[existing]

    programme_edit.update_thresholds(demo_db, admin, view.thresholds,
                                     {**view.thresholds, "overall_test_pass_pct": 75, "certificate_valid_years": 5})
    a3 = assignment(view, "A3")
    programme_edit.update_assignment(demo_db, admin, "A3", a3["defaults"],
                                     replace(a3["defaults"], title_ja="相談の切り分け", due_days=40,
                                             second_marking="sample", second_marking_pct=25))
    programme_edit.update_stages(demo_db, admin, view.stages,
                                 (*view.stages[:2], replace(view.stages[2], days=100), *view.stages[3:]))

    start = DEMO_TODAY + timedelta(days=120)
    calendar = cohorts.default_calendar(demo_db, start)
    practical_start, practical_end = calendar["practical"]
    assert (practical_end - practical_start).days + 1 == 100
    created = cohorts.create_cohort(demo_db, admin, cohorts.CohortSetup("2099-A-777", "試験期", "Test cohort",
                                                                        calendar))
    assert demo_db.one("SELECT overall_test_pass_pct, certificate_valid_years FROM cohort WHERE id = ?",
                       [created]) == (75, 5)
    new_a3 = demo_db.dicts("SELECT title_ja, due_on, moderation_rule, moderation_pct FROM assignment "
                           "WHERE cohort_id = ? AND code = 'A3'", [created])[0]
    assert new_a3 == {"title_ja": "相談の切り分け",  # 40 days on, or the next working day
                      "due_on": cohorts.working_day_from(demo_db, practical_start + timedelta(days=40))[0],
                      "moderation_rule": "sample", "moderation_pct": 25}

    assert demo_db.dicts("SELECT code, title_ja, due_on, moderation_rule FROM assignment WHERE cohort_id = ? "
                         "ORDER BY seq", [existing]) == kept
    assert demo_db.one("SELECT overall_test_pass_pct, certificate_valid_years FROM cohort WHERE id = ?",
                       [existing]) == kept_thresholds
    assert cohorts.calendars(demo_db, [existing])[existing] == kept_calendar
