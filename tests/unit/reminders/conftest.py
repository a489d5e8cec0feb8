import pytest

from tests.unit.reminders.smtp_sink import SmtpServer


@pytest.fixture
def smtp():
    """A real SMTP server on a free port for this test."""
    with SmtpServer() as server:
        yield server
