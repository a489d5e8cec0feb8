"""Reminders by mail on screen: each person's choices on /account, and on /admin the latest mails, the failures, the
test mail and "send now", against a real SMTP server (aiosmtpd on a free port)."""
from datetime import timedelta

import pytest

from coordsupervise.access import COMMAND_LINE
from coordsupervise.clock import now_utc
from coordsupervise.config import MailSettings
from coordsupervise.i18n import translate
from coordsupervise.programme import auth
from coordsupervise.reminders import outbox, subscriptions
from coordsupervise.text.usertext import literal
from coordsupervise.ui.runtime import database
from tests.conftest import DEMO_TODAY, actor_of
from tests.unit.reminders.smtp_sink import SmtpServer

JA = lambda key, **p: translate("ja", key, **p)  # noqa: E731
EN = lambda key, **p: translate("en", key, **p)  # noqa: E731


@pytest.fixture
def smtp(monkeypatch):
    with SmtpServer() as server:
        monkeypatch.setenv("COORDSUPERVISE_SMTP_URL", server.url)
        monkeypatch.setenv("COORDSUPERVISE_MAIL_FROM", "office@example.jp")
        monkeypatch.setenv("COORDSUPERVISE_BASE_URL", "https://cs.example.jp")
        # the app's own sender thread (reminders/scheduler.py) would send the same mails itself during Tokyo's day
        # hours, racing the admin's button these tests press (they failed from 07:00 JST): off here, tested on its own
        monkeypatch.setenv("COORDSUPERVISE_REMIND_EVERY", "0")
        yield server


def mail_tables(at) -> list:
    """The /admin mail tab's tables (failures first when there are any, then the latest mails)."""
    return [d.value for d in at.dataframe if JA("reminders.col_error") in d.value.columns]


def texts(at) -> str:
    return " ".join(str(e.value) for e in (*at.success, *at.warning, *at.error, *at.info, *at.markdown, *at.caption))


def test_a_trainee_turns_one_reminder_off_and_another_to_weekly(app):
    at = app("demo-trainee", script="pages/account.py").run()
    assert not at.exception
    keys = {r.key for r in at.radio if r.key.startswith("account_reminder_")}
    assert keys == {f"account_reminder_{t}" for t in subscriptions.TRAINEE_TOPICS}
    assert at.radio(key="account_reminder_feedback_unread").value == "daily"  # on unless the person says otherwise
    assert JA("reminders.account_address", address=literal("demo-trainee@example.jp")) in texts(at)
    at.radio(key="account_reminder_feedback_unread").set_value("off")
    at.radio(key="account_reminder_assignment_due").set_value("weekly")
    at.button(key="account_reminders_save").click().run()
    assert not at.exception and JA("reminders.account_saved") in texts(at)
    trainee = actor_of(database(), "demo-trainee")
    chosen = subscriptions.preferences(database(), trainee, trainee.id)
    assert chosen["feedback_unread"] == "off" and chosen["assignment_due"] == "weekly"
    assert chosen["reflection_missing"] == "daily"
    assert at.radio(key="account_reminder_feedback_unread").value == "off"


def test_a_supervisor_and_a_manager_see_their_digests_only_in_their_language(app):
    at = app("demo-supervisor", script="pages/account.py").run()
    assert {r.key for r in at.radio if r.key.startswith("account_reminder_")} == {"account_reminder_supervisor_digest"}
    auth.set_language(database(), actor_of(database(), "demo-manager"), "en")
    at = app("demo-manager", script="pages/account.py").run()
    labels = {r.label for r in at.radio if r.key.startswith("account_reminder_")}
    assert labels == {EN("reminders.topic.supervisor_digest"), EN("reminders.topic.manager_digest")}
    assert at.radio(key="account_reminder_manager_digest").value == "weekly"


def test_a_person_without_an_address_is_told_why_nothing_comes(app):
    database().write(lambda tx: tx.execute("UPDATE app_user SET email = NULL WHERE username = 'demo-supervisor'"))
    at = app("demo-supervisor", script="pages/account.py").run()
    assert JA("reminders.account_no_address") in texts(at)


def admin_mail_tab(app):
    """/admin with its mail tab open: only the open tab is drawn (a tab switch is one rerun)."""
    at = app("demo-admin", script="pages/admin.py").run()
    assert "admin_reminders_run" not in [b.key for b in at.button]  # folded away, the mail tab reads nothing
    at.session_state["admin_tab"] = JA("reminders.admin_tab")
    return at.run()


def test_the_admin_sends_a_test_mail_and_sees_it_listed(app, smtp):
    at = admin_mail_tab(app)
    assert not at.exception
    assert JA("reminders.admin_none") in texts(at)
    assert at.text_input(key="admin_reminders_test_to").value == "demo-admin@example.jp"
    at.text_input(key="admin_reminders_test_to").input("office@example.jp")
    at.button(key="admin_reminders_test_send").click().run()
    assert not at.exception
    assert JA("reminders.test_sent", address=literal("office@example.jp")) in texts(at)
    [message] = smtp.sink.to("office@example.jp")
    assert message["subject"] == JA("reminders.subject.test")
    at.run()
    [recent] = mail_tables(at)
    assert list(recent[JA("reminders.col_status")]) == [JA("reminders.status.sent")]


def test_the_admin_sends_what_is_due_now_and_sees_failures_after_three(app, smtp):
    at = admin_mail_tab(app)
    at.button(key="admin_reminders_run").click().run()
    assert not at.exception
    sent = smtp.sink.count()
    assert sent >= 3 and JA("reminders.admin_ran", planned=sent, sent=sent, failed=0, waiting=0) in texts(at)
    # a refusing server, three runs past their backoff: reported
    smtp.sink.refuse = True
    mail = MailSettings(smtp.url, "office@example.jp", "https://cs.example.jp")
    now = now_utc() + timedelta(days=1)
    for attempt in range(3):
        outbox.remind(database(), COMMAND_LINE, mail, today=DEMO_TODAY + timedelta(days=1), now=now)
        now += outbox.backoff(attempt + 1) + timedelta(seconds=1)
    failed = len(outbox.failures(database(), actor_of(database(), "demo-admin")))
    assert failed > 0
    at.run()
    assert JA("reminders.admin_failures", count=failed) in texts(at)
    failures, _recent = mail_tables(at)
    assert len(failures) == failed and "550" in " ".join(failures[JA("reminders.col_error")])


def test_without_a_mail_server_the_admin_is_told_how_to_set_one(app, monkeypatch):
    monkeypatch.delenv("COORDSUPERVISE_SMTP_URL", raising=False)
    at = admin_mail_tab(app)
    assert not at.exception and JA("reminders.admin_no_server") in texts(at)
    assert at.button(key="admin_reminders_run").disabled


def test_a_greyed_out_send_says_why(app, monkeypatch):
    monkeypatch.delenv("COORDSUPERVISE_SMTP_URL", raising=False)
    at = admin_mail_tab(app)
    assert at.button(key="admin_reminders_test_send").disabled
    assert [c.value for c in at.caption].count(JA("reminders.disabled_no_server")) == 2  # run now, and the test mail


def test_without_an_address_the_test_mail_asks_for_one(app, smtp):
    database().write(lambda tx: tx.execute("UPDATE app_user SET email = NULL WHERE username = 'demo-admin'"))
    at = admin_mail_tab(app)
    assert JA("reminders.test_needs_address") in [c.value for c in at.caption]
    assert JA("reminders.disabled_no_server") not in [c.value for c in at.caption]
