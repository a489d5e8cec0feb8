"""Screen pieces of /workshop: the attendance table, the discussion groups, the test scores and the importers."""
from __future__ import annotations

import math
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

from ..certification import workshop, workshop_import
from ..errors import UserError
from ..office import exports
from ..text.usertext import literal, literal_values
from . import before_stage, state
from .guard import show_error
from .library import workshop_case_set
from .runtime import language, t
from .widgets import form_done, form_key

JST = ZoneInfo("Asia/Tokyo")


def _done(key: str, **params) -> None:
    """Remember what was recorded (shown once on the next run) and redraw."""
    st.session_state[state.CLOSING_NOTICE] = (key, params)
    st.rerun()


def _status_labels() -> dict[str | None, str]:
    """Each attendance status in words, and a day not recorded yet as 未記録 (a cell never reads a raw None)."""
    return {None: t("workshop.status_unrecorded"), **{s: t(f"workshop.status_{s}") for s in workshop.STATUSES}}


def attendance_view(roster: pd.DataFrame, labels: dict[str | None, str]) -> pd.DataFrame:
    """The attendance table as edited: statuses in words, notes as text, no empty (None) cell."""
    def shown(statuses):
        return [labels.get(s if isinstance(s, str) else None, labels[None]) for s in statuses]

    def notes(values):
        return [v if isinstance(v, str) else "" for v in values]

    return pd.DataFrame({
        "enrolment_id": roster["enrolment_id"], "name": roster["name"], "organisation": roster["organisation"],
        "day1": shown(roster["day1"]), "day1_note": notes(roster["day1_note"]),
        "day2": shown(roster["day2"]), "day2_note": notes(roster["day2_note"]),
    })


def attendance_editor(db, actor, cohort: dict, roster: pd.DataFrame) -> None:
    """Both days for the whole cohort in one table; one save writes every changed cell (all or nothing)."""
    labels = _status_labels()
    back = {v: k for k, v in labels.items()}  # 未記録 maps to None: not written
    day1, day2 = cohort_days(db, cohort)
    st.caption(t("workshop.attendance_hint", day1=day1.isoformat(), day2=day2.isoformat()))
    view = attendance_view(roster, labels)
    options = list(labels.values())
    with st.form(form_key(f"workshop_attendance_{cohort['id']}")):
        edited = st.data_editor(
            view, hide_index=True, width="stretch", num_rows="fixed", key="workshop_attendance_table",
            disabled=["enrolment_id", "name", "organisation"], height=min(38 + 35 * len(view), 740),
            column_order=["name", "day1", "day1_note", "day2", "day2_note", "organisation"],
            column_config={
                "name": t("workshop.col_trainee"), "organisation": t("workshop.col_organisation"),
                "day1": st.column_config.SelectboxColumn(t("workshop.col_day1"), options=options),
                "day1_note": st.column_config.TextColumn(t("workshop.col_note1"), max_chars=500),
                "day2": st.column_config.SelectboxColumn(t("workshop.col_day2"), options=options),
                "day2_note": st.column_config.TextColumn(t("workshop.col_note2"), max_chars=500)})
        saved = st.form_submit_button(t("workshop.save_attendance"), type="primary")
    place = f"workshop_attendance_{cohort['id']}"
    if saved:
        entries = [workshop.Attendance(int(row.enrolment_id), day, back.get(getattr(row, f"day{day}")),
                                       getattr(row, f"day{day}_note") or "")
                   for row in edited.itertuples() for day in workshop.DAYS]

        def done(changed):
            form_done(place)
            _done("workshop.saved", count=changed)

        before_stage.save_or_ask(place, lambda confirmed: workshop.record_attendance(
            db, actor, cohort["id"], entries, confirmed_early=confirmed), done)
    before_stage.ask(place)


def cohort_days(db, cohort: dict):
    from ..programme.cohorts import calendars

    calendar = calendars(db, [cohort["id"]])[cohort["id"]]
    return calendar["workshop_day1"][0], calendar["workshop_day2"][0]


