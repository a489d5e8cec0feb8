"""Leftovers of the first hour on the daily screens, through AppTest: one flag card on the inbox and the trainee
profile, competency tags on a sent reflection, language kept with the account, icons instead of emoji."""
from coordsupervise import auth, inbox
from coordsupervise.i18n import translate
from coordsupervise.inbox import InboxFilter
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
