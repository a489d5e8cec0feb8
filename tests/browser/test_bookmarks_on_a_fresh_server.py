"""Issue 7: with the screens in pages/, a bookmark opened as the very first visit of a freshly started server lands
on its own page, under its own address, for the right role; a wrong role gets a refusal. Each case needs its own
fresh server, because Streamlit decides its old pages/ mode once per process, on the first session."""
import pytest
from playwright.sync_api import expect

from coordsupervise.i18n import translate
from coordsupervise.routes import ROUTES

from .conftest import login, wait_idle

ACCOUNTS = {"demo-trainee": {"trainee"}, "demo-supervisor": {"supervisor"},
            "demo-manager": {"manager", "supervisor"}, "demo-admin": {"admin"}}
ALLOWED = [(r, u) for r in ROUTES for u, roles in ACCOUNTS.items() if set(r.roles) & roles]
# one wrong account per address: the first that may not open it
REFUSED = [(r, next(u for u, roles in ACCOUNTS.items() if not set(r.roles) & roles))
           for r in ROUTES if any(not set(r.roles) & roles for roles in ACCOUNTS.values())]


def first_visit_then_login(server, page, route, username):
    page.goto(f"{server.url}/{route.path}?x=1")
    wait_idle(page)
    heading = page.get_by_role("heading", name=translate("ja", route.title_key), exact=True)
    # before login: the login form, nothing protected, no old-mode "Page not found"
    expect(page.get_by_label("パスワード")).to_be_visible()
    assert heading.count() == 0
    assert page.locator("[data-testid=stDataFrame]").count() == 0
    assert page.get_by_text("Page not found").count() == 0
    page.get_by_label("ユーザー名").fill(username)
    page.get_by_label("パスワード").fill("coordsupervise-demo")
    page.locator("[data-testid=stFormSubmitButton] button").click()
    page.get_by_label("パスワード", exact=True).wait_for(state="detached", timeout=30000)
    wait_idle(page)
    assert page.get_by_text("Page not found").count() == 0
    assert page.locator("[data-testid=stException]").count() == 0
    return heading


@pytest.mark.parametrize("route, username", ALLOWED, ids=[f"{r.path}-{u}" for r, u in ALLOWED])
def test_bookmark_opens_its_page_as_the_first_visit(fresh_server, page, route, username):
    heading = first_visit_then_login(fresh_server, page, route, username)
    expect(heading).to_be_visible()
    assert f"/{route.path}?" in page.url and "x=1" in page.url


@pytest.mark.parametrize("route, username", REFUSED, ids=[f"{r.path}-{u}" for r, u in REFUSED])
def test_bookmark_of_a_wrong_role_is_refused(fresh_server, page, route, username):
    heading = first_visit_then_login(fresh_server, page, route, username)
    expect(page.get_by_text(translate("ja", "guard.forbidden"))).to_be_visible()
    assert heading.count() == 0
    assert page.locator("[data-testid=stDataFrame]").count() == 0


def test_after_login_the_old_mode_never_serves_a_page_file_alone(fresh_server, page):
    """The first visit of a fresh server opens a page file's address: the router's menu is drawn with it."""
    login(page, fresh_server.url, "demo-trainee", "/progress")
    expect(page.get_by_role("heading", name=translate("ja", "nav.progress"), exact=True)).to_be_visible()
    assert page.locator("[data-testid=stSidebarNavLink]").count() == 4
