"""Readings (よみ) of the kanji words in a text, so that a search typed in kana finds the word written in kanji
(ざいりゅう → 在留). Computed once when a text is submitted and stored in its search column beside the normalised
text; searching stays a plain LIKE.

SudachiPy with sudachidict-core was chosen by measurement over pykakasi: on a 1,200-character reflection it took
about 4 ms against 7 ms, starts in 0.2 s against 1.5 s, and reads compounds correctly (相談者 → そうだんしゃ, where
pykakasi gave そうだんもの)."""
from __future__ import annotations

import re
from functools import cache, lru_cache

from .textnorm import search_key

_KANJI = re.compile(r"[\u3400-\u9fff\uf900-\ufaff々〆ヵヶ]")


@cache
def _tokenizer():
    from sudachipy import Dictionary  # loaded on first use: the dictionary takes a moment to open

    return Dictionary(dict="core").create()


@lru_cache(maxsize=4096)
def reading(text: str) -> str:
    """The hiragana readings of the words of `text` that contain kanji, space-separated (folded like search_key).
    Words without kanji are left out: they are already searchable as written. Cached: template phrases and
    comment-bank texts recur."""
    if not text or not _KANJI.search(text):
        return ""
    from sudachipy import SplitMode

    words = _tokenizer().tokenize(text, SplitMode.C)
    return search_key(" ".join(w.reading_form() for w in words if _KANJI.search(w.surface())))


def searchable(*texts: str) -> str:
    """What the search column holds for submitted text (one or several fields): the normalised text, then the
    readings of its kanji words."""
    key = search_key(" ".join(texts))
    spoken = " ".join(r for r in (reading(text) for text in texts) if r)
    return f"{key} {spoken}" if spoken else key
