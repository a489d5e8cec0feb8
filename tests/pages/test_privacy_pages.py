"""/privacy for managers and the office, the redaction control in the supervisor's reading view, and the trainee's
"who has read this" on /reflection, through AppTest."""
from coordsupervise.i18n import translate
from coordsupervise.practice import supervision
from coordsupervise.privacy import redaction, retention
from coordsupervise.programme import auth, enrolments
from coordsupervise.ui.runtime import database

JA = lambda key, **p: translate("ja", key, **p)  # noqa: E731


def actor(username):
    return auth.load_login_user(database(), username).actor()


def demo_trainee_reflection(db):
    """demo-trainee's latest submitted reflection: (id, practice_date)."""
    enrolment = enrolments.current_for_trainee(db, actor("demo-trainee"))
    return db.one("SELECT id, practice_date FROM reflection WHERE enrolment_id = ? AND status = 'submitted' "
                  "ORDER BY practice_date DESC LIMIT 1", [enrolment.id])


def test_manager_sees_redactions_per_cohort_and_reads_per_person(app):
    db = database()
    manager = actor("demo-manager")
    enrolment = enrolments.current_for_trainee(db, actor("demo-trainee"))
    supervision.timeline(db, manager, enrolment.id)  # the manager reads demo-trainee's latest reflections
    at = app("demo-manager", script="pages/privacy.py").run()
    assert not at.exception
    assert [tab.label for tab in at.tabs] == [JA("privacy.tab.redactions"), JA("privacy.tab.reads"),
                                              JA("privacy.tab.retention")]
    counts = at.dataframe[0].value
    codes = {c["code"] for c in redaction.counts_per_cohort(db, manager)}
    assert set(counts[JA("privacy.col.cohort")]) == codes
    at.session_state["privacy_tab"] = JA("privacy.tab.reads")  # only the open tab is drawn
    at.run()
    reads = at.dataframe[0].value
    assert manager.display_name in set(reads[JA("privacy.col.reader")])
    assert at.selectbox(key="privacy_reader").value is not None
    per_person = at.dataframe[1].value
    assert len(per_person) >= 1 and set(per_person[JA("privacy.col.relation")]) <= {
        JA("readers.relation.managed"), JA("readers.relation.supervised")}
    # a manager sees the retention, only the office changes it
    at.session_state["privacy_tab"] = JA("privacy.tab.retention")
    at.run()
    name = db.value("SELECT name_ja FROM programme")
    assert [(m.label, m.value) for m in at.metric] == [(JA("privacy.retention_years", name=name), "3")]


def test_the_office_changes_retention_and_a_manager_cannot(app):
    db = database()
    at = app("demo-admin", script="pages/privacy.py")
    at.session_state["privacy_tab"] = JA("privacy.tab.retention")  # only the open tab is drawn
    at.run()
    assert not at.exception
    years = at.number_input(key="privacy_years")
    assert years.value == retention.DEFAULT_YEARS
    years.set_value(5)
    next(b for b in at.button if b.label == JA("privacy.retention_save")).click().run()
    assert not at.exception
    assert db.value("SELECT text_years FROM programme_retention") == 5
    retention.set_years(db, actor("demo-admin"), db.value("SELECT id FROM programme"), retention.DEFAULT_YEARS)
    at.session_state["privacy_tab"] = JA("privacy.tab.reads")
    assert JA("privacy.reads_manager_only") in [i.value for i in at.run().info]


def test_a_trainee_cannot_open_privacy(app):
    at = app("demo-trainee", script="pages/privacy.py").run()
    assert [e.value for e in at.error] == [JA("guard.forbidden")]
    assert not at.dataframe


def test_supervisor_redacts_a_span_from_the_reading_view(app):
    db = database()
    rid, _ = demo_trainee_reflection(db)
    event = db.value("SELECT event FROM reflection WHERE id = ?", [rid])
    span = event[:6]
    at = app("demo-supervisor", script="pages/inbox.py")
    at.query_params["r"] = str(rid)
    at.run()
    assert not at.exception
    assert any(e.label == JA("redaction.title") for e in at.expander)
    at.selectbox(key="inbox_redaction_field").set_value("event")
    at.text_input(key="inbox_redaction_span").input(span)
    next(b for b in at.button if b.label == JA("redaction.submit")).click().run()
    assert not at.exception
    assert db.value("SELECT event FROM reflection WHERE id = ?", [rid]).startswith(redaction.MARKER)
    assert any(t.value.startswith(redaction.MARKER) for t in at.text)  # the reading view shows it redacted


