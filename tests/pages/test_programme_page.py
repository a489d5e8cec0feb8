"""/programme through AppTest: managers and admins see the programme in force and how many cohorts use it, and edit
its defaults; trainees and supervisors are refused; an edit saved meanwhile elsewhere is not overwritten; the
screen reads in English too."""
import pytest

from coordsupervise.i18n import translate
from coordsupervise.programme import auth, programme_edit
from coordsupervise.ui.runtime import database
from tests.conftest import DEMO_TODAY

JA = lambda key, **p: translate("ja", key, **p)  # noqa: E731
EN = lambda key, **p: translate("en", key, **p)  # noqa: E731
PAGE = "pages/programme.py"


def actor(name):
    return auth.load_login_user(database(), name).actor()


def in_force():
    return programme_edit.programme_in_force(database(), actor("demo-admin"), DEMO_TODAY)


def button(at, label):
    return next(b for b in at.button if b.label == label)


def number(at, label):
    return next(n for n in at.number_input if n.label == label)


@pytest.mark.parametrize("username", ["demo-admin", "demo-manager"])
def test_managers_and_admins_see_every_part_of_the_programme(app, username):
    at = app(username, script=PAGE).run()
    assert not at.exception
    assert at.title[0].value == JA("nav.programme")
    view = in_force()
    use = JA("programme.use", running=view.use.running, upcoming=view.use.upcoming, finished=view.use.finished)
    assert f"**{use}**" in [m.value for m in at.markdown]
    assert [tab.label for tab in at.tabs] == [JA(f"programme.tab.{name}") for name in
                                              ("competencies", "modules", "assignments", "certification", "stages")]
    modules, assignments, stages = at.dataframe
    competencies = next(m.value for m in at.markdown if "**C1 " in m.value)
    assert all(f"**{c['code']} {c['short_ja']}**" in competencies and c["name_ja"] in competencies
               for c in view.competencies)
    assert len(modules.value) == 15 and len(assignments.value) == 8
    assert len(stages.value) == 5
    assert modules.value[JA("programme.col_pass")].iloc[0] == JA("programme.pass_default",
                                                                 pct=view.thresholds["module_pass_pct"])
    criteria = JA("cert.overall_test", bar=view.thresholds["overall_test_pass_pct"])
    assert any(criteria in m.value for m in at.markdown)
    # every field of the edit forms is labelled
    assert all(w.label for w in [*at.text_input, *at.number_input, *at.selectbox, *at.checkbox])


@pytest.mark.parametrize("username", ["demo-trainee", "demo-supervisor"])
def test_trainees_and_supervisors_are_refused(app, username):
    at = app(username, script=PAGE).run()
    assert not at.exception
    assert [e.value for e in at.error] == [JA("guard.forbidden")]
    assert len(at.title) == 0 and len(at.dataframe) == 0


def test_an_admin_changes_a_module_pass_mark_after_confirming_it_reaches_running_cohorts(app):
    at = app("demo-admin", script=PAGE).run()
    at.selectbox(key="programme_module").set_value(in_force().modules[2]["id"]).run()
    number(at, JA("programme.module_pass")).set_value(85)
    button(at, JA("programme.save_module")).click().run()
    assert not at.exception
    view = in_force()
    assert [e.value for e in at.error] == [JA("programme.module_confirm_needed",
                                              count=view.use.running + view.use.upcoming)]
    assert view.modules[2]["pass_pct"] is None  # nothing saved yet; what was typed is still there
    assert number(at, JA("programme.module_pass")).value == 85
    next(c for c in at.checkbox if c.label == JA("programme.module_confirm",
                                                  count=view.use.running + view.use.upcoming)).check()
    button(at, JA("programme.save_module")).click().run()
    assert not at.exception and not at.error
    # the message says what changed, before → after
    change = JA("programme.change", label=JA("programme.field.pass_pct"),
                old=JA("programme.pass_default", pct=view.thresholds["module_pass_pct"]), new="85%")
    assert JA("programme.module_saved", seq="03", changes=change) in [s.value for s in at.success]
    assert "80%(既定) → 85%" in JA("programme.module_saved", seq="03", changes=change)
    assert in_force().modules[2]["pass_pct"] == 85
    assert at.dataframe[0].value[JA("programme.col_pass")].iloc[2] == JA("programme.pass_own", pct=85)


