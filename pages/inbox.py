"""Supervisor: the reflection inbox. The list (filters in the address, so a view can be bookmarked) and, with
?r=<id>, one reflection to read and answer, with "next unread" to clear a day without going back.
Reads inbox and supervision; writes read receipts, replies (drafts autosaved), flags and the comment bank."""
from datetime import date

import streamlit as st

from coordsupervise.errors import StaleWrite, UserError
from coordsupervise.practice import inbox, reflections, supervision
from coordsupervise.practice.inbox import InboxFilter
from coordsupervise.text.limits import QUERY_LIMIT
from coordsupervise.text.usertext import literal
from coordsupervise.ui import state
from coordsupervise.ui.diffview import changes_legend, text_changes
from coordsupervise.ui.flags import flag_card, raise_flag_form
from coordsupervise.ui.guard import require, show_error
from coordsupervise.ui.keep_typing import keep_typing
from coordsupervise.ui.privacy import redaction_control
from coordsupervise.ui.reading import competency_tags
from coordsupervise.ui.runtime import database, t
from coordsupervise.ui.scroll import TITLE, start_at_the_top
from coordsupervise.ui.widgets import form_done, form_key, jst, link, thread_view

actor = require("supervisor")
db = database()
qp = st.query_params


def _int(name):
    try:
        return int(qp.get(name, ""))
    except ValueError:
        return None


def _date(name):
    try:
        return date.fromisoformat(qp.get(name, ""))
    except ValueError:
        return None


flt = InboxFilter(cohort_id=_int("cohort"), enrolment_id=_int("trainee"), date_from=_date("from"),
                  date_to=_date("to"), competency=qp.get("comp") or None, flagged=qp.get("flagged") == "1",
                  unread=qp.get("unread") == "1", awaiting_reply=qp.get("awaiting") == "1", query=qp.get("q", ""),
                  not_replied=qp.get("noreply") == "1")


def _marks(*marks) -> str:
    """The words of the marks that apply, joined as a list is in the reader's language."""
    return t("polish.list_separator").join(word for applies, word in marks if applies)


def open_reflection(reflection_id):
    if reflection_id is None:
        qp.pop("r", None)
    else:
        qp["r"] = str(reflection_id)


st.title(t("nav.inbox"))
reflection_id = _int("r")
ITEM_HEADING = ".st-key-inbox_reflection_heading h3"  # the open reflection's heading (trainee and day)
counts_area = st.container()


def show_counts(compact: bool = False):
    """The four counts: as figures above the list; as one line of text above an open reflection (four figures
    stack on a phone and push the reflection a screen down)."""
    counts = inbox.counts(db, actor)
    figures = [(t("inbox.unread"), counts["unread"]), (t("firsthour.not_replied"), counts["not_replied"]),
               (t("inbox.awaiting"), counts["awaiting_reply"]), (t("inbox.flagged"), counts["flagged_trainees"])]
    if compact:
        counts_area.markdown(" · ".join(f"{label} **{n}**" for label, n in figures),
                             help=t("firsthour.not_replied_help"))
        return
    for column, (label, n) in zip(counts_area.columns(4), figures, strict=True):
        column.metric(label, n, help=t("firsthour.not_replied_help") if label == figures[1][0] else None)


