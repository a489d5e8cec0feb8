"""The certification board, decisions with their audit rows, certificate numbering, the register, and who may do
what, proven by service call."""
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from coordsupervise.certification import certification, workshop
from coordsupervise.errors import AccessDenied, InvalidInput, StaleWrite
from coordsupervise.office import exports
from coordsupervise.practice import reflections
from coordsupervise.programme import enrolments
from tests.conftest import DEMO_TODAY, actor_of


def to_katakana(text: str) -> str:
    return "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in text)


def finished_cohort(db) -> int:
    return db.value("SELECT e.cohort_id FROM enrolment e JOIN app_user u ON u.id = e.trainee_id "
                    "WHERE u.username = 'demo-graduate'")


def practical_cohort(db) -> int:
    return db.value("SELECT e.cohort_id FROM enrolment e JOIN app_user u ON u.id = e.trainee_id "
                    "WHERE u.username = 'demo-trainee'")


def graduate(db) -> int:
    return db.value("SELECT e.id FROM enrolment e JOIN app_user u ON u.id = e.trainee_id "
                    "WHERE u.username = 'demo-graduate'")


def row_of(db, enrolment_id, actor=None):
    actor = actor or actor_of(db, "demo-manager")
    cohort_id = db.value("SELECT cohort_id FROM enrolment WHERE id = ?", [enrolment_id])
    return next(r for r in certification.board(db, actor, cohort_id, DEMO_TODAY) if r.enrolment_id == enrolment_id)


def check(db, enrolment_id, key):
    return next(c for c in row_of(db, enrolment_id).checks if c.key == key)


def set_threshold(db, cohort_id, column, value):
    db.write(lambda tx: tx.execute(f"UPDATE cohort SET {column} = ? WHERE id = ?", [value, cohort_id]))


# what the graduate actually achieved, per criterion with a threshold
ACHIEVED = {
    "module_pass_pct": ("cert.modules", "SELECT min(best) FROM (SELECT max(q.score_pct) AS best FROM quiz_attempt q "
                        "WHERE q.enrolment_id = ? GROUP BY q.module_id) b"),
    "overall_test_pass_pct": ("cert.overall_test", "SELECT max(score_pct) FROM test_attempt WHERE enrolment_id = ? "
                              "AND kind = 'overall'"),
    "certification_test_pass_pct": ("cert.certification_test", "SELECT max(score_pct) FROM test_attempt "
                                    "WHERE enrolment_id = ? AND kind = 'certification'"),
    "report_min_level": ("cert.final_report",
                         "SELECT min(level) FROM (SELECT max(x.level) AS level FROM score_criterion x "
                         "JOIN score s ON s.id = x.score_id AND s.status = 'released' "
                         "JOIN submission sub ON sub.id = s.submission_id "
                         "JOIN assignment a ON a.id = sub.assignment_id AND a.code = 'A8' "
                         "JOIN rubric_criterion rc ON rc.id = x.criterion_id WHERE sub.enrolment_id = ? "
                         "GROUP BY rc.competency) c"),
}


@pytest.mark.parametrize("column", [*ACHIEVED, "reflection_rate_pct"])
@pytest.mark.parametrize("offset, met", [(-1, True), (0, True), (1, False)], ids=["above", "at", "below"])
def test_each_threshold_is_met_at_and_above_it_and_not_below(demo_db, column, offset, met):
    enrolment_id, cohort_id = graduate(demo_db), finished_cohort(demo_db)
    if column == "reflection_rate_pct":
        key = "cert.reflections"
        achieved = check(demo_db, enrolment_id, key).params["rate"]
    else:
        key, sql = ACHIEVED[column]
        achieved = int(demo_db.value(sql, [enrolment_id]))
    set_threshold(demo_db, cohort_id, column, achieved + offset)
    assert check(demo_db, enrolment_id, key).met is met
    row = row_of(demo_db, enrolment_id)
    assert row.eligible is met  # everything else of the graduate is met


def test_workshop_needs_both_days_and_late_arrival_counts_with_its_note(demo_db):
    manager, enrolment_id, cohort_id = actor_of(demo_db, "demo-manager"), graduate(demo_db), finished_cohort(demo_db)
    workshop.record_attendance(demo_db, manager, cohort_id, [workshop.Attendance(enrolment_id, 2, "partial", "早退")])
    assert check(demo_db, enrolment_id, "cert.workshop").met is True
    workshop.record_attendance(demo_db, manager, cohort_id, [workshop.Attendance(enrolment_id, 2, "absent")])
    assert check(demo_db, enrolment_id, "cert.workshop").met is False


