"""Message catalogues: Japanese (default) and English. Every string a person reads comes from here.

The catalogues are flat JSON files `ja.json` and `en.json` beside this module; a test fails when a key exists in
one and not the other, or when their {placeholders} differ."""
from __future__ import annotations

import json
from functools import cache
from importlib import resources

LANGUAGES = ("ja", "en")
DEFAULT_LANGUAGE = "ja"


@cache
def catalogue(language: str) -> dict[str, str]:
    text = resources.files(__package__).joinpath(f"{language}.json").read_text(encoding="utf-8")
    return json.loads(text)


def translate(language: str, key: str, **params) -> str:
    """The message for `key` in `language`; a missing key shows as the key itself (and fails the catalogue test)."""
    lang = language if language in LANGUAGES else DEFAULT_LANGUAGE
    message = catalogue(lang).get(key) or catalogue(DEFAULT_LANGUAGE).get(key) or key
    return message.format(**params) if params else message
