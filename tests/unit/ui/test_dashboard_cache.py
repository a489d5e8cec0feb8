"""The dashboards' cached reads (ui/cohorts.py) are shared by what a person may see, not by who they are: every
manager sees every cohort alike, so the second manager to open a figure gets the first one's answer without a
recount; each caller's own access is still checked (a deactivated manager gets nothing, cached or not), and a
supervisor, who sees only their own trainees, never gets a manager's answer."""
from __future__ import annotations

import pytest
import streamlit as st

from coordsupervise.dashboards import dashboard
from coordsupervise.errors import AccessDenied
from coordsupervise.programme import auth
from coordsupervise.ui import cohorts as ui_cohorts
from coordsupervise.ui import runtime
from tests.conftest import DEMO_TODAY, actor_of


@pytest.fixture
def served(demo_db, monkeypatch):
    monkeypatch.setattr(runtime, "database", lambda: demo_db)
    monkeypatch.setattr(ui_cohorts, "database", lambda: demo_db)
    st.cache_data.clear()
    yield demo_db
    st.cache_data.clear()


def _counting(monkeypatch, name: str) -> list:
    calls = []
    real = getattr(dashboard, name)

    def counted(db, actor, *args):
        calls.append(actor.username)
        return real(db, actor, *args)

    monkeypatch.setattr(dashboard, name, counted)
    return calls


def test_two_managers_share_one_count_of_a_cohort_and_each_is_checked(served, monkeypatch):
    admin, first = actor_of(served, "demo-admin"), actor_of(served, "demo-manager")
    auth.create_user(served, admin, "second-manager", "第二 管理者", "a-long-enough-password-1", ("manager",))
    second = actor_of(served, "second-manager")
    cohort_id = served.value("SELECT id FROM cohort ORDER BY id LIMIT 1")
    calls = _counting(monkeypatch, "funnel")

    mine = ui_cohorts.read("funnel", first, cohort_id, DEMO_TODAY)
    theirs = ui_cohorts.read("funnel", second, cohort_id, DEMO_TODAY)
    assert calls == ["demo-manager"]  # counted once, for both
    assert mine.equals(theirs)

    auth.set_active(served, admin, second.id, False)
    with pytest.raises(AccessDenied):
        ui_cohorts.read("funnel", second, cohort_id, DEMO_TODAY)  # the entry is cached; the person is refused
    assert calls == ["demo-manager"]


def test_a_supervisor_never_gets_a_managers_answer(served, monkeypatch):
    manager, supervisor = actor_of(served, "demo-manager"), actor_of(served, "demo-supervisor")
    cohort_id = served.value(  # a cohort where others supervise some trainees too
        "SELECT e.cohort_id FROM enrolment e LEFT JOIN supervision s ON s.enrolment_id = e.id "
        "AND s.supervisor_id = ? GROUP BY e.cohort_id HAVING count(s.enrolment_id) > 0 "
        "AND count(s.enrolment_id) < count(*) ORDER BY e.cohort_id DESC LIMIT 1", [supervisor.id])
    assert cohort_id is not None
    calls = _counting(monkeypatch, "reflection_grid")

    everyone = ui_cohorts.read("reflection_grid", manager, cohort_id, DEMO_TODAY)
    own = ui_cohorts.read("reflection_grid", supervisor, cohort_id, DEMO_TODAY)
    assert calls == ["demo-manager", "demo-supervisor"]
    assert own["enrolment_id"].nunique() < everyone["enrolment_id"].nunique()
    assert set(own["enrolment_id"]) == {e for (e,) in served.rows(
        "SELECT s.enrolment_id FROM supervision s JOIN enrolment e ON e.id = s.enrolment_id "
        "WHERE s.supervisor_id = ? AND e.cohort_id = ?", [supervisor.id, cohort_id])}


def test_a_managers_own_caseload_is_their_own(served):
    manager = actor_of(served, "demo-manager")
    assert ui_cohorts._viewer(manager) == ui_cohorts.MANAGERS
    assert ui_cohorts._viewer(manager, caseload=True) == manager
