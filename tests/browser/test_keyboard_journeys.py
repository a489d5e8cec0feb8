"""The main tasks by keyboard alone, in Chromium: a trainee writes and submits a reflection, a supervisor answers
one, a manager settles a disagreement. Only Tab, Shift+Tab, Enter, Space and typing move through the page, every
stop on the way shows where the focus is (an outline or a ring, on the control or the box around it), and each
target is reached within a bounded number of presses, in the order the screen reads."""
import re

import pytest
from playwright.sync_api import expect

from coordsupervise.i18n import translate
from coordsupervise.store.db import Database

from .conftest import PASSWORD, demo_trainee_free_days, wait_idle

JA = lambda key, **p: translate("ja", key, **p)  # noqa: E731
# what the focused element is called and whether its focus can be seen (on itself or the box drawn around it)
FOCUSED = """() => {
    const e = document.activeElement;
    if (!e || e === document.body) return {name: '', visible: false, what: 'body'};
    const what = e.tagName + ' ' + (e.getAttribute('data-testid') || '');
    const label = e.labels && e.labels.length ? e.labels[0].innerText : '';
    const name = (e.getAttribute('aria-label') || label || e.innerText || '').replace(/\\s+/g, ' ').trim();
    let visible = false;
    for (let n = e, i = 0; n && i < 4 && !visible; n = n.parentElement, i++) {
        const s = getComputedStyle(n), box = n.getBoundingClientRect();
        // a visually hidden control (a radio's input is 1 px) shows nothing, whatever its outline says
        visible = box.width > 4 && box.height > 4 &&
            ((s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none');
    }
    return {name, visible, what};
}"""


def tab_to(page, name: str | re.Pattern, *, back: bool = False, limit: int = 40) -> int:
    """Press Tab (Shift+Tab with `back`) until the focused element is called `name`; every stop on the way must
    show its focus. Returns the number of presses."""
    seen = []
    for presses in range(1, limit + 1):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        focused = page.evaluate(FOCUSED)
        seen.append(focused["name"][:30] or focused["what"])
        assert focused["visible"], f"focus not visible on {focused['name']!r} after {seen}"
        if (name.search(focused["name"]) if isinstance(name, re.Pattern) else focused["name"] == name):
            return presses
    raise AssertionError(f"{name!r} not reached in {limit} presses: {seen}")


def keyboard_login(page, base: str, username: str, path: str) -> None:
    """The login form by keyboard: the username box is the first text box, Tab to the password, Enter."""
    page.goto(base + path)
    page.locator("[data-testid=stForm]").wait_for(timeout=30000)
    page.wait_for_function("() => document.documentElement.lang === 'ja'")  # the page's own script has run
    wait_idle(page)
    tab_to(page, JA("login.username"))
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.locator("[data-testid=stSidebarNav]").wait_for(timeout=30000)
    wait_idle(page)


def type_into(page, label: str, text: str, **how) -> None:
    tab_to(page, label, **how)
    page.keyboard.type(text)


@pytest.fixture(scope="module")
def items(demo_template):
    """Read before the server opens its copy (one process per file): a free practice day of demo-trainee, a
    submitted reflection of another of demo-supervisor's trainees, and that there is a disagreement to settle."""
    free = demo_trainee_free_days(demo_template)
    db = Database(demo_template)
    try:
        reflection = db.value(
            "SELECT r.id FROM reflection r JOIN enrolment e ON e.id = r.enrolment_id "
            "JOIN app_user u ON u.id = e.trainee_id JOIN supervision s ON s.enrolment_id = e.id "
            "JOIN app_user sv ON sv.id = s.supervisor_id WHERE sv.username = 'demo-supervisor' "
            "AND u.username <> 'demo-trainee' AND r.status = 'submitted' ORDER BY e.id, r.practice_date DESC LIMIT 1")
        disagreements = db.value("SELECT count(*) FROM moderation WHERE status = 'disagreed'")
        submission = db.value(
            "SELECT s.id FROM submission s JOIN enrolment e ON e.id = s.enrolment_id JOIN app_user u "
            "ON u.id = e.trainee_id JOIN supervision v ON v.enrolment_id = e.id JOIN app_user sv "
            "ON sv.id = v.supervisor_id WHERE sv.username = 'demo-supervisor' AND u.username <> 'demo-trainee' "
            "AND s.status = 'submitted' AND NOT EXISTS (SELECT 1 FROM score c WHERE c.submission_id = s.id) "
            "ORDER BY s.id LIMIT 1")
    finally:
        db.close()
    assert disagreements, "the demo leaves a disagreement for the manager to settle"
    return {"day": free[-1].isoformat(), "reflection": reflection, "submission": submission}


