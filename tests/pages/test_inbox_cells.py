"""What the inbox list's cells say when there is nothing to say: a reflection without a chosen competency shows a
dash, not a grey "None"."""
from coordsupervise.practice import inbox
from coordsupervise.practice.inbox import InboxFilter
from coordsupervise.programme import auth
from coordsupervise.ui.runtime import database


def test_a_reflection_without_a_competency_shows_a_dash(app):
    db = database()
    supervisor = auth.load_login_user(db, "demo-supervisor").actor()
    first = int(inbox.page(db, supervisor, InboxFilter())[0].iloc[0]["id"])
    db.write(lambda tx: tx.execute("DELETE FROM reflection_competency WHERE reflection_id = ?", [first]))
    at = app("demo-supervisor", script="pages/inbox.py").run()
    assert not at.exception
    shown = at.dataframe[0].value
    assert shown.iloc[0]["competencies"] == "—"
    assert shown["competencies"].notna().all()
