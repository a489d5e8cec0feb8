"""Trainee: the cohort's assignments, the rubric each is judged by, submissions with attachments, released scores.
Reads/writes coordsupervise.practice.assignments."""
import streamlit as st

from coordsupervise import clock
from coordsupervise.errors import UserError
from coordsupervise.practice import assignments
from coordsupervise.text.usertext import literal
from coordsupervise.ui import state
from coordsupervise.ui.firsthour import rubric_view
from coordsupervise.ui.guard import require, show_error
from coordsupervise.ui.keep_typing import keep_typing
from coordsupervise.ui.runtime import database, language, t
from coordsupervise.ui.widgets import (
    file_size,
    jst,
    own_enrolment,
    privacy_confirmations,
    privacy_guarded,
    user_markdown,
)

actor = require("trainee")
db = database()
st.title(t("nav.assignments"))

enrolment = own_enrolment(db, actor)
today = clock.today()
ja = language() == "ja"
rows = assignments.for_enrolment(db, actor, enrolment, today)


def title(row) -> str:
    return f"{row.code} {row.title_ja if ja else row.title_en}"


# status (with the version) and due date first, the title last: on a phone the table is cut at the right edge, and
# the title is what can be cut (a column after it would be out of sight)
st.dataframe(
    [{t("assignment.col_state"): t(f"assignment.state.{r.state}") + (
        "" if r.version is None else t("polish.list_separator") + t("inbox.version", version=r.version)) + (
        f" ({t('assignment.late')})" if r.late else ""),
      t("assignment.col_due"): r.due_on.strftime("%m/%d"),
      t("assignment.col_title"): ("★ " if r.certification_critical else "") + title(r)} for r in rows],
    hide_index=True, width="stretch",
    column_config={t("assignment.col_due"): st.column_config.TextColumn(width="small")})
st.caption(t("assignment.critical_explained"))

codes = [r.code for r in rows]
open_work = [r.code for r in rows if r.state in ("not_started", "draft", "revision_requested", "overdue")]
wanted = st.query_params.get("a", "") or (open_work[0] if open_work else "")  # default: the next piece of work
chosen_code = st.selectbox(t("assignment.open"), codes, index=codes.index(wanted) if wanted in codes else 0,
                           format_func=lambda c: title(next(r for r in rows if r.code == c)),
                           key="assignments_open", placeholder=t("firsthour.choose"))
if chosen_code != wanted:
    st.query_params["a"] = chosen_code
row = next(r for r in rows if r.code == chosen_code)

st.subheader(title(row))
st.caption(t("assignment.due_line", due=row.due_on.strftime("%Y/%m/%d"), state=t(f"assignment.state.{row.state}")))

if row.rubric_id:
    with st.expander(t("assignment.rubric"), expanded=row.state in ("not_started", "draft", "overdue")):
        rubric_view(assignments.rubric(db, row.rubric_id))
else:
    st.caption(t("assignment.approval_only"))

score = assignments.released_score(db, actor, enrolment, row.id)
if score is not None:
    with st.container(border=True):
        st.markdown(f"**{t('assignment.score_title', version=score.version)}** · {jst(score.released_at)}")
        st.metric(t("assignment.weighted_level"), f"{score.weighted_level:.2f} / 4")
        st.dataframe([{t("assignment.col_criterion"): f"{c['competency']} {c['title_ja' if ja else 'title_en']}",
                       t("assignment.col_level"): f"{c['level']} {t('level.' + str(c['level']))}",
                       t("assignment.col_comment"): c["comment"]} for c in score.criteria],
                     hide_index=True, width="stretch")
        if score.overall_comment:
            st.markdown(f"**{t('assignment.overall_comment')}**")
            user_markdown(score.overall_comment)

versions = assignments.submissions(db, actor, enrolment, row.id)
current = versions[0] if versions else None
editable = current is None or current["status"] in ("draft", "revision_requested")

if current is not None and current["status"] == "revision_requested":
    st.warning(t("assignment.revision_requested"), icon=":material/edit:")
returned = assignments.revision_request(db, actor, enrolment, row.id)
if returned is not None and editable and current is not None and current["version"] - 1 <= returned["version"]:
    with st.container(border=True):  # what to revise, beside the text being revised
        st.markdown(f"**{t('assignment.revision_comments')}** (v{returned['version']}) · "
                    f"{jst(returned['returned_at'])}")
        user_markdown(returned["overall_comment"])
        for c in returned["criteria"]:
            if c["comment"]:
                user_markdown(f"- {c['competency']} {c['title_ja' if ja else 'title_en']}: {c['comment']}")

