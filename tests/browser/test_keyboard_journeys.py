"""The main tasks by keyboard alone, in Chromium: a trainee writes and submits a reflection, a supervisor answers
one, a manager settles a disagreement. Only Tab, Shift+Tab, Enter, Space and typing move through the page, every
stop on the way shows where the focus is (an outline or a ring, on the control or the box around it), and each
target is reached within a bounded number of presses, in the order the screen reads.

Where the focus goes when the screen changes under it: after a login, the screen's title; after a button that opens
another item (未読を開く, 次の未読, 送信して次の未読へ, 保存して次へ), that item's heading; after 提出する, the message
that says it was submitted; and the next Tab goes on from there into the screen. A Tab out of a text box commits it
(a rerun, a draft saved and said under the box): once that rerun has landed, the focus is still on the control the
Tab reached."""
import re
import time

import pytest
from playwright.sync_api import expect

from coordsupervise.i18n import translate
from coordsupervise.store.db import Database

from .conftest import PASSWORD, demo_trainee_free_days, wait_idle

JA = lambda key, **p: translate("ja", key, **p)  # noqa: E731
REFLECTION_HEADING = re.compile(r" · \d{4}/\d\d/\d\d \(")  # an open reflection: trainee · day (weekday)
SUBMISSION_HEADING = re.compile(r" · .+ \(v\d+\)$")  # an open submission: trainee · assignment (version)
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


IN_A_TEXT_BOX = """() => { const e = document.activeElement;
    return e.tagName === 'TEXTAREA' || (e.tagName === 'INPUT' && !['radio', 'checkbox'].includes(e.type)); }"""


def named(focused: dict, name: str | re.Pattern) -> bool:
    return bool(name.search(focused["name"])) if isinstance(name, re.Pattern) else focused["name"] == name


def tab_to(page, name: str | re.Pattern, *, back: bool = False, limit: int = 40) -> int:
    """Press Tab (Shift+Tab with `back`) until the focused element is called `name`; every stop on the way must
    show its focus. A Tab that leaves a text box commits it (a rerun: an autosave, a caption under the box): the
    next stop is looked at once the page is idle again, so the rerun must have left the focus where the Tab put it.
    Returns the number of presses."""
    seen = []
    for presses in range(1, limit + 1):
        leaving_a_box = page.evaluate(IN_A_TEXT_BOX)
        page.keyboard.press("Shift+Tab" if back else "Tab")
        if leaving_a_box:
            wait_idle(page)
        focused = page.evaluate(FOCUSED)
        seen.append(focused["name"][:30] or focused["what"])
        assert focused["visible"], f"focus not visible on {focused['name']!r} after {seen}"
        if named(focused, name):
            return presses
    raise AssertionError(f"{name!r} not reached in {limit} presses: {seen}")


def focus_moves_to(page, name: str | re.Pattern, tag: str, timeout: float = 15) -> dict:
    """After an action that changed the screen: the focus arrives on the element called `name` (an <h1>, <h3>, …:
    `tag`), with no key pressed (the screen moves it there once the new content is drawn)."""
    deadline = time.monotonic() + timeout
    while True:
        focused = page.evaluate(FOCUSED)
        if named(focused, name) and focused["what"].startswith(tag + " "):
            return focused
        if time.monotonic() > deadline:
            raise AssertionError(f"the focus is on {focused}, not on the {tag} {name!r}")
        page.wait_for_timeout(100)


# where a Tab went from the element that had the focus: in the screen's own column, after it in reading order
NEXT_STOP = """() => {
    const was = document.querySelector('[data-focus-was]'), now = document.activeElement;
    was.removeAttribute('data-focus-was');
    const main = document.querySelector('[data-testid=stMain]');
    return {in_main: !!main && main.contains(now) && now !== was,
            after: !!(was.compareDocumentPosition(now) & Node.DOCUMENT_POSITION_FOLLOWING)};
}"""


def next_tab_goes_on(page) -> dict:
    """One Tab from where the focus is: it goes on into the screen (its own column, after the focused element, the
    focus shown), not back to the menu, the skip link or the page's body."""
    page.evaluate("() => document.activeElement.setAttribute('data-focus-was', '')")
    page.keyboard.press("Tab")
    where, focused = page.evaluate(NEXT_STOP), page.evaluate(FOCUSED)
    assert where["in_main"] and where["after"] and focused["visible"], (where, focused)
    return focused


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
    submit = re.compile(re.escape(JA("reflection.submit")) + "$")
    tab_to(page, submit)
    assert named(page.evaluate(FOCUSED), submit)
    page.keyboard.press("Enter")
    wait_idle(page)
    expect(page.get_by_text(JA("reflection.submitted", version=1))).to_be_visible()
    expect(page.get_by_role("heading", name=JA("reflection.thread"))).to_be_visible()
    # the button is disabled now: the focus is on the message that says it was submitted (a screen reader reads
    # it), and the next Tab goes on to the feedback thread below it
    focus_moves_to(page, re.compile(re.escape(JA("reflection.submitted", version=1))), "DIV")
    next_tab_goes_on(page)


