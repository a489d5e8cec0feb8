"""A marker's comments on /scoring are kept while they type (keep_typing), without leaving the box: after a pause in
typing, the criterion's comment and the overall comment both survive a reload. (Leaving the page within the pause
also asks for a commit, but whether that run finishes before the page is gone is the browser's race: not promised,
so not tested.)"""
import pytest
from playwright.sync_api import expect

from coordsupervise.programme import auth
from coordsupervise.scoring import scoring
from coordsupervise.store.db import Database
from coordsupervise.ui.keep_typing import PAUSE_MS

from .conftest import login, wait_idle


@pytest.fixture(scope="module")
def to_score(demo_template):
    """Scored submissions waiting for demo-supervisor's first marking, each with its first criterion (one a test)."""
    db = Database(demo_template)
    try:
        actor = auth.load_login_user(db, "demo-supervisor").actor()
        rows, _ = scoring.queue(db, actor, scoring.QueueFilter(state="to_score"), limit=50)
        views = [scoring.open_item(db, actor, row["submission_id"]) for row in rows]
    finally:
        db.close()
    found = [(v.submission_id, v.criteria[0]["id"]) for v in views if v.kind == "scored" and v.criteria]
    assert len(found) >= 2, "the demo should leave scored submissions for demo-supervisor"
    return found


def _type_and_pause(page, box, text):
    box.click()
    box.press_sequentially(text, delay=20)
    page.wait_for_timeout(PAUSE_MS + 700)  # the pause: the box is never left
    wait_idle(page)


def test_comments_typed_and_never_left_survive_a_reload(server, page, to_score):
    sid, cid = to_score[0]
    login(page, server.url, "demo-supervisor", f"/scoring?s={sid}")
    criterion = page.locator(f".st-key-scoring_comment_{sid}_{cid} textarea")
    overall = page.locator(f".st-key-scoring_overall_{sid} textarea")
    _type_and_pause(page, criterion, "根拠が具体的")
    _type_and_pause(page, overall, "全体として良い")
    page.reload()
    wait_idle(page)
    expect(page.locator(f".st-key-scoring_comment_{sid}_{cid} textarea")).to_have_value("根拠が具体的")
    expect(page.locator(f".st-key-scoring_overall_{sid} textarea")).to_have_value("全体として良い")
