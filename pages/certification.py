"""Manager: the certification board of one cohort (trainee x criterion, eligible first), the evidence behind a
trainee's marks, and the decision with its reason. Supervisors see the board of their own trainees, read-only.
Reads certification.board / evidence; writes certification.decide."""
import streamlit as st

from coordsupervise import clock
from coordsupervise.certification import certification
from coordsupervise.text.limits import REASON_LIMIT
from coordsupervise.text.usertext import literal
from coordsupervise.ui import before_stage, state
from coordsupervise.ui.certification import (
    BEHIND,
    MARKS,
    board_columns,
    board_frame,
    cohort_picker,
    decision_label,
    thresholds_form,
)
from coordsupervise.ui.guard import require
from coordsupervise.ui.runtime import database, language, t
from coordsupervise.ui.widgets import checklist_view, form_done, form_key, jst

actor = require("manager", "supervisor")
db = database()
st.title(t("nav.certification"))
deciding = actor.has("manager")
if not deciding:
    st.caption(t("certification.read_only"))

cohort = cohort_picker(db, actor, "certification")
if cohort is None:
    st.stop()
today = clock.today()
rows = certification.board(db, actor, cohort["id"], today)
if not rows:
    st.info(t("certification.no_trainees"))
    st.stop()

notice = st.session_state.pop(state.CLOSING_NOTICE, None)
if notice:
    st.success(t(notice[0], **notice[1]), icon=":material/check_circle:")
counts = certification.board_counts(rows)
for column, key in zip(st.columns(5), ("trainees", "eligible", "unmet", "undecided", "certified"), strict=True):
    column.metric(t(f"certification.count_{key}"), counts[key])
st.caption(t("certification.legend", met=MARKS[True], unmet=MARKS[False], open=MARKS[None], behind=BEHIND))
if deciding:
    thresholds_form(db, actor, cohort)

picked = st.dataframe(board_frame(rows), hide_index=True, width="stretch", on_select="rerun",
                      selection_mode="single-row", key="certification_board",
                      height=min(38 + 35 * len(rows), 600), column_config=board_columns())
selected = picked.selection.rows if picked else []
wanted = st.query_params.get("e", "")
if selected:
    row = rows[selected[0]]
    st.query_params["e"] = str(row.enrolment_id)
else:
    row = next((r for r in rows if str(r.enrolment_id) == wanted), None)
if row is None:
    st.caption(t("certification.pick_hint"))
    st.stop()

st.divider()
st.subheader(literal(row.trainee_name))
st.caption(f"{literal(row.organisation)} · {literal(row.region)}" if row.organisation else literal(row.region))
st.markdown(f"**{t('certification.col_decision')}:** {decision_label(row.decision, row.override_reason)}"
            + (f" · {row.certificate_no}" if row.certificate_no and not row.certificate_revoked else ""))
checklist_view(row.checks)

ja = language() == "ja"
found = certification.evidence(db, actor, row.enrolment_id)
tabs = st.tabs([t("certification.ev_modules"), t("certification.ev_tests"), t("certification.ev_assignments"),
                t("certification.ev_attendance"), t("certification.ev_decisions")])
with tabs[0]:
    modules = found["modules"]
    st.dataframe(modules.assign(title=modules["title_ja"] if ja else modules["title_en"])[
        ["seq", "title", "best", "attempts"]], hide_index=True, width="stretch", column_config={
        "seq": t("certification.ev_seq"), "title": t("certification.ev_module"),
        "best": st.column_config.NumberColumn(t("certification.ev_best"), format="%.0f%%"),
        "attempts": t("certification.ev_attempts")})
with tabs[1]:
    tests = found["tests"]
    if tests.empty:
        st.caption(t("certification.ev_none"))
    else:
        st.dataframe(tests.assign(kind=[t(f"certification.test_{k}") for k in tests["kind"]],
                                  taken_at=[jst(v) for v in tests["taken_at"]]),
                     hide_index=True, width="stretch", column_config={
                         "kind": t("certification.ev_test"), "attempt_no": t("certification.ev_attempt"),
                         "score_pct": st.column_config.NumberColumn(t("certification.ev_score"), format="%.0f%%"),
                         "taken_at": t("certification.ev_taken_at")})
