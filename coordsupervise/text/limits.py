"""Upper bounds on free text that reaches a service (issue 22 point 6). Screens give every box a `max_chars`
(tests/unit/text/test_bounded_input.py checks that none lacks one); the services refuse longer text whoever sends it,
with the catalogue message `input.too_long`, and cut search queries to QUERY_LIMIT before they reach SQL or a match
loop (a million-character query once ran for five minutes)."""
from __future__ import annotations

from ..errors import InvalidInput

QUERY_LIMIT = 200      # search boxes: names, login IDs, a few words of a reflection
NAME_LIMIT = 100       # a person's name or reading, a cohort name (cohorts.py and people.py use the same)
EMAIL_LIMIT = 254      # RFC 5321's longest forward path
REASON_LIMIT = 2000    # why a released score, a threshold or a certification decision changed; an override
NOTE_LIMIT = 4000      # flags, their resolution, private notes (supervision.NOTE_LIMIT)


def bounded_query(query: str | None) -> str:
    """A search query cut to QUERY_LIMIT characters (a search is not refused: it finds what the first 200 find)."""
    return (query or "")[:QUERY_LIMIT]


def check_length(text: str | None, limit: int) -> str:
    """`text` stripped, or InvalidInput("input.too_long") when it is longer than `limit` characters."""
    text = (text or "").strip()
    if len(text) > limit:
        raise InvalidInput("input.too_long", limit=limit, actual=len(text))
    return text
