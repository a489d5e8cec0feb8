"""Manager: every cohort, where it stands today, its size and open flags. Reads cohorts.overview."""
import streamlit as st

from coordsupervise import cohorts
from coordsupervise.ui.guard import require
from coordsupervise.ui.runtime import database, language, t
from coordsupervise.ui.widgets import today_jst

actor = require("manager")

st.title(t("nav.cohorts"))
frame = cohorts.overview(database(), actor, today_jst())
if frame.empty:
    st.info(t("cohorts.none"))
    st.stop()
active = frame[~frame["stage"].isin(["finished"])]
c1, c2, c3 = st.columns(3)
c1.metric(t("cohorts.metric_cohorts"), len(frame))
c2.metric(t("cohorts.metric_active_trainees"), int(active["trainees"].sum()))
c3.metric(t("cohorts.metric_open_flags"), int(frame["open_flags"].sum()))
view = frame.assign(
    name=frame["name_ja"] if language() == "ja" else frame["name_en"],
    stage=[t(f"stage.{s}") for s in frame["stage"]],
)[["code", "name", "stage", "trainees", "open_flags", "starts_on", "ends_on"]]
st.dataframe(view, hide_index=True, width="stretch", column_config={
    "code": t("cohorts.col_code"), "name": t("cohorts.col_name"), "stage": t("cohorts.col_stage"),
    "trainees": t("cohorts.col_trainees"), "open_flags": t("cohorts.col_open_flags"),
    "starts_on": st.column_config.DateColumn(t("cohorts.col_starts"), format="YYYY-MM-DD"),
    "ends_on": st.column_config.DateColumn(t("cohorts.col_ends"), format="YYYY-MM-DD")})
