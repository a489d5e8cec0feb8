"""Manager: the register of certified coordinators across cohorts. Search (name, number, organisation, region),
validity status, pages of 50, CSV (UTF-8 with BOM) and XLSX exports, both formula-safe. Reads
certification.register."""
import streamlit as st

from coordsupervise import clock
from coordsupervise.certification import certification
from coordsupervise.office import exports
from coordsupervise.text.limits import QUERY_LIMIT
from coordsupervise.ui import tables
from coordsupervise.ui.guard import require
from coordsupervise.ui.runtime import database, t

PAGE_SIZE = 50
STATUSES = ("", "valid", "expiring", "expired")

actor = require("manager")
db = database()
st.title(t("nav.register"))
today = clock.today()

qp = st.query_params
c1, c2 = st.columns([3, 1])
query = c1.text_input(t("register.search"), value=qp.get("q", "")[:QUERY_LIMIT], key="register_q",
                      max_chars=QUERY_LIMIT, placeholder=t("register.search_hint"), help=t("register.search_help"))
wanted = qp.get("status", "")
status = c2.selectbox(t("register.status"), STATUSES, index=STATUSES.index(wanted) if wanted in STATUSES else 0,
                      format_func=lambda s: t(f"register.status_{s or 'all'}"), key="register_status")
for key, value in (("q", query.strip()), ("status", status)):
    if value and qp.get(key) != value:
        qp[key] = value
    elif not value and key in qp:
        del qp[key]

frame = certification.register(db, actor, today, query, status)
everyone = certification.register(db, actor, today) if (query or status) else frame
st.caption(t("register.totals_note"))
m1, m2, m3, m4 = st.columns(4)
m1.metric(t("register.count_all"), len(everyone))
for column, key in ((m2, "valid"), (m3, "expiring"), (m4, "expired")):
    column.metric(t(f"register.status_{key}"), int((everyone["status"] == key).sum()))

if frame.empty:
    st.info(t("register.none"))
    st.stop()

headers = {"certificate_no": t("register.col_number"), "name": t("register.col_name"), "kana": t("register.col_kana"),
           "organisation": t("register.col_organisation"), "prefecture": t("register.col_prefecture"),
           "region": t("register.col_region"), "cohort": t("register.col_cohort"),
           "issued_on": t("register.col_issued"), "valid_until": t("register.col_valid_until"),
           "status": t("register.col_status")}
readable = frame.assign(status=[t(f"register.status_{s}") for s in frame["status"]]).rename(columns=headers)

pages = max(1, -(-len(frame) // PAGE_SIZE))
page = st.number_input(t("register.page", pages=pages), min_value=1, max_value=pages, value=1, key="register_page") \
    if pages > 1 else 1
st.caption(t("register.found", count=len(frame)))
# the name pinned; the number, the status and the date it runs to in view without scrolling (ui/tables.py)
shown = [headers[c] for c in ("name", "certificate_no", "status", "valid_until", "organisation", "region", "cohort")]
st.dataframe(readable.iloc[(page - 1) * PAGE_SIZE: page * PAGE_SIZE][shown], hide_index=True, width="stretch",
             column_config={headers["name"]: tables.pinned_name(headers["name"]),
                            headers["certificate_no"]: st.column_config.TextColumn(width=tables.CERTIFICATE_WIDTH),
                            headers["status"]: st.column_config.TextColumn(width=tables.STATUS_WIDTH),
                            headers["valid_until"]: st.column_config.DateColumn(format="YYYY-MM-DD",
                                                                                 width=tables.DATE_WIDTH)})
st.caption(t("register.export_hint"))

d1, d2 = st.columns(2)
stamp = today.strftime("%Y%m%d")
# the files are made when asked for (a callable), not on every run: the whole register as XLSX takes seconds;
# a click does not rerun the page (a rerun would replace the other button's file while it is being fetched)
sheet = t("nav.register")
d1.download_button(t("register.csv"), lambda: exports.csv_bytes(readable), file_name=f"register-{stamp}.csv",
                   mime="text/csv", key="register_csv", icon=":material/download:", on_click="ignore")
d2.download_button(t("register.xlsx"), lambda: exports.xlsx_bytes(readable, sheet),
                   file_name=f"register-{stamp}.xlsx", key="register_xlsx", icon=":material/download:",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", on_click="ignore")
