"""Trainee: where do I stand. The stages, online results, practice calendar, competencies and the certification
checklist (drawn as text tables: ui/progress.py says why). Reads progress, reflections and certification."""
import streamlit as st

from coordsupervise import clock
from coordsupervise.certification import certification
from coordsupervise.practice import progress, reflections
from coordsupervise.programme import cohorts
from coordsupervise.ui import progress as progress_view
from coordsupervise.ui import runtime
from coordsupervise.ui.certification import result_view
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

now_stage = cohorts.current_stage(enrolment.calendar, today)
st.markdown(t("progress.now_in", stage=t(f"stage.{now_stage}")))
on_today = progress_view.stage_day(enrolment.calendar, today)
if on_today:
    stage, day, days = on_today
    st.progress(day / days, text=t("progress.stage_day", stage=t(f"stage.{stage}"), day=day, days=days))
st.markdown(progress_view.stage_table(enrolment.calendar, {s: t(f"stage.{s}") for s in cohorts.STAGE_ORDER}, today))

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
    short = progress_view.behind(statuses, enrolment.reflection_rate_pct) if today <= end else None
    if short:
        needed, left = short
        st.warning(t("progress.behind", bar=enrolment.reflection_rate_pct, needed=needed, left=left)
                   if needed <= left else t("progress.behind_out_of_reach", bar=enrolment.reflection_rate_pct),
                   icon=":material/warning:")
    progress_view.practice_calendar(statuses)

st.subheader(t("progress.competencies"))
profile = progress.competency_profile(db, actor, enrolment)
st.markdown(progress_view.competency_table(profile, {p["code"]: p["name_ja" if ja else "name_en"] for p in profile}))
st.caption(t("progress.chart_explained"))
unscored = [p["code"] for p in profile if p["rubric_level"] is None]
if unscored:
    st.caption(t("firsthour.not_yet_scored_line", codes="・".join(unscored)))
