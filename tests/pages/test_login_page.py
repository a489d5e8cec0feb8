"""The login page through AppTest: wrong passwords, throttling, success, demo accounts shown in demo mode."""
from coordsupervise.i18n import translate

JA = lambda key, **p: translate("ja", key, **p)  # noqa: E731


def attempt(at, username, password):
    boxes = {t.label: t for t in at.text_input}
    boxes[JA("login.username")].input(username)
    boxes[JA("login.password")].input(password)
    at.button[0].click().run()
    return at


def test_demo_accounts_are_listed_in_demo_mode(app):
    at = app(None).run()
    assert JA("login.demo_title") in " ".join(m.value for m in at.markdown)


def test_wrong_password_then_throttle_then_wait(app):
    at = app(None).run()
    for _ in range(5):
        attempt(at, "demo-admin", "wrong-password-123")
        assert not at.exception
    assert JA("login.failed") in [e.value for e in at.error]
    attempt(at, "demo-admin", "coordsupervise-demo")  # even the right password waits now
    assert any(JA("login.throttled", minutes=15)[:10] in e.value for e in at.error)
    assert at.session_state["authentication_status"] is not True


def test_successful_login_opens_the_start_page(app):
    at = app(None).run()
    attempt(at, "Demo-Manager", "coordsupervise-demo")  # usernames are case-insensitive
    assert not at.exception
    at.run()  # in a browser the cookie component asks for this rerun
    assert at.title[0].value == JA("nav.cohorts")  # a manager starts on the cohorts overview


def test_language_picked_on_the_login_page_is_kept_for_the_account(app):
    from coordsupervise.programme import auth
    from coordsupervise.ui.runtime import database

    at = app(None).run()
    at.radio(key="login_language").set_value("en").run()
    boxes = {t.label: t for t in at.text_input}
    boxes["Username"].input("demo-supervisor")
    boxes["Password"].input("coordsupervise-demo")
    at.button[0].click().run()
    at.run()  # the cookie component's rerun
    try:
        assert not at.exception
        assert at.title[0].value == translate("en", "nav.inbox")
        assert auth.load_login_user(database(), "demo-supervisor").language == "en"
    finally:
        person = auth.load_login_user(database(), "demo-supervisor").actor()
        auth.set_language(database(), person, "ja")  # the page tests share one database


def test_an_address_opened_with_an_english_accounts_cookie_shows_the_login_page_in_english(app, page_db, monkeypatch):
    """Until the cookie component's rerun logs the person in, the login page shows: in their language, not a
    flash of Japanese."""
    from datetime import timedelta

    from coordsupervise.clock import real_now_utc
    from coordsupervise.programme import auth
    from coordsupervise.store.engine import open_database
    from coordsupervise.ui import login

    db = open_database(page_db)
    auth.set_language(db, auth.load_login_user(db, "demo-manager").actor(), "en")
    db.close()
    monkeypatch.setattr(login, "_cookie", lambda: ("demo-manager", real_now_utc() - timedelta(minutes=1)))
    at = app(None).run()
    assert not at.exception
    assert at.title[0].value == login.keep_words(translate("en", "firsthour.login_title"))
    assert translate("en", "login.username") in [box.label for box in at.text_input]