# ================================================================ reading one reflection
if reflection_id is not None:
    try:
        view = supervision.open_reflection(db, actor, reflection_id)
    except UserError as exc:
        show_error(exc)
        if st.button(t("inbox.back"), key="inbox_back_error"):
            open_reflection(None)
            st.rerun()
        st.stop()
    # what was on screen when the supervisor pressed a button: the previous run's version and thread length
    seen_key = f"inbox_seen_{reflection_id}"
    stale_shown = False
    seen_version, seen_length = st.session_state.get(seen_key, (view.version, view.thread_length))
    writable = "supervised" in view.relation
    was_unread = view.read_version_before is None or view.read_version_before < view.version
    if was_unread and writable:
        supervision.mark_read(db, actor, reflection_id)
    if writable:  # the reply and the flag boxes: what is typed is kept after each pause, even if never left
        keep_typing("inbox_keep_typing")
    show_counts(compact=True)  # after the read receipt, so the numbers already count this one as read

    nav1, nav2, nav3 = st.columns([1, 1, 1])
    if nav1.button(t("inbox.back"), key="inbox_back", icon=":material/arrow_back:"):
        open_reflection(None)
        st.rerun()
    if writable and nav3.button(t("firsthour.mark_unread"), key="inbox_mark_unread",
                                icon=":material/mark_email_unread:"):
        supervision.mark_unread(db, actor, reflection_id)  # then back to the list, where it shows unread again
        st.session_state["inbox_notice"] = "firsthour.marked_unread"
        open_reflection(None)
        st.rerun()
    next_id = inbox.next_unread(db, actor, flt, after_id=reflection_id)
    if nav2.button(t("inbox.next_unread"), key="inbox_next", icon=":material/arrow_forward:",
                   disabled=next_id is None, type="primary"):
        open_reflection(next_id)
        st.rerun()

    weekday = t(f"weekday.{view.practice_date.weekday()}")
    # where the focus goes when this reflection opens (start_at_the_top below); without a link of its own, so the
    # next Tab goes on into the reflection
    with st.container(key="inbox_reflection_heading"):
        st.subheader(f"{literal(view.trainee_name)} · {view.practice_date:%Y/%m/%d} ({weekday})", anchor=False)
    status = [t("inbox.version", version=view.version), jst(view.version_saved_at or view.submitted_at)]
    if view.late:
        status.append(t("reflection.status_late").strip("・· "))
    if view.read_version_before and view.read_version_before < view.version:
        status.append(t("inbox.revised_since", version=view.read_version_before))
    thread = reflections.thread(db, actor, reflection_id)
    replied = any(m.author_id != view.trainee_id for m in thread)
    status.append(t("inbox.replied") if replied else t("firsthour.not_replied_state"))
    st.caption(" · ".join(status))

    body = view.body
    bank = supervision.comment_bank(db, actor)  # the reply's picker and its editor below, read once
    competency_tags(body.competencies)
    main, side = st.columns([3, 2])
    with main:
        st.markdown(f"**{t('reflection.field.goal')}**")
        st.text(body.goal or "—")
        st.text(f"{t('reflection.field.case_count')}: {body.case_count} · {t('reflection.field.case_fields')}: "
                f"{body.case_fields or '—'}")
        for name in ("event", "feelings", "keep_text", "problem", "analysis", "insight", "try_text"):
            st.markdown(f"**{t(f'reflection.field.{name}')}**")
            st.text(getattr(body, name) or "—")
        if body.self_rating:
            st.markdown(f"**{t('reflection.field.self_rating')}**: {body.self_rating} "
                        f"{t(f'level.{body.self_rating}')}")
        if writable:  # a lesson worth keeping: a case for the know-how library, its trainee asked when proposed
            link("library", t("library.draw_case"), ":material/library_add:",
                 {"view": "write", "from": reflection_id})

        history = view.history
        if len(history) > 1:
            # from the version this supervisor read before, when it was an earlier one; else from the one before
            revised = bool(view.read_version_before) and view.read_version_before < view.version
            base = view.read_version_before if revised else history[-2][0]
            old = next((b for v, _, b in history if v == base), history[-2][2])
            with st.expander(t("inbox.changes", old=base, new=view.version), expanded=revised):
                changes = supervision.version_diff(old, body)
                if changes:
                    changes_legend()
                else:
                    st.caption(t("flow.diff.no_changes"))
                for name, lines in changes:
                    st.markdown(f"**{t(f'reflection.field.{name}')}**")
                    text_changes(lines)

        st.markdown(f"#### {t('inbox.thread')}")
        thread_view(thread)
        if any(m.is_new for m in thread):  # a write only when a message is new to this reader
            reflections.mark_thread_read(db, actor, reflection_id)

        if not writable:
            st.info(t("inbox.read_only"))
        else:
            reply_key = f"inbox_reply_{reflection_id}"
            stored_draft = supervision.reply_draft(db, actor, reflection_id)
            if reply_key not in st.session_state:
                st.session_state[reply_key] = stored_draft
            elif st.session_state.get(state.PREVIOUS_PAGE) != "inbox":  # entered from elsewhere: re-send the text
                st.session_state[reply_key] = st.session_state[reply_key]
            if bank:
                b1, b2 = st.columns([3, 1])
                chosen = b1.selectbox(t("bank.pick"), [c["id"] for c in bank], key=f"inbox_bank_{reflection_id}",
                                      format_func=lambda cid: next(c["title"] for c in bank if c["id"] == cid),
                                      placeholder=t("firsthour.choose"))

                def insert_comment():
                    text = next(c["body_md"] for c in bank if c["id"] == chosen)
                    current = st.session_state.get(reply_key, "")
                    st.session_state[reply_key] = (current + "\n\n" + text).strip() if current else text

                b2.button(t("bank.insert"), key=f"inbox_bank_insert_{reflection_id}", on_click=insert_comment)
            text = st.text_area(t("inbox.reply"), key=reply_key, height=140, max_chars=reflections.REPLY_LIMIT,
                                help=t("inbox.reply_help"))
            # a slot drawn on every run: a caption coming and going would shift the buttons below it, and the browser
            # would redraw them as new ones, dropping the focus a Tab out of the box had just put on 送信
            saved_slot = st.empty()
            if text != stored_draft and (text.strip() or not stored_draft.strip()):  # never blank out a draft
                supervision.save_reply_draft(db, actor, reflection_id, text, seen_version, seen_length)
                saved_slot.caption(t("inbox.reply_saved"))
            s1, s2 = st.columns(2)
            send = s1.button(t("inbox.send"), key=f"inbox_send_{reflection_id}", icon=":material/send:")
            send_next = s2.button(t("inbox.send_next"), key=f"inbox_send_next_{reflection_id}", type="primary",
                                  icon=":material/fast_forward:")
            if send or send_next:
                try:
                    supervision.send_reply(db, actor, reflection_id, text, seen_version, seen_length)
                    st.session_state.pop(reply_key, None)
                    st.toast(t("inbox.sent"), icon=":material/check_circle:")
                    if send_next:
                        open_reflection(inbox.next_unread(db, actor, flt, after_id=reflection_id))
                    st.rerun()
                except UserError as exc:  # including StaleWrite: the text stays as a draft
                    show_error(exc)
                    stale_shown = isinstance(exc, StaleWrite)

    with side:
        open_flags = [f for f in supervision.flags(db, actor, view.enrolment_id) if f["resolved_at"] is None]
        with st.expander(t("flag.title") + (f" ({len(open_flags)})" if open_flags else ""), icon=":material/flag:",
                         expanded=bool(open_flags)):
            for f in open_flags:  # an open flag is resolved where it was raised, not raised a second time
                flag_card(db, actor, f, "inbox", writable)
            if writable and open_flags:
                st.caption(t("firsthour.flag_another"))
            if writable:
                raise_flag_form(db, actor, view.enrolment_id, f"inbox_flag_{reflection_id}", reflection_id)
        redaction_control(db, actor, reflection_id, "inbox",
                          on_redacted=lambda: st.session_state.pop(f"inbox_reply_{reflection_id}", None))
        link("trainee", t("inbox.profile"), ":material/person:", {"e": str(view.enrolment_id)})
        st.markdown(f"**{t('inbox.previous_days')}**")
        for prev in supervision.previous_days(db, actor, reflection_id):
            with st.container(border=True):
                st.caption(f"{prev['practice_date']:%m/%d} · {t('reflection.field.self_rating')} "
                           f"{prev['self_rating'] or '—'}")
                st.text((prev["event"] or "")[:200])
                if prev["try_text"]:
                    st.text(f"Try: {prev['try_text'][:120]}")
        with st.expander(t("bank.manage")):
            for c in bank:
                with st.form(f"inbox_bank_edit_{c['id']}"):
                    title = st.text_input(t("bank.title"), value=c["title"], max_chars=80)
                    body_md = st.text_area(t("bank.body"), value=c["body_md"], max_chars=reflections.REPLY_LIMIT)
                    e1, e2 = st.columns(2)
                    if e1.form_submit_button(t("bank.save")):
                        try:
                            supervision.save_comment(db, actor, title, body_md, c["id"])
                            st.rerun()
                        except UserError as exc:
                            show_error(exc)
                    if e2.form_submit_button(t("bank.delete")):
                        supervision.delete_comment(db, actor, c["id"])
                        st.rerun()
            with st.form(form_key("inbox_bank_new")):
                title = st.text_input(t("bank.title"), max_chars=80)
                body_md = st.text_area(t("bank.body"), max_chars=reflections.REPLY_LIMIT)
                if st.form_submit_button(t("bank.add")):
                    try:
                        supervision.save_comment(db, actor, title, body_md)
                        form_done("inbox_bank_new")
                        st.rerun()
                    except UserError as exc:
                        show_error(exc)
    # What this person has seen advances with each run, except while a reply is being typed: a message (or a
    # revision) that arrives then shows up above the box during a keep-typing rerun, unnoticed; sending is refused
    # once with the "new message" notice, and from then on it counts as seen.
    typing = bool((st.session_state.get(f"inbox_reply_{reflection_id}") or "").strip())
    if seen_key not in st.session_state or not typing or stale_shown:
        st.session_state[seen_key] = (view.version, view.thread_length)
    # last, so its empty element adds no gap above anything: opened from far down (send and next), the next
    # reflection shows from its top (the trainee's name and the first lines they wrote), the focus on that heading
    start_at_the_top("inbox", reflection_id, focus=ITEM_HEADING)
    st.stop()

