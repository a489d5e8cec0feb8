"""Supervisor: the scoring queue (filters in the address, so a queue can be bookmarked) and, with ?s=<submission>,
the scoring view: the submission beside its rubric, one click per criterion, live totals, evidence from the
trainee's reflections, the comment bank, and "save and next". Second markers score blind here too.
Reads/writes coordsupervise.scoring.scoring (drafts autosaved on every click); managers also see the audit trail."""
import json

import streamlit as st

from coordsupervise.errors import UserError
from coordsupervise.practice import assignments, supervision
from coordsupervise.scoring import scoring
from coordsupervise.scoring.scoring import QueueFilter
from coordsupervise.text.usertext import literal
from coordsupervise.ui.diffview import changes_legend, text_changes
from coordsupervise.ui.fragments import own_rerun, page_part
from coordsupervise.ui.guard import require, show_error
from coordsupervise.ui.keep_typing import keep_typing
from coordsupervise.ui.runtime import database, language, t
from coordsupervise.ui.scoring import change_log, criteria_table, kept_box, level_picker, score_downloads, totals_bar
from coordsupervise.ui.scroll import TITLE, start_at_the_top
from coordsupervise.ui.widgets import file_size, jst, link, user_markdown

actor = require("supervisor")
db = database()
qp = st.query_params
ja = language() == "ja"
PAGE_SIZE = 25
ITEM_HEADING = ".st-key-scoring_item_heading h3"  # the open submission's heading (trainee and assignment)


def _int(name):
    try:
        return int(qp.get(name, ""))
    except ValueError:
        return None


flt = QueueFilter(cohort_id=_int("cohort"), assignment_code=qp.get("a") or None,
                  state=qp.get("state") if qp.get("state") in scoring.QUEUE_STATES else None)


def open_submission(submission_id):
    if submission_id is None:
        qp.pop("s", None)
    else:
        qp["s"] = str(submission_id)


st.title(t("nav.scoring"))
for message in st.session_state.pop("scoring_notice", []):
    st.success(message, icon=":material/check_circle:")


