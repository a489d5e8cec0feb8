"""Scoring: totals, drafts that survive, release, revision, stale refusal, audit rows, the 課題設定シート, second
marking (blind), and who may do what, proven by calling the services."""
import json

import pytest

from coordsupervise.certification import certification
from coordsupervise.errors import AccessDenied, InvalidInput, NotFound, StaleWrite
from coordsupervise.practice import assignments, progress
from coordsupervise.programme import enrolments
from coordsupervise.scoring import moderation, scoring
from tests.conftest import DEMO_TODAY, actor_of


def submission_of(db, username, code, version=None):
    return db.value("SELECT s.id FROM submission s JOIN assignment a ON a.id = s.assignment_id "
                    "JOIN enrolment e ON e.id = s.enrolment_id JOIN app_user u ON u.id = e.trainee_id "
                    "WHERE u.username = ? AND a.code = ? ORDER BY s.version DESC LIMIT 1", [username, code])


def criteria_of(db, submission_id):
    return [c for (c,) in db.rows("SELECT c.id FROM submission s JOIN assignment a ON a.id = s.assignment_id "
                                  "JOIN rubric_criterion c ON c.rubric_id = a.rubric_id WHERE s.id = ? "
                                  "ORDER BY c.seq", [submission_id])]


def audit_actions(db, submission_id):
    return [a for (a,) in db.rows("SELECT action FROM audit_log WHERE entity = 'submission' AND entity_id = ? "
                                  "ORDER BY id", [str(submission_id)])]


@pytest.fixture
def people(demo_db):
    return {name: actor_of(demo_db, name) for name in
            ("demo-supervisor", "demo-manager", "demo-trainee", "demo-admin", "supervisor-01")}


@pytest.fixture
def a2(demo_db):
    """demo-trainee's A2 (no second marking), waiting for demo-supervisor."""
    return submission_of(demo_db, "demo-trainee", "A2")


def test_totals_weight_levels_and_pass_needs_every_criterion_at_the_pass_level():
    criteria = [{"id": 1, "weight": 1}, {"id": 2, "weight": 3}]
    partial = scoring.totals(criteria, {2: 4}, pass_level=3)
    assert (partial.points, partial.max_points, partial.weighted_level, partial.passed) == (12, 16, 4, None)
    full = scoring.totals(criteria, {1: 2, 2: 4}, pass_level=3)
    assert full.weighted_level == 3.5 and full.complete and full.passed is False
    assert scoring.totals(criteria, {1: 3, 2: 3}, pass_level=3).passed is True


def test_demo_supervisor_has_work_and_demo_manager_has_blind_second_marking(demo_db, people, a2):
    rows, total = scoring.queue(demo_db, people["demo-supervisor"], scoring.QueueFilter())
    assert a2 in [r["submission_id"] for r in rows if r["state"] == "to_score"]
    counts = scoring.queue_counts(demo_db, people["demo-supervisor"], scoring.QueueFilter())["state"]
    assert counts["to_score"] >= 3 and counts["draft"] >= 1 and counts["with_manager"] == 1
    second, _ = scoring.queue(demo_db, people["demo-manager"], scoring.QueueFilter(state="to_second_mark"))
    assert len(second) == 2 and all(r["role"] == "second" for r in second)
    assert moderation.open_disagreements(demo_db, people["demo-manager"])
    # a revision requested and resubmitted: version 2 waits, with version 1's returned score beside it
    v2 = submission_of(demo_db, "demo-trainee", "A3")
    view = scoring.open_item(demo_db, people["demo-supervisor"], v2)
    assert view.version == 2 and view.earlier[0]["score_status"] == "returned"


def test_queue_filters_by_assignment_and_pages(demo_db, people):
    sup = people["demo-supervisor"]
    only_a3, total = scoring.queue(demo_db, sup, scoring.QueueFilter(assignment_code="A3"), limit=2)
    assert len(only_a3) == 2 and total > 2 and {r["code"] for r in only_a3} == {"A3"}
    following, _ = scoring.queue(demo_db, sup, scoring.QueueFilter(assignment_code="A3"), limit=2, offset=2)
    assert not {r["submission_id"] for r in following} & {r["submission_id"] for r in only_a3}


