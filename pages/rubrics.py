"""Managers and admins: rubric versions (how many scores used each, which assignments use it), editing a rubric
(a new version once it has been used) and each assignment's rubric version, due date, certification-critical mark
and moderation rule. Reads/writes coordsupervise.scoring.rubrics."""
import pandas as pd
import streamlit as st

from coordsupervise import clock
from coordsupervise.errors import UserError
from coordsupervise.programme import cohorts
from coordsupervise.scoring import moderation, rubrics
from coordsupervise.ui import first_run
from coordsupervise.ui.guard import require, show_error
from coordsupervise.ui.runtime import competencies, database, language, t
from coordsupervise.ui.widgets import form_done, form_key, jst

actor = require("manager", "admin")
db = database()
qp = st.query_params
ja = language() == "ja"
st.title(t("nav.rubrics"))
if first_run.point_to_setup(db, actor):  # no programme, so no rubric yet
    st.stop()
for message in st.session_state.pop("rubrics_notice", []):
    st.success(message, icon=":material/check_circle:")

versions = rubrics.list_rubrics(db, actor)
st.subheader(t("rubrics.versions"))
st.dataframe([{t("rubrics.col_code"): r["code"], t("rubrics.col_version"): r["version"],
               t("rubrics.col_title"): r["title_ja" if ja else "title_en"],
               t("rubrics.col_pass"): r["pass_level"], t("rubrics.col_scores"): r["scores"],
               t("rubrics.col_assignments"): r["assignments"], t("rubrics.col_created"): jst(r["created_at"])}
              for r in versions], hide_index=True, width="stretch")

# ================================================================ edit one rubric
LEVEL_COLUMNS = [f"d{lvl}_{lang}" for lvl in (4, 3, 2, 1) for lang in ("ja", "en")]
newest = {}
for r in versions:
    newest.setdefault(r["code"], r)  # versions come newest first per code
ids = [r["id"] for r in newest.values()]
try:
    wanted = int(qp.get("rubric", ""))
except ValueError:
    wanted = None
rubric_id = st.selectbox(t("rubrics.edit"), ids, index=ids.index(wanted) if wanted in ids else 0, key="rubrics_pick",
                         format_func=lambda i: next(f"{r['code']} {r['title_ja' if ja else 'title_en']} "
                                                    f"(v{r['version']})" for r in versions if r["id"] == i))
if str(rubric_id) != qp.get("rubric"):
    qp["rubric"] = str(rubric_id)
rubric = rubrics.detail(db, actor, rubric_id)
in_use = next(r["scores"] for r in versions if r["id"] == rubric_id)
st.caption(t("rubrics.will_version", version=rubric["version"] + 1) if in_use else t("rubrics.edit_in_place"))

frame = pd.DataFrame([{
    "competency": c["competency"], "title_ja": c["title_ja"], "title_en": c["title_en"], "weight": float(c["weight"]),
    **{f"d{lvl}_ja": d_ja for lvl, d_ja, _ in c["levels"]}, **{f"d{lvl}_en": d_en for lvl, _, d_en in c["levels"]},
} for c in rubric["criteria"]], columns=["competency", "title_ja", "title_en", "weight", *LEVEL_COLUMNS])
with st.form(form_key(f"rubrics_form_{rubric_id}")):
    f1, f2, f3 = st.columns([3, 3, 1])
    title_ja = f1.text_input(t("rubrics.title_ja"), value=rubric["title_ja"], max_chars=rubrics.TEXT_LIMIT)
    title_en = f2.text_input(t("rubrics.title_en"), value=rubric["title_en"], max_chars=rubrics.TEXT_LIMIT)
    pass_level = f3.selectbox(t("rubrics.pass_level"), [1, 2, 3, 4], index=rubric["pass_level"] - 1)
    column_config = {
        "competency": st.column_config.SelectboxColumn(t("rubrics.competency"),
                                                       options=[c["code"] for c in competencies()], required=True),
        "title_ja": st.column_config.TextColumn(t("rubrics.criterion_ja"), required=True),
        "title_en": st.column_config.TextColumn(t("rubrics.criterion_en"), required=True),
        "weight": st.column_config.NumberColumn(t("rubrics.weight"), min_value=0.1, max_value=10, step=0.1,
                                                required=True),
        **{f"d{lvl}_{lang}": st.column_config.TextColumn(t("rubrics.descriptor", level=lvl, lang=lang.upper()),
                                                         required=True)
           for lvl in (4, 3, 2, 1) for lang in ("ja", "en")},
    }
    edited = st.data_editor(frame, num_rows="dynamic", hide_index=True, width="stretch",
                            column_config=column_config, key=f"rubrics_editor_{rubric_id}")
    if st.form_submit_button(t("rubrics.save"), type="primary", icon=":material/save:"):
        try:
            criteria = [rubrics.CriterionInput(
                str(row["competency"] or ""), str(row["title_ja"] or ""), str(row["title_en"] or ""),
                float(row["weight"] or 0),
                {lvl: (str(row[f"d{lvl}_ja"] or ""), str(row[f"d{lvl}_en"] or "")) for lvl in (1, 2, 3, 4)})
                for row in edited.to_dict("records")]
            new_id = rubrics.save(db, actor, rubric_id, title_ja, title_en, pass_level, criteria)
            form_done(f"rubrics_form_{rubric_id}")
            st.session_state["rubrics_notice"] = [t("rubrics.saved_new") if new_id != rubric_id else
                                                  t("rubrics.saved")]
            qp["rubric"] = str(new_id)
            st.rerun()
        except UserError as exc:
            show_error(exc)