def test_a_manager_changes_a_default_assignment_for_new_cohorts(app):
    at = app("demo-manager", script=PAGE).run()
    at.selectbox(key="programme_assignment").set_value("A4").run()
    before = next(a for a in in_force().assignments if a["code"] == "A4")
    number(at, JA("programme.due_days")).set_value(45)
    next(s for s in at.selectbox if s.label == JA("rubrics.col_rule")).set_value("all")
    button(at, JA("programme.save_assignment")).click().run()
    assert not at.exception and not at.error
    changes = "、".join([
        JA("programme.change", label=JA("programme.field.due_days"),
           old=JA("programme.due_after", count=before["due_days"]), new=JA("programme.due_after", count=45)),
        JA("programme.change", label=JA("programme.field.second_marking"),
           old=JA(f"rubrics.rule.{before['moderation_rule']}"), new=JA("rubrics.rule.all"))])
    assert JA("programme.assignment_saved", code="A4", changes=changes) in [s.value for s in at.success]
    a4 = next(a for a in in_force().assignments if a["code"] == "A4")
    assert (a4["due_days"], a4["moderation_rule"]) == (45, "all")
    assert any(JA("programme.open_rubric", code="A4", version=a4["rubric_version"]) in m.value
               for m in at.markdown) or any(p.label == JA("programme.open_rubric", code="A4",
                                                             version=a4["rubric_version"])
                                            for p in at.get("page_link"))


def test_an_edit_saved_meanwhile_elsewhere_is_not_overwritten(app):
    at = app("demo-admin", script=PAGE).run()
    view = in_force()
    # the manager saves new thresholds while the admin's screen is open
    programme_edit.update_thresholds(database(), actor("demo-manager"), view.thresholds,
                                     {**view.thresholds, "reflection_rate_pct": 85})
    number(at, JA("certification.threshold_overall_test_pass_pct")).set_value(60)
    button(at, JA("programme.save_thresholds")).click().run()
    assert not at.exception
    assert JA("programme.stale") in [e.value for e in at.error]
    assert in_force().thresholds["overall_test_pass_pct"] == view.thresholds["overall_test_pass_pct"]
    assert number(at, JA("certification.threshold_overall_test_pass_pct")).value == 60  # still typed
    button(at, JA("programme.save_thresholds")).click().run()  # after a look at the table: saved
    change = JA("programme.change", label=JA("certification.threshold_overall_test_pass_pct"),
                old=str(view.thresholds["overall_test_pass_pct"]), new="60")
    [saved] = [s.value for s in at.success]
    assert saved.startswith(JA("programme.thresholds_saved", changes=change).split("に変更しました")[0])
    assert in_force().thresholds["overall_test_pass_pct"] == 60
    assert in_force().thresholds["reflection_rate_pct"] == 85  # the manager's change was kept, not put back


def test_a_refused_edit_says_why_and_keeps_what_was_typed(app):
    at = app("demo-manager", script=PAGE).run()
    title = next(i for i in at.text_input if i.label == JA("programme.title_en"))
    title.input("")
    next(i for i in at.text_input if i.label == JA("programme.title_ja")).input("導入の意義")
    button(at, JA("programme.save_module")).click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [JA("programme.title_required")]
    assert next(i for i in at.text_input if i.label == JA("programme.title_ja")).value == "導入の意義"
    assert in_force().modules[0]["title_ja"] != "導入の意義"


def test_an_admin_lengthens_the_practical_stage_for_new_cohorts(app):
    at = app("demo-admin", script=PAGE).run()
    stage = JA("programme.stage.practical")
    number(at, JA("programme.stage_days", stage=stage)).set_value(120)
    button(at, JA("programme.save_stages")).click().run()
    assert JA("programme.stages_saved") in [s.value for s in at.success]
    assert in_force().stages[2].days == 120


def test_the_screen_in_english(app):
    auth.set_language(database(), actor("demo-admin"), "en")
    at = app("demo-admin", script=PAGE).run()
    assert not at.exception
    assert at.title[0].value == EN("nav.programme")
    assert [tab.label for tab in at.tabs][:2] == [EN("programme.tab.competencies"), EN("programme.tab.modules")]
    assert any("**C1 Residence status**" in m.value and "Accurately grasp a foreign resident's residence status"
               in m.value for m in at.markdown)
    assert list(at.dataframe[0].value.columns) == [EN(f"programme.col_{c}") for c in
                                                   ("seq", "pass", "title", "group", "competency")]
    assert EN("programme.save_module") in [b.label for b in at.button]
    assert at.dataframe[2].value[EN("programme.col_days")].iloc[3] == "2 days"
    assert at.dataframe[2].value[EN("programme.col_gap")].iloc[1] == "1 day later"
