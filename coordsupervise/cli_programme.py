"""The command line's door to the curriculum (curriculum.py): load it into an empty database, or write the programme
in force back out as a file.

    python -m coordsupervise programme init [--curriculum FILE] [--db PATH]
    python -m coordsupervise programme export FILE [--overwrite] [--db PATH]

`init` reads and checks the whole file before it opens the database, so a file with a mistake (named with its line
and key) leaves no database behind; a database that already has a programme is refused and left as it is. `export`
writes the programme as it is now (edited rubrics at their newest version), in the format `init` reads: the start of
next fiscal year's deployment or of a second programme.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .cli_text import refused, say
from .config import command_line_language
from .errors import UserError
from .programme import curriculum
from .store.db import is_postgres
from .store.engine import open_database


def add_parser(sub) -> None:
    """`programme init` and `programme export`, each accepting --db after its own arguments too."""
    programme = sub.add_parser("programme", help="load the curriculum into an empty database, or export the "
                                                 "programme in force")
    actions = programme.add_subparsers(dest="programme_command", required=True)
    init = actions.add_parser("init", help="write the curriculum (competencies, modules, assignments, rubrics, "
                                           "certification criteria, stage lengths) into a database without one")
    init.add_argument("--curriculum", help="a curriculum TOML file (default: the shipped one, "
                                           "coordsupervise/programme/curricula/frsc.toml)")
    export = actions.add_parser("export", help="write the programme in force to a curriculum TOML file")
    export.add_argument("file")
    export.add_argument("--overwrite", action="store_true", help="replace FILE when it exists")
    for action in (init, export):
        action.add_argument("--db", default=argparse.SUPPRESS, help="database file or postgresql:// address "
                                                                    "(default: COORDSUPERVISE_DB)")


def run(args, db_path: str) -> int:
    """Exit 0 when done, 2 when refused (the reason printed in the person's language)."""
    if args.programme_command == "init":
        return _init(args.curriculum, db_path)
    return _export(Path(args.file), args.overwrite, db_path)


def _init(path: str | None, db_path: str) -> int:
    try:
        loaded = curriculum.load(path)
    except UserError as exc:
        print(refused(exc), file=sys.stderr)
        return 2
    db = open_database(db_path)
    try:
        curriculum.init_programme(db, loaded)
    except UserError as exc:
        print(refused(exc), file=sys.stderr)
        return 2
    finally:
        db.close()
    print(say("cli.programme_loaded", name=_name(loaded), code=loaded.programme.code, path=db_path))
    print("  " + _counts(loaded))
    print(say("cli.programme_next"))
    return 0


def _export(target: Path, overwrite: bool, db_path: str) -> int:
    if target.exists() and not overwrite:
        print(say("cli.export_exists", file=target), file=sys.stderr)
        return 2
    if not is_postgres(db_path) and not Path(db_path).exists():  # not made here just to say it is empty
        print(say("cli.no_programme"), file=sys.stderr)
        return 2
    db = open_database(db_path)
    try:
        if not curriculum.has_programme(db):
            print(say("cli.no_programme"), file=sys.stderr)
            return 2
        exported = curriculum.export_programme(db, target)
    except OSError as exc:
        print(say("cli.cannot_write", file=target, detail=exc.strerror or str(exc)), file=sys.stderr)
        return 2
    finally:
        db.close()
    print(say("cli.programme_exported", name=_name(exported), file=target))
    print("  " + _counts(exported))
    return 0


def _name(c: curriculum.Curriculum) -> str:
    return c.programme.name_ja if command_line_language() == "ja" else c.programme.name_en


def _counts(c: curriculum.Curriculum) -> str:
    return say("setup.first_run_counts", **curriculum.summary(c))
