"""Hand a fresh server's first session over from Streamlit's old `pages/` mode to the router.

Checked against Streamlit 1.67.0 (pinned in requirements.txt). While a folder named `pages` sits beside the entry
script, `PagesManager.uses_pages_directory` starts as True and the first script run of a freshly started server
goes through the old multipage mode (`_mpa_v1` in streamlit/runtime/scriptrunner/script_runner.py), decided before
app.py runs: a file in pages/ would run on its own, and a deep link the old mode does not know shows "Page not found".
`st.navigation` turns the flag off, but only once it runs. So app.py and every page's guard call this first: when
the flag is on, it turns it off and reruns, and the rerun goes through app.py's `st.navigation`, which lands the
same address (with its query parameters) on its own page. tests/unit/test_layout.py fails loudly if the attribute
disappears in an upgrade."""
from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

FLAG = "uses_pages_directory"


def old_pages_mode() -> bool:
    """Is this script run going through Streamlit's old `pages/` mode?"""
    return bool(getattr(PagesManager, FLAG))


def hand_over_to_router() -> None:
    """First thing in app.py and in every page's guard: leave the old mode before anything is drawn or read."""
    if old_pages_mode():
        setattr(PagesManager, FLAG, False)
        st.rerun()
