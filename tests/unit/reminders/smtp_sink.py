"""A real SMTP server for the tests (aiosmtpd, on a free port of 127.0.0.1, in a thread of the test process): it
keeps every message it accepted, and can be told to refuse (550) or to take its time."""
from __future__ import annotations

import email
import socket
import threading
import time
from email import policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Sink:
    """aiosmtpd's handler: every accepted message, parsed, with the envelope's recipients."""

    def __init__(self):
        self.messages: list[tuple[list[str], EmailMessage, bytes]] = []
        self.refuse = False
        self.delay = 0.0
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        if self.refuse:
            return "550 5.7.1 refused by the test server"
        if self.delay:
            time.sleep(self.delay)  # the run waits for the answer, as for a slow server
        raw = envelope.content if isinstance(envelope.content, bytes) else envelope.content.encode()
        with self._lock:
            self.messages.append((list(envelope.rcpt_tos), email.message_from_bytes(raw, policy=policy.default), raw))
        return "250 OK"

    def count(self) -> int:
        with self._lock:
            return len(self.messages)

    def to(self, address: str) -> list[EmailMessage]:
        with self._lock:
            return [m for rcpts, m, _ in self.messages if address in rcpts]


class SmtpServer:
    def __init__(self):
        self.sink = Sink()
        self.port = free_port()
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def __enter__(self) -> SmtpServer:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()
