"""Normalisation of Japanese text for search: the same key for full-width and half-width forms (NFKC), for
katakana and hiragana, and for upper and lower case. Stored beside the text so SQL can match with LIKE. And names
without the controls that would let them pass for another (strip_bidi)."""
from __future__ import annotations

import unicodedata

_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(ord("ァ"), ord("ヶ") + 1)}
# LRE, RLE, PDF, LRO, RLO and the isolates LRI, RLI, FSI, PDI: they reorder what follows on screen
# (「\u202efdp.exe」 reads 「exe.pdf」), so a name or an organisation could pass for another
BIDI_CONTROLS = "".join(map(chr, [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]))
_NO_BIDI = str.maketrans("", "", BIDI_CONTROLS)


def strip_bidi(text: str | None) -> str:
    """`text` without the bidirectional-override and isolate controls (U+202A–202E, U+2066–2069): for names,
    organisations and imported cells on their way in, and for what was stored before, on its way out."""
    return (text or "").translate(_NO_BIDI)


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