def test_supervisor_answers_a_reflection_by_keyboard(server, page, items):
    keyboard_login(page, server.url, "demo-supervisor", f"/inbox?r={items['reflection']}")
    focus_moves_to(page, REFLECTION_HEADING, "H3")  # the screen opened on a reflection: its heading, not the title
    type_into(page, JA("inbox.reply"), "キーボードだけで返信しました。", limit=80)
    # the Tab out of the box commits it: the draft is saved, said in a caption between the box and the buttons;
    # once that rerun has landed the focus is still on 送信, and Enter sends
    send = re.compile(re.escape(JA("inbox.send")) + "$")
    assert tab_to(page, send) == 1
    wait_idle(page)
    assert named(page.evaluate(FOCUSED), send), page.evaluate(FOCUSED)
    page.keyboard.press("Enter")
    wait_idle(page)
    expect(page.get_by_text("キーボードだけで返信しました。")).to_be_visible()


def test_the_focus_follows_the_reflection_opened_in_the_inbox(server, page):
    """未読を開く, 次の未読 and 送信して次の未読へ each put the focus on the new reflection's heading (after a login, on
    the screen's title); from there, Tab goes on into it."""
    keyboard_login(page, server.url, "demo-supervisor", "/inbox")
    focus_moves_to(page, JA("nav.inbox"), "H1")
    next_tab_goes_on(page)
    tab_to(page, JA("inbox.open_next_unread"), limit=40)
    page.keyboard.press("Enter")
    wait_idle(page)
    first = focus_moves_to(page, REFLECTION_HEADING, "H3")["name"]
    next_tab_goes_on(page)
    tab_to(page, re.compile(re.escape(JA("inbox.next_unread")) + "$"), back=True, limit=10)
    page.keyboard.press("Enter")
    wait_idle(page)
    second = focus_moves_to(page, REFLECTION_HEADING, "H3")["name"]
    assert second != first
    type_into(page, JA("inbox.reply"), "キーボードで読みました。", limit=80)
    send_next = re.compile(re.escape(JA("inbox.send_next")) + "$")
    tab_to(page, send_next, limit=3)
    assert named(page.evaluate(FOCUSED), send_next)
    page.keyboard.press("Enter")
    wait_idle(page)
    third = focus_moves_to(page, REFLECTION_HEADING, "H3")["name"]
    assert third not in (first, second)
    next_tab_goes_on(page)


def test_supervisor_scores_by_keyboard_digits_pick_the_level(server, page, items):
    """Gradescope's keyboard-first grading: on a criterion, a digit picks its level; a comment, then "save and
    next" a few presses away."""
    keyboard_login(page, server.url, "demo-supervisor", f"/scoring?s={items['submission']}")
    first = focus_moves_to(page, SUBMISSION_HEADING, "H3")["name"]
    tab_to(page, re.compile(r"^4 "), limit=60)  # a criterion's levels, 4 to 1: Tab lands on the first
    page.keyboard.press("3")
    wait_idle(page)
    expect(page.locator("[data-testid=stRadio] input[type=radio]:checked")).to_have_count(1)
    assert page.evaluate(FOCUSED)["name"].startswith("3 ")
    type_into(page, JA("scoring.criterion_comment"), "根拠が具体的に書けています。", limit=3)
    save_next = re.compile(re.escape(JA("scoring.save_next")) + "$")
    presses = tab_to(page, save_next, limit=6)
    assert named(page.evaluate(FOCUSED), save_next)
    address = page.url
    page.keyboard.press("Enter")
    wait_idle(page)
    expect(page.get_by_text(JA("scoring.saved"))).to_be_visible()
    assert page.url != address  # the next submission, without going back to the list
    assert presses <= 4, "from the comment to 'save and next' in a few presses"
    # the focus is on the next submission's heading, and Tab goes on into it
    assert focus_moves_to(page, SUBMISSION_HEADING, "H3")["name"] != first
    next_tab_goes_on(page)
    # there, the overall comment first: the Tab out of it keeps it (the caption "kept" comes between the box and
    # the buttons) and the focus stays on 下書き保存
    type_into(page, JA("scoring.overall"), "全体として丁寧に書けています。", limit=60)
    save = re.compile(re.escape(JA("scoring.save_draft")) + "$")
    tab_to(page, save, limit=1)
    page.keyboard.press("Enter")
    wait_idle(page)
    expect(page.get_by_text(JA("scoring.saved"))).to_be_visible()


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
    # the settled disagreement and its button are gone: the focus is on the message that says it was recorded
    focus_moves_to(page, re.compile(re.escape(JA("moderation.resolved"))), "DIV")