# ================================================================ assignments of a cohort
st.subheader(t("rubrics.assignments"))
overview = cohorts.overview(db, actor, clock.today())
cohort_ids = overview["id"].tolist()
if not cohort_ids:  # a new deployment: the rubrics above are edited before the first cohort copies them
    st.info(t("setup.no_cohorts"))
    st.stop()
names = dict(zip(overview["id"], overview["name_ja" if ja else "name_en"], strict=True))
try:
    wanted_cohort = int(qp.get("cohort", ""))
except ValueError:
    wanted_cohort = None
cohort_id = st.selectbox(t("scoring.cohort"), cohort_ids, key="rubrics_cohort", format_func=lambda c: names[c],
                         index=cohort_ids.index(wanted_cohort) if wanted_cohort in cohort_ids else 0)
if str(cohort_id) != qp.get("cohort"):
    qp["cohort"] = str(cohort_id)
rows = rubrics.cohort_assignments(db, actor, cohort_id)


def rule_text(a):
    if a["moderation_rule"] == "sample":
        return t("rubrics.rule.sample_pct", pct=a["moderation_pct"])
    return t(f"rubrics.rule.{a['moderation_rule']}")


st.dataframe([{t("rubrics.col_assignment"): f"{a['code']} {a['title_ja' if ja else 'title_en']}",
               t("rubrics.col_rubric"): f"{a['rubric_code']} v{a['rubric_version']}" if a["rubric_id"] else
               t("rubrics.approval"),
               t("assignment.col_due"): a["due_on"].strftime("%Y/%m/%d"),
               t("assignment.col_critical"): "★" if a["certification_critical"] else "",
               t("rubrics.col_rule"): rule_text(a) if a["kind"] == "scored" else "—",
               t("rubrics.col_tolerance"): str(a["moderation_tolerance"]) if a["kind"] == "scored" else "—"}
              for a in rows], hide_index=True, width="stretch")

codes = [a["code"] for a in rows]
code = st.selectbox(t("rubrics.edit_assignment"), codes, key="rubrics_assignment",
                    format_func=lambda c: next(f"{a['code']} {a['title_ja' if ja else 'title_en']}" for a in rows
                                               if a["code"] == c))
a = next(x for x in rows if x["code"] == code)
same_rubric = [r for r in versions if r["code"] == a["rubric_code"]]
with st.form(f"rubrics_assignment_{a['id']}"):
    g1, g2 = st.columns(2)
    chosen_rubric = g1.selectbox(
        t("rubrics.col_rubric"), [r["id"] for r in same_rubric] or [None], disabled=not same_rubric,
        index=[r["id"] for r in same_rubric].index(a["rubric_id"]) if a["rubric_id"] in
        [r["id"] for r in same_rubric] else 0,
        format_func=lambda i: t("rubrics.approval") if i is None else next(
            t("rubrics.version_line", version=r["version"], scores=r["scores"]) for r in same_rubric if r["id"] == i))
    due_on = g2.date_input(t("assignment.col_due"), value=a["due_on"])
    critical = st.checkbox(t("rubrics.critical"), value=bool(a["certification_critical"]))
    m1, m2, m3 = st.columns(3)
    rule = m1.selectbox(t("rubrics.col_rule"), list(moderation.RULES), index=list(moderation.RULES).index(
        a["moderation_rule"]), format_func=lambda r: t(f"rubrics.rule.{r}"), disabled=a["kind"] != "scored")
    pct = m2.number_input(t("rubrics.sample_pct"), min_value=1, max_value=100, value=int(a["moderation_pct"]),
                          disabled=a["kind"] != "scored")
    tolerance = m3.number_input(t("rubrics.col_tolerance"), min_value=0, max_value=3,
                                value=int(a["moderation_tolerance"]), disabled=a["kind"] != "scored",
                                help=t("rubrics.tolerance_help"))
    if st.form_submit_button(t("rubrics.save_assignment"), type="primary", icon=":material/save:"):
        try:
            rubrics.update_assignment(db, actor, a["id"], chosen_rubric, due_on, critical, rule, int(pct),
                                      int(tolerance))
            st.session_state["rubrics_notice"] = [t("rubrics.assignment_saved", code=a["code"])]
            st.rerun()
        except UserError as exc:
            show_error(exc)
