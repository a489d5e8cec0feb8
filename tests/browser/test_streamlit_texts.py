"""Streamlit's own words, and its data grids by keyboard (ui/accessibility.py, docs/accessibility.md), in Chromium.

Streamlit 1.67 writes its own labels in English whatever the page's language: the help buttons' "Help for <label>",
the date field's "start date" / "year, …" / "Choose date", the password box's "Show password", the file uploader's
"Upload" and "10MB per file", the menu's "App pages", the data grid's toolbar, the text box's "Press Enter to
apply". On screens read in Japanese none of these may remain, in what a screen reader reads (labels, placeholders,
values, descriptions) or in the text on the screen; read in English, they are Streamlit's English; a reader who
changes language hears the new one. A material icon never becomes part of a button's or link's name.

A data grid (st.dataframe) is two Tab stops, its toolbar and its cells: the arrow keys move within each, the focus
can be seen on both, and Shift+Space picks a row where the grid is selectable (the reflection inbox).

One server for the file, its accounts in Japanese except demo-manager (English), arriving logged in by cookie."""
from __future__ import annotations

import re
import shutil

import pytest
from playwright.sync_api import expect

from coordsupervise.i18n import translate
from coordsupervise.store.db import Database

from .conftest import FRESH_SERVER_KEY, Server, logged_in_context, wait_idle

# Streamlit 1.67's English as it reaches the page (a text or an attribute, whole)
STREAMLIT_ENGLISH = [re.compile(p) for p in (
    r"^Help for ", r"^Help$", r" (start|end) date$", r"^(year|month|day|hour|minute), ", r"^Empty$",
    r"^\d\d – [A-Z][a-z]+$", r"^Choose date", r"^Clear dates?$", r"^(Previous|Next) month$", r"^Use arrow keys",
    r"^Selected (Date|Range): ", r"^(Show|Hide) password$", r"^Clear entry$", r"^Press .+ to (apply|submit form)$",
    r"^Upload( directories)?$", r"^Add files$", r"^file upload$", r" per file$", r"^Drag and drop ", r"^Remove ",
    r"^(Sidebar|Collapse sidebar|Expand sidebar|App pages|Notifications|Close|view more|view less)$",
    r"^(Open|Choose an option|Choose options|Clear value|Clear all|Selected values|Decrement|Increment)$",
    r"^(Show/hide columns|Download as CSV|Search|Fullscreen|Close fullscreen|Add row|Delete row\(s\))$",
    r"^Link to heading$", r"^Skip to main content$", r"^(true|false)$")]
# what a reader meets: labels, placeholders, values and descriptions a screen reader reads (outside what is hidden
# from it), and every text of the page (a text on the screen, or one a description points to)
READ = """() => {
    const said = [];
    for (const e of document.querySelectorAll('[aria-label], [placeholder], [aria-valuetext], [title]')) {
        if (e.closest('[aria-hidden="true"]')) continue;
        for (const name of ['aria-label', 'placeholder', 'aria-valuetext', 'title']) {
            const value = e.getAttribute(name);
            if (value && value.trim()) said.push({where: name + ' of ' + e.tagName.toLowerCase() + '[' +
                (e.dataset.testid || e.getAttribute('role') || '') + ']', text: value.trim()});
        }
    }
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
        const node = walker.currentNode, parent = node.parentElement;
        if (!node.nodeValue.trim() || ['SCRIPT', 'STYLE', 'NOSCRIPT'].includes(parent.tagName)) continue;
        const owner = parent.closest('[data-testid]');
        said.push({where: 'text in ' + parent.tagName.toLowerCase() + (owner ? '[' + owner.dataset.testid + ']' : ''),
                   text: node.nodeValue.trim()});
    }
    return said;
}"""
# the material icons' names on the page (Streamlit's icon parameter, an expander's, an alert's, Markdown's)
ICONS = """() => [...new Set([...document.querySelectorAll(
    '[data-testid=stIconMaterial], [data-testid=stExpanderIcon], [data-testid=stAlertDynamicIcon], ' +
    '[data-testid=stMarkdownContainer] span[translate=no]')]
    .map((e) => e.textContent.trim()).filter((name) => /^[a-z_0-9]+$/.test(name)))]"""
NAMED = re.compile(r'- (button|link|tab|checkbox|radio|menuitem|combobox|textbox|spinbutton|group|region|'
                   r'heading|img|switch) "((?:[^"\\]|\\.)*)"')


def english_left(page) -> list[str]:
    found = page.evaluate(READ)
    return sorted({f"{item['where']}: {item['text']!r}" for item in found
                   if any(p.search(item["text"]) for p in STREAMLIT_ENGLISH)})


def names(page) -> list[str]:
    """The accessible names Chromium gives the page's controls, links, headings and regions."""
    return [m.group(2) for m in NAMED.finditer(page.locator("body").aria_snapshot())]


