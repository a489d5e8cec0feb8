"""Stopping the server (SIGTERM, as a service manager does) checkpoints the database: the write-ahead log is folded
into the file and every committed write is in it."""
import signal
from pathlib import Path

from coordsupervise.store.db import Database

from .conftest import login


def test_sigterm_checkpoints_the_database(fresh_server, page):
    login(page, fresh_server.url, "demo-admin")  # a login writes (last_login_at, the throttle's count)
    db_path = Path(fresh_server.db_path)
    assert db_path.with_name(db_path.name + ".wal").exists()
    fresh_server.proc.send_signal(signal.SIGTERM)
    assert fresh_server.proc.wait(timeout=30) == 0
    assert not db_path.with_name(db_path.name + ".wal").exists()
    db = Database(db_path)
    try:
        assert db.value("SELECT last_login_at IS NOT NULL FROM app_user WHERE username = 'demo-admin'")
    finally:
        db.close()
