"""Trust, as a browser receives it. Blind second marking: every websocket frame demo-manager's browser receives while
they open their second-marking item, unfold its change log and look at /moderation, the trainee's profile and the
inbox is searched for the first marker's comment (a text written only into that first marking): it never arrives
before the hand-in, and does arrive after it (so the search is shown to work). Nothing typed is lost: a criterion
comment typed and left with the focus still in its box is there after a reload."""
import shutil

import pytest
from playwright.sync_api import expect

from coordsupervise.i18n import translate
from coordsupervise.programme import defaults
from coordsupervise.scoring import scoring
from coordsupervise.store.db import Database
from tests.conftest import actor_of
from tests.unit.scoring.test_blind_marking import CRITERION_SECRET, OVERALL_SECRET, to_blind_second_marking

from .conftest import Server, login, wait_idle

JA = lambda key, **p: translate("ja", key, **p)  # noqa: E731


@pytest.fixture(scope="module")
def world(demo_template, tmp_path_factory):
    """A server on a copy of the demo where demo-trainee's A2 waits for demo-manager's blind second marking (the
    first marking carries CRITERION_SECRET and OVERALL_SECRET), and an A3 that demo-supervisor has not scored."""
    folder = tmp_path_factory.mktemp("server")
    db_path = folder / "browser.duckdb"
    shutil.copy(demo_template, db_path)
    db = Database(db_path)
    try:
        blind = to_blind_second_marking(db, "A2")
        rows, _ = scoring.queue(db, actor_of(db, "demo-supervisor"),
                                scoring.QueueFilter(state="to_score", assignment_code="A3"))
        setup = {"submission": blind["submission"], "enrolment": blind["enrolment"].id,
                 "moderation": blind["moderation"], "to_score": rows[0]["submission_id"]}
    finally:
        db.close()
    server = Server(db_path, folder / "streamlit.log").wait_ready()
    yield server, setup
    server.stop()


class Frames:
    """Every websocket frame the page receives, as bytes."""

    def __init__(self, page):
        self.received: list[bytes] = []
        page.on("websocket", lambda ws: ws.on("framereceived", self._add))

    def _add(self, payload):
        self.received.append(payload.encode() if isinstance(payload, str) else bytes(payload))

    def holding(self, text: str) -> int:
        return sum(1 for frame in self.received if text.encode() in frame)


def unfold(page, label: str):
    page.get_by_text(label, exact=True).first.click()
    wait_idle(page)


def test_the_second_markers_browser_receives_nothing_of_the_first_marking_until_the_hand_in(world, page):
    server, setup = world
    frames = Frames(page)
    login(page, server.url, "demo-manager", "/scoring?state=to_second_mark")
    page.goto(f"{server.url}/scoring?s={setup['submission']}")
    wait_idle(page)
    expect(page.get_by_text(JA("scoring.blind"))).to_be_visible()
    unfold(page, JA("scoring.audit"))
    expect(page.get_by_text(JA("scoring.audit_withheld"))).to_be_visible()
    for path in ("/moderation", f"/trainee?e={setup['enrolment']}", "/inbox", "/cohorts"):
        page.goto(server.url + path)
        wait_idle(page)
    for tab in ("profile.tab_results", "profile.tab_flags", "profile.tab_notes"):
        page.goto(f"{server.url}/trainee?e={setup['enrolment']}")
        wait_idle(page)
        page.get_by_role("tab", name=JA(tab)).click()
        wait_idle(page)
    assert len(frames.received) > 20
    assert frames.holding(CRITERION_SECRET) == 0 and frames.holding(OVERALL_SECRET) == 0
    assert frames.holding("FIRSTMARKER") == 0  # the first marker's draft comments neither

    # the hand-in: level 4 against the first marker's 2, so a manager settles it on /moderation beside both
    page.goto(f"{server.url}/scoring?s={setup['submission']}")
    wait_idle(page)
    page.get_by_text(defaults.DESCRIPTORS["C1"][4][0], exact=False).first.click()
    wait_idle(page)
    page.get_by_role("button", name=JA("scoring.hand_in_second")).click()
    wait_idle(page)
    expect(page.get_by_text(JA("scoring.second_disagreed", screen=JA("nav.moderation")))).to_be_visible()
    page.goto(f"{server.url}/moderation?m={setup['moderation']}")
    wait_idle(page)
    expect(page.get_by_text(OVERALL_SECRET)).to_be_visible()
    # the same search finds the texts once they may be shown: in Markdown, and in a table's Arrow bytes
    assert frames.holding(OVERALL_SECRET) > 0 and frames.holding(CRITERION_SECRET) > 0


def test_a_criterion_comment_typed_and_left_in_its_box_survives_a_reload(world, page):
    server, setup = world
    login(page, server.url, "demo-supervisor", f"/scoring?s={setup['to_score']}")
    box = page.get_by_label(JA("scoring.criterion_comment")).first
    box.click()
    box.press_sequentially("切り分けの根拠をチェックリストで示せています", delay=20)
    expect(page.get_by_text(JA("scoring.kept"))).to_be_visible(timeout=10000)
    expect(box).to_be_focused()  # kept while the supervisor is still in the box
    page.wait_for_timeout(3000)
    wait_idle(page)
    page.reload()
    wait_idle(page)
    expect(page.get_by_label(JA("scoring.criterion_comment")).first).to_have_value(
        "切り分けの根拠をチェックリストで示せています")
