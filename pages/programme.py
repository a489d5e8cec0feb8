"""Managers and admins: the programme in force (competencies, online modules and pass marks, default assignments
and their rubrics, certification criteria and thresholds, stage lengths), how many cohorts use it, and edits of its
defaults, audited; cohorts keep their own copies (coordsupervise/programme/programme_edit.py). Reads/writes
coordsupervise.programme.programme_edit through the sections in coordsupervise/ui/programme.py."""
import streamlit as st

from coordsupervise import clock
from coordsupervise.programme import programme_edit
from coordsupervise.ui import programme
from coordsupervise.ui.guard import require
from coordsupervise.ui.runtime import database, t

actor = require("manager", "admin")
db = database()
st.title(t("nav.programme"))
view = programme_edit.programme_in_force(db, actor, clock.today())
if view is None:
    st.info(t("programme.none"))
    st.stop()
programme.in_use(view)
programme.apply_rebase()  # after a refused stale save: the other person's values in the fields left untouched

competencies, modules, assignments, criteria, stages = st.tabs(
    [t("programme.tab.competencies"), t("programme.tab.modules"), t("programme.tab.assignments"),
     t("programme.tab.certification"), t("programme.tab.stages")])
with competencies:
    programme.competencies_tab(view)
with modules:
    programme.modules_tab(db, actor, view)
with assignments:
    programme.assignments_tab(db, actor, view)
with criteria:
    programme.certification_tab(db, actor, view)
with stages:
    programme.stages_tab(db, actor, view)