def test_save_draft_then_release_reaches_the_trainee_and_is_audited(demo_db, people, a2):
    sup, trainee = people["demo-supervisor"], people["demo-trainee"]
    [c1] = criteria_of(demo_db, a2)
    version = scoring.save_draft(demo_db, sup, a2, {c1: 2}, {c1: "確認が一部抜けています"}, "下書き", 0)
    enrolment = enrolments.current_for_trainee(demo_db, trainee)
    assignment_id = demo_db.value("SELECT assignment_id FROM submission WHERE id = ?", [a2])
    assert assignments.released_score(demo_db, trainee, enrolment, assignment_id) is None  # drafts stay private
    assert scoring.release(demo_db, sup, a2, {c1: 3}, {c1: "重要な事実を確認できています"}, "よくできました",
                           version) == "released"
    released = assignments.released_score(demo_db, trainee, enrolment, assignment_id)
    assert released.criteria[0]["level"] == 3 and released.overall_comment == "よくできました"
    c1_profile = next(p for p in progress.competency_profile(demo_db, trainee, enrolment) if p["code"] == "C1")
    assert c1_profile["rubric_count"] >= 1
    assert audit_actions(demo_db, a2) == ["score.save_draft", "score.release"]
    last = demo_db.one("SELECT before_json, after_json, actor_id FROM audit_log WHERE entity_id = ? "
                       "ORDER BY id DESC LIMIT 1", [str(a2)])
    assert json.loads(last[0])["criteria"][0]["level"] == 2 and json.loads(last[1])["criteria"][0]["level"] == 3
    assert last[2] == sup.id


def test_changing_a_released_score_needs_a_reason_and_records_it(demo_db, people, a2):
    sup = people["demo-supervisor"]
    [c1] = criteria_of(demo_db, a2)
    scoring.release(demo_db, sup, a2, {c1: 3}, {}, "", 0)
    seen = demo_db.value("SELECT row_version FROM score WHERE submission_id = ?", [a2])
    with pytest.raises(InvalidInput) as refused:
        scoring.release(demo_db, sup, a2, {c1: 4}, {}, "", seen)
    assert refused.value.key == "scoring.reason_required"
    scoring.release(demo_db, sup, a2, {c1: 4}, {}, "", seen, reason="添付の記録を見落としていた")
    assert demo_db.one("SELECT action, reason FROM audit_log WHERE entity_id = ? ORDER BY id DESC LIMIT 1",
                       [str(a2)]) == ("score.change", "添付の記録を見落としていた")


def test_a_stale_form_is_refused_and_the_work_is_kept(demo_db, people, a2):
    sup = people["demo-supervisor"]
    [c1] = criteria_of(demo_db, a2)
    scoring.save_draft(demo_db, sup, a2, {c1: 2}, {}, "一つ目のタブ", 0)
    with pytest.raises(StaleWrite):  # the second tab still believes there is no score
        scoring.save_draft(demo_db, sup, a2, {c1: 4}, {}, "二つ目のタブ", 0)
    assert demo_db.value("SELECT overall_comment FROM score WHERE submission_id = ?", [a2]) == "一つ目のタブ"
    kept = scoring.kept_work(demo_db, sup, a2)
    assert kept["levels"] == {c1: 4} and kept["overall"] == "二つ目のタブ" and kept["base_version"] == 0


def test_work_in_progress_survives_until_saved(demo_db, people, a2):
    sup = people["demo-supervisor"]
    [c1] = criteria_of(demo_db, a2)
    scoring.keep_work(demo_db, sup, a2, {c1: 3}, {c1: "途中"}, "", 0)
    assert scoring.kept_work(demo_db, sup, a2)["comments"] == {c1: "途中"}
    scoring.save_draft(demo_db, sup, a2, {c1: 3}, {c1: "途中"}, "", 0)
    assert scoring.kept_work(demo_db, sup, a2) is None


