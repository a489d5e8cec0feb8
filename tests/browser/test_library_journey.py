"""A case goes from a reflection to the library as the people concerned make it go: the supervisor drafts it from
demo-trainee's reflection and proposes it, the trainee reads it and agrees on /account, a manager publishes it, the
trainee finds it by typing a kana reading, and a graduate of an earlier cohort opens it."""
import pytest
from playwright.sync_api import expect

from coordsupervise.i18n import translate
from coordsupervise.store.db import Database

from .conftest import login, wait_idle

JA = lambda key, **p: translate("ja", key, **p)  # noqa: E731
TITLE = "転居の後に在留カードの届出を忘れていた相談者"  # 転居 is read てんきょ: no other demo case has it
LESSON = "転居の相談では、在留カードの届出も一緒に確かめる。"


@pytest.fixture(scope="module")
def source_reflection(demo_template) -> int:
    """demo-trainee's newest submitted reflection (read before the server opens its copy of the file)."""
    db = Database(demo_template)
    found = db.value("SELECT max(r.id) FROM reflection r JOIN enrolment e ON e.id = r.enrolment_id JOIN app_user u "
                     "ON u.id = e.trainee_id WHERE u.username = 'demo-trainee' AND r.status = 'submitted'")
    assert not db.value("SELECT count(*) FROM library_case WHERE title LIKE '%転居%'")
    db.close()
    return found


def first_button_after(page, text: str, label: str):
    """The first button labelled `label` after the bold `text` on the page (each consent request is its title,
    then the case, then its two buttons)."""
    return page.locator(f"xpath=//strong[normalize-space()='{text}']/following::button[contains(., '{label}')][1]")


def test_supervisor_proposes_trainee_agrees_manager_publishes_trainee_finds_graduate_opens(
        server, browser, source_reflection):
    supervisor = browser.new_context().new_page()
    login(supervisor, server.url, "demo-supervisor", f"/library?view=write&from={source_reflection}")
    expect(supervisor.get_by_text(JA("library.drawn_from_reflection", marker="［伏せ字］")[:20])).to_be_visible()
    form = supervisor.locator("[data-testid=stForm]")
    for field, text in (("title", TITLE), ("situation", "引っ越しの後、在留カードの届出をしていなかった。"),
                        ("actions", "届出の期限と場所を説明し、遅れた理由を書く準備をした。"),
                        ("outcome", "相談者は区役所で届出を済ませた。"), ("lessons", LESSON)):
        form.get_by_role("textbox", name=JA(f"library.field.{field}"), exact=True).fill(text)
    form.get_by_role("combobox").first.click()  # the domains
    supervisor.get_by_role("option", name="在留手続", exact=True).click()
    supervisor.keyboard.press("Escape")
    form.get_by_role("button", name=JA("library.save_and_propose")).click()
    wait_idle(supervisor)
    expect(supervisor.get_by_text(JA("library.proposed_from_reflection").split("\n")[0])).to_be_visible()
    expect(supervisor.get_by_role("heading", name=TITLE)).to_be_visible()
    supervisor.context.close()

    trainee = browser.new_context().new_page()
    login(trainee, server.url, "demo-trainee", "/account")
    agree = first_button_after(trainee, TITLE, JA("library.consent_yes"))
    expect(agree).to_be_visible()
    agree.click()
    wait_idle(trainee)
    expect(trainee.get_by_text(JA("library.consent_saved"))).to_be_visible()

    manager = browser.new_context().new_page()
    login(manager, server.url, "demo-manager", "/library?view=review")
    manager.get_by_role("link", name=TITLE).click()
    wait_idle(manager)
    manager.get_by_role("button", name=JA("library.publish")).click()
    wait_idle(manager)
    expect(manager.get_by_text(JA("library.published"))).to_be_visible()
    manager.context.close()

    trainee.goto(f"{server.url}/library?q=てんきょ")
    wait_idle(trainee)
    expect(trainee.get_by_text(JA("library.found", count=1))).to_be_visible()
    trainee.get_by_role("link", name=TITLE).click()
    wait_idle(trainee)
    expect(trainee.get_by_role("heading", name=TITLE)).to_be_visible()
    assert "case=" in trainee.url and "q=" in trainee.url  # the search stays in the address for the way back
    trainee.context.close()

    graduate = browser.new_context().new_page()
    login(graduate, server.url, "demo-graduate", "/library?q=てんきょ")
    graduate.get_by_role("link", name=TITLE).click()
    wait_idle(graduate)
    expect(graduate.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(graduate.get_by_text(LESSON)).to_be_visible()
    graduate.context.close()
