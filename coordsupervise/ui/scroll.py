"""Start a screen from its top when it begins to show another item.

Streamlit keeps the page's scroll position across reruns. That is right while a person works on one item, and wrong
when a button far down the page ("送信して次の未読へ" under the reply box) opens the next one: the next reflection
opened 1,115 px down, past the trainee's name and the start of what they wrote. So a screen calls
`start_at_the_top(place, item)` on every run; the first run that shows a new item mounts this small st.components.v2
component (in the page itself, no iframe, nothing drawn), which scrolls Streamlit's main area back to the top once.
Later reruns of the same item (autosave, typing pauses) mount nothing, so a person scrolling and typing is never
moved."""
from __future__ import annotations

import streamlit as st

from . import state

_JS = """
let done = null;
export default function (component) {
  const { data, parentElement } = component;
  const token = data && data.token;
  if (!token || token === done) return;
  done = token;
  const doc = parentElement.ownerDocument || document;
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
"""

_scroller = st.components.v2.component("coordsupervise.start_at_the_top", js=_JS)


def start_at_the_top(place: str, item: object) -> None:
    """Scroll to the top once, on the first run of `place` that shows `item` (a reflection id, "list", …)."""
    shown = st.session_state.setdefault(state.SHOWN_ITEM, {})
    if shown.get(place) == item:
        return
    count = st.session_state.get(state.SCROLLS, 0) + 1
    _scroller(key=f"{place}_start_at_the_top_{count}", data={"token": f"{place}:{item}:{count}"}, height=0)
    # remembered only once the component is on its way: a run stopped by a newer one tries again next time
    st.session_state[state.SCROLLS] = count
    shown[place] = item
