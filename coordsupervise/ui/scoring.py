"""Widgets of the scoring area (scoring, rubrics, moderation screens), and the moderation screen's cached
agreement figures."""
from __future__ import annotations

import streamlit as st

from ..access import Actor
from ..errors import UserError
from ..office import exports
from ..scoring import moderation
from ..scoring.scoring import TEXT_DRAFTS, Change, ChangeLog, Totals, keep_text, kept_text
from ..text.usertext import literal
from .guard import show_error
from .runtime import content_stamp, database, language, t
from .widgets import jst


# Counted over every criterion marked twice (a third of /moderation's run at 100 cohorts), and the same until a
# second marking is handed in or a disagreement settled: cached per person and cohort, keyed first by the content
# stamp (assignment titles, people's names) and the moderation rows' version, both read on every run, so a change
# made in any app process is counted at the next rerun. The ten minutes only bound what the cache holds.
@st.cache_data(ttl=600, show_spinner=False)
def _agreement(stamp: int, marked: tuple[int, int], actor: Actor, cohort_id: int | None) -> dict[str, list[dict]]:
    return moderation.agreement(database(), actor, cohort_id)


def agreement(actor: Actor, cohort_id: int | None) -> dict[str, list[dict]]:
    """moderation.agreement, counted again only when what it counts changed (its access check runs every time)."""
    return _agreement(content_stamp(), moderation.figures_version(database(), actor), actor, cohort_id)


def kept_box(db, actor, kind: str, submission_id: int, key: str, widget, label: str, **kwargs) -> str:
    """A box of the scoring view whose text is kept as the marker's draft (scoring.keep_text) after every change,
    and with keep_typing mounted on the page after every pause in typing, so it comes back after a reload, a logout
    or a restart: the 課題設定シート's comment, a released score's change reason. Outside st.form for this reason:
    a form sends nothing until its button is pressed."""
    stored = kept_text(db, actor, kind, submission_id)
    if key not in st.session_state:
        st.session_state[key] = stored
    text = widget(label, key=key, max_chars=TEXT_DRAFTS[kind], **kwargs)
    if text != stored:
        try:
            keep_text(db, actor, kind, submission_id, text)
        except UserError as exc:
            show_error(exc)
    return text


def level_label(level: int) -> str:
    return f"{level} {t(f'level.{level}')}"


def criterion_title(criterion: dict) -> str:
    ja = language() == "ja"
    weight = float(criterion["weight"])
    suffix = "" if weight == 1 else f" (×{weight:g})"
    return f"{criterion['competency']} {criterion['title_ja'] if ja else criterion['title_en']}{suffix}"


def level_picker(criterion: dict, key: str, disabled: bool = False,
                 picked_by: dict[int, str] | None = None) -> int | None:
    """One click picks a level; every level's descriptor stays visible beside its number. `picked_by`: who chose a
    level already (on /moderation, the two markers), said after its descriptor; nothing is preselected."""
    ja = language() == "ja"
    descriptors = {lvl: (d_ja if ja else d_en) for lvl, d_ja, d_en in criterion["levels"]}
    notes = {lvl: " " + t("flow.level_picked_by", who=who) for lvl, who in (picked_by or {}).items()}
    return st.radio(criterion_title(criterion), [4, 3, 2, 1], index=None, key=key, disabled=disabled,
                    format_func=lambda lvl: f"**{lvl}** {descriptors.get(lvl, '')}{notes.get(lvl, '')}")


def totals_bar(totals: Totals, pass_level: int) -> None:
    """Weighted total and pass/fail as the levels are picked."""
    c1, c2, c3 = st.columns(3)
    c1.metric(t("scoring.weighted_level"), "—" if totals.weighted_level is None else f"{totals.weighted_level:.2f} / 4")
    c2.metric(t("scoring.points"), f"{totals.points:g} / {totals.max_points:g}")
    if totals.passed is None:
        c3.metric(t("scoring.result"), t("scoring.incomplete_short"))
    else:
        c3.metric(t("scoring.result"), t("scoring.pass") if totals.passed else t("scoring.fail"),
                  help=t("scoring.pass_rule", level=pass_level))


def criteria_table(criteria: list[dict]) -> None:
    """A given score, criterion by criterion (level and comment)."""
    st.dataframe([{t("assignment.col_criterion"): criterion_title(c) if "weight" in c else
                   f"{c['competency']} {c['title_ja'] if language() == 'ja' else c['title_en']}",
                   t("assignment.col_level"): level_label(c["level"]),
                   t("assignment.col_comment"): c.get("comment", "")} for c in criteria],
                 hide_index=True, width="stretch")


def score_downloads(frame, name: str, key: str) -> None:
    """The released scores of a cohort as CSV (Excel-ready) and XLSX, both formula-safe."""
    headers = {c: t(f"scoring.export.{c}") for c in frame.columns}
    readable = frame.rename(columns=headers)
    d1, d2 = st.columns(2)
    d1.download_button(t("scoring.csv"), exports.csv_bytes(readable), file_name=f"{name}.csv", mime="text/csv",
                       key=f"{key}_csv", icon=":material/download:", disabled=frame.empty)
    d2.download_button(t("scoring.xlsx"), lambda: exports.xlsx_bytes(readable), file_name=f"{name}.xlsx",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       key=f"{key}_xlsx", icon=":material/table:", disabled=frame.empty)
    st.caption(t("scoring.export_note", rows=len(frame)))


def change_text(change: Change) -> str:
    """One change of a score in words: 「C3: 2 → 3」, 「C3のコメントを変更」, 「状態: 下書き → 公開済み」."""
    def status(value):
        return t(f"scoring.score_status.{value}") if value else "—"

    code = literal(change.criterion)
    if change.what == "level":
        return t("scoring.change.level", criterion=code, before=change.before or "—", after=change.after or "—")
    if change.what == "second_level":
        return t("scoring.change.second_level", criterion=code, level=change.after)
    if change.what == "comment":
        return t(f"scoring.change.comment.{change.after}", criterion=code)
    if change.what == "overall_comment":
        return t(f"scoring.change.overall_comment.{change.after}")
    if change.what == "outcome":
        return t(f"scoring.change.outcome.{change.after}")
    if change.what == "privacy":
        return t("scoring.change.privacy", count=change.after)
    return t("scoring.change.status", before=status(change.before), after=status(change.after))


def change_log(log: ChangeLog) -> None:
    """The audit trail of a score as a list a person reads: when, who, what they did, what changed, why."""
    if log.withheld:
        st.info(t("scoring.audit_withheld"), icon=":material/visibility_off:")
    if not log.entries:
        st.caption(t("scoring.audit_empty"))
    for entry in log.entries:
        lines = [f"**{jst(entry.occurred_at)}** · {literal(entry.actor or t('scoring.audit_system'))} · "
                 f"{t(f'scoring.audit.action.{entry.action}')}"]
        lines += [f"- {change_text(change)}" for change in entry.changes]
        if entry.reason:
            lines.append(f"- {t('scoring.audit_reason_line', reason=literal(entry.reason))}")
        st.markdown("\n".join(lines))
