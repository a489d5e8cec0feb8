"""Supervisor (and manager, read-only): one trainee on one screen. Stage, reflection calendar, reflections with
feedback as a timeline, flags, online results, assignments, private notes; CSV and printable exports.
?e=<enrolment id> keeps the page bookmarkable."""
import streamlit as st

from coordsupervise import clock
from coordsupervise.certification import certification
from coordsupervise.errors import UserError
from coordsupervise.office import exports
from coordsupervise.practice import assignments, progress, reflections, supervision
from coordsupervise.programme import cohorts, enrolments
from coordsupervise.text.limits import QUERY_LIMIT
from coordsupervise.text.textnorm import strip_bidi
from coordsupervise.text.usertext import literal
from coordsupervise.ui import progress as progress_view
from coordsupervise.ui.admin import supervisor_day_off
from coordsupervise.ui.certification import checklist_lagging
from coordsupervise.ui.cohorts import caseload_risk, trainee_cohorts, trainee_directory
from coordsupervise.ui.flags import draft_box, flag_card, raise_flag_form
from coordsupervise.ui.guard import require, show_error
from coordsupervise.ui.keep_typing import keep_typing
from coordsupervise.ui.reading import competency_tags
from coordsupervise.ui.results import module_results_table
from coordsupervise.ui.runtime import database, language, t
from coordsupervise.ui.widgets import (
    checklist_view,
    jst,
    link,
    thread_view,
    user_markdown,
)

actor = require("supervisor", "manager")
db = database()
ja = language() == "ja"
st.title(t("nav.trainee"))
# the supervisor's own trainees at risk, each linked to their profile; folded when a profile was asked for (?e=)
caseload_risk(actor, clock.today(), open_when_at_risk="e" not in st.query_params)

# any trainee the actor may open, in every cohort: a name (kanji or kana, with or without the space) and a cohort
cohort_names = {c["cohort_id"]: c["cohort"] for c in trainee_cohorts(actor)}  # rosters: cached by content stamp
try:
    cohort_filter = int(st.query_params.get("cohort", ""))
except ValueError:
    cohort_filter = None
f1, f2 = st.columns([3, 2])
query = f1.text_input(t("profile.find"), key="trainee_find", placeholder=t("profile.find_hint"),
                      max_chars=QUERY_LIMIT)
cohort_options = [None, *cohort_names]
cohort_filter = f2.selectbox(t("inbox.cohort"), cohort_options, key="trainee_cohort",
                             index=cohort_options.index(cohort_filter) if cohort_filter in cohort_names else 0,
                             format_func=lambda c: t("inbox.all") if c is None else cohort_names[c],
                             placeholder=t("firsthour.choose"))
if cohort_filter is None:
    st.query_params.pop("cohort", None)
elif st.query_params.get("cohort") != str(cohort_filter):
    st.query_params["cohort"] = str(cohort_filter)
people = trainee_directory(actor, clock.today(), query, cohort_filter)
ids = [p["enrolment_id"] for p in people]
try:
    wanted = int(st.query_params.get("e", ""))
except ValueError:
    wanted = None
if (query or cohort_filter) and wanted not in ids:
    wanted = None  # a search picks from its matches; the bookmarked trainee applies without one
if wanted is not None and wanted not in ids:
    try:  # a bookmarked trainee outside the first matches: still open it if the actor may see them
        enrolments.load(db, actor, wanted)
        ids.insert(0, wanted)
        people.insert(0, next(p for p in trainee_directory(actor, clock.today()) if p["enrolment_id"] == wanted))
    except (UserError, StopIteration):
        wanted = None
if not ids:
    st.info(t("profile.nobody"))
    st.stop()
labels = {p["enrolment_id"]: strip_bidi(f"{p['display_name']}({p['display_name_kana'] or ''}) · {p['cohort']}")
          for p in people}
chosen = st.selectbox(t("profile.trainee"), ids, index=ids.index(wanted) if wanted in ids else 0,
                      format_func=lambda e: labels[e], key="trainee_pick", placeholder=t("firsthour.choose"))
if str(chosen) != st.query_params.get("e"):
    st.query_params["e"] = str(chosen)

try:
    enrolment = enrolments.load(db, actor, chosen)
except UserError as exc:
    show_error(exc)
    st.stop()
