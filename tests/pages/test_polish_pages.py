"""Leftovers of the first hour on the daily screens, through AppTest: one flag card on the inbox and the trainee
profile, competency tags on a sent reflection, language kept with the account, icons instead of emoji."""
from coordsupervise.i18n import translate
from coordsupervise.practice import inbox
from coordsupervise.practice.inbox import InboxFilter
from coordsupervise.programme import auth
from coordsupervise.ui.runtime import database

JA = lambda key, **p: translate("ja", key, **p)  # noqa: E731


def supervisor():
    return auth.load_login_user(database(), "demo-supervisor").actor()


def test_a_flag_raised_in_the_inbox_is_the_same_card_on_the_profile_and_resolves_there(app):
    db = database()
    target = inbox.next_unread(db, supervisor(), InboxFilter())
    enrolment_id = db.value("SELECT enrolment_id FROM reflection WHERE id = ?", [target])
    db.write(lambda tx: tx.execute("UPDATE flag SET resolved_at = now() WHERE enrolment_id = ?", [enrolment_id]))
    at = app("demo-supervisor", script="pages/inbox.py")
    at.query_params["r"] = str(target)
    at.run()
    next(a for a in at.text_area if a.label == JA("flag.reason")).input("週末の連絡が途絶えている")
    next(b for b in at.button if b.label == JA("flag.raise")).click().run()
    assert not at.exception
    assert "週末の連絡が途絶えている" in [x.value for x in at.text]  # the open card, with its resolve form
    assert JA("flag.resolve") in [b.label for b in at.button]

    profile = app("demo-supervisor", script="pages/trainee.py")
    profile.query_params["e"] = str(enrolment_id)
    profile.session_state["trainee_tab"] = JA("profile.tab_flags")  # only the open tab is drawn
    profile.run()
    assert "週末の連絡が途絶えている" in [x.value for x in profile.tabs[1].text]
    next(i for i in profile.tabs[1].text_input if i.label == JA("flag.resolution")).input("電話で確認した")
    next(b for b in profile.tabs[1].button if b.label == JA("flag.resolve")).click().run()
    assert not profile.exception
    resolved = [c.value for c in profile.tabs[1].caption]
    assert any("電話で確認した" in c for c in resolved)  # the card now says how it was resolved
    assert JA("flag.resolve") not in [b.label for b in profile.tabs[1].button]

    again = app("demo-supervisor", script="pages/inbox.py")
    again.query_params["r"] = str(target)
    again.run()
    assert JA("flag.resolve") not in [b.label for b in again.button]  # resolved on the profile, gone from the inbox


def test_a_flag_raised_on_the_profile_has_no_reflection_and_shows_open(app):
    db = database()
    enrolment_id = inbox.caseload(db, supervisor())[0]["enrolment_id"]
    at = app("demo-supervisor", script="pages/trainee.py")
    at.query_params["e"] = str(enrolment_id)
    at.session_state["trainee_tab"] = JA("profile.tab_flags")  # only the open tab is drawn
    at.run()
    flags = at.tabs[1]
    next(a for a in flags.text_area if a.label == JA("flag.reason")).input("実習先との面談を設定したい")
    next(r for r in flags.radio if r.label == JA("flag.severity")).set_value("high")
    next(b for b in flags.button if b.label == JA("flag.raise")).click().run()
    assert not at.exception
    row = db.one("SELECT severity, reflection_id FROM flag WHERE reason = '実習先との面談を設定したい'")
    assert tuple(row) == ("high", None)
    assert "実習先との面談を設定したい" in [x.value for x in at.tabs[1].text]
    assert next(a for a in at.tabs[1].text_area if a.label == JA("flag.reason")).value == ""  # the form starts afresh


def test_the_inbox_marks_in_words_that_any_font_shows(app):
    at = app("demo-supervisor", script="pages/inbox.py").run()
    assert not at.exception
    table = at.dataframe[0].value
    cells = [str(v) for column in ("state", "marks") for v in table[column]]
    assert any(JA("inbox.state_unread") in c for c in cells)
    symbols = {"●", "↻", "⚑", "💬"}
    assert not [c for c in cells if symbols & set(c)]