with tabs[2]:
    work = found["assignments"]
    st.dataframe(work.assign(title=work["title_ja"] if ja else work["title_en"],
                             status=[t(f"certification.sub_{s}") if isinstance(s, str) else t("certification.sub_none")
                                     for s in work["status"]])[["code", "title", "status", "levels"]],
                 hide_index=True, width="stretch", column_config={
                     "code": t("certification.ev_code"), "title": t("certification.ev_assignment"),
                     "status": t("certification.ev_status"), "levels": t("certification.ev_levels")})
with tabs[3]:
    attendance = found["attendance"]
    if attendance.empty:
        st.caption(t("certification.ev_none"))
    else:
        st.dataframe(attendance.assign(status=[t(f"workshop.status_{s}") for s in attendance["status"]]),
                     hide_index=True, width="stretch", column_config={
                         "day": t("certification.ev_day"), "status": t("certification.ev_status"),
                         "note": t("certification.ev_note")})
with tabs[4]:
    history = found["decisions"]
    if history.empty:
        st.caption(t("certification.ev_none"))
    for item in history.itertuples():
        with st.container(border=True):
            head = f"**{decision_label(item.decision, item.override_reason)}** · {jst(item.decided_at)} · " \
                   f"{literal(item.decided_by)}"
            if item.reversal:
                head += f" · :orange-badge[{t('certification.reversal')}]"
            st.markdown(head)
            st.text(item.reason)
            if item.override_reason:
                st.caption(t("certification.override_reason_shown", reason=literal(item.override_reason)))

if not deciding:
    st.stop()

st.subheader(t("certification.decide"))
unmet = [c for c in row.checks if c.met is not True]
if row.decision:
    # the form opens on the decision in force, with its reason, so the manager knows recording replaces it
    current = t("certification.current_decision", decision=decision_label(row.decision, row.override_reason),
                reason=literal(row.decision_reason) or "—")
    if row.decision in certification.FINAL_DECISIONS:
        st.warning(current + "\n\n" + t("certification.reversing", decision=decision_label(row.decision)),
                   icon=":material/undo:")
    else:
        st.info(current + "\n\n" + t("certification.replacing"), icon=":material/edit_note:")
with st.form(form_key(f"certification_decide_{row.enrolment_id}")):
    choice = st.radio(t("certification.decision"), certification.DECISIONS, horizontal=True,
                      format_func=lambda d: t(f"certification.decision.{d}"), key="certification_decision",
                      index=certification.DECISIONS.index(row.decision) if row.decision in certification.DECISIONS
                      else None)
    choice_error = st.empty()  # the "choose a decision" message appears right under the choice it is about
    reason = st.text_area(t("certification.reason"), key="certification_reason", max_chars=REASON_LIMIT)
    override = ""
    if unmet:
        st.caption(t("certification.override_needed", count=len(unmet)))
        override = st.text_area(t("certification.override_reason"), key="certification_override",
                                max_chars=REASON_LIMIT)
    submitted = st.form_submit_button(t("certification.record"), type="primary")


def recorded(done: certification.Decided) -> None:
    form_done(f"certification_decide_{row.enrolment_id}")
    st.session_state[state.CLOSING_NOTICE] = (
        "certification.recorded_with_number" if done.certificate_no else "certification.recorded",
        {"name": literal(row.trainee_name), "decision": t(f"certification.decision.{done.decision}"),
         "number": done.certificate_no or ""})
    st.rerun()


if submitted:
    if choice is None:
        choice_error.error(t("certification.error_decision"), icon=":material/error:")
    else:
        before_stage.save_or_ask(f"certification_decide_{row.enrolment_id}", lambda confirmed: certification.decide(
            db, actor, row.enrolment_id, choice, reason, today, override_reason=override,
            seen_decision_id=row.decision_id, confirmed_early=confirmed), recorded)
before_stage.ask(f"certification_decide_{row.enrolment_id}")
