"""The cohort dashboards through AppTest: /cohorts with its filters, /cohort with its funnel step, evidence and
thresholds from the address, both languages, and who may open them."""
import pytest

from coordsupervise import clock
from coordsupervise.dashboards import dashboard, risk
from coordsupervise.i18n import translate
from coordsupervise.programme import auth
from coordsupervise.ui.runtime import database

JA = lambda key, **p: translate("ja", key, **p)  # noqa: E731


def actor(username):
    return auth.load_login_user(database(), username).actor()


def cohort_codes(username="demo-manager"):
    return list(dashboard.cohort_choices(database(), actor(username))["code"])


def on_tab(at, tab: str):
    """/cohort with one of its tabs opened (as a click on the tab would; only the open tab is drawn)."""
    at.session_state["cohort_tab"] = JA(f"dash.tab_{tab}")
    return at


def test_a_charts_table_is_drawn_when_its_expander_is_opened(app):
    """Each chart's values as a table (its text alternative) one click away: folded, nothing is sent; opened (a
    rerun, as a tab), the sentence of what it shows and the table."""
    at = app("demo-manager", script="pages/cohorts.py").run()
    assert not at.exception
    prefix = JA("a11y.chart_as_table", title="")
    folded = [e for e in at.expander if e.label.startswith(prefix)]
    assert len(folded) == 3 and not any(e.children for e in folded) and len(at.table) == 0
    key = folded[0].proto.id.rsplit("-", 1)[1]  # the expander's own key ("$$ID-<hash>-<key>")
    assert key.startswith("a11y_table_")
    at.session_state[key] = True  # a click on it
    at.run()
    opened = [e for e in at.expander if e.label.startswith(prefix) and e.children]
    assert len(opened) == 1 and len(opened[0].table) == 1 and len(opened[0].table[0].value) > 0
    title = opened[0].label[len(prefix):]
    assert opened[0].caption[0].value.startswith(title)  # the sentence of what it shows, named after the chart


def test_all_cohorts_with_filters_from_the_address(app):
    at = app("demo-manager", script="pages/cohorts.py").run()
    assert not at.exception
    assert at.title[0].value == JA("nav.cohorts")
    assert len(at.dataframe[0].value) == 3
    assert len(at.get("vega_lite_chart")) == 3 and not at.get("plotly_chart")  # timeline and the two comparisons
    filtered = app("demo-manager", script="pages/cohorts.py")
    filtered.query_params["stage"] = "finished"
    filtered.run()
    assert not filtered.exception
    assert len(filtered.dataframe[0].value) == 1
    assert filtered.selectbox(key="cohorts_stage").value == "finished"


def test_search_that_matches_nothing(app):
    at = app("demo-manager", script="pages/cohorts.py")
    at.query_params["q"] = "存在しないコホート"
    at.run()
    assert not at.exception
    assert JA("dash.no_cohorts") in [i.value for i in at.info]


@pytest.fixture
def manager_in_english(app):
    """demo-manager reads English (their saved language, as the login sets it); Japanese again afterwards."""
    auth.set_language(database(), actor("demo-manager"), "en")
    yield
    auth.set_language(database(), actor("demo-manager"), "ja")


def test_cohorts_in_english(app, manager_in_english):
    at = app("demo-manager", script="pages/cohorts.py").run()
    assert not at.exception
    assert at.title[0].value == translate("en", "nav.cohorts")
    assert translate("en", "dash.compare_title") in [s.value for s in at.subheader]


def test_one_cohort_from_the_address_lists_the_trainees_at_a_funnel_step(app):
    db = database()
    code = cohort_codes()[1]  # the cohort in its practical stage
    cohort = dashboard.cohort_by_code(db, actor("demo-manager"), code)
    funnel = dashboard.funnel(db, actor("demo-manager"), cohort["id"], clock.today())
    step = funnel["step"].mode()[0]
    at = app("demo-manager", script="pages/cohort.py")
    at.query_params["cohort"] = code
    at.query_params["step"] = step
    at.run()
    assert not at.exception
    assert at.selectbox(key="cohort_pick").value == code
    assert at.selectbox(key="cohort_step").value == step
    links = " ".join(m.value for m in at.markdown)
    for enrolment_id in funnel[funnel["step"] == step]["enrolment_id"]:
        assert f"/trainee?e={enrolment_id}" in links
    assert not at.get("plotly_chart")  # the funnel is a table; the other tabs' charts wait until opened
    assert not at.error


