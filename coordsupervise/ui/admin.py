"""Screen pieces of the programme office: the import preview, the cohort picker, the supervisors' day-off
correction shown on /trainee, and the encrypted backup download of /admin."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from .. import clock
from ..access import enrolment_relation
from ..errors import UserError
from ..office import backup
from ..office.tabular import ACTIONS, REJECTED, Preview, grouped_errors, line_ranges
from ..practice.reflections import DAY_OFF_REASONS
from ..programme import caseload
from ..text.usertext import literal, literal_values
from . import downloads, state
from .guard import show_error
from .runtime import language, t
from .tables import ACTION_WIDTH, LINE_WIDTH, pinned_name
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
    reason), and the rows with their action. `columns` maps value names to catalogue keys of their headers; the
    first names the row (the person, or the login ID) and is pinned."""
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
    # the first of `columns` names the row: pinned, then the action and the file's line, in view on any screen
    (lead, lead_label), *rest = columns.items()
    rows = [{t(lead_label): _shown(row.values.get(lead)), t("import.col_action"): t(f"import.action.{row.action}"),
             t("import.col_line"): row.line, **{t(label): _shown(row.values.get(name)) for name, label in rest}}
            for row in sorted(preview.rows, key=lambda r: (r.action != REJECTED, r.line))[:PREVIEW_ROWS]]
    if rows:
        st.dataframe(rows, hide_index=True, width="stretch", key=f"preview_rows_{preview.kind}", column_config={
            t(lead_label): pinned_name(t(lead_label)),
            t("import.col_action"): st.column_config.TextColumn(width=ACTION_WIDTH),
            t("import.col_line"): st.column_config.NumberColumn(width=LINE_WIDTH)})
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
    # the form and the days marked are drawn (and read) only while it is open: opening it reruns the profile
    box = st.expander(t("dayoff.title"), icon=":material/event_busy:", key=f"trainee_dayoff_open_{enrolment.id}",
                      on_change="rerun")
    if not box.open:
        return
    with box:
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


def backup_panel(db, actor) -> None:
    """The backup download of /admin: a snapshot of the whole database (every person's data and password hashes)
    leaves the server only as an AES-256 ZIP under a passphrase typed twice; without one there is no download
    button. The prepared file is offered once (ui/downloads.py)."""
    st.caption(t("admin.backup_hint"))
    st.info(t("downloads.backup_how_to_open"), icon=":material/lock:")
    if st.session_state.get(state.ADMIN_BACKUP_TAKEN) is not None:
        st.success(t("downloads.backup_taken"), icon=":material/check_circle:")
    # the passphrase boxes appear only when asked for: a password field on /admin's first view draws the browser's
    # password manager (which would offer the admin's own login password as the passphrase)
    if not st.toggle(t("downloads.backup_start"), key="admin_backup_start") and not st.session_state.get(
            state.ADMIN_BACKUP):
        return
    with st.form("admin_backup_form", clear_on_submit=True):  # the passphrase is not kept in the form
        first = st.text_input(t("downloads.passphrase"), type="password", key="admin_backup_passphrase",
                              max_chars=backup.PASSPHRASE_MAX_CHARS, autocomplete="new-password",
                              help=t("downloads.passphrase_help", minimum=backup.PASSPHRASE_MIN_CHARS))
        again = st.text_input(t("downloads.passphrase_again"), type="password", key="admin_backup_passphrase_again",
                              max_chars=backup.PASSPHRASE_MAX_CHARS, autocomplete="new-password")
        prepare = st.form_submit_button(t("admin.backup_prepare"), key="admin_backup_prepare",
                                        icon=":material/backup:")
    if prepare:
        # a new request replaces a file not yet downloaded
        st.session_state.pop(state.ADMIN_BACKUP, None)
        st.session_state.pop(state.ADMIN_BACKUP_TAKEN, None)
        if not first and not again:
            st.error(t("downloads.passphrase_required"))
        elif first != again:
            st.error(t("downloads.passphrase_mismatch"))
        else:
            try:
                now = clock.now_utc()
                st.session_state[state.ADMIN_BACKUP] = (backup.download_name(now, db.engine),
                                                        backup.backup_bytes(db, actor, first, now))
            except UserError as exc:
                show_error(exc)
    prepared = st.session_state.get(state.ADMIN_BACKUP)
    if prepared:
        name, data = prepared
        st.success(t("downloads.backup_ready"), icon=":material/lock:")
        st.download_button(t("admin.backup_download", size=f"{len(data) / 1024 / 1024:.1f} MB"), data,
                           file_name=name, mime="application/zip", key="admin_backup_download",
                           icon=":material/download:", on_click=downloads.once(state.ADMIN_BACKUP,
                                                                                state.ADMIN_BACKUP_TAKEN, {}))
