"""Managers and the programme office: the two-day workshop (養成課程2) of one cohort. Attendance of both days as
one editable table, discussion groups per day (made automatically, editable, lockable, printable) and the
修了認定テスト scores. Reads and writes workshop."""
import streamlit as st

from coordsupervise.certification import workshop
from coordsupervise.ui import state
from coordsupervise.ui.certification import cohort_picker
from coordsupervise.ui.guard import require
from coordsupervise.ui.runtime import database, t
from coordsupervise.ui.workshop import (
    attendance_editor,
    groups_view,
    import_panel,
    test_score_editor,
)

actor = require("manager", "admin")
db = database()
st.title(t("nav.workshop"))
cohort = cohort_picker(db, actor, "workshop")
if cohort is None:
    st.stop()
notice = st.session_state.pop(state.CLOSING_NOTICE, None)
if notice:
    st.success(t(notice[0], **notice[1]), icon=":material/check_circle:")

roster = workshop.roster(db, actor, cohort["id"])
if roster.empty:
    st.info(t("certification.no_trainees"))
    st.stop()


def _attendance() -> None:
    attendance_editor(db, actor, cohort, roster)
    import_panel(db, actor, cohort, "attendance")


def _groups() -> None:
    groups_view(db, actor, cohort, roster)


def _test() -> None:
    test_score_editor(db, actor, cohort, roster)
    import_panel(db, actor, cohort, "test")


# The open tab is kept by its key: a click (make groups, save) reruns the page with a notice above the tabs, and
# unkeyed tabs would open the first one again. Only the open tab is drawn.
TABS = {"attendance": _attendance, "groups": _groups, "test": _test}
shown = st.tabs([t(f"workshop.tab_{name}") for name in TABS], key="workshop_tab", on_change="rerun")
for tab, draw in zip(shown, TABS.values(), strict=True):
    if tab.open:
        with tab:
            draw()