# ================================================================ the list
show_counts()
if st.session_state.get("inbox_notice"):
    st.toast(t(st.session_state.pop("inbox_notice")), icon=":material/mark_email_unread:")
gen = st.session_state.get("inbox_filter_gen", 0)
# open while any filter is set, and after "clear" (gen > 0 this session): clearing must not fold the panel away
with st.expander(t("inbox.filters"), expanded=gen > 0 or any([
        flt.cohort_id, flt.enrolment_id, flt.date_from, flt.date_to, flt.competency, flt.flagged, flt.unread,
        flt.awaiting_reply, flt.query, flt.not_replied])):
    caseload = inbox.caseload(db, actor)
    cohorts_seen = {c["cohort_id"]: c["cohort"] for c in caseload}
    f1, f2, f3 = st.columns(3)
    cohort = f1.selectbox(t("inbox.cohort"), [None, *cohorts_seen], key=f"inbox_cohort_{gen}",
                          index=([None, *cohorts_seen].index(flt.cohort_id) if flt.cohort_id in cohorts_seen else 0),
                          format_func=lambda c: t("inbox.all") if c is None else cohorts_seen[c],
                          placeholder=t("firsthour.choose"))
    name = f2.text_input(t("firsthour.find_trainee"), key=f"inbox_name_{gen}", max_chars=QUERY_LIMIT,
                         placeholder=t("firsthour.find_trainee_hint"))
    named = {c["enrolment_id"] for c in inbox.caseload(db, actor, name)} if name.strip() else None
    trainees = {c["enrolment_id"]: f"{c['display_name']}({c['display_name_kana'] or ''})· {c['cohort']}"
                for c in caseload if (cohort is None or c["cohort_id"] == cohort)
                and (named is None or c["enrolment_id"] in named or c["enrolment_id"] == flt.enrolment_id)}
    trainee = f2.selectbox(t("inbox.trainee"), [None, *trainees], key=f"inbox_trainee_{gen}",
                           index=([None, *trainees].index(flt.enrolment_id) if flt.enrolment_id in trainees else 0),
                           format_func=lambda e: t("inbox.all") if e is None else trainees[e],
                           placeholder=t("firsthour.choose"))
    competency = f3.selectbox(t("inbox.competency"), [None, *inbox.COMPETENCIES], key=f"inbox_competency_{gen}",
                              index=([None, *inbox.COMPETENCIES].index(flt.competency)
                                     if flt.competency in inbox.COMPETENCIES else 0),
                              format_func=lambda c: t("inbox.all") if c is None else c,
                              placeholder=t("firsthour.choose"))
    g1, g2 = st.columns([2, 3])
    span = g1.date_input(t("inbox.dates"), value=[d for d in (flt.date_from, flt.date_to) if d],
                         key=f"inbox_dates_{gen}", format="YYYY/MM/DD")
    query = g2.text_input(t("inbox.search"), value=flt.query[:QUERY_LIMIT], key=f"inbox_query_{gen}",
                          max_chars=QUERY_LIMIT,
                          placeholder=t("inbox.search_hint"))
    h1, h2, h3, h4, h5 = st.columns(5)
    unread_only = h1.checkbox(t("inbox.only_unread"), value=flt.unread, key=f"inbox_only_unread_{gen}")
    not_replied_only = h2.checkbox(t("firsthour.only_not_replied"), value=flt.not_replied,
                                   key=f"inbox_only_not_replied_{gen}", help=t("firsthour.not_replied_help"))
    awaiting_only = h3.checkbox(t("inbox.only_awaiting"), value=flt.awaiting_reply, key=f"inbox_only_awaiting_{gen}",
                                help=t("firsthour.awaiting_help"))
    flagged_only = h4.checkbox(t("inbox.only_flagged"), value=flt.flagged, key=f"inbox_only_flagged_{gen}")

    def clear_filters():
        for param in ("cohort", "trainee", "comp", "from", "to", "q", "unread", "flagged", "awaiting", "noreply",
                      "page"):
            qp.pop(param, None)
        # new widgets (fresh keys): the browser would otherwise send the old values straight back
        st.session_state["inbox_filter_gen"] = gen + 1

    h5.button(t("inbox.clear"), key="inbox_clear", on_click=clear_filters, icon=":material/filter_alt_off:")
    wanted = {"cohort": cohort, "trainee": trainee, "comp": competency,
              "from": span[0].isoformat() if len(span) >= 1 else None,
              "to": span[1].isoformat() if len(span) == 2 else None, "q": query.strip() or None,
              "unread": "1" if unread_only else None, "flagged": "1" if flagged_only else None,
              "awaiting": "1" if awaiting_only else None, "noreply": "1" if not_replied_only else None}
    current = {k: qp.get(k) for k in wanted}
    if {k: (str(v) if v is not None else None) for k, v in wanted.items()} != current:
        for k, v in wanted.items():
            if v is None:
                qp.pop(k, None)
            else:
                qp[k] = str(v)
        qp.pop("page", None)
        st.rerun()

