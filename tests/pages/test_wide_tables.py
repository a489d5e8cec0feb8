"""Wide tables keep what matters in view: the column that names a row is pinned at a width Streamlit keeps pinned
on a 390-px phone, and the columns a decision rests on sit right after it at set widths, so they end inside the
table's width on a 1280-px screen (no sideways scrolling to reach them). Checked through each table's column
settings as the browser receives them, in both languages where the labels differ in length."""
import csv
import io
import json

import pytest

from coordsupervise.i18n import translate
from coordsupervise.programme import auth
from coordsupervise.ui import tables
from coordsupervise.ui.runtime import database

NAMED_WIDTHS = {"small": 75, "medium": 200, "large": 400}  # Streamlit's named column widths, in px


def _set_language(username, language):
    db = database()
    auth.set_language(db, auth.load_login_user(db, username).actor(), language)


def _layout(frame, *, picker: bool) -> tuple[list[str], dict, dict]:
    """(columns in display order, their settings, the right edge in px of each column whose left neighbours all
    have a set width)."""
    settings = json.loads(frame.proto.columns)
    columns = list(frame.value.columns)
    edges, x = {}, tables.ROW_PICKER_WIDTH if picker else 0
    for column in columns:
        width = settings.get(column, {}).get("width")
        width = NAMED_WIDTHS.get(width, width)
        if not isinstance(width, int):
            break
        x += width
        edges[column] = x
    return columns, settings, edges


def _check(frame, name: str, key_columns: list[str], *, picker: bool = False) -> None:
    columns, settings, edges = _layout(frame, picker=picker)
    pinned = [c for c in columns if settings.get(c, {}).get("pinned")]
    assert pinned == [name] and columns[0] == name, (pinned, columns)
    # wider, Streamlit would let the pinned column scroll away on a phone
    assert edges[name] - (tables.ROW_PICKER_WIDTH if picker else 0) <= tables.PIN_SHARE * tables.PHONE_TABLE_WIDTH
    for column in key_columns:
        assert column in edges, f"{column} comes after a column of unknown width: {columns}"
        assert edges[column] <= tables.DESK_TABLE_WIDTH, (column, edges)


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_certification_board_pins_the_trainee_and_shows_decision_and_number(app, language):
    _set_language("demo-manager", language)
    at = app("demo-manager", script="pages/certification.py").run()
    assert not at.exception
    board = next(d for d in at.dataframe if d.key == "certification_board")
    t = lambda key: translate(language, key)  # noqa: E731
    _check(board, t("certification.col_trainee"),
           [t("certification.col_decision"), t("certification.col_certificate")], picker=True)


@pytest.mark.parametrize("language", ["ja", "en"])
def test_the_cohorts_table_pins_the_code_and_shows_at_risk_and_certification_rate(app, language):
    _set_language("demo-manager", language)
    at = app("demo-manager", script="pages/cohorts.py").run()
    assert not at.exception
    table = next(d for d in at.dataframe if "at_risk" in d.value.columns)
    _check(table, "code", ["name", "stage", "at_risk", "certified"])


def test_the_caseload_table_pins_the_trainee_and_shows_the_supervisors(app):
    at = app("demo-admin", script="pages/setup.py").run()
    assert not at.exception
    table = next(d for d in at.dataframe if (d.key or "").startswith("setup_caseload_table_"))
    _check(table, "display_name", ["supervisors"], picker=True)


def test_the_register_pins_the_name_and_shows_number_validity_and_date(app):
    at = app("demo-manager", script="pages/register.py").run()
    assert not at.exception
    ja = lambda key: translate("ja", key)  # noqa: E731
    _check(at.dataframe[0], ja("register.col_name"),
           [ja("register.col_number"), ja("register.col_status"), ja("register.col_valid_until")])


def test_the_roster_preview_pins_the_name_and_shows_action_line_and_changes(app):
    at = app("demo-admin", script="pages/imports.py").run()
    out = io.StringIO()
    csv.writer(out).writerows([["ログインID", "氏名", "メールアドレス", "所属機関", "地域"],
                               ["wide.one", "幅 一郎", "wide.one@example.jp", "横浜市国際交流協会 相談窓口", "関東"]])
    at.file_uploader(key="imports_roster_file_0").set_value(("名簿.csv", out.getvalue().encode("cp932"),
                                                             "text/csv")).run()
    assert not at.exception
    ja = lambda key: translate("ja", key)  # noqa: E731
    preview = next(d for d in at.dataframe if ja("import.col_action") in d.value.columns)
    _check(preview, ja("import.col_name"), [ja("import.col_action"), ja("import.col_line")])
    assert list(preview.value.columns)[3] == ja("import.col_changes")  # what the import changes, next