@pytest.mark.parametrize("tab, charts", [
    ("funnel", []), ("reflections", ["cohort_heatmap", "cohort_rate", "cohort_turnaround"]),
    ("competencies", ["cohort_levels", "cohort_grid"]), ("online", ["cohort_online"]), ("risk", []), ("report", [])])
def test_each_tab_draws_its_own_charts_when_opened(app, tab, charts):
    at = app("demo-manager", script="pages/cohort.py")
    at.query_params["cohort"] = cohort_codes()[1]
    on_tab(at, tab).run()
    assert not at.exception and not at.error
    assert [c.key for c in at.get("plotly_chart")] == charts
    assert len(at.metric) == 4  # the cohort's figures stay above every tab


def test_a_heatmap_cell_in_the_address_shows_its_evidence(app):
    db = database()
    code = cohort_codes()[1]
    cohort = dashboard.cohort_by_code(db, actor("demo-manager"), code)
    grid = dashboard.competency_grid(db, actor("demo-manager"), cohort["id"])
    cell = grid.iloc[0]
    at = app("demo-manager", script="pages/cohort.py")
    at.query_params.update({"cohort": code, "e": str(cell["enrolment_id"]), "c": cell["competency"]})
    at.run()
    assert not at.exception
    texts = [m.value for m in at.markdown]
    assert any(JA("dash.evidence_title", trainee=cell["trainee"], competency=cell["competency"]) in v for v in texts)
    assert any(JA("dash.evidence_scores", n=int(cell["scores"])) in v for v in texts)


def test_one_cohort_in_english(app, manager_in_english):
    at = app("demo-manager", script="pages/cohort.py").run()
    assert not at.exception
    assert at.title[0].value == translate("en", "nav.cohort")
    assert [t.label for t in at.tabs][:2] == [translate("en", "dash.tab_funnel"),
                                              translate("en", "dash.tab_reflections")]


def test_manager_saves_thresholds(app):
    at = on_tab(app("demo-manager", script="pages/cohort.py"), "risk").run()
    at.number_input(key="cohort_threshold_silent_days").set_value(6)
    at.button[[b.label for b in at.button].index(JA("risk.settings_save"))].click().run()
    assert not at.exception
    assert JA("risk.settings_saved") in [s.value for s in at.success]
    programme = database().value("SELECT id FROM programme LIMIT 1")
    assert risk.thresholds(database(), programme)["silent_days"] == 6
    risk.save_thresholds(database(), actor("demo-manager"), programme, risk.DEFAULTS)


def test_supervisor_sees_only_their_cohorts_without_thresholds(app):
    at = on_tab(app("demo-supervisor", script="pages/cohort.py"), "risk").run()
    assert not at.exception
    assert [o.split(" · ")[0] for o in at.selectbox(key="cohort_pick").options] == cohort_codes("demo-supervisor")
    code = at.selectbox(key="cohort_pick").value
    supervised = database().value(
        "SELECT count(*) FROM supervision s JOIN enrolment e ON e.id = s.enrolment_id JOIN cohort c "
        "ON c.id = e.cohort_id WHERE c.code = ? AND s.supervisor_id = ?", [code, actor("demo-supervisor").id])
    assert at.metric[0].value == str(supervised)  # their own trainees only
    assert JA("dash.caseload_only") in [c.value for c in at.caption]
    assert JA("risk.explain") in [c.value for c in at.caption]  # on the at-risk tab, where managers set them
    assert not [n for n in at.number_input if n.key.startswith("cohort_threshold_")]


def test_supervisor_at_risk_list_on_the_trainee_page(app):
    at = app("demo-supervisor", script="pages/trainee.py").run()
    assert not at.exception
    frame = risk.at_risk(database(), actor("demo-supervisor"), clock.today(), caseload=True)
    assert at.expander[0].label == JA("risk.caseload_title", n=len(frame))


def test_trainees_and_admins_are_refused(app):
    for username in ("demo-trainee", "demo-admin"):
        for script in ("pages/cohorts.py", "pages/cohort.py"):
            at = app(username, script=script).run()
            assert JA("guard.forbidden") in [e.value for e in at.error]


