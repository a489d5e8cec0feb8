"""Manager (and supervisor, limited to their own trainees): one cohort, chosen in the address (?cohort=CODE), with
its funnel (?step=), reflections, competencies with their evidence (?e=&c=), online stage, the at-risk list, the
at-risk thresholds (managers) and a printable report. Reads dashboard.* and risk.* (cached in ui/cohorts.py);
writes only risk.save_thresholds."""
import pandas as pd
import streamlit as st

from coordsupervise import clock
from coordsupervise.dashboards import charts, dashboard, risk
from coordsupervise.errors import UserError
from coordsupervise.office import exports
from coordsupervise.text.textnorm import strip_bidi
from coordsupervise.text.usertext import literal
from coordsupervise.ui import cohorts as ui
from coordsupervise.ui import state
from coordsupervise.ui.accessibility import chart
from coordsupervise.ui.figures import figure
from coordsupervise.ui.guard import require, show_error
from coordsupervise.ui.runtime import competencies, database, language, t
from coordsupervise.ui.widgets import form_key, jst, link

actor = require("manager", "supervisor")
ja = language() == "ja"
today = clock.today()
params = st.query_params
NO_BAR = {"displayModeBar": False}

st.title(t("nav.cohort"))
choices = ui.cohort_choices(actor)
if choices.empty:
    st.info(t("dash.no_cohorts"))
    st.stop()
codes = list(choices["code"])
names = dict(zip(choices["code"], choices["name_ja"] if ja else choices["name_en"], strict=True))
wanted = params.get("cohort", "")
if wanted and wanted not in codes:
    st.warning(t("dash.cohort_unknown", code=literal(wanted)))  # the address is anybody's text
fallback = dashboard.default_cohort(choices, today)
code = st.selectbox(t("dash.pick_cohort"), codes, index=codes.index(wanted if wanted in codes else fallback),
                    format_func=lambda c: f"{c} · {names[c]}", key="cohort_pick")
st.caption(t("dash.default_rule"))
if code != params.get("cohort"):
    for stale in ("step", "e", "c"):
        params.pop(stale, None)
    params["cohort"] = code
try:
    cohort = dashboard.cohort_by_code(database(), actor, code)
except UserError as exc:
    show_error(exc)
    st.stop()
cid = cohort["id"]
if not actor.has("manager"):
    st.caption(t("dash.caseload_only"))

funnel = ui.read("funnel", actor, cid, today)
counts = dashboard.funnel_counts(funnel)
risky = ui.at_risk(actor, today, cid, lang=language())
by_day = ui.read("submission_rate_by_day", actor, cid, today)
done, expected = int(by_day["submitted"].sum()), int(by_day["expected"].sum())
m1, m2, m3, m4 = st.columns(4)
m1.metric(t("dash.col_trainees"), len(funnel))
m2.metric(t("dash.col_reflection_rate"), f"{100 * done / expected:.1f}%" if expected else "—")
m3.metric(t("dash.col_at_risk"), len(risky))
m4.metric(t("dash.metric_certified_here"), int(funnel["certified"].sum()) if len(funnel) else 0)

step_labels = {s: t(f"dash.step.{s}") for s in dashboard.FUNNEL_STEPS}


def online_frame(online: pd.DataFrame) -> pd.DataFrame:
    """The online stage's results per module as people read and export them (the online tab and the report)."""
    return pd.DataFrame({
        t("dash.col_module"): [t("dash.overall_test") if k == "overall" else f"{s:02d} {tj if ja else te}"
                               for s, k, tj, te in zip(online["seq"], online["kind"], online["title_ja"],
                                                       online["title_en"], strict=True)],
        t("dash.takers"): online["takers"], t("dash.attempts"): online["attempts"],
        t("dash.pass_rate"): online["pass_rate"], t("dash.median_pct"): online["median_pct"],
        t("dash.pass_mark"): online["bar"]})


