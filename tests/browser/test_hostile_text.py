"""Hostile text stays inert in Chromium. Script tags, event-handler attributes, javascript: links, Markdown images
pointing elsewhere (in every CommonMark form, in Markdown and in names), 3000 characters without a space,
right-to-left overrides, zero-width characters and NUL bytes are written through the services into a copy of the
demo (a reflection, its feedback, a private note, a trainee's name, an organisation, a comment-bank entry, rubric
descriptors, an uploaded file's name). Then every screen that shows them is opened as the role that sees it, while the
page listens: no dialog opens, the console logs no error, no request goes to another host, and the main block is no
wider than the 1280 px window (long words wrap). One server for the file.
"""
from __future__ import annotations

import shutil
from datetime import timedelta
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from coordsupervise.errors import InvalidInput
from coordsupervise.practice import assignments, reflections, supervision
from coordsupervise.privacy.guard import PrivacyFindings
from coordsupervise.programme import enrolments, people
from coordsupervise.scoring import rubrics
from coordsupervise.store.db import Database
from tests.browser.conftest import Server, login, wait_idle
from tests.conftest import DEMO_TODAY, actor_of

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
LINK = "[x](javascript:alert(1))"
REMOTE = "![](http://evil.example/x.png)"
# every other CommonMark way to write an image (a reference is defined on a line of its own)
IMAGE_FORMS = "\n\n".join([
    "![x][r1] ![r2][] ![r3] ![a\\]](http://evil.example/escaped.png) ![a](<http://evil.example/angle b.png>)",
    "[![in link](http://evil.example/inner.png)](https://ok.example/) <http://evil.example/auto.png>",
    "![hi!](x)[t](http://evil.example/bang.png) <img src=http://evil.example/raw.png>",
    "[r1]: http://evil.example/ref.png\n[r2]: http://evil.example/collapsed.png\n[r3]: http://evil.example/short.png"])
NAME_IMAGE = "![n](http://evil.example/name.png)"
LONG = "長" * 1500 + "x" * 1500                       # 3000 characters, no space anywhere
RTL = "\u202e確認済み\u202c ゼロ\u200b幅\u200d文字\ufeff"
NUL = "ヌル\x00文字"
EVERYTHING = " ".join([SCRIPT, IMG, LINK, REMOTE, RTL, NUL])
WIDTH = 1280
STREAMLIT_PROBES = ("/_stcore/health", "/_stcore/host-config")
REAL_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def _kept_or_refused(write, text: str):
    """Write `text`; a service that refuses the NUL byte (InvalidInput) gets the same text without it."""
    try:
        return write(text)
    except InvalidInput:
        return write(text.replace("\x00", ""))


def _free_day(db, enrolment_id):
    day = DEMO_TODAY - timedelta(days=1)
    while day.weekday() >= 5 or db.value("SELECT count(*) FROM reflection WHERE enrolment_id = ? AND "
                                         "practice_date = ?", [enrolment_id, day]):
        day -= timedelta(days=1)
    return day


def _seed(db: Database) -> dict:
    trainee, supervisor = actor_of(db, "demo-trainee"), actor_of(db, "demo-supervisor")
    manager, admin = actor_of(db, "demo-manager"), actor_of(db, "demo-admin")
    enrolment = enrolments.current_for_trainee(db, trainee)
    day = _free_day(db, enrolment.id)

    def reflect(text):
        body = reflections.ReflectionBody(goal=SCRIPT, event=text, feelings=LONG, keep_text=IMG, problem=LINK,
                                          analysis=REMOTE, insight=RTL, try_text=text, competencies=["C1"],
                                          self_rating=3)
        try:
            return reflections.submit(db, trainee, enrolment, day, body, 0, set(), DEMO_TODAY)
        except PrivacyFindings as findings:
            confirmed = {(f.kind, f.text) for f in findings.findings}
            return reflections.submit(db, trainee, enrolment, day, body, 0, confirmed, DEMO_TODAY)

    _kept_or_refused(reflect, EVERYTHING)
    reflection_id = db.value("SELECT id FROM reflection WHERE enrolment_id = ? AND practice_date = ?",
                             [enrolment.id, day])
    version = db.value("SELECT version FROM reflection WHERE id = ?", [reflection_id])
    thread = db.value("SELECT count(*) FROM feedback WHERE reflection_id = ?", [reflection_id])
    _kept_or_refused(lambda text: supervision.send_reply(db, supervisor, reflection_id, text + " " + LONG + "\n\n"
                                                         + IMAGE_FORMS, version, thread), EVERYTHING)
    supervision.add_note(db, supervisor, enrolment.id, IMAGE_FORMS)
    _kept_or_refused(lambda text: supervision.save_comment(db, supervisor, SCRIPT, text), EVERYTHING)
    _kept_or_refused(lambda text: people.update_person(db, admin, trainee.id, display_name=text, kana=None,
                                                       email=None, roles=("trainee",)),
                     NAME_IMAGE + IMG + "\u202e子花 中田" + NUL)
    # no screen renames an organisation (the roster import names it): written as the import would store it
    db.write(lambda tx: tx.execute("UPDATE organisation SET name = ? WHERE id = (SELECT organisation_id FROM "
                                   "enrolment WHERE id = ?)", [SCRIPT + IMG + NAME_IMAGE + "\u202e" + LONG[:200],
                                                               enrolment.id]))
    work = next(a for a in assignments.for_enrolment(db, trainee, enrolment, DEMO_TODAY)
                if a.kind == "scored" and a.state in ("not_started", "overdue", "draft", "revision_requested"))
    levels = {n: (IMG + LINK + LONG[:300], SCRIPT + REMOTE) for n in (1, 2, 3, 4)}   # descriptors: 400 at most
    rubric_id = rubrics.save(db, manager, work.rubric_id, SCRIPT, IMG, 3,
                             [rubrics.CriterionInput("C1", LINK + LONG[:300], REMOTE, 1.0, levels)])
    row = db.one("SELECT due_on, certification_critical, coalesce(moderation_rule, 'none'), "
                 "coalesce(moderation_pct, 10), coalesce(moderation_tolerance, 0) FROM assignment WHERE id = ?",
                 [work.id])
    rubrics.update_assignment(db, manager, work.id, rubric_id, *row)
    assignments.save_draft(db, trainee, enrolment, work.id,
                           EVERYTHING.replace("\x00", "") + " " + LONG + "\n\n" + IMAGE_FORMS)
    _kept_or_refused(lambda name: assignments.add_attachment(db, trainee, enrolment, work.id, name, REAL_PDF),
                     SCRIPT + "\u202efdp.exe" + IMG + NUL + ".pdf")
    version = db.value("SELECT max(version) FROM submission WHERE assignment_id = ? AND enrolment_id = ?",
                       [work.id, enrolment.id])
    assignments.submit(db, trainee, enrolment, work.id, version)
    submission = db.value("SELECT id FROM submission WHERE assignment_id = ? AND enrolment_id = ? AND version = ?",
                          [work.id, enrolment.id, version])
    cohort = db.value("SELECT c.code FROM cohort c WHERE c.id = ?", [enrolment.cohort_id])
    return {"day": day.isoformat(), "enrolment": enrolment.id, "code": work.code, "submission": submission,
            "cohort": cohort, "cohort_id": enrolment.cohort_id}


