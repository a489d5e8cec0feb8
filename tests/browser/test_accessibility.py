"""axe-core (the WCAG 2.0/2.1 A and AA rules, as shipped by axe-playwright-python) on every screen of routes.py as
every role that may open it, at 1280 and 390 px, in Japanese and in English, and in the open states people work in
(an open reflection, the scoring view, the certification evidence, an import preview, the login page): any serious or
critical finding fails, naming the rule, the element and the address. Each view also checks that `<html lang>` is
the reader's language.

Cost: one server per language (its accounts set to that language before it starts), one logged-in browser context
per account, kept for the whole language; moving between screens goes through Streamlit's own history handling
(pushState + popstate, as the back button does) rather than a full page load, and axe is injected once per document.
With `COORDSUPERVISE_AXE_REPORT=<file>` every finding of every impact is appended there as a JSON line (how the
counts in docs/accessibility.md were taken)."""
from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from coordsupervise.routes import ROUTES
from coordsupervise.store.db import Database

from .conftest import FRESH_SERVER_KEY, Server, logged_in_context, wait_idle

LANGUAGES = ("ja", "en")
WIDTHS = (1280, 390)
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING = ("serious", "critical")
ACCOUNTS = {"trainee": "demo-trainee", "graduate": "demo-graduate", "supervisor": "demo-supervisor",
            "manager": "demo-manager", "admin": "demo-admin"}
AXE_SOURCE = Axe().axe_script
# Counts the script runs of the page (Streamlit sets data-test-script-state on stApp): a view is read after its own
# run has started and ended, never from the page before it
COUNT_RUNS = """() => {
    if (window.a11yRuns === undefined) {
        const app = document.querySelector('[data-testid=stApp]');
        new MutationObserver(() => { if (app.dataset.testScriptState === 'running') window.a11yRuns += 1; })
            .observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
    }
    window.a11yRuns = 0;
}"""
# only what a report needs crosses back from the page: axe's full result holds every node's check data
RUN_AXE = """async (tags) => {
    // heading-order is a best-practice rule, reported (moderate) but not failing
    const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
                                            rules: {'heading-order': {enabled: true}}});
    return result.violations.map(v => ({rule: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 200),
                                  why: (n.failureSummary || '').slice(0, 300)}))}));
}"""


@dataclass(frozen=True)
class View:
    name: str
    role: str | None  # None: logged out
    address: str  # may name {placeholders} filled from the demo (`demo_items`)
    upload: str | None = None  # a file to put into the page's file uploader first


VIEWS = [View(f"{route.path}-as-{role}", role, f"/{route.path}") for route in ROUTES for role in route.roles] + [
    View("login", None, "/"),
    View("inbox-open-reflection", "supervisor", "/inbox?r={reflection}"),
    View("scoring-view", "supervisor", "/scoring?s={submission}"),
    View("certification-evidence", "manager", "/certification?cohort={finished_cohort}&e={graduate_enrolment}"),
    View("reflection-with-feedback", "trainee", "/reflection?day={feedback_day}"),
    View("progress-with-certificate", "graduate", "/progress"),
    View("imports-preview", "admin", "/imports?kind=roster", upload="roster.csv"),
]
# a roster with one good row and one row missing its name: the preview shows both kinds
ROSTER = "ログインID,氏名\r\na11y-new-1,点検 一郎\r\na11y-new-2,\r\n".encode("cp932")


@pytest.fixture(scope="session")
def demo_items(demo_template) -> dict:
    """The open states' items, read from the demo before any server opens its copy (one process per file)."""
    db = Database(demo_template)
    try:
        reflection, day = db.one(
            "SELECT r.id, r.practice_date FROM reflection r JOIN enrolment e ON e.id = r.enrolment_id "
            "JOIN app_user u ON u.id = e.trainee_id WHERE u.username = 'demo-trainee' AND r.status = 'submitted' "
            "AND EXISTS (SELECT 1 FROM feedback f WHERE f.reflection_id = r.id) ORDER BY r.practice_date DESC "
            "LIMIT 1")
        submission = db.value(
            "SELECT s.id FROM submission s JOIN assignment a ON a.id = s.assignment_id JOIN enrolment e "
            "ON e.id = s.enrolment_id JOIN app_user u ON u.id = e.trainee_id "
            "WHERE u.username = 'demo-trainee' AND a.code = 'A2'")
        cohort, enrolment = db.one(
            "SELECT c.code, e.id FROM cohort c JOIN enrolment e ON e.cohort_id = c.id JOIN app_user u "
            "ON u.id = e.trainee_id WHERE u.username = 'demo-graduate'")
    finally:
        db.close()
    return {"reflection": reflection, "feedback_day": day.isoformat(), "submission": submission,
            "finished_cohort": cohort, "graduate_enrolment": enrolment}


