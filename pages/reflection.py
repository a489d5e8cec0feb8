"""Trainee: write today's (or an earlier day's) reflection. Reads/writes coordsupervise.practice.reflections.

Not an st.form on purpose: every change is saved as a draft in the database at once, so a refresh, a logout or a
server restart loses nothing."""
from dataclasses import fields
from datetime import date

import streamlit as st

from coordsupervise import clock
from coordsupervise.clock import now_utc
from coordsupervise.errors import InvalidInput, StaleWrite, UserError
from coordsupervise.practice import reflections
from coordsupervise.practice.reflections import ReflectionBody
from coordsupervise.ui import runtime, state
from coordsupervise.ui.firsthour import day_picker
from coordsupervise.ui.guard import require, show_error
from coordsupervise.ui.keep_typing import keep_typing
from coordsupervise.ui.library import consent_notice
from coordsupervise.ui.privacy import draft_notice, read_receipts, redaction_control
from coordsupervise.ui.runtime import database, language, t
from coordsupervise.ui.scroll import focus_once
from coordsupervise.ui.widgets import (
    form_done,
    form_key,
    jst,
    own_enrolment,
    privacy_confirmations,
    privacy_guarded,
    thread_view,
)

actor = require("trainee")
db = database()
st.title(t("nav.reflection"))
consent_notice(db, actor)  # a case drawn from one of these reflections waits for the trainee's answer

enrolment = own_enrolment(db, actor)
today = clock.today()
start, end = enrolment.practical
if today < start:
    st.info(t("reflection.not_yet", start=start.isoformat()))
    st.stop()
last_day = min(today, end)

# -- which day: ?day=YYYY-MM-DD keeps it bookmarkable -----------------------------------------------------------
calendar = reflections.calendar(db, actor, enrolment, today)
try:
    requested = date.fromisoformat(st.query_params.get("day", ""))
except ValueError:
    requested = reflections.default_day(db, actor, enrolment, today)
day = min(max(requested, start), last_day)


def go_to(target: date) -> None:
    """Button callback: open another day (before the widgets of this run are drawn)."""
    st.query_params["day"] = target.isoformat()


left, right = st.columns([2, 3])
# keyed by the day, so a jump to another day gives a fresh picker instead of the old widget value pulling back
picked = left.date_input(t("reflection.day"), value=day, min_value=start, max_value=last_day,
                         key=f"reflection_day_{day.isoformat()}", format="YYYY/MM/DD")
if picked != day:
    go_to(picked)
    st.rerun()
with right:
    # a draft is still unsubmitted: drafts and missing days together, oldest first
    unsent = [(d, s) for d, s in sorted(calendar.items()) if s in ("missing", "draft")]
    day_picker(t("reflection.missing_days"), unsent, f"reflection_jump_{day.isoformat()}", go_to,
               lambda d, s: d.strftime("%m/%d") + (f" {t('reflection.draft_mark')}" if s == "draft" else ""))
    new_feedback = reflections.days_with_new_feedback(db, actor, enrolment)
    day_picker(t("reflection.new_feedback_on"), [(d, "feedback") for d in sorted(new_feedback)],
               f"reflection_feedback_{day.isoformat()}", go_to, lambda d, s: d.strftime("%m/%d"))

view = reflections.open_day(db, actor, enrolment, day)

# -- status line ------------------------------------------------------------------------------------------------
status_key = {"none": "reflection.status_none", "draft": "reflection.status_draft",
              "submitted": "reflection.status_submitted"}[view.status]
line = t(status_key, version=view.version, at=jst(view.version_saved_at or view.submitted_at))
if view.late:
    line += " " + t("reflection.status_late")
if view.read_version:
    line += " " + t("reflection.status_read", version=view.read_version)
day_cutoff = reflections.cutoff(day, enrolment.reflection_cutoff_days)
past_cutoff = now_utc() > day_cutoff
if past_cutoff and view.status != "submitted" and view.expected and not view.off_reason:
    line += " " + t("reflection.status_past_cutoff", cutoff=jst(day_cutoff))
