"""Clients' desk codes in a library case.

Inside one consultation desk a reflection names a client by an anonymous code (相談者コード K-798, the shape the
reflection template asks for): the desk's own records map the code back to the person. A library case is read by
every cohort and graduate, so the code goes: a case drawn from a reflection gets a neutral 「相談者A」 (English
"Client A") in its place, the same code the same letter everywhere in the case, and a case whose text still holds
one is refused at proposal and publication, as a guard finding is (the privacy guard itself lets codes through,
which is right for reflections).

A code is recognised after a word that says it is a client's: 相談者コード, 相談者番号, クライアントコード,
client code, consultee code (then a code of optional letters and digits: K-798, A12, C-0042, 798) or 相談者, client,
consultee (then letters and digits: K-798, A12). Full-width letters, digits, colons and hyphens count as their
half-width forms. A neutral name (相談者A, Client A) has no digits, so it is never taken for a code.
"""
from __future__ import annotations

import re
import unicodedata

KIND = "client_code"

_LETTER = "A-Za-zＡ-Ｚａ-ｚ"
_DIGIT = "0-9０-９"
_HYPHEN = "-‐‑‒–—−－ｰ"
_SPACE = " \t\u3000"
_CODE_WORD = (r"(?:相談者(?:コード|番号|No\.?|ＮＯ．?)|クライアントコード"
              r"|(?i:client|consultee)[ \t]*(?i:code|no\.?|number|#))")
_PERSON_WORD = r"(?:相談者|(?i:client|consultee)(?![A-Za-z]))"
_AFTER = rf"[{_SPACE}]*[:：#＃]?[{_SPACE}]*(?P<open>[(（「])?[{_SPACE}]*"
_CLOSE = r"(?(open)[)）」]?)"
_TAIL = rf"(?![{_LETTER}{_DIGIT}])"
PATTERN = re.compile(
    rf"(?P<word>{_CODE_WORD}){_AFTER}(?<![{_LETTER}])(?P<code>[{_LETTER}]{{0,3}}[{_HYPHEN}]?[{_DIGIT}]{{1,8}}){_TAIL}"
    rf"{_CLOSE}"
    rf"|(?P<word2>{_PERSON_WORD}){_AFTER.replace('open', 'open2')}(?<![{_LETTER}])"
    rf"(?P<code2>[{_LETTER}]{{1,3}}[{_HYPHEN}]?[{_DIGIT}]{{1,8}}){_TAIL}{_CLOSE.replace('open', 'open2')}")
_IN_USE = re.compile(rf"(?:相談者|Client)[{_SPACE}]?([A-Z])(?![{_LETTER}{_DIGIT}])")


def _key(code: str) -> str:
    """One client, however the code was typed: K-798, Ｋ－７９８ and k798 are the same."""
    folded = unicodedata.normalize("NFKC", code).upper()
    return re.sub(rf"[{_HYPHEN}]", "", folded)


def codes(text: str | None) -> list[str]:
    """The client codes in a text as written (each whole match: the word and the code), in order."""
    return [m.group(0).strip() for m in PATTERN.finditer(text or "")]


def _label(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def neutralise(texts: dict[str, str]) -> dict[str, str]:
    """The texts with every client code replaced by 相談者A, 相談者B … (Client A … after an English word), the same
    code the same letter across all the texts, skipping letters the texts already use for someone."""
    taken = {m.group(1) for value in texts.values() if value for m in _IN_USE.finditer(value)}
    letters: dict[str, str] = {}

    def letter_for(code: str) -> str:
        key = _key(code)
        if key not in letters:
            index = 0
            while _label(index) in taken or _label(index) in letters.values():
                index += 1
            letters[key] = _label(index)
        return letters[key]

    def swap(match: re.Match) -> str:
        word = match.group("word") or match.group("word2")
        code = match.group("code") or match.group("code2")
        english = word[:1].isascii()
        return f"Client {letter_for(code)}" if english else f"相談者{letter_for(code)}"

    return {name: PATTERN.sub(swap, value) if value else value for name, value in texts.items()}
