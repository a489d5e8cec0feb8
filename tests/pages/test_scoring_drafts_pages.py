"""The scoring view keeps what is typed into its last two boxes: the 課題設定シート's comment and the reason for
changing a released score come back in a new session (a reload, a logout, another day) and go once sent."""
from coordsupervise.i18n import translate
from coordsupervise.programme import auth
from coordsupervise.scoring import scoring
from coordsupervise.ui.runtime import database

JA = lambda key, **p: translate("ja", key, **p)  # noqa: E731


def _supervisor():
    return auth.load_login_user(database(), "demo-supervisor").actor()


def _open_item(app, submission_id):
    at = app("demo-supervisor", script="pages/scoring.py")
    at.query_params["s"] = str(submission_id)
    return at.run()


def _sheet():
    supervisor = _supervisor()
    rows, _ = scoring.queue(database(), supervisor, scoring.QueueFilter(state="to_score"), limit=500)
    return next(r["submission_id"] for r in rows
                if scoring.open_item(database(), supervisor, r["submission_id"]).kind == "approval")


def test_a_sheet_comment_comes_back_in_a_new_session_and_goes_once_the_sheet_is_returned(app):
    sheet = _sheet()
    at = _open_item(app, sheet)
    assert not at.exception
    at.text_area(key=f"scoring_sheet_comment_{sheet}").input("支援の順序の根拠を書き足してください").run()
    assert not at.exception
    again = _open_item(app, sheet)  # a reload, a logout and a new login, or a restarted server
    assert again.text_area(key=f"scoring_sheet_comment_{sheet}").value == "支援の順序の根拠を書き足してください"
    again.button(key=f"scoring_sheet_return_{sheet}").click().run()
    assert not again.exception
    assert JA("scoring.sheet_returned") in [s.value for s in again.success]
    assert scoring.kept_text(database(), _supervisor(), "sheet_comment", sheet) == ""


def test_returning_a_sheet_without_a_comment_is_refused_and_nothing_is_lost(app):
    sheet = _sheet()
    at = _open_item(app, sheet)
    at.button(key=f"scoring_sheet_return_{sheet}").click().run()
    assert not at.exception
    assert at.error  # the comment is required to return it
    assert at.text_area(key=f"scoring_sheet_comment_{sheet}").value == ""


def test_a_change_reason_comes_back_in_a_new_session_and_goes_with_the_change(app):
    db, supervisor = database(), _supervisor()
    rows, _ = scoring.queue(db, supervisor, scoring.QueueFilter(state="to_score"), limit=500)
    target = next(r["submission_id"] for r in rows if r["code"] == "A2")
    [criterion] = scoring.open_item(db, supervisor, target).criteria
    scoring.release(db, supervisor, target, {criterion["id"]: 3}, {}, "", 0)
    at = _open_item(app, target)
    assert not at.exception
    at.text_input(key=f"scoring_reason_{target}").input("添付の記録を見落としていた").run()
    again = _open_item(app, target)
    assert again.text_input(key=f"scoring_reason_{target}").value == "添付の記録を見落としていた"
    again.radio(key=f"scoring_level_{target}_{criterion['id']}").set_value(4).run()
    again.button(key=f"scoring_release_{target}").click().run()
    assert not again.exception
    assert again.text_input(key=f"scoring_reason_{target}").value == ""  # sent: the box is empty again
    assert scoring.kept_text(database(), _supervisor(), "change_reason", target) == ""
    assert db.value("SELECT reason FROM audit_log WHERE entity_id = ? ORDER BY id DESC LIMIT 1", [str(target)]) == \
        "添付の記録を見落としていた"
