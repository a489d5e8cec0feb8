"""Reflow (WCAG 2.1's 1.4.10, asked for beside JIS X 8341-3:2016 AA; docs/accessibility.md): the main screens of
each role at 320 px and at 1280 px zoomed to 200 % neither scroll the page sideways nor cut any text off.
Data grids, tables, charts and code are the exception WCAG allows (content that needs two dimensions): they may
scroll sideways inside themselves.

What is measured, in Chromium:
- the page does not scroll sideways: neither the document (`scrollWidth` of <html> against `innerWidth`) nor the box
  Streamlit 1.67 scrolls its screens in (`main[data-testid=stMain]`, overflow auto; <html> itself never scrolls);
- no text is cut off: every text on the screen lies inside each box around it that clips or scrolls it sideways
  (overflow other than visible), and inside each box that clips it at the bottom (overflow hidden or clip), outside
  the exceptions above and boxes of one pixel (text kept for screen readers only, as a skip link).

Zoom: Chromium zoomed to 200 % in a 1280 px window lays the page out in a viewport 640 CSS px wide, with two device
pixels to a CSS pixel; Playwright has no browser zoom, so the same is set directly (a viewport of 640 px, device scale
factor 2). CSS `zoom` on the page would not do: it leaves the viewport, and so Streamlit's breakpoints, at 1280 px.
The 320 px screen is a phone's, also drawn at 2 device pixels to a CSS pixel."""
from __future__ import annotations

import shutil

import pytest

from coordsupervise.store.db import Database

from .conftest import FRESH_SERVER_KEY, Server, logged_in_context, wait_idle

WIDTHS = {"320px": 320, "1280px at 200%": 640}
VIEWS = [  # (account, address): a few screens per role, the ones worked in most and the widest
    ("demo-trainee", "/reflection"), ("demo-trainee", "/assignments"), ("demo-trainee", "/library"),
    ("demo-supervisor", "/inbox"), ("demo-supervisor", "/scoring?s={submission}"),
    ("demo-manager", "/cohort"),
    ("demo-admin", "/setup"), ("demo-admin", "/admin"),
]
MEASURE = """() => {
    const main = document.querySelector('[data-testid=stMain]'), doc = document.documentElement;
    const EXEMPT = '[data-testid=stDataFrame], [data-testid=stTable], table, [data-testid=stPlotlyChart], ' +
                   '[data-testid=stCode], pre';
    const describe = (e) => e.tagName.toLowerCase() + (e.dataset.testid ? '[' + e.dataset.testid + ']' : '');
    const wide = [], cut = [];
    const right = main.getBoundingClientRect().right;
    for (const e of main.querySelectorAll('*')) {
        if (e.closest(EXEMPT)) continue;
        const r = e.getBoundingClientRect();
        if (r.width && r.right > right + 1) wide.push(describe(e) + ' reaches ' + Math.round(r.right) + 'px');
    }
    const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    while (walker.nextNode()) {
        const node = walker.currentNode, parent = node.parentElement;
        if (!node.nodeValue.trim() || parent.closest(EXEMPT)) continue;
        range.selectNodeContents(node);
        const rects = [...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0);
        if (!rects.length) continue;  // not drawn: a closed expander, another tab
        for (let box = parent; box; box = box.parentElement) {
            const s = getComputedStyle(box);
            const sideways = s.overflowX !== 'visible', clipped = ['hidden', 'clip'].includes(s.overflowY);
            if (sideways || clipped) {
                const b = box.getBoundingClientRect();
                if (b.width <= 2 || b.height <= 2) break;  // for screen readers only
                if (rects.some((r) => (sideways && (r.right > b.right + 1 || r.left < b.left - 1)) ||
                                      (clipped && (r.bottom > b.bottom + 1 || r.top < b.top - 1)))) {
                    cut.push('"' + node.nodeValue.trim().slice(0, 40) + '" in ' + describe(parent) + ', cut by ' +
                             describe(box) + ' (overflow ' + s.overflowX + ' ' + s.overflowY + ')');
                    break;
                }
            }
            if (box === main) break;
        }
    }
    return {page: doc.scrollWidth - innerWidth, main: main.scrollWidth - main.clientWidth,
            wide: wide.slice(0, 8), cut: cut.slice(0, 12)};
}"""


@pytest.fixture(scope="module")
def site(demo_template, tmp_path_factory):
    """A server on its own copy of the demo, and the submission the scoring view opens (read before it starts)."""
    db = Database(demo_template)
    try:
        submission = db.value(
            "SELECT s.id FROM submission s JOIN assignment a ON a.id = s.assignment_id JOIN enrolment e "
            "ON e.id = s.enrolment_id JOIN app_user u ON u.id = e.trainee_id "
            "WHERE u.username = 'demo-trainee' AND a.code = 'A2'")
    finally:
        db.close()
    folder = tmp_path_factory.mktemp("reflow")
    db_path = folder / "browser.duckdb"
    shutil.copy(demo_template, db_path)
    server = Server(db_path, folder / "streamlit.log", {"COORDSUPERVISE_COOKIE_KEY": FRESH_SERVER_KEY}).wait_ready()
    yield server, {"submission": submission}
    server.stop()


@pytest.mark.parametrize(("account", "address"), VIEWS, ids=[f"{a}{p.split('?')[0]}" for a, p in VIEWS])
def test_the_screen_reflows_without_sideways_scrolling_or_cut_text(browser, site, account, address):
    server, items = site
    context = logged_in_context(browser, server, account, viewport={"width": 320, "height": 720},
                                device_scale_factor=2, locale="ja-JP")
    try:
        page = context.new_page()
        page.goto(server.url + address.format(**items))
        page.locator("[data-testid=stSidebarNav]").wait_for(state="attached")
        wait_idle(page)
        problems = []
        for label, width in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": 720})
            page.wait_for_timeout(600)  # the layout, charts and grids settle to the width
            found = page.evaluate(MEASURE)
            if found["page"] > 1 or found["main"] > 1:
                problems.append(f"{label}: the page scrolls sideways by {max(found['page'], found['main'])} px; "
                                f"too wide: {found['wide']}")
            problems += [f"{label}: text cut off: {cut}" for cut in found["cut"]]
        assert not problems, f"{address} as {account}:\n" + "\n".join(problems)
    finally:
        context.close()
