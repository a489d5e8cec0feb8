"""The `remind` command as cron runs it, in a real process: a run of 200 mails killed with SIGKILL in the middle
loses and duplicates nothing when the next run finishes it; --dry-run and --only; refusals without settings."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from coordsupervise.__main__ import main
from coordsupervise.programme.auth import insert_user
from coordsupervise.store.db import Database
from tests.conftest import wait_for

ROOT = Path(__file__).resolve().parents[3]
MANY = 200


def _env(smtp_url: str | None) -> dict:
    env = {**os.environ, "COORDSUPERVISE_MAIL_FROM": "office@example.jp",
           "COORDSUPERVISE_BASE_URL": "https://coordsupervise.example.jp", "COORDSUPERVISE_LANG": "en"}
    env.pop("COORDSUPERVISE_SMTP_URL", None)
    if smtp_url:
        env["COORDSUPERVISE_SMTP_URL"] = smtp_url
    return env


def _remind(path, smtp_url, *args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "coordsupervise", "remind", "--db", str(path), *args],
                            cwd=ROOT, env=_env(smtp_url), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _add_silent_trainees(path, count: int) -> set[str]:
    """`count` trainees in demo-trainee's cohort (in its practical stage) who never wrote: each is due a reminder."""
    db = Database(path)

    def add(tx):
        cohort_id = tx.value("SELECT e.cohort_id FROM enrolment e JOIN app_user u ON u.id = e.trainee_id "
                             "WHERE u.username = 'demo-trainee'")
        for n in range(count):
            user_id = insert_user(tx, f"quiet-{n:03d}", f"静か {n}", "x", ("trainee",),
                                  email=f"quiet-{n:03d}@example.jp")
            tx.execute("INSERT INTO enrolment (cohort_id, trainee_id) VALUES (?, ?)", [cohort_id, user_id])

    db.write(add)
    db.close()
    return {f"quiet-{n:03d}@example.jp" for n in range(count)}


@pytest.mark.duckdb_only
def test_a_run_killed_in_the_middle_is_finished_by_the_next_without_loss_or_duplicate(demo_target, smtp):
    addresses = _add_silent_trainees(demo_target, MANY)
    smtp.sink.delay = 0.005  # each mail takes a little while, so the kill lands in the middle of the sending
    first = _remind(demo_target, smtp.url, "--only", "trainee")
    assert wait_for(lambda: smtp.sink.count() >= MANY // 3, 120, 0.01), first.communicate()
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    at_kill = smtp.sink.count()
    assert 0 < at_kill < MANY
    second = _remind(demo_target, smtp.url, "--only", "trainee")
    out, err = second.communicate(timeout=300)
    assert second.returncode == 0, err
    received = Counter(r for rcpts, _m, _raw in smtp.sink.messages for r in rcpts)
    assert addresses <= set(received), f"lost: {sorted(addresses - set(received))[:5]}"
    twice = [a for a, n in received.items() if n > 1]
    assert len(twice) <= 1, f"more than the one mail in flight at the kill came twice: {twice}"
    for address in twice:  # the one in flight: sent again with the same Message-ID, and counted as uncertain
        assert len({m["message-id"] for m in smtp.sink.to(address)}) == 1
    db = Database(demo_target)
    try:
        assert db.value("SELECT count(*) FROM reminder_mail WHERE kind = 'trainee' AND status <> 'sent'") == 0
        # the mail claimed when the run died is counted as uncertain: it may or may not have been sent twice
        assert len(twice) <= db.value("SELECT sum(uncertain) FROM reminder_mail") <= 1
        assert db.value("SELECT count(*) FROM outbox WHERE kind = 'reflection_missing' AND subject LIKE "
                        "'enrolment:%'") >= MANY
    finally:
        db.close()
    third = _remind(demo_target, smtp.url, "--only", "trainee")
    third.communicate(timeout=120)
    assert smtp.sink.count() == sum(received.values())


@pytest.mark.duckdb_only
def test_the_command_dry_run_prints_who_and_sends_nothing(demo_target, smtp, capsys, monkeypatch):
    for name, value in _env(smtp.url).items():
        monkeypatch.setenv(name, value)
    assert main(["remind", "--dry-run", "--db", str(demo_target)]) == 0
    out = capsys.readouterr().out
    for username in ("demo-trainee", "demo-supervisor", "demo-manager"):
        assert f"{username} <{username}@example.jp>" in out
    assert "nothing was sent or recorded" in out and smtp.sink.count() == 0
    assert main(["remind", "--only", "supervisor", "--db", str(demo_target)]) == 0
    assert [r for rcpts, _m, _raw in smtp.sink.messages for r in rcpts] == ["demo-supervisor@example.jp"]
    assert "sent: 1" in capsys.readouterr().out


@pytest.mark.duckdb_only
def test_the_command_refuses_to_send_without_a_mail_server_or_with_a_wrong_one(demo_target, capsys, monkeypatch):
    for name, value in _env(None).items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(demo_target.parent)  # no .streamlit/secrets.toml here
    assert main(["remind", "--db", str(demo_target)]) == 2
    assert "COORDSUPERVISE_SMTP_URL" in capsys.readouterr().err
    monkeypatch.setenv("COORDSUPERVISE_SMTP_URL", "http://mail.example.jp")
    assert main(["remind", "--db", str(demo_target)]) == 2
    assert "smtp+starttls://" in capsys.readouterr().err
    assert Database(demo_target).value("SELECT count(*) FROM reminder_mail") == 0


def test_the_settings_come_from_the_secrets_file_when_the_environment_has_none(tmp_path):
    from coordsupervise.config import file_secrets, load_mail_settings

    (tmp_path / "secrets.toml").write_text('smtp_url = "smtps://u%40x:p%3Aw@mail.example.jp"\n'
                                           'mail_from = "office@example.jp"\nbase_url = "https://cs.example.jp/"\n')
    mail = load_mail_settings(env={}, secrets=file_secrets(tmp_path / "secrets.toml"))
    assert (mail.smtp_url, mail.mail_from, mail.base_url) == ("smtps://u%40x:p%3Aw@mail.example.jp",
                                                              "office@example.jp", "https://cs.example.jp")
    from coordsupervise.reminders.mailer import Connection

    connection = Connection(mail.smtp_url)
    assert (connection.host, connection.port, connection.user, connection.password) == (
        "mail.example.jp", 465, "u@x", "p:w")
    assert Connection("smtp+starttls://a:b@h").port == 587 and Connection("smtp://h").port == 25
    assert load_mail_settings(env={"COORDSUPERVISE_SMTP_URL": "smtp://env"},
                              secrets={"smtp_url": "smtp://file"}).smtp_url == "smtp://env"
