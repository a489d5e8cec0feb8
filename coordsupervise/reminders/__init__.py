"""Reminders and digests by mail: what is due for whom (due.py), each person's choices (subscriptions.py), the mail
in the person's language (compose.py), the SMTP conversation (mailer.py), the exactly-once outbox (outbox.py) and the
`remind` command (command.py). Design: docs/reminders.md."""
