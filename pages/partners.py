"""Trainees of every cohort, supervisors, managers and graduates: the partner directory (連携先) by region and field.
Search and filters in the address (?q=&field=&region=&pref=), one entry with ?partner=<id> (and the library cases
that used it), CSV and XLSX export. Contributors propose entries; managers publish or return them and import the
directory from CSV/XLSX (template, every row checked, all or none). Reads and writes library.partners and
library.partner_import."""
import streamlit as st

from coordsupervise.ui import library as ui
from coordsupervise.ui.guard import require
from coordsupervise.ui.runtime import database, t

actor = require("trainee", "supervisor", "manager", "graduate")
db = database()
ui.keep_address()  # a link to this same page changed the parameters: the browser's address follows
st.title(t("nav.partners"))

partner_id = ui.param_int("partner")
if partner_id is not None:
    ui.partner_page(db, actor, partner_id)
    st.stop()

VIEWS = {"search": ui.partner_search_view, "propose": ui.partner_propose_view, "mine": ui.partner_mine_view,
         "review": ui.partner_review_view, "import": ui.partner_import_view}
VIEWS[ui.view_picker("partners", ui.partner_views(actor))](db, actor)
