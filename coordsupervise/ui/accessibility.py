"""What Streamlit's own markup lacks for JIS X 8341-3:2016 level AA (= WCAG 2.0 AA), supplied on every run by the
router (app.py), the login page included. See docs/accessibility.md.

Checked against Streamlit 1.67.0 (pinned in requirements.txt) and its markup; tests/browser/test_accessibility.py
(axe-core on every screen), test_streamlit_texts.py (Streamlit's words, the data grids by keyboard) and
test_reflow.py fail when an upgrade changes what this answers:

- `<html lang>`: Streamlit's index.html says `lang="en"` and has no setting for it, so a screen reader read our
  Japanese with English rules. A small script sets `document.documentElement.lang` to the reader's language.
  `st.html(..., unsafe_allow_javascript=True)` runs it in the app's own document (not an iframe); Streamlit keeps
  an unchanged element between reruns, so it runs again only when the language changes. Its element container is
  hidden by CSS (`:has`), so it takes no room. Nothing here ever holds user text.
- The menu: `st.navigation` with sections renders `<ul data-testid="stSidebarNavItems">` whose children are one
  `<div>` per section holding a `<header data-testid="stNavSectionHeader">` and that section's `<li>`s (axe `list`
  and `listitem`: a list may hold only items, an item must sit in a list). The script gives the `<ul>` role `none`,
  each section `<div>` role `group` named by its header, and each `<li>` role `none`, so a screen reader hears
  "navigation, group 指導者, link 振り返り受信箱, ...". The header collapses its section on a mouse click only; its
  name becomes a button (Tab, Enter, Space) with `aria-expanded`. A MutationObserver re-applies this whenever React
  redraws the menu (a section collapsed and opened again gets new `<li>`s).
- Headings: a page's `st.title` is an h1 and its `st.subheader`s h3 (Streamlit's sizes), so a screen reader heard
  the outline jump from 1 to 3 (axe `heading-order`). Each shown heading gets `aria-level` at most one deeper than
  the heading before it; how it looks does not change.
- Digits pick a level: in a group of numbered choices (the rubric's levels 4 to 1 on /scoring and /moderation,
  `ui/scoring.level_picker`; the 1-4 self-rating on /reflection) a digit picks the choice with that number. Tab
  reaches such a group once (the browser's rule for radios of one name; a segmented control's one stop), and the
  arrow keys move within it; the digit is the shortcut of keyboard-first grading.
- Streamlit's own "Skip to main content" link (first in the tab order, WCAG 2.4.1) speaks the reader's language.
- Visible focus (WCAG 2.4.7): Streamlit's rings are faint or missing on the menu's links, text boxes (a 1 px
  border turning red) and radios and check boxes (the ring sits on a visually hidden input): one blue outline on
  `:focus-visible`, drawn on the box around a text field and on the label of a radio or check box. The login
  cookie's component is an iframe of no size that Tab stopped at: it gets tabindex -1.
- Captions: Streamlit 1.67 fades `st.caption` with `opacity: 0.6` on `[data-testid="stCaptionContainer"]`, so a
  link or a code span inside one drops below 4.5:1 (a link #244fb4 became #7c95d2, 3:1). Captions get a grey of
  their own instead (#5c5b58: 6.8:1 on white, 6.0:1 on the widgets' grey), and what they hold keeps its colour.

- Streamlit's own words: 1.67 writes its labels in English (react-aria's date field even with a fixed `en-US`),
  whatever the page's language. The script rewrites each where Streamlit puts it, from the reader's catalogue
  (`a11y_streamlit.json`, passed in as JSON like the skip link's words; never user text), and only when the text
  is exactly Streamlit's English or its pattern; it keeps what Streamlit said, so a change of language and React
  writing the English again are both followed (the MutationObserver watches `aria-label`, `placeholder`,
  `aria-valuetext` and texts too). The rules (`RULES` in the script), by markup:
  help buttons `[data-testid=stTooltipIcon] button` "Help for <label>"; the date field `[data-testid=stDateInput]`:
  its groups "<label> start date"/"end date", its segments `[role=spinbutton]` "year, <field>" with the value text
  "Empty" and a month's "11 – November", the buttons `stDateInputCalendarButton`/`stDateInputClearButton`
  ("Choose date", "Choose date range", "Clear date"), the calendar `[data-testid=stDateInputCalendar]` (its name,
  "Previous month"/"Next month", its hidden heading and key instructions) and react-aria's descriptions
  `body > div[id^=react-aria-description]` "Selected Date: December 07, 2026" (the date rewritten the reader's
  way); the password box's toggle `[data-testid=stTextInputRootElement] button` "Show password"/"Hide password";
  `[data-testid=InputInstructions]` "Press Enter to apply"; the file uploader `[data-testid=stFileUploader]`
  (its hidden input "file upload", the "Upload" button, `stFileUploaderDropzoneInstructions` "10MB per file",
  "Drag and drop …", a file chip's "Remove <file>" and "Add files"); select boxes' "Open", "Choose an option",
  "Clear all", "Remove <item>"; number boxes' "Decrement"/"Increment"; the sidebar, its collapse/expand buttons
  and the menu's `nav` ("Sidebar", "App pages"); the element toolbar's buttons and their tooltips
  (`[data-testid=stTooltipContent]`) "Download as CSV", …; toasts' "Close"; a data grid's boolean cells
  "true"/"false" in glide's table for screen readers (`canvas[data-testid=data-grid-canvas] td`). The calendar's
  month and day names are react-aria's in the browser's own language (`navigator.language`), as is a date in it.
  Icons: 1.67 hides the icon of every `icon=` parameter (`span[data-testid=stIconMaterial][aria-hidden=true]`),
  so a button's name is its words; an icon written into Markdown (`:material/error:` becomes
  `span[role=img][translate=no]` named "error icon") is hidden too, since words beside it say the same.
- Heading links: every heading carries a link to itself (`[data-testid=stHeaderActionElements] > a`, "Link to
  heading"), a Tab stop after each heading that a keyboard user cannot see until it has the focus and a screen
  reader announces after every heading. It only points the address at a heading of the screen the person is on, and
  our screens' bookmarks are their addresses with query parameters: so it leaves the tab order and the screen
  reader's reading (tabindex -1, aria-hidden) rather than being translated; a mouse still finds it.
- Data grids (`st.dataframe`, `st.data_editor`: glide-data-grid drawn on `canvas[data-testid=data-grid-canvas]`
  inside `[data-testid=stDataFrameResizable]`): a grid of nine columns was fourteen Tab stops, each unseen: the
  toolbar's four buttons (`[data-testid=stElementToolbar]`, shown only under a mouse), then glide's Tab from cell to
  cell along the first row (the focus on cells of its hidden table, of no size), then its scrolling box
  `div.dvn-scroller` (Chromium stops at a scrollable box). Now the toolbar is one stop (role toolbar, the arrow keys
  between its buttons, shown while it holds the focus) and the grid another: the script takes Tab and Shift+Tab
  from the canvas to the next stop outside the grid, and the scroller leaves the tab order. Within the grid glide's
  own keys: the arrows, Enter to edit a cell, Shift+Space to pick a row (opens a reflection in the inbox's list).
  The grid is outlined while the focus is in it; glide marks the cell.
- Reflow (WCAG 1.4.10): a `st.page_link`'s label is one line cut with "…" (`white-space: nowrap` in 1.67), so at
  320 px a library case's title lost its end; it wraps instead. So do the file uploader's instructions
  (`[data-testid=stFileUploaderDropzoneInstructions] span`, nowrap and "…" in 1.67: the list of file types lost
  its end at 320 px), and a `st.metric`'s label (`[data-testid=stMetricLabel] .stMarkdownEllipsis`: /scoring's
  "あなたが第二評価する件数" lost its end even at 1280 px).
  A row of tabs wraps too, rather than hiding the last tabs behind a sideways scroll.

Other muted text and the primary colour's contrast are set by the theme: `.streamlit/config.toml`."""
from __future__ import annotations

