"""The shared reader of imported tables: encodings, XLSX, normalisation, header aliases, row errors, preview."""
from __future__ import annotations

import csv
import io
import unicodedata
from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from coordsupervise.errors import InvalidInput
from coordsupervise.office import tabular
from coordsupervise.office.tabular import (
    CREATED,
    REJECTED,
    UNCHANGED,
    Column,
    PlannedRow,
    Schema,
    build_preview,
    parse_date,
    parse_int,
    parse_number,
    read_table,
    require_committable,
)

SCHEMA = Schema((
    Column("username", "ログインID", "username", sample="tanaka"),
    Column("name", "氏名", "name", aliases=("名前",), max_length=20, sample="田中 花子"),
    Column("region", "地域", "region", required=False, sample="東海"),
))


def xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_csv_in_every_encoding_japanese_excel_saves_reads_the_same(encoding):
    data = "ログインID,氏名\r\ntanaka,田中 花子\r\n".encode(encoding)
    table = read_table(data, "roster.csv")
    assert table.errors == []
    assert table.headers == ["ログインID", "氏名"]
    assert [(r.line, r.cells) for r in table.records] == [(2, {"ログインID": "tanaka", "氏名": "田中 花子"})]


def test_bytes_that_are_neither_utf8_nor_cp932_are_a_file_error():
    table = read_table(b"\x81\x00\xff\xfe,\x80\xa0", "x.csv")
    assert [e.key for e in table.errors] == ["tabular.bad_encoding"]
    assert table.records == []


def test_cells_are_nfkc_and_stripped_so_full_width_and_nfd_mean_the_same():
    nfd_name = unicodedata.normalize("NFD", "佐藤 ガク")
    data = f"ログインID,氏名\n　ＴＡＮＡＫＡ１ , {nfd_name}\n".encode()
    (record,) = read_table(data, "r.csv").records
    assert record.cells == {"ログインID": "TANAKA1", "氏名": "佐藤 ガク"}


def test_line_numbers_are_the_lines_a_person_finds_in_the_file_even_with_blank_lines_and_quoted_newlines():
    data = 'ログインID,氏名\n\na,"二行の\n名前"\nb,鈴木\n'.encode()
    records = read_table(data, "r.csv").records
    assert [r.line for r in records] == [3, 5]


def test_xlsx_dates_numbers_and_the_first_sheet_are_read_as_people_see_them():
    data = xlsx([["ログインID", "受験日", "得点"], ["tanaka", datetime(2026, 11, 28), 85.0], ["sato", 46354, 7.5]])
    table = read_table(data, "quiz.xlsx")
    assert table.from_xlsx and table.errors == []
    assert [r.cells for r in table.records] == [
        {"ログインID": "tanaka", "受験日": "2026-11-28", "得点": "85"},
        {"ログインID": "sato", "受験日": "46354", "得点": "7.5"},
    ]
    assert parse_date(table.records[1].cells["受験日"], serial_ok=True) == date(2026, 11, 28)


def test_a_broken_xlsx_is_a_file_error_not_a_crash():
    assert [e.key for e in read_table(b"PK\x03\x04garbage", "x.xlsx").errors] == ["tabular.unreadable"]
    assert [e.key for e in read_table(b"not a zip", "x.xlsx").errors] == ["tabular.unreadable"]


def test_empty_files_are_refused():
    assert [e.key for e in read_table(b"", "x.csv").errors] == ["tabular.empty"]
    assert [e.key for e in read_table(b"\xef\xbb\xbf\r\n,,\r\n", "x.csv").errors] == ["tabular.empty"]


def test_headers_match_japanese_english_and_aliases_regardless_of_width_case_and_spacing():
    for header in ("ログインID,氏名", "USERNAME,Name", "ﾛｸﾞｲﾝID,名前", "user_name , NAME"):
        records, errors = SCHEMA.map(read_table(f"{header}\na,b\n".encode(), "r.csv"))
        assert errors == [], header
        assert records[0].values == {"username": "a", "name": "b", "region": ""}


def test_missing_unknown_and_repeated_columns_reject_the_whole_file_with_the_column_named():
    records, errors = SCHEMA.map(read_table("氏名,電話,name\nb,0312345678,c\n".encode(), "r.csv"))
    assert records == []
    assert {(e.line, e.column, e.key) for e in errors} == {
        (1, "電話", "tabular.unknown_column"),
        (1, "name", "tabular.repeated_column"),
        (1, "ログインID", "tabular.missing_column"),
    }


