"""Admin: set cohorts up (create, copy from an earlier cohort, stage calendar, reflection cut-off), assign
supervisors to trainees in bulk with the history kept, and the programme's days off. Reads/writes cohorts and
caseload; on a database without a programme, first offers to load the curriculum (ui/first_run.py)."""
from datetime import timedelta

import streamlit as st

from coordsupervise import clock
from coordsupervise.errors import UserError
from coordsupervise.office import imports
from coordsupervise.programme import caseload, cohorts, people
from coordsupervise.ui import first_run, state, tables
from coordsupervise.ui.admin import cohort_label, cohort_picker
from coordsupervise.ui.guard import require, show_error
from coordsupervise.ui.runtime import database, language, t
from coordsupervise.ui.widgets import form_done, form_key, jst

actor = require("admin")
db = database()
ja = language() == "ja"

st.title(t("nav.setup"))
first_run.offer_programme(db, actor)  # a database without a programme: offer one; the page stops here until then
if st.session_state.get("setup_notice"):
    st.success(st.session_state.pop("setup_notice"), icon=":material/check_circle:")
all_cohorts = imports.cohorts(db, actor)
cohorts_tab, caseload_tab, days_tab = st.tabs([t("setup.tab_cohorts"), t("setup.tab_caseload"),
                                               t("setup.tab_days_off")])


def calendar_inputs(base: str, calendar: dict) -> dict:
    """One date range per stage (a single day for the workshop days and the decision)."""
    out = {}
    for i, stage in enumerate(cohorts.STAGE_ORDER):
        if i % 2 == 0:
            cols = st.columns(2)  # a row per pair keeps the stages in order when a phone stacks the columns
        start, end = calendar[stage]
        picked = cols[i % 2].date_input(t(f"stage.{stage}"), value=(start, end), key=f"{base}_{stage}",
                                        format="YYYY/MM/DD")
        out[stage] = (picked[0], picked[-1]) if isinstance(picked, tuple) and picked else (start, end)
    return out


def only_practical_start_moved(current: dict, edited: dict) -> bool:
    """The person moved the practical stage's start and left the later stages as they were (its end untouched, or
    picked on the start's own day when only one day of the range was clicked): the later stages are to move too."""
    later = cohorts.STAGE_ORDER[cohorts.STAGE_ORDER.index("practical") + 1:]
    start, end = edited["practical"]
    return (start != current["practical"][0] and end in (current["practical"][1], start)
            and all(edited[s] == current[s] for s in later))


def span(dates: tuple) -> str:
    return dates[0].isoformat() if dates[0] == dates[1] else f"{dates[0].isoformat()} – {dates[1].isoformat()}"


def forget_calendar_fields(cohort_id: int) -> None:
    """After a save, the calendar's fields show what was saved (the later stages moved with the practical one),
    not what was typed before: their widget state is dropped, so they take the saved values on the rerun."""
    for stage in cohorts.STAGE_ORDER:
        st.session_state.pop(f"setup_edit_{cohort_id}_{stage}", None)


def due_date_preview(cohort_id: int, current: cohorts.CohortSetup, edited: cohorts.CohortSetup,
                     restaged: bool) -> None:
    """What saving changes, before it is saved: the later stages moved with the practical stage (when only its
    start was moved), the assignments' due dates moved with it, and any due date after the practical stage."""
    if restaged:
        st.info(t("setup.later_stages_moved"), icon=":material/date_range:")
        st.dataframe([{t("setup.col_stage"): t(f"stage.{s}"), t("setup.col_old_dates"): span(current.calendar[s]),
                       t("setup.col_new_dates"): span(edited.calendar[s])}
                      for s in cohorts.STAGE_ORDER if current.calendar[s] != edited.calendar[s]],
                     hide_index=True, width="stretch", key="setup_stage_preview")
    moves = cohorts.due_date_moves(db, actor, cohort_id, edited.calendar)
    old_start, new_start = current.calendar["practical"][0], edited.calendar["practical"][0]
    if moves:
        st.warning(t("setup.due_dates_move", old=old_start.isoformat(), new=new_start.isoformat(),
                     days=(new_start - old_start).days, count=len(moves)), icon=":material/event_repeat:")
        st.dataframe([{t("setup.col_assignment"): f"{m['code']} {m['title_ja'] if ja else m['title_en']}",
                       t("setup.col_old_due"): m["old_due"], t("setup.col_new_due"): m["new_due"]} for m in moves],
                     hide_index=True, width="stretch", key="setup_due_preview")
    late = cohorts.due_after_practical(db, actor, cohort_id, edited.calendar)
    if late:
        st.error(t("setup.due_after_practical", end=edited.calendar["practical"][1].isoformat(), count=len(late),
                   items="、".join(f"{a['code']}({a['due_on'].isoformat()})" for a in late) if ja
                   else ", ".join(f"{a['code']} ({a['due_on'].isoformat()})" for a in late)),
                 icon=":material/event_busy:")
    confirm, cancel = st.columns(2)
    if confirm.button(t("setup.confirm_move"), type="primary", key="setup_confirm_move"):
        try:
            cohorts.update_cohort(db, actor, cohort_id, edited)
        except UserError as exc:
            show_error(exc)
        else:
            st.session_state.pop(state.SETUP_PENDING, None)
            forget_calendar_fields(cohort_id)
            st.session_state["setup_notice"] = (t("setup.saved_moved", code=edited.code, count=len(moves)) if moves
                                                else t("setup.saved", code=edited.code))
            st.rerun()
    if cancel.button(t("setup.cancel_move"), key="setup_cancel_move"):
        st.session_state.pop(state.SETUP_PENDING, None)
        st.rerun()


