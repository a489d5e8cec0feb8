"""axe-core (the WCAG 2.0/2.1 A and AA rules, as shipped by axe-playwright-python) on every screen of routes.py as
every role that may open it, at 1280 and 390 px, in Japanese and in English, and in the open states people work in
(an open reflection, the scoring view, the certification evidence, an import preview, the login page): any serious or
critical finding fails, naming the rule, the element and the address. Each view also checks that `<html lang>` is
the reader's language.

Cost (docs/accessibility.md): one server per language (its accounts set to that language before it starts: what a
view writes, such as feedback marked as read, stays in its language's copy of the demo), one logged-in tab per
account, kept for the whole language; moving between screens goes through Streamlit's own history handling
(pushState + popstate, as the back button does) rather than a full page load. A view is read once the app is idle,
known rather than waited for: the app's websocket says no script runs and none is asked for, the page shows no
placeholder, CSS transitions are played to their end, and nothing has changed for a moment; a reading the page
changed under is taken again. Each view is read at the tab's current width first and then at the other, so a tab
changes width once per view; axe is injected once per document. With `COORDSUPERVISE_AXE_REPORT=<file>` every
finding of every impact is appended there as a JSON line (how the counts in docs/accessibility.md were taken)."""
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

from .conftest import FRESH_SERVER_KEY, Server, logged_in_context

LANGUAGES = ("ja", "en")
WIDTHS = (1280, 390)
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING = ("serious", "critical")
ACCOUNTS = {"trainee": "demo-trainee", "graduate": "demo-graduate", "supervisor": "demo-supervisor",
            "manager": "demo-manager", "admin": "demo-admin"}
AXE_SOURCE = Axe().axe_script
# Installed in every document before its own scripts. It reads the top level of the app's websocket messages
# (protobuf: BackMsg field 11 is rerun_script; ForwardMsg field 9 is session_status_changed, whose field 2 is
# script_is_running, left out when false) to know when a rerun was asked for and when the server last said no script
# runs; and it notes when the page last changed at all (a DOM mutation or a message).
MONITOR = """(() => {
    const seen = {requests: 0, asked: 0, idle: 0, running: false, changed: performance.now()};
    window.a11yMonitor = seen;
    const varint = (bytes, at) => {
        let value = 0, shift = 0, byte;
        do { byte = bytes[at.i++]; value += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80);
        return value;
    };
    const fields = (bytes) => {  // [field number, varint value or bytes] of one message's top level
        const out = [], at = {i: 0};
        while (at.i < bytes.length) {
            const tag = varint(bytes, at), kind = tag & 7;
            if (kind === 0) out.push([Math.floor(tag / 8), varint(bytes, at)]);
            else if (kind === 2) {
                const n = varint(bytes, at);
                out.push([Math.floor(tag / 8), bytes.subarray(at.i, at.i + n)]);
                at.i += n;
            }
            else if (kind === 1) at.i += 8;
            else if (kind === 5) at.i += 4;
            else break;
        }
        return out;
    };
    const view = (data) => data instanceof ArrayBuffer ? new Uint8Array(data)
        : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : null;
    const Native = window.WebSocket;
    window.WebSocket = class extends Native {
        constructor(...args) {
            super(...args);
            this.addEventListener('message', (event) => {
                const bytes = view(event.data);
                for (const [field, value] of bytes ? fields(bytes) : []) {
                    if (field !== 26) seen.changed = performance.now();  // 26: the answer to a heartbeat
                    if (field !== 9) continue;
                    seen.running = fields(value).some(([f, v]) => f === 2 && v === 1);
                    if (!seen.running) seen.idle = performance.now();
                }
            });
        }
        send(data) {
            const bytes = view(data);
            if (bytes && fields(bytes).some(([field]) => field === 11)) {
                seen.requests += 1;
                seen.asked = performance.now();
            }
            return super.send(data);
        }
    };
    new MutationObserver(() => { seen.changed = performance.now(); })
        .observe(document, {subtree: true, childList: true, characterData: true, attributes: true});
})()"""
# Resolves once the app is idle: the server said no script runs after the last rerun asked for, the page shows it
# as not running and holds no placeholder of an element still loading (stSkeleton) or left from the last run
# (data-stale), and nothing has changed for `quiet` ms, or for longer where a data grid is (glide draws its table
# for screen readers 200 ms after its last change). CSS transitions (the menu folding away when the width changes)
# are played to their end at once rather than waited for: the page reaches the same final state.
SETTLE = """async ([quiet, gridQuiet]) => {
    const seen = window.a11yMonitor, until = performance.now() + 30000;
    await document.fonts.ready;
    while (performance.now() < until) {
        let moving = false;
        for (const a of document.getAnimations()) {
            if (a.playState === 'running' && a.effect && a.effect.getComputedTiming().iterations !== Infinity) {
                a.finish();
                moving = true;
            }
        }
        await new Promise(resolve => requestAnimationFrame(resolve));
        const app = document.querySelector('[data-testid=stApp]');
        const wait = document.querySelector('canvas[data-testid=data-grid-canvas]') ? gridQuiet : quiet;
        if (!moving && !seen.running && seen.idle > seen.asked && app && app.dataset.testScriptState === 'notRunning'
            && !document.querySelector('[data-testid=stSkeleton], [data-stale=true]')
            && performance.now() - seen.changed >= wait)
            return {requests: seen.requests, changed: seen.changed};
    }
    return null;
}"""
QUIET_MS, GRID_QUIET_MS = 100, 300
# only what a report needs crosses back from the page: axe's full result holds every node's check data. iframes:
# false: the one frame (the login cookie's component, of no size) holds no axe, and asking it cost each run on the
# login page a few hundred ms of waiting; the <iframe> element itself is still checked (frame-title)
RUN_AXE = """async (tags) => {
    // heading-order is a best-practice rule, reported (moderate) but not failing
    const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations'],
                                            rules: {'heading-order': {enabled: true}}, iframes: false});
    return result.violations.map(v => ({rule: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 200),
                                  why: (n.failureSummary || '').slice(0, 300)}))}));
}"""
UNCHANGED = "(m) => window.a11yMonitor.requests === m.requests && window.a11yMonitor.changed === m.changed"


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