import hashlib
import json
from functools import cache

import plotly.graph_objects as go
import streamlit as st

from ..dashboards.vega import Chart as VegaChart
from ..i18n import DEFAULT_LANGUAGE, LANGUAGES, catalogue, translate
from .figures import figure_table  # each chart's table built once per figure (figures.py)
from .runtime import language, once_per_run, t

MARKER = "coordsupervise-a11y"
_WORDS = "a11y_st."  # the catalogue's keys (a11y_streamlit.json) for Streamlit's own English, by the script's names
TABLE_ROWS = 100  # a chart's table shows this many rows at most: the page stays light

# the boxes around text fields and select boxes (1.67's markup): their own edge shows the ring, since the field
# inside is clipped by them
_FIELDS = ('[data-testid="stTextInputRootElement"], [data-testid="stTextAreaRootElement"], '
           '[data-testid="stNumberInputContainer"], [data-testid="stSelectbox"] [role="group"], '
           '[data-testid="stMultiSelect"] [role="group"]')
_CSS = """
[data-testid="stElementContainer"]:has(script[data-marker="%(marker)s"]) { display: none; }
:focus-visible { outline: 2px solid #1d4ed8 !important; outline-offset: 2px; }
:is(%(fields)s):has(:focus-visible) { outline: 2px solid #1d4ed8; outline-offset: 2px; }
:is(%(fields)s) :focus-visible { outline: none !important; }
#stMain:focus-visible { outline-offset: -4px; }
label:has(input[type="radio"]:focus-visible, input[type="checkbox"]:focus-visible) {
  outline: 2px solid #1d4ed8; outline-offset: 2px; border-radius: 0.25rem; }
[data-testid="stCaptionContainer"] { opacity: 1; color: #5c5b58; }
[data-testid="stPageLink-NavLink"] span:has(> [data-testid="stMarkdownContainer"]),
[data-testid="stPageLink-NavLink"] [data-testid="stMarkdownContainer"] * { white-space: normal; overflow: visible; }
[data-testid="stTabs"] [role="tablist"] { flex-wrap: wrap; }
[data-testid="stFileUploaderDropzoneInstructions"] span { white-space: normal; overflow: visible; }
[data-testid="stMetricLabel"] .stMarkdownEllipsis,
[data-testid="stMetricLabel"] .stMarkdownEllipsis * { white-space: normal; overflow: visible; }
[data-testid="stElementToolbar"]:focus-within { opacity: 1 !important; }
[data-testid="stDataFrameResizable"]:has(canvas:focus-within) { outline: 2px solid #1d4ed8; outline-offset: 2px; }
"""

