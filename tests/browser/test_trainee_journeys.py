"""A trainee's evening in a real browser: a draft that survives a reload, a submit, an assignment with an
attachment, and the progress charts."""

import pytest
from playwright.sync_api import expect

from coordsupervise.i18n import translate

from .conftest import demo_trainee_free_days, login, wait_idle

JA = lambda key, **p: translate("ja", key, **p)  # noqa: E731


@pytest.fixture(scope="session")
def free_days(demo_template):
    return demo_trainee_free_days(demo_template)


def field(page, key):
    """The box labelled with that field's name (required ones carry a mark after it)."""
    return page.get_by_role("textbox", name=JA(key))


def test_draft_survives_reload_and_relogin(server, page, free_days):
    day = free_days[0].isoformat()
    login(page, server.url, "demo-trainee", f"/reflection?day={day}")
    field(page, "reflection.field.event").fill("ブラウザで書いた下書き K-777 の相談")
    field(page, "reflection.field.feelings").click()  # leaving the box commits the text
    wait_idle(page)
    expect(page.get_by_text(JA("reflection.draft_saved", at="")[:6])).to_be_visible()
    page.reload()
    wait_idle(page)
    expect(field(page, "reflection.field.event")).to_have_value("ブラウザで書いた下書き K-777 の相談")
    # log out and in again: still there
    page.get_by_role("button", name=JA("nav.logout")).click()
    wait_idle(page)
    login(page, server.url, "demo-trainee", f"/reflection?day={day}")
    expect(field(page, "reflection.field.event")).to_have_value("ブラウザで書いた下書き K-777 の相談")


def test_typing_is_kept_on_a_reload_without_leaving_the_box(server, page, free_days):
    """The page promises 更新・ログアウト後も残ります: true even for text whose box still has the focus."""
    day = free_days[2].isoformat()
    login(page, server.url, "demo-trainee", f"/reflection?day={day}")
    box = field(page, "reflection.field.feelings")
    box.click()
    box.press_sequentially("焦りを感じたが落ち着いて対応できた", delay=20)
    expect(page.get_by_text(JA("reflection.draft_saved", at="")[:6])).to_be_visible(timeout=10000)
    expect(box).to_be_focused()  # saved while the person was still in the box
    page.wait_for_timeout(2500)  # the box sends its text 1.5 s after the last keystroke: let the last pause pass
    wait_idle(page)
    expect(box).to_be_focused()
    page.reload()
    wait_idle(page)
    expect(field(page, "reflection.field.feelings")).to_have_value("焦りを感じたが落ち着いて対応できた")


def test_submit_a_reflection(server, page, free_days):
    day = free_days[1].isoformat()
    login(page, server.url, "demo-trainee", f"/reflection?day={day}")
    field(page, "reflection.field.goal").fill("在留期限を最初に確認する")
    field(page, "reflection.field.event").fill("相談者コード K-808 の更新手続を一緒に確認した。")
    field(page, "reflection.field.try_text").fill("チェックリストを作って使う。")
    field(page, "reflection.field.insight").click()
    wait_idle(page)
    # self-rating: the last group of buttons, short labels 1-4 with the meaning below
    page.locator("[data-testid=stButtonGroup]").last.get_by_text("3", exact=True).click()
    wait_idle(page)
    expect(page.get_by_text(JA("level.3"), exact=True)).to_be_visible()
    page.get_by_role("button", name=JA("reflection.submit")).click()
    wait_idle(page)
    expect(page.get_by_text(JA("reflection.submitted", version=1))).to_be_visible()  # beside the button
    expect(page.get_by_text(JA("reflection.status_submitted", version=1, at="")[:6])).to_be_visible()
    expect(page.get_by_role("heading", name=JA("reflection.thread"))).to_be_visible()
    assert page.locator("[data-testid=stException]").count() == 0


def test_assignment_with_an_attachment(server, page, tmp_path):
    pdf = tmp_path / "記録.pdf"
    pdf.write_bytes(b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    login(page, server.url, "demo-trainee", "/assignments?a=A5")
    page.get_by_role("textbox", name=JA("assignment.body")).fill("## 連携先マップ\n市役所・法テラス・労働局")
    page.get_by_text(JA("assignment.attach")).first.click()  # leave the text box
    wait_idle(page)
    page.locator("input[type=file]").set_input_files(str(pdf))
    wait_idle(page)
    expect(page.get_by_role("button", name="記録.pdf")).to_be_visible()
    page.get_by_text(JA("assignment.confirm_final")).click()
    wait_idle(page)
    page.get_by_role("button", name=JA("assignment.submit", version=1)).click()
    wait_idle(page)
    expect(page.get_by_text(JA("assignment.submitted_line", version=1, at="")[:6])).to_be_visible()


def test_progress_page_renders_its_tables(server, page):
    login(page, server.url, "demo-trainee", "/progress")
    for heading in ("progress.col_stage", "weekday.0", "progress.col_competency"):
        expect(page.get_by_role("columnheader", name=JA(heading), exact=True)).to_be_visible(timeout=20000)
    expect(page.locator(".js-plotly-plot")).to_have_count(0)
    expect(page.get_by_role("heading", name=JA("progress.checklist"))).to_be_visible()
