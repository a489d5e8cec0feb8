"""Admin: people (create, deactivate, reactivate) and the cohorts on record. Reads/writes auth and cohorts."""
import streamlit as st

from coordsupervise import auth, cohorts
from coordsupervise.access import ROLES
from coordsupervise.errors import UserError
from coordsupervise.ui.guard import require, show_error
from coordsupervise.ui.runtime import database, language, t
from coordsupervise.ui.widgets import jst, today_jst

actor = require("admin")
db = database()

st.title(t("nav.admin"))
people_tab, cohorts_tab = st.tabs([t("admin.tab_people"), t("admin.tab_cohorts")])

with people_tab:
    query = st.text_input(t("admin.search"), key="admin_search", placeholder=t("admin.search_hint"))
    users = auth.list_users(db, actor, query)
    st.caption(t("admin.people_count", count=len(users)))
    st.dataframe(
        [{t("admin.col_username"): u["username"], t("admin.col_name"): u["display_name"],
          t("admin.col_kana"): u["display_name_kana"] or "",
          t("admin.col_roles"): "・".join(t(f"role.{r}") for r in u["roles"].split(",") if r),
          t("admin.col_active"): u["active"], t("admin.col_last_login"): jst(u["last_login_at"])} for u in users[:500]],
        hide_index=True, width="stretch")

    with st.expander(t("admin.activation_title")):
        names = {u["username"]: u for u in users}
        chosen = st.selectbox(t("admin.col_username"), sorted(names), key="admin_activation_user", index=None)
        if chosen:
            target = names[chosen]
            label = t("admin.deactivate") if target["active"] else t("admin.reactivate")
            if st.button(label, key="admin_activation_button"):
                try:
                    auth.set_active(db, actor, target["id"], not target["active"])
                    st.success(t("admin.activation_done", username=chosen))
                    st.rerun()
                except UserError as exc:
                    show_error(exc)

    with st.expander(t("admin.create_title")):
        with st.form("admin_create_user", clear_on_submit=False):
            username = st.text_input(t("admin.col_username"), key="admin_new_username")
            name = st.text_input(t("admin.col_name"), key="admin_new_name")
            kana = st.text_input(t("admin.col_kana"), key="admin_new_kana")
            email = st.text_input(t("admin.col_email"), key="admin_new_email")
            roles = st.multiselect(t("admin.col_roles"), ROLES, format_func=lambda r: t(f"role.{r}"),
                                   key="admin_new_roles")
            create = st.form_submit_button(t("admin.create_submit"))
        if create:
            try:
                if not roles:
                    raise UserError("admin.roles_required")
                if not name.strip():
                    raise UserError("admin.name_required")
                # a one-time initial password, shown once, for the admin to hand over; the person changes it
                initial = auth.initial_password()
                auth.create_user(db, actor, username, name.strip(), initial, tuple(roles), kana=kana.strip() or None,
                                 email=email.strip() or None)
                st.success(t("admin.created", username=auth.normalize_username(username)))
                st.code(initial, language=None)
                st.caption(t("admin.initial_password_hint"))
            except UserError as exc:
                show_error(exc)

with cohorts_tab:
    frame = cohorts.overview(db, actor, today_jst())
    st.dataframe(
        frame.assign(name=frame["name_ja"] if language() == "ja" else frame["name_en"],
                     stage=[t(f"stage.{s}") for s in frame["stage"]])[
            ["code", "name", "stage", "trainees", "starts_on", "ends_on"]],
        hide_index=True, width="stretch",
        column_config={"code": t("cohorts.col_code"), "name": t("cohorts.col_name"),
                       "stage": t("cohorts.col_stage"), "trainees": t("cohorts.col_trainees"),
                       "starts_on": st.column_config.DateColumn(t("cohorts.col_starts"), format="YYYY-MM-DD"),
    "ends_on": st.column_config.DateColumn(t("cohorts.col_ends"), format="YYYY-MM-DD")})
