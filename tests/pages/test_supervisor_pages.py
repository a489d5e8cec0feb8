"""The supervisor's inbox and trainee profile through AppTest: list, open, reply, next unread, filters, access."""
import re

from coordsupervise.i18n import translate
from coordsupervise.practice import inbox
from coordsupervise.practice.inbox import InboxFilter
from coordsupervise.programme import auth
from coordsupervise.ui.runtime import database

JA = lambda key, **p: translate("ja", key, **p)  # noqa: E731


def supervisor():
    return auth.load_login_user(database(), "demo-supervisor").actor()


def test_inbox_lists_unread_first_with_counts(app):
    at = app("demo-supervisor", script="pages/inbox.py").run()
    assert not at.exception
    assert [m.label for m in at.metric][:4] == [JA("inbox.unread"), JA("firsthour.not_replied"), JA("inbox.awaiting"),
                                                JA("inbox.flagged")]
    assert len(at.dataframe) >= 1


def test_workload_figures_are_counted_only_while_their_section_is_open(app, monkeypatch):
    calls = []
    original = inbox.workload
    monkeypatch.setattr(inbox, "workload", lambda *a, **k: calls.append(1) or original(*a, **k))
    at = app("demo-supervisor", script="pages/inbox.py").run()
    assert not at.exception and calls == []
    assert JA("inbox.median_week") not in [m.label for m in at.metric]
    at.session_state["inbox_workload"] = True  # what opening the section sends (on_change="rerun")
    at.run()
    assert not at.exception and calls == [1]
    assert {JA("inbox.median_week"), JA("inbox.waiting_2_days")} <= {m.label for m in at.metric}


def test_open_reply_and_move_to_next_unread(app):
    db = database()
    first = inbox.next_unread(db, supervisor(), InboxFilter())
    at = app("demo-supervisor", script="pages/inbox.py")
    at.query_params["r"] = str(first)
    at.run()
    assert not at.exception
    reply = next(a for a in at.text_area if a.label == JA("inbox.reply"))
    reply.input("丁寧な振り返りです。次は根拠も書きましょう。").run()
    at.button(key=f"inbox_send_next_{first}").click().run()
    assert not at.exception
    assert at.query_params["r"] != [str(first)]
    assert db.value("SELECT count(*) FROM feedback WHERE reflection_id = ? AND body_md LIKE '丁寧な%'", [first]) == 1
    assert db.value("SELECT read_version FROM reflection_read WHERE reflection_id = ? AND reader_id = ?",
                    [first, supervisor().id]) is not None


def test_reply_draft_survives_a_new_session(app):
    db = database()
    target = inbox.next_unread(db, supervisor(), InboxFilter())
    at = app("demo-supervisor", script="pages/inbox.py")
    at.query_params["r"] = str(target)
    at.run()
    next(a for a in at.text_area if a.label == JA("inbox.reply")).input("送る前の下書き").run()
    again = app("demo-supervisor", script="pages/inbox.py")
    again.query_params["r"] = str(target)
    again.run()
    assert next(a for a in again.text_area if a.label == JA("inbox.reply")).value == "送る前の下書き"


def test_search_filter_from_the_address(app):
    at = app("demo-supervisor", script="pages/inbox.py")
    at.query_params["q"] = "存在しない語句XYZ"
    at.run()
    assert not at.exception
    assert JA("inbox.empty") in [i.value for i in at.info]


def test_reflection_of_someone_elses_trainee_is_refused(app):
    db = database()
    foreign = db.value("SELECT r.id FROM reflection r WHERE r.status = 'submitted' AND NOT EXISTS (SELECT 1 FROM "
                       "supervision s WHERE s.enrolment_id = r.enrolment_id AND s.supervisor_id = ?) LIMIT 1",
                       [supervisor().id])
    at = app("demo-supervisor", script="pages/inbox.py")
    at.query_params["r"] = str(foreign)
    at.run()
    assert not at.exception
    assert [e.value for e in at.error] == [JA("error.access_denied")]
    assert not [a for a in at.text_area if a.label == JA("inbox.reply")]