def test_score_editor(db, actor, cohort: dict, roster: pd.DataFrame) -> None:
    """The certification test (attempt 1) or its retake (attempt 2) for the whole cohort; empty cells are left
    alone; every change of a score is audited."""
    _, day2 = cohort_days(db, cohort)
    c1, c2 = st.columns(2)
    attempt = c1.radio(t("workshop.attempt"), (1, 2), horizontal=True, key="workshop_attempt",
                       format_func=lambda n: t(f"workshop.attempt_{n}"))
    taken_on = c2.date_input(t("workshop.taken_on"), value=day2, key="workshop_taken_on")
    column = f"test{attempt}"
    view = pd.DataFrame({"enrolment_id": roster["enrolment_id"], "name": roster["name"],
                         "organisation": roster["organisation"], "score": roster[column]})
    with st.form(form_key(f"workshop_test_{cohort['id']}_{attempt}")):
        edited = st.data_editor(
            view, hide_index=True, width="stretch", num_rows="fixed", key=f"workshop_test_table_{attempt}",
            disabled=["enrolment_id", "name", "organisation"], column_order=["name", "score", "organisation"],
            height=min(38 + 35 * len(view), 740),
            column_config={"name": t("workshop.col_trainee"), "organisation": t("workshop.col_organisation"),
                           "score": st.column_config.NumberColumn(t("workshop.col_score"), min_value=0,
                                                                  max_value=100, step=1, format="%.0f")})
        saved = st.form_submit_button(t("workshop.save_scores"), type="primary")
    if saved:
        scores = {int(row.enrolment_id): None if row.score is None or (isinstance(row.score, float)
                                                                        and math.isnan(row.score)) else float(row.score)
                  for row in edited.itertuples()}
        taken_at = datetime.combine(taken_on, time(15), JST).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)

        def done(changed):
            form_done(f"workshop_test_{cohort['id']}_{attempt}")
            _done("workshop.saved", count=changed)

        before_stage.save_or_ask(f"workshop_test_{cohort['id']}", lambda confirmed: workshop.record_test_scores(
            db, actor, cohort["id"], scores, attempt, taken_at, confirmed_early=confirmed), done)
    before_stage.ask(f"workshop_test_{cohort['id']}")


def groups_view(db, actor, cohort: dict, roster: pd.DataFrame) -> None:
    """The day's groups: make them (seeded), lock, move people, print. Those marked absent for the day are left
    out, and a number of people with no split into 5-7 is explained rather than flagged on every group."""
    day = st.radio(t("workshop.group_day"), workshop.DAYS, horizontal=True, key="workshop_group_day",
                   format_func=lambda d: t(f"workshop.day_{d}"))
    found = workshop.groups(db, actor, cohort["id"], day)
    c1, c2 = st.columns([1, 2])
    seed = c1.number_input(t("workshop.seed"), min_value=0, max_value=99999, value=int(cohort["id"]) * 10 + day,
                           step=1, key=f"workshop_seed_{day}", help=t("workshop.seed_help"))
    c2.write("")
    label = t("workshop.make_again") if found else t("workshop.make_groups")
    if c2.button(label, key=f"workshop_make_{day}", type="secondary" if found else "primary",
                 icon=":material/shuffle:"):
        try:
            count = workshop.make_groups(db, actor, cohort["id"], day, int(seed))
        except UserError as exc:
            show_error(exc)
        else:
            _done("workshop.groups_made", count=count)
    if not found:
        st.caption(t("workshop.no_groups"))
        return
    st.caption(t("workshop.groups_rules"))
    absent = int((roster[f"day{day}"] == "absent").sum())
    if absent:
        st.caption(t("workshop.groups_absent_left_out", count=absent))
    note = workshop.size_note(found)
    if note is not None:
        st.info(t(note[0], **note[1]), icon=":material/info:")
    warnings = workshop.group_warnings(found)
    columns = st.columns(2)
    for i, group in enumerate(found):
        with columns[i % 2].container(border=True):
            head = t("workshop.group_title", seq=group.seq, count=len(group.members))
            if group.locked:
                head += f" · :blue-badge[:material/lock: {t('workshop.locked')}]"
            st.markdown(f"**{head}**")
            for note in warnings.get(group.seq, []):
                st.caption(f":orange[{t(note)}]")
            st.dataframe(group.members[["name", "organisation", "region"]], hide_index=True, width="stretch",
                         column_config={"name": t("workshop.col_trainee"),
                                        "organisation": t("workshop.col_organisation"),
                                        "region": st.column_config.TextColumn(t("workshop.col_region"),
                                                                              width="medium")})
            if st.toggle(t("workshop.lock"), value=group.locked, key=f"workshop_lock_{day}_{group.id}") != group.locked:
                workshop.set_locked(db, actor, cohort["id"], group.id, not group.locked)
                st.rerun()
    _move_form(db, actor, cohort, day, found)
    case_set = workshop_case_set(db, actor, cohort, day)  # the library's cases the groups discuss
    st.download_button(t("workshop.print_groups"), groups_page(cohort, day, found, case_set).encode("utf-8"),
                       file_name=f"groups-{cohort['code']}-day{day}.html", mime="text/html",
                       key=f"workshop_print_{day}", icon=":material/print:")


