"""Trust on the scoring, moderation, inbox and profile screens, through AppTest: a blind second marker's screen holds
nothing of the first marking (the change log included, which reads as a list, not JSON); every free-text box that
saves a draft keeps what is typed (and has keep_typing on its screen); 修正を依頼 asks before it sends."""
import pytest

from coordsupervise.i18n import translate
from coordsupervise.practice import inbox, supervision
from coordsupervise.practice.inbox import InboxFilter
from coordsupervise.programme import auth
from coordsupervise.scoring import moderation, scoring
from coordsupervise.ui.runtime import database
from tests.unit.scoring.test_blind_marking import CRITERION_SECRET, OVERALL_SECRET, hand_in, to_blind_second_marking

JA = lambda key, **p: translate("ja", key, **p)  # noqa: E731


def actor(name):
    return auth.load_login_user(database(), name).actor()


def everything_on_screen(at) -> bytes:
    """Every element and block of the rendered page as the bytes the server would send (frames, captions,
    tooltips, expanders' contents, widget values), to search for a text."""
    out = []

    def walk(node):
        proto = getattr(node, "proto", None)
        if proto is not None:
            out.append(proto.SerializeToString())
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return b"".join(out)


def first_to_score(code):
    rows, _ = scoring.queue(database(), actor("demo-supervisor"),
                            scoring.QueueFilter(state="to_score", assignment_code=code))
    return rows[0]["submission_id"]


def open_scoring(app, submission_id, username):
    at = app(username, script="pages/scoring.py")
    at.query_params["s"] = str(submission_id)
    return at.run()


@pytest.fixture
def mounted(monkeypatch):
    """The keep_typing mounts of a run, by key."""
    keys = []
    monkeypatch.setattr("coordsupervise.ui.keep_typing.keep_typing", keys.append)
    return keys


# -- 1. blind second marking --------------------------------------------------------------------------------------
def test_the_second_markers_screen_and_change_log_hold_nothing_of_the_first_marking(app):
    blind = to_blind_second_marking(database(), "A2")
    sid = blind["submission"]
    at = open_scoring(app, sid, "demo-manager")
    assert not at.exception
    audit = next(e for e in at.expander if e.label == JA("scoring.audit"))
    assert JA("scoring.audit_withheld") in [i.value for i in audit.info]
    sent = everything_on_screen(at)
    for secret in (CRITERION_SECRET, OVERALL_SECRET, "FIRSTMARKER", "before_json", '"level"'):
        assert secret.encode() not in sent, secret
    assert JA("scoring.audit.action.score.to_second_marking").encode() not in sent

    hand_in(blind, 2)
    after = open_scoring(app, sid, "demo-manager")
    audit = next(e for e in after.expander if e.label == JA("scoring.audit"))
    lines = "\n".join(m.value for m in audit.markdown)
    assert JA("scoring.audit.action.score.to_second_marking") in lines
    assert JA("scoring.change.level", criterion="C1", before=3, after=2) in lines  # 「C1: 3 → 2」
    assert JA("scoring.change.comment.changed", criterion="C1") in lines
    assert "{" not in lines and CRITERION_SECRET not in lines  # a readable list, not the stored JSON


def test_the_moderation_screen_reads_the_change_log_as_a_list(app):
    at = app("demo-manager", script="pages/moderation.py").run()
    assert not at.exception
    audit = next(e for e in at.expander if e.label == JA("scoring.audit"))
    assert not audit.get("arrow_data_frame")  # the old table of before/after JSON is gone


# -- 7. nothing typed is lost -------------------------------------------------------------------------------------
def test_a_criterion_comment_is_a_multi_line_box_kept_while_typing(app, mounted):
    sid = first_to_score("A2")
    [criterion] = [c["id"] for c in scoring.open_item(database(), actor("demo-supervisor"), sid).criteria]
    at = open_scoring(app, sid, "demo-supervisor")
    assert "scoring_keep_typing" in mounted
    box = at.text_area(key=f"scoring_comment_{sid}_{criterion}")  # a text area: 「…チェックリスト」 is not cut
    box.input("在留期限の確認手順をチェックリストにまとめ、\n二回目の面談で活用できています。").run()
    assert not at.exception
    kept = scoring.kept_work(database(), actor("demo-supervisor"), sid)
    assert kept["comments"][criterion].endswith("二回目の面談で活用できています。")
    again = open_scoring(app, sid, "demo-supervisor")  # a reload
    assert again.text_area(key=f"scoring_comment_{sid}_{criterion}").value == kept["comments"][criterion]


