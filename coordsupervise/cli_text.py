"""What the command line prints, in the person's language (config.command_line_language): messages from the
catalogues, a service's refusal as a sentence (never its catalogue key), and what to do when the running app holds
the DuckDB file."""
from __future__ import annotations

import re

import duckdb

from .config import command_line_language
from .errors import UserError
from .i18n import catalogue, translate


def say(key: str, **params) -> str:
    return translate(command_line_language(), key, **params)


def reason(error: UserError) -> str:
    """A service's refusal as the sentence a screen shows: a parameter that is itself a catalogue key (a stage, a
    field) is translated too."""
    known = catalogue("ja")
    return say(error.key, **{k: say(v) if isinstance(v, str) and v in known else v for k, v in error.params.items()})


def refused(error: UserError) -> str:
    return say("cli.refused", reason=reason(error))


_LOCK = re.compile(r'Could not set lock on file "(?P<path>[^"]+)"(?:.*\(PID (?P<pid>\d+)\))?', re.DOTALL)


def database_held(error: duckdb.IOException) -> str | None:
    """When `error` says another process holds the file's lock (the app, most likely), what to do about it; None for
    any other I/O error, which stays an error with its own message."""
    found = _LOCK.search(str(error))
    if found is None:
        return None
    holder = say("cli.holder_pid", pid=found["pid"]) if found["pid"] else say("cli.holder_unknown")
    return say("cli.database_in_use", path=found["path"], holder=holder)
