"""Flags as the inbox and the trainee profile both show them: one card per flag (an open one with its resolve box,
a resolved one with who resolved it and why) and the boxes that raise a new one. One widget, so a flag reads and
resolves the same wherever a supervisor meets it. What is typed is kept as a draft (draft_box), never lost."""
from __future__ import annotations

import streamlit as st

from coordsupervise.errors import UserError
from coordsupervise.practice import supervision
from coordsupervise.text.usertext import literal

from .guard import show_error
from .runtime import t
from .widgets import jst


def _written(keys: list[str], action) -> None:
    """Run a write; on success empty the boxes and redraw, on a user error say why and keep the text."""
    try:
        action()
    except UserError as exc:
        show_error(exc)
        return
    for key in keys:
        st.session_state.pop(key, None)
    st.rerun()


def draft_box(db, actor, kind: str, item_id: int, key: str, widget, label: str, **kwargs) -> str:
    """A text box whose text is kept as the person's draft after every change (with keep_typing mounted on the
    page: after every pause in typing), and comes back after a reload. Used for notes and flags, which are written
    outside st.form for this reason: a form sends nothing until its button is pressed."""
    if key not in st.session_state:
        st.session_state[key] = supervision.text_draft(db, actor, kind, item_id)
    text = widget(label, key=key, max_chars=supervision.NOTE_LIMIT, **kwargs)
    if text != supervision.text_draft(db, actor, kind, item_id):
        try:
            supervision.keep_text_draft(db, actor, kind, item_id, text)
        except UserError as exc:
            show_error(exc)
    return text


def flag_card(db, actor, flag: dict, page: str, writable: bool) -> None:
    """One flag in a bordered card: severity, when and by whom, the reason as typed; then either how it was resolved
    or, for a supervisor who may write, the box to resolve it. `page` prefixes the keys (`<page>_resolve_<id>`)."""
    with st.container(border=True):
        severity = t(f"flag.severity.{flag['severity']}")
        st.markdown(f":red-badge[{severity}] {jst(flag['raised_at'])} · {literal(flag['raised_by'])}")
        st.text(flag["reason"])
        if flag["resolved_at"] is not None:
            st.caption(t("flag.resolved_line", at=jst(flag["resolved_at"]), by=literal(flag["resolved_by"]),
                         note=literal(flag["resolution_note"])))
        elif writable:
            key = f"{page}_resolve_{flag['id']}"
            note = draft_box(db, actor, "flag_resolution", flag["id"], f"{key}_note", st.text_input,
                             t("flag.resolution"))
            if st.button(t("flag.resolve"), key=f"{key}_button"):
                _written([f"{key}_note"], lambda: supervision.resolve_flag(db, actor, flag["id"], note))


def raise_flag_form(db, actor, enrolment_id: int, base: str, reflection_id: int | None = None) -> None:
    """The boxes that raise a flag on a trainee, tied to the reflection it was raised from when there is one. The
    reason typed is kept as a draft until the flag is raised."""
    with st.container(border=True):
        severity = st.radio(t("flag.severity"), supervision.SEVERITIES, index=1, horizontal=True,
                            format_func=lambda s: t(f"flag.severity.{s}"), key=f"{base}_severity")
        reason = draft_box(db, actor, "flag", enrolment_id, f"{base}_reason", st.text_area, t("flag.reason"))
        if st.button(t("flag.raise"), key=f"{base}_raise"):
            _written([f"{base}_reason", f"{base}_severity"],
                     lambda: supervision.raise_flag(db, actor, enrolment_id, severity, reason, reflection_id))