def funnel_tab():
    """Where the trainees stand on the way to certification; the trainees at one step (?step=)."""
    # the funnel as a table with the share drawn as a bar: no plotly on the screen a manager opens first (a fresh
    # browser spends 0.8-1.1 s evaluating plotly's script: docs/speed.md)
    # the share second: on a phone the bar is in view beside the step, the counts a swipe away
    funnel_table = pd.DataFrame({t("dash.col_step"): [step_labels[s] for s in counts["step"]],
                                 t("dash.pct"): counts["pct"], t("dash.reached"): counts["reached"],
                                 t("dash.skipped"): counts["skipped"], t("dash.standing"): counts["standing"]})
    st.dataframe(funnel_table, hide_index=True, width="stretch", key="cohort_funnel", column_config={
        t("dash.col_step"): st.column_config.TextColumn(width="medium"),  # the step and its bar fit a phone
        t("dash.pct"): st.column_config.ProgressColumn(t("dash.pct"), min_value=0, max_value=100, format="%.1f%%",
                                                       width="small")})
    st.caption(t("dash.funnel_hint"))
    step_param = params.get("step", "")
    steps = list(dashboard.FUNNEL_STEPS)
    standing = dict(zip(counts["step"], counts["standing"], strict=True))
    busiest = max(steps, key=lambda s: standing[s])  # by default the step where most trainees stand
    step = st.selectbox(t("dash.funnel_pick"), steps,
                        index=steps.index(step_param if step_param in steps else busiest),
                        format_func=lambda s: t("dash.funnel_option", step=step_labels[s], n=standing[s]),
                        key="cohort_step")
    if step != params.get("step"):
        params["step"] = step
    here = funnel[funnel["step"] == step]
    nxt = steps.index(step) + 1
    if here.empty:
        st.caption(t("dash.funnel_nobody"))
    else:
        st.markdown(t("dash.funnel_waiting", next=step_labels[steps[nxt]]) if nxt < len(steps)
                    else t("dash.funnel_done"))
        for row in here.itertuples():
            gaps = [step_labels[g] for g in row.gaps.split(", ") if g]
            label = literal(row.trainee) + (f" — {t('dash.gaps', steps='、'.join(gaps) if ja else ', '.join(gaps))}"
                                            if gaps else "")
            link("trainee", label, ":material/person:", {"e": str(row.enrolment_id)})
    ui.downloads(funnel_table, f"{code}-funnel", "cohort_funnel", t("dash.tab_funnel"))
    people = funnel.assign(step=funnel["step"].map(step_labels))[["trainee", "step", "reflection_rate", "gaps"]]
    ui.downloads(people.rename(columns={"trainee": t("dash.col_trainee"), "step": t("dash.col_step"),
                                        "reflection_rate": t("dash.col_reflection_rate"), "gaps": t("dash.col_gaps")}),
                 f"{code}-trainee-steps", "cohort_funnel_people", t("dash.trainee_steps"))


def reflections_tab():
    """Who wrote on which practice day, the daily rate, and how fast supervisors reply."""
    grid = ui.read("reflection_grid", actor, cid, today)
    status_labels = {s: t(f"dash.day.{s}") for s in dashboard.DAY_STATUSES}
    if grid.empty:
        st.info(t("dash.no_practice_yet"))
    else:
        st.subheader(t("dash.heatmap_title"))
        chart(figure(charts.reflection_heatmap, grid, status_labels, t("dash.col_date")),
              title=t("dash.heatmap_title"), width="stretch",
              config=NO_BAR, key="cohort_heatmap")
        wide = grid.assign(status=grid["status"].map(status_labels)).pivot_table(
            index="trainee", columns="day", values="status", aggfunc="first")
        wide.columns = [f"{d:%Y-%m-%d}" for d in wide.columns]
        ui.downloads(wide.reset_index().rename(columns={"trainee": t("dash.col_trainee")}), f"{code}-reflections",
                     "cohort_heatmap")
        if not by_day.empty:
            chart(figure(charts.submission_rate, by_day, t("dash.rate_title"), t("dash.col_reflection_rate"),
                                         t("dash.col_date")),
                  width="stretch", config=NO_BAR, key="cohort_rate")
            ui.downloads(by_day.rename(columns={"day": t("dash.col_date"), "expected": t("dash.expected"),
                                                "submitted": t("dash.submitted"), "late": t("dash.day.late"),
                                                "rate": t("dash.col_reflection_rate")}), f"{code}-daily-rate",
                         "cohort_rate")
    turn = ui.read("turnaround", actor, cid)
    st.subheader(t("dash.turnaround_title"))
    if turn.empty or not turn["answered"].sum():
        st.caption(t("dash.turnaround_none"))
    else:
        chart(figure(charts.turnaround_boxes, turn, t("dash.turnaround_chart"), t("dash.hours")), width="stretch",
              config=NO_BAR, key="cohort_turnaround")
    turn_table = turn[["supervisor", "answered", "unanswered", "median_h", "q1_h", "q3_h", "max_h"]].round(1)
    turn_table.columns = [t("dash.col_supervisor"), t("dash.answered"), t("dash.unanswered"), t("dash.median_h"),
                          t("dash.q1_h"), t("dash.q3_h"), t("dash.max_h")]
    st.dataframe(turn_table, hide_index=True, width="stretch")
    ui.downloads(turn_table, f"{code}-turnaround", "cohort_turnaround")