_SCRIPT = r"""
(() => {
  const language = %(language)s, skipText = %(skip)s, marker = "%(marker)s";
  document.documentElement.lang = language;
  window[marker + "-skip"] = skipText;
  // the reader's words for Streamlit's own English (i18n a11y_streamlit.json; constant text, never user text)
  window[marker + "-words"] = %(words)s;
  const skip = document.querySelector('a[data-testid="stSkipToContent"]');
  if (skip) skip.textContent = skipText;
  if (window[marker]) return;
  window[marker] = true;

  const toggle = (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      event.currentTarget.closest("header").click();
    }
  };
  const set = (element, name, value) => {
    if (element.getAttribute(name) !== value) element.setAttribute(name, value);
  };
  // ---- Streamlit's own English, in the reader's words. Each rule below names the 1.67 markup it answers; a text
  // is replaced only when it is exactly Streamlit's English (or its pattern), and what Streamlit said is kept, so a
  // change of language, or React writing the English again, is followed.
  const said = new WeakMap();  // element or text node -> {attribute or "text": [Streamlit's English, ours]}
  const fill = (name, values) => {
    const words = window[marker + "-words"] || {};
    if (!Object.hasOwn(words, name)) return null;
    return Object.entries(values || {}).reduce((text, [key, value]) => text.split("{" + key + "}").join(value),
                                               words[name]);
  };
  const exact = (table) => (english) => (Object.hasOwn(table, english) ? fill(table[english]) : null);
  const either = (...ways) => (english) => {
    for (const way of ways) { const ours = way(english); if (ours !== null) return ours; }
    return null;
  };
  const pattern = (regex, make) => (english) => { const m = regex.exec(english); return m ? make(m) : null; };
  const HELP = either(pattern(/^Help for ([\s\S]+)$/, (m) => fill("help_for", {label: m[1]})), exact({Help: "help"}));
  const DATE_FIELD = pattern(/^([\s\S]*) (start|end) date$/, (m) => fill("date_" + m[2], {label: m[1]}));
  const DATE_PART = pattern(/^(year|month|day|hour|minute), ([\s\S]*)$/,
                            (m) => fill("date_part", {part: fill("date_" + m[1]), field: DATE_FIELD(m[2]) ?? m[2]}));
  const DATE_WORDS = {"Choose date": "date_choose", "Choose date range": "date_choose_range",
    "Clear date": "date_clear", "Clear dates": "date_clear_range", "Previous month": "date_previous_month",
    "Next month": "date_next_month", "Quick select a date range": "date_quick_select",
    "Use arrow keys to navigate dates. Enter to select. Escape to close.": "date_calendar_keys"};
  const CALENDAR = either(exact(DATE_WORDS), pattern(/^(Choose date(?: range)?), ([\s\S]+)$/, (m) => fill(
    "date_calendar_month", {title: fill(DATE_WORDS[m[1]]), month: m[2]})));
  const day = (english) => {  // "December 07, 2026" (react-aria, en-US) in the reader's way of writing a date
    const parsed = new Date(english);
    return Number.isNaN(parsed.getTime()) ? english
      : new Intl.DateTimeFormat(document.documentElement.lang, {dateStyle: "long"}).format(parsed);
  };
  const SELECTED = either(
    pattern(/^Selected Date: (.+)$/, (m) => fill("date_selected", {date: day(m[1])})),
    pattern(/^Selected Range: (.+) to (.+)$/, (m) => fill("date_selected_range", {start: day(m[1]), end: day(m[2])})));
  // a month's value, "11 – November": the month's name in the reader's language ("11月")
  const MONTH = pattern(/^(\d{1,2}) – (\p{L}+)$/u, (m) => {
    const name = new Intl.DateTimeFormat(document.documentElement.lang, {month: "long"}).format(
      new Date(2000, Number(m[1]) - 1, 1));
    return name.includes(String(Number(m[1]))) ? name : m[1] + " – " + name;
  });
  const INSTRUCTION = pattern(/^Press (.+) to (apply|submit form)$/,
                              (m) => fill(m[2] === "apply" ? "input_apply" : "input_submit", {keys: m[1]}));
  const UPLOAD = either(exact({"Upload": "upload", "Upload directories": "upload_directories",
    "Add files": "upload_add", "file upload": "upload_input", "Drag and drop a file here": "upload_drop_one",
    "Drag and drop files here": "upload_drop_many", "Drag and drop directories here": "upload_drop_directories"}),
    pattern(/^(\S+) per file$/, (m) => fill("upload_limit", {size: m[1]})),
    pattern(/^Remove ([\s\S]+)$/, (m) => fill("upload_remove", {file: m[1]})));
  const SELECT = either(exact({"Open": "select_open", "Choose an option": "select_placeholder",
    "Choose options": "multiselect_placeholder", "Clear value": "select_clear", "Clear all": "select_clear_all",
    "Selected values": "select_values"}), pattern(/^Remove ([\s\S]+)$/, (m) => fill("select_remove", {item: m[1]})));
  const TOOLBAR_WORDS = exact({"Show/hide columns": "grid_columns", "Download as CSV": "grid_download",
    "Search": "grid_search", "Add row": "grid_add_row", "Delete row(s)": "grid_delete_rows",
    "Fullscreen": "fullscreen", "Close fullscreen": "fullscreen_close"});
  const OTHER = exact({"Close": "close", "view more": "toast_more", "view less": "toast_less",
    "Scroll tabs left": "tabs_left", "Scroll tabs right": "tabs_right", "Sidebar": "sidebar",
    "Collapse sidebar": "sidebar_collapse", "Expand sidebar": "sidebar_expand", "App pages": "pages",
    "Notifications": "notifications"});
  // [where (Streamlit 1.67's markup), what ("text": the element's own text nodes), how]
  const RULES = [
    ['[data-testid="stTooltipIcon"] button', "aria-label", HELP],
    ['[data-testid="stDateInput"] [role="group"]', "aria-label", DATE_FIELD],
    ['[data-testid="stDateInput"] [role="spinbutton"]', "aria-label", DATE_PART],
    ['[data-testid="stDateInput"] [role="spinbutton"]', "aria-valuetext", either(exact({Empty: "date_empty"}), MONTH)],
    ['[data-testid="stDateInput"] button, [data-testid="stDateInputCalendar"], ' +
     '[data-testid="stDateInputCalendar"] [aria-label]', "aria-label", CALENDAR],
    ['[data-testid="stDateInputCalendar"] h2, [data-testid="stDateInputCalendar"] > span', "text", CALENDAR],
    ['body > div[id^="react-aria-description"]', "text", SELECTED],
    ['[data-testid="stTextInputRootElement"] button', "aria-label",
     exact({"Show password": "password_show", "Hide password": "password_hide", "Clear entry": "clear_entry"})],
    ['[data-testid="InputInstructions"] *', "text", INSTRUCTION],
    ['[data-testid="stFileUploader"] input, [data-testid="stFileUploader"] button', "aria-label", UPLOAD],
    ['[data-testid="stFileUploaderDropzone"] :not([data-testid="stFileChips"], [data-testid="stFileChips"] *)',
     "text", UPLOAD],
    ['[data-testid="stSelectbox"] button, [data-testid="stMultiSelect"] button, ' +
     '[data-testid="stMultiSelect"] [aria-label]', "aria-label", SELECT],
    ['[data-testid="stSelectbox"] input, [data-testid="stMultiSelect"] input', "placeholder", SELECT],
    ['[data-testid="stNumberInput"] button', "aria-label",
     exact({Decrement: "number_down", Increment: "number_up", "Clear value": "select_clear"})],
    ['[data-testid="stElementToolbar"] button', "aria-label", TOOLBAR_WORDS],
    ['[data-testid="stTooltipContent"] [data-testid="stMarkdownContainer"] > p', "text", TOOLBAR_WORDS],
    ['section[data-testid="stSidebar"], [data-testid="stSidebarCollapseButton"] button, ' +
     '[data-testid="stExpandSidebarButton"], nav[data-testid="stSidebarNav"], [data-testid="stToastContainer"], ' +
     '[data-testid="stToast"] button, ' +
     '[data-testid="stTabs"] button', "aria-label", OTHER],
    ['[data-testid="stToastViewButton"]', "text", OTHER],
    ['canvas[data-testid="data-grid-canvas"] td', "text", exact({"true": "grid_true", "false": "grid_false"})],
  ];
  const redo = (target, slot, now, write, how) => {
    if (now === null) return;
    const memo = said.get(target) || {};
    const english = memo[slot] && memo[slot][1] === now ? memo[slot][0] : now;
    const ours = how(english);
    if (ours === null) return;
    memo[slot] = [english, ours];
    said.set(target, memo);
    if (ours !== now) write(ours);
  };
  const speak = () => {
    for (const [where, what, how] of RULES) {
      for (const element of document.querySelectorAll(where)) {
        if (what !== "text") {
          redo(element, what, element.getAttribute(what), (value) => element.setAttribute(what, value), how);
          continue;
        }
        for (const node of element.childNodes) {
          if (node.nodeType === Node.TEXT_NODE && node.nodeValue.trim()) {
            redo(node, what, node.nodeValue, (value) => { node.nodeValue = value; }, how);
          }
        }
      }
    }
    // a material icon written in Markdown (":material/error: 必須", 1.67: span[role=img][translate=no] named
    // "error icon") sits beside the words that say the same: hidden from a screen reader, as Streamlit's icon
    // parameter already hides its own (span[data-testid=stIconMaterial][aria-hidden=true])
    for (const icon of document.querySelectorAll('[data-testid="stMarkdownContainer"] span[role="img"][translate]')) {
      if (icon.getAttribute("translate") === "no") set(icon, "aria-hidden", "true");
    }
    // the link beside every heading (1.67: [data-testid=stHeaderActionElements] > a[href^="#"], "Link to heading")
    // leaves the tab order and the screen reader's reading: a Tab stop after every heading that only points the
    // address at a heading of the screen the person is already on (the screens' own addresses are the bookmarks);
    // a mouse still finds it beside the heading
    for (const anchor of document.querySelectorAll('[data-testid="stHeaderActionElements"] > a[href^="#"]')) {
      set(anchor, "tabindex", "-1");
      set(anchor, "aria-hidden", "true");
    }
  };
  // ---- data grids (st.dataframe, st.data_editor: glide-data-grid drawn on a canvas): one Tab stop for the grid,
  // one for its toolbar
  const TOOLBAR = '[data-testid="stElementToolbar"]';
  const GRID = '[data-testid="stDataFrameResizable"]';
  const grids = () => {
    // glide's scrolling box (div.dvn-scroller) is a Tab stop of its own in Chromium (a scrollable box with no
    // focusable child it knows of); the grid scrolls with its own arrow keys
    for (const scroller of document.querySelectorAll(GRID + " .dvn-scroller")) set(scroller, "tabindex", "-1");
    // the toolbar's buttons (columns, download, search, fullscreen) were one stop each, shown only under a mouse:
    // a toolbar (WAI-ARIA) reached once, the arrow keys move between its buttons
    for (const bar of document.querySelectorAll(TOOLBAR)) {
      const buttons = [...bar.querySelectorAll("button")];
      if (!buttons.length) continue;
      set(bar, "role", "toolbar");
      set(bar, "aria-label", fill("toolbar") || "Toolbar");
      const current = buttons.find((button) => button.dataset.roving === "current") || buttons[0];
      for (const button of buttons) set(button, "tabindex", button === current ? "0" : "-1");
    }
  };
  const TABBABLE = 'a[href], button, input, select, textarea, summary, iframe, [tabindex], [contenteditable="true"]';
  const beyond = (grid, back) => {  // the next (previous) Tab stop outside the grid, in document order
    const stops = [...document.querySelectorAll(TABBABLE)].filter((element) =>
      element.tabIndex >= 0 && !element.disabled && !grid.contains(element) && !element.closest("[inert]") &&
      element.getClientRects().length && getComputedStyle(element).visibility !== "hidden" &&
      !(element.type === "radio" && !element.checked && element.name && document.querySelector(
        'input[type="radio"][name="' + CSS.escape(element.name) + '"]:checked')));
    const after = stops.filter((element) => grid.compareDocumentPosition(element) & Node.DOCUMENT_POSITION_FOLLOWING);
    const before = stops.filter((element) => !after.includes(element));
    return back ? before.at(-1) || after.at(-1) : after[0] || before[0];
  };
  document.addEventListener("keydown", (event) => {
    const focused = document.activeElement;
    if (!focused || event.altKey || event.ctrlKey || event.metaKey) return;
    const bar = focused.closest(TOOLBAR);
    const step = {ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1, Home: "first", End: "last"}[event.key];
    if (bar && step !== undefined && focused.tagName === "BUTTON") {
      const buttons = [...bar.querySelectorAll("button")].filter((button) => !button.disabled);
      const at = buttons.indexOf(focused);
      const next = step === "first" ? 0 : step === "last" ? buttons.length - 1
        : (at + step + buttons.length) %% buttons.length;
      event.preventDefault();
      buttons[next].focus();
      return;
    }
    // glide takes Tab to move to the next cell, one stop per column: Tab leaves the grid instead (its cells are
    // the arrow keys', as in any grid); the canvas itself is the one stop
    const grid = focused.closest(GRID);
    if (event.key !== "Tab" || !grid || !(focused.closest("canvas") || focused.matches(".dvn-scroller"))) return;
    const target = beyond(grid, event.shiftKey);
    if (!target) return;
    event.preventDefault();
    event.stopPropagation();
    target.focus();
  }, true);
  document.addEventListener("focusin", (event) => {
    const button = event.target.closest && event.target.closest(TOOLBAR + " button");
    if (!button) return;
    for (const other of button.closest(TOOLBAR).querySelectorAll("button")) {
      if (other === button) other.dataset.roving = "current"; else delete other.dataset.roving;
      set(other, "tabindex", other === button ? "0" : "-1");
    }
  });
  const mend = () => {
    // Streamlit's own skip link (1.67: a[data-testid="stSkipToContent"], first in the tab order) speaks English only
    const skip = document.querySelector('a[data-testid="stSkipToContent"]');
    if (skip && skip.textContent !== window[marker + "-skip"]) skip.textContent = window[marker + "-skip"];
    for (const list of document.querySelectorAll('ul[data-testid="stSidebarNavItems"]')) {
      const sections = [...list.children].filter((child) => child.tagName === "DIV");
      if (!sections.length) continue;
      set(list, "role", "none");
      sections.forEach((section, n) => {
        for (const item of section.querySelectorAll(":scope > li")) set(item, "role", "none");
        const name = section.querySelector(':scope > header[data-testid="stNavSectionHeader"] > span');
        if (!name) return;
        name.id = name.id || marker + "-section-" + n;
        set(section, "role", "group");
        set(section, "aria-labelledby", name.id);
        set(name, "role", "button");
        set(name, "tabindex", "0");
        set(name, "aria-expanded", String(section.querySelector(":scope > li") !== null));
        if (!name.dataset.keys) { name.dataset.keys = "1"; name.addEventListener("keydown", toggle); }
      });
    }
    // a component drawn at no size (the login cookie's, 1.67: iframe[data-testid="stCustomComponentV1"]) is no
    // place for the Tab key to stop at
    for (const frame of document.querySelectorAll('iframe[data-testid="stCustomComponentV1"]')) {
      if (frame.offsetHeight < 2 || frame.offsetWidth < 2) set(frame, "tabindex", "-1");
    }
    // headings as a screen reader hears them: never more than one level deeper than the heading before
    let previous = 0;
    for (const heading of document.querySelectorAll("h1, h2, h3, h4, h5, h6")) {
      if (!heading.getClientRects().length) continue;  // hidden: a closed expander, another tab
      const drawn = Number(heading.tagName[1]);
      const level = previous ? Math.min(drawn, previous + 1) : drawn;
      if (level !== drawn) set(heading, "aria-level", String(level));
      else if (heading.hasAttribute("aria-level")) heading.removeAttribute("aria-level");
      previous = level;
    }
    speak();
    grids();
  };
  let queued = false;
  const soon = () => {
    if (!queued) { queued = true; queueMicrotask(() => { queued = false; mend(); }); }
  };
  // React writes a new label (an attribute) or a new text into a node it keeps: those are followed too
  new MutationObserver(soon).observe(document.body, {childList: true, subtree: true, characterData: true,
    attributes: true, attributeFilter: ["aria-label", "placeholder", "aria-valuetext"]});
  // a digit picks the numbered choice of the focused group: a rubric criterion's levels (radios), a 1-4 rating
  // (a segmented control, whose buttons Tab reaches as one stop)
  const chosen = (option) => option.checked || option.getAttribute("aria-checked") === "true" ||
    option.getAttribute("aria-pressed") === "true";
  document.addEventListener("keydown", (event) => {
    const focused = document.activeElement;
    if (!/^[0-9]$/.test(event.key) || event.altKey || event.ctrlKey || event.metaKey || !focused) return;
    const group = focused.closest('[role="radiogroup"], [role="toolbar"]');
    if (!group || !(focused.type === "radio" || focused.tagName === "BUTTON")) return;
    for (const option of group.querySelectorAll('input[type="radio"], button')) {
      const label = (option.labels && option.labels.length ? option.labels[0] : option).innerText.trim();
      if (label.split(/\s/)[0] === event.key && !option.disabled) {
        event.preventDefault();
        option.focus();
        if (!chosen(option)) option.click();
        return;
      }
    }
  }, true);
  // an expander opened or a tab chosen shows headings without adding any
  for (const kind of ["toggle", "click", "keyup"]) document.addEventListener(kind, () => setTimeout(soon, 50), true);
  mend();
})();
"""


