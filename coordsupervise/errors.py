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


class BeforeStage(UserError):
    """Something that belongs to a stage (workshop attendance, the certification test, a certification decision) is
    entered before the stage starts. Possible, but more often the wrong cohort or a mistyped date: the person is
    asked to confirm, and the confirmation goes into the audit log with the entry."""

    def __init__(self, stage: str, starts_on, day):
        super().__init__("stage.entered_before_start", stage=f"stage.{stage}", starts_on=starts_on.isoformat(),
                         day=day.isoformat())
        self.stage = stage