def competencies_tab():
    """Level distributions and the trainee × competency grid; a square (?e=&c=) opens its evidence."""
    comps = competencies()
    comp_names = {c["code"]: c["name_ja"] if ja else c["name_en"] for c in comps}
    levels = ui.read("competency_levels", actor, cid)
    grid = ui.read("competency_grid", actor, cid)
    if levels.empty:
        st.info(t("dash.no_scores"))
    else:
        level_labels = {lvl: f"{lvl} {t(f'level.{lvl}')}" for lvl in (1, 2, 3, 4)}
        chart(figure(charts.level_distribution, levels, {c: "" for c in comp_names}, level_labels,
                                        t("dash.levels_title"), t("dash.count")),
              width="stretch", config=NO_BAR, key="cohort_levels")
        st.caption(" · ".join(f"{c}: {n}" for c, n in comp_names.items()))
        ui.downloads(levels.rename(columns={"competency": t("dash.col_competency"), "level": t("dash.col_level"),
                                            "n": t("dash.count")}), f"{code}-levels", "cohort_levels")
        st.subheader(t("dash.grid_title"))
        st.caption(t("dash.grid_hint"))
        event = chart(figure(charts.competency_heatmap, grid, list(comp_names), t("dash.grid_chart"),
                                                t("dash.col_level"), funnel, t("dash.unscored")),
                      width="stretch", config=NO_BAR, key="cohort_grid", on_select="rerun",
                      selection_mode="points")
        points = (event.selection.points if event and event.selection else []) or []
        if points and points[0].get("customdata"):
            picked_e, picked_c = str(points[0]["customdata"][0]), str(points[0]["customdata"][1])
            if (params.get("e"), params.get("c")) != (picked_e, picked_c):
                params["e"], params["c"] = picked_e, picked_c
        people = dict(zip(grid["enrolment_id"].astype(int), grid["trainee"], strict=True))
        ids = list(people)
        e_param = int(params["e"]) if params.get("e", "").isdigit() and int(params["e"]) in people else None
        s1, s2 = st.columns(2)
        chosen_e = s1.selectbox(t("dash.col_trainee"), [None, *ids], format_func=lambda e: "—" if e is None
                                else strip_bidi(people[e]), index=[None, *ids].index(e_param),
                                key=f"cohort_ev_e_{e_param}")
        chosen_c = s2.selectbox(t("dash.col_competency"), list(comp_names),
                                index=list(comp_names).index(params["c"]) if params.get("c") in comp_names else 0,
                                format_func=lambda c: f"{c} {comp_names[c]}", key=f"cohort_ev_c_{params.get('c')}")
        if chosen_e is not None and (str(chosen_e), chosen_c) != (params.get("e"), params.get("c")):
            params["e"], params["c"] = str(chosen_e), chosen_c
        if chosen_e is not None:
            scores, tagged = dashboard.competency_evidence(database(), actor, chosen_e, chosen_c)
            with st.container(border=True, key="cohort_evidence"):
                st.markdown(f"**{t('dash.evidence_title', trainee=literal(people[chosen_e]), competency=chosen_c)}**")
                link("trainee", t("dash.open_profile"), ":material/person:", {"e": str(chosen_e)})
                st.markdown(f"**{t('dash.evidence_scores', n=len(scores))}**")
                for s in scores.itertuples():
                    st.markdown(f"- {s.assignment_code} {s.title_ja if ja else s.title_en} · "
                                f"{t('dash.col_level')} {s.level} · {jst(s.released_at)}")
                    for comment in (s.comment, s.overall_comment):
                        if comment:
                            st.text(comment)
                st.markdown(f"**{t('dash.evidence_reflections', n=len(tagged))}**")
                for r in tagged.itertuples():
                    st.markdown(f"- {r.practice_date:%Y/%m/%d} · {t('reflection.field.goal')}")
                    st.text(r.goal or "—")
                    if r.insight:
                        st.text(r.insight)
        grid_table = grid[["trainee", "competency", "mean_level", "latest_level", "scores"]]
        ui.downloads(grid_table.rename(columns={"trainee": t("dash.col_trainee"),
                                                "competency": t("dash.col_competency"),
                                                "mean_level": t("dash.mean_level"),
                                                "latest_level": t("dash.latest_level"), "scores": t("dash.count")}),
                     f"{code}-competencies", "cohort_grid")