def after_rerun(page, action, timeout: float = 30000) -> None:
    """Do `action` and wait until the script run it caused has started and ended."""
    page.evaluate(COUNT_RUNS)
    action()
    page.wait_for_function("() => window.a11yRuns > 0", timeout=timeout)
    wait_idle(page)


class Site:
    """One server in one language, and one browser tab per account, kept open between views."""

    def __init__(self, browser, server: Server, language: str, report: str | None):
        self.browser, self.server, self.language, self.report = browser, server, language, report
        self.tabs: dict[str | None, object] = {}
        self.contexts: list = []

    def open(self, view: View, items: dict):
        address = view.address.format(**items)
        account = ACCOUNTS.get(view.role)
        page = self.tabs.get(account)
        if page is None or account is None:  # the login page always starts from a fresh, cookie-less browser
            context = (logged_in_context(self.browser, self.server, account) if account
                       else self.browser.new_context())
            self.contexts.append(context)
            page = context.new_page()
            page.set_viewport_size({"width": WIDTHS[0], "height": 900})
            page.goto(self.server.url + address)
            # drawn, not merely connected: the menu once logged in (the cookie's own rerun comes first), the
            # login form otherwise
            page.locator("[data-testid=stSidebarNav]" if account else "[data-testid=stForm]").wait_for()
            self.tabs[account] = page
        else:
            # within the same tab, as the browser's back/forward does: Streamlit reads the new address and reruns
            try:
                after_rerun(page, lambda: page.evaluate(
                    "(a) => { history.pushState({}, '', a); "
                    "window.dispatchEvent(new PopStateEvent('popstate', {state: {}})); }", address), timeout=15000)
            except PlaywrightTimeout:  # no run seen (a busy machine): load the address as a bookmark would
                page.goto(self.server.url + address)
                page.locator("[data-testid=stSidebarNav]").wait_for()
        wait_idle(page)
        if account:
            assert page.url.split("?")[0].endswith(address.split("?")[0]), f"{address} opened {page.url}"
        return page

    def findings(self, page, view: View, width: int) -> list[dict]:
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_timeout(400)  # the layout (columns, charts) settles to the new width
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(AXE_SOURCE)
        found = page.evaluate(RUN_AXE, TAGS)
        if self.report:
            with open(self.report, "a", encoding="utf-8") as out:
                for item in found:
                    out.write(json.dumps({"language": self.language, "view": view.name, "width": width, **item},
                                         ensure_ascii=False) + "\n")
        return found

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.fixture(scope="module", params=LANGUAGES)
def site(request, browser, demo_template, tmp_path_factory):
    """A server whose every account reads `language`, on its own copy of the demo."""
    language = request.param
    folder = tmp_path_factory.mktemp(f"a11y-{language}")
    db_path = folder / "browser.duckdb"
    shutil.copy(demo_template, db_path)
    db = Database(db_path)
    db.write(lambda tx: tx.execute("UPDATE app_user SET language = ?", [language]))
    db.close()
    server = Server(db_path, folder / "streamlit.log", {"COORDSUPERVISE_COOKIE_KEY": FRESH_SERVER_KEY}).wait_ready()
    site = Site(browser, server, language, os.environ.get("COORDSUPERVISE_AXE_REPORT"))
    yield site
    site.close()
    server.stop()


@pytest.mark.parametrize("view", VIEWS, ids=[v.name for v in VIEWS])
def test_no_serious_axe_findings_and_the_page_speaks_its_language(site, view, demo_items, tmp_path):
    page = site.open(view, demo_items)
    if view.role is None and site.language == "en":
        # a logged-out visitor picks the language on the page
        after_rerun(page, lambda: page.get_by_text("English", exact=True).click())
    if view.upload:
        (tmp_path / view.upload).write_bytes(ROSTER)
        after_rerun(page, lambda: page.locator("input[type=file]").set_input_files(tmp_path / view.upload))
        page.get_by_role("heading").filter(has_text=view.upload).wait_for()
    address = view.address.format(**demo_items)
    problems = []
    for width in WIDTHS:
        for finding in site.findings(page, view, width):
            if finding["impact"] in FAILING:
                problems += [f"{finding['rule']} ({finding['impact']}: {finding['help']}) at {address} {width}px: "
                             f"{node['target']} {node['html']} {node['why']}" for node in finding["nodes"]]
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    lang = page.evaluate("() => document.documentElement.lang")
    if lang != site.language:
        problems.append(f"<html lang={lang!r}> at {address}, read in {site.language}")
    assert not problems, f"{len(problems)} problems on {view.name} ({site.language}):\n" + "\n".join(problems)
