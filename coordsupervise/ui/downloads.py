"""Downloads that do not outlive their reason: the one-time passwords of an import, the database backup.

Streamlit serves a download button's file at `/media/<id>` to whoever has that address, without a cookie, for as
long as the button is on the page of a live session (and one clean-up more: an orphaned download is marked at the
end of one script run and deleted at the end of the next, of any session). So a file of secrets is offered once:
its button's `on_click` drops it from the session, the rerun draws the page without it, and Streamlit lets the file
go. What belongs to one screen is dropped as soon as the router draws another (`forget_other_screens`), so leaving
the screen ends the offer too. Behind `serve`'s nginx, `/media/` also needs the login cookie (serve.py)."""
from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from . import state


def once(holder: str, taken_key: str, taken: dict) -> Callable[[], None]:
    """The `on_click` of a download offered once: forget what session key `holder` holds (the file's content) and
    leave `taken` (the parameters of the message that says so) under `taken_key`."""

    def took() -> None:
        st.session_state.pop(holder, None)
        st.session_state[taken_key] = taken

    return took


def forget_other_screens(path: str) -> None:
    """Drop every session value that belongs to a screen other than `path` (state.PAGE_BOUND)."""
    for key, owner in state.PAGE_BOUND.items():
        if owner != path:
            st.session_state.pop(key, None)