with cohorts_tab:
    new_label = t("setup.new_cohort")
    choices = [0, *[c["id"] for c in all_cohorts]]  # 0: a new cohort
    by_id = {c["id"]: c for c in all_cohorts}
    if "setup_open" in st.session_state:  # a cohort just created opens at once
        st.session_state["setup_cohort_edit"] = st.session_state.pop("setup_open")
    picked = st.selectbox(t("setup.cohort"), choices, index=1 if all_cohorts else 0, key="setup_cohort_edit",
                          format_func=lambda cid: cohort_label(by_id[cid]) if cid else new_label)
    if not picked:
        base = form_key("setup_new")
        # outside the form: a new start re-proposes the whole calendar from it at once (as `cohort create
        # --online-start` does); the calendar's keys carry the start, so its fields take the new proposal
        start = st.date_input(t("setup.online_start"), value=clock.today() + timedelta(days=60),
                              key=f"{base}_online_start", format="YYYY/MM/DD", help=t("setup.online_start_hint"))
        proposed = cohorts.proposed_calendar(db, start)
        if proposed["online"][0] != start:
            off = cohorts.working_day_from(db, start)[1]
            name = (off[0] if ja else off[1]) if off else t("cli.weekend")
            st.caption(t("cli.day_off_moved", day=start.isoformat(), name=name, to=proposed["online"][0].isoformat()))
        with st.form(base):
            code = st.text_input(t("setup.code"), key=f"{base}_code", help=t("setup.code_hint"), max_chars=32)
            name_ja = st.text_input(t("setup.name_ja"), key=f"{base}_name_ja", max_chars=100)
            name_en = st.text_input(t("setup.name_en"), key=f"{base}_name_en", max_chars=100)
            copy_from = st.selectbox(t("setup.copy_from"), [None, *by_id], key=f"{base}_copy",
                                     format_func=lambda cid: t("setup.copy_defaults") if cid is None
                                     else cohort_label(by_id[cid]))
            cutoff = st.number_input(t("setup.cutoff"), 0, cohorts.MAX_CUTOFF_DAYS, 1, key=f"{base}_cutoff",
                                     help=t("setup.cutoff_hint"))
            st.markdown(f"**{t('setup.calendar')}**")
            calendar = calendar_inputs(f"{base}_{start.isoformat()}", proposed)
            create = st.form_submit_button(t("setup.create"), type="primary", key=f"{base}_submit")
        if create:
            try:
                setup = cohorts.CohortSetup(code.strip(), name_ja, name_en, calendar, int(cutoff))
                new_id = cohorts.create_cohort(db, actor, setup, copy_from=copy_from)
                form_done("setup_new")
                copied = cohorts.copy_summary(db, actor, new_id)
                source = by_id[copy_from]["code"] if copy_from else t("setup.copy_defaults")
                st.session_state["setup_notice"] = " ".join((t("setup.created", code=setup.code), t(
                    "setup.copied", source=source, count=copied["assignments"], all=copied["second_all"],
                    sample=copied["second_sample"])))
                st.session_state["setup_open"] = new_id
                st.rerun()
            except UserError as exc:
                show_error(exc)
    else:
        current = cohorts.setup_of(db, actor, picked)
        base = f"setup_edit_{picked}"
        with st.form(base):
            st.text_input(t("setup.code"), value=current.code, disabled=True, key=f"{base}_code",
                          max_chars=max(32, len(current.code)))
            name_ja = st.text_input(t("setup.name_ja"), value=current.name_ja, key=f"{base}_name_ja", max_chars=100)
            name_en = st.text_input(t("setup.name_en"), value=current.name_en, key=f"{base}_name_en", max_chars=100)
            cutoff = st.number_input(t("setup.cutoff"), 0, cohorts.MAX_CUTOFF_DAYS, current.reflection_cutoff_days,
                                     key=f"{base}_cutoff", help=t("setup.cutoff_hint"))
            st.markdown(f"**{t('setup.calendar')}**")
            calendar = calendar_inputs(base, current.calendar)
            save = st.form_submit_button(t("setup.save"), type="primary", key=f"{base}_submit")
        if save:
            restaged = only_practical_start_moved(current.calendar, calendar)
            if restaged:  # as `cohort move` does: the later stages move with the practical stage, on working days
                calendar = cohorts.moved_calendar(db, {**calendar, "practical": current.calendar["practical"]},
                                                  "practical", calendar["practical"][0])
            edited = cohorts.CohortSetup(current.code, name_ja, name_en, calendar, int(cutoff))
            st.session_state.pop(state.SETUP_PENDING, None)
            try:
                cohorts.check_setup(edited)
                if (restaged or cohorts.due_date_moves(db, actor, picked, calendar)
                        or cohorts.due_after_practical(db, actor, picked, calendar)):  # shown below, then confirmed
                    st.session_state[state.SETUP_PENDING] = (picked, edited, restaged)
                else:
                    cohorts.update_cohort(db, actor, picked, edited)
                    forget_calendar_fields(picked)
                    st.session_state["setup_notice"] = t("setup.saved", code=current.code)
                    st.rerun()
            except UserError as exc:
                show_error(exc)
        pending = st.session_state.get(state.SETUP_PENDING)
        if pending and pending[0] == picked:
            due_date_preview(picked, current, pending[1], pending[2])
        st.markdown(f"**{t('setup.assignments')}**")
        st.dataframe([{t("setup.col_seq"): a["seq"], t("setup.col_assignment"): a["title_ja"] if ja else a["title_en"],
                       t("setup.col_kind"): t(f"setup.kind.{a['kind']}"), t("setup.col_due"): a["due_on"],
                       t("setup.col_critical"): a["certification_critical"]}
                      for a in cohorts.assignment_list(db, actor, picked)],
                     hide_index=True, width="stretch", key="setup_assignments")

