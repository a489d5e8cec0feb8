"""Normalisation of Japanese text for search: the same key for full-width and half-width forms (NFKC), for
katakana and hiragana, and for upper and lower case. Stored beside the text so SQL can match with LIKE."""
from __future__ import annotations

import unicodedata

_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(ord("ァ"), ord("ヶ") + 1)}


def search_key(text: str) -> str:
    folded = unicodedata.normalize("NFKC", text or "").lower()
    return folded.translate(_KATAKANA_TO_HIRAGANA)
