"""The SMTP conversation, through the standard library only: a message as email.message.EmailMessage (UTF-8 text
and an HTML alternative; the subject RFC 2047-encoded on the way out by the SMTP policy), and one connection per
run, opened from the settings' address:

    smtp://host[:25]                         plain (a relay on the same machine or network)
    smtp+starttls://user:password@host:587   submission with STARTTLS, then login
    smtps://user:password@host[:465]         TLS from the first byte, then login

User and password may be percent-encoded in the address (a password with @ or : in it)."""
from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import unquote, urlsplit

TIMEOUT_SECONDS = 30
DEFAULT_PORTS = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}


def message_id(sender: str) -> str:
    """A new Message-ID in the sender's domain; it is stored with the mail, so a resent mail keeps it."""
    return make_msgid(domain=sender.rpartition("@")[2] or "localhost")


def build_message(sender: str, to_addr: str, subject: str, text: str, html: str, msg_id: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = to_addr
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = msg_id
    message["Auto-Submitted"] = "auto-generated"   # RFC 3834: no vacation replies to a reminder
    message.set_content(text, charset="utf-8")
    message.add_alternative(html, subtype="html", charset="utf-8")
    return message


class Connection:
    """One SMTP session for many messages, opened on first use and again after the server hung up."""

    def __init__(self, url: str):
        parts = urlsplit(url)
        self.scheme = parts.scheme.lower()
        if self.scheme not in DEFAULT_PORTS:
            raise ValueError("the mail server address must start with smtp://, smtp+starttls:// or smtps://")
        self.host = parts.hostname or "localhost"
        self.port = parts.port or DEFAULT_PORTS[self.scheme]
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self._smtp: smtplib.SMTP | None = None

    def _open(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        if self.scheme == "smtps":
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=TIMEOUT_SECONDS, context=context)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=TIMEOUT_SECONDS)
            if self.scheme == "smtp+starttls":
                smtp.starttls(context=context)
        if self.user:
            smtp.login(self.user, self.password or "")
        return smtp

    def send(self, message: EmailMessage) -> None:
        """Hand one message to the server; returns once the server accepted it for every recipient, raises an
        smtplib.SMTPException or OSError otherwise."""
        if self._smtp is None:
            self._smtp = self._open()
        try:
            refused = self._smtp.send_message(message)
        except smtplib.SMTPServerDisconnected:
            self.close()
            raise
        if refused:
            raise smtplib.SMTPRecipientsRefused(refused)

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
