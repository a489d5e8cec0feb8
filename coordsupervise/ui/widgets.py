"""Small pieces of screen that several pages share."""
from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from ..privacy.guard import PrivacyFindings
from ..programme.enrolments import current_for_trainee
from ..routes import BY_PATH
from ..text import usertext
from .firsthour import plain
from .runtime import language, t

JST = ZoneInfo("Asia/Tokyo")


def jst(ts: datetime | None) -> str:
    """A naive-UTC timestamp from the database, shown in Asia/Tokyo."""
    if ts is None or ts != ts:  # None or NaT
        return ""
    return ts.replace(tzinfo=ZoneInfo("UTC")).astimezone(JST).strftime("%Y-%m-%d %H:%M")


def user_markdown(text: str) -> None:
    """Markdown someone typed, as usertext.markdown makes it safe: no image, no raw HTML, links only to http(s) and
    mailto addresses, headings below the page's own."""
    st.markdown(usertext.markdown(text))


def thread_view(messages) -> None:
    """A feedback thread: author, time, a 'new' mark, and the Markdown body (rendered without HTML)."""
    if not messages:
        st.caption(t("thread.empty"))
        return
    for message in messages:
        with st.chat_message("user" if message.is_new else "assistant", avatar=":material/person:"):
            head = f"**{usertext.literal(message.author_name)}** · {jst(message.created_at)}"
            if message.is_new:
                head += f" · :red-badge[{t('thread.new')}]"
            st.markdown(head)
            user_markdown(message.body_md)


def rubric_table(criteria: list[dict]) -> None:
    """A rubric as a grid: one row per criterion, the four level descriptors as columns (4 → 1)."""
    ja = language() == "ja"
    rows = []
    for criterion in criteria:
        row = {t("assignment.col_criterion"): f"{criterion['competency']} "
               f"{criterion['title_ja'] if ja else criterion['title_en']}"}
        for level, descriptor_ja, descriptor_en in criterion["levels"]:
            row[f"{level} {t(f'level.{level}')}"] = descriptor_ja if ja else descriptor_en
        rows.append(row)
    st.dataframe(rows, hide_index=True, width="stretch")


def link(route_path: str, label: str, icon: str | None = None, params: dict | None = None) -> None:
    """A link to another screen of the menu, keeping the session. Outside the router (a screen run on its own, as
    in tests) the page is unknown to Streamlit, so it falls back to a plain link to the same address. `label` is
    Markdown either way: a name in it goes through usertext.literal."""
    try:
        st.page_link(BY_PATH[route_path].file, label=label, icon=icon, query_params=params)
    except StreamlitPageNotFoundError:
        st.markdown(f"[{label}](/{route_path}{'?' + urlencode(params) if params else ''})")


def own_enrolment(db, actor):
    """The trainee's current enrolment, or a friendly stop when there is none yet."""
    enrolment = current_for_trainee(db, actor)
    if enrolment is None:
        st.info(t("trainee.no_enrolment"))
        st.stop()
    return enrolment


ON_TRACK_WHILE_OPEN = {"cert.reflections"}  # met today, but the rate can still fall before the stage ends


def checklist_view(checks, modules: list[dict] | None = None, practical_ongoing: bool = False) -> None:
    """The certification checklist: per criterion its status in words (met / not met / not yet judged, or on track
    while the practical stage still runs), the current value against the bar, and what is missing. Given the
    cohort's `modules`, unmet modules are named ("05 入管法(在留)"), not counted by number."""
    titles = {m["seq"]: f"{m['seq']:02d} {m['title_ja' if language() == 'ja' else 'title_en']}"
              for m in modules or []}
    for check in checks:
        status = {True: "met", False: "unmet", None: "open"}[check.met]
        if check.met and practical_ongoing and check.key in ON_TRACK_WHILE_OPEN:
            status = "on_track"
        colour = {"met": "green", "on_track": "blue", "unmet": "red", "open": "gray"}[status]
        line = f":{colour}-badge[{t(f'cert.status.{status}')}] **{t(check.key, **check.params)}**"
        value = _check_value(check)
        if value:
            line += f"  \n{value}" + (t("cert.during_practical") if status == "on_track" else "")
        seqs = check.params.get("module_seqs") or []
        named = t("firsthour.list_sep").join(titles[s] for s in seqs if s in titles)
        if named and check.met is None:  # the online stage is still on: which modules are still to pass
            line += f"  \n{t('firsthour.modules_open', modules=named)}"
        elif named and check.met is False:
            line += f"  \n{t('firsthour.modules_unmet', modules=named)}"
        elif check.detail_key and check.met is False and not value:
            line += f"  \n{t(check.detail_key, **check.params)}"
        st.markdown(line)


def _check_value(check) -> str:
    """The person's current figure against the bar (「86% / 基準80%」), where the criterion has one."""
    p = check.params
    if "rate" in p and p.get("expected"):
        return t("cert.value_bar", value=f"{p['rate']}%", bar=p["bar"])
    if p.get("best") not in (None, "", "—"):
        return t("cert.value_bar", value=f"{p['best']}%", bar=p["bar"])
    return ""


def form_key(base: str) -> str:
    """A form key that changes after a successful submit. Forms keep their text when a submit fails (nothing
    typed is lost) and start empty after one succeeds: call form_done(base) on success."""
    return f"{base}_{st.session_state.get('form_round_' + base, 0)}"


def form_done(base: str) -> None:
    st.session_state["form_round_" + base] = st.session_state.get("form_round_" + base, 0) + 1


def file_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def privacy_confirmations(scope: str, field_prefix: str, button: str | None = None) -> set:
    """The privacy guard's findings from the last write attempted through privacy_guarded(scope, ...), each with a
    checkbox "not about a client", and which `button` (its label) to press again. Returns the confirmed (kind, text)
    to pass to that write."""
    confirmed: set = st.session_state.setdefault(f"privacy_confirmed_{scope}", set())
    findings = st.session_state.get(f"privacy_findings_{scope}", [])
    if findings:
        with st.container(border=True):
            st.warning(t("reflection.privacy_intro"), icon=":material/privacy_tip:")
            for i, finding in enumerate(findings):
                label = t("reflection.privacy_item", kind=t(f"privacy.{finding.kind}"),
                          field=t(f"{field_prefix}.{finding.field}"), text=plain(finding.text))
                span = (finding.kind, finding.text)
                if st.checkbox(label, key=f"privacy_check_{scope}_{i}", value=span in confirmed):
                    confirmed.add(span)
                else:
                    confirmed.discard(span)
            st.caption(t("reflection.privacy_howto", button=button or t("reflection.submit")))
    return confirmed


def privacy_guarded(scope: str, write):
    """Run `write()` (a service call given the confirmations from privacy_confirmations). If the privacy guard
    holds it back, remember the findings for privacy_confirmations(scope) and rerun to show them; once it goes
    through, forget them. Other errors propagate to the caller."""
    try:
        result = write()
    except PrivacyFindings as exc:
        st.session_state[f"privacy_findings_{scope}"] = exc.findings
        st.rerun()
    st.session_state.pop(f"privacy_findings_{scope}", None)
    return result