@pytest.fixture(scope="module")
def hostile(demo_template, tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")
    db_path = folder / "hostile.duckdb"
    shutil.copy(demo_template, db_path)
    db = Database(db_path)
    try:
        seeded = _seed(db)
    finally:
        db.close()
    server = Server(db_path, folder / "streamlit.log").wait_ready()
    yield server, seeded
    server.stop()


class Watch:
    """What a page did that hostile text must never make it do."""

    def __init__(self, page):
        self.dialogs, self.errors, self.elsewhere = [], [], []
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        page.on("console", self._console)
        page.on("response", self._response)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", self._request)

    def _console(self, message):
        # a failed load is reported with its address by the response listener
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(message.text)

    def _response(self, response):
        # Streamlit's frontend on a deep link (/inbox) first probes /inbox/_stcore/... for a base path, then the root
        if response.status >= 400 and not urlparse(response.url).path.endswith(STREAMLIT_PROBES):
            self.errors.append(f"{response.status} {response.url}")

    def _request(self, request):
        url = urlparse(request.url)
        if url.scheme in ("http", "https", "ws", "wss") and url.hostname != "127.0.0.1":
            self.elsewhere.append(request.url)


def _screen(page, watch, url: str, must_show: str) -> list[str]:
    page.goto(url)
    wait_idle(page)
    problems = []
    if must_show:
        # waited for, not read once: on a busy machine the cookie component's rerun can still be drawing the page
        try:
            expect(page.locator("[data-testid=stMain]")).to_contain_text(must_show, timeout=30_000)
        except AssertionError:
            problems.append(f"{url}: the hostile text is not shown as text ({must_show[:30]!r})")
    overflow = page.evaluate("() => { const m = document.querySelector('[data-testid=stMain]');"
                             " return [m.scrollWidth, window.innerWidth]; }")
    if overflow[0] > overflow[1]:
        problems.append(f"{url}: the main block is {overflow[0]} px wide in a {overflow[1]} px window")
    if page.locator("[data-testid=stMain] img[src='x'], [data-testid=stMain] script").count():
        problems.append(f"{url}: hostile markup became an element")
    if page.locator("[data-testid=stMain] a[href^='javascript']").count():
        problems.append(f"{url}: a javascript: link became a link")
    return problems


# must_show: a piece of the hostile text the screen shows as text (None where it sits in a table, which Streamlit
# draws on a canvas: there only the listeners and the layout are checked)
@pytest.mark.parametrize("username, screens", [
    ("demo-trainee", [("/reflection?day={day}", SCRIPT), ("/assignments?a={code}", "fdp.exe")]),
    ("demo-supervisor", [("/inbox?trainee={enrolment}", None), ("/trainee?e={enrolment}", "onerror"),
                         ("/scoring?s={submission}", "fdp.exe")]),
    ("demo-manager", [("/trainee?e={enrolment}", "onerror"), ("/cohort?cohort={cohort}", "onerror"),
                      ("/certification?cohort={cohort}&e={enrolment}", "onerror"), ("/register", None)]),
    ("demo-admin", [("/admin", None)]),
])
def test_hostile_text_is_inert_and_wraps(hostile, browser, username, screens):
    server, seeded = hostile
    context = browser.new_context(viewport={"width": WIDTH, "height": 900}, locale="ja-JP")
    try:
        page = context.new_page()
        watch = Watch(page)
        login(page, server.url, username, "/")
        problems = []
        for path, must_show in screens:
            problems += _screen(page, watch, server.url + path.format(**seeded), must_show)
        assert not problems, "\n".join(problems)
        assert not watch.dialogs, f"a dialog opened: {watch.dialogs}"
        assert not watch.elsewhere, f"requests to other hosts: {watch.elsewhere}"
        assert not watch.errors, f"console errors: {watch.errors}"
    finally:
        context.close()
