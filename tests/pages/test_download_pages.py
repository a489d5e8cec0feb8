"""Downloads that do not outlive their reason, through AppTest: /admin offers the backup only as an encrypted ZIP
under a passphrase typed twice (none, a mismatch or a short one: a message and no download button), once; the
one-time passwords of a roster import are downloadable once, and are gone from the screen and the session after
that download or when the screen is left."""
import io

import pyzipper

from coordsupervise.i18n import translate
from coordsupervise.ui import state
from coordsupervise.ui.runtime import database
from tests.pages.test_admin_pages import oldest_cohort, roster, texts

JA = lambda key, **p: translate("ja", key, **p)  # noqa: E731
PASSPHRASE = "事務局の金庫 2026-12"


def prepare_backup(at, first: str, again: str):
    if not at.toggle(key="admin_backup_start").value:
        at.toggle(key="admin_backup_start").set_value(True).run()
    at.text_input(key="admin_backup_passphrase").input(first)
    at.text_input(key="admin_backup_passphrase_again").input(again)
    return at.button(key="admin_backup_prepare").click().run()


def test_no_backup_download_without_a_passphrase_typed_twice(app):
    at = app("demo-admin", script="pages/admin.py").run()
    assert not at.exception and not at.download_button
    assert JA("downloads.backup_how_to_open") in [i.value for i in at.info]
    # no password field until asked for
    assert not [box for box in at.text_input if (box.key or "").startswith("admin_backup")]
    at.toggle(key="admin_backup_start").set_value(True).run()
    assert all(box.max_chars for box in at.text_input)
    at.button(key="admin_backup_prepare").click().run()  # nothing typed
    assert [e.value for e in at.error] == [JA("downloads.passphrase_required")] and not at.download_button
    prepare_backup(at, PASSPHRASE, PASSPHRASE + "x")
    assert [e.value for e in at.error] == [JA("downloads.passphrase_mismatch")] and not at.download_button
    prepare_backup(at, "短すぎる", "短すぎる")
    assert [e.value for e in at.error] == [JA("downloads.passphrase_short", minimum=12)] and not at.download_button
    assert state.ADMIN_BACKUP not in at.session_state
    assert database().value("SELECT count(*) FROM audit_log WHERE action = 'backup.download'") == 0


def test_the_backup_is_an_encrypted_zip_offered_once(app):
    at = prepare_backup(app("demo-admin", script="pages/admin.py").run(), PASSPHRASE, PASSPHRASE)
    assert not at.exception and not at.error
    (button,) = at.download_button
    assert JA("downloads.backup_ready") in texts(at)
    name, data = at.session_state[state.ADMIN_BACKUP]
    assert name.endswith(".duckdb.zip") or name.endswith(".dump.zip")
    with pyzipper.AESZipFile(io.BytesIO(data)) as archive:
        archive.setpassword(PASSPHRASE.encode())
        (member,) = archive.infolist()
        assert member.flag_bits & 0x1 and name.startswith(member.filename)
        assert archive.read(member)  # the passphrase typed opens it
    button.click().run()
    assert not at.exception and not at.download_button
    assert JA("downloads.backup_taken") in texts(at)
    assert state.ADMIN_BACKUP not in at.session_state  # nothing left to serve


def import_two(at, cohort) -> None:
    """Commit a roster of two new trainees into `cohort` on /imports (already open in `at`)."""
    at.selectbox(key="imports_cohort_roster").set_value(cohort["code"]).run()
    good = roster([["dl.one", "頁 一子", "supervisor-01"], ["dl.two", "頁 二子", "supervisor-01"]])
    at.file_uploader(key="imports_roster_file_0").set_value(("名簿.csv", good, "text/csv")).run()
    at.button(key="imports_roster_commit").click().run()
    assert not at.exception
    assert JA("import.passwords_title", count=2) in texts(at)


def test_the_one_time_passwords_csv_is_downloaded_once_then_gone(app):
    cohort = oldest_cohort()
    at = app("demo-admin", script="pages/imports.py").run()
    import_two(at, cohort)
    assert JA("downloads.passwords_once") in [c.value for c in at.caption]
    at.download_button(key="imports_passwords_download").click().run()
    assert not at.exception
    assert "imports_passwords_download" not in _download_keys(at)
    assert JA("import.passwords_title", count=2) not in texts(at)  # the list is gone from the screen
    assert JA("downloads.passwords_taken", count=2, cohort=cohort["code"]) in texts(at)
    assert state.IMPORT_PASSWORDS not in at.session_state  # and from the session
    at.run()
    assert "imports_passwords_download" not in _download_keys(at)


def test_the_one_time_passwords_are_gone_once_the_screen_is_left(app):
    cohort = oldest_cohort()
    at = app("demo-admin").run()
    at.switch_page("pages/imports.py").run()
    import_two(at, cohort)
    assert "imports_passwords_download" in _download_keys(at)
    at.switch_page("pages/admin.py").run()
    assert not at.exception and state.IMPORT_PASSWORDS not in at.session_state
    at.switch_page("pages/imports.py").run()
    assert "imports_passwords_download" not in _download_keys(at)
    assert JA("import.passwords_title", count=2) not in texts(at)


def _download_keys(at) -> list[str]:
    return [button.key for button in at.download_button]
