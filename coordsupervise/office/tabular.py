"""Tables that arrive from elsewhere (rosters, quiz results, attendance, test scores) as CSV or XLSX, read the one
way every importer shares, and the preview -> commit model every importer follows.

Files come from Japanese Excel and are messy: CP932 or UTF-8 with or without a BOM, full-width digits and letters,
spaces around values, names in NFD form from a Mac, dates typed as 2026/11/28 or stored as Excel serial numbers.
Reading never raises for bad content: every problem becomes a `RowError` (line, column, catalogue key, params)
that a page shows in the reader's language and the command line prints.

The API (stable: other importers build on it)::

    table = read_table(data, filename)              # Table: headers, records (line + cells), file errors
    records, errors = SCHEMA.map(table)             # header aliases (ja/en) -> field names; per-cell checks
    when = parse_date(records[0].values["taken_on"], serial_ok=table.from_xlsx)
    preview = build_preview("quiz", data, table, records, errors, decide)   # decide(record) -> PlannedRow
    require_committable(preview)                    # InvalidInput unless nothing at all is rejected

An importer plans each record as CREATED, UPDATED, UNCHANGED or REJECTED (with its errors) without writing, shows
the preview, and commits by planning again from the same bytes inside one transaction: all rows or none, and the
same file twice changes nothing the second time.
"""
from __future__ import annotations

import csv
import hashlib
import io
import logging
import re
import unicodedata
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from ..errors import InvalidInput
from ..text.textnorm import strip_bidi

log = logging.getLogger("coordsupervise")

CREATED, UPDATED, UNCHANGED, REJECTED = "created", "updated", "unchanged", "rejected"
ACTIONS = (CREATED, UPDATED, UNCHANGED, REJECTED)

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
# An XLSX is a ZIP: what it would unpack to is checked before openpyxl opens it (a 10 MB bomb can unpack to
# gigabytes). A real workbook of MAX_ROWS rows unpacks to a few tens of MB and compresses 5-30 times; Python's
# zipfile never yields more than an entry's declared size, so the declared sizes are what is checked.
MAX_UNPACKED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 250
_RATIO_FROM = 1024 * 1024   # small parts (styles, an empty sheet) may compress far better without harm
MAX_ENTRIES = 1_000
_MAX_DEPTH = 8              # xl/worksheets/_rels/sheet1.xml.rels is 4 deep
# Excel's day 0 is 1899-12-30 (it counts the non-existent 1900-02-29); serials in this window are 1954..2119
_EXCEL_EPOCH = date(1899, 12, 30)
_SERIAL_RANGE = (20_000, 80_000)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")
_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?")


@dataclass(frozen=True)
class RowError:
    """One reason a file or a row is refused. `line` is the line (CSV) or sheet row (XLSX) a person finds in the
    file, the header being line 1; 0 means the file as a whole. `column` is the header as written in the file
    (or the field name when the column is missing). `key` names a catalogue message; `params` fill it."""

    line: int
    column: str
    key: str
    params: dict[str, Any] = field(default_factory=dict)

    def as_text(self, translate=None) -> str:
        """One line for a log or the command line; `translate(key, **params)` gives it in a language."""
        message = translate(self.key, **self.params) if translate else f"{self.key} {self.params or ''}".strip()
        where = f"line {self.line}" if self.line else "file"
        return f"{where}, {self.column or '-'}: {message}"


@dataclass(frozen=True)
class Record:
    """One data row: its line in the file and its cells by header (already normalised, '' when empty)."""

    line: int
    cells: dict[str, str]
    values: dict[str, str] = field(default_factory=dict)   # by field name, filled by Schema.map


@dataclass
class Table:
    """What read_table found: the header row, the data rows, and file-level problems (empty, unreadable...)."""

    filename: str
    headers: list[str]
    records: list[Record]
    errors: list[RowError] = field(default_factory=list)
    from_xlsx: bool = False


