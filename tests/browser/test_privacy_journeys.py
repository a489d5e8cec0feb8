"""Privacy in a real browser: a trainee who names a client is held back and edits the name away; a supervisor
redacts a span in an older reflection and the trainee then sees it redacted."""
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from coordsupervise.i18n import translate
from coordsupervise.privacy.redaction import MARKER
from coordsupervise.store.db import Database

from ..conftest import DEMO_TODAY
from .conftest import login, wait_idle

JA = lambda key, **p: translate("ja", key, **p)  # noqa: E731


@pytest.fixture(scope="session")
def demo_trainee_days(demo_template):
    """(the oldest working day without a reflection, (id, day, event) of the oldest submitted reflection) of
    demo-trainee, read from the template the server's database was copied from."""
    db = Database(demo_template)
    mine = "JOIN enrolment e ON e.id = r.enrolment_id JOIN app_user u ON u.id = e.trainee_id WHERE u.username = " \
           "'demo-trainee'"
    taken = {d for (d,) in db.rows(f"SELECT r.practice_date FROM reflection r {mine}")}
    oldest = db.one(f"SELECT r.id, r.practice_date, r.event FROM reflection r {mine} AND r.status = 'submitted' "
                    "AND r.event <> '' ORDER BY r.practice_date LIMIT 1")
    db.close()
    day = oldest[1] + timedelta(days=1)
    while day in taken or day.weekday() >= 5:
        day += timedelta(days=1)
    assert day < DEMO_TODAY
    return day, oldest


def field(page, key):
    return page.get_by_role("textbox", name=JA(key))


def test_a_client_name_holds_the_submit_back_until_edited(server, page, demo_trainee_days):
    day, _ = demo_trainee_days
    login(page, server.url, "demo-trainee", f"/reflection?day={day.isoformat()}")
    field(page, "reflection.field.event").fill("グエン・ヴァン・アンさんの在留期間更新について相談を受けた。")
    field(page, "reflection.field.try_text").fill("更新の必要書類を一覧にする。")
    field(page, "reflection.field.insight").click()
    wait_idle(page)
    page.locator("[data-testid=stButtonGroup]").last.get_by_text("3", exact=True).click()
    wait_idle(page)
    page.get_by_role("button", name=JA("reflection.submit")).click()
    wait_idle(page)
    expect(page.get_by_text(JA("reflection.privacy_intro"))).to_be_visible()
    expect(page.get_by_text(JA("privacy.client_name"), exact=False).first).to_be_visible()
    expect(page.get_by_role("heading", name=JA("reflection.thread"))).to_have_count(0)  # not submitted

    field(page, "reflection.field.event").fill("相談者コード K-901 の在留期間更新について相談を受けた。")
    field(page, "reflection.field.insight").click()
    wait_idle(page)
    page.get_by_role("button", name=JA("reflection.submit")).click()
    wait_idle(page)
    expect(page.get_by_role("heading", name=JA("reflection.thread"))).to_be_visible()
    assert page.locator("[data-testid=stException]").count() == 0


def test_supervisor_redacts_an_older_reflection_and_the_trainee_sees_it(server, page, demo_trainee_days):
    """The supervisor only copies the words: the field picker starts at "any field" (choosing a field first was
    the step people, and this test, tripped over)."""
    _, (rid, day, event) = demo_trainee_days
    span = event[:8]
    login(page, server.url, "demo-supervisor", f"/inbox?r={rid}")
    page.get_by_text(JA("redaction.title")).click()
    wait_idle(page)
    expect(page.get_by_role("combobox", name=JA("redaction.field"))).to_have_value(JA("redaction.any_field"))
    page.get_by_label(JA("redaction.span")).fill(span)
    page.get_by_role("button", name=JA("redaction.submit")).click()
    wait_idle(page)
    expect(page.get_by_text(MARKER + event[8:20]).first).to_be_visible()
    assert page.locator("[data-testid=stException]").count() == 0

    page.get_by_role("button", name=JA("nav.logout")).click()
    wait_idle(page)
    login(page, server.url, "demo-trainee", f"/reflection?day={day.isoformat()}")
    expect(field(page, "reflection.field.event")).to_have_value(MARKER + event[8:])
