"""manager certification: the route, guard and tests exist; the screen itself is an open issue."""
import streamlit as st

from coordsupervise.ui.guard import require
from coordsupervise.ui.runtime import t
from coordsupervise.ui.widgets import coming_next

actor = require("manager")

st.title(t("nav.certification"))
coming_next("issue.certification")