with caseload_tab:
    cohort = cohort_picker(all_cohorts, "setup_caseload_cohort")
    if cohort is not None:
        frame = caseload.caseload(db, actor, cohort["id"])
        supervisors = people.staff(db, actor, "supervisor")
        sup_names = {s["id"]: f"{s['display_name']}({s['username']})" for s in supervisors}
        # the hint stands apart from the table so the table's toolbar cannot cover it
        st.info(t("setup.caseload_hint"), icon=":material/touch_app:")
        everyone = st.checkbox(t("setup.select_all", total=len(frame)), key=f"setup_caseload_all_{cohort['id']}")
        # rows are ticked with one click (the table's own row selection), not through an editable cell
        # the name pinned, the supervisors (what this table changes) next to it, in view on a phone too
        table = frame[["display_name", "supervisors", "username", "organisation"]]
        picked_rows = st.dataframe(
            table, hide_index=True, width="stretch", key=f"setup_caseload_table_{cohort['id']}",
            on_select="rerun", selection_mode="multi-row",
            column_config={"display_name": tables.pinned_name(t("admin.col_name")),
                           "supervisors": st.column_config.TextColumn(t("setup.col_supervisors"),
                                                                      width=tables.SUPERVISORS_WIDTH),
                           "username": t("admin.col_username"), "organisation": t("setup.col_organisation")})
        rows = range(len(frame)) if everyone else picked_rows.selection.rows
        selected = [int(frame["enrolment_id"].iloc[i]) for i in rows]
        st.caption(t("setup.selected", count=len(selected), total=len(frame)))
        with st.form(f"setup_assign_{cohort['id']}"):
            chosen = st.multiselect(t("setup.supervisors"), list(sup_names), format_func=sup_names.get,
                                    key=f"setup_assign_sups_{cohort['id']}", placeholder=t("setup.supervisors_hint"))
            mode = st.radio(t("setup.mode"), ["add", "replace", "remove"], horizontal=True,
                            format_func=lambda m: t(f"setup.mode.{m}"), key=f"setup_assign_mode_{cohort['id']}")
            reason = st.text_input(t("setup.reason"), key=f"setup_assign_reason_{cohort['id']}",
                                   max_chars=caseload.REASON_MAX)
            apply = st.form_submit_button(t("setup.apply"), type="primary", key=f"setup_apply_{cohort['id']}")
        if apply:
            try:
                if mode == "remove":
                    changed = caseload.unassign(db, actor, selected, chosen, reason)
                else:
                    changed = caseload.assign(db, actor, selected, chosen, replace=mode == "replace", reason=reason)
                st.session_state["setup_notice"] = t("setup.assigned", count=changed)
                st.rerun()
            except UserError as exc:
                show_error(exc)
        with st.expander(t("setup.load")):
            load = caseload.load_by_supervisor(db, actor, cohort["id"])
            st.dataframe(load[["display_name", "username", "trainees"]], hide_index=True, width="stretch",
                         column_config={"display_name": t("admin.col_name"), "username": t("admin.col_username"),
                                        "trainees": t("setup.col_trainees")}, key="setup_load")
        with st.expander(t("setup.history")):
            names = dict(zip(frame["enrolment_id"], frame["display_name"], strict=True))
            who = st.selectbox(t("setup.trainee"), list(names), format_func=names.get, index=None,
                               key="setup_history_trainee")
            if who is not None:
                st.dataframe([{t("setup.col_supervisor"): h["supervisor"], t("setup.col_from"): jst(h["starts_at"]),
                               t("setup.col_until"): jst(h["ends_at"]) or t("setup.now"),
                               t("setup.col_changed_by"): h["ended_by"] or h["started_by"] or "",
                               t("setup.reason"): h["reason"] or ""}
                              for h in caseload.history(db, actor, int(who))],
                             hide_index=True, width="stretch", key="setup_history_table")

