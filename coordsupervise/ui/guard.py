"""The first line of every page: who is this, and may they be here?

On a freshly started server a page file can be reached without app.py having run (Streamlit's old `pages/` mode,
see handover.py): the guard first hands such a run over to the router, before drawing or reading anything. Beyond
that it trusts nothing but the checked session: with nobody logged in, or the wrong role, it shows a refusal and
stops before the page reads anything."""
from __future__ import annotations

import sys
from pathlib import Path

import streamlit as st

from ..access import Actor
from ..errors import UserError
from ..i18n import catalogue
from ..routes import BY_PATH
from ..text.usertext import literal
from . import state
from .handover import hand_over_to_router
from .login import current_actor
from .runtime import t
from .widgets import link


def require(*roles: str) -> Actor:
    hand_over_to_router()
    actor = current_actor()
    if actor is None:
        st.warning(t("guard.login_required"))
        st.markdown(f"[{t('guard.go_login')}](/)")  # a plain link: works even when app.py has not run
        st.stop()
    if not actor.has(*roles):
        st.error(t("guard.forbidden"))
        st.stop()
    if st.session_state.get(state.MUST_CHANGE_PASSWORD) and not _is_account_page(sys._getframe(1)):
        # a one-time password from the office: nothing else opens until the person has chosen their own
        st.warning(t("people.change_password_first"), icon=":material/key:")
        link("account", t("nav.account"), ":material/manage_accounts:")
        st.stop()
    return actor


def _is_account_page(frame) -> bool:
    return Path(frame.f_code.co_filename).as_posix().endswith("pages/" + BY_PATH["account"].path + ".py")


def show_error(exc: UserError) -> None:
    """A service refused: say why in the reader's language. A parameter that is itself a catalogue key (a field
    name, say) is translated too; any other text in it (a login ID, a file name someone typed) is shown literally."""
    known = catalogue("ja")
    params = {k: (t(v) if v in known else literal(v)) if isinstance(v, str) else v for k, v in exc.params.items()}
    st.error(t(exc.key, **params))