def test_the_trainee_timeline_shows_each_reflections_competency_tags(app):
    db = database()
    enrolment_id, codes, day = db.one(
        "SELECT r.enrolment_id, list(rc.competency ORDER BY rc.competency), r.practice_date FROM reflection r "
        "JOIN reflection_competency rc ON rc.reflection_id = r.id "
        "JOIN supervision s ON s.enrolment_id = r.enrolment_id "
        "WHERE s.supervisor_id = ? AND r.status = 'submitted' "
        "AND r.practice_date = (SELECT max(practice_date) FROM reflection WHERE enrolment_id = r.enrolment_id "
        "  AND status = 'submitted') GROUP BY ALL LIMIT 1", [supervisor().id])
    at = app("demo-supervisor", script="pages/trainee.py")
    at.query_params["e"] = str(enrolment_id)
    at.run()
    assert not at.exception
    reflection_id = database().value("SELECT id FROM reflection WHERE enrolment_id = ? AND practice_date = ?",
                                     [enrolment_id, day])
    at.session_state[f"trainee_reflection_{reflection_id}"] = True  # opened: only an open reflection is drawn
    at.run()
    newest = next(e for e in at.tabs[0].expander if e.label.startswith(f"{day:%Y/%m/%d}"))
    shown = " ".join(m.value for m in newest.markdown)
    assert all(f"{code} {JA(f'competency.short.{code}')}" in shown for code in codes)
    assert "💬" not in newest.label


def test_logging_in_without_picking_a_language_keeps_the_accounts_and_says_so(app):
    from coordsupervise.i18n import translate

    db = database()
    person = auth.load_login_user(db, "demo-supervisor").actor()
    auth.set_language(db, person, "en")
    at = app(None).run()
    boxes = {t.label: t for t in at.text_input}  # the login page in its default Japanese, left as it is
    boxes[JA("login.username")].input("demo-supervisor")
    boxes[JA("login.password")].input("coordsupervise-demo")
    at.button[0].click().run()
    assert not at.exception
    said = [x.value for x in at.toast]
    assert translate("en", "polish.language_from_account", name="English") in said
    at.run()  # the cookie component's rerun
    assert at.title[0].value == translate("en", "nav.inbox")
    assert auth.load_login_user(db, "demo-supervisor").language == "en"  # not overwritten by the untouched page


def test_on_a_phone_the_long_text_is_the_last_column_of_every_daily_table(app):
    inbox_table = app("demo-supervisor", script="pages/inbox.py").run().dataframe[0].value
    assert list(inbox_table.columns)[-1] == "excerpt"  # flags, messages and tags are not hidden behind it

    trainee = app("demo-trainee", script="pages/assignments.py").run()
    assignments = trainee.dataframe[0].value
    assert list(assignments.columns) == [JA("assignment.col_state"), JA("assignment.col_due"),
                                         JA("assignment.col_title")]
    assert any(JA("inbox.version", version=1) in s for s in assignments[JA("assignment.col_state")])


def test_the_profile_says_not_taken_for_a_module_test_not_taken_yet(app):
    db = database()
    online = db.value("SELECT e.id FROM enrolment e JOIN cohort_stage s ON s.cohort_id = e.cohort_id "
                      "AND s.stage = 'practical' WHERE s.starts_on > current_date ORDER BY e.id LIMIT 1")
    untaken = db.value("SELECT count(*) FROM module m JOIN cohort c ON c.programme_id = m.programme_id "
                       "JOIN enrolment e ON e.cohort_id = c.id WHERE e.id = ? AND NOT EXISTS (SELECT 1 FROM "
                       "quiz_attempt q WHERE q.enrolment_id = e.id AND q.module_id = m.id)", [online])
    assert untaken
    at = app("demo-manager", script="pages/trainee.py")
    at.query_params["e"] = str(online)
    at.session_state["trainee_tab"] = JA("profile.tab_results")  # only the open tab is drawn
    at.run()
    assert not at.exception
    modules = at.tabs[2].dataframe[0].value
    assert list(modules.columns)[-1] == JA("progress.col_module")
    assert list(modules[JA("progress.col_passed")]).count(JA("progress.not_taken")) == untaken


def test_a_profile_asked_for_by_address_is_not_pushed_down_by_the_open_risk_list(app):
    db = database()
    enrolment_id = inbox.caseload(db, supervisor())[0]["enrolment_id"]
    box = JA("risk.caseload_title", n=0)[:8]
    plain = app("demo-supervisor", script="pages/trainee.py").run()
    assert next(e for e in plain.expander if e.label.startswith(box)).proto.expanded  # the demo has trainees at risk
    asked = app("demo-supervisor", script="pages/trainee.py")
    asked.query_params["e"] = str(enrolment_id)
    asked.run()
    assert not asked.exception
    assert not next(e for e in asked.expander if e.label.startswith(box)).proto.expanded


def test_the_inbox_reading_view_shows_the_reflections_competency_tags(app):
    db = database()
    target = inbox.next_unread(db, supervisor(), InboxFilter())
    codes = [c for (c,) in db.rows("SELECT competency FROM reflection_competency WHERE reflection_id = ? "
                                   "ORDER BY competency", [target])]
    assert codes
    at = app("demo-supervisor", script="pages/inbox.py")
    at.query_params["r"] = str(target)
    at.run()
    assert not at.exception
    shown = " ".join(m.value for m in at.markdown)
    assert all(f":blue-badge[{code} {JA(f'competency.short.{code}')}]" in shown for code in codes)
