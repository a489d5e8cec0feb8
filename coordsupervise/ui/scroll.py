"""Start a screen from its top, and the keyboard focus at its new content, when it begins to show another item.

Streamlit keeps the page's scroll position across reruns. That is right while a person works on one item, and wrong
when a button far down the page ("送信して次の未読へ" under the reply box) opens the next one: the next reflection
opened 1,115 px down, past the trainee's name and the start of what they wrote. So a screen calls
`start_at_the_top(place, item)` on every run; the first run that shows a new item mounts this small st.components.v2
component (in the page itself, no iframe, nothing drawn), which scrolls Streamlit's main area back to the top once.
Later reruns of the same item (autosave, typing pauses) mount nothing, so a person scrolling and typing is never
moved.

The keyboard focus has the same problem: the button that opened the new item is usually gone (its key names the old
item) or disabled, so the focus fell to the page's body, or stayed on a button far from the new content, somewhere
different each time. With `focus` (a CSS selector, e.g. the new item's heading) the same first run moves the focus
there, as a single-page application should (WCAG 2.4.3, focus order): the element gets tabindex=-1 if it cannot take
the focus itself, the focus waits until the run has finished drawing (so it lands on the new item, not on what the
last run left standing), and it is not taken from a text box the person is already typing in. `focus_once` does the
same without scrolling: a message next to the button that was pressed ("提出しました"), the title after a login."""
from __future__ import annotations

import streamlit as st

from . import state

TITLE = '[data-testid="stMain"] h1'  # the screen's own title (st.title), the first heading of the main area

_JS = """
let done = null;
// a box the person types in keeps the focus: a new item arriving never pulls them out of it
const typing = (el) => !!el && (el.isContentEditable || el.tagName === "TEXTAREA" || el.tagName === "SELECT" ||
  (el.tagName === "INPUT" && !["button", "checkbox", "radio", "submit", "reset", "range"].includes(el.type)));

function focusWhenDrawn(doc, selector, keepScroll, ifLost) {
  const app = doc.querySelector('[data-testid="stApp"]');
  const started = Date.now();
  const attempt = () => {
    const target = doc.querySelector(selector);
    // mounted last on the screen, the target is drawn by now; in the menu's column (ifLost: the title after a
    // login) the screen is not, and the login page's title may still stand until the run has finished
    const waiting = !target || (ifLost && app && app.getAttribute("data-test-script-state") !== "notRunning");
    if (waiting) {
      if (Date.now() - started < 10000) setTimeout(attempt, 50);
      return;
    }
    const now = doc.activeElement;
    if (target.contains(now)) return;
    if (ifLost) {
      // only when nothing holds the focus, or the login form's password box or button still does (they stand
      // for a moment after the run, while the cookie component's rerun follows): look again for a while before
      // leaving it be
      const lost = !now || now === doc.body || !now.isConnected || !!now.closest('[data-testid="stForm"]');
      if (!lost) {
        if (Date.now() - started < 4000) setTimeout(attempt, 100);
        return;
      }
    } else if (typing(now)) return;
    if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
    target.focus({ preventScroll: keepScroll });
  };
  setTimeout(attempt, 0);
}

export default function (component) {
  const { data, parentElement } = component;
  const token = data && data.token;
  if (!token || token === done) return;
  done = token;
  const doc = parentElement.ownerDocument || document;
  if (data.top) {
    const top = () => {
      const main = doc.querySelector('[data-testid="stMain"]') || doc.querySelector("section.stMain");
      if (main) main.scrollTo({ top: 0, behavior: "instant" });
      (doc.defaultView || window).scrollTo({ top: 0, behavior: "instant" });
    };
    top();
    // the new item's elements replace the old ones over the next frames; stay at the top while they arrive
    requestAnimationFrame(top);
    setTimeout(top, 150);
  }
  if (data.focus) focusWhenDrawn(doc, data.focus, !!data.top, !!data.ifLost);
}
"""

_scroller = st.components.v2.component("coordsupervise.start_at_the_top", js=_JS)


def _once(place: str, item: object, *, top: bool, focus: str | None, if_lost: bool = False) -> None:
    shown = st.session_state.setdefault(state.SHOWN_ITEM, {})
    if shown.get(place) == item:
        return
    count = st.session_state.get(state.SCROLLS, 0) + 1
    _scroller(key=f"{place}_start_at_the_top_{count}", data={"token": f"{place}:{item}:{count}", "top": top,
                                                            "focus": focus, "ifLost": if_lost}, height=0)
    # remembered only once the component is on its way: a run stopped by a newer one tries again next time
    st.session_state[state.SCROLLS] = count
    shown[place] = item


def start_at_the_top(place: str, item: object, focus: str | None = None) -> None:
    """Scroll to the top once, on the first run of `place` that shows `item` (a reflection id, "list", …); with
    `focus` (a CSS selector: the item's heading), move the keyboard focus there too. Call it last on the screen:
    its element comes and goes, and would shift whatever followed it."""
    _once(place, item, top=True, focus=focus)


def focus_once(place: str, item: object, target: str, if_lost: bool = False) -> None:
    """Move the keyboard focus to `target` (a CSS selector) once, on the first run of `place` that shows `item`,
    without scrolling; with `if_lost`, only when nothing else has it by then (the page's body holds it): a screen's
    own start_at_the_top in the same run wins. Call it last on the screen (or in the menu's column), for the same
    reason."""
    _once(place, item, top=False, focus=target, if_lost=if_lost)
