"""Hostile input stays inert: search with SQL and LIKE metacharacters finds exactly the right rows, every export
neutralises formula-like cells, uploads are judged by content and never unpacked."""
from __future__ import annotations

import ast
import csv
import io
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coordsupervise.errors import InvalidInput
from coordsupervise.office import exports, tabular
from coordsupervise.practice import assignments, inbox, reflections
from coordsupervise.practice.reflections import ReflectionBody

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


FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠"]
japanese_text = st.text(alphabet=st.sampled_from(list("あいうえお在留資格カード期限申請㈱①ｱｲｳ ,\"\n;")), max_size=20)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(start=st.sampled_from(FORMULA_STARTS), rest=japanese_text, plain=japanese_text)
def test_csv_export_never_starts_a_cell_with_a_formula(start, rest, plain):
    import pandas as pd

    frame = pd.DataFrame({"氏名": [start + rest], "コメント": [plain]})
    text = exports.csv_bytes(frame).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][0] == "'" + start + rest  # kept, but inert
    assert not rows[1][1].startswith(tuple(FORMULA_STARTS)) or rows[1][1].startswith("'")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(start=st.sampled_from(FORMULA_STARTS), rest=japanese_text, plain=japanese_text,
       number=st.integers(-10**6, 10**6))
def test_xlsx_export_has_no_formula_and_keeps_the_text(start, rest, plain, number):
    """Read back with openpyxl: no cell is a formula (data_type 'f'), every text cell is exactly the text with at
    most a leading apostrophe, numbers stay numbers; a header that looks like a formula is neutralised too. (XML
    reads a CR as a line feed, and an empty cell as no value: the same text to a person.)"""
    import pandas as pd
    from openpyxl import load_workbook

    frame = pd.DataFrame({start + "列": [start + rest, plain], "点": [number, 0]})
    sheet = load_workbook(io.BytesIO(exports.xlsx_bytes(frame, "=シート"))).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    def read(ref):
        return sheet[ref].value or ""

    def xml(text):
        return text.replace("\r\n", "\n").replace("\r", "\n")

    assert read("A1") == xml("'" + start + "列")
    assert read("A2") == xml("'" + start + rest)
    neutral = "'" if plain.startswith(tuple(FORMULA_STARTS) + ("\n",)) else ""
    assert read("A3") == xml(neutral + plain)
    assert sheet["B2"].value == number and sheet["B2"].data_type == "n"


# What every download in the app is made by. A new download_button whose data comes from anything else fails
# test_every_download_goes_through_a_safe_path until it is added here with the reason it is safe.
SAFE_DOWNLOADS = {
    "exports.csv_bytes(": "CSV through safe_cell",
    "exports.xlsx_bytes(": "XLSX through safe_cell, text stored as strings",
    "imports.template_file(": "import templates: fixed catalogue text through csv_bytes or safe_cell",
    "partner_import.template_csv(": "the partner import's template: the schema's headers and sample through csv_bytes",
    "groups_page(": "HTML through exports.printable_page (every value escaped)",
    "certificate_html(": "HTML with html.escape on every value",
    "page.encode(": "HTML from exports.printable_page in the same script",
    "exports.printable_page(": "HTML through exports.printable_page (every value escaped)",
    "assignments.attachment_content(": "the trainee's own upload, byte for byte, under its stored type",
    "curriculum.shipped_file(": "the shipped curriculum file (TOML text from the package), no user data",
    "data,": "the admin's database backup (backup.backup_bytes), not a spreadsheet",
}
ROOT = Path(__file__).resolve().parents[2]


def _made_by(tree, data) -> list:
    """What makes a download's data: the expression itself, or, for a function of the same file passed as a
    callable (a file made on the click), every expression it returns."""
    if isinstance(data, ast.Name):
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name == data.id:
                return [r.value for r in ast.walk(node) if isinstance(r, ast.Return) and r.value is not None]
    return [data]