def test_the_funnel_table_never_counts_a_skipped_gate_as_reached(app):
    """A trainee who moved on without meeting an earlier step shows under "moved on without it", not as reached."""
    db = database()
    code = cohort_codes()[2]  # the finished cohort: decisions taken, some after gates missed
    cohort = dashboard.cohort_by_code(db, actor("demo-manager"), code)
    funnel = dashboard.funnel(db, actor("demo-manager"), cohort["id"], clock.today())
    at = app("demo-manager", script="pages/cohort.py")
    at.query_params["cohort"] = code
    at.run()
    assert not at.exception
    table = at.dataframe[0].value.set_index(translate("ja", "dash.col_step"))
    modules = table.loc[translate("ja", "dash.step.modules_passed")]
    assert modules[translate("ja", "dash.reached")] == int(funnel["modules_passed"].sum())
    assert translate("ja", "dash.skipped") in table.columns
    assert int(table[translate("ja", "dash.reached")].iloc[-1]) <= int(funnel["certified"].sum())


def test_cohorts_table_shows_a_dash_not_none_for_a_cohort_without_replies(app):
    at = app("demo-manager", script="pages/cohorts.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    turnaround = table[table.columns[[c == "turnaround" or c == translate("ja", "dash.col_turnaround")
                                      for c in table.columns].index(True)]]
    assert "None" not in [str(v) for v in turnaround] and turnaround.notna().all()
    assert "—" in list(turnaround)  # the cohort still online has no replies yet


def test_cohort_opens_on_the_cohort_in_its_practical_stage(app):
    """The finished and the online cohort are newer or older; the default is the one in its practical stage."""
    at = app("demo-manager", script="pages/cohort.py").run()
    assert not at.exception
    assert at.selectbox(key="cohort_pick").value == cohort_codes()[1]  # the cohort in its practical stage
    assert translate("ja", "dash.default_rule") in [c.value for c in at.caption]


def test_the_at_risk_tab_states_the_criteria_behind_the_reasons(app):
    at = on_tab(app("demo-manager", script="pages/cohort.py"), "risk").run()
    assert not at.exception
    captions = [c.value for c in at.caption]
    assert any(c.startswith(translate("ja", "risk.criteria", **risk.DEFAULTS, overdue="")[:10]) for c in captions)


def test_a_supervisor_with_trainees_at_risk_sees_the_list_open_on_trainee(app):
    at = app("demo-supervisor", script="pages/trainee.py").run()
    assert not at.exception
    people = risk.at_risk(database(), actor("demo-supervisor"), clock.today(), caseload=True)
    risk_box = next(e for e in at.expander if e.label.startswith(translate("ja", "risk.caseload_title", n=0)[:8]))
    assert risk_box.proto.expanded == (not people.empty)


def test_the_risk_rules_say_no_zero_day_grace_and_the_grace_when_there_is_one(app):
    at = on_tab(app("demo-manager", script="pages/cohort.py"), "risk").run()
    assert not at.exception
    opening = JA("risk.criteria", **risk.DEFAULTS, overdue="")[:10]
    rules = next(c.value for c in at.caption if c.value.startswith(opening))
    assert "0日" not in rules and "猶予後" not in rules and JA("risk.criteria_overdue") in rules
    programme = database().value("SELECT id FROM programme LIMIT 1")
    risk.save_thresholds(database(), actor("demo-manager"), programme, {**risk.DEFAULTS, "overdue_grace_days": 2})
    try:
        again = on_tab(app("demo-manager", script="pages/cohort.py"), "risk").run()
        assert any(JA("risk.criteria_overdue_grace", days=2) in c.value for c in again.caption)
    finally:
        risk.save_thresholds(database(), actor("demo-manager"), programme, risk.DEFAULTS)


def test_the_cohort_list_never_shows_a_raw_none(app):
    at = app("demo-manager", script="pages/cohorts.py").run()
    assert not at.exception
    certified = list(at.dataframe[0].value["certified"])
    assert all(isinstance(v, str) and v != "None" for v in certified), certified
    assert "—" in certified and any(v.endswith("%") for v in certified)  # not finished yet / finished
