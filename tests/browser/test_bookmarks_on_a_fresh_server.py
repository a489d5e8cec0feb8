"""Issue 7: with the screens in pages/, a bookmark opened as the very first visit of a freshly started server lands
on its own page, under its own address, for the right role; a wrong role gets a refusal.

Streamlit decides its old pages/ mode once per process, for the first session, so every address gets its own fresh
server and is opened there first, with a query parameter, by nobody (the login form, nothing protected), then logged
in as the first account that may open it. On the same server, right after the hand-over, one account that may not
open it arrives logged in (with the login cookie the server would have issued; the login form itself is proven by
the first visit) and gets the refusal; the refused account changes from address to address, so every role is
refused somewhere. Every role on every address is in the AppTest matrix (tests/pages/test_routes_as_every_role.py);
a fresh server costs the suite seconds of CPU, so it carries only what needs it. One server per address, not per
role: the hand-over happens before anyone is known, so the role cannot change it."""
import pytest
from playwright.sync_api import expect

from coordsupervise.i18n import translate
from coordsupervise.routes import ROUTES

from .conftest import logged_in_context, submit_login, wait_idle

ACCOUNTS = {"demo-trainee": {"trainee"}, "demo-supervisor": {"supervisor"},
            "demo-manager": {"manager", "supervisor"}, "demo-admin": {"admin"}}


def visit_then_login(server, page, route, username):
    page.goto(f"{server.url}/{route.path}?x=1")
    wait_idle(page)
    heading = page.get_by_role("heading", name=translate("ja", route.title_key), exact=True)
    # before login: the login form, nothing protected, no old-mode "Page not found"
    expect(page.get_by_label("パスワード")).to_be_visible()
    assert heading.count() == 0
    assert page.locator("[data-testid=stSidebarNavLink]").count() == 0  # no menu before anyone is known
    assert page.locator("[data-testid=stDataFrame]").count() == 0
    assert page.get_by_text("Page not found").count() == 0
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill("coordsupervise-demo")
    submit_login(page)
    wait_idle(page)
    assert page.get_by_text("Page not found").count() == 0
    assert page.locator("[data-testid=stException]").count() == 0
    return heading


def sees_the_page(page, route, heading):
    expect(heading).to_be_visible()
    assert f"/{route.path}?" in page.url and "x=1" in page.url


def is_refused(page, heading):
    expect(page.get_by_text(translate("ja", "guard.forbidden"))).to_be_visible()
    assert heading.count() == 0
    assert page.locator("[data-testid=stDataFrame]").count() == 0


@pytest.mark.parametrize("index", range(len(ROUTES)), ids=[r.path for r in ROUTES])
def test_bookmark_as_the_first_visit_of_a_fresh_server(fresh_server, page, browser, index):
    route = ROUTES[index]
    allowed = [u for u, roles in ACCOUNTS.items() if set(route.roles) & roles]
    refused = [u for u, roles in ACCOUNTS.items() if not set(route.roles) & roles]
    sees_the_page(page, route, visit_then_login(fresh_server, page, route, allowed[0]))
    # the router's menu is drawn with it: the page did not run on its own in the old mode
    assert page.locator("[data-testid=stSidebarNavLink]").count() >= 2
    if not refused:
        return
    context = logged_in_context(browser, fresh_server, refused[index % len(refused)])
    other = context.new_page()
    other.goto(f"{fresh_server.url}/{route.path}?x=1")
    wait_idle(other)
    assert other.locator("[data-testid=stException]").count() == 0
    is_refused(other, other.get_by_role("heading", name=translate("ja", route.title_key), exact=True))
    context.close()
