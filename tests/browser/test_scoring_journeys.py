"""Scoring as people do it: demo-supervisor scores criterion by criterion, uses "save and next", releases; demo-trainee
then sees the score on /assignments and in /progress's competency chart; demo-manager second-marks blind and settles
a disagreement on /moderation."""
import pytest
from playwright.sync_api import expect

from coordsupervise.i18n import translate
from coordsupervise.programme import defaults
from coordsupervise.store.db import Database

from .conftest import login, wait_idle

JA = lambda key, **p: translate("ja", key, **p)  # noqa: E731


@pytest.fixture(scope="session")
def demo_trainee_a2(demo_template):
    """demo-trainee's A2, waiting for demo-supervisor (the demo leaves it unscored), and a piece of its text."""
    db = Database(demo_template)
    submission_id, body = db.one("SELECT s.id, s.body_md FROM submission s JOIN assignment a ON a.id = s.assignment_id "
                                 "JOIN enrolment e ON e.id = s.enrolment_id JOIN app_user u ON u.id = e.trainee_id "
                                 "WHERE u.username = 'demo-trainee' AND a.code = 'A2'")
    db.close()
    return submission_id, max(body.splitlines(), key=len)[-16:-4]


def pick(page, descriptor: str):
    """One click on a level: its descriptor is the label."""
    page.get_by_text(descriptor, exact=False).first.click()
    wait_idle(page)


def rubric_level_of_c1(page):
    """C1's released rubric level in /progress's competency table, as the trainee reads it (None: not scored)."""
    table = page.locator("table").filter(has=page.get_by_role("columnheader", name=JA("progress.rubric_level")))
    cell = table.get_by_role("row").filter(has_text="C1").get_by_role("cell").nth(1).inner_text()
    if JA("firsthour.not_yet_scored") in cell:
        return None
    return float(cell.split("/")[0])


def test_supervisor_scores_saves_and_next_releases_and_the_trainee_sees_it(server, page, browser, demo_trainee_a2):
    a2, a2_text = demo_trainee_a2
    trainee = browser.new_context()
    tab = trainee.new_page()
    login(tab, server.url, "demo-trainee", "/progress")
    expect(tab.get_by_role("columnheader", name=JA("progress.rubric_level"))).to_be_visible(timeout=20000)
    assert rubric_level_of_c1(tab) is None  # nothing released on C1 yet

    login(page, server.url, "demo-supervisor", "/scoring?a=A3&state=to_score")
    page.get_by_role("button", name=JA("scoring.start")).click()
    wait_idle(page)
    first = page.url
    pick(page, defaults.DESCRIPTORS["C3"][3][0])
    expect(page.locator("[data-testid=stMetricValue]").first).to_have_text("3.00 / 4")
    page.get_by_role("button", name=JA("scoring.save_next")).click()
    wait_idle(page)
    assert page.url != first  # the next submission, without going back to the list
    expect(page.get_by_text(JA("scoring.saved"))).to_be_visible()

    received = []  # what the server sends this tab: a level picked redraws the rubric, not the submission beside it
    page.on("websocket", lambda ws: ws.on("framereceived", lambda f: received.append(
        f.encode() if isinstance(f, str) else bytes(f))))
    page.goto(f"{server.url}/scoring?s={a2}")
    wait_idle(page)
    assert any(a2_text.encode() in frame for frame in received)  # the screen's run sent the submission's text
    drawn = len(received)
    pick(page, defaults.DESCRIPTORS["C1"][4][0])
    expect(page.locator("[data-testid=stMetricValue]").first).to_have_text("4.00 / 4")
    assert received[drawn:] and not any(a2_text.encode() in frame for frame in received[drawn:])
    page.get_by_label(JA("scoring.criterion_comment")).fill("在留期限と就労制限を漏れなく確認できています。")
    page.get_by_label(JA("scoring.criterion_comment")).press("Tab")
    wait_idle(page)
    expect(page.get_by_text(JA("scoring.pass"), exact=True)).to_be_visible()
    page.get_by_role("button", name=JA("scoring.release")).click()
    wait_idle(page)
    expect(page.get_by_text(JA("scoring.confirm_release"))).to_be_visible()  # asked once more before release
    page.get_by_role("button", name=JA("scoring.confirm_yes")).click()
    wait_idle(page)
    expect(page.get_by_text(JA("scoring.outcome.released"))).to_be_visible()

    tab.goto(f"{server.url}/assignments?a=A2")
    wait_idle(tab)
    expect(tab.get_by_text(JA("assignment.score_title", version=1))).to_be_visible()
    expect(tab.get_by_text("4.00 / 4")).to_be_visible()  # criterion comments sit in the grid beneath
    tab.goto(f"{server.url}/progress")
    wait_idle(tab)
    expect(tab.get_by_role("columnheader", name=JA("progress.rubric_level"))).to_be_visible(timeout=20000)
    assert rubric_level_of_c1(tab) == 4
    trainee.close()


def test_second_marker_scores_blind_and_manager_settles_a_disagreement(server, page):
    login(page, server.url, "demo-manager", "/scoring?state=to_second_mark")
    page.get_by_role("button", name=JA("scoring.start")).click()
    wait_idle(page)
    expect(page.get_by_text(JA("scoring.blind"))).to_be_visible()
    expect(page.get_by_text(JA("scoring.evidence"))).to_have_count(0)
    pick(page, defaults.DESCRIPTORS["C3"][1][0])
    page.get_by_role("button", name=JA("scoring.hand_in_second")).click()
    wait_idle(page)
    expect(page.get_by_text(JA("scoring.second_disagreed", screen=JA("nav.moderation")))).to_be_visible()

    page.goto(f"{server.url}/moderation")
    wait_idle(page)
    levels = page.locator("[data-testid=stRadio]")  # one per criterion, 4 to 1, each with its own descriptor
    expect(levels.first).to_contain_text(defaults.DESCRIPTORS["C3"][1][0])
    for criterion in levels.all():  # nothing is preselected: level 3 of each
        criterion.locator("[data-testid=stRadioOption]").nth(1).click()
        wait_idle(page)
    reason = page.get_by_role("textbox", name=JA("moderation.reason"))
    reason.fill("二人で協議し、切り分けの根拠が書かれている点を評価した。")
    page.get_by_role("button", name=JA("moderation.resolve")).click()
    wait_idle(page)
    expect(page.get_by_text(JA("moderation.resolved"))).to_be_visible()
