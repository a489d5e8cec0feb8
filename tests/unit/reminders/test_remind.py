"""Reminders through a real SMTP server (aiosmtpd on a free port): the right mails to the right people, in their
language, with links on the base URL; exactly once; dry runs; refusals retried and reported; choices respected."""
from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from coordsupervise.access import COMMAND_LINE
from coordsupervise.clock import now_utc
from coordsupervise.config import MailSettings
from coordsupervise.errors import InvalidInput
from coordsupervise.programme import auth
from coordsupervise.reminders import outbox, subscriptions
from coordsupervise.routes import BY_PATH
from tests.conftest import DEMO_TODAY, actor_of

BASE = "https://coordsupervise.example.jp/app"
DEMO = ("demo-trainee", "demo-supervisor", "demo-manager")


def settings(smtp) -> MailSettings:
    return MailSettings(smtp.url, "office@example.jp", BASE)


def run(db, smtp, **kwargs):
    return outbox.remind(db, COMMAND_LINE, settings(smtp), today=DEMO_TODAY, **kwargs)


def body(message, subtype: str) -> str:
    return message.get_body(preferencelist=(subtype,)).get_content()


def test_the_demo_people_each_get_their_mail_in_japanese_with_links_on_the_base_url(demo_db, smtp):
    report = run(demo_db, smtp)
    assert report.failed == 0 and report.sent == len(report.planned) == smtp.sink.count()
    subjects = {}
    for username in DEMO:
        mails = smtp.sink.to(f"{username}@example.jp")
        assert len(mails) == 1, username
        message = mails[0]
        subjects[username] = message["subject"]
        raw_subject = re.search(rb"^Subject: (.*(?:\r\n[ \t].*)*)", next(
            raw for rcpts, _m, raw in smtp.sink.messages if f"{username}@example.jp" in rcpts), re.M).group(1)
        assert raw_subject.startswith(b"=?utf-8?"), "a Japanese subject travels RFC 2047-encoded"
        assert message["from"] == "office@example.jp" and message["message-id"]
        text, html = body(message, "plain"), body(message, "html")
        links = re.findall(r"https?://[^\s<>\"]+", text)
        assert links and all(link.startswith(BASE + "/") for link in links)
        assert all(urlsplit(link).path.removeprefix("/app/") in BY_PATH for link in links)
        assert all(f'href="{link.replace("&", "&amp;")}"' in html for link in links)
    assert "【養成研修】中村 陽子さん" in subjects["demo-trainee"]
    assert subjects["demo-supervisor"].startswith("【指導者ダイジェスト】")
    assert subjects["demo-manager"].startswith("【コホートのまとめ】")
    trainee_text = body(smtp.sink.to("demo-trainee@example.jp")[0], "plain")
    assert "未読のフィードバックが1件あります" in trainee_text and f"{BASE}/reflection?day=" in trainee_text
    supervisor_text = body(smtp.sink.to("demo-supervisor@example.jp")[0], "plain")
    assert f"{BASE}/inbox?noreply=1" in supervisor_text and f"{BASE}/scoring?state=to_score" in supervisor_text
    assert f"{BASE}/cohort?cohort=" in body(smtp.sink.to("demo-manager@example.jp")[0], "plain")
    # nobody gets a mail about someone else's trainees: a trainee's mail names the trainee only
    assert "demo-admin@example.jp" not in {r for rcpts, _m, _raw in smtp.sink.messages for r in rcpts}


def test_a_second_run_sends_nothing_and_a_dry_run_sends_and_records_nothing(demo_db, smtp):
    dry = run(demo_db, smtp, dry_run=True)
    assert {p.username for p in dry.planned} >= set(DEMO)
    assert smtp.sink.count() == 0
    assert demo_db.value("SELECT count(*) FROM outbox") == 0
    assert demo_db.value("SELECT count(*) FROM reminder_mail") == 0
    first = run(demo_db, smtp)
    assert first.sent == len(dry.planned) == smtp.sink.count()
    reminders = "SELECT person_id, kind, subject, period, mail_id FROM outbox"
    sent_first = set(demo_db.rows(reminders))
    second = run(demo_db, smtp)
    assert second.sent == 0 and not second.planned
    assert not run(demo_db, smtp, dry_run=True).planned
    # five hours on, only what has become due meanwhile may go (a feedback's two days unread running out while the
    # suite runs at 04:30 in Tokyo, a new day's digest): nothing that went before goes again
    later = outbox.remind(demo_db, COMMAND_LINE, settings(smtp), today=DEMO_TODAY, now=now_utc() + timedelta(hours=5))
    after = set(demo_db.rows(reminders))
    assert sent_first <= after
    assert {row[:4] for row in after - sent_first}.isdisjoint(row[:4] for row in sent_first)
    assert len({row[4] for row in after - sent_first}) == later.sent
    assert smtp.sink.count() == first.sent + later.sent


