"""The command line's door to reminders, run by cron or a systemd timer (README, "Reminders by mail"):

    python -m coordsupervise remind [--dry-run] [--only trainee|supervisor|manager] [--db PATH]

Plans every reminder and digest due now and sends what waits (outbox.py); several runs a day are safe, a run
killed in the middle is finished by the next. --dry-run prints what would go to whom and changes nothing. It acts as
the command line (the programme office). Mail settings: COORDSUPERVISE_SMTP_URL, COORDSUPERVISE_MAIL_FROM,
COORDSUPERVISE_BASE_URL, from the environment or .streamlit/secrets.toml (config.py).

Exit 0 when every mail went out (or nothing was due), 1 when the server refused some (they are retried by the next
run), 2 when refused before anything was done (settings missing or wrong)."""
from __future__ import annotations

import argparse
import sys

from ..access import COMMAND_LINE
from ..config import ConfigError, command_line_language, file_secrets, load_mail_settings
from ..errors import UserError
from ..i18n import translate
from ..store.engine import open_database
from .due import KINDS
from .outbox import remind


def add_parser(sub) -> None:
    remind_cmd = sub.add_parser("remind", help="send the reminders and digests due now by mail (cron or a systemd "
                                               "timer; several runs a day are safe)")
    remind_cmd.add_argument("--dry-run", action="store_true", help="print what would go to whom, send nothing")
    remind_cmd.add_argument("--only", choices=KINDS, help="only the mails of trainees, supervisors or managers")
    remind_cmd.add_argument("--db", default=argparse.SUPPRESS, help="database file or postgresql:// address "
                                                                    "(default: COORDSUPERVISE_DB)")


def run(args, db_path: str) -> int:
    language = command_line_language()

    def say(key, **params):
        return translate(language, key, **params)

    try:
        mail = load_mail_settings(secrets=file_secrets())
    except ConfigError as exc:
        print(say("cli.refused", reason=str(exc)), file=sys.stderr)
        return 2
    db = open_database(db_path)
    try:
        report = remind(db, COMMAND_LINE, mail, only=args.only, dry_run=args.dry_run)
    except UserError as exc:
        print(say("cli.refused", reason=say(exc.key, **exc.params)), file=sys.stderr)
        return 2
    finally:
        db.close()
    for planned in report.planned:
        print(f"{planned.username} <{planned.to_addr}> [{say('reminders.kind.' + planned.kind)}] {planned.subject} "
              f"({say('reminders.cli_items', count=planned.reminders)})")
    if args.dry_run:
        print(say("reminders.cli_dry_run", count=len(report.planned), waiting=report.waiting))
        return 0
    print(say("reminders.cli_done", planned=len(report.planned), sent=report.sent, failed=report.failed,
              waiting=report.waiting))
    return 1 if report.failed else 0
