"""Screen pieces of the programme office: the import preview, the cohort picker, and the supervisors' day-off
correction shown on /trainee."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from .. import caseload
from ..access import enrolment_relation
from ..errors import UserError
from ..reflections import DAY_OFF_REASONS
from ..tabular import ACTIONS, REJECTED, Preview
from .guard import show_error
from .runtime import language, t
from .widgets import form_done, form_key, today_jst

PREVIEW_ROWS = 500
ERRORS_SHOWN = 200


def cohort_label(cohort: dict) -> str:
    return f"{cohort['code']} {cohort['name_ja'] if language() == 'ja' else cohort['name_en']}"


def cohort_picker(cohorts: list[dict], key: str) -> dict | None:
    """Pick a cohort (newest first); the choice is kept in the address (?cohort=CODE) so it can be shared."""
    if not cohorts:
        st.info(t("setup.no_cohorts"))
        return None
    codes = [c["code"] for c in cohorts]
    wanted = st.query_params.get("cohort")
    chosen = st.selectbox(t("setup.cohort"), codes, index=codes.index(wanted) if wanted in codes else 0,
                          format_func=lambda code: cohort_label(cohorts[codes.index(code)]), key=key)
    if chosen != wanted:
        st.query_params["cohort"] = chosen
    return cohorts[codes.index(chosen)]


def preview_view(preview: Preview, columns: dict[str, str]) -> None:
    """What an import would do: counts per action, every reason a row or the file is refused (line, column,
    reason), and the rows with their action. `columns` maps value names to catalogue keys of their headers."""
    counts = preview.counts
    for column, action in zip(st.columns(len(ACTIONS)), ACTIONS, strict=True):
        column.metric(t(f"import.action.{action}"), counts[action])
    errors = preview.errors
    if errors:
        st.error(t("tabular.rejected", count=len(errors)), icon=":material/error:")
        # a plain table, not a grid: the reasons are read (and read out) as text, every cell escaped
        st.table(pd.DataFrame(
            [{t("import.col_line"): str(e.line or "—"), t("import.col_column"): e.column or "—",
              t("import.col_reason"): t(e.key, **e.params)} for e in errors[:ERRORS_SHOWN]]).set_index(
            t("import.col_line")))
        if len(errors) > ERRORS_SHOWN:
            st.caption(t("import.more_errors", count=len(errors) - ERRORS_SHOWN))
    rows = [{t("import.col_line"): row.line, t("import.col_action"): t(f"import.action.{row.action}"),
             **{t(label): _shown(row.values.get(name)) for name, label in columns.items()}}
            for row in sorted(preview.rows, key=lambda r: (r.action != REJECTED, r.line))[:PREVIEW_ROWS]]
    if rows:
        st.dataframe(rows, hide_index=True, width="stretch", key=f"preview_rows_{preview.kind}")
    if len(preview.rows) > PREVIEW_ROWS:
        st.caption(t("import.more_rows", count=len(preview.rows) - PREVIEW_ROWS))


def _shown(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "・".join(t(f"import.change.{v}") if v in CHANGE_NAMES else str(v) for v in value)
    return str(value)


CHANGE_NAMES = ("name", "kana", "email", "enrolment", "supervisor")


def supervisor_day_off(db, actor, enrolment) -> None:
    """On /trainee, for the trainee's own supervisor: mark a day off after its cut-off (sick leave reported late,
    a training day), saying why; the trainee sees it as a day off and it no longer counts as missed."""
    if "supervised" not in enrolment_relation(db, actor, enrolment.id):
        return
    start, end = enrolment.practical
    today = today_jst()
    with st.expander(t("dayoff.title"), icon=":material/event_busy:"):
        st.caption(t("dayoff.hint"))
        base = f"trainee_dayoff_{enrolment.id}"
        with st.form(form_key(base)):
            last = min(max(today, start), end)
            day = st.date_input(t("dayoff.day"), value=last, min_value=start, max_value=end, key=f"{base}_day")
            reason = st.selectbox(t("dayoff.reason"), [*DAY_OFF_REASONS, None], key=f"{base}_reason",
                                  format_func=lambda r: t(f"dayoff.reason.{r}") if r else t("dayoff.clear"))
            note = st.text_input(t("dayoff.note"), key=f"{base}_note", max_chars=caseload.REASON_MAX)
            saved = st.form_submit_button(t("dayoff.save"), key=f"{base}_submit")
        if saved:
            try:
                caseload.mark_day_off(db, actor, enrolment.id, day, reason, note)
                form_done(base)
                st.success(t("dayoff.saved", day=day.isoformat()))
            except UserError as exc:
                show_error(exc)
        marked = caseload.marked_days_off(db, actor, enrolment.id)
        if marked:
            st.dataframe([{t("dayoff.day"): d["day"], t("dayoff.reason"): t(f"dayoff.reason.{d['reason']}"),
                           t("dayoff.marked_by"): d["marked_by"] or t("dayoff.by_trainee"),
                           t("dayoff.note"): d["note"] or ""} for d in marked],
                         hide_index=True, width="stretch", key=f"{base}_list")