def _downloads():
    for path in sorted([*ROOT.glob("pages/*.py"), *ROOT.glob("coordsupervise/ui/*.py")]):
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "download_button":
                data = node.args[1] if len(node.args) > 1 else next(k.value for k in node.keywords if k.arg == "data")
                for made_by in _made_by(tree, data):
                    yield path.relative_to(ROOT), source, ast.get_source_segment(source, made_by)


def test_every_download_goes_through_a_safe_path():
    found = list(_downloads())
    assert len(found) >= 14
    for path, source, data in found:
        text = data + ("," if data == "data" else "")
        safe = [reason for start, reason in SAFE_DOWNLOADS.items() if start in text]
        assert safe, f"{path}: download of {data!r} is not made by a known safe export"
        if data.startswith("page.encode("):
            assert "page = exports.printable_page(" in source, path


def _zip(parts: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return out.getvalue()


def test_uploads_are_judged_by_content_and_never_unpacked(demo_db, monkeypatch):
    trainee = actor_of(demo_db, "demo-trainee")
    from coordsupervise.programme import enrolments

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


def _bomb_xlsx(size: int) -> bytes:
    """A workbook's parts with one sheet of `size` bytes of nothing: megabytes unpacked, a few KB on disk."""
    return _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>",
                 "xl/worksheets/sheet1.xml": b"<worksheet>" + b" " * size + b"</worksheet>"})


def test_an_xlsx_zip_bomb_is_refused_before_it_is_opened(monkeypatch):
    # the limit scaled down to 16 MB so the bomb is quick to build; the check is the same at 200 MB
    monkeypatch.setattr(tabular, "MAX_UNPACKED_BYTES", 16 * 1024 * 1024)
    monkeypatch.setattr(tabular, "MAX_RATIO", 10**6)    # first: the total alone refuses it
    bomb = _bomb_xlsx(40 * 1024 * 1024)
    assert len(bomb) < 200_000   # small on disk
    monkeypatch.setattr(zipfile.ZipExtFile, "read", lambda *a, **k: pytest.fail("the bomb was unpacked"))
    table = tabular.read_table(bomb, "名簿.xlsx")
    assert [e.key for e in table.errors] == ["tabular.zip_bomb"] and table.errors[0].line == 0
    assert not table.records and table.from_xlsx
    # under the total limit, but compressed a thousand times: refused as well
    monkeypatch.setattr(tabular, "MAX_RATIO", 250)
    small = tabular.read_table(_bomb_xlsx(10 * 1024 * 1024), "名簿.xlsx")
    assert [e.key for e in small.errors] == ["tabular.zip_bomb"]
    assert small.errors[0].params["ratio"] > tabular.MAX_RATIO


@pytest.mark.parametrize("parts, key", [
    ({f"xl/media/{n}.bin": b"" for n in range(tabular.MAX_ENTRIES + 1)}, "tabular.zip_too_many_entries"),
    ({"../../etc/cron.d/x": b"x"}, "tabular.zip_bad_path"),
    ({"/etc/passwd": b"x"}, "tabular.zip_bad_path"),
    ({"C:/Windows/x.xml": b"x"}, "tabular.zip_bad_path"),
    ({"/".join(["d"] * 12) + "/x.xml": b"x"}, "tabular.zip_bad_path"),
])
def test_an_xlsx_with_a_strange_inside_is_refused_with_a_reason(parts, key):
    table = tabular.read_table(_zip(parts), "roster.xlsx")
    assert [e.key for e in table.errors] == [key]
    assert table.errors[0].as_text()   # reported like every other file error: "file, -: ..."


def test_a_real_workbook_still_reads_after_the_zip_check():
    from openpyxl import Workbook

    book = Workbook()
    for n in range(3000):
        book.active.append(["田中 花子" if n else "氏名", "＝1+1", n])
    out = io.BytesIO()
    book.save(out)
    table = tabular.read_table(out.getvalue(), "roster.xlsx")
    assert not table.errors and len(table.records) == 2999
    assert table.records[0].cells["氏名"] == "田中 花子"
