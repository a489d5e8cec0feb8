"""A marker's comments on /scoring are kept while they type (keep_typing), without leaving the box: after a pause in
typing, and for the box typed in last (usually the overall comment: the others were left for it, which commits them)
also when the page is reloaded before the pause is over."""
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


def _value_after_reload(page, selector, wanted, tries=8):
    """The box's value once the page is back; the draft is written by the run the leaving page asked for, which can
    finish just after the new page loaded, so a person's second reload is allowed for."""
    for _ in range(tries):
        page.reload()
        wait_idle(page)
        value = page.locator(selector).input_value()
        if value == wanted:
            break
        page.wait_for_timeout(500)
    return value


def test_the_overall_comment_typed_last_survives_a_reload_within_the_pause(server, page, to_score):
    sid, cid = to_score[1]
    login(page, server.url, "demo-supervisor", f"/scoring?s={sid}")
    criterion = page.locator(f".st-key-scoring_comment_{sid}_{cid} textarea")
    overall = page.locator(f".st-key-scoring_overall_{sid} textarea")
    criterion.click()
    criterion.press_sequentially("言葉が丁寧", delay=20)
    overall.click()  # leaving the criterion's box commits it
    overall.press_sequentially("次は根拠を", delay=20)
    page.wait_for_timeout(200)  # reloaded well within the pause
    assert _value_after_reload(page, f".st-key-scoring_overall_{sid} textarea", "次は根拠を") == "次は根拠を"
    expect(page.locator(f".st-key-scoring_comment_{sid}_{cid} textarea")).to_have_value("言葉が丁寧")