def normalise(text: Any) -> str:
    """A cell as people mean it: NFKC (full-width digits and letters to ASCII, NFD names composed, the ideographic
    space to a space), without bidi controls (a name or an organisation could pass for another) and stripped. Other
    control characters are kept so the schema can refuse them with a reason."""
    if text is None:
        return ""
    return unicodedata.normalize("NFKC", strip_bidi(str(text))).strip()


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def decode_csv(data: bytes) -> str:
    """Text of an uploaded CSV: UTF-8 (BOM or not) first, then CP932 as saved by Japanese Excel."""
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError("not UTF-8 or CP932")


def read_table(data: bytes, filename: str) -> Table:
    """Read a CSV or XLSX upload (chosen by the file's content, not only its name). Never raises for content."""
    if len(data) > MAX_BYTES:
        return Table(filename, [], [], [RowError(0, "", "tabular.too_large", {"limit_mb": MAX_BYTES // 2**20})])
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(data, filename)
    if filename.lower().endswith((".xlsx", ".xlsm")):
        return Table(filename, [], [], [RowError(0, "", "tabular.unreadable")], from_xlsx=True)
    return _read_csv(data, filename)


def _read_csv(data: bytes, filename: str) -> Table:
    try:
        text = decode_csv(data)
    except ValueError:
        return Table(filename, [], [], [RowError(0, "", "tabular.bad_encoding")])
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    ended_at = 0
    try:
        for raw in reader:
            rows.append((ended_at + 1, raw))
            ended_at = reader.line_num
    except csv.Error:
        return Table(filename, [], [], [RowError(ended_at + 1, "", "tabular.unreadable_line")])
    return _table(filename, rows, from_xlsx=False)


def zip_refusal(data: bytes) -> RowError | None:
    """Why an XLSX upload must not be unpacked, judged from the ZIP's own directory (nothing is decompressed):
    too many entries, too much unpacked data, an entry compressed beyond any spreadsheet (a ZIP bomb), an entry
    whose path climbs out (../, /, C:) or nests deeper than any workbook part. None when it looks like a workbook.
    Embedded files (an embedded workbook under xl/embeddings) are allowed: nothing here ever opens them."""
    try:
        entries = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return RowError(0, "", "tabular.unreadable")
    if len(entries) > MAX_ENTRIES:
        return RowError(0, "", "tabular.zip_too_many_entries", {"limit": MAX_ENTRIES})
    unpacked = sum(e.file_size for e in entries)
    packed = max(sum(e.compress_size for e in entries), 1)
    if unpacked > MAX_UNPACKED_BYTES or any(
            e.file_size > _RATIO_FROM and e.file_size > MAX_RATIO * max(e.compress_size, 1) for e in entries):
        return RowError(0, "", "tabular.zip_bomb", {"limit_mb": MAX_UNPACKED_BYTES // 2**20,
                                                    "ratio": unpacked // packed})
    for entry in entries:
        name = entry.filename.replace("\\", "/")
        parts = name.split("/")
        if name.startswith("/") or ".." in parts or re.match(r"^[A-Za-z]:", name) or "\x00" in name \
                or len(parts) > _MAX_DEPTH:
            return RowError(0, "", "tabular.zip_bad_path", {"name": entry.filename[:80]})
    return None


# A workbook's XML never declares a DTD; one that does is refused before any XML parser sees it (entity expansion:
# "billion laughs" and its slower quadratic cousins). UTF-16 spellings too, as XML may be written in it.
_DTD_MARKS = tuple(mark.encode(codec) for mark in ("<!DOCTYPE", "<!ENTITY") for codec in ("ascii", "utf-16-le",
                                                                                          "utf-16-be"))
_CHUNK = 1024 * 1024


class _NotAWorkbook(Exception):
    """An XLSX part that must not be parsed (it declares a DTD)."""


def _check_xml_parts(data: bytes) -> None:
    """Read every XML part once, streamed (their sizes were bounded by zip_refusal), and raise on a DTD. A truncated
    or corrupt entry raises here too (zlib.error, BadZipFile for a CRC mismatch, EOFError)."""
    keep = max(len(mark) for mark in _DTD_MARKS)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for entry in archive.infolist():
            if not entry.filename.lower().endswith((".xml", ".rels", ".vml")):
                continue
            tail = b""
            with archive.open(entry) as part:
                while chunk := part.read(_CHUNK):
                    window = tail + chunk
                    if any(mark in window for mark in _DTD_MARKS):
                        raise _NotAWorkbook(f"{entry.filename} declares a DTD or entities")
                    tail = window[-keep:]


def _unreadable_xlsx(filename: str, exc: BaseException) -> Table:
    """Any failure to read a workbook (openpyxl, zipfile, zlib, the XML parser) as the import's normal error, on
    line 1 as every other import error has a line; the log gets one line, not a traceback."""
    detail = str(exc)[:160] if isinstance(exc, _NotAWorkbook) else f"{type(exc).__name__}: {str(exc)[:160]}"
    log.info("XLSX upload %r could not be read: %s", filename[:80], detail)
    return Table(filename, [], [], [RowError(1, "", "tabular.xlsx_unreadable", {"detail": detail})], from_xlsx=True)


def _read_xlsx(data: bytes, filename: str) -> Table:
    from openpyxl import load_workbook

    try:  # a truncated file has lost the ZIP's directory at its end: not a workbook at all
        zipfile.ZipFile(io.BytesIO(data)).close()
    except Exception:  # noqa: BLE001 - see below
        return Table(filename, [], [], [RowError(1, "", "tabular.unreadable")], from_xlsx=True)
    refusal = zip_refusal(data)
    if refusal is not None:
        return Table(filename, [], [], [refusal], from_xlsx=True)
    # Reading never raises for content (read_table's promise): whatever openpyxl, zipfile, zlib or the XML parser
    # raise on a truncated, corrupt or hostile workbook becomes the import error; ParseError, zlib.error, EOFError
    # and openpyxl's own exceptions have no common base below Exception.
    try:
        _check_xml_parts(data)
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - see above
        return _unreadable_xlsx(filename, exc)
    try:
        sheet = book.worksheets[0]
        rows = []
        for number, raw in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > MAX_ROWS + 1:
                rows.append((number, ["(more)"]))
                break
            rows.append((number, [_xlsx_cell(value) for value in raw]))
    except Exception as exc:  # noqa: BLE001 - see above
        return _unreadable_xlsx(filename, exc)
    finally:
        book.close()
    return _table(filename, rows, from_xlsx=True)


def _xlsx_cell(value: Any) -> str:
    """Excel cells as the text a person sees: dates as ISO dates, 3.0 as 3."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def _table(filename: str, rows: list[tuple[int, list[str]]], *, from_xlsx: bool) -> Table:
    rows = [(line, [normalise(c) for c in cells]) for line, cells in rows]
    rows = [(line, cells) for line, cells in rows if any(cells)]
    if not rows:
        return Table(filename, [], [], [RowError(0, "", "tabular.empty")], from_xlsx=from_xlsx)
    (_, headers), data_rows = rows[0], rows[1:]
    while headers and not headers[-1]:
        headers = headers[:-1]
    errors: list[RowError] = []
    if len(data_rows) > MAX_ROWS:
        errors.append(RowError(0, "", "tabular.too_many_rows", {"limit": MAX_ROWS}))
        data_rows = data_rows[:MAX_ROWS]
    records = []
    for line, cells in data_rows:
        extra = [c for c in cells[len(headers):] if c]
        if extra:
            errors.append(RowError(line, "", "tabular.extra_cells", {"count": len(extra)}))
            continue
        padded = cells + [""] * (len(headers) - len(cells))
        records.append(Record(line, {h: padded[i] for i, h in enumerate(headers) if h}))
    return Table(filename, headers, records, errors, from_xlsx)


def header_key(text: str) -> str:
    """How headers compare: NFKC, lower case, without spaces, underscores, hyphens or brackets around a unit."""
    return re.sub(r"[\s_\-・()]", "", normalise(text).lower())


@dataclass(frozen=True)
class Column:
    """One field an importer reads: its name, the headers that mean it (Japanese first, then English; the first
    Japanese and English aliases are what templates write), whether a value is required, and a length limit."""

    field: str
    header_ja: str
    header_en: str
    aliases: tuple[str, ...] = ()
    required: bool = True
    max_length: int = 200
    sample: str = ""

    def keys(self) -> set[str]:
        return {header_key(h) for h in (self.field, self.header_ja, self.header_en, *self.aliases)}


@dataclass(frozen=True)
class Schema:
    """The columns of one kind of file. `map` turns a Table into Records keyed by field name, checking the header
    row (missing, unknown and repeated columns) and every cell (required, length, control characters)."""

    columns: tuple[Column, ...]

    def header(self, language: str = "ja") -> list[str]:
        return [c.header_en if language == "en" else c.header_ja for c in self.columns]

    def template_rows(self, language: str = "ja") -> list[list[str]]:
        """The header and one sample row, for a template a person fills in."""
        return [self.header(language), [c.sample for c in self.columns]]

    def headers_in(self, table: Table) -> dict[str, str]:
        """Field -> the header as written in this file (the Japanese header for a column the file lacks), so a
        row error names the column the person sees."""
        found = {}
        for header in table.headers:
            for column in self.columns:
                if header and header_key(header) in column.keys() and column.field not in found:
                    found[column.field] = header
        return {c.field: found.get(c.field, c.header_ja) for c in self.columns}

    def map(self, table: Table) -> tuple[list[Record], list[RowError]]:
        """Records with `values` by field name, and the errors. A header problem rejects every row (nothing
        can be read reliably), so the records come back empty with the errors."""
        errors = list(table.errors)
        if not table.headers:
            return [], errors
        by_key = {}
        for column in self.columns:
            for key in column.keys():
                by_key[key] = column
        found: dict[str, str] = {}   # field -> header as written
        for header in table.headers:
            if not header:
                continue
            column = by_key.get(header_key(header))
            if column is None:
                errors.append(RowError(1, header, "tabular.unknown_column", {"column": header}))
            elif column.field in found:
                errors.append(RowError(1, header, "tabular.repeated_column", {"column": header}))
            else:
                found[column.field] = header
        for column in self.columns:
            if column.required and column.field not in found:
                errors.append(RowError(1, column.header_ja, "tabular.missing_column",
                                       {"column": f"{column.header_ja} / {column.header_en}"}))
        if any(e.line == 1 for e in errors):
            return [], errors
        records = []
        for record in table.records:
            values = {}
            for column in self.columns:
                header = found.get(column.field)
                value = record.cells.get(header, "") if header else ""
                if _CONTROL.search(value):
                    errors.append(RowError(record.line, header, "tabular.control_character"))
                elif len(value) > column.max_length:
                    errors.append(RowError(record.line, header, "tabular.too_long",
                                           {"limit": column.max_length}))
                elif column.required and not value:
                    errors.append(RowError(record.line, header, "tabular.required"))
                values[column.field] = value
            records.append(Record(record.line, record.cells, values))
        return records, errors


def parse_date(text: str, *, serial_ok: bool = False) -> date | None:
    """2026/11/28, 2026-11-28, 2026.11.28, 2026年11月28日 (a time after it is ignored); with `serial_ok` (cells
    from XLSX) an Excel serial day number too. None when it is not a date."""
    text = normalise(text)
    match = _DATE.fullmatch(text)
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return None
    if serial_ok and re.fullmatch(r"\d{5}(\.\d+)?", text):
        serial = float(text)
        if _SERIAL_RANGE[0] <= serial <= _SERIAL_RANGE[1]:
            return _EXCEL_EPOCH + timedelta(days=int(serial))
    return None


def parse_int(text: str) -> int | None:
    """A whole number as typed (full-width digits already folded by NFKC; '3.0' from Excel is 3)."""
    text = normalise(text).replace(",", "")
    if re.fullmatch(r"[+-]?\d{1,9}", text):
        return int(text)
    if re.fullmatch(r"[+-]?\d{1,9}\.0+", text):
        return int(float(text))
    return None


def parse_number(text: str) -> float | None:
    """A decimal number as typed; '85%' is 85. None when it is not a finite number."""
    text = normalise(text).replace(",", "").removesuffix("%").strip()
    if re.fullmatch(r"[+-]?(\d{1,9}(\.\d*)?|\.\d+)", text):
        return float(text)
    return None


@dataclass
class PlannedRow:
    """What the commit will do with one record: `action` is one of ACTIONS; `values` what will be written (shown in
    the preview); `errors` the reasons when REJECTED."""

    line: int
    action: str
    values: dict[str, Any]
    errors: list[RowError] = field(default_factory=list)


@dataclass
class Preview:
    """Everything an import would do, computed without writing. Commit only when `committable`."""

    kind: str
    filename: str
    sha256: str
    rows: list[PlannedRow]
    file_errors: list[RowError] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def errors(self) -> list[RowError]:
        """Every reason, file-level first, then by line."""
        row_errors = [e for row in self.rows for e in row.errors]
        return sorted(self.file_errors + row_errors, key=lambda e: (e.line, e.column))

    @property
    def counts(self) -> dict[str, int]:
        counted = Counter(row.action for row in self.rows)
        return {action: counted.get(action, 0) for action in ACTIONS}

    @property
    def committable(self) -> bool:
        return bool(self.rows) and not self.errors

    @property
    def changes(self) -> bool:
        return any(row.action in (CREATED, UPDATED) for row in self.rows)


@dataclass(frozen=True)
class ErrorGroup:
    """The same reason in the same column on several lines: read once, with the lines it applies to."""

    lines: tuple[int, ...]
    column: str
    key: str
    params: dict[str, Any]


def grouped_errors(errors: list[RowError]) -> list[ErrorGroup]:
    """Identical reasons (column, key and params alike) merged, in the order of their first line: twenty rows
    dated outside the online stage are one reason on lines 2-21, not twenty copies of it."""
    groups: dict[tuple, list[RowError]] = {}
    for error in errors:
        groups.setdefault((error.column, error.key, tuple(sorted((k, str(v)) for k, v in error.params.items()))),
                          []).append(error)
    return [ErrorGroup(tuple(e.line for e in same), same[0].column, same[0].key, same[0].params)
            for same in groups.values()]


def line_ranges(lines: tuple[int, ...] | list[int]) -> str:
    """Lines as a person reads them: runs collapsed, '2〜21, 25'."""
    runs: list[list[int]] = []
    for line in sorted(set(lines)):
        if runs and line == runs[-1][1] + 1:
            runs[-1][1] = line
        else:
            runs.append([line, line])
    return ", ".join(str(a) if a == b else f"{a}〜{b}" for a, b in runs)


def require_committable(preview: Preview) -> None:
    """All-or-nothing: refuse the whole file when any row or the file itself is rejected."""
    if not preview.rows and not preview.errors:
        raise InvalidInput("tabular.no_rows")
    if preview.errors:
        raise InvalidInput("tabular.rejected", count=len(preview.errors))


def plan(records: list[Record], errors: list[RowError], decide) -> list[PlannedRow]:
    """Plan every record: rows with errors from reading are REJECTED; the others go to `decide(record)`, which
    returns a PlannedRow (REJECTED with its own errors when a rule of the importer fails)."""
    by_line: dict[int, list[RowError]] = {}
    for error in errors:
        if error.line > 1:
            by_line.setdefault(error.line, []).append(error)
    planned = []
    for record in records:
        if record.line in by_line:
            planned.append(PlannedRow(record.line, REJECTED, dict(record.values), by_line.pop(record.line)))
        else:
            planned.append(decide(record))
    # rows dropped while reading (extra cells) still show as rejected
    for line, line_errors in sorted(by_line.items()):
        planned.append(PlannedRow(line, REJECTED, {}, line_errors))
    return sorted(planned, key=lambda row: row.line)


def build_preview(kind: str, data: bytes, table: Table, records: list[Record], errors: list[RowError],
                  decide, **extras) -> Preview:
    """The usual last step of an importer's preview: file-level errors apart, every record planned by `decide`."""
    return Preview(kind=kind, filename=table.filename, sha256=sha256_hex(data), rows=plan(records, errors, decide),
                   file_errors=[e for e in errors if e.line <= 1], extras=dict(extras))


def duplicates(records: list[Record], key_fields: tuple[str, ...]) -> dict[int, int]:
    """Line -> first line for every record whose key repeats an earlier record's key (case-insensitive)."""
    first: dict[tuple, int] = {}
    repeated = {}
    for record in records:
        key = tuple(record.values.get(f, "").lower() for f in key_fields)
        if key in first:
            repeated[record.line] = first[key]
        else:
            first[key] = record.line
    return repeated