def _move_form(db, actor, cohort: dict, day: int, found: list) -> None:
    people = {int(m.enrolment_id): (m.name, g.seq) for g in found for m in g.members.itertuples()}
    with st.form(form_key(f"workshop_move_{day}")):
        st.markdown(f"**{t('workshop.move')}**")
        c1, c2 = st.columns(2)
        who = c1.selectbox(t("workshop.move_who"), list(people), key=f"workshop_move_who_{day}",
                           format_func=lambda e: t("workshop.move_person", name=people[e][0], seq=people[e][1]))
        target = c2.selectbox(t("workshop.move_to"), [g.id for g in found], key=f"workshop_move_to_{day}",
                              format_func=lambda gid: t("workshop.group_name",
                                                        seq=next(g.seq for g in found if g.id == gid)))
        moved = st.form_submit_button(t("workshop.move_button"))
    if moved:
        try:
            workshop.move_member(db, actor, cohort["id"], day, who, target)
        except UserError as exc:
            show_error(exc)
        else:
            form_done(f"workshop_move_{day}")
            _done("workshop.moved", name=literal(people[who][0]))


def groups_page(cohort: dict, day: int, found: list, case_set: list[dict] = ()) -> str:
    """Group lists to print and hand out (escaped, self-contained), with the library cases they discuss."""
    ja = language() == "ja"
    title = f"{cohort['name_ja'] if ja else cohort['name_en']} — {t(f'workshop.day_{day}')} {t('workshop.tab_groups')}"
    sections = [(t("workshop.group_title", seq=g.seq, count=len(g.members)),
                 [(m.name, f"{m.organisation} ({m.region})") for m in g.members.itertuples()]) for g in found]
    sections += [(f"{t('library.case_set')} {n}. {c['title']}",
                  [(t("library.field.situation"), c["situation"]), (t("library.field.lessons"), c["lessons"])])
                 for n, c in enumerate(case_set, start=1)]
    return exports.printable_page(title, sections)


def import_panel(db, actor, cohort: dict, kind: str) -> None:
    """Upload a CSV or XLSX, see every row's plan and reasons, then import all rows or none."""
    schema = workshop_import.ATTENDANCE if kind == "attendance" else workshop_import.TEST_SCORES
    _, day2 = cohort_days(db, cohort)
    with st.expander(t(f"workshop.import_{kind}"), icon=":material/upload_file:"):
        st.caption(t(f"workshop.import_{kind}_help"))
        template = pd.DataFrame(schema.template_rows(language())[1:], columns=schema.header(language()))
        st.download_button(t("workshop.template"), exports.csv_bytes(template), file_name=f"{kind}-template.csv",
                           mime="text/csv", key=f"workshop_template_{kind}")
        upload = st.file_uploader(t("workshop.import_file"), type=["csv", "xlsx"], key=f"workshop_upload_{kind}")
        if upload is None:
            return
        data = upload.getvalue()
        if kind == "attendance":
            preview = workshop_import.preview_attendance(db, actor, cohort["id"], data, upload.name)
        else:
            preview = workshop_import.preview_test_scores(db, actor, cohort["id"], data, upload.name, day2)
        counts = preview.counts
        st.markdown(" · ".join(f"{t(f'workshop.import_{action}')} **{n}**" for action, n in counts.items()))
        for error in preview.errors[:50]:
            where = t("workshop.import_line", line=error.line) if error.line else t("workshop.import_file_level")
            st.caption(f":red[{where} {literal(error.column)}: {t(error.key, **literal_values(error.params))}]")
        if not preview.committable:
            st.error(t("workshop.import_refused"))
            return
        if st.button(t("workshop.import_commit", count=counts["created"] + counts["updated"]), type="primary",
                     key=f"workshop_import_{kind}", disabled=not preview.changes):
            def commit(confirmed: bool) -> int:
                if kind == "attendance":
                    return workshop_import.commit_attendance(db, actor, cohort["id"], data, upload.name,
                                                             confirmed_early=confirmed)
                return workshop_import.commit_test_scores(db, actor, cohort["id"], data, upload.name, day2,
                                                          confirmed_early=confirmed)

            before_stage.save_or_ask(f"workshop_import_{kind}", commit, lambda changed: _done("workshop.saved",
                                                                                               count=changed))
        before_stage.ask(f"workshop_import_{kind}")
