"""Screen pieces of reminders by mail: each person's choices on /account, and on /admin the last sends, the
failures, a test mail, a run now (the way to send while the app holds a DuckDB file) and the thresholds."""
from __future__ import annotations

from urllib.parse import urlsplit

import streamlit as st

from ..access import Actor
from ..errors import UserError
from ..reminders import due, outbox, subscriptions
from ..store.db import Database
from ..text.usertext import literal
from .guard import show_error
from .runtime import settings, t
from .widgets import jst


def account_panel(db: Database, actor: Actor) -> None:
    """Which reminders this person gets and how often (daily / weekly / off), one form, one save."""
    st.subheader(t("reminders.account_title"))
    choices = subscriptions.preferences(db, actor, actor.id)
    if not choices:
        st.caption(t("reminders.account_none"))
        return
    address = subscriptions.address(db, actor, actor.id)
    if address:
        st.caption(t("reminders.account_address", address=literal(address)))
    else:
        st.info(t("reminders.account_no_address"), icon=":material/mail_off:")
    st.caption(t("reminders.account_hint"))
    with st.form("account_reminders"):
        picked = {topic: st.radio(t(f"reminders.topic.{topic}"), subscriptions.FREQUENCIES,
                                  index=subscriptions.FREQUENCIES.index(frequency), horizontal=True,
                                  format_func=lambda f: t(f"reminders.frequency.{f}"),
                                  key=f"account_reminder_{topic}")
                  for topic, frequency in choices.items()}
        save = st.form_submit_button(t("reminders.account_save"), key="account_reminders_save")
    if save:
        try:
            subscriptions.save_preferences(db, actor, actor.id, picked)
            st.success(t("reminders.account_saved"), icon=":material/check_circle:")
        except UserError as exc:
            show_error(exc)


def _status(row: dict) -> str:
    if row["status"] == "sent" and row["uncertain"]:
        return t("reminders.status.uncertain")
    if row["status"] == "abandoned" and row["last_error"] == outbox.DEACTIVATED:
        return t("reminders.status.deactivated")
    return t(f"reminders.status.{row['status']}")


def _error(row: dict) -> str:
    return "" if row["last_error"] == outbox.DEACTIVATED else row["last_error"] or ""


def _table(rows: list[dict], key: str) -> None:
    # who and what first: on a phone the first columns are what shows
    st.dataframe([{t("reminders.col_person"): r["username"], t("reminders.col_status"): _status(r),
                   t("reminders.col_subject"): r["subject"], t("reminders.col_kind"): t(f"reminders.kind.{r['kind']}"),
                   t("reminders.col_sent"): jst(r["sent_at"]), t("reminders.col_created"): jst(r["created_at"]),
                   t("reminders.col_attempts"): r["attempts"], t("reminders.col_error"): _error(r)}
                  for r in rows], hide_index=True, width="stretch", key=key)


def _server_line(mail) -> str:
    """The server without its user and password: only host and port are shown."""
    parts = urlsplit(mail.smtp_url)
    return f"{parts.scheme}://{parts.hostname}{f':{parts.port}' if parts.port else ''}"


def admin_panel(db: Database, actor: Actor) -> None:
    """The office's view of the outbox: settings in force, failures (3 or more), the latest mails, a test mail,
    a run now, and the thresholds."""
    mail = settings().mail
    if mail.smtp_url:
        st.caption(t("reminders.admin_server", server=literal(_server_line(mail)), sender=literal(mail.mail_from),
                     base=literal(mail.base_url)))
    else:
        st.warning(t("reminders.admin_no_server"), icon=":material/mail_off:")
    st.caption(t("reminders.admin_schedule"))
    run_now = st.button(t("reminders.admin_run_now"), key="admin_reminders_run", icon=":material/send:",
                        disabled=not mail.smtp_url)
    if not mail.smtp_url:
        st.caption(t("reminders.disabled_no_server"))
    if run_now:
        try:
            report = outbox.remind(db, actor, mail)
            st.success(t("reminders.admin_ran", planned=len(report.planned), sent=report.sent,
                         failed=report.failed, waiting=report.waiting), icon=":material/check_circle:")
        except UserError as exc:
            show_error(exc)

    failed = outbox.failures(db, actor)
    if failed:
        st.warning(t("reminders.admin_failures", count=len(failed)), icon=":material/error:")
        _table(failed, "admin_reminders_failures")
    st.markdown(f"**{t('reminders.admin_recent')}**")
    recent = outbox.recent(db, actor)
    if recent:
        _table(recent, "admin_reminders_recent")
    else:
        st.caption(t("reminders.admin_none"))

    st.markdown(f"**{t('reminders.test_title')}**")
    with st.form("admin_reminders_test"):
        to_addr = st.text_input(t("reminders.test_address"), value=subscriptions.address(db, actor, actor.id) or "",
                                key="admin_reminders_test_to", max_chars=254, placeholder="office@example.jp")
        send = st.form_submit_button(t("reminders.test_send"), key="admin_reminders_test_send",
                                     disabled=not mail.smtp_url)
        # why the button is greyed out, or what it needs (a form does not rerun while the address is typed, so an
        # empty address is said here and refused on sending, not greyed out)
        if not mail.smtp_url:
            st.caption(t("reminders.disabled_no_server"))
        elif not (to_addr or "").strip():
            st.caption(t("reminders.test_needs_address"))
    if send:
        try:
            outbox.send_test_mail(db, actor, mail, to_addr)
            st.success(t("reminders.test_sent", address=literal(to_addr.strip())), icon=":material/check_circle:")
        except UserError as exc:
            show_error(exc)

    programme_id, values = due.programme_thresholds(db, actor)
    if programme_id is None:
        return
    with st.expander(t("reminders.thresholds_title")):
        with st.form("admin_reminders_thresholds"):
            chosen = {key: int(st.number_input(t(f"reminders.setting.{key}"), min_value=low, max_value=high,
                                               value=values[key], step=1, key=f"admin_reminders_{key}"))
                      for key, (low, high) in due.LIMITS.items()}
            save = st.form_submit_button(t("reminders.thresholds_save"), key="admin_reminders_thresholds_save")
        if save:
            try:
                due.save_thresholds(db, actor, programme_id, chosen)
                st.success(t("reminders.thresholds_saved"), icon=":material/check_circle:")
            except UserError as exc:
                show_error(exc)
