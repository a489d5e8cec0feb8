"""Sessions that must not log in: an expired cookie, one signed with another key, a tampered one, and a cookie
replayed after a password change. A correctly signed fresh cookie does log in, which proves the forged ones are
refused for the right reason. One dedicated server, started with a known cookie key."""
import base64
import json
import shutil
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from playwright.sync_api import expect

from coordsupervise.i18n import translate

from .conftest import PASSWORD, Server, login, wait_idle

KEY = "k7Qm2VtX9bLr4Ns8Pc1Hy6Jd3Wf0Gz5AeUo-_TiRxE"
COOKIE = "coordsupervise_session"


@pytest.fixture(scope="module")
def keyed_server(demo_template, tmp_path_factory):
    folder = tmp_path_factory.mktemp("keyed")
    shutil.copy(demo_template, folder / "keyed.duckdb")
    mp = pytest.MonkeyPatch()
    mp.setenv("COORDSUPERVISE_COOKIE_KEY", KEY)
    server = Server(folder / "keyed.duckdb", folder / "streamlit.log").wait_ready()
    mp.undo()
    yield server
    server.stop()


def token(username: str, expires: datetime, key: str = KEY) -> str:
    # the signing key is bound to the session lifetime (coordsupervise/ui/login.py); the default is 12 hours
    return jwt.encode({"username": username, "exp_date": expires.timestamp()}, f"{key}|session_hours=12.0",
                      algorithm="HS256")


def open_with_cookie(browser, server, value: str):
    context = browser.new_context()
    context.add_cookies([{"name": COOKIE, "value": value, "url": server.url}])
    page = context.new_page()
    page.goto(server.url + "/inbox")
    wait_idle(page)
    return context, page


def logged_out(page) -> bool:
    expect(page.get_by_label("パスワード")).to_be_visible()
    return page.locator("[data-testid=stSidebarNavLink]").count() == 0 and \
        page.get_by_role("heading", name=translate("ja", "nav.inbox"), exact=True).count() == 0


def test_a_correctly_signed_fresh_cookie_logs_in(keyed_server, browser):
    context, page = open_with_cookie(browser, keyed_server, token("demo-supervisor",
                                                                  datetime.now(UTC) + timedelta(hours=11)))
    expect(page.get_by_role("heading", name=translate("ja", "nav.inbox"), exact=True)).to_be_visible()
    context.close()


@pytest.mark.parametrize("case", ["expired", "other_key", "tampered", "older_than_the_lifetime"])
def test_forged_or_stale_cookies_do_not_log_in(keyed_server, browser, case):
    now = datetime.now(UTC)
    value = {
        "expired": token("demo-supervisor", now - timedelta(minutes=1)),
        "other_key": token("demo-supervisor", now + timedelta(hours=11), key="another-key-" + "x" * 40),
        # a valid trainee cookie with its payload rewritten to a supervisor, signature left as it was
        "tampered": _retarget(token("demo-trainee", now + timedelta(hours=11)), "demo-supervisor"),
        # an expiry further out than the session lifetime allows is not believed either
        "older_than_the_lifetime": token("demo-supervisor", now + timedelta(hours=30)),
    }[case]
    context, page = open_with_cookie(browser, keyed_server, value)
    assert logged_out(page), case
    context.close()


def _retarget(signed: str, username: str) -> str:
    header, payload, signature = signed.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["username"] = username
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return ".".join([header, forged, signature])


def test_cookie_replayed_after_a_password_change_does_not_log_in(keyed_server, page, browser):
    login(page, keyed_server.url, "demo-admin", "/account")
    saved = [c for c in page.context.cookies() if c["name"] == COOKIE]
    assert saved
    page.get_by_label(translate("ja", "account.password_current")).fill(PASSWORD)
    page.get_by_label(translate("ja", "account.password_new"), exact=True).fill("新しい合言葉はとても長いです")
    page.get_by_label(translate("ja", "account.password_again")).fill("新しい合言葉はとても長いです")
    page.get_by_role("button", name=translate("ja", "account.password_submit")).click()
    wait_idle(page)
    expect(page.get_by_text(translate("ja", "account.password_changed")).first).to_be_visible()
    # this browser gets a fresh cookie (the cookie component stores it once drawn): a reload keeps the person in
    for _ in range(100):
        fresh = [c for c in page.context.cookies() if c["name"] == COOKIE]
        if fresh and fresh[0]["value"] != saved[0]["value"]:
            break
        page.wait_for_timeout(100)
    else:
        pytest.fail("the browser never received a fresh cookie after the password change")
    page.reload()
    wait_idle(page)
    expect(page.get_by_role("heading", name=translate("ja", "nav.account"), exact=True)).to_be_visible()
    context, other = open_with_cookie(browser, keyed_server, saved[0]["value"])
    assert logged_out(other)
    context.close()
