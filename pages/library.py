"""Trainees of every cohort, supervisors, managers and graduates: the know-how library. Search by words (kanji by
their reading) and filters, all in the address (?q=&domain=&c=&region=); one case with ?case=<id> (tags, partners,
related cases, a printable page). Contributors write cases or draw one from a reflection (?view=write&from=<id>) and
propose them; managers publish or return proposals and edit the domains. Reads and writes library.*."""
import streamlit as st

from coordsupervise.ui import library as ui
from coordsupervise.ui.guard import require
from coordsupervise.ui.runtime import database, t

actor = require("trainee", "supervisor", "manager", "graduate")
db = database()
ui.keep_address()  # a link to this same page changed the parameters: the browser's address follows
st.title(t("nav.library"))
ui.graduate_line(db, actor)
ui.consent_notice(db, actor)

case_id = ui.param_int("case")
if case_id is not None:
    ui.case_page(db, actor, case_id)
    st.stop()

VIEWS = {"search": ui.search_view, "write": ui.write_view, "mine": ui.mine_view, "review": ui.review_view,
         "domains": ui.domains_view}
VIEWS[ui.view_picker("library", ui.library_views(actor))](db, actor)
