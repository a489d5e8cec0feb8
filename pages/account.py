"""Everyone: display language, password, and which reminders come by mail and how often (ui/reminders.py)."""
import time
from datetime import timedelta

import streamlit as st

from coordsupervise.errors import UserError
from coordsupervise.programme import auth
from coordsupervise.text.usertext import literal
from coordsupervise.ui import login, state
from coordsupervise.ui import reminders as reminders_ui
from coordsupervise.ui.guard import require, show_error
from coordsupervise.ui.library import consent_requests
from coordsupervise.ui.runtime import database, set_language, t

NOTICE_SECONDS = 120

actor = require("trainee", "supervisor", "manager", "admin", "graduate")

st.title(t("nav.account"))
login.keep_reissuing()  # a cookie reissued after a password change, until the browser holds it
# The notice outlives the reruns that re-issuing the cookie causes (one or two, sooner or later on a busy server),
# so it is kept for a while rather than shown once.
notice = st.session_state.get("account_notice")
if notice and time.monotonic() < notice[1]:
    st.success(t(notice[0]))
st.markdown(t("account.signed_in_as", name=literal(actor.display_name), username=literal(actor.username)))

consent_requests(database(), actor)  # cases drawn from the person's reflections ask for their yes or no

st.subheader(t("account.language"))
choice = st.radio(t("account.language"), ["ja", "en"], index=0 if actor.language == "ja" else 1, horizontal=True,
                  format_func=lambda code: {"ja": "日本語", "en": "English"}[code], key="account_language",
                  label_visibility="collapsed")
if choice != actor.language:
    auth.set_language(database(), actor, choice)
    set_language(choice)
    st.rerun()

st.subheader(t("account.password_title"))
if st.session_state.get(state.MUST_CHANGE_PASSWORD):
    st.warning(t("people.must_change_now"), icon=":material/key:")
st.caption(t("account.password_rules"))
with st.form("account_password", clear_on_submit=True):
    # bcrypt reads 72 bytes: no password is longer in characters (auth.password_problems counts the bytes)
    most = auth.BCRYPT_MAX_BYTES
    current = st.text_input(t("account.password_current"), type="password", key="account_current", max_chars=most)
    new = st.text_input(t("account.password_new"), type="password", key="account_new", max_chars=most)
    again = st.text_input(t("account.password_again"), type="password", key="account_again", max_chars=most)
    submitted = st.form_submit_button(t("account.password_submit"))
if submitted:
    st.session_state.pop("account_notice", None)
    if new != again:
        st.error(t("account.password_mismatch"))
    else:
        try:
            ended_at = auth.change_password(database(), actor, current, new)
            # every other session ends; this one goes on as if issued just after the change, with a new cookie
            st.session_state[state.LOGIN_AT] = ended_at + timedelta(microseconds=1)
            login.reissue_cookie()
            st.success(t("account.password_changed"))  # now, where the eye is
            st.session_state["account_notice"] = ("account.password_changed", time.monotonic() + NOTICE_SECONDS)
        except UserError as exc:
            show_error(exc)

reminders_ui.account_panel(database(), actor)
