"""Cached reads stay correct across app processes: every edit of cached content bumps the database's version stamp
in its own transaction, and every cached read (ui/runtime.py, ui/cohorts.py) is keyed by the stamp it reads.

Two Database objects on one database stand for two app processes: st.cache_data is process-wide, so the second
object's cached read would keep the value from before an edit made through the first, unless the stamp moved."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
import streamlit as st

from coordsupervise.certification import certification, workshop_import
from coordsupervise.dashboards import risk
from coordsupervise.errors import NotFound
from coordsupervise.privacy import retention
from coordsupervise.programme import caseload, cohorts
from coordsupervise.programme.enrolments import current_for_trainee
from coordsupervise.store import cache_stamp
from coordsupervise.store.engine import open_database
from coordsupervise.ui import cohorts as ui_cohorts
from coordsupervise.ui import runtime
from tests.conftest import DEMO_TODAY, actor_of


def test_every_office_edit_moves_the_stamp_and_a_refused_one_does_not(demo_db):
    admin, manager = actor_of(demo_db, "demo-admin"), actor_of(demo_db, "demo-manager")
    cohort_id, programme_id = demo_db.one("SELECT id, programme_id FROM cohort ORDER BY id LIMIT 1")
    start = cache_stamp.current(demo_db)

    risk.save_thresholds(demo_db, manager, programme_id, {**risk.DEFAULTS, "silent_days": 5})
    assert cache_stamp.current(demo_db) == start + 1
    setup = cohorts.setup_of(demo_db, admin, cohort_id)
    cohorts.update_cohort(demo_db, admin, cohort_id, replace(setup, name_ja=setup.name_ja + "（改）"))
    cohorts.add_programme_day_off(demo_db, admin, DEMO_TODAY, "創立記念日", "Founding day")
    retention.set_years(demo_db, admin, programme_id, 6)
    assert cache_stamp.current(demo_db) == start + 4

    with pytest.raises(NotFound):  # nothing written, so nothing to invalidate
        cohorts.remove_programme_day_off(demo_db, admin, DEMO_TODAY.replace(year=DEMO_TODAY.year - 5))
    assert cache_stamp.current(demo_db) == start + 4


def test_days_off_workshop_results_and_certification_move_the_stamp(demo_db):
    """What the cohort dashboards and at-risk lists show beyond the office's settings: a supervisor's day off (a
    missed day becomes a day off), the workshop's attendance and test scores (the funnel's steps), a cohort's
    certification thresholds and a decision (the funnel's gates, the certified step, the certification rate)."""
    manager = actor_of(demo_db, "demo-manager")
    enrolment = current_for_trainee(demo_db, actor_of(demo_db, "demo-trainee"))
    trainee = demo_db.value("SELECT username FROM app_user WHERE username = 'demo-trainee'")
    start = cache_stamp.current(demo_db)

    caseload.mark_day_off(demo_db, actor_of(demo_db, "demo-supervisor"), enrolment.id,
                          enrolment.practical[0] + timedelta(days=1), "sick", "入院のため(本人から電話)")
    assert cache_stamp.current(demo_db) == start + 1
    attendance = f"ユーザー名,日目,出欠,備考\r\n{trainee},1,出席,\r\n".encode()
    assert workshop_import.commit_attendance(demo_db, manager, enrolment.cohort_id, attendance, "出欠.csv",
                                             confirmed_early=True) == 1
    assert cache_stamp.current(demo_db) == start + 2
    assert workshop_import.commit_attendance(demo_db, manager, enrolment.cohort_id, attendance, "出欠.csv",
                                             confirmed_early=True) == 0
    assert cache_stamp.current(demo_db) == start + 2  # the same file again changed nothing: caches stay
    scores = f"ユーザー名,得点\r\n{trainee},81\r\n".encode()
    assert workshop_import.commit_test_scores(demo_db, manager, enrolment.cohort_id, scores, "得点.csv",
                                              DEMO_TODAY, confirmed_early=True) == 1
    assert cache_stamp.current(demo_db) == start + 3
    bar = certification.thresholds(demo_db, manager, enrolment.cohort_id)["reflection_rate_pct"]
    certification.update_thresholds(demo_db, manager, enrolment.cohort_id, {"reflection_rate_pct": bar - 5},
                                    "病欠が多かった期のため")
    assert cache_stamp.current(demo_db) == start + 4
    certification.decide(demo_db, manager, enrolment.id, "deferred", "課題レポートの再提出を待つ", DEMO_TODAY,
                         seen_decision_id=certification.latest_decision_id(demo_db, enrolment.id), confirmed_early=True)
    assert cache_stamp.current(demo_db) == start + 5


@pytest.fixture
def two_processes(demo_db, demo_target, monkeypatch):
    """(first, second): two Database objects on one database (on each engine); the UI's cached reads use `second`."""
    first, second = demo_db, open_database(demo_target)
    monkeypatch.setattr(runtime, "database", lambda: second)
    monkeypatch.setattr(ui_cohorts, "database", lambda: second)
    st.cache_data.clear()
    yield first, second
    st.cache_data.clear()
    second.close()


def test_an_edit_through_one_process_is_seen_at_once_by_the_others_cached_reads(two_processes):
    first, second = two_processes
    admin, manager = actor_of(first, "demo-admin"), actor_of(second, "demo-manager")
    cohort_id = first.value("SELECT id FROM cohort ORDER BY id LIMIT 1")

    def names_seen_by_second() -> dict[int, str]:
        frame, _total = ui_cohorts.cohort_list(manager, DEMO_TODAY, None, None, "", 1)
        return dict(zip(frame["id"], frame["name_ja"], strict=True))

    before = names_seen_by_second()[cohort_id]
    stamp_before = runtime.content_stamp()
    setup = cohorts.setup_of(first, admin, cohort_id)
    cohorts.update_cohort(first, admin, cohort_id, replace(setup, name_ja="名称変更後のコホート"))

    assert names_seen_by_second()[cohort_id] == "名称変更後のコホート"
    # the entry cached before the edit is still there under the old stamp: only the stamp made the read fresh
    stale, _ = ui_cohorts._cohort_list(stamp_before, ui_cohorts.MANAGERS, DEMO_TODAY, None, None, "", 1, manager)
    assert dict(zip(stale["id"], stale["name_ja"], strict=True))[cohort_id] == before


def test_a_risk_threshold_saved_in_one_process_changes_the_other_processes_at_risk_list(two_processes):
    first, second = two_processes
    manager = actor_of(second, "demo-manager")
    programme_id = first.value("SELECT id FROM programme ORDER BY id LIMIT 1")
    risk.save_thresholds(first, actor_of(first, "demo-manager"), programme_id,
                         {**risk.DEFAULTS, "silent_days": 30, "min_rate_pct": 0})
    lenient = len(ui_cohorts.at_risk(manager, DEMO_TODAY, None))
    risk.save_thresholds(first, actor_of(first, "demo-manager"), programme_id,
                         {**risk.DEFAULTS, "silent_days": 1, "min_rate_pct": 100})
    strict = len(ui_cohorts.at_risk(manager, DEMO_TODAY, None))
    assert strict > lenient


def test_a_day_off_marked_in_one_process_shows_in_the_others_cached_dashboard(two_processes):
    first, second = two_processes
    manager = actor_of(second, "demo-manager")
    enrolment = current_for_trainee(first, actor_of(first, "demo-trainee"))
    grid = ui_cohorts.read("reflection_grid", manager, enrolment.cohort_id, DEMO_TODAY)
    missed = grid[(grid["enrolment_id"] == enrolment.id) & (grid["status"] == "missing")]["day"].iloc[0]
    caseload.mark_day_off(first, actor_of(first, "demo-supervisor"), enrolment.id, missed.date(), "sick",
                          "入院のため(本人から電話)")
    grid = ui_cohorts.read("reflection_grid", manager, enrolment.cohort_id, DEMO_TODAY)
    assert grid[(grid["enrolment_id"] == enrolment.id) & (grid["day"] == missed)]["status"].tolist() == ["off"]
