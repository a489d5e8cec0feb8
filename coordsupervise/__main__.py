"""Command line: demo data, the first admin of a real deployment, backups.

    python -m coordsupervise demo [--cohorts 3] [--trainees 12] [--seed 7] [--db PATH] [--replace]
    python -m coordsupervise create-admin USERNAME "表示名" [--db PATH]      (asks for the password)
    python -m coordsupervise backup DEST.duckdb [--db PATH]
    python -m coordsupervise bench [--db PATH] [--repeat 5]                  (see coordsupervise/bench.py)
    python -m coordsupervise retention [--apply] [--today YYYY-MM-DD] [--db PATH]   (see coordsupervise/retention.py)

The database file may not be open in a running app while these run (DuckDB allows one process per file).
"""
from __future__ import annotations

import argparse
import getpass
import os
import shutil
import sys
import time
from pathlib import Path

from .auth import hash_password, insert_user, password_problems
from .config import DEFAULT_DB
from .db import Database
from .demo import build_demo


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m coordsupervise", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", help="database file (default: COORDSUPERVISE_DB or data/coordsupervise.duckdb)")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="build a demo programme into an empty database")
    demo.add_argument("--cohorts", type=int, default=3)
    demo.add_argument("--trainees", type=int, default=12, help="trainees per cohort")
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--replace", action="store_true", help="delete an existing database file first")
    admin = sub.add_parser("create-admin", help="create the first admin of a real deployment")
    admin.add_argument("username")
    admin.add_argument("display_name")
    backup = sub.add_parser("backup", help="copy the database to a file (app stopped)")
    backup.add_argument("destination")
    bench = sub.add_parser("bench", help="inbox at scale: ours vs a naive load-everything approach, as ratios")
    bench.add_argument("--repeat", type=int, default=5)
    retention = sub.add_parser("retention", help="list the cohorts whose free text is past its retention; "
                                                 "--apply replaces that text with a marker")
    retention.add_argument("--apply", action="store_true", help="clear it (one transaction, audited)")
    retention.add_argument("--today", help="the day to judge by (default: today in Asia/Tokyo)")
    args = parser.parse_args(argv)
    db_path = args.db or os.environ.get("COORDSUPERVISE_DB") or DEFAULT_DB

    if args.command == "demo":
        if args.replace:
            for suffix in ("", ".wal"):
                Path(db_path + suffix).unlink(missing_ok=True)
        db = Database(db_path)
        started = time.perf_counter()
        summary = build_demo(db, cohorts=args.cohorts, trainees_per_cohort=args.trainees, seed=args.seed)
        db.close()
        print(f"built {summary.cohorts} cohorts, {summary.trainees} trainees, {summary.reflections} reflections "
              f"into {db_path} in {time.perf_counter() - started:.1f} s")
    elif args.command == "create-admin":
        password = getpass.getpass("password (12+ characters): ")
        problems = password_problems(password)
        if problems:
            print(f"refused: {problems[0].key} {problems[0].params}", file=sys.stderr)
            return 2
        db = Database(db_path)
        db.write(insert_user, args.username, args.display_name, hash_password(password), ("admin",))
        db.close()
        print(f"admin {args.username} created in {db_path}")
    elif args.command == "bench":
        from .bench import run

        db = Database(db_path)
        result = run(db, args.repeat)
        db.close()
        print(f"{result['reflections']} reflections; busiest supervisor {result['supervisor']}")
        print(f"inbox (counts + first page + next unread) / naive pandas load-all: {result['ours_over_naive']:.3f}")
        print(f"inbox search / naive pandas load-all: {result['search_over_naive']:.3f}")
        for page, ratio in result.get("pages_over_empty", {}).items():
            print(f"page {page} / empty Streamlit page: {ratio:.1f}")
    elif args.command == "retention":
        return _retention(db_path, args.apply, args.today)
    elif args.command == "backup":
        db = Database(db_path)
        db.checkpoint()
        db.close()
        shutil.copy2(db_path, args.destination)
        print(f"copied {db_path} to {args.destination}")
    return 0


def _retention(db_path: str, apply: bool, today_text: str | None) -> int:
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    from . import retention

    today = date.fromisoformat(today_text) if today_text else datetime.now(ZoneInfo("Asia/Tokyo")).date()
    db = Database(db_path)
    try:
        cohorts = retention.due(db, retention.COMMAND_LINE, today)
        if not cohorts:
            print(f"{today}: no cohort is past its retention; nothing to clear")
            return 0
        for c in cohorts:
            print(f"{c['code']}  finished {c['finished_on']}  kept {c['years']} y  due {c['due_on']}  "
                  f"{c['reflections']} reflections, {c['messages']} messages, {c['notes']} notes")
        if not apply:
            print(f"{len(cohorts)} cohort(s) due. Nothing changed; run again with --apply to clear their text.")
            return 0
        retention.apply(db, retention.COMMAND_LINE, today)
        db.checkpoint()
        print(f"cleared the free text of {len(cohorts)} cohort(s); recorded in the audit log")
        return 0
    finally:
        db.close()


if __name__ == "__main__":
    sys.exit(main())
