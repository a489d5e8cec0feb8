"""Issue 22 point 6: every free-text box has max_chars, the services refuse over-long text, broken XLSX files give a
normal import error."""
import ast
import io
import time
import zipfile
from pathlib import Path

import pytest

from coordsupervise.certification import certification
from coordsupervise.errors import InvalidInput
from coordsupervise.i18n import translate
from coordsupervise.office.tabular import read_table
from coordsupervise.practice import inbox, supervision
from coordsupervise.practice.inbox import InboxFilter
from coordsupervise.programme import auth, enrolments
from coordsupervise.scoring import scoring
from coordsupervise.text import limits
from tests.conftest import DEMO_TODAY, actor_of

ROOT = Path(__file__).resolve().parents[3]
TEXT_BOXES = {"text_input", "text_area", "chat_input"}


def _boxes_without_max_chars():
    missing = []
    for path in sorted([*(ROOT / "pages").rglob("*.py"), *(ROOT / "coordsupervise" / "ui").rglob("*.py"),
                        ROOT / "app.py"]):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in TEXT_BOXES:
                names = {k.arg for k in node.keywords}
                if "max_chars" not in names and None not in names:  # **kwargs: checked at its own call sites
                    missing.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return missing


def test_every_text_box_has_max_chars():
    assert _boxes_without_max_chars() == []


# -- the services refuse over-long text -----------------------------------------------------------------------------
def _too_long(call, limit):
    with pytest.raises(InvalidInput) as refused:
        call("あ" * (limit + 1))
    assert refused.value.key == "input.too_long" and refused.value.params["limit"] == limit
    for language in ("ja", "en"):
        assert str(limit) in translate(language, "input.too_long", **refused.value.params)


def test_a_score_change_reason_is_bounded(db):
    manager = db.write(auth.insert_user, "kimura", "木村 一郎", "x", ("manager", "supervisor"))
    actor = auth.load_login_user(db, "kimura").actor()
    assert manager == actor.id
    _too_long(lambda text: scoring.release(db, actor, 1, {}, {}, "", 0, reason=text), limits.REASON_LIMIT)


def test_threshold_decision_and_override_reasons_are_bounded(demo_db):
    manager = actor_of(demo_db, "demo-manager")
    trainee = actor_of(demo_db, "demo-trainee")
    enrolment = enrolments.current_for_trainee(demo_db, trainee)
    bar = certification.thresholds(demo_db, manager, enrolment.cohort_id)["reflection_rate_pct"]
    _too_long(lambda text: certification.update_thresholds(
        demo_db, manager, enrolment.cohort_id, {"reflection_rate_pct": bar - 5}, text), limits.REASON_LIMIT)
    _too_long(lambda text: certification.decide(demo_db, manager, enrolment.id, "deferred", text, DEMO_TODAY),
              limits.REASON_LIMIT)
    _too_long(lambda text: certification.decide(demo_db, manager, enrolment.id, "certified", "面談で確認した",
                                                DEMO_TODAY, override_reason=text), limits.REASON_LIMIT)
    certification.update_thresholds(demo_db, manager, enrolment.cohort_id, {"reflection_rate_pct": bar - 5},
                                    "あ" * limits.REASON_LIMIT)  # exactly the limit is fine


def test_flag_reasons_and_resolution_notes_are_bounded(demo_db):
    supervisor = actor_of(demo_db, "demo-supervisor")
    enrolment_id = inbox.caseload(demo_db, supervisor)[0]["enrolment_id"]
    _too_long(lambda text: supervision.raise_flag(demo_db, supervisor, enrolment_id, "high", text),
              limits.NOTE_LIMIT)
    flag_id = supervision.raise_flag(demo_db, supervisor, enrolment_id, "high", "提出が止まっている")
    _too_long(lambda text: supervision.resolve_flag(demo_db, supervisor, flag_id, text), limits.NOTE_LIMIT)


def test_a_huge_inbox_search_is_cut_and_quick(demo_db):
    """A 1,000,000-character query once ran for over 300 s: only its first QUERY_LIMIT characters are searched."""
    supervisor = actor_of(demo_db, "demo-supervisor")
    huge = "あい う" * 250_000
    started = time.perf_counter()
    inbox.page(demo_db, supervisor, InboxFilter(query=huge))
    inbox.caseload(demo_db, supervisor, huge)
    enrolments.directory(demo_db, supervisor, huge)
    assert time.perf_counter() - started < 10
    assert limits.bounded_query(huge) == huge[:limits.QUERY_LIMIT]


def test_day_off_and_caseload_reasons_keep_their_limit():
    from coordsupervise.practice import reflections
    from coordsupervise.programme import caseload

    assert caseload.REASON_MAX <= limits.REASON_LIMIT
    assert set(reflections.DAY_OFF_REASONS) == {"holiday", "training", "sick", "other"}  # a choice, not text


# -- XLSX files that cannot be read ---------------------------------------------------------------------------------
def _workbook() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["ユーザー名", "氏名"])
    for i in range(50):
        sheet.append([f"user{i}", f"名前{i}"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rebuilt(transform) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(_workbook()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            target.writestr(entry.filename, transform(entry.filename, source.read(entry.filename)))
    return out.getvalue()


LAUGHS = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' + b"".join(
    b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10)) + b"]>"


def _bomb(name: str, data: bytes) -> bytes:
    if name != "xl/worksheets/sheet1.xml":
        return data
    body = data.split(b"?>", 1)[-1].replace(
        b"<sheetData>", b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>', 1)
    return LAUGHS + body


@pytest.mark.parametrize("case", ["truncated file", "truncated sheet", "entity bomb", "broken workbook part"])
def test_an_unreadable_xlsx_is_a_normal_import_error(case):
    data = {
        "truncated file": lambda: _workbook()[: len(_workbook()) // 2],
        "truncated sheet": lambda: _rebuilt(lambda n, d: d[: len(d) // 2] if n == "xl/worksheets/sheet1.xml" else d),
        "entity bomb": lambda: _rebuilt(_bomb),
        "broken workbook part": lambda: _rebuilt(lambda n, d: b"<workbook" if n == "xl/workbook.xml" else d),
    }[case]()
    started = time.perf_counter()
    table = read_table(data, "名簿.xlsx")  # never raises
    assert time.perf_counter() - started < 5
    assert not table.records and len(table.errors) == 1
    error = table.errors[0]
    assert error.line == 1 and error.key in ("tabular.unreadable", "tabular.xlsx_unreadable")
    for language in ("ja", "en"):
        assert "{" not in translate(language, error.key, **error.params)


def test_the_entity_bomb_never_reaches_the_xml_parser(monkeypatch):
    import openpyxl

    opened = []
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: opened.append(1))
    error = read_table(_rebuilt(_bomb), "名簿.xlsx").errors[0]
    assert error.key == "tabular.xlsx_unreadable" and "DTD" in error.params["detail"] and not opened


def test_new_accounts_names_are_bounded(db):
    db.write(auth.insert_user, "root", "root", "x", ("admin",))
    admin = auth.load_login_user(db, "root").actor()
    _too_long(lambda text: auth.create_user(db, admin, "yamada", text, "正しい馬のバッテリー留め金", ("trainee",)),
              limits.NAME_LIMIT)