def test_cell_errors_name_line_column_and_reason():
    long_name = "長" * 21
    data = f"ログインID,氏名\n,花子\nb,{long_name}\nc,a\x07b\nd,ok,extra\n".encode()
    records, errors = SCHEMA.map(read_table(data, "r.csv"))
    assert {(e.line, e.column, e.key) for e in errors} == {
        (2, "ログインID", "tabular.required"),
        (3, "氏名", "tabular.too_long"),
        (4, "氏名", "tabular.control_character"),
        (5, "", "tabular.extra_cells"),
    }
    assert [r.line for r in records] == [2, 3, 4]


def test_templates_have_the_header_in_each_language_and_a_sample_row_that_reads_back_clean():
    assert SCHEMA.template_rows("en")[0] == ["username", "name", "region"]
    rows = SCHEMA.template_rows("ja")
    data = "\n".join(",".join(r) for r in rows).encode("cp932")
    records, errors = SCHEMA.map(read_table(data, "template.csv"))
    assert errors == [] and records[0].values["name"] == "田中 花子"


@pytest.mark.parametrize("text, expected", [
    ("2026/11/28", date(2026, 11, 28)), ("2026-11-28", date(2026, 11, 28)),
    ("２０２６／１１／２８", date(2026, 11, 28)),
    ("2026年11月28日", date(2026, 11, 28)), ("2026/1/5 10:30", date(2026, 1, 5)), ("2026/02/30", None),
    ("46354", None), ("28/11/2026", None), ("", None),
])
def test_dates_as_people_type_them(text, expected):
    assert parse_date(text) == expected


def test_excel_serials_only_when_the_cell_came_from_xlsx_and_in_a_plausible_range():
    assert parse_date("46354", serial_ok=True) == date(2026, 11, 28)
    assert parse_date("12", serial_ok=True) is None


def test_numbers():
    assert parse_int("３") == 3 and parse_int("3.0") == 3 and parse_int("3.5") is None and parse_int("x") is None
    assert parse_number("85%") == 85 and parse_number("７２．５") == 72.5 and parse_number("nan") is None


def test_preview_counts_and_all_or_nothing():
    data = "ログインID,氏名\na,花子\nb,\nc,太郎\n".encode()
    table = read_table(data, "r.csv")
    records, errors = SCHEMA.map(table)

    def decide(record):
        action = UNCHANGED if record.values["username"] == "a" else CREATED
        return PlannedRow(record.line, action, record.values)

    preview = build_preview("roster", data, table, records, errors, decide)
    assert preview.counts == {"created": 1, "updated": 0, "unchanged": 1, "rejected": 1}
    assert [r.action for r in preview.rows] == [UNCHANGED, REJECTED, CREATED]
    assert preview.sha256 == tabular.sha256_hex(data) and not preview.committable
    with pytest.raises(InvalidInput) as refused:
        require_committable(preview)
    assert refused.value.key == "tabular.rejected" and refused.value.params == {"count": 1}


def test_duplicates_point_at_the_first_line():
    data = "ログインID,氏名\na,x\nB,y\nA,z\n".encode()
    records, _ = SCHEMA.map(read_table(data, "r.csv"))
    assert tabular.duplicates(records, ("username",)) == {4: 2}


cell_text = st.text(st.characters(codec="utf-8"), max_size=40)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(cell_text, min_size=0, max_size=5), max_size=6), st.sampled_from(["utf-8", "cp932"]))
def test_no_csv_content_crashes_the_reader(rows, encoding):
    out = io.StringIO()
    csv.writer(out).writerows([["ログインID", "氏名", "地域"], *rows])
    data = out.getvalue().encode(encoding, errors="replace")
    table = read_table(data, "r.csv")
    records, errors = SCHEMA.map(table)
    assert all(isinstance(e.key, str) and e.key.startswith("tabular.") for e in errors)
    for record in records:
        assert set(record.values) == {"username", "name", "region"}


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_no_bytes_crash_the_reader(data):
    table = read_table(data, "x.csv")
    SCHEMA.map(table)
    read_table(b"PK\x03\x04" + data, "x.xlsx")


def test_identical_reasons_are_grouped_with_their_lines_and_different_ones_kept_apart():
    from coordsupervise.office.tabular import RowError, grouped_errors, line_ranges
    errors = [RowError(line, "受験日", "quiz.outside_online", {"start": "2026-01-05", "end": "2026-03-31"})
              for line in range(2, 22)]
    errors += [RowError(25, "受験日", "quiz.outside_online", {"start": "2026-01-05", "end": "2026-03-31"}),
               RowError(3, "得点", "quiz.score_range", {"value": "abc"}),
               RowError(4, "得点", "quiz.score_range", {"value": "120"})]
    groups = grouped_errors(errors)
    assert [(len(g.lines), g.key) for g in groups] == [(21, "quiz.outside_online"), (1, "quiz.score_range"),
                                                        (1, "quiz.score_range")]
    assert line_ranges(groups[0].lines) == "2〜21, 25"
    assert line_ranges([7]) == "7"