def online_tab():
    """The online stage's tests: takers, pass rates and score spreads per module."""
    online = ui.read("online_results", actor, cid)
    labels = [t("dash.overall_test") if k == "overall" else f"{s:02d}" for s, k in
              zip(online["seq"], online["kind"], strict=True)]
    if not online["takers"].sum():
        st.info(t("dash.no_online"))
    else:
        chart(figure(charts.online_boxes, online, labels, t("dash.online_title"), t("dash.score_pct"),
                                  t("dash.pass_mark")), width="stretch", config=NO_BAR, key="cohort_online")
    online_table = online_frame(online)
    st.dataframe(online_table, hide_index=True, width="stretch")
    ui.downloads(online_table, f"{code}-online", "cohort_online")


def risk_tab():
    """The trainees at risk with their reasons, and (managers) the thresholds behind them."""
    st.caption(t("risk.explain"))
    current = risk.thresholds(database(), cohort["programme_id"])
    st.caption(ui.criteria_text(current))  # the bar behind each reason, as the caption promises
    ui.risk_list(risky, "cohort_risk")
    ui.downloads(ui.risk_frame(risky), f"{code}-at-risk", "cohort_risk")
    if actor.has("manager"):
        with st.expander(t("risk.settings_title"), icon=":material/tune:"):
            with st.form(form_key("cohort_thresholds")):
                values = {key: st.number_input(t(f"risk.setting.{key}"), min_value=low, max_value=high,
                                               value=current[key], step=1, key=f"cohort_threshold_{key}")
                          for key, (low, high) in risk.LIMITS.items()}
                st.caption(t("risk.settings_hint"))
                if st.form_submit_button(t("risk.settings_save")):
                    try:
                        risk.save_thresholds(database(), actor, cohort["programme_id"],
                                             {k: int(v) for k, v in values.items()})
                        ui.clear()
                        st.success(t("risk.settings_saved"))
                    except UserError as exc:
                        show_error(exc)


def report_tab():
    """A printable summary of the other tabs."""
    st.caption(t("dash.report_hint"))
    online, turn = ui.read("online_results", actor, cid), ui.read("turnaround", actor, cid)
    online_table = online_frame(online)
    sections = [
        (t("dash.tab_funnel"), [(step_labels[r.step], t("dash.report_step", reached=r.reached, pct=r.pct,
                                                        standing=r.standing)) for r in counts.itertuples()]),
        (t("dash.tab_risk"), [(f"{r.trainee} · {r.cohort_code}", ui.reason_text(r.reasons))
                              for r in risky.itertuples()] or [("", t("risk.nobody"))]),
        (t("dash.tab_online"), [(label, t("dash.report_online", takers=r.takers, pass_rate=r.pass_rate
                                          if r.pass_rate == r.pass_rate else "—", median=r.median_pct
                                          if r.median_pct == r.median_pct else "—"))
                                for label, r in zip(online_table[t("dash.col_module")], online.itertuples(),
                                                    strict=True)]),
        (t("dash.turnaround_title"), [(r.supervisor, t("dash.report_turnaround", answered=r.answered,
                                                        unanswered=r.unanswered, median=round(r.median_h, 1)
                                                        if r.median_h == r.median_h else "—"))
                                      for r in turn.itertuples()]),
    ]
    title = f"{code} {names[code]} — {t('nav.cohort')} ({today:%Y/%m/%d})"
    page = exports.printable_page(title, [(t("dash.report_summary"), [
        (t("dash.col_trainees"), str(len(funnel))),
        (t("dash.col_reflection_rate"), f"{100 * done / expected:.1f}%" if expected else "—"),
        (t("dash.col_at_risk"), str(len(risky)))])] + sections)
    st.download_button(t("dash.report_download"), page.encode("utf-8"), file_name=f"cohort-{code}.html",
                       mime="text/html", icon=":material/print:", key="cohort_report")


# Only the open tab is drawn (a tab switch reruns the page; every read is cached): the dashboard opens with one
# chart to draw instead of seven. A heatmap square in the address (?e=&c=) opens on its evidence when it is how the
# session arrived (a shared link). The default is decided once per session and never changes: it is part of the
# widget's identity, and a changed one is a new widget, which would lose the click on a tab that follows picking a
# square (the square sets ?e= during the run).
TABS = {"funnel": funnel_tab, "reflections": reflections_tab, "competencies": competencies_tab,
        "online": online_tab, "risk": risk_tab, "report": report_tab}
opens_on = st.session_state.setdefault(state.COHORT_OPENS_ON, "competencies" if params.get("e") else None)
shown = st.tabs([t(f"dash.tab_{name}") for name in TABS], key="cohort_tab", on_change="rerun",
                default=t(f"dash.tab_{opens_on}") if opens_on else None)
for tab, draw in zip(shown, TABS.values(), strict=True):
    if tab.open:
        with tab:
            draw()
