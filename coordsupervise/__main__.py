"""Command line: demo data; a real deployment's first admin, programme and cohorts; imports, backups and restore.

    python -m coordsupervise demo [--cohorts 3] [--trainees 12] [--seed 7] [--db PATH] [--replace]
    python -m coordsupervise create-admin USERNAME "表示名" [--db PATH]      (asks for the password twice)
    python -m coordsupervise programme init [--curriculum FILE]     (the curriculum into an empty database; default:
                                                                      the shipped
                                                                      coordsupervise/programme/curricula/frsc.toml)
    python -m coordsupervise programme export FILE [--overwrite]    (the programme in force, in the same format)
    python -m coordsupervise import roster FILE [--cohort CODE] [--dry-run] [--passwords OUT.csv] [--as ADMIN]
    python -m coordsupervise import quiz FILE [--cohort CODE] [--dry-run] [--as ADMIN]
    python -m coordsupervise backup DEST.duckdb [--db PATH]
    python -m coordsupervise restore BACKUP.duckdb|BACKUP.zip [--passphrase-file FILE] [--db PATH]
                                     (a .zip downloaded from /admin asks for its passphrase)
    python -m coordsupervise cohort create CODE --online-start DATE [--copy-from CODE] [--name-ja ..] [--name-en ..]
    python -m coordsupervise cohort move CODE --practical-start DATE [--dry-run]    (see cli_cohort.py)
    python -m coordsupervise samples [--out data] [--db PATH]       (sample import files for the newest cohort)
    python -m coordsupervise remind [--dry-run] [--only trainee|supervisor|manager]   (reminders by mail; see
                                                                      reminders/command.py)
    python -m coordsupervise bench [--db PATH] [--repeat 5] [--parts queries,pages,cpu,browser,sessions,processes,
                                   guard,writes]
                                   [--sessions 50,100] [--session-seconds 120] [--out FILE]
    python -m coordsupervise bench --parts processes --pg postgresql://… [--sessions 100,200] [--processes 3]
                                   (1 vs N app processes behind nginx; see bench/processes.py)
    python -m coordsupervise retention [--apply] [--today YYYY-MM-DD] [--db PATH]
    (see coordsupervise/privacy/retention.py)
    python -m coordsupervise migrate --from data/coordsupervise.duckdb --to postgresql://USER@HOST:PORT/DBNAME
                                     (copy everything into an empty PostgreSQL database; see transfer.py)
    python -m coordsupervise serve --processes 3 [--port 8500] [--first-app-port 8701] [--db postgresql://…]
                                     (N app processes behind nginx, on PostgreSQL; see serve.py)

The database file may not be open in a running app while these run (DuckDB allows one process per file); a
command that finds it held says so and what to do, in COORDSUPERVISE_LANG or LANG's language (en... or Japanese).
"""
from __future__ import annotations

import argparse
import getpass
import os
import sys
import time
from pathlib import Path

import duckdb

from . import cli_cohort, cli_programme, cli_text, clock
from .config import DEFAULT_DB, command_line_language
from .demo.build import build_demo
from .errors import InvalidInput, UserError
from .i18n import translate
from .office import backup, samples
from .programme.auth import (
    hash_password,
    insert_user,
    load_login_user,
    login_id_problem,
    normalize_username,
    password_problems,
)
from .reminders import command as reminders_command
from .store.db import is_postgres
from .store.engine import open_database


def main(argv: list[str] | None = None) -> int:
    """Run one command. The one place the command line meets a DuckDB file another process holds (the running
    app): it says so in the person's language instead of a traceback."""
    try:
        return _main(argv)
    except duckdb.IOException as exc:
        held = cli_text.database_held(exc)
        if held is None:
            raise
        print(held, file=sys.stderr)
        return 2


def _accept_db_after_command(sub) -> None:
    """`restore BACKUP --db PATH`, as --help shows it: every command also takes --db after its own arguments."""
    for command in sub.choices.values():
        try:
            command.add_argument("--db", default=argparse.SUPPRESS,
                                 help="database file (default: COORDSUPERVISE_DB or data/coordsupervise.duckdb)")
        except argparse.ArgumentError:
            pass  # the command defines its own