def test_revision_request_returns_the_work_with_comments(demo_db, people, a2):
    sup, trainee = people["demo-supervisor"], people["demo-trainee"]
    [c1] = criteria_of(demo_db, a2)
    with pytest.raises(InvalidInput):
        scoring.request_revision(demo_db, sup, a2, {c1: 2}, {}, "", 0)
    scoring.request_revision(demo_db, sup, a2, {c1: 2}, {c1: "在留期限の確認を"}, "再提出してください", 0)
    enrolment = enrolments.current_for_trainee(demo_db, trainee)
    assignment_id = demo_db.value("SELECT assignment_id FROM submission WHERE id = ?", [a2])
    request = assignments.revision_request(demo_db, trainee, enrolment, assignment_id)
    assert request["overall_comment"] == "再提出してください"
    assignments.save_draft(demo_db, trainee, enrolment, assignment_id, "改訂版")
    assignments.submit(demo_db, trainee, enrolment, assignment_id, 2)
    v2 = submission_of(demo_db, "demo-trainee", "A2")
    view = scoring.open_item(demo_db, sup, v2)
    assert view.version == 2 and view.score_status is None
    assert view.earlier[0]["criteria"][0]["comment"] == "在留期限の確認を"


def test_task_setting_sheet_approval_satisfies_the_checklist(demo_db, people):
    sup = people["demo-supervisor"]
    sheet = demo_db.value("SELECT s.id FROM submission s JOIN assignment a ON a.id = s.assignment_id "
                          "WHERE a.code = 'A1' AND s.status = 'submitted'")
    with pytest.raises(InvalidInput):
        scoring.decide_sheet(demo_db, sup, sheet, False, "")
    scoring.decide_sheet(demo_db, sup, sheet, True, "")
    enrolment_id = demo_db.value("SELECT enrolment_id FROM submission WHERE id = ?", [sheet])
    enrolment = enrolments.load(demo_db, people["demo-manager"], enrolment_id)
    checks = {c.key: c.met for c in certification.checklist(demo_db, people["demo-manager"], enrolment, DEMO_TODAY)}
    assert checks["cert.task_sheet"] is True
    assert audit_actions(demo_db, sheet)[-1] == "sheet.approve"
    with pytest.raises(StaleWrite):
        scoring.decide_sheet(demo_db, sup, sheet, True, "")


def _to_second_marking(demo_db, people):
    """demo-trainee's A2 made second-marked for all: released by demo-supervisor, it goes to a second marker."""
    demo_db.write(lambda tx: tx.execute("UPDATE assignment SET moderation_rule = 'all', moderation_tolerance = 0 "
                                        "WHERE code = 'A2'"))
    a2 = submission_of(demo_db, "demo-trainee", "A2")
    [c1] = criteria_of(demo_db, a2)
    assert scoring.release(demo_db, people["demo-supervisor"], a2, {c1: 3}, {c1: "第一"}, "第一評価", 0) \
        == "second_marking"
    marker = demo_db.value("SELECT m.second_marker_id FROM moderation m JOIN score sc ON sc.id = m.score_id "
                           "WHERE sc.submission_id = ?", [a2])
    return a2, c1, next(a for a in people.values() if a.id == marker)


