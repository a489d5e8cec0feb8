"""The backup downloaded from /admin leaves the server only as an AES-256 ZIP under the admin's passphrase, which
7-Zip opens; `restore` takes it (asking for the passphrase, or reading it from --passphrase-file) and refuses a
wrong passphrase in a sentence, changing nothing."""
from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import zipfile
from datetime import datetime

import pytest
import pyzipper

from coordsupervise.__main__ import main
from coordsupervise.errors import InvalidInput
from coordsupervise.i18n import translate
from coordsupervise.office import backup
from coordsupervise.store.db import Database
from tests.conftest import actor_of

PASSPHRASE = "梅の花 and 12 more characters"
NOW = datetime(2026, 12, 7, 9, 30)
EN = lambda key, **p: translate("en", key, **p)  # noqa: E731


@pytest.fixture
def downloaded(demo_db, tmp_path):
    """The backup of the small demo as /admin hands it out, saved as a browser saves it."""
    data = backup.backup_bytes(demo_db, actor_of(demo_db, "demo-admin"), PASSPHRASE, NOW)
    path = tmp_path / backup.download_name(NOW)
    path.write_bytes(data)
    return path


def users_of(path) -> list[tuple]:
    db = Database(path)
    try:
        return db.rows("SELECT username, password_hash FROM app_user ORDER BY username")
    finally:
        db.close()


@pytest.mark.duckdb_only  # backups copy the DuckDB file; PostgreSQL's is a pg_dump inside the same ZIP
def test_the_download_is_an_aes_256_zip_with_nothing_readable_in_it(demo_db, downloaded, tmp_path):
    data = downloaded.read_bytes()
    assert downloaded.name == "coordsupervise-20261207-0930.duckdb.zip"
    (member,) = zipfile.ZipFile(io.BytesIO(data)).infolist()
    assert member.filename == "coordsupervise-20261207-0930.duckdb"
    assert member.flag_bits & 0x1 and member.compress_type == 99  # encrypted, WinZip AES
    assert re.search(rb"\x01\x99\x07\x00..AE\x03", member.extra, re.DOTALL)  # AES extra field, strength 3 = 256 bits
    hashes = [h for _, h in demo_db.rows("SELECT username, password_hash FROM app_user")]
    assert b"DUCK" not in data and b"demo-admin" not in data
    assert not any(h.encode() in data for h in hashes)  # no password hash in the clear
    with pyzipper.AESZipFile(downloaded) as archive:
        with pytest.raises(RuntimeError):
            archive.read(member.filename)  # no passphrase, nothing
    seven_zip = shutil.which("7z") or shutil.which("7zz")
    if seven_zip:  # what the admin is told to use (Debian: apt-get install 7zip)
        out = tmp_path / "7z"
        done = subprocess.run([seven_zip, "x", f"-p{PASSPHRASE}", f"-o{out}", str(downloaded)],  # noqa: S603
                              capture_output=True, text=True, env={**os.environ, "LC_ALL": "C.UTF-8"})
        assert done.returncode == 0, done.stdout + done.stderr
        assert users_of(out / member.filename) == users_of_live(demo_db)


def users_of_live(db) -> list[tuple]:
    return db.rows("SELECT username, password_hash FROM app_user ORDER BY username")


def test_no_backup_without_a_passphrase_of_twelve_characters(demo_db):
    admin = actor_of(demo_db, "demo-admin")
    audited = demo_db.value("SELECT count(*) FROM audit_log WHERE action = 'backup.download'")
    for weak in ("", "eleven char", None):
        with pytest.raises(InvalidInput) as refused:
            backup.backup_bytes(demo_db, admin, weak)
        assert refused.value.key == "downloads.passphrase_short"
        assert refused.value.params == {"minimum": 12}
    with pytest.raises(InvalidInput) as refused:
        backup.backup_bytes(demo_db, admin, "x" * (backup.PASSPHRASE_MAX_CHARS + 1))
    assert refused.value.key == "input.too_long"
    assert demo_db.value("SELECT count(*) FROM audit_log WHERE action = 'backup.download'") == audited


@pytest.mark.duckdb_only
def test_restore_from_the_download_with_a_passphrase_file_or_typed_when_asked(demo_db, downloaded, tmp_path,
                                                                              monkeypatch, capsys):
    monkeypatch.setenv("COORDSUPERVISE_LANG", "en")
    expected = users_of_live(demo_db)
    secret = tmp_path / "passphrase.txt"
    secret.write_text(PASSPHRASE + "\n", encoding="utf-8")
    from_file = tmp_path / "from-file" / "coordsupervise.duckdb"
    assert main(["restore", str(downloaded), "--passphrase-file", str(secret), "--db", str(from_file)]) == 0
    assert f"restored {downloaded} into {from_file}" in capsys.readouterr().out
    assert users_of(from_file) == expected
    assert list(from_file.parent.iterdir()) == [from_file]  # nothing unpacked is left beside it

    asked = []
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("getpass.getpass", lambda prompt: asked.append(prompt) or PASSPHRASE)
    typed = tmp_path / "typed" / "coordsupervise.duckdb"
    assert main(["--db", str(typed), "restore", str(downloaded)]) == 0
    assert asked == [EN("downloads.cli_passphrase_prompt", path=str(downloaded))]
    assert users_of(typed) == expected


@pytest.mark.duckdb_only
def test_a_wrong_or_missing_passphrase_is_refused_in_a_sentence_and_changes_nothing(demo_db, downloaded, tmp_path,
                                                                                   monkeypatch, capsys):
    monkeypatch.setenv("COORDSUPERVISE_LANG", "en")
    live = tmp_path / "live" / "coordsupervise.duckdb"
    live.parent.mkdir()
    Database(live).close()
    before = live.read_bytes()
    with pytest.raises(backup.WrongPassphrase):
        backup.restore(downloaded, live, NOW, "not the passphrase at all")
    wrong = tmp_path / "wrong.txt"
    wrong.write_text("not the passphrase at all\n", encoding="utf-8")
    assert main(["--db", str(live), "restore", str(downloaded), "--passphrase-file", str(wrong)]) == 2
    err = capsys.readouterr().err
    assert EN("cli.refused", reason=EN("downloads.cli_wrong_passphrase", path=str(downloaded))) in err
    assert "Traceback" not in err
    # nobody to ask (cron, a pipe) and no file: said, not a hang or a trace
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    assert main(["--db", str(live), "restore", str(downloaded)]) == 2
    err = capsys.readouterr().err
    assert EN("downloads.cli_passphrase_needed", path=str(downloaded)) in err and "Traceback" not in err
    assert main(["--db", str(live), "restore", str(downloaded), "--passphrase-file", str(tmp_path / "none")]) == 2
    assert "Traceback" not in capsys.readouterr().err
    assert sorted(p.name for p in live.parent.iterdir()) == ["coordsupervise.duckdb"]  # nothing set aside
    assert live.read_bytes() == before
