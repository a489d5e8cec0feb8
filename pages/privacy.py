"""Manager and programme office: the privacy of the people in the reflections. Redactions per cohort, who read what
(managers, for an audit), the retention setting per programme (the office edits it) and what retention would clear.
Reads redaction, readlog and retention; writes the retention setting and, for the office, a retention run."""
import streamlit as st

from coordsupervise import clock
from coordsupervise.errors import UserError
from coordsupervise.privacy import readlog, redaction, retention
from coordsupervise.ui.guard import require, show_error
from coordsupervise.ui.runtime import database, language, t
from coordsupervise.ui.widgets import form_done, form_key, jst

actor = require("manager", "admin")
db = database()
today = clock.today()
name_col = "name_ja" if language() == "ja" else "name_en"
PAGE_SIZE = 50

st.title(t("nav.privacy"))
st.caption(t("privacy.page.intro"))
# Only the open tab is drawn (a tab switch reruns the page): who read what and the retention schedule count over
# every reflection, and a run needs at most one of them.
tab_redactions, tab_reads, tab_retention = st.tabs(
    [t("privacy.tab.redactions"), t("privacy.tab.reads"), t("privacy.tab.retention")], key="privacy_tab",
    on_change="rerun")

if tab_redactions.open:
    with tab_redactions:
        st.caption(t("privacy.redactions_how", title=t("redaction.title")))
        counts = redaction.counts_per_cohort(db, actor)
        if not any(c["redactions"] for c in counts):
            st.info(t("privacy.redactions_none"), icon=":material/visibility_off:")
        col = {name: t(f"privacy.col.{name}") for name in ("cohort", "name", "redactions", "reflections", "last_at")}
        st.dataframe([{col["cohort"]: c["code"], col["name"]: c[name_col], col["redactions"]: c["redactions"],
                       col["reflections"]: c["reflections"], col["last_at"]: jst(c["last_at"])} for c in counts],
                     hide_index=True, width="stretch")

if tab_reads.open:
    with tab_reads:
        if not actor.has("manager"):
            st.info(t("privacy.reads_manager_only"))
        else:
            people = readlog.readers_directory(db, actor)
            if not people:
                st.info(t("privacy.reads_none"))
            else:
                st.dataframe([{t("privacy.col.reader"): p["reader"], t("privacy.col.reflections"): p["reflections"],
                               t("privacy.col.trainees"): p["trainees"],
                               t("privacy.col.last_read_at"): jst(p["last_read_at"])}
                              for p in people], hide_index=True, width="stretch")
                ids = [p["reader_id"] for p in people]
                try:
                    wanted = int(st.query_params.get("reader", ""))
                except ValueError:
                    wanted = None
                names = {p["reader_id"]: p["reader"] for p in people}
                chosen = st.selectbox(t("privacy.reads_pick"), ids, index=ids.index(wanted) if wanted in ids else 0,
                                      format_func=names.get, key="privacy_reader")
                st.query_params["reader"] = str(chosen)
                total = readlog.reads_by_person(db, actor, chosen, limit=1)[1]
                pages = max(1, -(-total // PAGE_SIZE))
                page_no = st.number_input(t("privacy.page", pages=pages), 1, pages, 1, key="privacy_reads_page") \
                    if pages > 1 else 1
                rows, total = readlog.reads_by_person(db, actor, chosen, PAGE_SIZE, (page_no - 1) * PAGE_SIZE)
                st.caption(t("privacy.reads_total", total=total))
                st.dataframe([{t("privacy.col.cohort"): r["cohort"], t("privacy.col.trainee"): r["trainee"],
                               t("privacy.col.practice_date"): f"{r['practice_date']:%Y-%m-%d}",
                               t("privacy.col.version"): r["version"],
                               t("privacy.col.relation"): t(f"readers.relation.{r['relation']}"),
                               t("privacy.col.first_read_at"): jst(r["first_read_at"]),
                               t("privacy.col.last_read_at"): jst(r["last_read_at"])} for r in rows],
                             hide_index=True, width="stretch")

if tab_retention.open:
    with tab_retention:
        st.caption(t("privacy.retention_intro", marker=retention.MARKER))
        for programme in retention.programmes(db, actor):
            label = t("privacy.retention_years", name=getattr(programme, name_col))
            if actor.has("admin"):
                with st.form(form_key(f"privacy_retention_{programme.id}")):
                    years = st.number_input(label, *retention.YEARS_RANGE, programme.years, key="privacy_years")
                    if st.form_submit_button(t("privacy.retention_save")):
                        try:
                            retention.set_years(db, actor, programme.id, int(years))
                            form_done(f"privacy_retention_{programme.id}")
                            st.toast(t("privacy.retention_saved", years=int(years)), icon=":material/check_circle:")
                            st.rerun()
                        except UserError as exc:
                            show_error(exc)
            else:
                st.metric(label, programme.years)

        plan = retention.schedule(db, actor, today)
        due = [c for c in plan if c["due_on"] <= today and c["cleared_at"] is None]
        if due:
            st.warning(t("privacy.retention_due", count=len(due)), icon=":material/auto_delete:")
        else:
            st.success(t("privacy.retention_nothing_due"), icon=":material/check_circle:")
        st.markdown(f"**{t('privacy.retention_schedule')}**")
        if not plan:
            st.caption(t("privacy.retention_none_finished"))
        else:
            st.dataframe([{t("privacy.col.cohort"): c["code"],
                           t("privacy.col.finished_on"): f"{c['finished_on']:%Y-%m-%d}",
                           t("privacy.col.years"): c["years"], t("privacy.col.due_on"): f"{c['due_on']:%Y-%m-%d}",
                           t("privacy.col.cleared_at"): jst(c["cleared_at"]),
                           t("privacy.col.reflections"): c["reflections"], t("privacy.col.messages"): c["messages"],
                           t("privacy.col.notes"): c["notes"]} for c in plan], hide_index=True, width="stretch")
        if due and actor.has("admin"):
            with st.form(form_key("privacy_apply")):
                sure = st.checkbox(t("privacy.retention_confirm"))
                pressed = st.form_submit_button(t("privacy.retention_apply"), type="primary")
                if pressed and not sure:
                    st.warning(t("privacy.retention_confirm_first"))
                elif pressed:
                    try:
                        cleared = retention.apply(db, actor, today)
                        form_done("privacy_apply")
                        st.toast(t("privacy.retention_applied", count=len(cleared)), icon=":material/check_circle:")
                        st.rerun()
                    except UserError as exc:
                        show_error(exc)
        st.caption(t("privacy.retention_cli"))
        st.code("python -m coordsupervise retention\npython -m coordsupervise retention --apply", language="bash")
