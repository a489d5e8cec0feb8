"""Manager (and supervisor, for the cohorts they supervise in, limited to their own trainees): every cohort on one
screen, where it stands today and how it is doing; a timeline of the cohorts' stages; cohorts compared at the same
day of their practical stage (a part of its own: picking cohorts reruns only the comparison). Reads
dashboard.cohort_list / stage_calendars / compare_practical (cached).
Filters and the page number live in the address (?y=, ?stage=, ?q=, ?p=, ?cmp=CODE,CODE)."""
import pandas as pd
import streamlit as st

from coordsupervise import clock
from coordsupervise.dashboards import dashboard, vega
from coordsupervise.programme.cohorts import STAGE_ORDER
from coordsupervise.text.limits import QUERY_LIMIT
from coordsupervise.ui import cohorts as ui
from coordsupervise.ui import tables
from coordsupervise.ui.accessibility import vega_chart
from coordsupervise.ui.fragments import page_part
from coordsupervise.ui.guard import require
from coordsupervise.ui.runtime import language, t

actor = require("manager", "supervisor")
ja = language() == "ja"
today = clock.today()
params = st.query_params

st.title(t("nav.cohorts"))
if not actor.has("manager"):
    st.caption(t("dash.caseload_only"))

stages = ["before", *STAGE_ORDER, "finished"]
years = ui.cohort_years(actor)
f1, f2, f3 = st.columns([1, 1, 2])
year_param = params.get("y", "")
year = f1.selectbox(t("dash.filter_year"), [None, *years], format_func=lambda y: t("dash.all") if y is None else str(y),
                    index=([None, *years].index(int(year_param)) if year_param.isdigit() and int(year_param) in years
                           else 0), key="cohorts_year")
stage_param = params.get("stage", "")
stage = f2.selectbox(t("dash.filter_stage"), [None, *stages],
                     format_func=lambda s: t("dash.all") if s is None else t(f"stage.{s}"),
                     index=[None, *stages].index(stage_param) if stage_param in stages else 0, key="cohorts_stage")
search = f3.text_input(t("dash.filter_search"), value=params.get("q", "")[:QUERY_LIMIT], key="cohorts_search",
                       max_chars=QUERY_LIMIT,
                       placeholder=t("dash.filter_search_hint"))
wanted = {"y": "" if year is None else str(year), "stage": stage or "", "q": search.strip()}
if any(params.get(k, "") != v for k, v in wanted.items()):
    for k, v in wanted.items():
        if v:
            params[k] = v
        elif k in params:
            del params[k]
    params["p"] = "1"

