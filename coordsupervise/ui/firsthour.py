"""Widgets of the daily screens that a new trainee or supervisor meets in their first hour: day pickers that wrap on
a phone, a rubric laid out per criterion, text shown as typed (never turned into a link)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date

import streamlit as st

from .runtime import language, t

MAX_DAYS_SHOWN = 10


def day_picker(label: str, days: list[tuple[date, str]], key: str, go_to: Callable[[date], None],
               describe: Callable[[date, str], str]) -> None:
    """Days to jump to, as chips that wrap on a narrow screen (buttons in columns overlap at 390 px). The first
    MAX_DAYS_SHOWN in the given order, then how many more there are."""
    if not days:
        return
    shown = days[:MAX_DAYS_SHOWN]
    kinds = dict(shown)

    def jump() -> None:
        picked = st.session_state.get(key)
        if picked is not None:
            go_to(picked)

    st.pills(label, [d for d, _ in shown], key=key, on_change=jump, format_func=lambda d: describe(d, kinds[d]))
    if len(days) > len(shown):
        st.caption(t("firsthour.more_days", count=len(days) - len(shown)))


def plain(text: str) -> str:
    """Markdown that shows `text` literally: as inline code, so an e-mail address or a URL is not made a link and
    no character is read as formatting."""
    text = (text or "").replace("\n", " ")
    fence = "`"
    while fence in text:
        fence += "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def rubric_view(criteria: list[dict], pass_level: int = 3) -> None:
    """A rubric readable on any screen: one bordered block per criterion, its four levels (4 → 1) side by side on
    a desktop and stacked on a phone, each level's name and descriptor wrapped in full (a badge is cut at its
    column's width), the pass level marked, and each criterion's weight when the weights are not all equal."""
    ja = language() == "ja"
    weighted = len({c.get("weight", 1) for c in criteria}) > 1
    for criterion in criteria:
        with st.container(border=True):
            head = f"**{criterion['competency']} {criterion['title_ja'] if ja else criterion['title_en']}**"
            if weighted:
                head += " · " + t("firsthour.rubric_weight", weight=f"{criterion['weight']:g}")
            st.markdown(head)
            levels = sorted(criterion["levels"], key=lambda level: -level[0])
            for column, (level, descriptor_ja, descriptor_en) in zip(st.columns(len(levels)), levels, strict=True):
                colour = "green" if level >= pass_level else "orange" if level == pass_level - 1 else "red"
                column.markdown(f":{colour}[**{level} {t(f'level.{level}')}**]" + (
                    f"  \n:green-badge[{t('firsthour.rubric_pass_level')}]" if level == pass_level else ""))
                column.text(descriptor_ja if ja else descriptor_en)


WORD_JOINER = "\u2060"


def keep_words(text: str) -> str:
    """A heading that wraps only at its spaces: browsers break Japanese between any two characters
    (「スーパ / ービジョン」), so a word joiner (U+2060, invisible) goes between the characters of each word."""
    return " ".join(WORD_JOINER.join(word) for word in text.split(" "))
