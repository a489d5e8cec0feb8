"""送信して次の未読へ sits under the reply box, far down the page; the next reflection opens from its top (the
trainee's name and the first lines of what they wrote), not where the last one was scrolled to."""
from playwright.sync_api import expect

from coordsupervise.i18n import translate

from .conftest import login, wait_idle

JA = lambda key, **p: translate("ja", key, **p)  # noqa: E731
MAIN = "document.querySelector('[data-testid=stMain]')"  # what scrolls in a Streamlit page


def scroll_to_the_buttons(page, heading) -> None:
    """Down the page, where the buttons are, until the heading has left the view (a busy machine may still be
    drawing the lower part of the page when the first scroll happens)."""
    for _ in range(40):
        page.evaluate(f"{MAIN}.scrollTo(0, {MAIN}.scrollHeight)")
        if page.evaluate("(h) => h.getBoundingClientRect().bottom <= 0", heading.element_handle()):
            return
        page.wait_for_timeout(250)
    expect(heading).not_to_be_in_viewport()


def test_send_and_next_opens_the_next_reflection_at_its_top(server, page):
    login(page, server.url, "demo-supervisor", "/inbox")
    page.get_by_role("button", name=JA("inbox.open_next_unread")).click()
    wait_idle(page)
    heading = page.locator("[data-testid=stHeading] h3").first
    for width, height in ((1280, 900), (390, 844)):  # a desk, then a phone
        page.set_viewport_size({"width": width, "height": height})
        shown = heading.inner_text()
        page.get_by_role("textbox", name=JA("inbox.reply")).fill("読みました。次も読みます。")
        wait_idle(page)
        scroll_to_the_buttons(page, heading)
        page.get_by_role("button", name=JA("inbox.send_next"), exact=True).click()
        wait_idle(page)
        expect(heading).not_to_have_text(shown)
        expect(heading).to_be_in_viewport()
        expect(page.get_by_text(JA("reflection.field.goal"), exact=True).first).to_be_in_viewport()
        assert page.evaluate(f"{MAIN}.scrollTop") == 0, width