@pytest.fixture(scope="module")
def site(demo_template, tmp_path_factory):
    folder = tmp_path_factory.mktemp("streamlit-texts")
    db_path = folder / "browser.duckdb"
    shutil.copy(demo_template, db_path)
    db = Database(db_path)
    db.write(lambda tx: tx.execute("UPDATE app_user SET language = CASE WHEN username = 'demo-manager' THEN 'en' "
                                   "ELSE 'ja' END"))
    db.close()
    server = Server(db_path, folder / "streamlit.log", {"COORDSUPERVISE_COOKIE_KEY": FRESH_SERVER_KEY}).wait_ready()
    yield server
    server.stop()


@pytest.fixture
def visit(browser, site):
    """Opens an address as an account, logged in, at 1280 px, in a browser set to the account's language (the
    calendar's month and day names are the browser's: react-aria's); the tab is closed with the test."""
    contexts = []

    def visit(account: str, address: str):
        context = logged_in_context(browser, site, account, locale="en-US" if account == "demo-manager" else "ja-JP")
        contexts.append(context)
        page = context.new_page()
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(site.url + address)
        page.locator("[data-testid=stSidebarNav]").wait_for()
        wait_idle(page)
        return page

    yield visit
    for context in contexts:
        context.close()


def ja(key: str, **params) -> str:
    return translate("ja", key, **params)


def test_japanese_screens_keep_none_of_streamlits_english_and_icons_stay_out_of_names(visit, tmp_path):
    problems = []

    def look(page, where: str):
        problems.extend(f"{where}: {item}" for item in english_left(page))
        icons = page.evaluate(ICONS)
        for name in names(page):
            leaked = [icon for icon in icons if re.search(rf"(^|\s){re.escape(icon)}(\s|$)", name)]
            if leaked:
                problems.append(f"{where}: the name {name!r} holds the icon name {leaked}")

    # the inbox: help buttons beside the figures and filters, a date range, select boxes, the grid's toolbar
    page = visit("demo-supervisor", "/inbox")
    page.locator("summary").filter(has_text=ja("inbox.filters")).click()  # the filters: a date range and its parts
    wait_idle(page)
    look(page, "/inbox")
    help_button = page.locator("[data-testid=stTooltipIcon] button").first
    expect(help_button).to_have_attribute("aria-label", re.compile(r"^「.+」の説明$"))
    expect(page.locator("[data-testid=stDateInputCalendarButton]").first).to_have_attribute(
        "aria-label", ja("a11y_st.date_choose_range"))
    # the heading's link is neither a Tab stop nor read: a screen reader hears no "Link to heading"
    anchors = page.locator("[data-testid=stHeaderActionElements] a")
    assert anchors.count() > 0
    assert page.evaluate("() => [...document.querySelectorAll('[data-testid=stHeaderActionElements] a')]"
                         ".every((a) => a.tabIndex < 0)")
    assert not [name for name in names(page) if "Link to heading" in name or "見出し" in name]

    # the set-up screen: number boxes, dates of every stage, a single date with its calendar open, a text box
    # being typed in ("Press Enter to apply")
    page = visit("demo-admin", "/setup")
    page.locator("[data-testid=stDateInputCalendarButton] >> visible=true").last.click()
    page.locator("[data-testid=stDateInputCalendar]").wait_for()
    look(page, "/setup with a calendar open")
    page.keyboard.press("Escape")
    box = page.locator("[data-testid=stTextInputField]:not([disabled]) >> visible=true").first
    box.click()
    page.keyboard.type("x")
    page.locator("[data-testid=InputInstructions]").first.wait_for()
    look(page, "/setup while typing")

    # the import screen: the uploader, before and after a file is in it
    page = visit("demo-admin", "/imports?kind=roster")
    look(page, "/imports")
    roster = tmp_path / "roster.csv"
    roster.write_bytes("ログインID,氏名\r\ntexts-1,文字 一郎\r\n".encode("cp932"))
    page.locator("input[type=file]").set_input_files(roster)
    page.locator("[data-testid=stFileChip]").wait_for()
    wait_idle(page)
    look(page, "/imports with a file")
    expect(page.locator("[data-testid=stFileChipDeleteBtn] button")).to_have_attribute(
        "aria-label", ja("a11y_st.upload_remove", file="roster.csv"))

    # the account screen: password boxes with their show/hide toggle
    page = visit("demo-trainee", "/account")
    look(page, "/account")
    expect(page.locator("[data-testid=stTextInputRootElement] button").first).to_have_attribute(
        "aria-label", ja("a11y_st.password_show"))
    assert not problems, f"{len(problems)} English texts of Streamlit's left on Japanese screens:\n" + "\n".join(
        problems)


