"""A part of a screen that reruns on its own when a widget inside it changes (`st.fragment`), with the login check
a full run makes.

A widget in a fragment reruns only the fragment: the router (app.py) does not run, so neither does its login check.
Each of the part's own reruns therefore checks the session again (login.current_actor: active, not logged out, not
expired), and a session that ended meanwhile reruns the whole app, which shows the login page: logout, a password
change and deactivation end an open tab at its next click, as they do without fragments (docs/security.md). A
person whose roles, name or language changed since the screen's last full run gets a full run too, so the part
never acts with an outdated actor."""
from __future__ import annotations

import functools
from collections.abc import Callable

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from .login import current_actor


def page_part(draw: Callable[..., None]) -> Callable[..., None]:
    """`st.fragment(draw)`, whose own reruns first re-check the login. Made during a full run of the screen."""
    drawn_for = current_actor()  # the router's check of this full run (once per run: no second read)

    @st.fragment
    @functools.wraps(draw)
    def part(*args, **kwargs) -> None:
        if own_rerun() and current_actor() != drawn_for:
            st.rerun(scope="app")  # ended: the router's run draws the login page; changed: the screen anew
        draw(*args, **kwargs)

    return part


def own_rerun() -> bool:
    """True while a part reruns on its own (a widget inside it changed), False in a full run of the screen: the
    arguments a part was called with come from the screen's last full run, and a part whose own reruns must see the
    stored state of now reads it again then."""
    ctx = get_script_run_ctx()
    return bool(ctx is not None and ctx.fragment_ids_this_run)