def test_trainee_profile_for_supervisor_and_manager(app):
    for username in ("demo-supervisor", "demo-manager"):
        at = app(username, script="pages/trainee.py").run()
        assert not at.exception, username
        assert len(at.tabs) == 5
        assert [m.label for m in at.metric][:2] == [JA("profile.reflection_rate"), JA("profile.criteria_met")]


def test_profile_of_a_trainee_outside_the_caseload_is_not_offered(app):
    db = database()
    foreign = db.value("SELECT e.id FROM enrolment e WHERE NOT EXISTS (SELECT 1 FROM supervision s WHERE "
                       "s.enrolment_id = e.id AND s.supervisor_id = ?) LIMIT 1", [supervisor().id])
    at = app("demo-supervisor", script="pages/trainee.py")
    at.query_params["e"] = str(foreign)
    at.run()
    assert not at.exception
    assert at.selectbox[0].value != foreign


def test_reply_is_refused_when_the_thread_moved_meanwhile(app):
    from coordsupervise.practice import reflections

    db = database()
    target = inbox.next_unread(db, supervisor(), InboxFilter())
    at = app("demo-supervisor", script="pages/inbox.py")
    at.query_params["r"] = str(target)
    at.run()
    # while the supervisor writes, the trainee adds a message to the thread
    trainee_name = db.value("SELECT u.username FROM reflection r JOIN enrolment e ON e.id = r.enrolment_id "
                            "JOIN app_user u ON u.id = e.trainee_id WHERE r.id = ?", [target])
    trainee = auth.load_login_user(db, trainee_name).actor()
    reflections.reply(db, trainee, target, "すみません、追加です")
    # typing commits nothing until the click: both reach the server in one run, as in a browser
    next(a for a in at.text_area if a.label == JA("inbox.reply")).input("返信します")
    at.button(key=f"inbox_send_{target}").click().run()
    assert not at.exception
    assert JA("inbox.stale_thread") in [e.value for e in at.error]
    assert db.value("SELECT count(*) FROM feedback WHERE reflection_id = ? AND body_md = '返信します'", [target]) == 0
    # the text is still there, and sending again (now having seen the new message) works
    assert next(a for a in at.text_area if a.label == JA("inbox.reply")).value == "返信します"
    at.button(key=f"inbox_send_{target}").click().run()
    assert db.value("SELECT count(*) FROM feedback WHERE reflection_id = ? AND body_md = '返信します'", [target]) == 1


def test_markdown_from_people_loses_images_and_odd_links():
    from coordsupervise.text import usertext

    text = "見て ![pixel](https://tracker.example/p.png) と [資料](https://ok.example) と [x](javascript:alert(1))"
    cleaned = usertext.markdown(text)
    assert "tracker" not in cleaned and "[資料](<https://ok.example>)" in cleaned
    assert "\\[x\\](javascript" in cleaned  # shown as the text it is, not a link


def test_clear_filters_empties_the_address_and_the_boxes(app):
    at = app("demo-supervisor", script="pages/inbox.py")
    at.query_params["q"] = "年金"
    at.query_params["unread"] = "1"
    at.run()
    at.button(key="inbox_clear").click().run()
    assert not at.exception
    assert "q" not in at.query_params and "unread" not in at.query_params
    assert next(t for t in at.text_input if t.label == JA("inbox.search")).value == ""
    assert not next(c for c in at.checkbox if c.label == JA("inbox.only_unread")).value


def test_not_replied_is_a_column_and_a_filter(app):
    at = app("demo-supervisor", script="pages/inbox.py")
    at.query_params["noreply"] = "1"
    at.run()
    assert not at.exception
    assert next(c for c in at.checkbox if c.label == JA("firsthour.only_not_replied")).value
    shown = at.dataframe[0].value
    assert len(shown) > 0 and set(shown["replied"]) == {JA("firsthour.not_replied_state")}


def test_mark_unread_from_the_reading_view(app):
    db = database()
    target = inbox.next_unread(db, supervisor(), InboxFilter())
    at = app("demo-supervisor", script="pages/inbox.py")
    at.query_params["r"] = str(target)
    at.run()  # opening marks it read
    assert inbox.next_unread(db, supervisor(), InboxFilter()) != target
    at.button(key="inbox_mark_unread").click().run()
    assert not at.exception
    assert "r" not in at.query_params  # back to the list, where it counts as unread again
    assert db.value("SELECT count(*) FROM reflection_read WHERE reflection_id = ? AND reader_id = ?",
                    [target, supervisor().id]) == 0