def test_trainee_writes_and_submits_a_reflection_by_keyboard(server, page, items):
    keyboard_login(page, server.url, "demo-trainee", f"/reflection?day={items['day']}")
    type_into(page, JA("reflection.field.goal"), "在留期限を最初に確認する")
    type_into(page, re.compile("^" + re.escape(JA("reflection.field.event"))), "相談者 K-901 の更新手続を確認した。")
    type_into(page, re.compile("^" + re.escape(JA("reflection.field.try_text"))), "チェックリストを使う。")
    # the self-rating's four buttons are one Tab stop: the digit picks the rating
    tab_to(page, "1")
    page.keyboard.press("3")
    wait_idle(page)
    expect(page.get_by_text(JA("level.3"), exact=True)).to_be_visible()
    tab_to(page, re.compile(re.escape(JA("reflection.submit")) + "$"))
    page.keyboard.press("Enter")
    wait_idle(page)
    expect(page.get_by_text(JA("reflection.submitted", version=1))).to_be_visible()
    expect(page.get_by_role("heading", name=JA("reflection.thread"))).to_be_visible()


def test_supervisor_answers_a_reflection_by_keyboard(server, page, items):
    keyboard_login(page, server.url, "demo-supervisor", f"/inbox?r={items['reflection']}")
    type_into(page, JA("inbox.reply"), "キーボードだけで返信しました。", limit=80)
    tab_to(page, re.compile(re.escape(JA("inbox.send")) + "$"))
    page.keyboard.press("Enter")
    wait_idle(page)
    expect(page.get_by_text("キーボードだけで返信しました。")).to_be_visible()


def test_supervisor_scores_by_keyboard_digits_pick_the_level(server, page, items):
    """Gradescope's keyboard-first grading: on a criterion, a digit picks its level; a comment, then "save and
    next" a few presses away."""
    keyboard_login(page, server.url, "demo-supervisor", f"/scoring?s={items['submission']}")
    tab_to(page, re.compile(r"^4 "), limit=60)  # a criterion's levels, 4 to 1: Tab lands on the first
    page.keyboard.press("3")
    wait_idle(page)
    expect(page.locator("[data-testid=stRadio] input[type=radio]:checked")).to_have_count(1)
    assert page.evaluate(FOCUSED)["name"].startswith("3 ")
    type_into(page, JA("scoring.criterion_comment"), "根拠が具体的に書けています。", limit=3)
    presses = tab_to(page, re.compile(re.escape(JA("scoring.save_next")) + "$"), limit=6)
    first = page.url
    page.keyboard.press("Enter")
    wait_idle(page)
    expect(page.get_by_text(JA("scoring.saved"))).to_be_visible()
    assert page.url != first  # the next submission, without going back to the list
    assert presses <= 4, "from the comment to 'save and next' in a few presses"


def test_manager_settles_a_disagreement_by_keyboard(server, page, items):
    keyboard_login(page, server.url, "demo-manager", "/moderation")
    criteria = page.locator("[data-testid=stRadio]")  # one per criterion, levels 4 to 1
    expect(criteria.first).to_be_visible()
    for index in range(criteria.count()):
        # Tab reaches a criterion's levels once, on level 4; the digit picks the agreed level
        tab_to(page, re.compile(r"^4 "), limit=60)
        page.keyboard.press("3")
        wait_idle(page)
        expect(criteria.nth(index).locator("input[type=radio]:checked")).to_have_count(1)
        assert page.evaluate(FOCUSED)["name"].startswith("3 ")  # the focus stays on the level picked
    type_into(page, re.compile("^" + re.escape(JA("moderation.reason"))), "記述の根拠から3で合意した。")
    tab_to(page, re.compile(re.escape(JA("moderation.resolve")) + "$"))
    page.keyboard.press("Enter")
    wait_idle(page)
    expect(page.get_by_text(JA("moderation.resolved"))).to_be_visible()
