"""Exactly once: the outbox, and the run that plans and sends reminders.

A run has two steps, each safe to stop at any instant (kill -9 included) and to run again:

1. plan: one transaction writes every rendered mail due (status pending; one per person and kind of mail,
   due.collect) and an outbox row for every reminder each carries, keyed (person, kind of reminder, what it is
   about, period). A reminder in the outbox is never planned again; a person gets at most one mail per kind and
   day, and no new one while an earlier one of that kind still waits to go out (its reminders wait for tomorrow).
2. deliver: each mail due to go (pending, or failed and past its backoff) is first *claimed* in its own commit
   (status sending, attempts + 1, who claimed it), then handed to the SMTP server, then marked sent in a second
   commit only after the server accepted it. A refusal marks it failed with the next attempt after a backoff;
   after MAX_ATTEMPTS it is abandoned. /admin shows mails that failed REPORT_AFTER times or more.

The one window no protocol closes: the server has accepted a mail and the run dies before the "sent" commit. The
next run finds the mail claimed by a process that no longer exists (same host, pid gone; another host's claim
after CLAIM_TIMEOUT) and sends it again, with the same Message-ID, counting it as `uncertain` (shown on /admin).
So a crash costs at most one duplicate per crash (the one mail in flight), never a loss; mail programs that drop
a second copy of a Message-ID they already hold show it once. Losing it instead (not resending) would be the
other choice; a reminder that may arrive twice is the lesser harm than one that never arrives.
"""
from __future__ import annotations

import os
import smtplib
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from ..access import Actor, require_role
from ..clock import JST, now_utc
from ..config import MailSettings
from ..errors import InvalidInput
from ..store.db import Database
from . import due as due_module
from .compose import compose, compose_test
from .mailer import Connection, build_message, message_id

MAX_ATTEMPTS = 8
REPORT_AFTER = 3
BACKOFF = (timedelta(minutes=15), timedelta(minutes=30), timedelta(hours=1), timedelta(hours=2),
           timedelta(hours=4), timedelta(hours=8), timedelta(hours=12))
CLAIM_TIMEOUT = timedelta(minutes=10)   # far above an SMTP conversation (mailer.TIMEOUT_SECONDS per step)
UNSENT = ("pending", "sending", "failed")
# last_error of a mail abandoned because its person was switched off (ui: reminders.status.deactivated)
DEACTIVATED = "deactivated"


@dataclass(frozen=True)
class Planned:
    username: str
    to_addr: str
    kind: str
    subject: str
    reminders: int


@dataclass
class RunReport:
    planned: list[Planned] = field(default_factory=list)
    skipped: int = 0          # due, but the person's mail of that kind for today exists or an earlier one waits
    sent: int = 0
    failed: int = 0
    retried: int = 0          # of those sent or failed, mails that had failed before or were found mid-send
    waiting: int = 0          # failed mails whose next attempt is later


def backoff(attempts: int) -> timedelta:
    return BACKOFF[min(max(attempts, 1), len(BACKOFF)) - 1]