def test_a_flag_raised_in_the_inbox_is_resolved_there(app):
    from coordsupervise.practice import supervision

    db = database()
    target = inbox.next_unread(db, supervisor(), InboxFilter())
    enrolment_id = db.value("SELECT enrolment_id FROM reflection WHERE id = ?", [target])
    supervision.raise_flag(db, supervisor(), enrolment_id, "high", "面談で確認したいことがある", target)
    at = app("demo-supervisor", script="pages/inbox.py")
    at.query_params["r"] = str(target)
    at.run()
    assert not at.exception
    next(t for t in at.text_input if t.label == JA("flag.resolution")).input("面談で確認済み")
    next(b for b in at.button if b.label == JA("flag.resolve")).click().run()
    assert not at.exception
    assert db.value("SELECT count(*) FROM flag WHERE enrolment_id = ? AND resolved_at IS NULL", [enrolment_id]) == 0


def test_trainee_picker_finds_a_name_typed_in_kana_without_the_space(app):
    db = database()
    person = inbox.caseload(db, supervisor())[-1]
    at = app("demo-supervisor", script="pages/inbox.py").run()
    next(t for t in at.text_input if t.label == JA("firsthour.find_trainee")).input(
        person["display_name_kana"].replace(" ", "")).run()
    assert not at.exception
    picker = next(s for s in at.selectbox if s.label == JA("inbox.trainee"))
    assert picker.options[1:] and all(person["display_name"] in o for o in picker.options[1:])


def test_clearing_filters_keeps_the_panel_open(app):
    at = app("demo-supervisor", script="pages/inbox.py")
    at.query_params["q"] = "年金"
    at.run()
    at.button(key="inbox_clear").click().run()
    assert not at.exception
    assert next(e for e in at.expander if e.label == JA("inbox.filters")).proto.expanded


def test_manager_picks_any_cohort_and_sees_stage_not_started(app):
    db = database()
    online = db.value("SELECT e.id FROM enrolment e JOIN cohort_stage s ON s.cohort_id = e.cohort_id "
                      "AND s.stage = 'practical' WHERE s.starts_on > current_date ORDER BY e.id LIMIT 1")
    cohort = db.value("SELECT cohort_id FROM enrolment WHERE id = ?", [online])
    at = app("demo-manager", script="pages/trainee.py")
    at.query_params["cohort"] = str(cohort)
    at.run()
    assert not at.exception
    picker = next(s for s in at.selectbox if s.label == JA("profile.trainee"))
    code = db.value("SELECT code FROM cohort WHERE id = ?", [cohort])
    assert picker.options and all(code in o for o in picker.options)
    picker.select(online).run()
    assert not at.exception
    rate = next(m for m in at.metric if m.label == JA("profile.reflection_rate"))
    assert rate.value == JA("firsthour.practical_not_started")  # not 「0% (0/0)」
    at.session_state["trainee_tab"] = JA("profile.tab_results")  # only the open tab is drawn: open the results
    at.run()
    checklist = " ".join(m.value for m in at.markdown)
    named = JA("firsthour.modules_open", modules="")
    assert re.search(re.escape(named) + r"\d\d \S+", checklist)  # 「未合格のモジュール: 06 多様な…」, not a count


def test_an_open_reflection_has_the_counts_on_one_line_above_it(app):
    """Four figures stack on a phone and push the reflection a screen down: above an open one they are a line."""
    first = inbox.next_unread(database(), supervisor(), InboxFilter())
    at = app("demo-supervisor", script="pages/inbox.py")
    at.query_params["r"] = str(first)
    at.run()
    assert not at.exception
    assert not at.metric
    counts = inbox.counts(database(), supervisor())
    assert at.markdown[0].value == " · ".join([f"{JA('inbox.unread')} **{counts['unread']}**",
                                               f"{JA('firsthour.not_replied')} **{counts['not_replied']}**",
                                               f"{JA('inbox.awaiting')} **{counts['awaiting_reply']}**",
                                               f"{JA('inbox.flagged')} **{counts['flagged_trainees']}**"])
