"""Keep what is typed even when the box is never left.

Streamlit sends a text box's value to the server only when the box loses focus (or on Ctrl+Enter), so text typed
into a reflection and then lost to a reload, a closed lid or a dropped phone connection was never saved. This small
st.components.v2 component runs in the page itself (no iframe, nothing drawn) and, once typing pauses for a moment,
asks the focused box to commit its value the way Ctrl+Enter does: one rerun per pause, which the page's autosave
turns into a draft. It sends nothing of its own to Python, so it never causes a rerun by itself.

Skipped on purpose: boxes inside a form (Ctrl+Enter would submit the form) and Japanese input while the IME is still
composing (the committed text would be half-converted kana)."""
from __future__ import annotations

import streamlit as st

PAUSE_MS = 1500

_JS = """
export default function (component) {
  const { data, parentElement } = component;
  const doc = parentElement.ownerDocument || document;
  const pause = (data && data.pause) || 1500;
  const timers = new Map();
  let composing = false;

  const eligible = (el) => el && (el.tagName === "TEXTAREA" || (el.tagName === "INPUT" && el.type === "text"))
    && el.closest('[data-testid="stTextArea"], [data-testid="stTextInput"]')
    && !el.closest('[data-testid="stForm"]');

  const send = (el) => el.dispatchEvent(new KeyboardEvent("keydown", {
    key: "Enter", code: "Enter", ctrlKey: el.tagName === "TEXTAREA", bubbles: true, cancelable: true }));
  const commit = (el) => {
    timers.delete(el);
    if (!el.isConnected) return;
    if (composing) { schedule(el); return; }
    send(el);
  };
  const schedule = (el) => {
    clearTimeout(timers.get(el));
    timers.set(el, setTimeout(() => commit(el), pause));
  };
  const onInput = (event) => { if (eligible(event.target)) schedule(event.target); };
  // leaving the page (a reload, a closed tab, a phone switching apps) does not wait for the pause: the box typed in
  // last before it, which nothing else commits, is sent at once
  const flush = () => {
    timers.forEach((timer, el) => { clearTimeout(timer); timers.delete(el); if (el.isConnected) send(el); });
  };
  const onHidden = () => { if (doc.visibilityState === "hidden") flush(); };
  const view = doc.defaultView || window;
  const onStart = () => { composing = true; };
  const onEnd = (event) => { composing = false; if (eligible(event.target)) schedule(event.target); };

  doc.addEventListener("input", onInput, true);
  doc.addEventListener("compositionstart", onStart, true);
  doc.addEventListener("compositionend", onEnd, true);
  doc.addEventListener("visibilitychange", onHidden);
  view.addEventListener("pagehide", flush);
  view.addEventListener("beforeunload", flush);
  return () => {
    doc.removeEventListener("visibilitychange", onHidden);
    view.removeEventListener("pagehide", flush);
    view.removeEventListener("beforeunload", flush);
    doc.removeEventListener("input", onInput, true);
    doc.removeEventListener("compositionstart", onStart, true);
    doc.removeEventListener("compositionend", onEnd, true);
    timers.forEach((timer) => clearTimeout(timer));
    timers.clear();
  };
}
"""

_keeper = st.components.v2.component("coordsupervise.keep_typing", js=_JS)


def keep_typing(key: str) -> None:
    """Mount once on a screen whose text boxes autosave: their text reaches the server after each pause in typing."""
    _keeper(key=key, data={"pause": PAUSE_MS}, height=0)