if editable:
    key = f"assignments_body_{row.code}_{(current or {}).get('version', 0)}"
    if key not in st.session_state:
        st.session_state[key] = (current or {}).get("body_md", "")
    elif st.session_state.get(state.PREVIOUS_PAGE) != "assignments":  # entered from elsewhere: re-send the text
        st.session_state[key] = st.session_state[key]
    keep_typing("assignments_keep_typing")  # the body is saved after each pause, even if the box is never left
    text = st.text_area(t("assignment.body"), key=key, height=260, max_chars=assignments.BODY_LIMIT,
                        help=t("assignment.body_help"))
    stored_body = (current or {}).get("body_md", "")
    if text != stored_body and (text.strip() or not stored_body.strip()):  # an emptied box never blanks a draft
        try:
            saved = assignments.save_draft(db, actor, enrolment, row.id, text)
            st.caption(t("reflection.draft_saved", at=jst(saved)))
            versions = assignments.submissions(db, actor, enrolment, row.id)
            current = versions[0]
        except UserError as exc:
            show_error(exc)
    if text.strip():
        with st.expander(t("assignment.preview")):
            user_markdown(text)

    upload_key = f"assignments_upload_{row.code}_{st.session_state.get('assignments_upload_n', 0)}"
    uploaded = st.file_uploader(t("assignment.attach"), key=upload_key, accept_multiple_files=True,
                                type=["pdf", "docx", "xlsx", "png", "jpg", "jpeg"],
                                help=t("assignment.attach_help", mb=assignments.MAX_ATTACHMENT_BYTES // 2**20))
    for problem in st.session_state.pop("assignments_upload_problems", []):
        show_error(problem)  # from the upload of the previous run, which reset the uploader
    if uploaded:
        problems = []
        for file in uploaded:
            try:
                assignments.add_attachment(db, actor, enrolment, row.id, file.name, file.getvalue())
            except UserError as exc:
                problems.append(exc)
        st.session_state["assignments_upload_problems"] = problems
        st.session_state["assignments_upload_n"] = st.session_state.get("assignments_upload_n", 0) + 1
        st.rerun()

if current is not None:
    for attachment in current["attachments"]:
        a1, a2, a3 = st.columns([4, 2, 1])
        a1.download_button(f"{literal(attachment['filename'])} ({file_size(attachment['size_bytes'])})",
                           # read the bytes only when the person clicks
                           lambda aid=attachment["id"]: assignments.attachment_content(db, actor, aid)[2],
                           file_name=attachment["filename"], mime=attachment["media_type"],
                           key=f"assignments_dl_{attachment['id']}", icon=":material/download:")
        if current["status"] == "draft" and a3.button(t("assignment.remove"), key=f"assignments_rm_{attachment['id']}"):
            assignments.remove_attachment(db, actor, enrolment, attachment["id"])
            st.rerun()

if editable and (current is None or not (current["body_md"] or "").strip() and not current["attachments"]):
    # nothing written yet: the button is there to be found, with what it is waiting for
    st.button(t("assignment.submit", version=(current or {}).get("version", 1)), type="primary",
              key="assignments_submit_waiting", disabled=True)
    st.caption(t("firsthour.submit_needs_text"))
elif current is not None and current["status"] == "draft":
    scope = f"assignment_{row.code}_{current['version']}"
    confirmed = privacy_confirmations(scope, "assignment", t("assignment.submit", version=current["version"]))
    sure = st.checkbox(t("assignment.confirm_final"), key=f"assignments_sure_{scope}")
    if not sure:
        st.caption(t("firsthour.submit_needs_confirm"))
    if st.button(t("assignment.submit", version=current["version"]), type="primary", key="assignments_submit",
                 disabled=not sure):
        try:
            privacy_guarded(scope, lambda: assignments.submit(db, actor, enrolment, row.id, current["version"],
                                                              confirmed=confirmed))
            st.toast(t("assignment.submitted"), icon=":material/check_circle:")
            st.rerun()
        except UserError as exc:  # a stale version, an empty submission, ...
            show_error(exc)
elif current is not None:
    st.success(t("assignment.submitted_line", version=current["version"], at=jst(current["submitted_at"])))
    with st.container(border=True):
        user_markdown(current["body_md"])

if len(versions) > 1:
    with st.expander(t("assignment.earlier", count=len(versions) - 1)):
        for old in versions[1:]:
            state = t(f"assignment.state.{old['status']}")
            st.markdown(f"**v{old['version']}** · {state} · {jst(old['submitted_at'])}")
            st.text(old["body_md"])
