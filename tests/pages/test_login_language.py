"""The login page's language choice: nothing is ticked until the person picks, and any pick (even the language the
page already shows) wins over the account's stored language and is kept for the account; no pick leaves the
account's language."""
import pytest

from coordsupervise.i18n import translate
from coordsupervise.programme import auth
from coordsupervise.ui.runtime import database


def _log_in(at, username, language):
    boxes = {box.label: box for box in at.text_input}
    boxes[translate(language, "login.username")].input(username)
    boxes[translate(language, "login.password")].input("coordsupervise-demo")
    at.button[0].click().run()
    assert not at.exception
    at.run()  # the cookie component's rerun
    return at


def test_the_language_choice_starts_unticked(app):
    at = app(None).run()
    assert not at.exception
    assert at.radio(key="login_language").value is None
    assert at.title[0].value.replace("\u2060", "") == translate("ja", "firsthour.login_title")  # shown in Japanese


@pytest.mark.parametrize(("stored", "picked"), [("en", "ja"), ("ja", "en"), ("ja", "ja")])
def test_a_language_picked_on_the_login_page_wins_and_is_kept_for_the_account(app, stored, picked):
    db = database()
    auth.set_language(db, auth.load_login_user(db, "demo-supervisor").actor(), stored)
    at = app(None).run()
    at.radio(key="login_language").set_value(picked).run()
    assert not at.exception
    assert at.radio(key="login_language").value == picked  # the pick stays ticked
    _log_in(at, "demo-supervisor", picked)
    assert at.title[0].value == translate(picked, "nav.inbox")
    assert auth.load_login_user(database(), "demo-supervisor").language == picked
    assert not [x for x in at.toast if x.value == translate(
        picked, "polish.language_from_account", name=translate(picked, f"polish.language.{picked}"))]
    at.run()  # and on every later run of the session
    assert at.title[0].value == translate(picked, "nav.inbox")


def test_an_english_account_that_picks_japanese_on_a_japanese_login_page_gets_japanese(app):
    """The reported case: the page opens in Japanese, 日本語 is clicked, the account is English."""
    db = database()
    auth.set_language(db, auth.load_login_user(db, "demo-manager").actor(), "en")
    at = app(None).run()
    at.radio(key="login_language").set_value("ja").run()
    _log_in(at, "demo-manager", "ja")
    assert at.title[0].value == translate("ja", "nav.cohorts")
    assert auth.load_login_user(database(), "demo-manager").language == "ja"


def test_without_a_pick_the_accounts_language_is_used_and_kept(app):
    db = database()
    auth.set_language(db, auth.load_login_user(db, "demo-supervisor").actor(), "en")
    at = app(None).run()
    _log_in(at, "demo-supervisor", "ja")
    assert at.title[0].value == translate("en", "nav.inbox")
    assert auth.load_login_user(database(), "demo-supervisor").language == "en"