messages = reflections.thread(db, actor, view.reflection_id) if view.status == "submitted" else []
if messages:  # the conversation is far below the template: say it is there, and link to it
    fresh = sum(m.is_new for m in messages)
    line += " · " + t("polish.comments", count=len(messages)) + (
        f" :red-badge[{t('reflection.comments_new', count=fresh)}]" if fresh else "") + (
        f" [{t('reflection.comments_jump')}](#reflection-thread)")
weekday = t(f"weekday.{day.weekday()}")
st.markdown(f"**{day.strftime('%Y/%m/%d')} ({weekday})** — {line}")
if view.off_reason:
    st.info(t("reflection.day_is_off", reason=t(f"off.{view.off_reason}")))
elif not view.expected and view.status == "none":
    st.caption(t("reflection.not_expected"))
elif past_cutoff and view.status != "submitted":
    st.caption(t("reflection.day_off_after_cutoff"))  # why the day-off choice is gone

# -- the template -----------------------------------------------------------------------------------------------
key = f"reflection_{actor.id}_{enrolment.id}_{day.isoformat()}_"
FIELDS = [f.name for f in fields(ReflectionBody) if f.name != "module_ids"]  # one widget per template field
module_list = runtime.modules(enrolment.cohort_id)
MODULE_KEYS = {m["id"]: f"{key}module_{m['id']}" for m in module_list}  # one checkbox per online module
WIDGET_KEYS = [key + name for name in FIELDS] + list(MODULE_KEYS.values())
if st.session_state.get("reflection_loaded") != key or any(k not in st.session_state for k in WIDGET_KEYS):
    # Put the stored text into the widgets: on the first render of this day, after a submit or discard, and when
    # Streamlit dropped the widgets' values (the person visited another screen). Never on an ordinary rerun: then
    # the widgets hold what the person is typing, newer than anything stored.
    for name in FIELDS:
        st.session_state[key + name] = getattr(view.body, name)
    for module_id, module_key in MODULE_KEYS.items():
        st.session_state[module_key] = module_id in view.body.module_ids
    st.session_state[key + "base_version"] = view.version  # what this text was loaded from, for the stale check
    st.session_state["reflection_loaded"] = key
elif st.session_state.get(state.PREVIOUS_PAGE) != "reflection":
    # Entered from another screen (or a menu click raced a text box's commit): the browser may have dropped what
    # it showed in these widgets, so send their values again instead of letting it fall back to empty boxes.
    for widget_key in WIDGET_KEYS:
        st.session_state[widget_key] = st.session_state[widget_key]

ja = language() == "ja"
competency_names = {c["code"]: c["name_ja" if ja else "name_en"] for c in runtime.competencies()}
limits = reflections.TEXT_LIMITS
missing_key = f"reflection_missing_{day.isoformat()}"  # required fields a refused submit found empty
missing = st.session_state.get(missing_key, ())


def label(name: str) -> str:
    required = name in reflections.REQUIRED or name == "self_rating"
    return t(f"reflection.field.{name}") + (f" {t('reflection.required_mark')}" if required else "")


def required_here(name: str) -> None:
    """Under a required field a refused submit found empty, until it is filled."""
    if name in missing and not st.session_state.get(key + name):
        st.markdown(f":red[:material/error: {t('firsthour.required_here')}]")


def area(name: str, height: int = 110) -> str:
    text = st.text_area(label(name), key=key + name, max_chars=limits[name], height=height,
                        placeholder=t(f"reflection.hint.{name}"))
    required_here(name)
    return text