def test_a_cohort_in_its_practical_stage_shows_open_criteria_and_no_decisions(demo_db):
    rows = certification.board(demo_db, actor_of(demo_db, "demo-manager"), practical_cohort(demo_db), DEMO_TODAY)
    assert rows and all(r.decision is None for r in rows)
    for r in rows:
        marks = {c.key: c.met for c in r.checks}
        assert marks["cert.workshop"] is None and marks["cert.certification_test"] is None
    assert certification.board_counts(rows)["eligible"] == 0


def test_mid_stage_reflections_below_the_bar_are_marked_behind_not_just_open(demo_db):
    """Mid-stage, a trainee far below the reflection bar reads "behind" (△), one at or above it "met" (○)."""
    from coordsupervise.ui.certification import BEHIND, MARKS
    rows = certification.board(demo_db, actor_of(demo_db, "demo-manager"), practical_cohort(demo_db), DEMO_TODAY)
    checks = [next(c for c in r.checks if c.key == "cert.reflections") for r in rows]
    behind = [c for c in checks if c.behind]
    assert behind and all(c.met is None and c.params["rate"] < c.params["bar"] for c in behind)
    assert all(c.met is True for c in checks if c.params["rate"] >= c.params["bar"] and c.params["expected"])
    with_marks = [(r, c) for r, c in zip(rows, checks, strict=True)]
    marks = {BEHIND if c.met is None and c.behind else MARKS[c.met] for _, c in with_marks}
    assert BEHIND in marks and MARKS[None] not in marks


def test_board_agrees_with_the_practice_calendar_of_every_trainee(demo_db):
    """The board counts reflections in SQL; the trainee's calendar counts them day by day. They must agree."""
    manager = actor_of(demo_db, "demo-manager")
    for row in certification.board(demo_db, manager, practical_cohort(demo_db), DEMO_TODAY):
        enrolment = enrolments.load(demo_db, manager, row.enrolment_id)
        done, expected = certification.reflection_rate(reflections.calendar(demo_db, manager, enrolment, DEMO_TODAY))
        params = next(c for c in row.checks if c.key == "cert.reflections").params
        assert (params["done"], params["expected"]) == (done, expected), row.trainee_name


def test_board_puts_eligible_trainees_first_and_counts_them(demo_db):
    rows = certification.board(demo_db, actor_of(demo_db, "demo-manager"), finished_cohort(demo_db), DEMO_TODAY)
    flags = [r.eligible for r in rows]
    assert flags == sorted(flags, reverse=True) and any(flags) and not all(flags)
    counts = certification.board_counts(rows)
    assert counts["eligible"] == sum(flags) and counts["trainees"] == len(rows)
    decisions = {r.decision for r in rows}
    assert decisions == {"certified", "deferred", "not_certified"}


# -- decisions --------------------------------------------------------------------------------------------------------
def not_eligible(db):
    rows = certification.board(db, actor_of(db, "demo-manager"), finished_cohort(db), DEMO_TODAY)
    return next(r for r in rows if not r.eligible and r.decision == "deferred")


def test_certifying_against_the_checklist_needs_an_override_reason_and_shows_as_one(demo_db):
    manager, row = actor_of(demo_db, "demo-manager"), not_eligible(demo_db)
    with pytest.raises(InvalidInput) as refused:
        certification.decide(demo_db, manager, row.enrolment_id, "certified", "面談で確認した", DEMO_TODAY,
                             seen_decision_id=row.decision_id)
    assert refused.value.key == "certification.error_override_required"
    done = certification.decide(demo_db, manager, row.enrolment_id, "certified", "面談で確認した", DEMO_TODAY,
                                override_reason="再提出分を委員会で確認済み", seen_decision_id=row.decision_id)
    after = row_of(demo_db, row.enrolment_id)
    assert after.decision == "certified" and after.override_reason == "再提出分を委員会で確認済み"
    assert after.certificate_no == done.certificate_no
    history = certification.decision_history(demo_db, manager, row.enrolment_id)
    assert history.iloc[0]["override_reason"] == "再提出分を委員会で確認済み"


def test_every_decision_needs_a_reason_and_a_repeat_is_refused(demo_db):
    manager, row = actor_of(demo_db, "demo-manager"), not_eligible(demo_db)
    with pytest.raises(InvalidInput, match="certification.error_reason"):
        certification.decide(demo_db, manager, row.enrolment_id, "not_certified", "  ", DEMO_TODAY,
                             seen_decision_id=row.decision_id)
    with pytest.raises(InvalidInput, match="certification.error_same_decision"):
        certification.decide(demo_db, manager, row.enrolment_id, "deferred", "まだ", DEMO_TODAY,
                             seen_decision_id=row.decision_id)
    with pytest.raises(InvalidInput, match="certification.error_decision"):
        certification.decide(demo_db, manager, row.enrolment_id, "maybe", "?", DEMO_TODAY,
                             seen_decision_id=row.decision_id)


