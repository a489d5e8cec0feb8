"""Files people take away: CSV for Excel (UTF-8 with BOM, cells safe from formula injection) and a printable
page (plain HTML with every piece of user text escaped). Files that come in are read by tabular.py."""
from __future__ import annotations

import csv
import html
import io
import re
from datetime import date, datetime

import pandas as pd

from ..access import Actor, require_enrolment_read
from ..errors import AccessDenied
from ..store.db import Database
from ..text.textnorm import strip_bidi
from .tabular import decode_csv  # noqa: F401  (the reader moved to tabular; kept here for existing callers)

# what Excel and LibreOffice read as the start of a formula (full-width forms too, which IMEs produce), and the
# line breaks that let a formula hide on a cell's second line in some importers
_FORMULA_START = tuple("=+-@\t\r\n＝＋－＠")


def safe_cell(value) -> str:
    """A cell as text that a spreadsheet will never evaluate: formula-like text gets a leading apostrophe."""
    if value is None or (not isinstance(value, (str, bytes)) and pd.isna(value)):
        return ""  # None, NaN and NaT (a reflection without feedback has no feedback time)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with a BOM, so Japanese Excel opens it without mojibake."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(c) for c in frame.columns])
    for row in frame.itertuples(index=False):
        writer.writerow([safe_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(frame: pd.DataFrame, sheet: str = "data") -> bytes:
    """The frame as an Excel workbook: numbers stay numbers, dates stay dates, every text cell goes through
    safe_cell (so no cell is ever a formula) and is stored as a string."""
    from openpyxl import Workbook  # only the export pays the import

    book = Workbook()
    ws = book.active
    ws.title = "".join(ch for ch in sheet if ch not in "[]:*?/\\")[:31] or "data"  # Excel's sheet-name rules
    ws.append([safe_cell(c) for c in frame.columns])
    for row in frame.itertuples(index=False):
        ws.append([_xlsx_value(v) for v in row])
    for cell in ws[1]:
        cell.font = cell.font.copy(bold=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xlsx_value(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and not pd.isna(value):
        return value
    if hasattr(value, "item") and not isinstance(value, (str, bytes)) and not pd.isna(value):
        return value.item()  # numpy scalars
    if isinstance(value, datetime) and not pd.isna(value):
        return value.replace(tzinfo=None) if value.tzinfo else value
    if isinstance(value, date):
        return value
    return safe_cell(value)  # text (and None/NaN as empty): never a formula


def trainee_record(db: Database, actor: Actor, enrolment_id: int) -> pd.DataFrame:
    """Every submitted reflection of one trainee with its feedback, one row per message (or one row without)."""
    relation = require_enrolment_read(db, actor, enrolment_id)
    if not relation & {"supervised", "managed", "own"}:
        raise AccessDenied()
    frame = db.frame(
        "SELECT r.practice_date, r.version, r.late, r.goal, r.case_count, r.case_fields, r.event, r.feelings, "
        "r.keep_text, r.problem, r.analysis, r.insight, r.try_text, r.self_rating, "
        "(SELECT string_agg(rc.competency, ' ' ORDER BY rc.competency) FROM reflection_competency rc "
        " WHERE rc.reflection_id = r.id) AS competencies, "
        "u.display_name AS feedback_author, f.created_at AS feedback_at, f.body_md AS feedback "
        "FROM reflection r LEFT JOIN feedback f ON f.reflection_id = r.id "
        "LEFT JOIN app_user u ON u.id = f.author_id WHERE r.enrolment_id = ? AND r.status = 'submitted' "
        "ORDER BY r.practice_date, f.created_at", [enrolment_id])
    frame["practice_date"] = frame["practice_date"].dt.date
    # stored in UTC, read in Japan
    frame["feedback_at"] = frame["feedback_at"].dt.tz_localize("UTC").dt.tz_convert("Asia/Tokyo").dt.tz_localize(None)
    return frame


def printable_page(title: str, sections: list[tuple[str, list[tuple[str, str]]]]) -> str:
    """A self-contained page to print or save as PDF. Every title, label and value is escaped."""
    parts = [f"<!doctype html><html lang='ja'><meta charset='utf-8'><title>{html.escape(title)}</title>",
             "<style>body{font-family:'Noto Sans CJK JP','Hiragino Sans','Yu Gothic',sans-serif;margin:2em;"
             "line-height:1.6}h1{font-size:1.4em}h2{font-size:1.1em;border-bottom:1px solid #999;margin-top:1.6em}"
             "dt{font-weight:bold;margin-top:.4em}dd{margin:0 0 0 1em;white-space:pre-wrap}"
             "@media print{h2{page-break-after:avoid}section{page-break-inside:avoid}}</style>",
             f"<h1>{html.escape(title)}</h1>"]
    for heading, items in sections:
        parts.append(f"<section><h2>{html.escape(heading)}</h2><dl>")
        for label, value in items:
            parts.append(f"<dt>{html.escape(label)}</dt><dd>{html.escape(value or '')}</dd>")
        parts.append("</dl></section>")
    parts.append("</html>")
    return "".join(parts)


_UNSAFE_IN_FILE_NAMES = re.compile(r'[\\/:*?"<>|\s\x00-\x1f]+')


def file_name(what: str, person: str, day, extension: str) -> str:
    """A download's file name that says what it is, whose and from when (振り返り_池田恵_20261128.csv), with the
    characters Windows and macOS refuse in file names taken out, and the bidi controls that would make one name
    pass for another."""
    parts = [_UNSAFE_IN_FILE_NAMES.sub("", strip_bidi(part)) for part in (what, person, day.strftime("%Y%m%d"))]
    return "_".join(p for p in parts if p) + "." + extension