keep_typing("reflection_keep_typing")  # what is typed is saved after each pause, even if the box is never left
with st.container(border=True):
    st.text_input(t("reflection.field.goal"), key=key + "goal", max_chars=limits["goal"],
                  placeholder=t("reflection.hint.goal"))
    st.pills(t("reflection.field.competencies"), list(competency_names), selection_mode="multi",
             key=key + "competencies", format_func=lambda c: f"{c} {t(f'competency.short.{c}')}",
             help="  \n".join(f"{c} {name}" for c, name in competency_names.items()))
    chosen_competencies = st.session_state.get(key + "competencies") or []
    if chosen_competencies:
        st.caption(" / ".join(f"{c}: {competency_names[c]}" for c in sorted(chosen_competencies)))
    c1, c2 = st.columns([1, 3])
    c1.number_input(t("reflection.field.case_count"), min_value=0, max_value=200, step=1, key=key + "case_count")
    c2.text_input(t("reflection.field.case_fields"), key=key + "case_fields", max_chars=limits["case_fields"],
                  placeholder=t("reflection.hint.case_fields"))
    st.caption(t("reflection.anonymous_codes"))
    area("event", 160)
    area("feelings", 80)
    k1, k2 = st.columns(2)
    with k1:
        area("keep_text")
    with k2:
        area("problem")
    area("analysis")
    # 15 long module titles: checkboxes grouped as the programme groups them, not a multiselect ("Select all")
    picked_modules = [m for m in module_list if st.session_state.get(MODULE_KEYS[m["id"]])]
    with st.expander(t("reflection.field.modules"), icon=":material/menu_book:"):
        group = None
        for m in module_list:
            if m["group_code"] != group:
                group = m["group_code"]
                st.caption(t("firsthour.module_group", group=group))
            st.checkbox(f"{m['seq']:02d} {m['title_ja' if ja else 'title_en']}", key=MODULE_KEYS[m["id"]])
    st.caption(t("firsthour.modules_chosen", count=len(picked_modules)) + (
        ": " + ", ".join(f"{m['seq']:02d}" for m in picked_modules) if picked_modules else ""))
    area("insight")
    area("try_text")
    rating = st.segmented_control(label("self_rating"), [1, 2, 3, 4], key=key + "self_rating",
                                  help="  \n".join([t("reflection.help.self_rating"),
                                                     *(f"{n} {t(f'level.{n}')}" for n in (4, 3, 2, 1))]))
    st.caption(t(f"level.{rating}") if rating else t("firsthour.self_rating_hint"))
    required_here("self_rating")

values = {name: st.session_state[key + name] for name in FIELDS}
body = ReflectionBody(**{**values, "competencies": list(values["competencies"] or []),
                         "module_ids": [mid for mid, mkey in MODULE_KEYS.items() if st.session_state[mkey]],
                         "case_count": int(values["case_count"] or 0)})

# -- autosave: whatever changed since the stored version is a draft at once ------------------------------------
if body.is_blank() and not view.body.is_blank():
    # Every widget came back empty while stored text exists: what Streamlit sends when a menu click races the
    # commit of a text box, not something a person does in one step. Never save that; put the stored text back.
    st.session_state.pop("reflection_loaded", None)
    st.rerun()
# a slot drawn on every run: the first draft's caption appearing would shift the submit button below it, and the
# browser would redraw it as a new one, dropping the focus a Tab had put on it
saved_slot = st.empty()
if body != view.body:
    try:
        saved_at = reflections.save_draft(db, actor, enrolment, day, body, today)
        saved_slot.caption(t("reflection.draft_saved", at=jst(saved_at)))
    except UserError as exc:
        show_error(exc)
elif view.draft_saved_at is not None:
    saved_slot.caption(t("reflection.draft_saved", at=jst(view.draft_saved_at)))

# -- privacy confirmations and submit ----------------------------------------------------------------------------
scope = f"reflection_{day.isoformat()}"
notice_slot = st.container()  # the guard's view of unsent text, before the submit asks
if view.status != "submitted" or view.pending_edit or body != view.body:
    draft_notice(notice_slot, body.texts(), scope)
submit_label = (t("reflection.submit") if view.status != "submitted"
                else t("reflection.resubmit", version=view.version + 1))
confirmed = privacy_confirmations(scope, "reflection.field", submit_label)