relation = enrolments.relation(db, actor, enrolment.id)
can_write = "supervised" in relation
today = clock.today()

stage = cohorts.current_stage(enrolment.calendar, today)
st.subheader(literal(enrolment.trainee_name))
st.caption(f"{literal(enrolment.cohort_name_ja if ja else enrolment.cohort_name_en)} · {t(f'stage.{stage}')}"
           + ("" if can_write else f" · {t('profile.read_only')}"))

all_flags = supervision.flags(db, actor, enrolment.id)
open_flags = [f for f in all_flags if f["resolved_at"] is None]
statuses = reflections.calendar(db, actor, enrolment, today)
done, expected = certification.reflection_rate(statuses)
k1, k2, k3 = st.columns(3)
if expected:
    k1.metric(t("profile.reflection_rate"), f"{round(100 * done / expected)}% ({done}/{expected})")
elif today < enrolment.practical[0]:  # nothing expected yet: not a rate of zero
    k1.metric(t("profile.reflection_rate"), t("firsthour.practical_not_started"),
              help=t("firsthour.practical_starts", start=enrolment.practical[0].strftime("%Y/%m/%d")))
else:
    k1.metric(t("profile.reflection_rate"), "—")
k3.metric(t("flag.title"), len(open_flags))

if can_write:
    keep_typing("trainee_keep_typing")  # flags and notes: what is typed is kept after each pause in typing
# Only the open tab is drawn (a tab switch reruns the page), as on /cohort: a profile's run reads one tab, not five.
tab_reflections, tab_flags, tab_results, tab_notes, tab_export = st.tabs(
    [t("profile.tab_reflections"), t("profile.tab_flags"), t("profile.tab_results"), t("profile.tab_notes"),
     t("profile.tab_export")], key="trainee_tab", on_change="rerun")

