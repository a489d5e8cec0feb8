"""Normalisation of Japanese text for search: the same key for full-width and half-width forms (NFKC), for
katakana and hiragana, and for upper and lower case. Stored beside the text so SQL can match with LIKE."""
from __future__ import annotations

import unicodedata

_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(ord("ァ"), ord("ヶ") + 1)}


def search_key(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text or "").lower()
    return folded.translate(_KATAKANA_TO_HIRAGANA)


def name_key(text: str) -> str:
    """A person's name as search compares it: search_key without any spaces, so 「いけだめぐみ」, 「いけだ めぐみ」 and
    「イケダ　メグミ」 are one key (and 「池田恵」 matches 「池田 恵」)."""
    return "".join(search_key(text).split())


def name_matches(query: str, *names: str | None) -> bool:
    """Whether `query` (kanji or kana, with or without the space) is found in any of the person's name forms."""
    needle = name_key(query)
    return bool(needle) and any(needle in name_key(name or "") for name in names)

