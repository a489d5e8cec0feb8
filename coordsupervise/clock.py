"""The programme's one clock: every rule that needs "now" or "today" asks here.

Two clocks, on purpose:
- the *programme* clock (`now_utc`, `now_jst`, `today`): what day of the programme it is. Reflection cut-offs,
  stages, due dates, the demo's placement, the timestamps of what people write. Tests set it to a fixed day
  (`travel_to`, or the `COORDSUPERVISE_TODAY` setting for a server a test starts), so no test depends on the day it
  runs; time keeps moving within that day.
- the *real* clock (`real_now_utc`): sessions, login cookies and the login throttle. A browser judges a cookie's
  expiry by its own clock, so these must not be shifted with the programme's day.
"""
from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

JST = ZoneInfo("Asia/Tokyo")
TODAY_SETTING = "COORDSUPERVISE_TODAY"

_shift = timedelta(0)


def real_now_utc() -> datetime:
    """Naive UTC from the machine's clock, for what a browser also times (cookies, sessions, throttling)."""
    return datetime.now(UTC).replace(tzinfo=None)


def now_utc() -> datetime:
    """Naive UTC on the programme's clock, the form every TIMESTAMP column holds."""
    return real_now_utc() + _shift


def now_jst() -> datetime:
    return (datetime.now(UTC) + _shift).astimezone(JST)


def today() -> date:
    """The programme's today, in Asia/Tokyo."""
    return now_jst().date()


def jst_to_utc(day: date, hour: int, minute: int = 0) -> datetime:
    """A time of day in Tokyo on `day`, as the naive UTC every TIMESTAMP column holds."""
    return datetime.combine(day, time(hour, minute), JST).astimezone(UTC).replace(tzinfo=None)


def travel_to(day: date | None) -> None:
    """Make `today()` answer `day` (None: the real day again). The time of day stays the machine's own, so time
    still moves; only whole days are shifted."""
    global _shift
    if day is None:
        _shift = timedelta(0)
        return
    real_today = datetime.now(UTC).astimezone(JST).date()
    _shift = timedelta(days=(day - real_today).days)


def _from_setting() -> None:
    text = os.environ.get(TODAY_SETTING, "").strip()
    if text:
        try:
            travel_to(date.fromisoformat(text))
        except ValueError as exc:
            raise SystemExit(f"{TODAY_SETTING}={text!r} is not a date (YYYY-MM-DD)") from exc


_from_setting()