def test_each_person_reads_their_own_language(demo_db, smtp):
    auth.set_language(demo_db, actor_of(demo_db, "demo-trainee"), "en")
    run(demo_db, smtp)
    message = smtp.sink.to("demo-trainee@example.jp")[0]
    assert message["subject"] == "Coordinator training: 1 reminder for 中村 陽子"
    assert "1 feedback message is waiting unread." in body(message, "plain")
    assert smtp.sink.to("demo-supervisor@example.jp")[0]["subject"].startswith("【指導者ダイジェスト】")


def test_an_opted_out_person_gets_nothing(demo_db, smtp):
    trainee = actor_of(demo_db, "demo-trainee")
    subscriptions.save_preferences(demo_db, trainee, trainee.id, {"feedback_unread": "off"})
    supervisor = actor_of(demo_db, "demo-supervisor")
    subscriptions.save_preferences(demo_db, supervisor, supervisor.id, {"supervisor_digest": "off"})
    run(demo_db, smtp)
    assert not smtp.sink.to("demo-trainee@example.jp")
    assert not smtp.sink.to("demo-supervisor@example.jp")
    assert smtp.sink.to("demo-manager@example.jp")
    # turned on again: what was held back is still due
    subscriptions.save_preferences(demo_db, trainee, trainee.id, {"feedback_unread": "daily"})
    outbox.remind(demo_db, COMMAND_LINE, settings(smtp), today=DEMO_TODAY + timedelta(days=1),
                  now=now_utc() + timedelta(days=1))
    assert len(smtp.sink.to("demo-trainee@example.jp")) == 1


def test_a_weekly_digest_goes_once_a_week(demo_db, smtp):
    supervisor = actor_of(demo_db, "demo-supervisor")
    subscriptions.save_preferences(demo_db, supervisor, supervisor.id, {"supervisor_digest": "weekly"})
    now = now_utc()
    for days in range(3):  # Monday, Tuesday, Wednesday of one ISO week: one digest
        outbox.remind(demo_db, COMMAND_LINE, settings(smtp), today=DEMO_TODAY + timedelta(days=days),
                      now=now + timedelta(days=days), only="supervisor")
    assert len(smtp.sink.to("demo-supervisor@example.jp")) == 1


def test_a_refusing_server_is_retried_with_backoff_and_reported_after_three_failures(demo_db, smtp):
    """The first run's mails, refused, wait out their backoff, are tried again, reported after the third refusal and
    sent once the server takes them. The runs hours later may plan mails that became due meanwhile (a feedback's two
    days unread running out, at whatever hour the suite runs): those are new mails of their own, not the first run's,
    so the first run's are followed by id (the test failed when run at 07:50 in Tokyo)."""
    admin = actor_of(demo_db, "demo-admin")
    smtp.sink.refuse = True
    now = now_utc()
    first = outbox.remind(demo_db, COMMAND_LINE, settings(smtp), today=DEMO_TODAY, now=now, only="trainee")
    assert first.failed == len(first.planned) > 0 and first.sent == 0
    ids = [mail_id for (mail_id,) in demo_db.rows("SELECT id FROM reminder_mail ORDER BY id")]
    assert len(ids) == first.failed

    def tried() -> set[tuple[str, int]]:
        return set(demo_db.rows("SELECT status, attempts FROM reminder_mail WHERE id IN (SELECT unnest(?))", [ids]))

    assert not outbox.failures(demo_db, admin)
    # before the backoff has passed, a run leaves them alone
    soon = outbox.remind(demo_db, COMMAND_LINE, settings(smtp), today=DEMO_TODAY, now=now + timedelta(minutes=5),
                         only="trainee")
    assert soon.waiting >= first.failed and tried() == {("failed", 1)}
    at = now
    for attempt in (2, 3):
        at = at + outbox.backoff(attempt - 1) + timedelta(seconds=1)
        outbox.remind(demo_db, COMMAND_LINE, settings(smtp), today=DEMO_TODAY, now=at, only="trainee")
        assert tried() == {("failed", attempt)}
    reported = [r for r in outbox.failures(demo_db, admin) if r["id"] in ids]
    assert len(reported) == first.failed and all(r["attempts"] == 3 for r in reported)
    assert all("550" in r["last_error"] for r in reported)
    smtp.sink.refuse = False
    at = at + outbox.backoff(3) + timedelta(seconds=1)
    last = outbox.remind(demo_db, COMMAND_LINE, settings(smtp), today=DEMO_TODAY, now=at, only="trainee")
    assert tried() == {("sent", 4)} and last.retried >= first.failed and smtp.sink.count() == last.sent
    assert not [r for r in outbox.failures(demo_db, admin) if r["id"] in ids]