def test_a_decision_made_meanwhile_by_someone_else_is_not_overwritten(demo_db):
    manager, row = actor_of(demo_db, "demo-manager"), not_eligible(demo_db)
    certification.decide(demo_db, manager, row.enrolment_id, "not_certified", "期限までに再提出なし", DEMO_TODAY,
                         seen_decision_id=row.decision_id)
    with pytest.raises(StaleWrite):
        certification.decide(demo_db, manager, row.enrolment_id, "certified", "x", DEMO_TODAY, override_reason="y",
                             seen_decision_id=row.decision_id)


def test_decisions_and_reversals_write_audit_rows_and_a_reversal_revokes_the_certificate(demo_db):
    manager, enrolment_id = actor_of(demo_db, "demo-manager"), graduate(demo_db)
    before = row_of(demo_db, enrolment_id)
    number = before.certificate_no
    audits = demo_db.value("SELECT count(*) FROM audit_log WHERE entity = 'enrolment' AND entity_id = ?",
                           [str(enrolment_id)])
    reversed_ = certification.decide(demo_db, manager, enrolment_id, "not_certified", "研修中の重大な守秘義務違反",
                                     DEMO_TODAY, seen_decision_id=before.decision_id)
    assert reversed_.reversal
    action, after_json, reason = demo_db.one(
        "SELECT action, after_json, reason FROM audit_log WHERE entity_id = ? ORDER BY id DESC LIMIT 1",
        [str(enrolment_id)])
    assert action == "certification.reverse" and '"not_certified"' in after_json and reason.startswith("研修中")
    manager_view = certification.register(demo_db, manager, DEMO_TODAY, query=number)
    assert manager_view.empty  # a revoked certificate leaves the register
    again = certification.decide(demo_db, manager, enrolment_id, "certified", "再審査の結果、認定する", DEMO_TODAY,
                                 seen_decision_id=reversed_.decision_id)
    assert again.certificate_no == number  # stable: the same number is reinstated
    assert demo_db.value("SELECT count(*) FROM audit_log WHERE entity = 'enrolment' AND entity_id = ?",
                         [str(enrolment_id)]) == audits + 2


# -- certificate numbers --------------------------------------------------------------------------------------------
def test_certificate_numbers_follow_the_documented_format_and_are_unique(demo_db):
    numbers = [n for (n,) in demo_db.rows("SELECT certificate_no FROM certificate ORDER BY serial")]
    code = demo_db.value("SELECT code FROM cohort WHERE id = ?", [finished_cohort(demo_db)])
    assert numbers == [f"FRSC-{code}-{i:03d}" for i in range(1, len(numbers) + 1)]
    manager, row = actor_of(demo_db, "demo-manager"), not_eligible(demo_db)
    done = certification.decide(demo_db, manager, row.enrolment_id, "certified", "r", DEMO_TODAY,
                                override_reason="o", seen_decision_id=row.decision_id)
    assert done.certificate_no == f"FRSC-{code}-{len(numbers) + 1:03d}"
    assert demo_db.value("SELECT count(DISTINCT certificate_no) = count(*) FROM certificate")


def test_validity_is_three_years_to_the_day_before():
    assert certification.valid_until(date(2026, 4, 1), 3) == date(2029, 3, 31)
    assert certification.valid_until(date(2028, 2, 29), 3) == date(2031, 2, 27)
    today = date(2026, 6, 1)
    assert certification.validity(date(2026, 5, 31), today) == "expired"
    assert certification.validity(date(2026, 8, 30), today) == "expiring"
    assert certification.validity(date(2026, 9, 1), today) == "valid"


# -- register -------------------------------------------------------------------------------------------------------
def test_register_searches_name_reading_number_organisation_and_region(demo_db):
    manager = actor_of(demo_db, "demo-manager")
    everyone = certification.register(demo_db, manager, DEMO_TODAY)
    first = everyone.iloc[0]
    for query in (first["name"], to_katakana(first["kana"].replace(" ", "")[:3]), first["certificate_no"].lower(),
                  first["organisation"], first["region"]):
        found = certification.register(demo_db, manager, DEMO_TODAY, query=query)
        assert first["certificate_no"] in set(found["certificate_no"]), query
    assert certification.register(demo_db, manager, DEMO_TODAY, query="該当なしの名前").empty
    # three years after certification everyone has expired; shortly before, they are expiring
    later = max(everyone["valid_until"])
    assert set(certification.register(demo_db, manager, date(later.year + 1, 1, 1))["status"]) == {"expired"}
    soon = certification.register(demo_db, manager, later.replace(day=1), status="expiring")
    assert len(soon) >= 1 and set(soon["status"]) == {"expiring"}