def this_process() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _claimer_gone(claimed_by: str | None, claimed_at: datetime | None, now: datetime) -> bool:
    """Whether a claim belongs to a run that died: a process of this host that no longer exists, or any claim
    older than CLAIM_TIMEOUT."""
    if claimed_at is None or claimed_at < now - CLAIM_TIMEOUT:
        return True
    host, _, pid = (claimed_by or "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return True  # a run releases claims before it makes any: this one is a dead run's whose pid we were given
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


# -- plan -------------------------------------------------------------------------------------------------------------
def _plan(db: Database, dues: list[due_module.Due], mail: MailSettings, today: date, now: datetime,
          reply_hours: int) -> tuple[list[Planned], int]:
    """Write every due mail and its outbox rows in one transaction (all or nothing, so a crash leaves either all of
    them or none); a person whose mail of that kind for today exists, or whose earlier one still waits, is skipped.
    Returns what was planned and how many were skipped."""
    composed = [(due, compose(due, mail.base_url, reply_hours), message_id(mail.mail_from)) for due in dues]

    def write(tx):
        planned, skipped = [], 0
        for due, letter, msg_id in composed:
            recipient = due.recipient
            if tx.value("SELECT count(*) FROM reminder_mail WHERE person_id = ? AND kind = ? AND "
                        "(period = ? OR status IN ('pending', 'sending', 'failed'))",
                        [recipient.id, due.kind, today.isoformat()]):
                skipped += 1
                continue
            mail_id = tx.value(
                "INSERT INTO reminder_mail (person_id, kind, period, to_addr, language, subject, body_text, "
                "body_html, message_id, status, next_attempt_at, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT DO NOTHING RETURNING id",
                [recipient.id, due.kind, today.isoformat(), recipient.email, recipient.language, letter.subject,
                 letter.text, letter.html, msg_id, now, now])
            if mail_id is None:
                skipped += 1
                continue
            tx.executemany("INSERT INTO outbox (person_id, kind, subject, period, mail_id, created_at) "
                           "VALUES (?, ?, ?, ?, ?, ?)",
                           [(recipient.id, item.topic, item.subject, item.period, mail_id, now) for item in due.items])
            planned.append(Planned(recipient.username, recipient.email, due.kind, letter.subject, len(due.items)))
        return planned, skipped

    return db.write(write) if composed else ([], 0)


# -- deliver ----------------------------------------------------------------------------------------------------------
def _release_dead_claims(db: Database, now: datetime) -> None:
    """Mails left `sending` by a run that died go out again (maybe a second time: see the module's note)."""
    for mail_id, claimed_by, claimed_at in db.rows(
            "SELECT id, claimed_by, claimed_at FROM reminder_mail WHERE status = 'sending' AND kind <> 'test'"):
        if _claimer_gone(claimed_by, claimed_at, now):
            db.write(lambda tx, i=mail_id, c=claimed_by: tx.execute(
                "UPDATE reminder_mail SET status = 'pending', uncertain = uncertain + 1, next_attempt_at = ?, "
                "claimed_by = NULL WHERE id = ? AND status = 'sending' AND claimed_by = ?", [now, i, c]))


def _claim(db: Database, mail_id: int, now: datetime, me: str):
    return db.write(lambda tx: tx.one(
        "UPDATE reminder_mail SET status = 'sending', attempts = attempts + 1, claimed_by = ?, claimed_at = ? "
        "WHERE id = ? AND status IN ('pending', 'failed') RETURNING to_addr, subject, body_text, body_html, "
        "message_id, attempts, uncertain", [me, now, mail_id]))


def _mark_sent(db: Database, mail_id: int, now: datetime) -> None:
    db.write(lambda tx: tx.execute(
        "UPDATE reminder_mail SET status = 'sent', sent_at = ?, last_error = NULL, claimed_by = NULL "
        "WHERE id = ?", [now, mail_id]))


def _mark_failed(db: Database, mail_id: int, attempts: int, error: str, now: datetime) -> None:
    status = "abandoned" if attempts >= MAX_ATTEMPTS else "failed"
    db.write(lambda tx: tx.execute(
        "UPDATE reminder_mail SET status = ?, last_error = ?, next_attempt_at = ?, claimed_by = NULL WHERE id = ?",
        [status, error[:500], now + backoff(attempts), mail_id]))


def _error_text(exc: Exception) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        detail = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
        return f"{exc.smtp_code} {detail}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{code} {msg.decode('utf-8', 'replace') if isinstance(msg, bytes) else msg}"
                         for code, msg in exc.recipients.values())
    return f"{type(exc).__name__}: {exc}"


def _deliver(db: Database, mail: MailSettings, now: datetime, kinds: tuple[str, ...], report: RunReport,
             connect: Callable[[str], Connection]) -> None:
    _release_dead_claims(db, now)
    # a person switched off since their mail was planned gets nothing more (the list on /admin says why)
    db.write(lambda tx: tx.execute(
        "UPDATE reminder_mail SET status = 'abandoned', last_error = ? WHERE status IN ('pending', 'failed') "
        "AND person_id IN (SELECT id FROM app_user WHERE NOT active)", [DEACTIVATED]))
    ready = [i for (i,) in db.rows(
        "SELECT id FROM reminder_mail WHERE status IN ('pending', 'failed') AND next_attempt_at <= ? "
        "AND kind IN (SELECT unnest(?)) ORDER BY id", [now, list(kinds)])]
    report.waiting = db.value("SELECT count(*) FROM reminder_mail WHERE status = 'failed' AND next_attempt_at > ? "
                              "AND kind IN (SELECT unnest(?))", [now, list(kinds)])
    if not ready:
        return
    me = this_process()
    with connect(mail.smtp_url) as connection:
        for position, mail_id in enumerate(ready):
            claimed = _claim(db, mail_id, now, me)
            if claimed is None:
                continue  # another run took it
            to_addr, subject, text, html, msg_id, attempts, uncertain = claimed
            report.retried += attempts > 1 or uncertain > 0
            try:
                connection.send(build_message(mail.mail_from, to_addr, subject, text, html, msg_id))
            except (smtplib.SMTPConnectError, smtplib.SMTPAuthenticationError, smtplib.SMTPServerDisconnected,
                    OSError) as exc:
                # the server cannot be reached or will not let us in: every mail of this run fails the same way
                _mark_failed(db, mail_id, attempts, _error_text(exc), now)
                report.failed += 1
                for later in ready[position + 1:]:
                    again = _claim(db, later, now, me)
                    if again is not None:
                        _mark_failed(db, later, again[5], _error_text(exc), now)
                        report.failed += 1
                return
            except smtplib.SMTPException as exc:
                _mark_failed(db, mail_id, attempts, _error_text(exc), now)
                report.failed += 1
                continue
            _mark_sent(db, mail_id, now)
            report.sent += 1


