"""The programme office opens /programme: the fifteen online modules are listed, a module gets its own pass mark
(after confirming that it reaches the running cohorts too), the saved message shows beside the form in the tab that
stays open, and the saved mark is there after a reload."""
import pytest
from playwright.sync_api import expect

from coordsupervise.i18n import translate
from coordsupervise.programme import programme_edit
from coordsupervise.programme.auth import load_login_user
from coordsupervise.store.db import Database
from tests.conftest import DEMO_TODAY

from .conftest import login, wait_idle

JA = lambda key, **p: translate("ja", key, **p)  # noqa: E731


@pytest.fixture(scope="session")
def programme(demo_template):
    """The demo's programme as an admin reads it (before the server holds its own copy of the file)."""
    db = Database(demo_template)
    view = programme_edit.programme_in_force(db, load_login_user(db, "demo-admin").actor(), DEMO_TODAY)
    db.close()
    return view


def open_modules(page):
    page.get_by_role("tab", name=JA("programme.tab.modules")).click()
    wait_idle(page)
    return page.locator("[role=tabpanel]:visible")


def pick(page, panel, module):
    """Choose the module to edit (the list is virtual: typing its number filters it)."""
    box = panel.get_by_role("combobox", name=JA("programme.edit_module"))
    box.click()
    box.press_sequentially(f"{module['seq']:02d}")
    page.get_by_role("option", name=f"{module['seq']:02d} {module['title_ja']}").click()
    wait_idle(page)


def test_admin_gives_a_module_its_own_pass_mark(server, page, programme):
    login(page, server.url, "demo-admin", "/programme")
    expect(page.get_by_role("heading", name=JA("nav.programme"))).to_be_visible()
    use = programme.use
    expect(page.get_by_text(JA("programme.use", running=use.running, upcoming=use.upcoming,
                               finished=use.finished))).to_be_visible()

    panel = open_modules(page)
    expect(panel.get_by_text(JA("programme.modules_shared"))).to_be_visible()
    # the table of the fifteen modules (the grid counts its header row too)
    expect(panel.locator("[data-testid=stDataFrame] [role=grid]")).to_have_attribute("aria-rowcount", "16")
    module = programme.modules[2]
    pick(page, panel, module)

    pass_mark = panel.get_by_role("spinbutton", name=JA("programme.module_pass"))
    expect(pass_mark).to_have_value("")  # the programme's default
    pass_mark.fill("85")
    panel.get_by_text(JA("programme.module_confirm", count=use.running + use.upcoming)).click()
    panel.get_by_role("button", name=JA("programme.save_module")).click()
    wait_idle(page)
    change = JA("programme.change", label=JA("programme.field.pass_pct"),
                old=JA("programme.pass_default", pct=programme.thresholds["module_pass_pct"]), new="85%")
    expect(panel.get_by_text(JA("programme.module_saved", seq=f"{module['seq']:02d}", changes=change))).to_be_visible()
    expect(page.locator("[data-testid=stAlertContentError]")).to_have_count(0)
    # the person stays where they were working: the tab stays open
    expect(page.get_by_role("tab", name=JA("programme.tab.modules"))).to_have_attribute("aria-selected", "true")

    page.reload()
    wait_idle(page)
    panel = open_modules(page)
    pick(page, panel, module)
    expect(panel.get_by_role("spinbutton", name=JA("programme.module_pass"))).to_have_value("85")
