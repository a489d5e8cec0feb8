"""The programme's last stage in a real browser: a manager decides on a trainee of the finished cohort, finds a
certified coordinator in the register and exports it; the graduate sees the result on /progress."""
import pytest
from playwright.sync_api import expect

from coordsupervise.i18n import translate
from coordsupervise.store.db import Database

from .conftest import login, wait_idle

JA = lambda key, **p: translate("ja", key, **p)  # noqa: E731
SLOW = 20000  # ms: two cores shared with other work


@pytest.fixture(scope="session")
def closing(demo_template):
    """The finished cohort's code, a deferred trainee, and the graduate's certificate (read before the server opens
    the file: DuckDB allows one process per file)."""
    db = Database(demo_template)
    code = db.value("SELECT c.code FROM cohort c JOIN enrolment e ON e.cohort_id = c.id JOIN app_user u "
                    "ON u.id = e.trainee_id WHERE u.username = 'demo-graduate'")
    deferred = db.one("SELECT e.id, u.display_name FROM certification_decision d JOIN enrolment e "
                      "ON e.id = d.enrolment_id JOIN app_user u ON u.id = e.trainee_id JOIN cohort c "
                      "ON c.id = e.cohort_id WHERE d.decision = 'deferred' AND c.code = ? ORDER BY e.id LIMIT 1",
                      [code])
    number, name = db.one("SELECT k.certificate_no, u.display_name FROM certificate k JOIN enrolment e "
                          "ON e.id = k.enrolment_id JOIN app_user u ON u.id = e.trainee_id "
                          "WHERE u.username = 'demo-graduate'")
    db.close()
    return {"code": code, "deferred_id": deferred[0], "deferred_name": deferred[1], "number": number, "name": name}


def test_manager_decides_finds_the_coordinator_in_the_register_and_exports_it(server, page, closing):
    login(page, server.url, "demo-manager", f"/certification?cohort={closing['code']}&e={closing['deferred_id']}")
    expect(page.get_by_role("heading", name=closing["deferred_name"])).to_be_visible(timeout=SLOW)
    expect(page.get_by_text(JA("certification.count_eligible"), exact=True)).to_be_visible()
    page.get_by_test_id("stRadioGroup").get_by_text(JA("certification.decision.not_certified"), exact=True).click()
    page.get_by_label(JA("certification.reason")).fill("課題レポートの再提出が期限までになかったため")
    page.get_by_role("button", name=JA("certification.record")).click()
    wait_idle(page)
    expect(page.get_by_text(JA("certification.recorded", name=closing["deferred_name"],
                               decision=JA("certification.decision.not_certified")))).to_be_visible(timeout=SLOW)

    page.get_by_role("link", name=JA("nav.register")).click()
    expect(page.get_by_role("heading", name=JA("nav.register"))).to_be_visible(timeout=SLOW)
    wait_idle(page)
    page.get_by_label(JA("register.search"), exact=True).fill(closing["name"])
    page.get_by_label(JA("register.search"), exact=True).press("Enter")
    wait_idle(page)
    expect(page.get_by_text(JA("register.found", count=1), exact=True)).to_be_visible(timeout=SLOW)
    with page.expect_download() as download_info:
        page.get_by_role("button", name=JA("register.csv")).click()
    content = open(download_info.value.path(), "rb").read()
    assert content.startswith("\ufeff".encode()) and closing["number"] in content.decode("utf-8-sig")
    with page.expect_download() as xlsx_info:
        page.get_by_role("button", name=JA("register.xlsx")).click()
    assert open(xlsx_info.value.path(), "rb").read()[:2] == b"PK"


def test_graduate_sees_the_result_on_progress(server, page, closing):
    login(page, server.url, "demo-graduate", "/progress")
    expect(page.get_by_text(closing["number"])).to_be_visible(timeout=SLOW)
    expect(page.get_by_role("button", name=JA("firsthour.cert_save_file"))).to_be_visible()