def mend_page() -> None:
    """Once per run, in any column (app.py: the menu's; on the login page, the page's own): the page's language,
    the menu's and the headings' markup, the skip link's words, visible focus, captions' contrast."""
    reader = language()
    st.html(_mending(reader if reader in LANGUAGES else DEFAULT_LANGUAGE), unsafe_allow_javascript=True)


@cache
def _mending(code: str) -> str:
    """The style sheet and script for readers of `code`: built once per language (constant text only)."""
    words = {key.removeprefix(_WORDS): translate(code, key)
             for key in catalogue(DEFAULT_LANGUAGE) if key.startswith(_WORDS)}
    script = _SCRIPT % {"language": json.dumps(code), "skip": json.dumps(translate(code, "a11y.skip_to_main")),
                        "marker": MARKER, "words": json.dumps(words, ensure_ascii=False)}
    style = _CSS % {"marker": MARKER, "fields": _FIELDS}
    return f'<style>{style}</style><script data-marker="{MARKER}">{script}</script>'


def chart(fig: go.Figure, *, box=None, title: str | None = None, **plotly_chart):
    """`st.plotly_chart` (in `box`, a column, or the page) with its text alternative one click away (WCAG 1.1.1):
    under the picture, an expander named after the chart holding a sentence of what it shows and every value it
    draws as a table. Returns what st.plotly_chart returns (the selection, where the chart is clickable)."""
    box = box or st
    event = box.plotly_chart(fig, **plotly_chart)
    series = [name for name in dict.fromkeys(trace.name for trace in fig.data) if name]
    name = title or fig.layout.title.text or f"{t('a11y.chart')} ({t('polish.list_separator').join(series)})"
    _as_table(box, name, series, lambda: figure_table(fig, t("a11y.col_series"), t("a11y.col_x"), t("a11y.col_y"),
                                                      t("a11y.col_value")))
    return event


