"""Admin: import the roster and the online-stage quiz results (CSV or XLSX): templates, preview, all-or-nothing
commit, and the one-time passwords of new accounts (shown once, downloadable once). Reads/writes imports."""
import pandas as pd
import streamlit as st

from coordsupervise import clock
from coordsupervise.errors import UserError
from coordsupervise.office import exports, imports
from coordsupervise.text.usertext import literal
from coordsupervise.ui import downloads
from coordsupervise.ui.admin import cohort_label, cohort_picker, preview_view
from coordsupervise.ui.guard import require, show_error
from coordsupervise.ui.runtime import database, language, t
from coordsupervise.ui.state import IMPORT_PASSWORDS, IMPORT_PASSWORDS_TAKEN
from coordsupervise.ui.widgets import form_done, form_key

actor = require("admin")
db = database()

st.title(t("nav.imports"))
if st.session_state.get("imports_notice"):
    st.success(st.session_state.pop("imports_notice"), icon=":material/check_circle:")
if st.session_state.get(IMPORT_PASSWORDS_TAKEN):
    st.info(t("downloads.passwords_taken", **st.session_state[IMPORT_PASSWORDS_TAKEN]), icon=":material/key:")
passwords = st.session_state.get(IMPORT_PASSWORDS)
if passwords:
    # shown once: until the CSV is downloaded (once), the office says it has saved them, or it leaves the screen;
    # then gone from the screen, the session and Streamlit's media store (ui/downloads.py)
    count = len(passwords["rows"]) - 1
    with st.container(border=True):
        st.success(t("import.passwords_title", count=count), icon=":material/key:")
        st.caption(t("import.passwords_hint"))
        frame = pd.DataFrame(passwords["rows"][1:], columns=passwords["rows"][0])
        st.dataframe(frame, hide_index=True, width="stretch", key="imports_passwords_table")
        st.caption(t("downloads.passwords_once"))
        st.download_button(t("import.passwords_download"), exports.csv_bytes(frame),
                           file_name=f"one-time-passwords-{passwords['cohort']}.csv", mime="text/csv",
                           key="imports_passwords_download", icon=":material/download:",
                           on_click=downloads.once(IMPORT_PASSWORDS, IMPORT_PASSWORDS_TAKEN,
                                                   {"count": count, "cohort": passwords["cohort"]}))
        if st.button(t("import.passwords_done"), key="imports_passwords_done"):
            del st.session_state[IMPORT_PASSWORDS]
            st.rerun()

KINDS = ("roster", "quiz")
wanted_kind = st.query_params.get("kind")
kind = st.radio(t("import.kind"), KINDS, index=KINDS.index(wanted_kind) if wanted_kind in KINDS else 0,
                horizontal=True, format_func=lambda k: t(f"import.tab_{k}"), key="imports_kind")
if kind != wanted_kind:
    if wanted_kind is not None:
        st.query_params.pop("cohort", None)  # the other kind of data has its own likely cohort
    st.query_params["kind"] = kind
# the default is the cohort the kind of data belongs to (a roster: the next or current online stage; quiz
# results: the online stage now), not merely the newest
cohort = cohort_picker(imports.cohorts(db, actor), f"imports_cohort_{kind}",
                       default_id=imports.suggested_cohort(db, actor, kind, clock.today()),
                       label=t("import.target_cohort"))
if cohort is None:
    st.stop()
st.info(t("import.target", cohort=literal(cohort_label(cohort))), icon=":material/input:")

SHOWN = {  # the first names the row in the preview (pinned); what changes comes next
    "roster": {"name": "import.col_name", "changes": "import.col_changes", "username": "import.col_username",
               "email": "import.col_email", "organisation": "import.col_organisation",
               "supervisor_names": "import.col_supervisors"},
    "quiz": {"username": "import.col_username", "module": "import.col_module", "score": "import.col_score",
             "attempt": "import.col_attempt", "taken_on": "import.col_taken_on"},
}

st.caption(t(f"import.{kind}_hint"))
lang = language()
c1, c2, c3 = st.columns(3)
c1.download_button(t("import.template_csv"), imports.template_file(kind, lang, "csv"),
                   file_name=f"{kind}-template.csv", mime="text/csv", key=f"imports_{kind}_tpl_csv",
                   on_click="ignore", icon=":material/description:")
c2.download_button(t("import.template_xlsx"), imports.template_file(kind, lang, "xlsx"),
                   file_name=f"{kind}-template.xlsx", key=f"imports_{kind}_tpl_xlsx", on_click="ignore",
                   mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                   icon=":material/table:")
c3.caption(t("import.encodings"))
# a new key after each commit empties the uploader: the file just imported is not previewed again as "0 new"
upload = st.file_uploader(t("import.file"), type=["csv", "xlsx", "txt"], key=form_key(f"imports_{kind}_file"))
if upload is None:
    st.stop()
data = upload.getvalue()
preview_fn = imports.preview_roster if kind == "roster" else imports.preview_quiz
try:
    preview = preview_fn(db, actor, data, upload.name, cohort["id"])
except UserError as exc:
    show_error(exc)
    st.stop()
st.subheader(t("import.preview_title", file=literal(upload.name)))
if preview.errors:
    better = imports.better_cohort(db, actor, data, upload.name, cohort["id"])
    if better:
        st.warning(t("import.better_cohort", cohort=literal(cohort_label(better)), matched=better["matched"],
                     rows=better["rows"], chosen=cohort["code"]), icon=":material/swap_horiz:")
preview_view(preview, SHOWN[kind])
if not preview.errors and not preview.changes:
    st.info(t("import.nothing_to_change"))
    st.stop()
if st.button(t("import.commit", cohort=cohort["code"]), type="primary", key=f"imports_{kind}_commit",
             disabled=not preview.committable):
    commit_fn = imports.commit_roster if kind == "roster" else imports.commit_quiz
    try:
        result = commit_fn(db, actor, data, upload.name, cohort["id"])
    except UserError as exc:
        show_error(exc)
        st.stop()
    if result.passwords:
        st.session_state.pop(IMPORT_PASSWORDS_TAKEN, None)  # an earlier import's notice is not about these
        st.session_state[IMPORT_PASSWORDS] = {
            "cohort": cohort["code"], "rows": imports.one_time_passwords_rows(result, lang)}
    st.session_state["imports_notice"] = t("import.committed_into", cohort=cohort["code"], **result.counts)
    form_done(f"imports_{kind}_file")
    st.rerun()