def test_second_marking_is_blind_and_agreement_lets_the_first_marker_release(demo_db, people):
    a2, c1, second = _to_second_marking(demo_db, people)
    assert second.id != people["demo-supervisor"].id
    trainee = people["demo-trainee"]
    enrolment = enrolments.current_for_trainee(demo_db, trainee)
    assignment_id = demo_db.value("SELECT assignment_id FROM submission WHERE id = ?", [a2])
    assert assignments.released_score(demo_db, trainee, enrolment, assignment_id) is None
    view = scoring.open_item(demo_db, second, a2)
    assert view.role == "second" and view.levels == {} and view.overall_comment == "" and view.scorer_name is None
    with pytest.raises(AccessDenied):  # nor the evidence, nor any first-marker action
        scoring.evidence(demo_db, second, a2)
    with pytest.raises(AccessDenied):
        scoring.release(demo_db, second, a2, {c1: 3}, {}, "", view.row_version)
    assert scoring.second_mark(demo_db, second, a2, {c1: 3}, {}, "妥当", view.row_version) == "agreed"
    state = {r["submission_id"]: r["state"] for r in
             scoring.queue(demo_db, people["demo-supervisor"], scoring.QueueFilter(state="ready"))[0]}
    assert state[a2] == "ready"
    seen = scoring.open_item(demo_db, people["demo-supervisor"], a2).row_version
    assert scoring.release(demo_db, people["demo-supervisor"], a2, {c1: 3}, {c1: "第一"}, "第一評価", seen) \
        == "released"
    assert assignments.released_score(demo_db, trainee, enrolment, assignment_id).criteria[0]["level"] == 3


def test_a_disagreement_waits_for_a_manager_who_records_the_agreed_score(demo_db, people):
    a2, c1, second = _to_second_marking(demo_db, people)
    sup, manager = people["demo-supervisor"], people["demo-manager"]
    blind = scoring.open_item(demo_db, second, a2)
    assert scoring.second_mark(demo_db, second, a2, {c1: 1}, {c1: "確認漏れ"}, "", blind.row_version) == "disagreed"
    seen = scoring.open_item(demo_db, sup, a2).row_version
    with pytest.raises(StaleWrite):
        scoring.release(demo_db, sup, a2, {c1: 3}, {}, "", seen)
    item = next(d for d in moderation.open_disagreements(demo_db, manager) if d.submission_id == a2)
    pair = moderation.side_by_side(demo_db, manager, item.moderation_id)
    assert [(c["first_level"], c["second_level"]) for c in pair["criteria"]] == [(3, 1)]
    with pytest.raises(InvalidInput):
        moderation.resolve(demo_db, manager, item.moderation_id, {c1: 2}, "", item.row_version)
    moderation.resolve(demo_db, manager, item.moderation_id, {c1: 2}, "期限確認の漏れを重く見た", item.row_version)
    with pytest.raises(StaleWrite):
        moderation.resolve(demo_db, manager, item.moderation_id, {c1: 2}, "二度目", item.row_version)
    view = scoring.open_item(demo_db, sup, a2)
    assert view.levels == {c1: 2}
    with pytest.raises(InvalidInput):  # the agreed level cannot be swapped on release
        scoring.release(demo_db, sup, a2, {c1: 3}, {}, "", view.row_version)
    assert scoring.release(demo_db, sup, a2, {c1: 2}, {}, "", view.row_version) == "released"
    assert audit_actions(demo_db, a2) == ["score.to_second_marking", "moderation.second_mark",
                                          "moderation.resolve", "score.release"]
    trail = scoring.audit_trail(demo_db, manager, a2).entries
    assert trail[2].reason == "期限確認の漏れを重く見た" and trail[2].actor == manager.display_name


# -- access, by service call ------------------------------------------------------------------------------------
FIRST_MARKER_CALLS = [
    lambda db, actor, sid, c: scoring.open_item(db, actor, sid),
    lambda db, actor, sid, c: scoring.evidence(db, actor, sid),
    lambda db, actor, sid, c: scoring.keep_work(db, actor, sid, {c: 3}, {}, "", 0),
    lambda db, actor, sid, c: scoring.kept_work(db, actor, sid),
    lambda db, actor, sid, c: scoring.save_draft(db, actor, sid, {c: 3}, {}, "", 0),
    lambda db, actor, sid, c: scoring.release(db, actor, sid, {c: 3}, {}, "", 0),
    lambda db, actor, sid, c: scoring.request_revision(db, actor, sid, {c: 3}, {}, "再提出", 0),
    lambda db, actor, sid, c: scoring.decide_sheet(db, actor, sid, True, ""),
    lambda db, actor, sid, c: scoring.second_mark(db, actor, sid, {c: 3}, {}, "", 0),
    lambda db, actor, sid, c: scoring.discard_work(db, actor, sid),
]