def test_an_unreachable_server_fails_every_mail_of_the_run_and_keeps_them(demo_db):
    closed = MailSettings("smtp://127.0.0.1:9", "office@example.jp", BASE)  # the discard port: nobody listens
    report = outbox.remind(demo_db, COMMAND_LINE, closed, today=DEMO_TODAY)
    assert report.failed == len(report.planned) > 0 and report.sent == 0
    assert demo_db.value("SELECT count(*) FROM reminder_mail WHERE status = 'failed' AND attempts = 1") == \
        report.failed


def test_without_a_mail_server_only_a_dry_run_is_possible(demo_db):
    unset = MailSettings(None, "office@example.jp", BASE)
    with pytest.raises(InvalidInput):
        outbox.remind(demo_db, COMMAND_LINE, unset, today=DEMO_TODAY)
    assert outbox.remind(demo_db, COMMAND_LINE, unset, today=DEMO_TODAY, dry_run=True).planned


def test_the_admins_test_mail_arrives_and_is_listed(demo_db, smtp):
    admin = actor_of(demo_db, "demo-admin")
    outbox.send_test_mail(demo_db, admin, settings(smtp), "office@example.jp")
    [message] = smtp.sink.to("office@example.jp")
    assert message["subject"] == "【テスト】養成研修のメール送信の確認"
    assert outbox.recent(demo_db, admin)[0]["status"] == "sent"
    smtp.sink.refuse = True
    with pytest.raises(InvalidInput) as refused:
        outbox.send_test_mail(demo_db, admin, settings(smtp), "office@example.jp")
    assert "550" in refused.value.params["error"]


def test_only_one_kind_is_planned_and_sent(demo_db, smtp):
    report = run(demo_db, smtp, only="manager")
    assert {p.kind for p in report.planned} == {"manager"}
    assert [r for rcpts, _m, _raw in smtp.sink.messages for r in rcpts] == ["demo-manager@example.jp"]


def test_a_person_switched_off_after_planning_gets_nothing_more(demo_db, smtp):
    smtp.sink.refuse = True
    now = now_utc()
    first = outbox.remind(demo_db, COMMAND_LINE, settings(smtp), today=DEMO_TODAY, now=now, only="trainee")
    assert smtp.sink.count() == 0 and first.failed > 0
    demo_db.write(lambda tx: tx.execute("UPDATE app_user SET active = FALSE WHERE username = 'demo-trainee'"))
    smtp.sink.refuse = False
    later = now + outbox.backoff(1) + timedelta(seconds=1)
    outbox.remind(demo_db, COMMAND_LINE, settings(smtp), today=DEMO_TODAY, now=later, only="trainee")
    assert not smtp.sink.to("demo-trainee@example.jp")
    assert demo_db.value(
        "SELECT status || '/' || last_error FROM reminder_mail m JOIN app_user u ON u.id = m.person_id "
        "WHERE u.username = 'demo-trainee'") == f"abandoned/{outbox.DEACTIVATED}"


def test_the_apps_own_sender_runs_in_the_day_only_and_not_without_a_server(demo_db, smtp):
    from datetime import datetime

    from coordsupervise.reminders import scheduler

    night = datetime(2026, 12, 7, 14, 0)  # 23:00 in Tokyo (naive UTC, as the clock gives it)
    morning = datetime(2026, 12, 7, 0, 30)  # 09:30 in Tokyo
    assert not scheduler.in_the_day(night) and scheduler.in_the_day(morning)
    assert scheduler.tick(demo_db, settings(smtp), now=night) is False and smtp.sink.count() == 0
    assert scheduler.start(demo_db, MailSettings(None, "office@example.jp", BASE), 60) is None
    assert scheduler.start(demo_db, MailSettings(smtp.url, "office@example.jp", BASE, 0), 0) is None
    # the thread: one tick, then told to stop by its pause
    ticks = []
    thread = scheduler.start(demo_db, settings(smtp), 60, wait=lambda seconds: ticks.append(seconds) or True)
    thread.join(timeout=120)
    assert ticks == [3600] and not thread.is_alive()
    assert scheduler.tick(demo_db, settings(smtp), now=morning) is True
