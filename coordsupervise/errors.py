"""Exceptions that services raise for the UI to show. Each carries a message-catalogue key, never English prose,
so the page can say it in the reader's language."""
from __future__ import annotations


class UserError(Exception):
    """Something the acting person can understand and fix; `key` names a catalogue message."""

    def __init__(self, key: str, **params):
        super().__init__(key)
        self.key = key
        self.params = params


class AccessDenied(UserError):
    """The acting user may not see or change this item. Pages show a refusal and no data."""

    def __init__(self, key: str = "error.access_denied", **params):
        super().__init__(key, **params)


class NotFound(UserError):
    def __init__(self, key: str = "error.not_found", **params):
        super().__init__(key, **params)


class StaleWrite(UserError):
    """Someone else changed the item since the user opened it; the user's text is kept as a draft."""

    def __init__(self, key: str = "error.stale_write", **params):
        super().__init__(key, **params)


class InvalidInput(UserError):
    pass