if tab_reflections.open:
    with tab_reflections:
        if statuses:
            st.markdown(f"**{t('progress.calendar')}**")
            progress_view.practice_calendar(statuses)
        supervisor_day_off(db, actor, enrolment)  # the trainee's own supervisor only
        page_size = 10
        page_key = f"trainee_page_{enrolment.id}"  # each trainee's timeline starts on its first page
        page_no = st.session_state.get(page_key, 1)
        rows, total = supervision.timeline(db, actor, enrolment.id, page_size, (page_no - 1) * page_size)
        # a reflection's text and thread are drawn (and its thread read) only while it is open: opening one reruns
        # the profile, as a tab does; ten folded reflections with their threads were a fifth of every click
        boxes = []
        for row in rows:
            head = f"{row['practice_date']:%Y/%m/%d} · {t('inbox.version', version=row['version'])}"
            if row["late"]:
                head += " · " + t("assignment.late")
            head += " · " + t("polish.comments", count=row["messages"])
            boxes.append(st.expander(head, icon=":material/chat:" if row["messages"] else None,
                                     key=f"trainee_reflection_{row['id']}", on_change="rerun"))
        opened = [(row, box) for row, box in zip(rows, boxes, strict=True) if box.open]
        messages = reflections.threads(db, actor, enrolment.id, [row["id"] for row, _ in opened]) if opened else {}
        for row, box in opened:
            with box:
                competency_tags(row["competencies"])
                st.markdown(f"**{t('reflection.field.goal')}**")
                st.text(row["goal"] or "—")
                st.markdown(f"**{t('reflection.field.event')}**")
                st.text(row["event"] or "—")
                st.markdown(f"**{t('reflection.field.insight')}**")
                st.text(row["insight"] or "—")
                st.markdown(f"**{t('reflection.field.try_text')}**")
                st.text(row["try_text"] or "—")
                thread_view(messages[row["id"]])
                if can_write:
                    link("inbox", t("profile.answer"), ":material/reply:", {"r": str(row["id"])})
        pages = max(1, -(-total // page_size))
        p1, p2, p3 = st.columns([1, 2, 1])
        if p1.button(t("inbox.prev_page"), key="trainee_prev", disabled=page_no <= 1):
            st.session_state[page_key] = page_no - 1
            st.rerun()
        p2.caption(t("inbox.showing", total=total, page=page_no, pages=pages))
        if p3.button(t("inbox.next_page"), key="trainee_next", disabled=page_no >= pages):
            st.session_state[page_key] = page_no + 1
            st.rerun()

if tab_flags.open:
    with tab_flags:
        if not all_flags:
            st.caption(t("flag.open_none"))
        for f in all_flags:
            flag_card(db, actor, f, "trainee", can_write)
        if can_write:
            raise_flag_form(db, actor, enrolment.id, f"trainee_flag_{enrolment.id}")

checks = None
if tab_results.open:
    checks = certification.checklist(db, actor, enrolment, today)  # counted afresh where it is read in full
    with tab_results:
        checklist_view(checks, cohorts.modules(db, enrolment.cohort_id))
        module_results_table(progress.module_results(db, actor, enrolment))
        st.dataframe(
            [{t("assignment.col_state"): t(f"assignment.state.{a.state}"),
              t("assignment.weighted_level"): (lambda s: "" if s is None else f"{s.weighted_level:.2f}")(
                  assignments.released_score(db, actor, enrolment, a.id)),
              t("assignment.col_title"): f"{a.code} {a.title_ja if ja else a.title_en}"}
             for a in assignments.for_enrolment(db, actor, enrolment, today)], hide_index=True, width="stretch")

if tab_notes.open:
    with tab_notes:
        st.caption(t("profile.notes_private"))
        if can_write:  # the note typed is kept as a draft (after every pause, keep_typing below) until it is added
            note_key = f"trainee_note_{enrolment.id}"
            note = draft_box(db, actor, "note", enrolment.id, note_key, st.text_area, t("profile.note"))
            if st.button(t("profile.add_note"), key=f"trainee_add_note_{enrolment.id}"):
                try:
                    supervision.add_note(db, actor, enrolment.id, note)
                    st.session_state.pop(note_key, None)
                    st.rerun()
                except UserError as exc:
                    show_error(exc)
        for n in supervision.notes(db, actor, enrolment.id):
            with st.container(border=True):
                st.caption(f"{jst(n['created_at'])} · {literal(n['author'])}")
                user_markdown(n["body_md"])

if tab_export.open:
    with tab_export:
        # the files are made when asked for (callables run on the click, which does not rerun the page), not on
        # every run of the profile
        headers = {name: t(f"reflection.field.{name}") for name in reflections.TEXT_LIMITS}
        headers.update({name: t(f"export.{name}") for name in ("practice_date", "version", "late", "case_count",
                                                               "self_rating", "competencies", "feedback_author",
                                                               "feedback_at", "feedback")})
        late_label, title = t("assignment.late"), f"{enrolment.trainee_name} — {t('nav.reflection')}"
        field_labels = {name: t(f"reflection.field.{name}") for name in
                        ("goal", "event", "feelings", "keep_text", "problem", "analysis", "insight", "try_text")}

        def record_csv() -> bytes:
            record = exports.trainee_record(db, actor, enrolment.id)
            readable = record.assign(late=record["late"].map({True: late_label, False: ""}))
            return exports.csv_bytes(readable.rename(columns=headers))

        def record_page() -> bytes:
            sections = []
            for day, group in exports.trainee_record(db, actor, enrolment.id).groupby("practice_date", sort=True):
                first = group.iloc[0]
                items = [(label, str(first[name] or "")) for name, label in field_labels.items()]
                items += [(f"{r.feedback_author} {jst(r.feedback_at)}", r.feedback) for r in group.itertuples()
                          if isinstance(r.feedback, str)]
                sections.append((f"{day:%Y/%m/%d}", items))
            return exports.printable_page(title, sections).encode("utf-8")

        st.download_button(t("profile.csv"), record_csv, key="trainee_csv",
                           file_name=exports.file_name(t("firsthour.csv_name"), enrolment.trainee_name, today, "csv"),
                           mime="text/csv", icon=":material/download:", on_click="ignore")
        st.download_button(t("profile.print"), record_page, key="trainee_print",
                           file_name=exports.file_name(t("firsthour.csv_name"), enrolment.trainee_name, today, "html"),
                           mime="text/html", icon=":material/print:", on_click="ignore")
        st.caption(t("profile.export_note"))

# drawn last into its place above the tabs: the results tab's fresh count when it is open, else the count cached for
# two minutes (the board's query for one trainee was a sixth of every click of the profile)
checks = checks or checklist_lagging(actor, enrolment, today)
k2.metric(t("profile.criteria_met"), f"{sum(1 for c in checks if c.met)} / {len(checks)}")
