"""A supervisor clears three unread reflections with replies using "next unread"; the trainee then sees the
replies marked new."""
import re

import pytest
from playwright.sync_api import expect

from coordsupervise.i18n import translate
from coordsupervise.store.db import Database

from .conftest import login, wait_idle

JA = lambda key, **p: translate("ja", key, **p)  # noqa: E731


@pytest.fixture(scope="session")
def demo_trainee_unread(demo_template):
    """demo-trainee's enrolment and the days of its reflections demo-supervisor has not read, newest first."""
    db = Database(demo_template)
    enrolment_id = db.value("SELECT e.id FROM enrolment e JOIN app_user u ON u.id = e.trainee_id "
                            "WHERE u.username = 'demo-trainee'")
    days = [d for (d,) in db.rows(
        "SELECT r.practice_date FROM reflection r WHERE r.enrolment_id = ? AND r.status = 'submitted' AND NOT "
        "EXISTS (SELECT 1 FROM reflection_read x WHERE x.reflection_id = r.id) ORDER BY r.practice_date DESC",
        [enrolment_id])]
    db.close()
    assert len(days) >= 3, "the demo keeps a few of demo-trainee's reflections unread"
    return enrolment_id, days


def unread_count(page) -> int:
    metric = page.locator("[data-testid=stMetric]").filter(has_text=JA("inbox.unread")).first
    return int(re.search(r"\d+", metric.locator("[data-testid=stMetricValue]").inner_text()).group(0))


def test_supervisor_clears_three_and_trainee_sees_them_new(server, page, browser, demo_trainee_unread):
    enrolment_id, days = demo_trainee_unread
    login(page, server.url, "demo-supervisor", f"/inbox?trainee={enrolment_id}&unread=1")
    before = unread_count(page)
    page.get_by_role("button", name=JA("inbox.open_next_unread")).click()
    wait_idle(page)
    for i in range(3):
        expect(page.get_by_role("heading", name=days[i].strftime("%Y/%m/%d"))).to_be_visible()
        box = page.get_by_role("textbox", name=JA("inbox.reply"))
        box.fill(f"読みました。{i + 1}件目のコメントです。")
        # "send and next unread" twice, then a plain send: exactly three opened (opening marks read)
        page.get_by_role("button", name=JA("inbox.send_next" if i < 2 else "inbox.send"), exact=True).click()
        wait_idle(page)
    page.goto(f"{server.url}/inbox")
    wait_idle(page)
    assert unread_count(page) == before - 3

    trainee = browser.new_context()
    tab = trainee.new_page()
    login(tab, server.url, "demo-trainee", f"/reflection?day={days[0].isoformat()}")
    expect(tab.get_by_text(JA("reflection.new_feedback_on", days="")[:10])).to_be_visible(timeout=15000)
    expect(tab.get_by_text("読みました。1件目のコメントです。")).to_be_visible()
    expect(tab.get_by_text(JA("thread.new"), exact=True).first).to_be_visible()
    trainee.close()


def test_two_tabs_reply_to_the_same_reflection_one_wins_the_other_keeps_its_text(server, browser, demo_template):
    """The same supervisor in two browsers (a desk PC and a laptop) answers the same reflection: the first reply is
    sent, the second is refused with the "new message" notice and its text stays in the box; one reply is stored."""
    db = Database(demo_template)
    # the oldest reflection of another of demo-supervisor's trainees: the shared server's other journeys (which
    # follow demo-trainee's feedback) never look at it
    reflection_id = db.value(
        "SELECT r.id FROM reflection r JOIN enrolment e ON e.id = r.enrolment_id "
        "JOIN app_user u ON u.id = e.trainee_id JOIN supervision s ON s.enrolment_id = e.id "
        "JOIN app_user sv ON sv.id = s.supervisor_id WHERE sv.username = 'demo-supervisor' "
        "AND u.username <> 'demo-trainee' AND r.status = 'submitted' ORDER BY e.id DESC, r.practice_date LIMIT 1")
    db.close()
    contexts = [browser.new_context(), browser.new_context()]
    try:
        first, second = (c.new_page() for c in contexts)
        for tab, text in ((first, "机のPCからの返信です。"), (second, "ノートPCからの返信です。")):
            login(tab, server.url, "demo-supervisor", f"/inbox?r={reflection_id}")
            tab.get_by_role("textbox", name=JA("inbox.reply")).fill(text)
        for tab in (first, second):
            tab.get_by_role("button", name=JA("inbox.send"), exact=True).click()
            wait_idle(tab)
        expect(second.get_by_text(JA("inbox.stale_thread"))).to_be_visible()
        expect(second.get_by_role("textbox", name=JA("inbox.reply"))).to_have_value("ノートPCからの返信です。")
        first.goto(f"{server.url}/inbox?r={reflection_id}")
        wait_idle(first)
        expect(first.get_by_text("机のPCからの返信です。")).to_have_count(1)
        # the refused reply was not posted: it waits as the supervisor's draft, in the reply box only
        expect(first.get_by_role("textbox", name=JA("inbox.reply"))).to_have_value("ノートPCからの返信です。")
        expect(first.get_by_text("ノートPCからの返信です。")).to_have_count(1)
        assert first.get_by_text("ノートPCからの返信です。").evaluate("e => e.tagName") == "TEXTAREA"
    finally:
        for context in contexts:
            context.close()
