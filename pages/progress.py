"""Trainee: where do I stand. Stage timeline, online results, practice calendar, competency chart and the
certification checklist. Reads progress, reflections and certification."""
import streamlit as st

from coordsupervise import clock
from coordsupervise.certification import certification
from coordsupervise.dashboards import charts
from coordsupervise.practice import progress, reflections
from coordsupervise.programme import cohorts
from coordsupervise.ui import runtime
from coordsupervise.ui.accessibility import chart
from coordsupervise.ui.certification import result_view
from coordsupervise.ui.figures import figure
from coordsupervise.ui.guard import require
from coordsupervise.ui.results import module_results_table
from coordsupervise.ui.runtime import database, language, t
from coordsupervise.ui.widgets import checklist_view, own_enrolment

actor = require("trainee")
db = database()
st.title(t("nav.progress"))

enrolment = own_enrolment(db, actor)
today = clock.today()
ja = language() == "ja"
st.caption(enrolment.cohort_name_ja if ja else enrolment.cohort_name_en)

stage_labels = {s: t(f"stage.{s}") for s in cohorts.STAGE_ORDER}
chart(figure(charts.stage_timeline, enrolment.calendar, stage_labels, today, t("progress.today")),
      title=t("a11y.title.stages"), width="stretch", config={"displayModeBar": False}, key="progress_timeline")
now_stage = cohorts.current_stage(enrolment.calendar, today)
st.markdown(t("progress.now_in", stage=t(f"stage.{now_stage}")))

result_view(db, actor, enrolment)
st.subheader(t("progress.checklist"))
checklist_view(certification.checklist(db, actor, enrolment, today), runtime.modules(enrolment.cohort_id),
               practical_ongoing=enrolment.practical[0] <= today <= enrolment.practical[1])

st.subheader(t("progress.online"))
modules = progress.module_results(db, actor, enrolment)
overall = progress.test_result(db, actor, enrolment, "overall")
passed = sum(1 for m in modules if m["passed"])
c1, c2 = st.columns(2)
c1.metric(t("progress.modules_passed"), f"{passed} / {len(modules)}")
c2.metric(t("progress.overall_test"), "—" if overall["best"] is None else f"{overall['best']:.0f}%",
          help=t("progress.bar", bar=overall["bar"]))
module_results_table(modules)

start, end = enrolment.practical
if today >= start:
    st.subheader(t("progress.calendar"))
    statuses = reflections.calendar(db, actor, enrolment, today)
    done, expected = certification.reflection_rate(statuses)
    st.caption(t("cert.reflection_rate", rate=round(100 * done / expected) if expected else 0,
                 bar=enrolment.reflection_rate_pct, done=done, expected=expected))
    status_labels = {s: t(f"calendar.{s}") for s in charts.STATUS_COLOURS}
    chart(figure(charts.practice_calendar, statuses, status_labels,
                 [t(f"weekday.{i}") for i in range(7)]),
          title=t("progress.calendar"), width="stretch", config={"displayModeBar": False}, key="progress_calendar")

st.subheader(t("progress.competencies"))
profile = progress.competency_profile(db, actor, enrolment)
names = {p["code"]: "" for p in profile}
chart(figure(charts.competency_chart, profile, names, t("progress.rubric_level"),
             t("progress.self_rating"), t("progress.pass_line"), t("firsthour.not_yet_scored")),
      title=t("progress.competencies"), width="stretch", config={"displayModeBar": False}, key="progress_competencies")
st.caption(" / ".join(f"{p['code']}: {p['name_ja'] if ja else p['name_en']}" for p in profile))
st.caption(t("progress.chart_explained"))
unscored = [p["code"] for p in profile if p["rubric_level"] is None]
if unscored:
    st.caption(t("firsthour.not_yet_scored_line", codes="・".join(unscored)))