def settle(page) -> dict:
    """Wait until the app is idle and the page has stopped changing; returns the monitor's marks of that moment."""
    marks = page.evaluate(SETTLE, [QUIET_MS, GRID_QUIET_MS])
    assert marks is not None, f"{page.url} did not come to rest within 30 s (a script run or the page kept going)"
    return marks


def after_rerun(page, action, timeout: float = 30000) -> None:
    """Do `action`, see the page ask the server for the rerun it causes, and wait until the app is idle again."""
    asked = page.evaluate("() => window.a11yMonitor.requests")
    action()
    page.wait_for_function("(n) => window.a11yMonitor.requests > n", arg=asked, timeout=timeout)
    settle(page)


def go(page, address: str) -> None:
    """Open `address` in the same tab, as the browser's back/forward does: Streamlit reads it and reruns."""
    after_rerun(page, lambda: page.evaluate(
        "(a) => { history.pushState({}, '', a); window.dispatchEvent(new PopStateEvent('popstate', {state: {}})); }",
        address), timeout=15000)


class Site:
    """One server in one language, and one browser tab per account (and one logged out), kept open between views.
    A tab stays at the width it was last read at: each view is read at that width first, then at the other."""

    def __init__(self, browser, server: Server, language: str, report: str | None):
        self.browser, self.server, self.language, self.report = browser, server, language, report
        self.tabs: dict[str | None, object] = {}
        self.contexts: list = []

    def open(self, view: View, items: dict):
        address = view.address.format(**items)
        account = ACCOUNTS.get(view.role)
        page = self.tabs.get(account)
        if page is None:
            context = (logged_in_context(self.browser, self.server, account) if account
                       else self.browser.new_context())
            context.add_init_script(MONITOR)
            self.contexts.append(context)
            page = context.new_page()
            page.set_viewport_size({"width": WIDTHS[0], "height": 900})
            self.load(page, address, account)
            self.tabs[account] = page
        else:
            try:
                go(page, address)
            except PlaywrightTimeout:  # the page asked for no rerun: load the address as a bookmark would
                self.load(page, address, account)
        if account:
            assert page.url.split("?")[0].endswith(address.split("?")[0]), f"{address} opened {page.url}"
        return page

    def load(self, page, address: str, account: str | None) -> None:
        page.goto(self.server.url + address)
        # drawn, not merely connected: the menu once logged in (the cookie's own rerun comes first), the login form
        # otherwise
        page.locator("[data-testid=stSidebarNav]" if account else "[data-testid=stForm]").wait_for()
        settle(page)

    def read(self, page, view: View) -> dict[int, list[dict]]:
        """axe's findings at both widths, the tab's current width first. A reading during which the app ran or the
        page changed is taken again."""
        current = page.viewport_size["width"]
        found = {}
        for width in sorted(WIDTHS, key=lambda w: w != current):
            if width != current:
                page.set_viewport_size({"width": width, "height": 900})
            for _attempt in range(3):
                marks = settle(page)
                if not page.evaluate("() => typeof window.axe === 'object'"):
                    page.evaluate(AXE_SOURCE)
                found[width] = page.evaluate(RUN_AXE, TAGS)
                if page.evaluate(UNCHANGED, marks):
                    break
            else:
                raise AssertionError(f"{view.name} kept changing while axe read it at {width}px")
            if self.report:
                with open(self.report, "a", encoding="utf-8") as out:
                    for item in found[width]:
                        out.write(json.dumps({"language": self.language, "view": view.name, "width": width,
                                              **item}, ensure_ascii=False) + "\n")
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
    for width, found in site.read(page, view).items():
        for finding in found:
            if finding["impact"] in FAILING:
                problems += [f"{finding['rule']} ({finding['impact']}: {finding['help']}) at {address} {width}px: "
                             f"{node['target']} {node['html']} {node['why']}" for node in finding["nodes"]]
    lang = page.evaluate("() => document.documentElement.lang")
    if lang != site.language:
        problems.append(f"<html lang={lang!r}> at {address}, read in {site.language}")
    assert not problems, f"{len(problems)} problems on {view.name} ({site.language}):\n" + "\n".join(problems)
