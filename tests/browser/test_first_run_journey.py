"""Day one in a real browser: a production server on an empty database with only its first admin (as
`create-admin` leaves it). The admin is pointed to /setup, loads the shipped curriculum there, creates the first
cohort on the calendar /setup proposes, and finds the programme on /programme. No demo function runs."""
import secrets

import pytest
from playwright.sync_api import expect

from coordsupervise.i18n import translate
from coordsupervise.programme.auth import hash_password, insert_user
from coordsupervise.store.db import Database

from .conftest import PASSWORD, Server, login, wait_idle


def JA(key: str, **params) -> str:  # noqa: N802 - reads like the catalogue
    return translate("ja", key, **params)


@pytest.fixture
def office_server(tmp_path):
    db_path = tmp_path / "office.duckdb"
    db = Database(db_path)
    db.write(insert_user, "office-admin", "事務局 管理者", hash_password(PASSWORD), ("admin",))
    db.close()
    server = Server(db_path, tmp_path / "streamlit.log", {
        "COORDSUPERVISE_MODE": "production", "COORDSUPERVISE_COOKIE_KEY": secrets.token_urlsafe(32)}).wait_ready()
    yield server
    server.stop()


def test_an_office_loads_the_curriculum_on_screen_and_creates_its_first_cohort(office_server, page):
    login(page, office_server.url, "office-admin")
    expect(page.get_by_text(JA("setup.first_run_pointer"))).to_be_visible()

    page.goto(office_server.url + "/setup")
    wait_idle(page)
    expect(page.get_by_text(JA("setup.first_run_title"))).to_be_visible()
    expect(page.get_by_text(JA("setup.first_run_counts", competencies=4, modules=15, assignments=8,
                               rubrics=7))).to_be_visible()
    page.get_by_role("button", name=JA("setup.first_run_load")).click()
    wait_idle(page)
    expect(page.get_by_text(JA("setup.first_run_title"))).to_have_count(0)

    page.get_by_role("textbox", name=JA("setup.code"), exact=True).fill("2027-A-001")
    page.get_by_role("textbox", name=JA("setup.name_ja"), exact=True).fill("2027年度 第1期")
    page.get_by_role("textbox", name=JA("setup.name_en"), exact=True).fill("2027 cohort 1")
    page.get_by_role("button", name=JA("setup.create")).click()
    wait_idle(page)
    expect(page.get_by_text(JA("setup.created", code="2027-A-001"))).to_be_visible()
    assert page.locator("[data-testid=stException]").count() == 0

    page.goto(office_server.url + "/programme")
    wait_idle(page)
    expect(page.get_by_role("heading", name=JA("nav.programme"), exact=True)).to_be_visible()
    page.get_by_role("tab", name=JA("programme.tab.modules")).click()
    wait_idle(page)
    expect(page.get_by_text("外国人の入国・在留の状況").first).to_be_attached()  # a cell of the modules grid
    assert page.locator("[data-testid=stException]").count() == 0
