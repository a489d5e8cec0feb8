"""What changed between two versions of someone's text, shown as marked lines instead of a patch.

Each changed line starts with a badge that says in words whether it is the old line (「− 削除」) or the new one
(「+ 追加」), so colour is never the only cue; inside a rewritten line the characters that changed have a red (old)
or green (new) background. Everything is Streamlit's own Markdown (badges and coloured backgrounds); the text is
the writer's, so every run of it goes through usertext.literal and nothing in it is read as Markdown, a link or
HTML (the app never hands what people typed to `st.html` or `unsafe_allow_html`). Lines wrap at any width, so a
phone reads the changes without scrolling sideways."""
from __future__ import annotations

import streamlit as st

from ..text.textdiff import DiffLine
from ..text.usertext import literal
from .runtime import t

_STYLE = {"removed": ("red", "flow.diff.removed"), "added": ("green", "flow.diff.added")}


def changes_legend() -> None:
    """What the marks mean, once above the changes of one or more texts."""
    st.caption(t("flow.diff.legend"))


def text_changes(lines: list[DiffLine]) -> None:
    """The changed lines of one text with a line of context around each."""
    st.markdown(diff_markdown(lines))


def diff_markdown(lines: list[DiffLine]) -> str:
    """The diff as Markdown: one line of text per line of the diff (hard line breaks between them)."""
    return "  \n".join(_line(line) for line in lines)


def _line(line: DiffLine) -> str:
    if line.kind == "gap":
        return t("flow.diff.gap")
    if line.kind == "same":
        return _runs(line.parts, None) or "&nbsp;"
    colour, mark = _STYLE[line.kind]
    text = _runs(line.parts, colour) or t("flow.diff.blank_line")
    return f":{colour}-badge[{t(mark)}] {text}"


def _runs(parts: tuple[tuple[str, bool], ...], colour: str | None) -> str:
    """The runs of one line, each escaped; a changed run on a coloured background. Spaces around a run stay outside
    its brackets (and are dropped at the line's start, where Markdown would read indentation)."""
    out = []
    for index, (text, changed) in enumerate(parts):
        core = text.strip()
        if not core:
            out.append("" if index == 0 else " ")
            continue
        lead = " " if index and text[0].isspace() else ""
        trail = " " if text[-1].isspace() else ""
        escaped = literal(core)
        out.append(lead + (f":{colour}-background[:{colour}[{escaped}]]" if changed and colour else escaped) + trail)
    return "".join(out).rstrip()
