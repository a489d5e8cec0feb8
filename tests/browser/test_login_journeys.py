"""Foundation journeys in a real browser: menus per role, bookmarks, logout, language. That a fresh server shows
every protected address as the login form and nothing else is proven address by address, each as the first visit
of its own fresh server, in test_bookmarks_on_a_fresh_server.py."""
import re

import pytest
from playwright.sync_api import expect

from coordsupervise.i18n import translate
from coordsupervise.routes import routes_for

from .conftest import login, menu, wait_idle

ACCOUNTS = {"demo-trainee": {"trainee"}, "demo-supervisor": {"supervisor"},
            "demo-manager": {"manager", "supervisor"}, "demo-admin": {"admin"},
            "demo-graduate": {"trainee", "graduate"}}  # graduate: by the certificate (access.is_graduate)


@pytest.mark.parametrize("username", ACCOUNTS)
def test_each_demo_account_sees_exactly_its_menu(server, page, username):
    login(page, server.url, username)
    expected = [translate("ja", r.title_key) for r in routes_for(ACCOUNTS[username])]
    assert menu(page) == expected
    assert page.locator("[data-testid=stException]").count() == 0


def test_bookmark_survives_login_and_cookie_reopens_it(server, page, browser):
    login(page, server.url, "demo-trainee", "/progress?view=calendar")
    assert page.url.endswith("/progress?view=calendar")
    expect(page.get_by_role("heading", name=translate("ja", "nav.progress"), exact=True)).to_be_visible()

    # a new tab of the same browser (cookie) opens a bookmarked address directly
    cookies = page.context.cookies()
    other = browser.new_context()
    other.add_cookies(cookies)
    tab = other.new_page()
    tab.goto(server.url + "/assignments?x=1")
    wait_idle(tab)
    assert "/assignments?x=1" in tab.url  # the page may add its own parameters
    expect(tab.get_by_role("heading", name=translate("ja", "nav.assignments"), exact=True)).to_be_visible()
    other.close()


def test_logout_ends_the_session_and_the_copied_cookie(server, page, browser):
    login(page, server.url, "demo-supervisor")
    saved = page.context.cookies()
    assert any(c["name"] == "coordsupervise_session" for c in saved)
    page.get_by_role("button", name=translate("ja", "nav.logout")).click()
    wait_idle(page)
    expect(page.get_by_label("パスワード")).to_be_visible()
    notice = page.get_by_text(translate("ja", "login.logged_out"))
    # While the cookie component's rerun redraws the page, the previous run's copy may still stand for a moment:
    # one copy must be visible, and only one must remain.
    expect(notice.first).to_be_visible()
    expect(notice).to_have_count(1)

    thief = browser.new_context()
    thief.add_cookies(saved)  # the cookie as it was before logout
    tab = thief.new_page()
    tab.goto(server.url + "/inbox")
    wait_idle(tab)
    expect(tab.get_by_label("パスワード")).to_be_visible()
    assert tab.locator("[data-testid=stSidebarNavLink]").count() == 0
    thief.close()


def test_wrong_password_says_so_without_detail(server, page):
    page.goto(server.url + "/")
    wait_idle(page)
    failed = page.get_by_text(translate("ja", "login.failed"))
    # on a busy machine the login cookie component's own rerun can land between typing and the click and empty the
    # form: as with submit_login, a person who sees no answer types and presses again
    for attempt in range(3):
        page.get_by_label("ユーザー名").fill("demo-admin")
        page.get_by_label("パスワード").fill("not-the-password-at-all")
        page.locator("[data-testid=stFormSubmitButton] button").click()
        wait_idle(page)
        try:
            expect(failed).to_be_visible(timeout=10000)
            break
        except AssertionError:
            if attempt == 2:
                raise
    assert page.locator("[data-testid=stException]").count() == 0


def test_switch_to_english_and_back(server, page):
    login(page, server.url, "demo-admin", "/account")
    page.get_by_text("English", exact=True).click()
    wait_idle(page)
    expect(page.get_by_role("heading", name="Account")).to_be_visible()
    assert menu(page) == [translate("en", r.title_key) for r in routes_for({"admin"})]
    assert "Account" in menu(page)
    page.get_by_text("日本語", exact=True).click()
    wait_idle(page)
    expect(page.get_by_role("heading", name=translate("ja", "nav.account"))).to_be_visible()
    assert re.search("管理", " ".join(menu(page)))
