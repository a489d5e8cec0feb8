"""Manager: second markings that disagree beyond tolerance, side by side, settled with the agreed levels (each with
its rubric descriptor, as /scoring shows them) and a reason; and how far the raters agree (exact %, within-one %,
quadratic-weighted kappa with its Landis & Koch band, rater severity) per assignment, criterion and pair of raters,
with charts. Reads/writes coordsupervise.scoring.moderation."""
import time

import streamlit as st

from coordsupervise.dashboards import vega
from coordsupervise.errors import UserError
from coordsupervise.scoring import moderation, scoring
from coordsupervise.text.usertext import literal
from coordsupervise.ui.accessibility import vega_chart
from coordsupervise.ui.cohorts import cohort_choices
from coordsupervise.ui.guard import require, show_error
from coordsupervise.ui.keep_typing import keep_typing
from coordsupervise.ui.runtime import database, language, t
from coordsupervise.ui.scoring import agreement, change_log, criterion_title, level_picker, score_downloads
from coordsupervise.ui.scroll import focus_once
from coordsupervise.ui.widgets import jst, user_markdown

actor = require("manager")
db = database()
qp = st.query_params
ja = language() == "ja"
st.title(t("nav.moderation"))
notices = st.session_state.pop("moderation_notice", [])
if notices:
    with st.container(key="moderation_notice"):  # where the focus goes after a settlement (the end of this page)
        for message in notices:
            st.success(message, icon=":material/check_circle:")


def markers_of(criterion: dict) -> dict[int, str]:
    """Which marker chose which level of a criterion, said beside that level's descriptor."""
    who: dict[int, list[str]] = {}
    who.setdefault(criterion["first_level"], []).append(t("moderation.first"))
    who.setdefault(criterion["second_level"], []).append(t("moderation.second"))
    return {level: t("polish.list_separator").join(names) for level, names in who.items()}


# ================================================================ disagreements
st.subheader(t("moderation.waiting"))
waiting = moderation.open_disagreements(db, actor)
if not waiting:
    st.info(t("moderation.none_waiting"))
else:
    ids = [d.moderation_id for d in waiting]
    try:
        wanted = int(qp.get("m", ""))
    except ValueError:
        wanted = None
    by_id = {d.moderation_id: d for d in waiting}
    chosen = st.selectbox(
        t("moderation.pick"), ids, index=ids.index(wanted) if wanted in ids else 0, key="moderation_pick",
        format_func=lambda i: f"{by_id[i].trainee_name} · {by_id[i].assignment_code} "
                              f"{by_id[i].assignment_title_ja if ja else by_id[i].assignment_title_en} "
                              f"(v{by_id[i].version}) · {jst(by_id[i].second_marked_at)}")
    if str(chosen) != qp.get("m"):
        qp["m"] = str(chosen)
    item = by_id[chosen]
    pair = moderation.side_by_side(db, actor, chosen)
    st.caption(t("moderation.markers", first=literal(item.first_marker), second=literal(item.second_marker),
                 tolerance=pair["tolerance"]))
    with st.expander(t("moderation.submission")):
        user_markdown(pair["body_md"])
    # the two levels first, so a phone shows them without scrolling sideways
    st.dataframe([{t("moderation.group.criterion"): c["competency"], t("moderation.first"): c["first_level"],
                   t("moderation.second"): c["second_level"],
                   t("moderation.difference"): c["second_level"] - c["first_level"],
                   t("moderation.first_comment"): c["first_comment"] or "",
                   t("moderation.second_comment"): c["second_comment"] or "",
                   t("assignment.col_criterion"): criterion_title(c)} for c in pair["criteria"]],
                 hide_index=True, width="stretch")
    c1, c2 = st.columns(2)
    with c1.container(border=True):
        st.markdown(f"**{t('moderation.first')}** · {literal(item.first_marker)}")
        user_markdown(pair["first_comment"])
    with c2.container(border=True):
        st.markdown(f"**{t('moderation.second')}** · {literal(item.second_marker)}")
        user_markdown(pair["second_comment"])
    with st.expander(t("scoring.audit")):
        change_log(scoring.audit_trail(db, actor, pair["submission_id"]))
    if pair["own_marking"]:
        st.warning(t("moderation.own_marking_others" if pair["other_managers"] else "moderation.own_marking_alone"),
                   icon=":material/gpp_maybe:")
    # no st.form: the levels picked and the reason typed are kept as this manager's draft after every change (and,
    # with keep_typing, after every pause in typing), so a reload before 'record' loses nothing
    keep_typing("moderation_keep_typing")
    level_keys = {c["id"]: f"moderation_level_{chosen}_{c['id']}" for c in pair["criteria"]}
    reason_key = f"moderation_reason_{chosen}"
    kept = moderation.resolution_draft(db, actor, chosen)
    if reason_key not in st.session_state:
        st.session_state[reason_key] = kept["reason"]
        for cid, key in level_keys.items():
            st.session_state[key] = kept["levels"].get(cid)
    with st.container(border=True):
        agreed = {}
        for c in pair["criteria"]:  # no level preselected: the manager decides, not the first marker
            agreed[c["id"]] = level_picker(c, level_keys[c["id"]], picked_by=markers_of(c))
        reason = st.text_area(t("moderation.reason"), max_chars=moderation.REASON_LIMIT,
                              help=t("moderation.reason_help"), key=reason_key)
        if reason != kept["reason"] or {c: v for c, v in agreed.items() if v} != kept["levels"]:
            try:
                moderation.keep_resolution_draft(db, actor, chosen, agreed, reason)
            except UserError as exc:
                show_error(exc)
        if st.button(t("moderation.resolve"), type="primary", icon=":material/gavel:",
                     key=f"moderation_resolve_{chosen}", disabled=pair["own_marking"] and pair["other_managers"]):
            try:
                moderation.resolve(db, actor, chosen, agreed, reason, pair["row_version"])
                st.session_state["moderation_notice"] = [t("moderation.resolved")]
                for key in [reason_key, *level_keys.values()]:
                    st.session_state.pop(key, None)
                qp.pop("m", None)
                st.rerun()
            except UserError as exc:
                show_error(exc)

