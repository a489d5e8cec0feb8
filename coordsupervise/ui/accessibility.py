"""What Streamlit's own markup lacks for JIS X 8341-3:2016 level AA (= WCAG 2.0 AA), supplied on every run by the
router (app.py), the login page included. See docs/accessibility.md.

Checked against Streamlit 1.67.0 (pinned in requirements.txt) and its markup; tests/browser/test_accessibility.py
(axe-core on every screen) fails when an upgrade changes what this answers:

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

- Reflow (WCAG 1.4.10): a `st.page_link`'s label is one line cut with "…" (`white-space: nowrap` in 1.67), so at
  320 px a library case's title lost its end; it wraps instead. A row of tabs wraps too, rather than hiding the
  last tabs behind a sideways scroll.

Other muted text and the primary colour's contrast are set by the theme: `.streamlit/config.toml`."""
from __future__ import annotations

import json

import plotly.graph_objects as go
import streamlit as st

from ..dashboards.charts import figure_table
from ..i18n import DEFAULT_LANGUAGE, LANGUAGES
from .runtime import language, t

MARKER = "coordsupervise-a11y"
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
"""

_SCRIPT = r"""
(() => {
  const language = %(language)s, skipText = %(skip)s, marker = "%(marker)s";
  document.documentElement.lang = language;
  window[marker + "-skip"] = skipText;
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
  };
  let queued = false;
  const soon = () => {
    if (!queued) { queued = true; queueMicrotask(() => { queued = false; mend(); }); }
  };
  new MutationObserver(soon).observe(document.body, {childList: true, subtree: true});
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
    code = reader if reader in LANGUAGES else DEFAULT_LANGUAGE
    script = _SCRIPT % {"language": json.dumps(code), "skip": json.dumps(t("a11y.skip_to_main")), "marker": MARKER}
    style = _CSS % {"marker": MARKER, "fields": _FIELDS}
    st.html(f'<style>{style}</style><script data-marker="{MARKER}">{script}</script>', unsafe_allow_javascript=True)


def chart(fig: go.Figure, *, box=None, title: str | None = None, **plotly_chart):
    """`st.plotly_chart` (in `box`, a column, or the page) with its text alternative one click away (WCAG 1.1.1):
    under the picture, an expander named after the chart holding a sentence of what it shows and every value it
    draws as a table. Returns what st.plotly_chart returns (the selection, where the chart is clickable)."""
    box = box or st
    event = box.plotly_chart(fig, **plotly_chart)
    series = [name for name in dict.fromkeys(trace.name for trace in fig.data) if name]
    separator = t("polish.list_separator")
    name = title or fig.layout.title.text or f"{t('a11y.chart')} ({separator.join(series)})"
    table = figure_table(fig, t("a11y.col_series"), t("a11y.col_x"), t("a11y.col_y"), t("a11y.col_value"))
    with box.expander(t("a11y.chart_as_table", title=name), icon=":material/table:"):
        st.caption(t("a11y.chart_summary", title=name, series=separator.join(series) or "—", count=len(table)))
        # a table a screen reader reads as one (st.dataframe draws on a canvas), kept to a size a page can hold
        st.table(table.head(TABLE_ROWS), hide_index=True)
        if len(table) > TABLE_ROWS:
            st.caption(t("a11y.chart_rows_shown", shown=TABLE_ROWS, count=len(table)))
    return event