def test_a_second_markers_comments_are_kept_while_typing_too(app, mounted):
    blind = to_blind_second_marking(database(), "A2")
    sid = blind["submission"]
    at = open_scoring(app, sid, "demo-manager")
    assert "scoring_keep_typing" in mounted
    at.text_area(key=f"scoring_overall_{sid}").input("根拠が具体的に書かれている。").run()
    assert scoring.kept_work(database(), blind["manager"], sid)["overall"] == "根拠が具体的に書かれている。"


def test_the_inbox_reply_box_has_keep_typing(app, mounted):
    target = inbox.next_unread(database(), actor("demo-supervisor"), InboxFilter())
    at = app("demo-supervisor", script="pages/inbox.py")
    at.query_params["r"] = str(target)
    at.run()
    assert not at.exception
    assert mounted == ["inbox_keep_typing"]
    at.text_area(key=f"inbox_reply_{target}").input("落ち着いた対応でした。").run()
    assert supervision.reply_draft(database(), actor("demo-supervisor"), target) == "落ち着いた対応でした。"


def test_a_flag_reason_typed_in_the_inbox_survives_a_reload_until_raised(app, mounted):
    db = database()
    target = inbox.next_unread(db, actor("demo-supervisor"), InboxFilter())
    enrolment_id = db.value("SELECT enrolment_id FROM reflection WHERE id = ?", [target])
    at = app("demo-supervisor", script="pages/inbox.py")
    at.query_params["r"] = str(target)
    at.run()
    next(a for a in at.text_area if a.label == JA("flag.reason")).input("連絡が三日途絶えている").run()
    assert supervision.text_draft(db, actor("demo-supervisor"), "flag", enrolment_id) == "連絡が三日途絶えている"
    profile = app("demo-supervisor", script="pages/trainee.py")  # the same trainee's profile, another day
    profile.query_params["e"] = str(enrolment_id)
    profile.session_state["trainee_tab"] = JA("profile.tab_flags")  # the open tab
    profile.run()
    assert "trainee_keep_typing" in mounted
    box = next(a for a in profile.tabs[1].text_area if a.label == JA("flag.reason"))
    assert box.value == "連絡が三日途絶えている"
    next(b for b in profile.tabs[1].button if b.label == JA("flag.raise")).click().run()
    assert not profile.exception
    assert db.value("SELECT count(*) FROM flag WHERE reason = '連絡が三日途絶えている'") == 1
    assert supervision.text_draft(db, actor("demo-supervisor"), "flag", enrolment_id) == ""  # sent: forgotten


def test_a_flag_resolution_typed_survives_a_reload(app, mounted):
    db = database()
    enrolment_id = inbox.caseload(db, actor("demo-supervisor"))[0]["enrolment_id"]
    flag_id = supervision.raise_flag(db, actor("demo-supervisor"), enrolment_id, "medium", "様子を見る")
    at = app("demo-supervisor", script="pages/trainee.py")
    at.query_params["e"] = str(enrolment_id)
    at.session_state["trainee_tab"] = JA("profile.tab_flags")  # the open tab
    at.run()
    next(i for i in at.tabs[1].text_input if i.label == JA("flag.resolution")).input("電話で確認した").run()
    again = app("demo-supervisor", script="pages/trainee.py")
    again.query_params["e"] = str(enrolment_id)
    again.session_state["trainee_tab"] = JA("profile.tab_flags")  # the open tab
    again.run()
    assert next(i for i in again.tabs[1].text_input if i.label == JA("flag.resolution")).value == "電話で確認した"
    assert supervision.text_draft(db, actor("demo-supervisor"), "flag_resolution", flag_id) == "電話で確認した"


def test_a_private_note_typed_survives_a_reload_until_added(app, mounted):
    db = database()
    enrolment_id = inbox.caseload(db, actor("demo-supervisor"))[0]["enrolment_id"]
    at = app("demo-supervisor", script="pages/trainee.py")
    at.query_params["e"] = str(enrolment_id)
    at.session_state["trainee_tab"] = JA("profile.tab_notes")  # the open tab
    at.run()
    notes = at.tabs[3]
    next(a for a in notes.text_area if a.label == JA("profile.note")).input("面談の日程を本人と調整中").run()
    again = app("demo-supervisor", script="pages/trainee.py")
    again.query_params["e"] = str(enrolment_id)
    again.session_state["trainee_tab"] = JA("profile.tab_notes")  # the open tab
    again.run()
    box = next(a for a in again.tabs[3].text_area if a.label == JA("profile.note"))
    assert box.value == "面談の日程を本人と調整中"
    next(b for b in again.tabs[3].button if b.label == JA("profile.add_note")).click().run()
    assert not again.exception
    assert db.value("SELECT count(*) FROM private_note WHERE body_md = '面談の日程を本人と調整中'") == 1
    assert next(a for a in again.tabs[3].text_area if a.label == JA("profile.note")).value == ""
    assert supervision.text_draft(db, actor("demo-supervisor"), "note", enrolment_id) == ""