with days_tab:
    st.caption(t("setup.days_off_hint"))
    today = clock.today()
    base = form_key("setup_day_off")
    with st.form(base):
        c1, c2, c3 = st.columns([1, 2, 2])
        day = c1.date_input(t("setup.day"), value=today, key=f"{base}_day", format="YYYY/MM/DD")
        name_ja = c2.text_input(t("setup.day_name_ja"), key=f"{base}_name_ja", max_chars=100)
        name_en = c3.text_input(t("setup.day_name_en"), key=f"{base}_name_en", max_chars=100)
        add = st.form_submit_button(t("setup.add_day_off"), key=f"{base}_submit")
    if add:
        try:
            cohorts.add_programme_day_off(db, actor, day, name_ja, name_en)
            form_done("setup_day_off")
            st.session_state["setup_notice"] = t("setup.day_off_added", day=day.isoformat())
            st.rerun()
        except UserError as exc:
            show_error(exc)
    own = cohorts.programme_days_off(db, actor)
    if own:
        st.markdown(f"**{t('setup.programme_days_off')}**")
        st.dataframe([{t("setup.day"): d["day"], t("setup.day_name"): d["name_ja"] if ja else d["name_en"]}
                      for d in own], hide_index=True, width="stretch", key="setup_days_off_list")
        remove = st.selectbox(t("setup.remove_day_off"), [d["day"] for d in own], index=None,
                              key="setup_day_off_remove")
        if remove is not None and st.button(t("setup.remove"), key="setup_day_off_remove_button"):
            try:
                cohorts.remove_programme_day_off(db, actor, remove)
                st.session_state["setup_notice"] = t("setup.day_off_removed", day=remove.isoformat())
                st.rerun()
            except UserError as exc:
                show_error(exc)
    st.markdown(f"**{t('setup.public_holidays', year=today.year)}**")
    holidays = cohorts.days_off(db, today, today + timedelta(days=365))
    st.dataframe([{t("setup.day"): d, t("setup.day_name"): names[0] if ja else names[1]}
                  for d, names in sorted(holidays.items())],
                 hide_index=True, width="stretch", key="setup_holidays")
