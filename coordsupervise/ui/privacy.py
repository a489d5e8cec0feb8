"""Privacy pieces that other screens embed with one call each: the redaction control (the trainee's /reflection
and the supervisor's reading view on /inbox) and "who has read this" for the trainee."""
from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from ..access import Actor
from ..errors import AccessDenied, NotFound, UserError
from ..privacy import guard as privacy
from ..privacy import readlog, redaction
from ..store.db import Database
from .firsthour import plain
from .guard import show_error
from .runtime import t
from .widgets import jst


def redaction_control(db: Database, actor: Actor, reflection_id: int, key: str,
                      on_redacted: Callable[[], object] | None = None) -> None:
    """An expander to blank a span of a submitted reflection everywhere it is stored. Draws nothing for someone
    who may not redact it (a manager, a draft). `on_redacted` lets the page drop text it holds in its widgets, so
    the next run shows the redacted text instead of saving the old one back."""
    try:
        fields = redaction.redactable_fields(db, actor, reflection_id)
    except (AccessDenied, NotFound):
        return
    if not fields:
        return
    with st.expander(t("redaction.title"), icon=":material/visibility_off:"):
        st.caption(t("redaction.intro", marker=redaction.MARKER))
        findings = privacy.scan(fields, public=True)
        for public, message in ((False, "redaction.guard_notices"), (True, "privacy.public_contacts")):
            listed = [f for f in findings if f.public == public][:8]
            if listed:
                st.caption(t(message, spans="、".join(f"{plain(f.text)} ({t(f'privacy.{f.kind}')})" for f in listed)))
        with st.form(f"{key}_redaction_{reflection_id}", clear_on_submit=True):
            span = st.text_input(t("redaction.span"), max_chars=redaction.SPAN_MAX, key=f"{key}_redaction_span")
            # the words are enough: "any field" first, a field only to narrow it down
            field = st.selectbox(t("redaction.field"), [None, *fields], key=f"{key}_redaction_field",
                                 format_func=lambda name: t("redaction.any_field") if name is None
                                 else t(f"reflection.field.{name}"))
            submitted = st.form_submit_button(t("redaction.submit"), icon=":material/visibility_off:")
        if submitted:
            try:
                done = redaction.redact(db, actor, reflection_id, field, span)
            except UserError as exc:
                show_error(exc)
                return
            if on_redacted is not None:
                on_redacted()
            st.toast(t("redaction.done", count=done.places), icon=":material/check_circle:")
            st.rerun()


def draft_notice(slot, fields: dict[str, str], scope: str) -> None:
    """While the trainee types: what the guard would hold back at submit, shown under the saved draft so it can be
    rewritten before submitting. Drafts are kept as typed (nothing is lost); the guard decides only at submit, where
    each finding can still be confirmed. Draws into `slot`, a container the page always creates, so the notice
    coming and going never shifts the widgets below it. Skipped once the submit has listed the findings itself."""
    if st.session_state.get(f"privacy_findings_{scope}"):
        return
    confirmed = st.session_state.get(f"privacy_confirmed_{scope}", set())
    findings = privacy.unconfirmed(privacy.scan(fields), confirmed)
    if findings:
        spans = "、".join(f"{plain(f.text)} ({t(f'privacy.{f.kind}')} · {t(f'reflection.field.{f.field}')})"
                         for f in findings[:6])
        slot.caption(t("privacy.draft_notice", count=len(findings), spans=spans))


def read_receipts(db: Database, actor: Actor, reflection_id: int, enrolment_id: int) -> None:
    """For the trainee: who (supervisors, managers) opened this reflection, which version and when; below, the
    latest reads across all their days."""
    rows = readlog.readers(db, actor, reflection_id)
    with st.expander(f"{t('readers.title')} ({len(rows)})", icon=":material/visibility:"):
        if not rows:
            st.caption(t("readers.none"))
        for row in rows:
            st.text(t("readers.line", reader=row["reader"], relation=t(f"readers.relation.{row['relation']}"),
                      version=row["version"], at=jst(row["last_read_at"])))
        recent = readlog.reads_of_own(db, actor, enrolment_id, limit=10)
        if recent:
            st.caption(t("readers.recent"))
            st.dataframe(
                [{t("privacy.col.practice_date"): f"{r['practice_date']:%Y-%m-%d}",
                  t("privacy.col.reader"): r["reader"],
                  t("privacy.col.relation"): t(f"readers.relation.{r['relation']}"),
                  t("privacy.col.version"): r["version"], t("privacy.col.last_read_at"): jst(r["last_read_at"])}
                 for r in recent], hide_index=True, width="stretch")
