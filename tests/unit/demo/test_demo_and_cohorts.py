"""The demo programme is believable, deterministic, and follows domain.md."""
from datetime import date

from coordsupervise.demo.build import DEMO_ACCOUNTS, DEMO_PASSWORD, build_demo
from coordsupervise.programme import cohorts, defaults
from coordsupervise.programme.auth import load_login_user, verify_password
from coordsupervise.store.db import Database
from tests.conftest import DEMO_TODAY, actor_of


def test_demo_accounts_exist_with_their_roles(demo_db):
    roles = {name: set(load_login_user(demo_db, name).roles) for name in DEMO_ACCOUNTS}
    assert roles["demo-trainee"] == {"trainee"}
    assert "supervisor" in roles["demo-supervisor"]
    assert "manager" in roles["demo-manager"]
    assert roles["demo-admin"] == {"admin"}
    assert verify_password(DEMO_PASSWORD, load_login_user(demo_db, "demo-trainee").password_hash)


def test_demo_accounts_list_the_graduate(demo_db):
    # the login page lists DEMO_ACCOUNTS with a role read from the name's second part
    from coordsupervise.i18n import catalogue
    assert "demo-graduate" in DEMO_ACCOUNTS
    # the trainee of the finished cohort, and a graduate by their certificate (the role is derived, never stored)
    assert set(load_login_user(demo_db, "demo-graduate").roles) == {"trainee", "graduate"}
    for language in ("ja", "en"):
        assert all(f"role.{name.split('-')[1]}" in catalogue(language) for name in DEMO_ACCOUNTS)


def test_demo_cohort_codes_and_names_count_the_same_way(demo_db):
    rows = demo_db.rows("SELECT c.code, c.name_ja, c.name_en, min(s.starts_on) FROM cohort c "
                        "JOIN cohort_stage s ON s.cohort_id = c.id GROUP BY c.code, c.name_ja, c.name_en "
                        "ORDER BY min(s.starts_on)")
    assert len(rows) >= 3
    for number, (code, name_ja, name_en, _) in enumerate(rows, start=1):  # oldest first: 第1期
        assert name_ja.endswith(f"第{number}期") and name_en.endswith(f"cohort {number}")
        assert code.endswith(f"-{number:03d}")


def test_demo_supervisor_supervises_demo_trainee_and_others(demo_db):
    supervisor = load_login_user(demo_db, "demo-supervisor").id
    trainees = demo_db.rows(
        "SELECT u.username FROM supervision s JOIN enrolment e ON e.id = s.enrolment_id "
        "JOIN app_user u ON u.id = e.trainee_id WHERE s.supervisor_id = ?", [supervisor])
    names = {n for (n,) in trainees}
    assert "demo-trainee" in names and len(names) >= 5


def test_cohorts_at_three_stages(demo_db):
    frame = cohorts.overview(demo_db, actor_of(demo_db, "demo-manager"), DEMO_TODAY)
    assert set(frame["stage"]) >= {"online", "practical", "finished"}


def test_demo_has_the_programme_content(demo_db):
    assert demo_db.value("SELECT count(*) FROM module") == 15
    assert demo_db.value("SELECT count(*) FROM competency") == 4
    assert demo_db.value("SELECT count(DISTINCT code) FROM assignment") == len(defaults.ASSIGNMENTS)
    assert demo_db.value("SELECT count(*) FROM rubric_level") == 4 * demo_db.value(
        "SELECT count(*) FROM rubric_criterion")
    # unread reflections, unscored submissions, at-risk flags, certification of the finished cohort
    assert demo_db.value("SELECT count(*) FROM reflection r WHERE r.status = 'submitted' AND NOT EXISTS "
                         "(SELECT 1 FROM reflection_read x WHERE x.reflection_id = r.id)") > 0
    assert demo_db.value("SELECT count(*) FROM submission s JOIN assignment a ON a.id = s.assignment_id "
                         "WHERE a.kind = 'scored' AND NOT EXISTS (SELECT 1 FROM score x WHERE "
                         "x.submission_id = s.id)") > 0
    assert demo_db.value("SELECT count(*) FROM flag WHERE resolved_at IS NULL") > 0
    decisions = {d for (d,) in demo_db.rows("SELECT DISTINCT decision FROM certification_decision")}
    assert "certified" in decisions
    assert demo_db.value("SELECT count(*) FROM certificate") > 0


def test_reflection_text_is_varied_japanese(demo_db):
    events = [e for (e,) in demo_db.rows("SELECT event FROM reflection")]
    assert len(events) > 100
    assert len(set(events)) > 0.9 * len(events)
    assert all("相談" in e for e in events[:20])


def test_same_seed_same_programme(tmp_path):
    def fingerprint(path, seed):
        database = Database(path)
        build_demo(database, cohorts=2, trainees_per_cohort=3, seed=seed, today=date(2026, 11, 27))
        rows = database.rows("SELECT e.id, u.display_name, r.practice_date, r.event FROM reflection r "
                             "JOIN enrolment e ON e.id = r.enrolment_id JOIN app_user u ON u.id = e.trainee_id "
                             "ORDER BY r.id")
        database.close()
        return rows

    assert fingerprint(tmp_path / "a.duckdb", 5) == fingerprint(tmp_path / "b.duckdb", 5)
    assert fingerprint(tmp_path / "c.duckdb", 5) != fingerprint(tmp_path / "d.duckdb", 6)


def test_current_stage_boundaries():
    cal = defaults.stage_calendar(date(2026, 4, 1))
    assert cohorts.current_stage(cal, date(2026, 3, 31)) == "before"
    assert cohorts.current_stage(cal, date(2026, 4, 1)) == "online"
    assert cohorts.current_stage(cal, cal["practical"][0]) == "practical"
    assert cohorts.current_stage(cal, cal["certification"][0]) == "certification"
    assert cohorts.current_stage(cal, cal["certification"][0].replace(year=2027)) == "finished"