page = int(params.get("p", "1")) if params.get("p", "1").isdigit() else 1
frame, total = ui.cohort_list(actor, today, year, stage, search.strip(), max(page, 1))
pages = max(1, -(-total // dashboard.PAGE_SIZE))
if total == 0:
    st.info(t("dash.no_cohorts"))
    st.stop()

m1, m2, m3, m4 = st.columns(4)
m1.metric(t("dash.metric_cohorts"), total)
in_training = frame[~frame["stage"].isin(["finished", "before"])]
m2.metric(t("dash.metric_in_training"), int(in_training["trainees"].sum()), help=t("dash.metric_page_help"))
m3.metric(t("dash.metric_at_risk"), int(frame["at_risk"].sum()), help=t("dash.metric_page_help"))
finished = frame["certified_pct"].dropna()
m4.metric(t("dash.metric_certified"), f"{finished.mean():.0f}%" if len(finished) else "—",
          help=t("dash.metric_certified_help"))

# the code (the link to the cohort) pinned, then what a manager acts on (at risk, certification rate) in view on a
# desk screen without scrolling; the rest scrolls (ui/tables.py)
view = pd.DataFrame({
    "code": [f"/cohort?cohort={c}" for c in frame["code"]],
    "name": frame["name_ja"] if ja else frame["name_en"],
    "stage": [t(f"stage.{s}") for s in frame["stage"]],
    "at_risk": frame["at_risk"],
    # a cohort not finished yet has no rate: "—", never a raw None
    "certified": [f"{v:.1f}%" if pd.notna(v) else "—" for v in pd.to_numeric(frame["certified_pct"])],
    "reflection_rate": frame["reflection_rate"],
    "trainees": frame["trainees"],
    # a cohort without any reply yet reads "—", never a raw None
    "turnaround": [f"{h:.1f}" if pd.notna(h) else "—" for h in pd.to_numeric(frame["median_turnaround_h"])],
    "starts_on": frame["starts_on"], "ends_on": frame["ends_on"]})
st.dataframe(view, hide_index=True, width="stretch", key="cohorts_table", column_config={
    "code": st.column_config.LinkColumn(t("dash.col_code"), display_text=r"cohort=(.*)$", pinned=True,
                                        width=tables.CODE_WIDTH),
    "name": st.column_config.TextColumn(t("dash.col_cohort_name"), width=tables.NAME_WIDTH),
    "stage": st.column_config.TextColumn(t("dash.col_stage_today"), width=tables.STAGE_WIDTH),
    "at_risk": st.column_config.NumberColumn(t("dash.col_at_risk"), width=tables.FIGURE_WIDTH),
    "certified": st.column_config.TextColumn(t("dash.col_certified"), width=tables.FIGURE_WIDTH),
    "reflection_rate": st.column_config.ProgressColumn(t("dash.col_reflection_rate"), format="%.1f%%",
                                                       min_value=0, max_value=100),
    "trainees": t("dash.col_trainees"),
    "turnaround": st.column_config.TextColumn(t("dash.col_turnaround"), help=t("dash.turnaround_help")),
    "starts_on": st.column_config.DateColumn(t("dash.col_starts"), format="YYYY/MM/DD"),
    "ends_on": st.column_config.DateColumn(t("dash.col_ends"), format="YYYY/MM/DD")})

p1, p2, p3 = st.columns([1, 2, 1])
if p1.button(t("inbox.prev_page"), key="cohorts_prev", disabled=page <= 1):
    params["p"] = str(page - 1)
    st.rerun()
p2.caption(t("dash.showing", total=total, page=page, pages=pages))
if p3.button(t("inbox.next_page"), key="cohorts_next", disabled=page >= pages):
    params["p"] = str(page + 1)
    st.rerun()
# the export keeps the rate as a number (an empty cell for a cohort not finished yet)
ui.downloads(view.assign(code=frame["code"], certified=frame["certified_pct"]).rename(columns={
    "code": t("dash.col_code"), "name": t("dash.col_cohort_name"), "stage": t("dash.col_stage_today"),
    "trainees": t("dash.col_trainees"), "reflection_rate": t("dash.col_reflection_rate"),
    "turnaround": t("dash.col_turnaround"), "at_risk": t("dash.col_at_risk"), "certified": t("dash.col_certified"),
    "starts_on": t("dash.col_starts"), "ends_on": t("dash.col_ends")}), "cohorts", "cohorts_table", t("nav.cohorts"))

st.subheader(t("dash.timeline_title"))
st.caption(t("dash.timeline_hint"))
calendars = ui.stage_calendars(actor, [int(i) for i in frame["id"]])
stage_labels = {s: t(f"stage.{s}") for s in STAGE_ORDER}
vega_chart(vega.cohort_timeline(calendars, stage_labels, today, t("progress.today"),
                                (t("dash.col_code"), t("dash.col_step"), t("dash.col_dates"))),
           title=t("dash.timeline_title"), key="cohorts_timeline")
ui.downloads(calendars.assign(stage=[stage_labels[s] for s in calendars["stage"]])[
    ["code", "stage", "starts_on", "ends_on"]].rename(columns={
        "code": t("dash.col_code"), "stage": t("dash.col_step"), "starts_on": t("dash.col_starts"),
        "ends_on": t("dash.col_ends")}), "cohort-timeline", "cohorts_timeline", t("dash.timeline_title"))


@page_part
def comparison() -> None:
    """Cohorts compared at the same day of practice: picking cohorts reruns this part only, not the list above."""
    st.subheader(t("dash.compare_title"))
    st.caption(t("dash.compare_hint"))
    choices = ui.cohort_choices(actor)
    started = choices[choices["practical_starts"].dt.date <= today]
    codes = list(started["code"])
    picked = [c for c in params.get("cmp", "").split(",") if c in codes] or codes[:3]
    chosen = st.multiselect(t("dash.compare_pick"), codes, default=picked, max_selections=6, key="cohorts_compare")
    if ",".join(chosen) != params.get("cmp", ""):
        params["cmp"] = ",".join(chosen)
    if chosen:
        ids = [int(i) for i in started[started["code"].isin(chosen)]["id"]]
        compared = ui.compare_practical(actor, ids, today)
        day_label = t("dash.practice_day")
        c1, c2 = st.columns(2)
        vega_chart(vega.cohort_comparison(compared, "reflection_rate", t("dash.compare_reflections"), day_label,
                                          t("dash.col_reflection_rate"), t("dash.col_code")),
                   title=t("dash.compare_reflections"), key="cohorts_compare_reflections", box=c1)
        vega_chart(vega.cohort_comparison(compared, "scored_pct", t("dash.compare_scored"), day_label,
                                          t("dash.scored_pct"), t("dash.col_code")),
                   title=t("dash.compare_scored"), key="cohorts_compare_scored", box=c2)
        ui.downloads(compared[["code", "day_no", "day", "reflection_rate", "scored_pct"]].rename(columns={
            "code": t("dash.col_code"), "day_no": day_label, "day": t("dash.col_date"),
            "reflection_rate": t("dash.col_reflection_rate"), "scored_pct": t("dash.scored_pct")}),
            "cohorts-compared", "cohorts_compare", t("dash.compare_title"))  # one file for both charts, named


comparison()
