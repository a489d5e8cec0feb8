"""Screen pieces of the programme office: the import preview, the cohort picker, and the supervisors' day-off
correction shown on /trainee."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from .. import clock
from ..access import enrolment_relation
from ..errors import UserError
from ..office.tabular import ACTIONS, REJECTED, Preview, grouped_errors, line_ranges
from ..practice.reflections import DAY_OFF_REASONS
from ..programme import caseload
from ..text.usertext import literal, literal_values
from .guard import show_error
from .runtime import language, t
from .widgets import form_done, form_key

PREVIEW_ROWS = 500
ERRORS_SHOWN = 200


def cohort_label(cohort: dict) -> str:
    return f"{cohort['code']} {cohort['name_ja'] if language() == 'ja' else cohort['name_en']}"


def cohort_picker(cohorts: list[dict], key: str, default_id: int | None = None, label: str | None = None,
                  ) -> dict | None:
    """Pick a cohort (newest first, or `default_id` when given); the choice is kept in the address (?cohort=CODE)
    so it can be shared."""
    if not cohorts:
        st.info(t("setup.no_cohorts"))
        return None
    codes = [c["code"] for c in cohorts]
    wanted = st.query_params.get("cohort")
    default = next((i for i, c in enumerate(cohorts) if c["id"] == default_id), 0)
    chosen = st.selectbox(label or t("setup.cohort"), codes,
                          index=codes.index(wanted) if wanted in codes else default,
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
        groups = grouped_errors(errors)
        # a plain table, not a grid: the reasons are read (and read out) as text, wrapped; st.table reads its cells
        # as Markdown, so the file's headers and cells quoted in them are made literal
        # one reason repeated on many lines is shown once with its lines
        st.table(pd.DataFrame(
            [{t("import.col_line"): _lines(g.lines), t("import.col_column"): literal(g.column) or "—",
              t("import.col_reason"): t(g.key, **literal_values(g.params))} for g in groups[:ERRORS_SHOWN]]).set_index(
            t("import.col_line")))
        if len(groups) > ERRORS_SHOWN:
            st.caption(t("import.more_errors", count=len(groups) - ERRORS_SHOWN))
    rows = [{t("import.col_line"): row.line, t("import.col_action"): t(f"import.action.{row.action}"),
             **{t(label): _shown(row.values.get(name)) for name, label in columns.items()}}
            for row in sorted(preview.rows, key=lambda r: (r.action != REJECTED, r.line))[:PREVIEW_ROWS]]
    if rows:
        st.dataframe(rows, hide_index=True, width="stretch", key=f"preview_rows_{preview.kind}")
    if len(preview.rows) > PREVIEW_ROWS:
        st.caption(t("import.more_rows", count=len(preview.rows) - PREVIEW_ROWS))


def _lines(lines: tuple[int, ...]) -> str:
    """'—' for the file as a whole, '7' for one line, '20 行(2〜21 行目)' for a reason shared by many."""
    real = [line for line in lines if line]
    if not real:
        return "—"
    if len(real) == 1:
        return str(real[0])
    return t("import.lines", count=len(real), ranges=line_ranges(real))


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
    today = clock.today()
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
