"""Admin: people (find, add, edit names and roles, reset a password, deactivate or reactivate after a confirmation),
the backup download, and mail (reminders: last sends, failures, a test mail; ui/reminders.py). Reads/writes auth,
people, backup and reminders."""
import streamlit as st

from coordsupervise.access import ROLES
from coordsupervise.errors import UserError
from coordsupervise.programme import auth, people
from coordsupervise.text.limits import QUERY_LIMIT
from coordsupervise.text.usertext import literal
from coordsupervise.ui import first_run
from coordsupervise.ui import reminders as reminders_ui
from coordsupervise.ui.admin import backup_panel
from coordsupervise.ui.guard import require, show_error
from coordsupervise.ui.runtime import database, t
from coordsupervise.ui.widgets import form_done, form_key, jst, link

actor = require("admin")
db = database()

st.title(t("nav.admin"))
first_run.point_to_setup(db, actor)  # a new deployment: the programme is loaded on /setup first
if st.session_state.get("admin_notice"):
    st.success(st.session_state.pop("admin_notice"), icon=":material/check_circle:")
# a tab switch is one rerun (on_change), so the mail tab's reads run only while it is open
people_tab, backup_tab, mail_tab = st.tabs([t("admin.tab_people"), t("admin.tab_backup"), t("reminders.admin_tab")],
                                           key="admin_tab", on_change="rerun")
PEOPLE_SHOWN = 500  # rows of the people table, read from the database a page at a time
PICKER_SHOWN = 100  # people the picker offers: the search above narrows them to the one wanted


def role_names(roles) -> str:
    return "・".join(t(f"role.{r}") for r in roles if r)


