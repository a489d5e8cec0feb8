"""A programme manager opens the cohort dashboards: every chart draws without an error box, picking a funnel step
lists the right trainees, and clicking a square of the trainee × competency heatmap shows its evidence."""
import pytest
from playwright.sync_api import expect

from coordsupervise.dashboards import dashboard
from coordsupervise.i18n import translate
from coordsupervise.programme.auth import load_login_user
from coordsupervise.store.db import Database
from tests.conftest import DEMO_TODAY

from .conftest import login, wait_idle

JA = lambda key, **p: translate("ja", key, **p)  # noqa: E731


@pytest.fixture(scope="session")
def practical_cohort(demo_template):
    """The demo cohort in its practical stage: its code, each trainee's funnel step, and one heatmap square."""
    db = Database(demo_template)
    manager = load_login_user(db, "demo-manager").actor()
    choices = dashboard.cohort_choices(db, manager)
    code = choices[choices["practical_starts"].dt.date <= DEMO_TODAY].iloc[0]["code"]
    cohort_id = int(choices[choices["code"] == code].iloc[0]["id"])
    funnel = dashboard.funnel(db, manager, cohort_id, DEMO_TODAY)
    grid = dashboard.competency_grid(db, manager, cohort_id)
    db.close()
    return code, funnel, grid


def charts_drawn(page, n: int):
    """n chart elements, each drawn by plotly (which loads after the element appears)."""
    expect(page.locator("[data-testid=stPlotlyChart]")).to_have_count(n, timeout=30_000)
    if n:
        expect(page.locator(".js-plotly-plot")).to_have_count(n, timeout=30_000)


def pick_step(page, step: str, n: int):
    box = page.get_by_role("combobox", name=JA("dash.funnel_pick"))
    box.click()
    box.press_sequentially(JA(f"dash.step.{step}"))  # the list is virtual: filter it to the wanted option
    page.get_by_role("option", name=JA("dash.funnel_option", step=JA(f"dash.step.{step}"), n=n)).click()
    wait_idle(page)


def no_error_box(page):
    expect(page.locator("[data-testid=stException]")).to_have_count(0)
    expect(page.locator("[data-testid=stAlertContentError]")).to_have_count(0)


def test_manager_sees_every_cohort_with_charts(server, page):
    login(page, server.url, "demo-manager", "/cohorts")
    expect(page.get_by_role("heading", name=JA("nav.cohorts"))).to_be_visible()
    # timeline and the two comparisons, drawn by Vega-Lite (dashboards/vega.py), each in its picture
    expect(page.locator("[data-testid=stVegaLiteChart]")).to_have_count(3, timeout=30_000)
    expect(page.locator("[data-testid=stVegaLiteChart] canvas, [data-testid=stVegaLiteChart] svg.marks")
           ).to_have_count(3, timeout=30_000)
    expect(page.locator("[data-testid=stPlotlyChart]")).to_have_count(0)
    no_error_box(page)


def test_funnel_step_lists_its_trainees_and_a_heatmap_square_shows_evidence(server, page, practical_cohort):
    code, funnel, grid = practical_cohort
    login(page, server.url, "demo-manager", f"/cohort?cohort={code}")
    expect(page.get_by_role("heading", name=JA("nav.cohort"))).to_be_visible()
    # only the open tab is drawn: each tab's charts appear when it is opened, and the others' go
    for tab, n in (("dash.tab_reflections", 3), ("dash.tab_competencies", 2), ("dash.tab_online", 1),
                   ("dash.tab_funnel", 0)):  # the funnel is a table, its share drawn as a bar
        page.get_by_role("tab", name=JA(tab)).click()
        wait_idle(page)
        no_error_box(page)
        charts_drawn(page, n)

    standing = funnel["step"].value_counts()
    empty = next(s for s in reversed(dashboard.FUNNEL_STEPS) if s not in standing.index)
    for step in (empty, standing.index[0]):  # a step nobody stands at, then the busiest one
        pick_step(page, step, int(standing.get(step, 0)))
        assert f"step={step}" in page.url
        panel = page.locator("[role=tabpanel]:visible")
        for row in funnel.itertuples():
            expect(panel.locator(f"a[href$='trainee?e={row.enrolment_id}']")).to_have_count(int(row.step == step))
        if step == empty:
            expect(panel.get_by_text(JA("dash.funnel_nobody"))).to_be_visible()

    page.get_by_role("tab", name=JA("dash.tab_competencies")).click()
    wait_idle(page)
    square = page.locator(".st-key-cohort_grid .scatterlayer .point").first
    square.scroll_into_view_if_needed()
    box = square.bounding_box()  # plotly's drag layer lies on top and turns a click there into a selection
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    wait_idle(page)
    evidence = page.locator(".st-key-cohort_evidence")
    expect(evidence).to_be_visible()
    query = dict(part.split("=", 1) for part in page.url.split("?", 1)[1].split("&"))
    cell = grid[(grid["enrolment_id"] == int(query["e"])) & (grid["competency"] == query["c"])].iloc[0]
    expect(evidence).to_contain_text(JA("dash.evidence_title", trainee=cell["trainee"], competency=cell["competency"]))
    expect(evidence).to_contain_text(JA("dash.evidence_scores", n=int(cell["scores"])))
