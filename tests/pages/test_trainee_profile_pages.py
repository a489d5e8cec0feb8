"""The supervisor's trainee profile (/trainee) draws per click only what is seen: the folded at-risk list and the
folded day-off form are drawn when opened, the "criteria met" figure is the cached count unless the results tab,
which lists the criteria, is open, and then both say the same fresh count."""
from coordsupervise import clock
from coordsupervise.certification import certification
from coordsupervise.dashboards import risk
from coordsupervise.i18n import translate
from coordsupervise.practice import inbox
from coordsupervise.programme import auth, enrolments
from coordsupervise.ui.runtime import database

JA = lambda key, **p: translate("ja", key, **p)  # noqa: E731


def actor(name):
    return auth.load_login_user(database(), name).actor()


def profile(app, enrolment_id, tab=None):
    at = app("demo-supervisor", script="pages/trainee.py")
    at.query_params["e"] = str(enrolment_id)
    if tab:
        at.session_state["trainee_tab"] = JA(f"profile.tab_{tab}")
    return at


def risk_box(at):
    return next(e for e in at.expander if e.label.startswith(JA("risk.caseload_title", n=0)[:8]))


def test_the_folded_risk_list_draws_its_cards_only_when_opened(app):
    enrolment_id = inbox.caseload(database(), actor("demo-supervisor"))[0]["enrolment_id"]
    at = profile(app, enrolment_id).run()
    assert not at.exception
    box = risk_box(at)
    assert not box.proto.expanded and not box.children  # asked for a profile: folded, nothing drawn inside
    at.session_state["trainee_risk_open"] = True  # a click on it
    at.run()
    box = risk_box(at)
    assert box.proto.expanded
    assert JA("risk.caseload_hint") in [c.value for c in box.caption]
    at_risk = risk.at_risk(database(), actor("demo-supervisor"), clock.today(), caseload=True)
    assert len(box.markdown) == 2 * min(len(at_risk), 20) > 0  # a card per trainee at risk: its link, its reasons


def test_criteria_met_is_the_fresh_count_where_the_criteria_are_listed(app):
    db = database()
    supervisor = actor("demo-supervisor")
    enrolment_id = inbox.caseload(db, supervisor)[0]["enrolment_id"]
    enrolment = enrolments.load(db, supervisor, enrolment_id)

    def met_now():
        return sum(1 for c in certification.checklist(db, supervisor, enrolment, clock.today()) if c.met)

    def shown(at):
        return next(m.value for m in at.metric if m.label == JA("profile.criteria_met"))

    at = profile(app, enrolment_id).run()
    assert not at.exception
    before = met_now()
    assert shown(at) == f"{before} / 8"
    # the certification test taken and passed meanwhile (another screen, another process)
    db.write(lambda tx: tx.execute("INSERT INTO test_attempt (enrolment_id, kind, attempt_no, score_pct, taken_at) "
                                   "VALUES (?, 'certification', 9, 100, now())", [enrolment_id]))
    assert met_now() == before + 1
    at.session_state["trainee_tab"] = JA("profile.tab_results")  # the tab that lists the criteria
    at.run()
    assert not at.exception
    assert shown(at) == f"{before + 1} / 8"  # the figure agrees with the list under it
    listed = " ".join(m.value for m in at.tabs[2].markdown)
    assert listed.count(":green-badge[") == before + 1


def test_a_reflection_of_the_timeline_is_drawn_with_its_thread_when_opened(app):
    db = database()
    supervisor = actor("demo-supervisor")
    reflection_id, enrolment_id, insight = db.one(
        "SELECT r.id, r.enrolment_id, r.insight FROM reflection r JOIN supervision s ON s.enrolment_id = "
        "r.enrolment_id WHERE s.supervisor_id = ? AND r.status = 'submitted' AND EXISTS (SELECT 1 FROM feedback f "
        "WHERE f.reflection_id = r.id) AND r.practice_date = (SELECT max(practice_date) FROM reflection WHERE "
        "enrolment_id = r.enrolment_id AND status = 'submitted') LIMIT 1", [supervisor.id])
    at = profile(app, enrolment_id).run()
    assert not at.exception
    timeline = [e for e in at.tabs[0].expander if e.label[:4].isdigit()]
    assert len(timeline) == 10 and not any(e.children for e in timeline)  # folded: only the headings
    assert db.value("SELECT count(*) FROM reflection_access WHERE reflection_id = ? AND reader_id = ?",
                    [reflection_id, supervisor.id]) == 1  # listed on the profile: recorded as read, as before
    at.session_state[f"trainee_reflection_{reflection_id}"] = True  # a click on the newest
    at.run()
    assert not at.exception
    opened = [e for e in at.tabs[0].expander if e.label[:4].isdigit() and e.children]
    assert len(opened) == 1 and opened[0].proto.expanded
    assert insight in [x.value for x in opened[0].text]
    assert opened[0].get("chat_message")  # its thread
