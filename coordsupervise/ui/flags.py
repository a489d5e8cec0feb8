"""Flags as the inbox and the trainee profile both show them: one card per flag (an open one with its resolve form,
a resolved one with who resolved it and why) and the form that raises a new one. One widget, so a flag reads and
resolves the same wherever a supervisor meets it."""
from __future__ import annotations

import streamlit as st

from coordsupervise import supervision
from coordsupervise.errors import UserError

from .guard import show_error
from .runtime import t
from .widgets import form_done, form_key, jst


def _submitted_without_error(base: str, action) -> None:
    """Run a form's write; on success start the form afresh and redraw, on a user error say why and keep the text."""
    try:
        action()
    except UserError as exc:
        show_error(exc)
        return
    form_done(base)
    st.rerun()


def flag_card(db, actor, flag: dict, page: str, writable: bool) -> None:
    """One flag in a bordered card: severity, when and by whom, the reason as typed; then either how it was resolved
    or, for a supervisor who may write, the form to resolve it. `page` prefixes the form key (`<page>_resolve_<id>`)."""
    with st.container(border=True):
        severity = t(f"flag.severity.{flag['severity']}")
        st.markdown(f":red-badge[{severity}] {jst(flag['raised_at'])} · {flag['raised_by']}")
        st.text(flag["reason"])
        if flag["resolved_at"] is not None:
            st.caption(t("flag.resolved_line", at=jst(flag["resolved_at"]), by=flag["resolved_by"],
                         note=flag["resolution_note"]))
        elif writable:
            base = f"{page}_resolve_{flag['id']}"
            with st.form(form_key(base)):
                note = st.text_input(t("flag.resolution"))
                if st.form_submit_button(t("flag.resolve")):
                    _submitted_without_error(base, lambda: supervision.resolve_flag(db, actor, flag["id"], note))


def raise_flag_form(db, actor, enrolment_id: int, base: str, reflection_id: int | None = None) -> None:
    """The form that raises a flag on a trainee, tied to the reflection it was raised from when there is one."""
    with st.form(form_key(base)):
        severity = st.radio(t("flag.severity"), supervision.SEVERITIES, index=1, horizontal=True,
                            format_func=lambda s: t(f"flag.severity.{s}"))
        reason = st.text_area(t("flag.reason"), max_chars=supervision.NOTE_LIMIT)
        if st.form_submit_button(t("flag.raise")):
            _submitted_without_error(
                base, lambda: supervision.raise_flag(db, actor, enrolment_id, severity, reason, reflection_id))
