"""The calendar's rules on any day: each test runs at every day of PROGRAMME_DAYS (a Monday, a Saturday, New
Year's Day, Golden Week, both sides of the fiscal-year turn, a leap day) on a demo built that day, with the
programme's clock at that day; and at a day inside each stage of one cohort."""
from datetime import date, timedelta

import pytest

from coordsupervise import clock
from coordsupervise.certification import certification
from coordsupervise.dashboards import dashboard, risk
from coordsupervise.errors import InvalidInput
from coordsupervise.practice import reflections
from coordsupervise.programme import cohorts, enrolments
from coordsupervise.programme.cohorts import STAGE_ORDER
from coordsupervise.scoring import scoring
from coordsupervise.store.db import Database
from tests.conftest import DEMO_TODAY, actor_of


@pytest.fixture
def world(programme_day):
    day, path = programme_day
    db = Database(path)
    yield day, db
    db.close()


def _working(db, day: date) -> bool:
    return day.weekday() < 5 and not cohorts.days_off(db, day, day)


def test_the_demo_and_the_clock_agree_on_the_day(world):
    day, db = world
    assert clock.today() == day
    assert db.value("SELECT value FROM app_setting WHERE key = 'demo_built'") == day.isoformat()
    stages = set(cohorts.overview(db, actor_of(db, "demo-manager"), day)["stage"])
    assert "practical" in stages and "online" in stages


def test_the_reflection_page_opens_on_the_last_working_day_up_to_today(world):
    day, db = world
    trainee = actor_of(db, "demo-trainee")
    enrolment = enrolments.current_for_trainee(db, trainee)
    start, end = enrolment.practical
    assert start <= day <= end
    opened = reflections.default_day(db, trainee, enrolment, day)
    assert start <= opened <= day
    left_off = db.value("SELECT count(*) FROM reflection WHERE enrolment_id = ? AND status = 'draft'", [enrolment.id]) \
        + db.value("SELECT count(*) FROM draft WHERE owner_id = ? AND draft_key LIKE 'reflection:%'", [trainee.id])
    if not left_off:  # else it opens where the trainee left off
        assert _working(db, opened)
        assert all(not _working(db, d) for d in (opened + timedelta(days=i) for i in range(1, (day - opened).days + 1)))


def test_the_calendar_never_counts_a_day_that_has_not_come_or_a_holiday(world):
    day, db = world
    trainee = actor_of(db, "demo-trainee")
    enrolment = enrolments.current_for_trainee(db, trainee)
    statuses = reflections.calendar(db, trainee, enrolment, day)
    start, end = enrolment.practical
    holidays = cohorts.days_off(db, start, end)
    for d, status in statuses.items():
        if d > day:
            assert status in ("future", "weekend", "off", "draft", "extra"), (d, status)
        if d in holidays:
            assert status in ("off", "extra"), (d, status)
    # yesterday's reflection may still be written today: its cut-off (the next day, 23:59) has not passed
    yesterday = day - timedelta(days=1)
    if _working(db, yesterday) and statuses.get(yesterday) not in (None, "submitted", "late", "draft", "off"):
        assert statuses[yesterday] == "open"


def test_a_day_off_until_its_cut_off_and_not_after(world):
    day, db = world
    trainee = actor_of(db, "demo-trainee")
    enrolment = enrolments.current_for_trainee(db, trainee)
    start, end = enrolment.practical
    taken = {d for (d,) in db.rows("SELECT practice_date FROM reflection WHERE enrolment_id = ?", [enrolment.id])}
    ahead = next(d for d in (day + timedelta(days=i) for i in range((end - day).days + 1)) if d not in taken)
    reflections.set_day_off(db, trainee, enrolment, ahead, "training")
    past = next(d for d in (day - timedelta(days=i) for i in range(2, (day - start).days + 1)) if d not in taken)
    with pytest.raises(InvalidInput) as late:
        reflections.set_day_off(db, trainee, enrolment, past, "training")
    assert late.value.key == "reflection.off_too_late"


def test_the_figures_of_every_cohort_answer(world):
    day, db = world
    manager = actor_of(db, "demo-manager")
    overview = cohorts.overview(db, manager, day)
    for cohort_id in overview["id"]:
        assert len(dashboard.funnel(db, manager, int(cohort_id), day)) > 0
    assert len(risk.at_risk(db, manager, day, None)) >= 0
    assert len(certification.register(db, manager, day)) > 0  # the oldest cohort is certified on any day
    second_marked = db.value(
        "SELECT min(e.cohort_id) FROM score sc JOIN moderation m ON m.score_id = sc.id "
        "JOIN submission s ON s.id = sc.submission_id JOIN enrolment e ON e.id = s.enrolment_id "
        "WHERE sc.released_at IS NOT NULL AND m.second_marker_id IS NOT NULL")
    assert scoring.scores_frame(db, manager, second_marked)["second_scorer"].notna().any()


@pytest.mark.parametrize("stage", STAGE_ORDER)
def test_a_cohort_on_a_day_inside_each_stage(demo_db, stage):
    """demo-trainee's cohort seen on a day inside each of its stages: the stage the cohort is in, the trainee's
    checklist and the reflection calendar all answer for that day."""
    trainee = actor_of(demo_db, "demo-trainee")
    manager = actor_of(demo_db, "demo-manager")
    enrolment = enrolments.current_for_trainee(demo_db, trainee)
    calendar = cohorts.calendars(demo_db, [enrolment.cohort_id])[enrolment.cohort_id]
    start, end = calendar[stage]
    day = start + (end - start) / 2
    clock.travel_to(day)
    try:
        assert cohorts.current_stage(calendar, day) == stage
        overview = cohorts.overview(demo_db, manager, day)
        assert overview.set_index("id").loc[enrolment.cohort_id, "stage"] == stage
        statuses = reflections.calendar(demo_db, trainee, enrolment, day)
        if stage == "online" or stage == "task_setting":
            assert "missing" not in statuses.values()  # nothing is owed before the practical stage starts
        assert certification.checklist(demo_db, manager, enrolment, day) is not None
    finally:
        clock.travel_to(DEMO_TODAY)