def test_english_screens_say_streamlits_english_and_a_change_of_language_is_followed(visit):
    page = visit("demo-manager", "/inbox")  # a manager is a supervisor too; this one reads English
    page.locator("summary").filter(has_text=translate("en", "inbox.filters")).click()
    wait_idle(page)
    expect(page.locator("[data-testid=stTooltipIcon] button").first).to_have_attribute(
        "aria-label", re.compile(r"^Help for [A-Za-z]"))
    expect(page.locator("[data-testid=stDateInputCalendarButton]").first).to_have_attribute(
        "aria-label", "Choose date range")
    expect(page.locator("[data-testid=stDateInput] [role=group]").first).to_have_attribute(
        "aria-label", re.compile(r" start date$"))
    expect(page.locator("nav[data-testid=stSidebarNav]")).to_have_attribute("aria-label", "App pages")

    # a reader who picks English on /account hears English at once, the labels Streamlit wrote once included
    page = visit("demo-trainee", "/account")
    toggle = page.locator("[data-testid=stTextInputRootElement] button").first
    expect(toggle).to_have_attribute("aria-label", ja("a11y_st.password_show"))
    page.get_by_text("English", exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(toggle).to_have_attribute("aria-label", "Show password")
    expect(page.locator("nav[data-testid=stSidebarNav]")).to_have_attribute("aria-label", "App pages")


# which element has the focus, and where it stands to the first data grid of the page
WHERE = """() => {
    const e = document.activeElement, frame = document.querySelector('[data-testid=stDataFrame]');
    const grid = frame.querySelector('[data-testid=stDataFrameResizable]');
    const bar = frame.querySelector('[data-testid=stElementToolbar]');
    const seen = (n) => {
        const s = getComputedStyle(n);
        return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
    };
    return {
        toolbar: bar.contains(e), button: bar.contains(e) ? e.getAttribute('aria-label') : null,
        toolbarShown: getComputedStyle(bar).opacity === '1' && seen(e),
        grid: grid.contains(e), cell: grid.contains(e) ? e.id : null, gridOutlined: seen(grid),
        after: !frame.contains(e) && !!(frame.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING),
        before: !frame.contains(e) && !!(frame.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_PRECEDING),
    };
}"""
# the focus on the last Tab stop before the page's first data grid
FOCUS_BEFORE_GRID = """() => {
    const frame = document.querySelector('[data-testid=stDataFrame]');
    const stops = [...document.querySelectorAll('a[href], button, input, select, textarea, summary, [tabindex]')]
        .filter((e) => e.tabIndex >= 0 && !e.disabled && e.getClientRects().length &&
                       (frame.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_PRECEDING));
    stops.at(-1).setAttribute('data-before-grid', '');
    stops.at(-1).focus();
}"""


def focus_before_grid(page) -> None:
    """The focus on the last stop before the grid, and kept there: a screen's first visit moves the focus to its
    title once (ui/scroll.py), which may come after a first try."""
    for _ in range(3):
        page.evaluate(FOCUS_BEFORE_GRID)
        page.wait_for_timeout(400)
        if page.evaluate("() => document.activeElement.hasAttribute('data-before-grid')"):
            return
    raise AssertionError("the focus did not stay on the stop before the grid")


@pytest.mark.parametrize(("account", "address"), [("demo-supervisor", "/inbox"), ("demo-admin", "/admin")])
def test_a_data_grid_is_one_tab_stop_after_its_toolbar_and_its_cells_are_the_arrow_keys(visit, account, address):
    page = visit(account, address)
    page.locator("[data-testid=stDataFrame] canvas").first.wait_for()  # drawn once its rows have arrived
    focus_before_grid(page)
    page.keyboard.press("Tab")
    where = page.evaluate(WHERE)
    assert where["toolbar"] and where["toolbarShown"], f"the toolbar, shown, with its focus seen: {where}"
    first = where["button"]
    page.keyboard.press("ArrowRight")
    where = page.evaluate(WHERE)
    assert where["toolbar"] and where["button"] != first, f"the arrow keys move within the toolbar: {where}"
    second = where["button"]

    page.keyboard.press("Tab")
    # glide hands the focus on to the cell it selects (a cell of its table for screen readers)
    page.wait_for_function("() => document.activeElement.id.startsWith('glide-cell-')")
    where = page.evaluate(WHERE)
    assert where["grid"] and where["gridOutlined"], f"one Tab from the toolbar: the grid, outlined: {where}"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("(cell) => document.activeElement.id.startsWith('glide-cell-') && "
                           "document.activeElement.id !== cell", arg=where["cell"])

    page.keyboard.press("Tab")
    assert page.evaluate(WHERE)["after"], "one Tab leaves the grid for what follows it"
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(WHERE)["grid"], "Shift+Tab comes back into the grid"
    page.keyboard.press("Shift+Tab")
    where = page.evaluate(WHERE)
    assert where["toolbar"] and where["button"] == second, f"…and to the toolbar's button last used: {where}"

    if account == "demo-supervisor":
        # the inbox's list picks a row as glide does it: Shift+Space on a cell opens that reflection
        page.keyboard.press("Tab")
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Shift+Space")
        page.wait_for_url(re.compile(r"/inbox\?(.*&)?r=\d+"))
