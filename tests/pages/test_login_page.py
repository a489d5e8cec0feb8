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


def test_an_address_opened_with_a_valid_cookie_draws_its_page_in_the_first_run_in_the_accounts_language(
        app, page_db, monkeypatch):
    """A fresh load by a logged-in browser is logged in from the cookie it sent (st.context.cookies) in its first
    run: no login page first, no second run (the cookie component is not drawn), in the account's language."""
    from datetime import timedelta

    from coordsupervise.clock import real_now_utc
    from coordsupervise.programme import auth
    from coordsupervise.store.engine import open_database
    from coordsupervise.ui import login

    db = open_database(page_db)
    auth.set_language(db, auth.load_login_user(db, "demo-manager").actor(), "en")
    db.close()
    monkeypatch.setattr(login, "_cookie", lambda: ("demo-manager", real_now_utc() - timedelta(minutes=1)))
    try:
        at = app(None).run()
        assert not at.exception
        assert translate("en", "login.username") not in [box.label for box in at.text_input]
        assert at.title[0].value == translate("en", "nav.cohorts")
        assert at.session_state["authentication_status"] is True
    finally:
        db = open_database(page_db)
        auth.set_language(db, auth.load_login_user(db, "demo-manager").actor(), "ja")
        db.close()


def test_a_revoked_or_stale_cookie_shows_the_login_page(app, page_db, monkeypatch):
    """The first-run cookie login checks what every session is checked for: a cookie issued before a logout
    (sessions_valid_after) or older than the session lifetime logs nobody in."""
    from datetime import timedelta

    from coordsupervise.clock import real_now_utc
    from coordsupervise.programme import auth
    from coordsupervise.store.engine import open_database
    from coordsupervise.ui import login

    issued = real_now_utc() - timedelta(minutes=5)
    db = open_database(page_db)
    auth.end_sessions(db, auth.load_login_user(db, "demo-manager").id, at=issued + timedelta(minutes=1))
    db.close()
    monkeypatch.setattr(login, "_cookie", lambda: ("demo-manager", issued))
    at = app(None).run()
    assert not at.exception
    assert translate("ja", "login.username") in [box.label for box in at.text_input]
    monkeypatch.setattr(login, "_cookie", lambda: ("demo-supervisor", real_now_utc() - timedelta(days=30)))
    at = app(None).run()
    assert translate("ja", "login.username") in [box.label for box in at.text_input]