def _main(argv: list[str] | None) -> int:
    parser = argparse.ArgumentParser(prog="python -m coordsupervise", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", help="database file (default: COORDSUPERVISE_DB or data/coordsupervise.duckdb)")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="build a demo programme into an empty database")
    demo.add_argument("--cohorts", type=int, default=3)
    demo.add_argument("--trainees", type=int, default=12, help="trainees per cohort")
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--replace", action="store_true", help="delete an existing database file first")
    demo.add_argument("--samples", default="data", help="where to write the sample import files for the newest "
                                                        "cohort (default: data)")
    admin = sub.add_parser("create-admin", help="create the first admin of a real deployment")
    admin.add_argument("username")
    admin.add_argument("display_name")
    backup_cmd = sub.add_parser("backup", help="write a consistent snapshot to a new file (app stopped)")
    backup_cmd.add_argument("destination")
    restore = sub.add_parser("restore", help="replace the database with a backup (app stopped; the old file is kept): "
                                             "a snapshot file, or the encrypted .zip downloaded from /admin")
    restore.add_argument("backup")
    restore.add_argument("--passphrase-file", help="an encrypted .zip's passphrase, the first line of this file "
                                                   "(default: asked for)")
    samples_cmd = sub.add_parser("samples", help="write sample roster and quiz files for the newest cohort")
    samples_cmd.add_argument("--out", default="data")
    imp = sub.add_parser("import", help="import a roster or quiz results (CSV or XLSX); exit 1 when a row is rejected")
    imp.add_argument("kind", choices=("roster", "quiz"))
    imp.add_argument("file")
    imp.add_argument("--cohort", help="cohort code (default: the cohort this kind of file belongs to today: a "
                                      "roster the next or current online stage, quiz results the online stage now)")
    imp.add_argument("--dry-run", action="store_true", help="print the preview, change nothing")
    imp.add_argument("--as", dest="admin", help="the admin recorded in the audit log (default: the first admin)")
    imp.add_argument("--language", choices=("ja", "en"), default=command_line_language(),
                     help="language of the messages (default: COORDSUPERVISE_LANG or LANG, en... or Japanese)")
    imp.add_argument("--passwords", help="write the one-time passwords of new accounts to this CSV (roster)")
    bench = sub.add_parser("bench", help="speed at scale as ratios: queries ÷ naive, every page ÷ an empty one, "
                                         "in the browser, writes (see coordsupervise/bench/run.py)")
    bench.add_argument("--repeat", type=int, default=5)
    bench.add_argument("--parts", default="queries,pages,cpu,browser,sessions,processes,guard,writes",
                       help="comma-separated, in run order (processes: also give --pg)")
    bench.add_argument("--sessions", help="counts of sessions clicking at once, one period each (default: 50,100 "
                                          "for sessions, 100,200 for processes)")
    bench.add_argument("--pg", help="processes: a postgresql:// database holding the same data as --db")
    bench.add_argument("--processes", type=int, default=3, help="processes: app processes to compare with one")
    bench.add_argument("--session-seconds", type=float, default=120.0, help="length of each period of clicking")
    bench.add_argument("--writes", type=int, default=30, help="writes of each kind timed one at a time")
    bench.add_argument("--threads", type=int, default=200, help="writes started at once")
    bench.add_argument("--browser-repeat", type=int, default=3)
    bench.add_argument("--out", help="also write the table (Markdown) to this file")
    retention = sub.add_parser("retention", help="list the cohorts whose free text is past its retention; "
                                                 "--apply replaces that text with a marker")
    retention.add_argument("--apply", action="store_true", help="clear it (one transaction, audited)")
    retention.add_argument("--today", help="the day to judge by (default: today in Asia/Tokyo)")
    move = sub.add_parser("migrate", help="copy a DuckDB database into an empty PostgreSQL one and compare both "
                                          "(row counts and a checksum per table; exit 1 on any difference)")
    move.add_argument("--from", dest="source", help="the DuckDB file (default: --db / COORDSUPERVISE_DB)")
    move.add_argument("--to", dest="target", required=True, help="postgresql://user:password@host:port/dbname")
    serve_cmd = sub.add_parser("serve", help="several app processes behind nginx (sticky sessions, websockets, "
                                             "health checks); needs PostgreSQL")
    serve_cmd.add_argument("--processes", type=int, default=3)
    serve_cmd.add_argument("--port", type=int, default=8500, help="where nginx listens")
    serve_cmd.add_argument("--first-app-port", type=int, default=8701, help="app processes listen on this and up")
    serve_cmd.add_argument("--run-folder", default="data/serve", help="nginx.conf, its pid, logs and temp files")
    cli_programme.add_parser(sub)
    cli_cohort.add_parser(sub)
    reminders_command.add_parser(sub)
    _accept_db_after_command(sub)
    args = parser.parse_args(argv)
    db_path = args.db or os.environ.get("COORDSUPERVISE_DB") or DEFAULT_DB

    if args.command == "migrate":
        return _migrate(args.source or db_path, args.target)
    if args.command == "programme":
        return cli_programme.run(args, db_path)
    if args.command == "cohort":
        return cli_cohort.run(args, db_path)
    if args.command == "remind":
        return reminders_command.run(args, db_path)
    if args.command == "serve":
        from .serve import serve

        if not is_postgres(db_path) or args.processes < 1:
            print("serve needs a postgresql:// database (--db or COORDSUPERVISE_DB): DuckDB lets one process open "
                  "its file; and at least one process", file=sys.stderr)
            return 2
        open_database(db_path).close()  # migrate once here, before the processes start
        return serve(db_path, args.processes, args.port, args.first_app_port, Path(args.run_folder))
    if args.command == "demo":
        if args.replace:
            for suffix in ("", ".wal"):
                Path(db_path + suffix).unlink(missing_ok=True)
        db = open_database(db_path)
        started = time.perf_counter()
        summary = build_demo(db, cohorts=args.cohorts, trainees_per_cohort=args.trainees, seed=args.seed)
        newest = samples.write_for_newest(db, args.samples)
        db.close()
        print(f"built {summary.cohorts} cohorts, {summary.trainees} trainees, {summary.reflections} reflections "
              f"into {db_path} in {time.perf_counter() - started:.1f} s")
        if newest:
            print(f"sample import files for cohort {newest[0]}: " + ", ".join(str(p) for p in newest[1]))
    elif args.command == "create-admin":
        return _create_admin(db_path, args.username, args.display_name)
    elif args.command == "bench":
        from .bench.run import run, table

        db = open_database(db_path)
        result = run(db, args.repeat, tuple(args.parts.split(",")), args.writes, args.threads,
                     args.browser_repeat, tuple(int(n) for n in args.sessions.split(",")) if args.sessions else None,
                     args.session_seconds, args.pg, args.processes)
        db.close()
        text = table(result)
        print(text)
        if args.out:
            Path(args.out).write_text(text, encoding="utf-8")
    elif args.command == "retention":
        return _retention(db_path, args.apply, args.today)
    elif args.command == "backup":
        db = open_database(db_path)
        try:
            backup.snapshot(db, args.destination)
        except backup.BackupError as exc:
            print(f"refused: {exc}", file=sys.stderr)
            return 2
        except UserError as exc:  # on PostgreSQL: pg_dump missing or failed
            print(cli_text.refused(exc), file=sys.stderr)
            return 2
        finally:
            db.close()
        print(f"wrote a snapshot of {db_path} to {args.destination}")
    elif args.command == "restore":
        if is_postgres(db_path):
            print("refused: on PostgreSQL, load a backup (pg_dump's file; from a .zip downloaded on /admin, first "
                  "7z x FILE.zip) into an empty database with "
                  f"pg_restore --no-owner --dbname URL {args.backup}, then point COORDSUPERVISE_DB at it",
                  file=sys.stderr)
            return 2
        try:
            passphrase = _backup_passphrase(args.backup, args.passphrase_file)
            kept = backup.restore(args.backup, db_path, clock.now_jst().replace(tzinfo=None), passphrase)
        except backup.PassphraseNeeded:
            print(cli_text.say("cli.refused", reason=cli_text.say("downloads.cli_passphrase_needed", path=args.backup)),
                  file=sys.stderr)
            return 2
        except backup.WrongPassphrase:
            print(cli_text.say("cli.refused", reason=cli_text.say("downloads.cli_wrong_passphrase", path=args.backup)),
                  file=sys.stderr)
            return 2
        except OSError as exc:  # the passphrase file
            print(cli_text.say("cli.refused", reason=cli_text.say(
                "downloads.cli_passphrase_file", path=args.passphrase_file, problem=exc.strerror or str(exc))),
                file=sys.stderr)
            return 2
        except backup.BackupError as exc:
            print(f"refused: {exc}", file=sys.stderr)
            return 2
        print(f"restored {args.backup} into {db_path}" + (f"; the previous file is kept as {kept}" if kept else ""))
    elif args.command == "import":
        return _import(args, db_path)
    elif args.command == "samples":
        db = open_database(db_path)
        newest = samples.write_for_newest(db, args.out)
        db.close()
        if newest is None:
            print("refused: no cohort in the database", file=sys.stderr)
            return 2
        for path in newest[1]:
            print(f"wrote {path} (for cohort {newest[0]})")
    return 0


def _backup_passphrase(path: str, passphrase_file: str | None) -> str | None:
    """The passphrase of an encrypted backup (the first line of `passphrase_file`, or asked for without echo);
    None for a plain snapshot, which needs none."""
    if not backup.is_zip(path) or not backup.needs_passphrase(path):
        return None
    if passphrase_file:
        lines = Path(passphrase_file).read_text(encoding="utf-8").splitlines()
        return lines[0] if lines else ""
    if not sys.stdin.isatty():  # nobody to ask (cron, a pipe): --passphrase-file
        raise backup.PassphraseNeeded(path)
    try:
        return getpass.getpass(cli_text.say("downloads.cli_passphrase_prompt", path=path))
    except EOFError as exc:
        raise backup.PassphraseNeeded(path) from exc


def _create_admin(db_path: str, username: str, display_name: str) -> int:
    """The first admin of a real deployment; a login ID or password the screens would refuse is refused here too,
    with the screens' sentence."""
    problem = login_id_problem(username)
    if problem is not None:
        print(cli_text.refused(problem), file=sys.stderr)
        return 2
    password = getpass.getpass(cli_text.say("cli.password_prompt"))
    if getpass.getpass(cli_text.say("cli.password_again")) != password:
        print(cli_text.say("cli.refused", reason=cli_text.say("cli.password_mismatch")), file=sys.stderr)
        return 2
    problems = password_problems(password)
    if problems:
        for problem in problems:
            print(cli_text.refused(problem), file=sys.stderr)
        return 2
    db = open_database(db_path)
    try:
        if load_login_user(db, username) is not None:
            print(cli_text.refused(InvalidInput("user.username_taken", username=normalize_username(username))),
                  file=sys.stderr)
            return 2
        db.write(insert_user, username, display_name, hash_password(password), ("admin",))
    finally:
        db.close()
    print(cli_text.say("cli.admin_created", username=normalize_username(username), path=db_path))
    return 0


def _import(args, db_path: str) -> int:
    """Preview (and unless --dry-run, commit) one file; every rejected row printed; exit 1 when any is rejected."""
    import pandas as pd

    from .office import imports
    from .office.exports import csv_bytes

    def say(key, **params):
        return translate(args.language, key, **params)

    data = Path(args.file).read_bytes()
    db = open_database(db_path)
    try:
        admin_name = args.admin or db.value(
            "SELECT u.username FROM app_user u JOIN user_role r ON r.user_id = u.id AND r.role = 'admin' "
            "WHERE u.active ORDER BY u.id LIMIT 1")
        user = load_login_user(db, admin_name or "")
        if user is None or "admin" not in user.roles:
            key = "cli.no_such_admin" if args.admin else "cli.no_admin_yet"
            print(say("cli.refused", reason=say(key, username=args.admin or "")), file=sys.stderr)
            return 2
        actor = user.actor()
        try:
            cohort = imports.cohort_for_import(db, actor, args.cohort, args.kind, clock.today())
            print(say("import.cli_cohort", code=cohort["code"]))
            preview_fn = imports.preview_roster if args.kind == "roster" else imports.preview_quiz
            preview = preview_fn(db, actor, data, Path(args.file).name, cohort["id"])
        except UserError as exc:
            print(say(exc.key, **exc.params), file=sys.stderr)
            return 2
        for row in preview.rows:
            shown = ", ".join(f"{k}={v}" for k, v in row.values.items()
                              if k in ("username", "name", "module", "score", "attempt", "taken_on", "changes"))
            print(f"{row.line:>5} {say('import.action.' + row.action):<8} {shown}")
        for error in preview.errors:
            print(error.as_text(lambda key, **params: say(key, **params)), file=sys.stderr)
        print(" ".join(f"{say('import.action.' + a)}={n}" for a, n in preview.counts.items()))
        if preview.errors:
            print(say("tabular.rejected", count=len(preview.errors)), file=sys.stderr)
            return 1
        if args.dry_run:
            return 0
        commit_fn = imports.commit_roster if args.kind == "roster" else imports.commit_quiz
        try:
            result = commit_fn(db, actor, data, Path(args.file).name, cohort["id"])
        except UserError as exc:
            print(say(exc.key, **exc.params), file=sys.stderr)
            return 1
        print(say("import.committed", **{a: n for a, n in result.counts.items()}))
        if result.passwords:
            rows = imports.one_time_passwords_rows(result, args.language)
            target = Path(args.passwords or f"one-time-passwords-{cohort['code']}.csv")
            target.write_bytes(csv_bytes(pd.DataFrame(rows[1:], columns=rows[0])))
            target.chmod(0o600)
            print(say("cli.passwords_written", count=len(result.passwords), path=str(target)))
        return 0
    finally:
        db.close()


def _retention(db_path: str, apply: bool, today_text: str | None) -> int:
    from datetime import date

    from . import clock
    from .privacy import retention

    today = date.fromisoformat(today_text) if today_text else clock.today()
    db = open_database(db_path)
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


def _migrate(source_path: str, target_url: str) -> int:
    from .store.db import is_postgres
    from .store.transfer import TransferRefused, copy_database

    if not is_postgres(target_url):
        print("--to must be a postgresql:// address", file=sys.stderr)
        return 2
    if is_postgres(source_path) or not Path(source_path).exists():
        print(f"--from must be an existing DuckDB file: {source_path}", file=sys.stderr)
        return 2
    source, target = open_database(source_path), open_database(target_url)
    try:
        checks = copy_database(source, target)
    except TransferRefused as exc:
        print(f"not copied: {exc}", file=sys.stderr)
        return 1
    finally:
        source.close()
        target.close()
    width = max(len(c.table) for c in checks)
    for c in checks:
        print(f"{c.table:<{width}}  rows {c.source_rows:>8} → {c.target_rows:<8}  checksum "
              f"{c.source_checksum[:12]} → {c.target_checksum[:12]}  {'ok' if c.ok else 'DIFFERENT'}")
    different = [c.table for c in checks if not c.ok]
    if different:
        print(f"{len(different)} table(s) differ: {', '.join(different)}", file=sys.stderr)
        return 1
    print(f"all {len(checks)} tables copied; row counts and checksums match")
    return 0


if __name__ == "__main__":
    sys.exit(main())
