"""Chart builders (checked through fig.data), the competency profile and the certification checklist."""
from datetime import date, timedelta

from coordsupervise.certification import certification
from coordsupervise.dashboards import charts
from coordsupervise.practice import progress
from coordsupervise.programme import defaults, enrolments
from tests.conftest import DEMO_TODAY, actor_of


def test_stage_timeline_has_a_bar_per_stage_and_marks_today():
    cal = defaults.stage_calendar(date(2026, 4, 1))
    labels = {"online": "オンライン", "practical": "実践研修"}
    fig = charts.stage_timeline(cal, labels, date(2026, 7, 1), "今日")
    assert [trace.y[0] for trace in fig.data] == ["オンライン", "実践研修"]
    assert fig.data[1].x[0] == ((cal["practical"][1] - cal["practical"][0]).days + 1) * 86_400_000
    assert any(a.text == "今日" for a in fig.layout.annotations)


def test_practice_calendar_one_square_per_day_by_status():
    start = date(2026, 10, 19)
    statuses = {start + timedelta(days=i): s for i, s in enumerate(["submitted", "late", "missing", "off", "future"])}
    fig = charts.practice_calendar(statuses, {"submitted": "提出"}, list("月火水木金土日"))
    by_name = {trace.name: list(trace.text) for trace in fig.data}
    assert by_name["提出"] == ["2026-10-19"]
    assert sum(len(trace.text) for trace in fig.data) == 5
    assert list(fig.data[0].x) == ["月"] and list(fig.data[0].y) == ["10/19"]  # weekday across, week down


def test_calendar_weeks_are_named_by_their_first_working_day():
    """Not by a Sunday: a stage starting on a Wednesday names its first week 04/08, a holiday Monday moves the
    next week's name to the Tuesday."""
    start = date(2026, 4, 8)  # a Wednesday
    statuses = {start + timedelta(days=i): "submitted" for i in range(10)}
    statuses[date(2026, 4, 13)] = "off"
    for d in list(statuses):
        if d.weekday() >= 5:
            statuses[d] = "weekend"
    fig = charts.practice_calendar(statuses, {}, list("月火水木金土日"))
    assert list(fig.layout.yaxis.categoryarray) == ["04/14", "04/08"]
    assert list(fig.layout.xaxis.categoryarray) == list("月火水木金")


def test_competency_chart_puts_rubric_and_self_rating_side_by_side():
    profile = [{"code": "C1", "rubric_level": 3.5, "self_rating": 2.5}, {"code": "C2", "rubric_level": None,
                                                                          "self_rating": 3.0}]
    fig = charts.competency_chart(profile, {"C1": "在留", "C2": "文化"}, "評価", "自己評価", "合格")
    assert [trace.name for trace in fig.data] == ["評価", "自己評価", "合格"]  # the pass line named in the legend
    assert fig.data[1].marker.pattern.shape == "/"  # self-ratings hatched: not read as a released level
    assert not [a for a in fig.layout.annotations if a.text == "合格"]  # no label beside the line to hit a value
    assert {trace.textposition for trace in fig.data[:2]} == {"inside"}
    assert list(fig.data[0].y) == [3.5, None]
    assert fig.layout.yaxis.range == (0, 4.2)
    assert [a.text for a in fig.layout.annotations if a.text == "未採点"] == []  # no label given, none drawn
    labelled = charts.competency_chart(profile, {}, "評価", "自己評価", "合格", "未採点")
    assert [a.x for a in labelled.layout.annotations if a.text == "未採点"] == [0.8]  # C2's rubric slot only


def test_profile_and_checklist_for_the_demo_trainee(demo_db):
    actor = actor_of(demo_db, "demo-trainee")
    enrolment = enrolments.current_for_trainee(demo_db, actor)
    profile = progress.competency_profile(demo_db, actor, enrolment)
    assert [p["code"] for p in profile] == ["C1", "C2", "C3", "C4"]
    assert any(p["self_rating"] for p in profile)
    checks = {c.key: c for c in certification.checklist(demo_db, actor, enrolment, DEMO_TODAY)}
    assert list(checks) == ["cert.modules", "cert.overall_test", "cert.task_sheet", "cert.reflections",
                            "cert.final_report", "cert.assignments", "cert.workshop", "cert.certification_test"]
    assert checks["cert.workshop"].met is None  # the workshop is still to come
    assert checks["cert.task_sheet"].met is True


def test_checklist_of_a_finished_cohort_decides_everything(demo_db):
    manager = actor_of(demo_db, "demo-manager")
    enrolment_id = demo_db.value(
        "SELECT e.id FROM enrolment e JOIN certificate c ON c.enrolment_id = e.id LIMIT 1")
    enrolment = enrolments.load(demo_db, manager, enrolment_id)
    checks = certification.checklist(demo_db, manager, enrolment, DEMO_TODAY)
    assert all(c.met is not None for c in checks)
    assert {c.key for c in checks if c.met} >= {"cert.workshop", "cert.certification_test"}


def test_reflection_rate_counts_only_expected_days():
    d = date(2026, 10, 19)
    statuses = {d: "submitted", d + timedelta(1): "late", d + timedelta(2): "missing", d + timedelta(3): "off",
                d + timedelta(5): "weekend", d + timedelta(8): "future"}
    assert certification.reflection_rate(statuses) == (2, 3)