# ================================================================ agreement figures
st.subheader(t("moderation.agreement"))
choices = cohort_choices(actor)  # cached, as on the dashboards
cohort_ids = [None] + [int(i) for i in choices["id"]]
names = dict(zip(cohort_ids[1:], choices["name_ja" if ja else "name_en"], strict=True))
try:
    wanted_cohort = int(qp.get("cohort", ""))
except ValueError:
    wanted_cohort = None
cohort_id = st.selectbox(t("scoring.cohort"), cohort_ids, key="moderation_cohort",
                         index=cohort_ids.index(wanted_cohort) if wanted_cohort in cohort_ids else 0,
                         format_func=lambda c: t("scoring.all") if c is None else names[c])
if cohort_id is None:
    qp.pop("cohort", None)
elif str(cohort_id) != qp.get("cohort"):
    qp["cohort"] = str(cohort_id)

figures = agreement(actor, cohort_id)  # counted again only when a second marking or a settlement changed it
labels = {"exact": t("moderation.exact"), "within_one": t("moderation.within_one"), "kappa": t("moderation.kappa")}
# what kappa is good enough, said before the figures: Landis & Koch's bands, as guidance
st.caption(t("flow.kappa.guidance", good=moderation.KAPPA_GOOD_ENOUGH))
with st.expander(t("flow.kappa.bands_title")):
    st.markdown("\n".join("- " + t("flow.kappa.range_line", range=t(f"flow.kappa.range.{band}"),
                                    band=t(f"flow.kappa.band.{band}"))
                           for band in ("poor", *(name for _, name in moderation.KAPPA_BANDS))))


def band_of(kappa: float | None) -> str:
    band = moderation.kappa_band(kappa)
    return t(f"flow.kappa.band.{band}") if band else "—"


def label_of(group: str, key: tuple) -> str:
    if group == "assignment":
        return f"{key[0]} {key[1] if ja else key[2]}"
    if group == "criterion":
        return key[0]
    return " × ".join(key)


if not figures["assignment"]:
    st.info(t("moderation.no_figures"))
else:
    # Only the open tab is drawn (a tab switch reruns the page), as on /cohort: two charts and their tables per
    # run instead of seven.
    tabs = st.tabs([t("moderation.by_assignment"), t("moderation.by_criterion"), t("moderation.by_pair"),
                    t("moderation.severity")], key="moderation_tab", on_change="rerun")
    for tab, group in zip(tabs[:3], ("assignment", "criterion", "pair"), strict=True):
        if not tab.open:
            continue
        with tab:
            rows = [{**r, "label": label_of(group, r["key"]), "band": band_of(r["kappa"])} for r in figures[group]]
            short = [{**r, "label": r["key"][0] if group == "assignment" else r["label"]} for r in rows]
            axes = {**labels, "group": t(f"moderation.group.{group}"), "percent": t("moderation.percent_axis"),
                    "guide": t("flow.kappa.guide_line", good=moderation.KAPPA_GOOD_ENOUGH),
                    "band": t("flow.kappa.band_column")}
            vega_chart(vega.agreement_chart(short, axes), title=t("moderation.agreement"),
                       key=f"moderation_chart_{group}")
            vega_chart(vega.kappa_chart(short, axes, moderation.KAPPA_GOOD_ENOUGH), title=t("moderation.kappa"),
                       key=f"moderation_kappa_{group}")
            st.dataframe([{t(f"moderation.group.{group}"): r["label"], t("moderation.pairs"): r["pairs"],
                           labels["exact"]: r["exact_pct"], labels["within_one"]: r["within_one_pct"],
                           labels["kappa"]: r["kappa"], t("flow.kappa.band_column"): r["band"]}
                          for r in rows], hide_index=True, width="stretch")
    if tabs[3].open:
        with tabs[3]:
            st.caption(t("moderation.severity_help"))
            vega_chart(vega.severity_chart(figures["severity"], t("moderation.mean_difference"), t("moderation.rater")),
                       title=t("moderation.severity"), key="moderation_chart_severity")
            st.dataframe([{t("moderation.rater"): r["rater"], t("moderation.marks"): r["marks"],
                           t("moderation.mean_difference"): r["mean_difference"]} for r in figures["severity"]],
                         hide_index=True, width="stretch")
    st.caption(t("moderation.kappa_help"))

if cohort_id is not None:
    with st.expander(t("scoring.export")):
        code = choices.loc[choices["id"] == cohort_id, "code"].iloc[0]
        score_downloads(scoring.scores_frame(db, actor, cohort_id), f"scores-{code}", "moderation_export")

if notices:
    # the settled disagreement and its button are gone and the focus fell to the page: it goes to the message, so a
    # screen reader says that it was recorded. Last: its element comes once.
    focus_once("moderation", f"notice:{time.monotonic_ns()}",  # a notice is shown by one run only
               '.st-key-moderation_notice [data-testid="stAlertContainer"]')