# ================================================================ the queue
def queue_screen():
    cohorts = scoring.cohorts_in_queue(db, actor)
    counts = scoring.queue_counts(db, actor, flt)
    f1, f2, f3 = st.columns(3)
    cohort_ids = [None] + [c["id"] for c in cohorts]
    names = {c["id"]: c["name_ja" if ja else "name_en"] for c in cohorts}
    cohort = f1.selectbox(t("scoring.cohort"), cohort_ids, key="scoring_cohort",
                          index=cohort_ids.index(flt.cohort_id) if flt.cohort_id in cohort_ids else 0,
                          format_func=lambda c: t("scoring.all") if c is None else names[c])
    codes = [None] + [a["code"] for a in counts["assignment"]]
    titles = {a["code"]: f"{a['code']} {a['title_ja' if ja else 'title_en']}" for a in counts["assignment"]}
    code = f2.selectbox(t("scoring.assignment"), codes, index=codes.index(flt.assignment_code)
                        if flt.assignment_code in codes else 0, key="scoring_assignment",
                        format_func=lambda c: t("scoring.all") if c is None else titles[c])
    states = [None, *scoring.QUEUE_STATES]
    state = f3.selectbox(t("scoring.state"), states, index=states.index(flt.state), key="scoring_state",
                         format_func=lambda s: t("scoring.open_work") if s is None else
                         f"{t('scoring.state.' + s)} ({counts['state'][s]})")
    wanted = {"cohort": cohort, "a": code, "state": state}
    if any((str(v) if v is not None else None) != qp.get(k) for k, v in wanted.items()):
        for k, v in wanted.items():
            if v is None:
                qp.pop(k, None)
            else:
                qp[k] = str(v)
        qp.pop("p", None)
        st.rerun()

    shown = ("to_score", "draft", "to_second_mark", "with_manager", "released")
    for column, name in zip(st.columns(len(shown)), shown, strict=True):
        label = t("scoring.count.to_second_mark") if name == "to_second_mark" else t(f"scoring.state.{name}")
        column.metric(label, counts["state"][name])
    extra = [f"{t('scoring.count.second_marking') if s == 'second_marking' else t('scoring.state.' + s)}: "
             f"{counts['state'][s]}" for s in ("second_marking", "ready", "revision_requested") if counts["state"][s]]
    if extra:
        st.caption(" · ".join(extra))

    page = max(_int("p") or 1, 1)
    rows, total = scoring.queue(db, actor, flt, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    first_open = next((r["submission_id"] for r in rows if r["state"] in scoring.ACTIONABLE), None)
    if first_open is not None and st.button(t("scoring.start"), type="primary", icon=":material/play_arrow:",
                                            key="scoring_start"):
        open_submission(first_open)
        st.rerun()
    if not rows:
        st.info(t("scoring.queue_empty"))
    for row in rows:
        with st.container(border=True):
            c1, c2 = st.columns([5, 1], vertical_alignment="center")
            late = f" · {t('assignment.late')}" if row["late"] else ""
            role = f" · {t('scoring.as_second')}" if row["role"] == "second" else ""
            c1.markdown(f"**{literal(row['trainee_name'])}** · {row['code']} {row['title_ja' if ja else 'title_en']} "
                        f"(v{row['version']})  \n{t('scoring.state.' + row['state'])}{role} · "
                        f"{t('scoring.due', due=row['due_on'].strftime('%Y/%m/%d'))} · "
                        f"{t('scoring.submitted_at', at=jst(row['submitted_at']))}{late}")
            if c2.button(t("scoring.open"), key=f"scoring_open_{row['submission_id']}"):
                open_submission(row["submission_id"])
                st.rerun()
    pages = max(1, -(-total // PAGE_SIZE))
    if pages > 1:
        p1, p2, p3 = st.columns([1, 2, 1])
        if p1.button(t("scoring.prev"), disabled=page <= 1, key="scoring_prev"):
            qp["p"] = str(page - 1)
            st.rerun()
        p2.caption(t("scoring.page", page=page, pages=pages, total=total))
        if p3.button(t("scoring.next_page"), disabled=page >= pages, key="scoring_next_page"):
            qp["p"] = str(page + 1)
            st.rerun()

    with st.expander(t("scoring.per_assignment")):
        st.dataframe([{t("scoring.assignment"): titles[a["code"]], t("scoring.col_open"): a["open"],
                       t("scoring.state.released"): a["released"], t("scoring.col_total"): a["total"]}
                      for a in counts["assignment"]], hide_index=True, width="stretch")
    if cohorts:
        with st.expander(t("scoring.export")):
            chosen = st.selectbox(t("scoring.cohort"), [c["id"] for c in cohorts], key="scoring_export_cohort",
                                  format_func=lambda c: names[c])
            code_of = next(c["code"] for c in cohorts if c["id"] == chosen)
            score_downloads(scoring.scores_frame(db, actor, chosen), f"scores-{code_of}", "scoring_export")
    start_at_the_top("scoring", "queue", focus=TITLE)  # back from a submission scored far down: the queue from its top


# ================================================================ one submission
def widget_keys(view):
    sid = view.submission_id
    return ({c["id"]: f"scoring_level_{sid}_{c['id']}" for c in view.criteria},
            {c["id"]: f"scoring_comment_{sid}_{c['id']}" for c in view.criteria}, f"scoring_overall_{sid}")


def load_marking(view, kept):
    """Fill the widgets from the person's unsaved marking, else from what is stored (first open only)."""
    level_keys, comment_keys, overall_key = widget_keys(view)
    source = kept or {"levels": view.levels, "comments": view.comments, "overall": view.overall_comment}
    for cid, key in level_keys.items():
        st.session_state.setdefault(key, source["levels"].get(cid))
    for cid, key in comment_keys.items():
        st.session_state.setdefault(key, source["comments"].get(cid, ""))
    st.session_state.setdefault(overall_key, source["overall"])


def forget_widgets(view):
    level_keys, comment_keys, overall_key = widget_keys(view)
    for key in [*level_keys.values(), *comment_keys.values(), overall_key, f"scoring_seen_{view.submission_id}",
                f"scoring_confirming_{view.submission_id}", f"scoring_reason_{view.submission_id}"]:
        st.session_state.pop(key, None)


def queue_end_message():
    """What the queue still holds when "next" finds nothing after this item: "the last one" only when it is; else
    what is left for this person (offered by the queue's start button) and what waits on someone else."""
    counts = scoring.queue_counts(db, actor, QueueFilter(flt.cohort_id, flt.assignment_code, None))["state"]

    def listed(states):
        return t("scoring.left_sep").join(t("scoring.left_item", label=t(f"scoring.state.{s}"), count=counts[s])
                                          for s in states if counts[s])

    mine, theirs = listed(scoring.ACTIONABLE), listed(("second_marking", "with_manager"))
    if mine:
        return t("scoring.queue_end_left", left=mine, start=t("scoring.start"))
    if theirs:
        return t("scoring.queue_done_waiting", waiting=theirs)
    return t("scoring.queue_done")


def go_next(view, following=-1):
    """Open the next item of the queue; `following` when it was looked up before a write reordered the queue. At the
    end of the queue the notice of what was just done (a second marking's outcome) stays, and what is left is said."""
    if following == -1:
        following = scoring.next_item(db, actor, flt, view.submission_id)
    open_submission(following)
    if following is None:
        st.session_state["scoring_notice"] = [*st.session_state.get("scoring_notice", []), queue_end_message()]
    st.rerun()


def submission_panel(view):
    late = f" · {t('assignment.late')}" if view.late else ""
    st.caption(f"{t('scoring.submitted_at', at=jst(view.submitted_at))}{late} · "
               f"{t('scoring.due', due=view.due_on.strftime('%Y/%m/%d'))}")
    if view.earlier:
        changes = scoring.resubmission_diff(view.earlier[0]["body_md"], view.body_md)
        with st.expander(t("scoring.changes", old=view.earlier[0]["version"], new=view.version), expanded=True):
            if changes:
                changes_legend()
                text_changes(changes)
            else:
                st.caption(t("scoring.no_changes"))
    with st.container(border=True, height=420):
        user_markdown(view.body_md)
    for attachment in view.attachments:
        st.download_button(f"{literal(attachment['filename'])} ({file_size(attachment['size_bytes'])})",
                           lambda aid=attachment["id"]: assignments.attachment_content(db, actor, aid)[2],
                           file_name=attachment["filename"], mime=attachment["media_type"],
                           key=f"scoring_dl_{attachment['id']}", icon=":material/download:")
    if view.earlier:
        with st.expander(t("scoring.earlier", count=len(view.earlier))):
            for old in view.earlier:
                status = t(f"scoring.score_status.{old['score_status']}") if old["score_status"] else \
                    t("scoring.state.to_score")
                st.markdown(f"**v{old['version']}** · {jst(old['submitted_at'])} · {status}")
                if old["overall_comment"]:
                    user_markdown(old["overall_comment"])
                if old["criteria"]:
                    criteria_table(old["criteria"])
                with st.container(border=True, height=160):
                    user_markdown(old["body_md"])
    if view.role == "first" and view.kind == "scored":
        with st.expander(t("scoring.evidence")):
            found = scoring.evidence(db, actor, view.submission_id)
            if not found:
                st.caption(t("scoring.no_evidence"))
            for r in found:
                st.markdown(f"**{r['practice_date'].strftime('%Y/%m/%d')}** · {r['competencies']} · "
                            f"{t('scoring.self_rating', rating=r['self_rating'] or '—')}")
                st.text(f"{r['goal']}\n{r['insight']}")


def comment_bank(overall_key, sid):
    bank = supervision.comment_bank(db, actor)
    if not bank:
        return
    b1, b2 = st.columns([3, 1], vertical_alignment="bottom")
    chosen = b1.selectbox(t("bank.pick"), [c["id"] for c in bank], key=f"scoring_bank_{sid}",
                          format_func=lambda cid: next(c["title"] for c in bank if c["id"] == cid))

    def insert():
        text = next(c["body_md"] for c in bank if c["id"] == chosen)
        current = st.session_state.get(overall_key, "")
        st.session_state[overall_key] = (current + "\n\n" + text).strip() if current else text

    b2.button(t("bank.insert"), key=f"scoring_bank_insert_{sid}", on_click=insert)


def sheet_panel(view):
    """The 課題設定シート: approve, or return with comments. The comment is kept as a draft as it is typed (not in
    a form, which would send nothing until a button is pressed)."""
    sid = view.submission_id
    if view.status != "submitted":
        st.info(t("scoring.sheet_done", state=t(f"assignment.state.{view.status}")))
        return
    comment_key = f"scoring_sheet_comment_{sid}"
    comment = kept_box(db, actor, "sheet_comment", sid, comment_key, st.text_area, t("scoring.sheet_comment"))
    keep_typing("scoring_keep_typing")  # the comment reaches its draft after each pause, even if never left
    # one under the other at full width: two side by side in the narrow right column cut the labels off
    approve = st.button(t("scoring.approve"), type="primary", icon=":material/task_alt:", width="stretch",
                        key=f"scoring_sheet_approve_{sid}")
    back = st.button(t("scoring.return_sheet"), icon=":material/undo:", width="stretch",
                     key=f"scoring_sheet_return_{sid}")
    if approve or back:
        try:
            scoring.decide_sheet(db, actor, sid, approve, comment)
            st.session_state.pop(comment_key, None)
            st.session_state["scoring_notice"] = [t("scoring.sheet_approved" if approve else "scoring.sheet_returned")]
            go_next(view)
        except UserError as exc:
            show_error(exc)


def rubric_panel(view):
    sid = view.submission_id
    if not view.criteria:
        st.warning(t("scoring.no_rubric"))
        return
    kept = scoring.kept_work(db, actor, sid)
    seen_key = f"scoring_seen_{sid}"
    if seen_key not in st.session_state:
        st.session_state[seen_key] = kept["base_version"] if kept else view.row_version
    load_marking(view, kept)
    seen = st.session_state[seen_key]
    if seen != view.row_version:
        st.warning(t("scoring.changed_meanwhile"), icon=":material/sync_problem:")
        if st.button(t("scoring.load_current"), key=f"scoring_reload_{sid}"):
            scoring.discard_work(db, actor, sid)
            forget_widgets(view)
            st.rerun()
    released = view.score_status == "released"
    frozen = view.score_status == "moderation" or (view.role == "second" and view.score_status == "second_marked") \
        or view.status == "revision_requested"
    if view.role == "second" and view.moderation_status in (None, "second_marking"):
        st.info(t("scoring.blind"), icon=":material/visibility_off:")
    elif view.role == "second":  # handed in: how it came out, who settles it, where the two can be compared
        st.info(t(f"flow.second_handed_in.{view.moderation_status}", screen=t("nav.moderation")),
                icon=":material/task_alt:")
        if actor.has("manager"):
            link("moderation", t("nav.moderation"), icon=":material/balance:")
    elif view.moderation_status == "second_marking" and view.second_marker_name:
        st.caption(t("scoring.moderation_waiting", name=literal(view.second_marker_name),
                     since=jst(view.second_marking_since)))
    elif view.moderation_status:
        st.caption(t("scoring.moderation_line", state=t(f"scoring.moderation.{view.moderation_status}")))
    line = [t("scoring.rubric_version", version=view.rubric_version)] if view.rubric_version else []
    if view.role == "first" and view.score_status:
        line = [t(f"scoring.score_status.{view.score_status}"), literal(view.scorer_name or ""),
                jst(view.released_at), *line]
    st.caption(" · ".join(part for part in line if part))
    if view.goes_to_second_marking:
        st.info(t("scoring.goes_to_second"), icon=":material/group:")

    level_keys, comment_keys, overall_key = widget_keys(view)
    levels, comments = {}, {}
    for criterion in view.criteria:
        cid = criterion["id"]
        with st.container(border=True):
            levels[cid] = level_picker(criterion, level_keys[cid], disabled=frozen)
            comments[cid] = st.text_area(t("scoring.criterion_comment"), key=comment_keys[cid], disabled=frozen,
                                         max_chars=scoring.COMMENT_LIMIT, height=90)
    levels = {cid: lvl for cid, lvl in levels.items() if lvl is not None}
    totals_bar(scoring.totals(view.criteria, levels, view.pass_level), view.pass_level)
    if not frozen:
        comment_bank(overall_key, sid)
    overall = st.text_area(t("scoring.overall"), key=overall_key, disabled=frozen, max_chars=scoring.COMMENT_LIMIT,
                           height=120)

    stored = kept or {"levels": view.levels, "comments": view.comments, "overall": view.overall_comment}
    on_screen = {"levels": levels, "comments": {k: v for k, v in comments.items() if v}, "overall": overall}
    kept_slot = st.empty()  # on every run: a caption coming and going would shift the buttons (and the focus) below
    if not frozen and json.dumps(on_screen, sort_keys=True, default=str) != json.dumps(
            {"levels": stored["levels"], "comments": {k: v for k, v in stored["comments"].items() if v},
             "overall": stored["overall"]}, sort_keys=True, default=str):
        scoring.keep_work(db, actor, sid, levels, comments, overall, seen)
        kept_slot.caption(t("scoring.kept"))
    if frozen:
        st.info(frozen_message(view), icon=":material/lock:")
        return
    keep_typing("scoring_keep_typing")  # a comment reaches the autosave after each pause, even if never left
    if view.role == "second":
        if st.button(t("scoring.hand_in_second"), type="primary", key=f"scoring_second_{sid}"):
            act(view, lambda: scoring.second_mark(db, actor, sid, levels, comments, overall, seen),
                lambda outcome: t(f"scoring.second_{outcome}", screen=t("nav.moderation")), then_next=True)
        return
    nothing_entered = not levels and not any((c or "").strip() for c in comments.values()) and not overall.strip()
    # the reason for changing a released score is kept as a draft as it is typed, like the marking
    reason = kept_box(db, actor, "change_reason", sid, f"scoring_reason_{sid}", st.text_input,
                      t("scoring.change_reason")) if released else ""
    b1, b2 = st.columns(2)
    b3, b4 = st.columns(2)
    if not released:
        if b1.button(t("scoring.save_draft"), key=f"scoring_save_{sid}", icon=":material/save:"):
            act(view, lambda: scoring.save_draft(db, actor, sid, levels, comments, overall, seen),
                lambda _: t("scoring.saved"))
        if b2.button(t("scoring.save_next"), key=f"scoring_save_next_{sid}", icon=":material/fast_forward:"):
            if nothing_entered and view.score_status is None:
                go_next(view)  # an untouched item stays untouched: no empty draft
            act(view, lambda: scoring.save_draft(db, actor, sid, levels, comments, overall, seen),
                lambda _: t("scoring.saved"), then_next=True)
    release_label = t("scoring.change") if released else \
        t("scoring.release_to_second") if view.goes_to_second_marking else t("scoring.release")
    confirm_key = f"scoring_confirming_{sid}"
    if b3.button(release_label, type="primary", key=f"scoring_release_{sid}", icon=":material/send:"):
        if released:
            act(view, lambda: scoring.release(db, actor, sid, levels, comments, overall, seen, reason),
                lambda outcome: t(f"scoring.outcome.{outcome}"))
        else:
            st.session_state[confirm_key] = "release"

    def revise():
        return scoring.request_revision(db, actor, sid, levels, comments, overall, seen)

    if not released and view.moderation_status is None and b4.button(
            t("scoring.request_revision"), key=f"scoring_revision_{sid}", icon=":material/undo:"):
        if overall.strip():
            st.session_state[confirm_key] = "revision"
        else:  # refused with its reason (the comment is what the trainee revises from): nothing to confirm
            act(view, revise, lambda _: t("scoring.revision_sent"), then_next=True)
    if st.session_state.get(confirm_key) == "release" and not released:
        confirm_release(view, lambda: scoring.release(db, actor, sid, levels, comments, overall, seen),
                        no_comment=not any((c or "").strip() for c in comments.values()) and not overall.strip())
    elif st.session_state.get(confirm_key) == "revision" and not released:
        confirm_revision(view, overall, revise)


@page_part
def marking(view):
    """The rubric as a part of its own: a level picked, a comment committed or the comment bank reruns this part
    only, not the submission beside it (its text, what changed, the evidence) nor the audit trail. Its own reruns
    read the submission again, as a full run does, so the checks below (blind second marking, frozen, changed
    meanwhile) see the stored state of now; what can no longer be opened is left to a full run to say. Every write
    ends in a full run (st.rerun), which shows the notice, the next item and the audit trail."""
    if own_rerun():
        try:
            view = scoring.open_item(db, actor, view.submission_id)
        except UserError:
            st.rerun(scope="app")
    rubric_panel(view)


def frozen_message(view):
    """Say why the score is locked, in the words of its actual state."""
    if view.role == "second":
        return t("scoring.frozen.second_marked")
    if view.status == "revision_requested":
        return t("scoring.frozen.revision_requested")
    if view.moderation_status == "second_marking":
        return t("scoring.frozen.second_marking", name=literal(view.second_marker_name or ""))
    return t("scoring.frozen.with_manager")


def confirm_release(view, write, no_comment):
    """One more look before the trainee (or a second marker) gets the score: later changes need a reason."""
    sid = view.submission_id
    with st.container(border=True):
        st.warning(t("scoring.confirm_second" if view.goes_to_second_marking else "scoring.confirm_release"),
                   icon=":material/help:")
        if no_comment:
            st.warning(t("scoring.confirm_no_comment"), icon=":material/comments_disabled:")
        c1, c2 = st.columns(2)
        if c1.button(t("scoring.confirm_yes"), type="primary", key=f"scoring_confirm_{sid}"):
            st.session_state.pop(f"scoring_confirming_{sid}", None)
            act(view, write, lambda outcome: t(f"scoring.outcome.{outcome}"), then_next=True)
        if c2.button(t("scoring.confirm_no"), key=f"scoring_confirm_cancel_{sid}"):
            st.session_state.pop(f"scoring_confirming_{sid}", None)
            st.rerun()


def confirm_revision(view, overall, write):
    """One more look before the work goes back to the trainee: the overall comment they will revise from is shown,
    so an old comment left from an earlier draft is not sent by one click."""
    sid = view.submission_id
    with st.container(border=True):
        st.warning(t("scoring.confirm_revision"), icon=":material/help:")
        with st.container(border=True):
            user_markdown(overall)
        c1, c2 = st.columns(2)
        if c1.button(t("scoring.confirm_revision_yes"), type="primary", key=f"scoring_revision_confirm_{sid}"):
            st.session_state.pop(f"scoring_confirming_{sid}", None)
            act(view, write, lambda _: t("scoring.revision_sent"), then_next=True)
        if c2.button(t("scoring.confirm_no"), key=f"scoring_revision_cancel_{sid}"):
            st.session_state.pop(f"scoring_confirming_{sid}", None)
            st.rerun()


def act(view, write, message, then_next=False):
    """Run a write; on success forget the on-screen marking (the stored one is now current). A refusal keeps it.
    The next item is looked up first: a draft saved now sorts after the items still to score."""
    following = scoring.next_item(db, actor, flt, view.submission_id) if then_next else None
    try:
        outcome = write()
    except UserError as exc:
        show_error(exc)
        return
    forget_widgets(view)
    st.session_state["scoring_notice"] = [message(outcome)]
    if then_next:
        go_next(view, following)
    st.rerun()


def audit_panel(view):
    with st.expander(t("scoring.audit")):
        change_log(scoring.audit_trail(db, actor, view.submission_id))


def item_screen(submission_id):
    try:
        view = scoring.open_item(db, actor, submission_id)
    except UserError as exc:
        show_error(exc)
        if st.button(t("scoring.back"), key="scoring_back_error"):
            open_submission(None)
            st.rerun()
        return
    n1, n2, _ = st.columns([2, 2, 3])
    if n1.button(t("scoring.back"), key="scoring_back", icon=":material/arrow_back:"):
        open_submission(None)
        st.rerun()
    if n2.button(t("scoring.skip"), key="scoring_skip", icon=":material/skip_next:"):
        go_next(view)
    # where the focus goes when this submission opens (start_at_the_top below); without a link of its own, so the
    # next Tab goes on into the submission
    with st.container(key="scoring_item_heading"):
        st.subheader(f"{literal(view.trainee_name)} · {view.assignment_code} "
                     f"{view.assignment_title_ja if ja else view.assignment_title_en} (v{view.version})", anchor=False)
    left, right = st.columns([1, 1], gap="large")
    with left:
        submission_panel(view)
    with right:
        if view.kind == "approval":
            sheet_panel(view)
        else:
            marking(view)
    if actor.has("manager"):
        audit_panel(view)
    # last: opened by "save and next" far down, the next submission shows from its top, the focus on its heading
    start_at_the_top("scoring", submission_id, focus=ITEM_HEADING)


submission_id = _int("s")
if submission_id is None:
    queue_screen()
else:
    item_screen(submission_id)
