"""Message catalogues: Japanese (default) and English. Every string a person reads comes from here.

Each language is a folder of flat JSON files (`ja/core.json`, `ja/scoring.json`, ...), one per area of the app, merged
into one catalogue; a key may live in one file only. A test fails when a key exists in one language and not the
other, when their {placeholders} differ, or when two files define the same key."""
from __future__ import annotations

import json
from functools import cache
from importlib import resources

LANGUAGES = ("ja", "en")
DEFAULT_LANGUAGE = "ja"


def catalogue_files(language: str) -> dict[str, dict[str, str]]:
    """The catalogue of `language`, file by file (file name -> messages)."""
    folder = resources.files(__package__).joinpath(language)
    return {entry.name: json.loads(entry.read_text(encoding="utf-8"))
            for entry in sorted(folder.iterdir(), key=lambda e: e.name) if entry.name.endswith(".json")}


@cache
def catalogue(language: str) -> dict[str, str]:
    merged: dict[str, str] = {}
    for messages in catalogue_files(language).values():
        merged.update(messages)
    return merged


def translate(language: str, key: str, **params) -> str:
    """The message for `key` in `language`; a missing key shows as the key itself (and fails the catalogue test).

    A message about a number of things is a pair, `key.one` and `key.other`, picked by the `count` parameter: English
    says "1 problem" and "2 problems" (never "problem(s)"); Japanese words both the same. Callers and services name
    the pair by `key` alone, as any other message."""
    lang = language if language in LANGUAGES else DEFAULT_LANGUAGE
    known = catalogue(DEFAULT_LANGUAGE)
    if "count" in params and key not in known and f"{key}.one" in known and f"{key}.other" in known:
        key = f"{key}.{'one' if params['count'] == 1 else 'other'}"
    message = catalogue(lang).get(key) or catalogue(DEFAULT_LANGUAGE).get(key) or key
    return message.format(**params) if params else message