def test_the_redaction_panel_lists_a_partners_public_contact_apart_from_what_the_guard_holds_back(app):
    db = database()
    rid, _ = demo_trainee_reflection(db)
    db.write(lambda tx: tx.execute(
        "UPDATE reflection SET analysis = ? WHERE id = ?",
        ["連携先の国際交流協会（代表 052-123-4567）に相談。本人のカード AB 1234 5678 CD を控えた。", rid]))
    at = app("demo-supervisor", script="pages/inbox.py")
    at.query_params["r"] = str(rid)
    at.run()
    assert not at.exception
    captions = [c.value for c in at.caption]
    assert JA("redaction.guard_notices", spans=f"`AB 1234 5678 CD` ({JA('privacy.residence_card')})") in captions
    assert JA("privacy.public_contacts", spans=f"`052-123-4567` ({JA('privacy.phone')})") in captions


def test_trainee_sees_who_read_the_reflection(app):
    db = database()
    rid, day = demo_trainee_reflection(db)
    supervision.open_reflection(db, actor("demo-supervisor"), rid)
    at = app("demo-trainee", script="pages/reflection.py")
    at.query_params["day"] = day.isoformat()
    at.run()
    assert not at.exception
    assert any(e.label.startswith(JA("readers.title")) for e in at.expander)
    supervisor_name = actor("demo-supervisor").display_name
    assert any(t.value.startswith(supervisor_name) for t in at.text)
    assert any(e.label == JA("redaction.title") for e in at.expander)  # the trainee may redact their own


def test_privacy_speaks_english_without_a_key_showing_through(app):
    import re

    db = database()
    for username in ("demo-manager", "demo-admin"):
        person = actor(username)
        auth.set_language(db, person, "en")
        try:
            at = app(username, script="pages/privacy.py")
            shown = []
            for tab in ("redactions", "reads", "retention"):  # only the open tab is drawn: each in turn
                at.session_state["privacy_tab"] = translate("en", f"privacy.tab.{tab}")
                at.run()
                assert not at.exception
                assert at.title[0].value == translate("en", "nav.privacy")
                shown += [m.value for m in at.markdown] + [c.value for c in at.caption] + [t.label for t in at.tabs] \
                    + [i.value for i in at.info] + [s.value for s in at.success] + [m.label for m in at.metric]
            assert [text for text in shown if re.search(r"\b[a-z_]+\.[a-z_.]+\b", text)] == []
            # Japanese only in the stored marker the text will carry
            assert not [text for text in shown if re.search(r"[\u3040-\u30ff]", text.replace(retention.MARKER, ""))]
        finally:
            auth.set_language(db, person, "ja")


def test_trainee_redacts_own_reflection_and_the_form_does_not_save_the_old_text_back(app):
    db = database()
    enrolment = enrolments.current_for_trainee(db, actor("demo-trainee"))
    rid, day, event = db.one(
        "SELECT id, practice_date, event FROM reflection WHERE enrolment_id = ? AND status = 'submitted' "
        "AND event NOT LIKE ? ORDER BY practice_date DESC LIMIT 1 OFFSET 1", [enrolment.id, f"{redaction.MARKER}%"])
    span = event[:7].strip()
    expected = event.replace(span, redaction.MARKER)
    at = app("demo-trainee", script="pages/reflection.py")
    at.query_params["day"] = day.isoformat()
    at.run()
    at.selectbox(key="reflection_redaction_field").set_value("event")
    at.text_input(key="reflection_redaction_span").input(span)
    next(b for b in at.button if b.label == JA("redaction.submit")).click().run()
    assert not at.exception
    at.run()  # the page after the redaction, as the trainee goes on
    assert db.value("SELECT event FROM reflection WHERE id = ?", [rid]) == expected
    assert db.value("SELECT count(*) FROM draft WHERE draft_key = ?", [f"reflection:{rid}"]) == 0
    shown = next(a for a in at.text_area if a.value.startswith(redaction.MARKER))
    assert shown.value == expected


def test_the_guard_speaks_while_the_draft_is_typed_and_the_draft_is_kept(app):
    at = app("demo-trainee", script="pages/reflection.py").run()
    event = next(a for a in at.text_area if a.label.startswith(JA("reflection.field.event")))
    event.input("グエン・ヴァン・アンさんの在留期間更新の相談").run()
    assert not at.exception
    notice = [c.value for c in at.caption if c.value.startswith(JA("privacy.draft_notice", count=1, spans="")[:8])]
    assert len(notice) == 1 and "`グエン・ヴァン・アンさん`" in notice[0] and JA("privacy.client_name") in notice[0]
    db = database()
    kept = db.value("SELECT count(*) FROM draft WHERE body_json LIKE '%グエン・ヴァン・アン%'") + db.value(
        "SELECT count(*) FROM reflection WHERE event LIKE 'グエン・ヴァン・アン%'")
    assert kept == 1  # the draft is saved as typed; the guard decides only at submit
    event.input("相談者コード K-901 の在留期間更新の相談").run()
    assert not [c.value for c in at.caption if JA("privacy.client_name") in c.value]