def test_register_exports_are_formula_safe(demo_db):
    frame = certification.register(demo_db, actor_of(demo_db, "demo-manager"), DEMO_TODAY)
    frame.loc[0, "organisation"] = "=HYPERLINK(\"http://x\")"
    assert exports.csv_bytes(frame).startswith("\ufeff".encode())
    sheet = load_workbook(io.BytesIO(exports.xlsx_bytes(frame, "名簿"))).active
    values = [c.value for c in sheet[2]]
    assert "'=HYPERLINK(\"http://x\")" in values and all(c.data_type != "f" for c in sheet[2])


# -- who may do what ---------------------------------------------------------------------------------------------------
def test_only_managers_decide(demo_db):
    row = not_eligible(demo_db)
    for username in ("demo-admin", "demo-supervisor", "demo-graduate"):
        with pytest.raises(AccessDenied):
            certification.decide(demo_db, actor_of(demo_db, username), row.enrolment_id, "not_certified", "r",
                                 DEMO_TODAY, seen_decision_id=row.decision_id)


def test_supervisors_see_the_board_of_their_own_trainees_only(demo_db):
    # a supervisor with some, not all, of a cohort's trainees
    username, cohort_id = demo_db.one(
        "SELECT u.username, e.cohort_id FROM supervision s JOIN enrolment e ON e.id = s.enrolment_id "
        "JOIN app_user u ON u.id = s.supervisor_id WHERE NOT EXISTS (SELECT 1 FROM user_role r "
        "WHERE r.user_id = u.id AND r.role = 'manager') GROUP BY u.username, e.cohort_id "
        "HAVING count(*) < (SELECT count(*) FROM enrolment x WHERE x.cohort_id = e.cohort_id) ORDER BY 1, 2 LIMIT 1")
    supervisor = actor_of(demo_db, username)
    own = {e for (e,) in demo_db.rows("SELECT s.enrolment_id FROM supervision s JOIN enrolment e "
                                      "ON e.id = s.enrolment_id WHERE s.supervisor_id = ? AND e.cohort_id = ?",
                                      [supervisor.id, cohort_id])}
    seen = {r.enrolment_id for r in certification.board(demo_db, supervisor, cohort_id, DEMO_TODAY)}
    everyone = {r.enrolment_id for r in certification.board(demo_db, actor_of(demo_db, "demo-manager"), cohort_id,
                                                            DEMO_TODAY)}
    assert seen == own and seen < everyone
    stranger = next(iter(everyone - own))
    with pytest.raises(AccessDenied):
        certification.evidence(demo_db, supervisor, stranger)


def test_trainees_see_only_their_own_result_and_nobody_else_sees_the_board_or_register(demo_db):
    graduate_actor = actor_of(demo_db, "demo-graduate")
    own = certification.result(demo_db, graduate_actor, graduate(demo_db))
    assert own.decision == "certified" and own.certificate_no.startswith("FRSC-")
    other = demo_db.value("SELECT e.id FROM enrolment e WHERE e.cohort_id = ? AND e.id <> ? LIMIT 1",
                          [finished_cohort(demo_db), graduate(demo_db)])
    with pytest.raises(AccessDenied):
        certification.result(demo_db, graduate_actor, other)
    for username in ("demo-graduate", "demo-admin"):
        with pytest.raises(AccessDenied):
            certification.board(demo_db, actor_of(demo_db, username), finished_cohort(demo_db), DEMO_TODAY)
    for username in ("demo-graduate", "demo-admin", "demo-supervisor"):
        with pytest.raises(AccessDenied):
            certification.register(demo_db, actor_of(demo_db, username), DEMO_TODAY)


def test_a_manager_changes_a_cohorts_thresholds_with_a_reason_and_it_is_audited(demo_db):
    manager, cohort_id, enrolment_id = actor_of(demo_db, "demo-manager"), finished_cohort(demo_db), graduate(demo_db)
    with pytest.raises(InvalidInput, match="certification.error_threshold_reason"):
        certification.update_thresholds(demo_db, manager, cohort_id, {"certification_test_pass_pct": 100}, "")
    with pytest.raises(InvalidInput, match="certification.error_threshold_range"):
        certification.update_thresholds(demo_db, manager, cohort_id, {"report_min_level": 5}, "r")
    with pytest.raises(AccessDenied):
        certification.update_thresholds(demo_db, actor_of(demo_db, "demo-admin"), cohort_id,
                                        {"certification_test_pass_pct": 100}, "r")
    change = {"certification_test_pass_pct": 100, "module_pass_pct": 80}  # the second is unchanged
    assert certification.update_thresholds(demo_db, manager, cohort_id, change, "試験委員会の決定") == 1
    assert check(demo_db, enrolment_id, "cert.certification_test").met is False
    before, after, reason = demo_db.one("SELECT before_json, after_json, reason FROM audit_log "
                                        "WHERE action = 'cohort.thresholds'")
    assert '"certification_test_pass_pct": 70' in before and '100' in after and reason == "試験委員会の決定"
