"""The command line's cohort set-up: the same services as /setup's 「コホートを作成」 and its calendar, acting as the
command line (no account: the audit rows name it and the system user who ran it).

    python -m coordsupervise cohort create CODE --online-start YYYY-MM-DD [--copy-from CODE]
                                          [--name-ja 名称] [--name-en NAME] [--cutoff-days 1] [--db PATH]
    python -m coordsupervise cohort move CODE --practical-start YYYY-MM-DD [--dry-run] [--db PATH]

`create` lays the stages on working days from the programme's stage lengths (cohorts.proposed_calendar, as /setup
proposes them), copies the assignments, rubrics and pass marks from CODE or the programme's defaults, and prints the
calendar with every assignment's due date. `move` starts the practical stage on another day, moves every later
stage and every assignment's due date by as many days, prints old and new, and saves unless --dry-run.
"""
from __future__ import annotations

import argparse
import getpass
import sys
import unicodedata
from dataclasses import replace
from datetime import date

from .access import COMMAND_LINE, Actor
from .cli_text import refused, say
from .config import command_line_language
from .errors import UserError
from .office import imports
from .programme import cohorts
from .store.db import Database
from .store.engine import open_database


def add_parser(sub) -> None:
    """`cohort create` and `cohort move`, each accepting --db after its own arguments too."""
    cohort = sub.add_parser("cohort", help="create a cohort or move its calendar, as /setup does")
    actions = cohort.add_subparsers(dest="cohort_command", required=True)
    create = actions.add_parser("create", help="create a cohort: stages on working days from the online start, "
                                               "assignments and rubrics copied; prints its calendar")
    create.add_argument("code", help="the new cohort's code, e.g. 2027-A-004")
    create.add_argument("--online-start", required=True, help="first day of the online stage (YYYY-MM-DD)")
    create.add_argument("--copy-from", help="copy assignments, rubrics and pass marks from this cohort "
                                            "(default: the programme's own set)")
    create.add_argument("--name-ja", help="名称(日本語; default: the code)")
    create.add_argument("--name-en", help="name in English (default: the code)")
    create.add_argument("--cutoff-days", type=int, default=1,
                        help="a reflection for day D is on time until D + this many days, 23:59 JST (default 1)")
    move = actions.add_parser("move", help="start the practical stage on another day; later stages and the "
                                           "assignments' due dates move with it")
    move.add_argument("code")
    move.add_argument("--practical-start", required=True, help="new first day of the practical stage (YYYY-MM-DD)")
    move.add_argument("--dry-run", action="store_true", help="print what would change, change nothing")
    for action in (create, move):
        action.add_argument("--db", default=argparse.SUPPRESS, help="database file or postgresql:// address "
                                                                    "(default: COORDSUPERVISE_DB)")


def run(args, db_path: str) -> int:
    """Exit 0 when done, 2 when refused (the reason printed in the person's language)."""
    day_text = args.online_start if args.cohort_command == "create" else args.practical_start
    try:
        day = date.fromisoformat(day_text)
    except ValueError:
        print(say("cli.bad_date", value=day_text), file=sys.stderr)
        return 2
    db = open_database(db_path)
    try:
        if args.cohort_command == "create":
            return _create(db, args, day)
        return _move(db, args, day)
    except UserError as exc:
        print(refused(exc), file=sys.stderr)
        return 2
    finally:
        db.close()


def _actor() -> Actor:
    """The command line, named with the system user who ran it (the audit row's reason)."""
    try:
        who = getpass.getuser()
    except (OSError, KeyError):
        who = "?"
    return replace(COMMAND_LINE, display_name=f"{COMMAND_LINE.display_name} ({who})")


