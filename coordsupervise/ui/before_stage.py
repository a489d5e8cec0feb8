"""An entry made before its stage starts (workshop attendance, the certification test, a decision): the service
refuses it with BeforeStage until the person confirms. This keeps what they entered, asks beside the form, and
saves it confirmed (the service records the confirmation in the audit log) or drops it."""
from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from ..errors import BeforeStage, UserError
from ..i18n import catalogue
from . import state
from .guard import show_error
from .runtime import t


def save_or_ask(key: str, save: Callable[[bool], object], done: Callable[[object], None]) -> None:
    """Run `save(False)` and hand its result to `done`; when the stage has not started, keep `save` and `done`
    for `ask(key)` to offer. Any other refusal is shown as usual."""
    st.session_state.pop(state.BEFORE_STAGE, None)
    try:
        result = save(False)
    except BeforeStage as exc:
        st.session_state[state.BEFORE_STAGE] = (key, save, done, exc)
        return
    except UserError as exc:
        show_error(exc)
        return
    done(result)


def ask(key: str) -> None:
    """Where the question appears: the warning naming the stage and its first day, then confirm or cancel."""
    pending = st.session_state.get(state.BEFORE_STAGE)
    if not pending or pending[0] != key:
        return
    _, save, done, exc = pending
    known = catalogue("ja")
    st.warning(t(exc.key, **{k: t(v) if isinstance(v, str) and v in known else v for k, v in exc.params.items()}),
               icon=":material/event_busy:")
    confirm, cancel = st.columns(2)
    if confirm.button(t("stage.confirm_early"), type="primary", key=f"{key}_confirm_early"):
        st.session_state.pop(state.BEFORE_STAGE, None)
        try:
            result = save(True)
        except UserError as error:
            show_error(error)
        else:
            done(result)
    if cancel.button(t("stage.cancel_early"), key=f"{key}_cancel_early"):
        st.session_state.pop(state.BEFORE_STAGE, None)
        st.rerun()