def vega_chart(chart: VegaChart, *, title: str, key: str, box=None) -> None:
    """`st.vega_lite_chart` of a dashboards/vega.py chart (in `box`, a column, or the page), with its text
    alternative one click away as chart() has it; the table is the builder's."""
    box = box or st
    box.vega_lite_chart(chart.data, chart.spec, width="stretch", key=key, alt=title)  # the picture's name
    _as_table(box, title, list(chart.series), lambda: chart.table)


def _as_table(box, title: str, series: list[str], table) -> None:
    """A chart's text alternative: an expander named after it holding a sentence of what it shows and every value
    it draws as a table (`table()`, called only when needed). The table is drawn only while its expander is open
    (opening it reruns the page, as a tab does): a folded table was still sent to the browser on every run, a tenth
    of a rerun of a screen with three charts."""
    expander = box.expander(t("a11y.chart_as_table", title=title), icon=":material/table:", key=_table_key(title),
                            on_change="rerun")
    if expander.open:
        values = table()
        with expander:
            st.caption(t("a11y.chart_summary", title=title, series=t("polish.list_separator").join(series) or "—",
                         count=len(values)))
            # a table a screen reader reads as one (st.dataframe draws on a canvas), kept to a size a page can hold
            st.table(values.head(TABLE_ROWS), hide_index=True)
            if len(values) > TABLE_ROWS:
                st.caption(t("a11y.chart_rows_shown", shown=TABLE_ROWS, count=len(values)))


def _table_key(name: str) -> str:
    """The expander's key: the chart's name, numbered when a screen shows two charts of one name in one run."""
    seen = once_per_run("chart_tables", None, dict)
    seen[name] = seen.get(name, 0) + 1
    digest = hashlib.sha1(name.encode("utf-8")).hexdigest()[:12]  # noqa: S324 (a key, not a secret)
    return f"a11y_table_{digest}_{seen[name]}"