page_no = max(1, _int("page") or 1)
frame, total = inbox.page(db, actor, flt, page_no)
pages = max(1, -(-total // inbox.PAGE_SIZE))
top1, top2 = st.columns([3, 1])
top1.caption(t("inbox.showing", total=total, page=page_no, pages=pages))
first_unread = inbox.next_unread(db, actor, flt)
if top2.button(t("inbox.open_next_unread"), key="inbox_open_next", type="primary", disabled=first_unread is None):
    open_reflection(first_unread)
    st.rerun()

if frame.empty:
    st.info(t("inbox.empty"))
else:
    table = frame.assign(
        # words, not symbols: a phone or an office PC without an emoji font shows those as empty boxes
        state=[_marks((u, t("inbox.state_unread")), (r, t("polish.state_revised")))
               for u, r in zip(frame["unread"], frame["revised"], strict=True)],
        replied=[t("inbox.replied") if r else t("firsthour.not_replied_state") for r in frame["replied"]],
        marks=[_marks((f, t("polish.mark_flagged")), (a, t("polish.mark_trainee_wrote")))
               for f, a in zip(frame["flagged"], frame["awaiting_reply"], strict=True)],
        competencies=frame["competencies"].fillna("—"),  # none chosen: a dash, not a grey "None"
    )  # the long excerpt last: on a phone the table is cut at the right edge, and a column after it is out of sight
    table = table[["state", "replied", "practice_date", "trainee", "marks", "messages", "competencies", "cohort",
                   "excerpt"]]
    picked = st.dataframe(
        table, hide_index=True, width="stretch", on_select="rerun", selection_mode="single-row",
        key=f"inbox_table_{st.session_state.get('inbox_table_gen', 0)}",
        column_config={"state": t("inbox.col_state"), "replied": t("firsthour.col_replied"),
                       "practice_date": st.column_config.DateColumn(t("inbox.col_day"), format="MM/DD"),
                       "trainee": t("inbox.col_trainee"), "cohort": t("inbox.col_cohort"),
                       "competencies": t("inbox.col_competencies"), "excerpt": t("inbox.col_excerpt"),
                       "marks": st.column_config.TextColumn(t("inbox.col_marks"), width="medium"),
                       "messages": t("inbox.col_messages")})
    if picked.selection.rows:
        open_reflection(int(frame.iloc[picked.selection.rows[0]]["id"]))
        # a fresh table next time: a remembered selection would reopen this row on the way back to the list
        st.session_state["inbox_table_gen"] = st.session_state.get("inbox_table_gen", 0) + 1
        st.rerun()
    p1, p2, _ = st.columns([1, 1, 4])
    if p1.button(t("inbox.prev_page"), key="inbox_prev", disabled=page_no <= 1):
        qp["page"] = str(page_no - 1)
        st.rerun()
    if p2.button(t("inbox.next_page"), key="inbox_nextpage", disabled=page_no >= pages):
        qp["page"] = str(page_no + 1)
        st.rerun()

# the figures are counted only while the section is open (on_change="rerun" makes the expander report it): they
# were three queries over the caseload's whole history on every run of the list
with st.expander(t("inbox.workload"), key="inbox_workload", on_change="rerun") as workload_box:
    if workload_box.open:
        figures = inbox.workload(db, actor)
        w1, w2 = st.columns(2)
        week = figures["median_hours_week"]
        w1.metric(t("inbox.median_week"), "—" if week is None else t("inbox.hours", hours=f"{week:.1f}"))
        w2.metric(t("inbox.waiting_2_days"), figures["waiting_over_2_days"])
        if figures["per_cohort"]:
            st.dataframe([{t("inbox.col_cohort"): row["cohort"],
                           t("inbox.median_cohort"): t("inbox.hours", hours=f"{row['median_hours']:.1f}"),
                           t("inbox.replied"): row["replied"]} for row in figures["per_cohort"]],
                         hide_index=True, width="stretch")

start_at_the_top("inbox", "list", focus=TITLE)  # back from a reflection read far down: the list from its top