b1, b2 = st.columns([1, 3])
submit_disabled = view.status == "submitted" and not view.pending_edit and body == view.body
notice_key = f"reflection_submitted_{day.isoformat()}"
if b1.button(submit_label, type="primary", key="reflection_submit", disabled=submit_disabled):
    try:
        version = privacy_guarded(scope, lambda: reflections.submit(
            db, actor, enrolment, day, body, st.session_state[key + "base_version"], confirmed, today))
        st.session_state.pop("reflection_loaded", None)
        st.session_state.pop(missing_key, None)
        st.session_state[notice_key] = version  # said beside the button on the next run, where the eye is
        st.rerun()
    except StaleWrite as exc:
        st.session_state.pop("reflection_loaded", None)  # reload: the other tab's version plus this text as a draft
        show_error(exc)
    except InvalidInput as exc:
        if exc.key == "reflection.required_all":
            st.session_state[missing_key] = exc.params["missing"]
            st.rerun()  # mark each empty field where it is
        show_error(exc)
    except UserError as exc:
        show_error(exc)
if missing and reflections.missing_required(body):
    st.error(t("firsthour.required_summary", fields="、".join(t(f"reflection.field.{n}") for n in
                                                             reflections.missing_required(body))),
             icon=":material/error:")
submitted_version = st.session_state.get(notice_key)
just_submitted = bool(submitted_version) and view.status == "submitted" and view.version == submitted_version
if just_submitted:
    with st.container(key="reflection_submitted"):  # where the focus goes (the end of this page)
        st.success(t("reflection.submitted", version=submitted_version) + " " + t("firsthour.submitted_next"),
                   icon=":material/check_circle:")
if view.pending_edit and b2.button(t("reflection.discard_edit"), key="reflection_discard"):
    reflections.discard_edit(db, actor, enrolment, view.reflection_id)
    st.session_state.pop("reflection_loaded", None)
    st.rerun()

# -- day off -----------------------------------------------------------------------------------------------------
if view.status != "submitted" and not past_cutoff:
    with st.expander(t("reflection.off_title")):
        reasons = [None, *reflections.DAY_OFF_REASONS]
        current = reasons.index(view.off_reason) if view.off_reason in reasons else 0
        reason = st.radio(t("reflection.off_reason"), reasons, index=current, key=f"reflection_off_{day}",
                          format_func=lambda r: t("off.none") if r is None else t(f"off.{r}"), horizontal=True)
        if reason != view.off_reason:
            try:
                reflections.set_day_off(db, actor, enrolment, day, reason)
                st.rerun()
            except UserError as exc:
                show_error(exc)

# -- feedback thread and history -------------------------------------------------------------------------------
if view.reflection_id is not None and view.status == "submitted":
    st.subheader(t("reflection.thread"), anchor="reflection-thread")
    thread_view(messages)
    reply_scope = f"reply_{view.reflection_id}"
    reply_confirmed = privacy_confirmations(reply_scope, "reflection", t("reflection.send"))
    with st.form(form_key(f"reflection_reply_{day}")):
        text = st.text_area(t("reflection.reply"), max_chars=reflections.REPLY_LIMIT)
        if st.form_submit_button(t("reflection.send")):
            try:
                privacy_guarded(reply_scope, lambda: reflections.reply(db, actor, view.reflection_id, text,
                                                                       reply_confirmed))
                form_done(f"reflection_reply_{day}")
                st.rerun()
            except UserError as exc:
                show_error(exc)
    reflections.mark_thread_read(db, actor, view.reflection_id)
    history = reflections.versions(db, actor, view.reflection_id)
    if len(history) > 1:
        with st.expander(t("reflection.history", count=len(history))):
            for version, saved_at, old in reversed(history):
                st.markdown(f"**v{version}** · {jst(saved_at)}")
                st.text(old.event)
    read_receipts(db, actor, view.reflection_id, enrolment.id)
    redaction_control(db, actor, view.reflection_id, "reflection",
                      on_redacted=lambda: st.session_state.pop("reflection_loaded", None))

if just_submitted:
    # the submit button is disabled now and the focus fell to the page: it goes to the message, so a screen reader
    # says that it was submitted and the next Tab goes on to the feedback thread. Last: its element comes once.
    focus_once("reflection", f"{day}:v{submitted_version}",
               '.st-key-reflection_submitted [data-testid="stAlertContainer"]')