@pytest.mark.parametrize("who", ["supervisor-01", "demo-trainee", "demo-admin"])
@pytest.mark.parametrize("call", FIRST_MARKER_CALLS)
def test_only_the_trainees_supervisor_or_named_second_marker_may_score(demo_db, people, a2, who, call):
    [c1] = criteria_of(demo_db, a2)
    with pytest.raises(AccessDenied):
        call(demo_db, people[who], a2, c1)
    assert demo_db.value("SELECT count(*) FROM score WHERE submission_id = ?", [a2]) == 0


@pytest.mark.parametrize("who", ["demo-trainee", "demo-admin"])
def test_queue_and_export_are_for_staff(demo_db, people, who):
    with pytest.raises(AccessDenied):
        scoring.queue(demo_db, people[who], scoring.QueueFilter())
    with pytest.raises(AccessDenied):
        scoring.queue_counts(demo_db, people[who], scoring.QueueFilter())
    with pytest.raises(AccessDenied):
        scoring.scores_frame(demo_db, people[who], 1)


@pytest.mark.parametrize("who", ["demo-supervisor", "demo-trainee", "demo-admin"])
def test_only_managers_resolve_read_agreement_and_the_audit_trail(demo_db, people, a2, who):
    actor = people[who]
    item = moderation.open_disagreements(demo_db, people["demo-manager"])[0]
    for call in (lambda: moderation.open_disagreements(demo_db, actor),
                 lambda: moderation.side_by_side(demo_db, actor, item.moderation_id),
                 lambda: moderation.resolve(demo_db, actor, item.moderation_id, {}, "理由", item.row_version),
                 lambda: moderation.agreement(demo_db, actor),
                 lambda: scoring.audit_trail(demo_db, actor, a2)):
        with pytest.raises(AccessDenied):
            call()


def test_a_draft_submission_is_nobodys_to_score(demo_db, people, new_trainee):
    actor, enrolment = new_trainee
    assignment_id = demo_db.value("SELECT id FROM assignment WHERE cohort_id = ? AND code = 'A2'",
                                  [enrolment.cohort_id])
    assignments.save_draft(demo_db, actor, enrolment, assignment_id, "書きかけ")
    sid = demo_db.value("SELECT id FROM submission WHERE enrolment_id = ?", [enrolment.id])
    with pytest.raises(NotFound):
        scoring.open_item(demo_db, people["demo-supervisor"], sid)


def test_export_has_the_columns_asked_for_and_only_visible_trainees(demo_db, people):
    # a cohort with a released, second-marked score (which cohort has one depends on the demo's day)
    cohort_id = demo_db.value(
        "SELECT min(e.cohort_id) FROM score sc JOIN moderation m ON m.score_id = sc.id "
        "JOIN submission s ON s.id = sc.submission_id JOIN enrolment e ON e.id = s.enrolment_id "
        "WHERE sc.released_at IS NOT NULL AND m.second_marker_id IS NOT NULL")
    assert cohort_id is not None
    frame = scoring.scores_frame(demo_db, people["demo-manager"], cohort_id)
    assert list(frame.columns) == ["trainee", "assignment", "assignment_title", "version", "criterion", "level",
                                   "points", "scorer", "second_scorer", "released_at"]
    assert len(frame) > 0 and frame["second_scorer"].notna().any()
    other = scoring.scores_frame(demo_db, people["supervisor-01"], cohort_id)
    assert len(other) < len(frame)


def test_the_resubmission_diff_shows_what_changed_and_nothing_when_nothing_did():
    old, new = "一行目\n二行目\n三行目", "一行目\n二行目を書き直した\n三行目"
    lines = scoring.resubmission_diff(old, new)
    assert [(line.kind, line.text) for line in lines] == [
        ("same", "一行目"), ("removed", "二行目"), ("added", "二行目を書き直した"), ("same", "三行目")]
    assert [text for text, changed in lines[2].parts if changed] == ["を書き直した"]
    assert scoring.resubmission_diff(new, new) == []
