"""Counts read as a person writes them: English says "1 comment" and "2 comments" (never "comment(s)"); Japanese
uses the same words for both."""
from coordsupervise.ui import runtime


def test_a_count_picks_its_singular_or_plural_message(monkeypatch):
    monkeypatch.setattr(runtime, "language", lambda: "en")
    assert [runtime.t_count("polish.comments", n) for n in (0, 1, 2)] == ["0 comments", "1 comment", "2 comments"]
    monkeypatch.setattr(runtime, "language", lambda: "ja")
    assert [runtime.t_count("polish.comments", n) for n in (1, 2)] == ["コメント1件", "コメント2件"]
