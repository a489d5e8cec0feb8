"""The app's own sender: a DuckDB file is held by the running app, so the `remind` command cannot open it while the
app runs. When a mail server is configured, each app process therefore runs the same `remind` itself every
COORDSUPERVISE_REMIND_EVERY minutes (default 60; 0 turns it off, for a deployment that schedules the command with
cron or a systemd timer instead), in the day only (07:00–20:59 in Tokyo: a reminder planned at night would go out at
night). Several processes and a cron job at once are safe: the outbox claims each mail for one run (outbox.py).

One daemon thread per process, started once (the ui layer calls `start` from a process-wide cache); a failed run is
logged and tried again at the next tick, never raised into a page."""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from ..access import COMMAND_LINE
from ..clock import now_utc
from ..config import MailSettings
from ..store.db import Database
from .outbox import remind

log = logging.getLogger("coordsupervise")
JST = ZoneInfo("Asia/Tokyo")
DAY_HOURS = range(7, 21)


def in_the_day(now: datetime) -> bool:
    """Whether `now` (naive UTC, as the clock gives it) is a sending hour in Tokyo."""
    return now.replace(tzinfo=UTC).astimezone(JST).hour in DAY_HOURS


def tick(db: Database, mail: MailSettings, now: datetime | None = None) -> bool:
    """One scheduled run: plan and send what is due, in the day only. True when it ran."""
    now = now or now_utc()
    if not mail.smtp_url or not in_the_day(now):
        return False
    try:
        report = remind(db, COMMAND_LINE, mail, now=now)
    except Exception:  # a page must never see this thread's troubles; the next tick tries again
        log.exception("scheduled reminders failed")
        return False
    if report.planned or report.sent or report.failed:
        log.info("reminders: %d planned, %d sent, %d refused", len(report.planned), report.sent, report.failed)
    return True


def start(db: Database, mail: MailSettings, every_minutes: int,
          wait: Callable[[float], bool] | None = None) -> threading.Thread | None:
    """Start the sender thread (None when there is no mail server or it is turned off). `wait` (seconds -> True to
    stop) is the pause between ticks; by default a never-set Event's wait, so the daemon thread ends with the
    process."""
    if not mail.smtp_url or every_minutes <= 0:
        return None
    pause = wait or threading.Event().wait

    def loop() -> None:
        while True:
            tick(db, mail)
            if pause(every_minutes * 60):
                return

    thread = threading.Thread(target=loop, name="coordsupervise-reminders", daemon=True)
    thread.start()
    return thread