def test_a_moderation_reason_and_levels_survive_a_reload_until_recorded(app, mounted):
    db = database()
    manager = actor("demo-manager")
    item = moderation.open_disagreements(db, manager)[0]
    at = app("demo-manager", script="pages/moderation.py")
    at.query_params["m"] = str(item.moderation_id)
    at.run()
    assert "moderation_keep_typing" in mounted
    radios = [r for r in at.radio if r.key and r.key.startswith(f"moderation_level_{item.moderation_id}_")]
    for radio in radios:
        radio.set_value(3)
    at.text_area(key=f"moderation_reason_{item.moderation_id}").input("協議の途中: 根拠の具体性を確認中")
    at.run()
    kept = moderation.resolution_draft(db, manager, item.moderation_id)
    assert kept["reason"] == "協議の途中: 根拠の具体性を確認中" and set(kept["levels"].values()) == {3}
    again = app("demo-manager", script="pages/moderation.py")
    again.query_params["m"] = str(item.moderation_id)
    again.run()
    assert again.text_area(key=f"moderation_reason_{item.moderation_id}").value == kept["reason"]
    assert all(again.radio(key=r.key).value == 3 for r in radios)
    again.button(key=f"moderation_resolve_{item.moderation_id}").click().run()
    assert not again.exception
    assert JA("moderation.resolved") in [s.value for s in again.success]
    assert moderation.resolution_draft(db, manager, item.moderation_id) == {"levels": {}, "reason": ""}


# -- 8. 修正を依頼 asks first ------------------------------------------------------------------------------------
def draft_with_an_old_overall_comment():
    """An A3 draft saved earlier with an overall comment, as a supervisor comes back to it."""
    supervisor = actor("demo-supervisor")
    sid = first_to_score("A3")
    scoring.save_draft(database(), supervisor, sid, {}, {}, "前回の下書きに書いた古い総合コメント", 0)
    return sid


def test_request_changes_asks_first_and_shows_the_comment_that_will_be_sent(app):
    sid = draft_with_an_old_overall_comment()
    at = open_scoring(app, sid, "demo-supervisor")
    at.button(key=f"scoring_revision_{sid}").click().run()
    assert not at.exception
    assert database().value("SELECT status FROM submission WHERE id = ?", [sid]) == "submitted"  # nothing sent
    assert JA("scoring.confirm_revision") in [w.value for w in at.warning]
    assert any("前回の下書きに書いた古い総合コメント" in m.value for m in at.markdown)
    at.button(key=f"scoring_revision_confirm_{sid}").click().run()
    assert not at.exception
    assert database().value("SELECT status FROM submission WHERE id = ?", [sid]) == "revision_requested"
    assert at.query_params.get("s") != str(sid)  # on to the next piece of work


def test_cancelling_request_changes_sends_nothing_and_keeps_the_marking(app):
    sid = draft_with_an_old_overall_comment()
    at = open_scoring(app, sid, "demo-supervisor")
    at.button(key=f"scoring_revision_{sid}").click().run()
    at.button(key=f"scoring_revision_cancel_{sid}").click().run()
    assert not at.exception
    assert database().value("SELECT status FROM submission WHERE id = ?", [sid]) == "submitted"
    assert JA("scoring.confirm_revision") not in [w.value for w in at.warning]
    assert at.text_area(key=f"scoring_overall_{sid}").value == "前回の下書きに書いた古い総合コメント"


def test_request_changes_without_an_overall_comment_says_why_without_a_dialog(app):
    sid = first_to_score("A3")
    at = open_scoring(app, sid, "demo-supervisor")
    at.button(key=f"scoring_revision_{sid}").click().run()
    assert JA("scoring.revision_comment_required") in [e.value for e in at.error]
    assert JA("scoring.confirm_revision") not in [w.value for w in at.warning]
