"""Hostile input stays inert: search with SQL and LIKE metacharacters finds exactly the right rows, every export
neutralises formula-like cells, uploads are judged by content and never unpacked."""
from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coordsupervise import assignments, exports, inbox, reflections
from coordsupervise.errors import InvalidInput
from coordsupervise.reflections import ReflectionBody

from ..conftest import DEMO_TODAY, actor_of

NASTY_EVENTS = {
    "percent": "達成率は100%でした",
    "underscore": "ファイル名 a_b を確認",
    "quote": "書類番号 'A-12' の件",
    "backslash": "パス C:\\docs\\在留 を開いた",
    "plain": "在留カードの期限を確認した",
}


def _submit_days(db, actor, enrolment, events):
    day = DEMO_TODAY - timedelta(days=1)
    ids = {}
    for name, text in events.items():
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        body = ReflectionBody(goal="g", competencies=["C1"], event=text, feelings="f", keep_text="k",
                              problem="p", analysis="a", insight="i", try_text="t", self_rating=3)
        reflections.submit(db, actor, enrolment, day, body, 0, set(), DEMO_TODAY)
        ids[name] = db.value("SELECT id FROM reflection WHERE enrolment_id = ? AND practice_date = ?",
                             [enrolment.id, day])
        day -= timedelta(days=1)
    return ids


@pytest.mark.parametrize("query, expected", [
    ("%", {"percent"}), ("100%", {"percent"}), ("_", {"underscore"}), ("a_b", {"underscore"}),
    ("'", {"quote"}), ("'A-12'", {"quote"}), ("\\", {"backslash"}), ("C:\\docs", {"backslash"}),
    ("' OR 1=1 --", set()), ("%' OR '1'='1", set()), ("在留", {"backslash", "plain"}),
])
def test_search_with_metacharacters_finds_exactly_the_right_rows(demo_db, new_trainee, query, expected):
    actor, enrolment = new_trainee
    ids = _submit_days(demo_db, actor, enrolment, NASTY_EVENTS)
    supervisor = actor_of(demo_db, "demo-supervisor")
    frame, _total = inbox.page(demo_db, supervisor, inbox.InboxFilter(enrolment_id=enrolment.id, query=query),
                               page_size=100)
    found = {name for name, rid in ids.items() if rid in set(frame["id"])}
    assert found == expected


FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠"]
japanese_text = st.text(alphabet=st.sampled_from(list("あいうえお在留資格カード期限申請㈱①ｱｲｳ ,\"\n;")), max_size=20)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(start=st.sampled_from(FORMULA_STARTS), rest=japanese_text, plain=japanese_text)
def test_csv_export_never_starts_a_cell_with_a_formula(start, rest, plain):
    import pandas as pd

    frame = pd.DataFrame({"氏名": [start + rest], "コメント": [plain]})
    text = exports.csv_bytes(frame).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][0] == "'" + start + rest  # kept, but inert
    assert not rows[1][1].startswith(tuple(FORMULA_STARTS)) or rows[1][1].startswith("'")


def _zip(parts: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return out.getvalue()


def test_uploads_are_judged_by_content_and_never_unpacked(demo_db, monkeypatch):
    trainee = actor_of(demo_db, "demo-trainee")
    from coordsupervise import enrolments

    enrolment = enrolments.current_for_trainee(demo_db, trainee)
    assignment_id = demo_db.value("SELECT id FROM assignment WHERE cohort_id = ? AND kind = 'scored' "
                                  "ORDER BY due_on DESC LIMIT 1", [enrolment.cohort_id])
    # a script with a document's extension
    with pytest.raises(InvalidInput):
        assignments.add_attachment(demo_db, trainee, enrolment, assignment_id, "report.docx", b"<script>x</script>")
    # a ZIP bomb dressed as DOCX: judged by its list of parts, never inflated
    bomb = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"0" * 50_000_000})
    assert len(bomb) < MAX_SMALL
    monkeypatch.setattr(zipfile.ZipExtFile, "read", lambda *a, **k: pytest.fail("an upload was unpacked"))
    attachment_id = assignments.add_attachment(demo_db, trainee, enrolment, assignment_id, "../../etc/passwd.docx",
                                               bomb)
    name, media_type, data = assignments.attachment_content(demo_db, trainee, attachment_id)
    assert name == "passwd.docx" and media_type.endswith("wordprocessingml.document") and data == bomb
    # over the size limit
    with pytest.raises(InvalidInput):
        assignments.add_attachment(demo_db, trainee, enrolment, assignment_id, "big.pdf",
                                   b"%PDF-" + b"0" * assignments.MAX_ATTACHMENT_BYTES)
    # the same name twice is stored twice, each under its own id, never overwriting
    again = assignments.add_attachment(demo_db, trainee, enrolment, assignment_id, "passwd.docx", bomb)
    assert again != attachment_id


MAX_SMALL = 200_000