with people_tab:
    if st.session_state.get("admin_created"):
        st.session_state["admin_search"] = ""  # a search typed earlier must not hide the person just added
    query = st.text_input(t("admin.search"), key="admin_search", placeholder=t("admin.search_hint"),
                          max_chars=QUERY_LIMIT)
    created = st.session_state.pop("admin_created", None)
    # the person just added comes first, so the office sees at once that it worked
    users, total = auth.find_users(db, actor, query, PEOPLE_SHOWN, first=created["username"] if created else None)
    if created:
        st.success(t("admin.created", username=literal(created["username"])), icon=":material/person_add:")
        st.code(created["password"], language=None)
        st.caption(t("admin.one_time_hint"))
        if created["trainee"]:
            st.info(t("admin.trainee_needs_cohort"), icon=":material/group_add:")
            link("imports", t("admin.go_imports"), icon=":material/upload_file:")
    if total > len(users):
        st.caption(t("speed1.people_first", shown=len(users), total=total))
    else:
        st.caption(t("admin.people_count", count=total))
    # the headings and role names translated once, not once per person (500 rows: a third of the page's run)
    col = {name: t(f"admin.col_{name}") for name in ("username", "name", "kana", "roles", "active", "last_login")}
    roles_shown = {roles: role_names(roles.split(",")) for roles in {u["roles"] for u in users}}
    st.dataframe(
        [{col["username"]: u["username"], col["name"]: u["display_name"], col["kana"]: u["display_name_kana"] or "",
          col["roles"]: roles_shown[u["roles"]], col["active"]: u["active"],
          col["last_login"]: jst(u["last_login_at"])} for u in users],
        hide_index=True, width="stretch", key="admin_people_table")

    by_name = {u["username"]: u for u in users[:PICKER_SHOWN]}
    chosen = st.selectbox(t("admin.person"), sorted(by_name), index=None, key="admin_person",
                          format_func=lambda name: f"{by_name[name]['display_name']}({name})",
                          placeholder=t("admin.person_hint"))
    if total > len(by_name):
        st.caption(t("speed1.picker_first", shown=len(by_name)))
    if chosen:
        person = people.person(db, actor, by_name[chosen]["id"])
        with st.container(border=True):
            st.markdown(f"**{literal(person['display_name'])}**({literal(person['username'])})"
                        + ("" if person["active"] else f" — {t('admin.inactive')}"))
            base = f"admin_edit_{person['id']}"
            with st.form(base):
                name = st.text_input(t("admin.col_name"), value=person["display_name"], key=f"{base}_name",
                                     max_chars=people.NAME_MAX)
                kana = st.text_input(t("admin.col_kana"), value=person["display_name_kana"] or "",
                                     key=f"{base}_kana", max_chars=people.NAME_MAX)
                email = st.text_input(t("admin.col_email"), value=person["email"] or "", key=f"{base}_email",
                                      max_chars=people.EMAIL_MAX)
                roles = st.multiselect(t("admin.col_roles"), ROLES, default=list(person["roles"]),
                                       format_func=lambda r: t(f"role.{r}"), key=f"{base}_roles")
                save = st.form_submit_button(t("admin.save_person"), type="primary", key=f"{base}_save")
            if save:
                try:
                    people.update_person(db, actor, person["id"], display_name=name, kana=kana, email=email,
                                         roles=tuple(roles))
                    st.session_state["admin_notice"] = t("admin.person_saved", name=literal(name))
                    st.rerun()
                except UserError as exc:
                    show_error(exc)

            left, right = st.columns(2)
            with left:
                st.markdown(f"**{t('admin.reset_title')}**")
                st.caption(t("admin.reset_hint"))
                reset_key = f"{base}_resetting"
                if not person["active"]:
                    st.warning(t("admin.reset_inactive"), icon=":material/block:")
                if not st.session_state.get(reset_key):
                    if st.button(t("admin.reset"), key=f"{base}_reset",
                                 disabled=person["id"] == actor.id or not person["active"]):
                        st.session_state[reset_key] = True
                        st.rerun()
                else:
                    # a reset ends every session of the person: say whom it concerns before doing it
                    st.warning(t("admin.confirm_reset", name=literal(person["display_name"]),
                                 username=literal(person["username"])))
                    yes, no = st.columns(2)
                    if yes.button(t("admin.confirm_reset_yes"), key=f"{base}_reset_yes", type="primary"):
                        st.session_state.pop(reset_key, None)
                        try:
                            one_time = people.reset_password(db, actor, person["id"])
                            st.success(t("admin.reset_done", name=literal(person["display_name"])))
                            st.code(one_time, language=None)
                            st.caption(t("admin.one_time_hint"))
                        except UserError as exc:
                            show_error(exc)
                    if no.button(t("admin.confirm_no"), key=f"{base}_reset_no"):
                        st.session_state.pop(reset_key, None)
                        st.rerun()
            with right:
                active = person["active"]
                st.markdown(f"**{t('admin.activation_title')}**")
                confirm_key = f"{base}_confirming"
                if not st.session_state.get(confirm_key):
                    if st.button(t("admin.deactivate") if active else t("admin.reactivate"), key=f"{base}_activation",
                                 disabled=person["id"] == actor.id and active):
                        st.session_state[confirm_key] = True
                        st.rerun()
                else:
                    st.warning(t("admin.confirm_deactivate" if active else "admin.confirm_reactivate",
                                 name=literal(person["display_name"]), username=literal(person["username"])))
                    yes, no = st.columns(2)
                    if yes.button(t("admin.confirm_yes"), key=f"{base}_confirm_yes", type="primary"):
                        st.session_state.pop(confirm_key, None)
                        try:
                            auth.set_active(db, actor, person["id"], not active)
                            st.session_state["admin_notice"] = t(
                                "admin.deactivated" if active else "admin.reactivated",
                                name=literal(person["display_name"]), username=literal(person["username"]))
                            st.rerun()
                        except UserError as exc:
                            show_error(exc)
                    if no.button(t("admin.confirm_no"), key=f"{base}_confirm_no"):
                        st.session_state.pop(confirm_key, None)
                        st.rerun()

    with st.expander(t("admin.create_title")):
        base = form_key("admin_create_user")
        with st.form(base):
            username = st.text_input(t("admin.col_username"), key=f"{base}_username", max_chars=64,
                                     help=t("admin.login_id_help"), placeholder="yamada.taro")
            name = st.text_input(t("admin.col_name"), key=f"{base}_name", max_chars=people.NAME_MAX)
            kana = st.text_input(t("admin.col_kana"), key=f"{base}_kana", max_chars=people.NAME_MAX)
            email = st.text_input(t("admin.col_email"), key=f"{base}_email", max_chars=people.EMAIL_MAX)
            roles = st.multiselect(t("admin.col_roles"), ROLES, format_func=lambda r: t(f"role.{r}"),
                                   key=f"{base}_roles", placeholder=t("admin.roles_hint"))
            st.caption(t("admin.trainee_cohort_hint"))
            create = st.form_submit_button(t("admin.create_submit"), key=f"{base}_submit")
        if create:
            try:
                problem = auth.login_id_problem(username)
                if problem is not None:
                    raise problem
                if not roles:
                    raise UserError("admin.roles_required")
                if not name.strip():
                    raise UserError("admin.name_required")
                if email.strip() and not people.valid_email(email.strip()):
                    raise UserError("people.bad_email")
                # a one-time password, shown once, for the admin to hand over; the person changes it at first login
                initial = auth.initial_password()
                user_id = auth.create_user(db, actor, username, name.strip(), initial, tuple(roles),
                                           kana=kana.strip() or None, email=email.strip() or None)
                people.require_password_change(db, actor, user_id)
                form_done("admin_create_user")
                st.session_state["admin_created"] = {"username": auth.normalize_username(username),
                                                     "password": initial, "trainee": "trainee" in roles}
                st.rerun()
            except UserError as exc:
                show_error(exc)

with backup_tab:
    backup_panel(db, actor)  # an encrypted ZIP under a passphrase typed twice, offered once

with mail_tab:
    if mail_tab.open:
        reminders_ui.admin_panel(db, actor)
