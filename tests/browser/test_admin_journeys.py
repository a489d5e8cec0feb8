"""The programme office imports a Japanese Excel roster (CP932) with two bad rows: both row errors show and nothing
is imported; the fixed file imports, the new trainees are in their supervisor's caseload; quiz results import and
the new trainee, after replacing the one-time password, sees them on /progress."""
import csv
import io

import pytest
from playwright.sync_api import expect

from coordsupervise.i18n import translate
from coordsupervise.office import samples
from coordsupervise.store.db import Database

from .conftest import IDLE, login, wait_idle

JA = lambda key, **p: translate("ja", key, **p)  # noqa: E731


@pytest.fixture(scope="session")
def newest_cohort(demo_template):
    db = Database(demo_template)
    code, start = db.one("SELECT c.code, s.starts_on FROM cohort c JOIN cohort_stage s ON s.cohort_id = c.id "
                         "AND s.stage = 'online' ORDER BY s.starts_on DESC LIMIT 1")
    db.close()
    return code, start


def upload(page, kind: str, name: str, data: bytes):
    page.get_by_text(kind, exact=True).click()
    wait_idle(page)
    page.locator("input[type=file]").set_input_files({"name": name, "mimeType": "text/csv", "buffer": data})
    wait_idle(page)
    return page


def test_roster_with_bad_rows_then_fixed_then_quiz_results_reach_the_trainee(server, page, browser, newest_cohort,
                                                                              tmp_path):
    code, online_start = newest_cohort
    rows = samples.roster_rows()
    bad = [list(r) for r in rows]
    bad[2][1] = ""                      # line 3: no name
    bad[4][3] = "santos@@example"       # line 5: not an e-mail address
    login(page, server.url, "demo-admin", f"/imports?cohort={code}")
    panel = upload(page, JA("import.tab_roster"), "名簿.csv", samples.csv_data(bad, "cp932"))
    errors = panel.locator("[data-testid=stAlert]").filter(has_text=JA("tabular.rejected", count=2))
    expect(errors).to_be_visible()
    expect(panel.get_by_role("button", name=JA("import.commit", cohort=code))).to_be_disabled()
    reasons = panel.locator("[data-testid=stTable]")
    expect(reasons.locator("tr").filter(has_text=JA("tabular.required"))).to_contain_text("3")
    expect(reasons.locator("tr").filter(has_text=JA("roster.bad_email", value="santos@@example"))).to_contain_text("5")

    panel = upload(page, JA("import.tab_roster"), "名簿.csv", samples.csv_data(rows, "cp932"))
    panel.get_by_role("button", name=JA("import.commit", cohort=code)).click()
    wait_idle(page)
    expect(page.get_by_text(JA("import.passwords_title", count=len(samples.ROSTER)))).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name=JA("import.passwords_download")).click()
    passwords = {row[0]: row[2] for row in csv.reader(io.StringIO(
        download.value.path().read_bytes().decode("utf-8-sig")))}
    assert "nguyen.lan" in passwords

    panel = upload(page, JA("import.tab_quiz"), "quiz.csv",
                   samples.csv_data(samples.quiz_rows(online_start), "utf-8-sig"))
    panel.get_by_role("button", name=JA("import.commit", cohort=code)).click()
    wait_idle(page)
    expect(page.get_by_text(JA("import.committed_into", cohort=code, created=len(samples.quiz_rows(online_start)) - 1,
                               updated=0, unchanged=0))).to_be_visible()

    supervisor = browser.new_context().new_page()
    login(supervisor, server.url, "demo-supervisor", "/trainee")
    supervisor.get_by_label(JA("profile.find")).fill("グエン ラン")
    supervisor.keyboard.press("Enter")
    wait_idle(supervisor)
    expect(supervisor.get_by_role("heading", name="グエン ラン")).to_be_visible()  # in the supervisor's caseload

    trainee = browser.new_context().new_page()
    trainee.goto(server.url + "/progress")
    wait_idle(trainee)
    trainee.get_by_label("ユーザー名").fill("nguyen.lan")
    trainee.get_by_label("パスワード").fill(passwords["nguyen.lan"])
    trainee.locator("[data-testid=stFormSubmitButton] button").click()
    trainee.wait_for_selector(IDLE, timeout=60000)
    expect(trainee.get_by_text(JA("people.change_password_first"))).to_be_visible(timeout=30000)
    trainee.goto(server.url + "/account")
    wait_idle(trainee)
    trainee.get_by_label(JA("account.password_current")).fill(passwords["nguyen.lan"])
    trainee.get_by_label(JA("account.password_new"), exact=True).fill("ランの新しいパスワード2026")
    trainee.get_by_label(JA("account.password_again")).fill("ランの新しいパスワード2026")
    trainee.get_by_role("button", name=JA("account.password_submit")).click()
    wait_idle(trainee)
    expect(trainee.get_by_text(JA("account.password_changed")).first).to_be_visible()
    # log in afresh with the password she chose, in a browser that never held her cookie: /account keeps re-issuing
    # the cookie until the browser holds it, so a cookie cleared in this tab could be written again a moment later
    # (on a busy machine, after the clearing) and log her straight in
    trainee = browser.new_context().new_page()
    trainee.goto(server.url + "/progress")
    wait_idle(trainee)
    trainee.get_by_label("ユーザー名").fill("nguyen.lan")
    trainee.get_by_label("パスワード").fill("ランの新しいパスワード2026")
    trainee.locator("[data-testid=stFormSubmitButton] button").click()
    wait_idle(trainee)
    modules = trainee.locator("[data-testid=stMetric]").filter(has_text=JA("progress.modules_passed"))
    expect(modules).to_contain_text("3 / 15")
