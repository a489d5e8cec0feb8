"""Exports: Excel-safe CSV with a BOM, CP932 accepted on the way in, escaped printable pages."""
import re

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from coordsupervise.office import exports
from tests.conftest import actor_of


def test_csv_has_bom_and_japanese_survives():
    data = exports.csv_bytes(pd.DataFrame({"氏名": ["佐藤 花子"], "内容": ["在留期限を確認"]}))
    assert data.startswith(b"\xef\xbb\xbf")
    assert exports.decode_csv(data).splitlines() == ["氏名,内容", "佐藤 花子,在留期限を確認"]


def test_formula_like_cells_are_neutralised():
    frame = pd.DataFrame({"x": ["=HYPERLINK(\"http://evil\")", "+1", "-2", "@SUM(A1)", "＝1+1", "普通の文", "3"]})
    lines = exports.decode_csv(exports.csv_bytes(frame)).splitlines()[1:]
    assert lines[:5] == ["\"'=HYPERLINK(\"\"http://evil\"\")\"", "'+1", "'-2", "'@SUM(A1)", "'＝1+1"]
    assert lines[5:] == ["普通の文", "3"]


@given(st.text())
def test_no_cell_ever_starts_a_formula(text):
    cell = exports.safe_cell(text)
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠"))


def test_cp932_from_japanese_excel_is_read():
    assert exports.decode_csv("氏名,所属\r\n鈴木,浜松".encode("cp932")) == "氏名,所属\r\n鈴木,浜松"


def test_printable_page_escapes_user_text():
    page = exports.printable_page("記録 <b>", [("1日目", [("出来事", "<script>alert(1)</script>")])])
    assert "<script>" not in page and "&lt;script&gt;" in page and "記録 &lt;b&gt;" in page


def test_trainee_record_is_staff_or_own_only(demo_db):
    supervisor = actor_of(demo_db, "demo-supervisor")
    enrolment_id = demo_db.value("SELECT e.id FROM enrolment e JOIN app_user u ON u.id = e.trainee_id "
                                 "WHERE u.username = 'demo-trainee'")
    frame = exports.trainee_record(demo_db, supervisor, enrolment_id)
    assert len(frame) > 10 and {"event", "feedback"} <= set(frame.columns)
    lines = exports.decode_csv(exports.csv_bytes(frame)).splitlines()
    assert re.match(r"\d{4}-\d{2}-\d{2},", lines[1])  # the practice day as a date, not a midnight timestamp
    first_feedback = frame.dropna(subset=["feedback_at"]).iloc[0]
    utc = demo_db.value("SELECT min(f.created_at) FROM feedback f JOIN reflection r ON r.id = f.reflection_id "
                        "WHERE r.enrolment_id = ? AND r.status = 'submitted' AND r.practice_date = ?",
                        [enrolment_id, first_feedback["practice_date"]])
    assert first_feedback["feedback_at"] - utc == pd.Timedelta(hours=9)  # shown in Japan time
    import pytest

    from coordsupervise.errors import AccessDenied
    other = demo_db.value("SELECT u.username FROM enrolment e JOIN app_user u ON u.id = e.trainee_id "
                          "WHERE e.id <> ? AND u.username LIKE 'trainee-%' LIMIT 1", [enrolment_id])
    with pytest.raises(AccessDenied):
        exports.trainee_record(demo_db, actor_of(demo_db, other), enrolment_id)


def test_missing_values_are_empty_cells():
    frame = pd.DataFrame({"at": [pd.NaT, pd.Timestamp("2026-11-27 10:00")], "x": [None, float("nan")]})
    assert exports.decode_csv(exports.csv_bytes(frame)).splitlines() == ["at,x", ",", "2026-11-27 10:00,"]
