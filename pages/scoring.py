"""supervisor scoring: the route, guard and tests exist; the screen itself is an open issue."""
import streamlit as st

from coordsupervise.ui.guard import require
from coordsupervise.ui.runtime import t
from coordsupervise.ui.widgets import coming_next

actor = require("supervisor")

st.title(t("nav.scoring"))
coming_next("issue.scoring")
