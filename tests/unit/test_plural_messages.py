"""Counts read as a person writes them: English says "1 comment" and "2 comments" (never "comment(s)"); Japanese
uses the same words for both. A message about a number of things is a pair, key.one / key.other, picked by the
`count` parameter wherever the message is shown: on a screen, from a service's refusal, in an import report."""
import re

from coordsupervise.i18n import catalogue, translate
from coordsupervise.office.tabular import RowError
from coordsupervise.ui import runtime


def test_a_count_picks_its_singular_or_plural_message(monkeypatch):
    monkeypatch.setattr(runtime, "language", lambda: "en")
    assert [runtime.t("polish.comments", count=n) for n in (0, 1, 2)] == ["0 comments", "1 comment", "2 comments"]
    monkeypatch.setattr(runtime, "language", lambda: "ja")
    assert [runtime.t("polish.comments", count=n) for n in (1, 2)] == ["コメント1件", "コメント2件"]


def test_refusals_and_import_reports_read_in_the_right_number():
    assert translate("en", "tabular.rejected", count=1).startswith("1 problem prevents the import. Fix it ")
    assert translate("en", "tabular.rejected", count=3).startswith("3 problems prevent the import. Fix them ")
    assert translate("en", "reflection.required_all", count=1) == "1 required field is empty."
    assert translate("en", "redaction.done", count=2) == "Redacted in 2 places."
    assert translate("ja", "tabular.rejected", count=1).startswith("取り込めない箇所が 1 件あります。")
    error = RowError(5, "", "tabular.extra_cells", {"count": 1})
    assert translate("en", error.key, **error.params) == "1 value in a column without a header."


def test_no_english_message_hedges_its_number():
    hedged = sorted(key for key, message in catalogue("en").items() if re.search(r"\w\(s\)", message))
    assert hedged == []