def _create(db: Database, args, online_start: date) -> int:
    if not db.value("SELECT count(*) FROM programme"):
        print(say("cli.no_programme"), file=sys.stderr)
        return 2
    actor = _actor()
    source = imports.cohort_by_code(db, actor, args.copy_from) if args.copy_from else None
    _say_if_moved(db, online_start)
    setup = cohorts.CohortSetup(args.code.strip(), args.name_ja or args.code.strip(), args.name_en or args.code.strip(),
                                cohorts.proposed_calendar(db, online_start), args.cutoff_days)
    cohort_id = cohorts.create_cohort(db, actor, setup, copy_from=source["id"] if source else None)
    assignments = cohorts.assignment_list(db, actor, cohort_id)
    print(say("cli.created", code=setup.code, count=len(assignments),
              source=source["code"] if source else say("setup.copy_defaults")))
    print(say("cli.calendar"))
    width = max(_width(say(f"stage.{s}")) for s in cohorts.STAGE_ORDER)
    for stage in cohorts.STAGE_ORDER:
        print(f"  {_pad(say(f'stage.{stage}'), width)}  {_span(setup.calendar[stage])}")
    print(say("cli.assignments"))
    ja = command_line_language() == "ja"
    width = max((_width(f"{a['code']} {a['title_ja'] if ja else a['title_en']}") for a in assignments), default=0)
    for a in assignments:
        print(f"  {_pad(a['code'] + ' ' + (a['title_ja'] if ja else a['title_en']), width)}  {_day(a['due_on'])}")
    return 0


def _move(db: Database, args, practical_start: date) -> int:
    actor = _actor()
    cohort = imports.cohort_by_code(db, actor, args.code)
    current = cohorts.setup_of(db, actor, cohort["id"])
    _say_if_moved(db, practical_start)
    calendar = cohorts.moved_calendar(db, current.calendar, "practical", practical_start)
    if calendar == current.calendar:
        print(say("cli.nothing_moves"))
        return 0
    edited = replace(current, calendar=calendar)
    cohorts.check_setup(edited)
    moves = cohorts.due_date_moves(db, actor, cohort["id"], calendar)
    print(say("cli.calendar_change"))
    width = max(_width(say(f"stage.{s}")) for s in cohorts.STAGE_ORDER)
    for stage in cohorts.STAGE_ORDER:
        old, new = current.calendar[stage], calendar[stage]
        print(f"  {_pad(say(f'stage.{stage}'), width)}  {_span(old)}" + (f"  →  {_span(new)}" if new != old else ""))
    if moves:
        print(say("cli.due_change"))
        ja = command_line_language() == "ja"
        width = max(_width(f"{m['code']} {m['title_ja'] if ja else m['title_en']}") for m in moves)
        for m in moves:
            title = f"{m['code']} {m['title_ja'] if ja else m['title_en']}"
            print(f"  {_pad(title, width)}  {_day(m['old_due'])}  →  {_day(m['new_due'])}")
    if args.dry_run:
        print(say("cli.dry_run"))
        return 0
    cohorts.update_cohort(db, actor, cohort["id"], edited)
    print(say("setup.saved_moved", code=current.code, count=len(moves)) if moves
          else say("setup.saved", code=current.code))
    return 0


def _say_if_moved(db: Database, day: date) -> None:
    """A stage asked to start on a day off starts on the next working day: say so, naming the day off."""
    found, name = cohorts.working_day_from(db, day)
    if found != day:
        off = (name[0] if command_line_language() == "ja" else name[1]) if name else say("cli.weekend")
        print(say("cli.day_off_moved", day=_day(day), name=off, to=_day(found)))


def _day(day: date) -> str:
    return f"{day.isoformat()} ({say(f'weekday.{day.weekday()}')})"


def _span(span: tuple[date, date]) -> str:
    start, end = span
    dash = "〜" if command_line_language() == "ja" else "–"
    return _day(start) if start == end else f"{_day(start)} {dash} {_day(end)}"


def _width(text: str) -> int:
    """Columns a terminal gives `text`: a full-width (Japanese) character takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
