"""Where a trainee stands, drawn with Streamlit's own text elements: the stages as a table with the current one's
day count, the practical stage's reflections as a calendar table (one row per week, a mark and a colour per day's
status, a legend naming each mark), and the competencies as a table of released rubric levels beside self-ratings.
Used by /progress (the trainee) and /trainee (the calendar, for staff).

Why not charts: these were three plotly figures, and a page with any plotly figure makes a fresh browser load and
evaluate plotly's 4.7 MB script, 0.8–1.1 s of the browser's main thread on the benchmark machine, more than the whole
load of an empty Streamlit app (docs/speed.md). A trainee opens /progress on a phone, often from a bookmark; text
tables are read at any width, by a screen reader as tables, and need no text alternative of their own.

The builders return Markdown of our own making (catalogue labels, dates, numbers, fixed marks); the one text from
data, a competency's name from the curriculum, is made literal (text/usertext.literal: no link, image or markup)."""
from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from ..certification import certification
from ..text.usertext import literal
from .runtime import t

# A day's status: its mark (told apart without colour: a filled square handed in, a triangle late, a cross missing,
# an empty square still open to write) and the Streamlit colour its cell is tinted with (None: no tint). Done is blue
# and missing red, never green against red, so the colour still helps a reader with protanopia or deuteranopia; the
# mark alone decides.
DAY_MARKS = {"submitted": ("■", "blue"), "late": ("▲", "orange"), "missing": ("✕", "red"),
             "extra": ("◆", "blue"), "draft": ("●", "violet"), "open": ("□", "yellow"), "off": ("－", "gray"),
             "future": ("·", None), "weekend": ("", None)}
SCALE_TOP = 4
GLUE = "\u202f"  # a narrow no-break space: a mark stays with its day in a phone's narrow column


def _cell(text: str) -> str:
    """A Markdown table cell: a "|" would end it."""
    return text.replace("|", "\\|")


def _table(headings: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(_cell(h) for h in headings) + " |", "|" + "---|" * len(headings)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _dates(start: date, end: date) -> str:
    return f"{start:%Y/%m/%d}" if start == end else f"{start:%Y/%m/%d} – {end:%Y/%m/%d}"


def stage_table(calendar: dict[str, tuple[date, date]], labels: dict[str, str], today: date) -> str:
    """One row per stage (in `labels`' order): its name, its dates, and whether it is over, on today (with the days
    left) or still to come. The current stage's name is bold."""
    rows = []
    for stage, label in labels.items():
        if stage not in calendar:
            continue
        start, end = calendar[stage]
        if end < today:
            state = f":gray-badge[{t('progress.stage_done')}]"
        elif start <= today:
            left = (end - today).days
            state = f":blue-badge[{t('progress.stage_now')}]" + (
                " " + t("progress.days_left", count=left) if left else "")
            label = f"**{label}**"
        else:
            state = t("progress.stage_next")
        rows.append([_cell(label), _dates(start, end), state])
    return _table([t("progress.col_stage"), t("progress.col_dates"), t("progress.col_state")], rows)


def stage_day(calendar: dict[str, tuple[date, date]], today: date) -> tuple[str, int, int] | None:
    """(stage, day, days) of the stage on today, for its progress bar; None between stages and outside them."""
    for stage, (start, end) in calendar.items():
        if start <= today <= end:
            return stage, (today - start).days + 1, (end - start).days + 1
    return None


def day_cell(day: date, status: str | None, dated: bool = False) -> str:
    """A day in the calendar: its mark and day of the month (M/D where `dated`: the first day shown and each
    month's first), tinted in its status's colour."""
    if status is None or status == "weekend":
        return ""
    mark, colour = DAY_MARKS[status]
    text = f"{mark}{GLUE}{day.month}/{day.day}" if dated or day.day == 1 else f"{mark}{GLUE}{day.day}"
    return f":{colour}-background[{text}]" if colour else text


def calendar_table(statuses: dict[date, str], weekday_labels: list[str]) -> str:
    """The practical stage as a table: one row per week, one column per weekday (Saturday and Sunday only when a
    reflection was written on one), a cell per day, the first day shown and each month's first as M/D. No column
    naming the weeks: five weekdays fit a phone 390 px wide only without it, and the dates say where a week is."""
    mondays = sorted({d - timedelta(days=d.weekday()) for d in statuses})
    weekend_used = any(d.weekday() >= 5 and s != "weekend" for d, s in statuses.items())
    width = 7 if weekend_used else 5
    first = min(statuses) if statuses else None
    rows = []
    for monday in mondays:
        days = [monday + timedelta(days=i) for i in range(width)]
        rows.append([day_cell(d, statuses.get(d), dated=d == first) for d in days])
    return _table(weekday_labels[:width], rows)


def calendar_legend(statuses: dict[date, str], labels: dict[str, str]) -> str:
    """Each mark the calendar shows, named (in DAY_MARKS' order)."""
    shown = set(statuses.values())
    return "　".join(f"{DAY_MARKS[s][0]}\u00a0{labels[s]}" for s in DAY_MARKS if s in shown and DAY_MARKS[s][0])


def competency_table(profile: list[dict], names: dict[str, str]) -> str:
    """Per competency: the mean of the released rubric levels and the self-rating beside it (for reference only). A
    competency nobody has scored yet says so. No pass mark here: certification judges the report's levels (the
    checklist above says met or not), and a mean over every assignment may sit below 3 when the report does not."""
    rows = []
    for p in profile:
        level, own = p["rubric_level"], p["self_rating"]
        scored = f":gray-badge[{t('firsthour.not_yet_scored')}]" if level is None else f"**{level:.1f}** / {SCALE_TOP}"
        rows.append([literal(f"{p['code']} {names.get(p['code'], '')}".strip()), scored,  # the curriculum's words
                     "—" if own is None else f"{own:.1f} / {SCALE_TOP}"])
    return _table([t("progress.col_competency"), t("progress.rubric_level"), t("progress.self_rating")], rows)


def behind(statuses: dict[date, str], bar_pct: int) -> tuple[int, int] | None:
    """(reflections still needed, working days left) while the rate so far (certification.reflection_rate, as the
    caption and the checklist count it) is below the bar; None when it is not. The bar applies to every working day
    of the stage, so what is needed is counted against them all."""
    done, so_far = certification.reflection_rate(statuses)
    if not so_far or done * 100 >= bar_pct * so_far:
        return None
    left = sum(1 for d, s in statuses.items() if d.weekday() < 5 and s in ("open", "future"))
    needed = -(-bar_pct * (so_far + left) // 100) - done  # the ceiling of bar % of every working day, less done
    return needed, left


def practice_calendar(statuses: dict[date, str]) -> None:
    """The calendar's legend, then the table (on /progress and /trainee): a screen reader meets the marks' meaning
    before the marks."""
    st.caption(calendar_legend(statuses, {s: t(f"calendar.{s}") for s in DAY_MARKS}))
    st.markdown(calendar_table(statuses, [t(f"weekday.{i}") for i in range(7)]))