# -- the run ----------------------------------------------------------------------------------------------------------
def remind(db: Database, actor: Actor, mail: MailSettings, today: date | None = None, now: datetime | None = None,
           only: str | None = None, dry_run: bool = False,
           connect: Callable[[str], Connection] = Connection) -> RunReport:
    """Plan what is due and send what waits. `dry_run` plans in memory, writes and sends nothing. The programme
    office (and the command line, which acts as it) runs this."""
    require_role(actor, "admin", db=db)
    now = now or now_utc()
    today = today or now.replace(tzinfo=UTC).astimezone(JST).date()
    if only not in (None, *due_module.KINDS):
        raise InvalidInput("reminders.bad_kind")
    if not dry_run and not mail.smtp_url:
        raise InvalidInput("reminders.no_smtp")
    report = RunReport()
    dues = due_module.collect(db, actor, today, now, only)
    reply_hours = _reply_hours(db)
    if dry_run:
        for due in dues:
            composed = compose(due, mail.base_url, reply_hours)
            report.planned.append(Planned(due.recipient.username, due.recipient.email, due.kind, composed.subject,
                                          len(due.items)))
    else:
        report.planned, report.skipped = _plan(db, dues, mail, today, now, reply_hours)
    kinds = due_module.KINDS if only is None else (only,)
    if dry_run:
        report.waiting = db.value("SELECT count(*) FROM reminder_mail WHERE status IN ('pending', 'failed', "
                                  "'sending') AND kind IN (SELECT unnest(?))", [list(kinds)])
        return report
    _deliver(db, mail, now, kinds, report, connect)
    return report


def _reply_hours(db: Database) -> int:
    programme_id = db.value("SELECT min(id) FROM programme")
    return due_module.thresholds(db, programme_id)["reply_hours"] if programme_id else due_module.DEFAULTS[
        "reply_hours"]


# -- what /admin shows ------------------------------------------------------------------------------------------------
_LISTED = ("SELECT m.id, u.username, m.kind, m.subject, m.status, m.attempts, m.uncertain, m.last_error, "
           "m.created_at, m.sent_at, m.next_attempt_at FROM reminder_mail m JOIN app_user u ON u.id = m.person_id ")


def recent(db: Database, actor: Actor, limit: int = 20) -> list[dict]:
    """The latest mails planned or sent, newest first (no body: it says nothing the list does not)."""
    require_role(actor, "admin", db=db)
    return db.dicts(_LISTED + "ORDER BY m.created_at DESC, m.id DESC LIMIT ?", [limit])


def failures(db: Database, actor: Actor) -> list[dict]:
    """Mails the server refused REPORT_AFTER times or more (still retried, or abandoned)."""
    require_role(actor, "admin", db=db)
    return db.dicts(_LISTED + "WHERE m.status IN ('failed', 'abandoned') AND m.attempts >= ? "
                    "ORDER BY m.created_at DESC, m.id DESC LIMIT 100", [REPORT_AFTER])


def send_test_mail(db: Database, actor: Actor, mail: MailSettings, to_addr: str,
                   connect: Callable[[str], Connection] = Connection) -> None:
    """The admin's test mail, sent at once and recorded with the others (kind `test`); a refusal is raised as
    InvalidInput with the server's answer."""
    require_role(actor, "admin", db=db)
    from ..programme.people import valid_email

    to_addr = (to_addr or "").strip()
    if not valid_email(to_addr):
        raise InvalidInput("people.bad_email")
    if not mail.smtp_url:
        raise InvalidInput("reminders.no_smtp")
    composed = compose_test(actor.language, actor.display_name, mail.base_url)
    now = now_utc()
    msg_id = message_id(mail.mail_from)
    mail_id = db.write(lambda tx: tx.value(
        "INSERT INTO reminder_mail (person_id, kind, period, to_addr, language, subject, body_text, body_html, "
        "message_id, status, attempts, next_attempt_at, claimed_by, claimed_at, created_at) "
        "VALUES (?, 'test', ?, ?, ?, ?, ?, ?, ?, 'sending', 1, ?, ?, ?, ?) RETURNING id",
        [actor.id, now.isoformat(), to_addr, actor.language, composed.subject, composed.text, composed.html, msg_id,
         now, this_process(), now, now]))
    try:
        with connect(mail.smtp_url) as connection:
            connection.send(build_message(mail.mail_from, to_addr, composed.subject, composed.text, composed.html,
                                          msg_id))
    except (smtplib.SMTPException, OSError) as exc:
        error = _error_text(exc)
        # a test mail is not retried: the admin sees the answer now
        db.write(lambda tx: tx.execute("UPDATE reminder_mail SET status = 'abandoned', last_error = ?, "
                                       "claimed_by = NULL WHERE id = ?", [error[:500], mail_id]))
        raise InvalidInput("reminders.test_failed", error=error) from exc
    _mark_sent(db, mail_id, now_utc())
