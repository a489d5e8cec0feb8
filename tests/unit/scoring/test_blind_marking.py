"""Blind second marking, path by path: a manager who is the named second marker of a piece of work gets no trace of
the first marker's levels or comments from any service a screen or a download reads (the audit trail, the
moderation side-by-side, the score export, the trainee's profile and evidence, the certification evidence, the
scoring view and queue) until their own second marking is handed in; after that the paths that show a first
marking show it. The first marking carries a comment no other text in the demo has, so "no trace" is a search."""
import dataclasses
import json

import pandas as pd
import pytest

from coordsupervise.certification import certification
from coordsupervise.clock import now_utc
from coordsupervise.dashboards import dashboard
from coordsupervise.errors import AccessDenied
from coordsupervise.office import exports
from coordsupervise.practice import assignments, progress
from coordsupervise.programme import enrolments
from coordsupervise.scoring import moderation, scoring
from tests.conftest import DEMO_TODAY, actor_of

CRITERION_SECRET = "在留カードの裏面まで確認した点を高く評価-FIRSTMARKER-7Q"
OVERALL_SECRET = "第一評価者だけが知る総評-FIRSTMARKER-9Z"
SECRETS = (CRITERION_SECRET, OVERALL_SECRET, "FIRSTMARKER")


def shown(value) -> str:
    """Everything a service handed back, as one text to search (frames as CSV, dataclasses field by field)."""
    if isinstance(value, pd.DataFrame):
        return value.to_csv()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return repr(dataclasses.asdict(value))
    if isinstance(value, dict):
        return repr({k: shown(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return repr([shown(v) for v in value])
    return repr(value)


def assert_no_trace(value):
    text = shown(value)
    assert not [s for s in SECRETS if s in text], text[:2000]


def to_blind_second_marking(db, code: str) -> dict:
    """demo-trainee's newest version of `code`, first-marked by demo-supervisor (a draft at level 3, then handed in
    at level 2 with the distinctive comments) and waiting for demo-manager's blind second marking."""
    db.write(lambda tx: tx.execute("UPDATE assignment SET moderation_rule = 'all', moderation_tolerance = 0 "
                                   "WHERE code = ?", [code]))
    submission = db.value("SELECT s.id FROM submission s JOIN assignment a ON a.id = s.assignment_id "
                          "JOIN enrolment e ON e.id = s.enrolment_id JOIN app_user u ON u.id = e.trainee_id "
                          "WHERE u.username = 'demo-trainee' AND a.code = ? ORDER BY s.version DESC LIMIT 1", [code])
    criteria = [c for (c,) in db.rows("SELECT c.id FROM submission s JOIN assignment a ON a.id = s.assignment_id "
                                      "JOIN rubric_criterion c ON c.rubric_id = a.rubric_id WHERE s.id = ? "
                                      "ORDER BY c.seq", [submission])]
    first, manager = actor_of(db, "demo-supervisor"), actor_of(db, "demo-manager")
    version = scoring.save_draft(db, first, submission, {c: 3 for c in criteria},
                                 {c: "下書きの所見 FIRSTMARKER" for c in criteria}, "下書きの総評 FIRSTMARKER", 0)
    assert scoring.release(db, first, submission, {c: 2 for c in criteria}, {c: CRITERION_SECRET for c in criteria},
                           OVERALL_SECRET, version) == "second_marking"
    db.write(lambda tx: tx.execute("UPDATE moderation SET second_marker_id = ? WHERE score_id = "
                                   "(SELECT id FROM score WHERE submission_id = ?)", [manager.id, submission]))
    enrolment = enrolments.load(db, manager, db.value("SELECT enrolment_id FROM submission WHERE id = ?",
                                                      [submission]))
    assert scoring.open_item(db, manager, submission).role == "second"
    return {"db": db, "submission": submission, "criteria": criteria, "criterion": criteria[0], "first": first,
            "manager": manager, "enrolment": enrolment,
            "assignment": db.value("SELECT assignment_id FROM submission WHERE id = ?", [submission]),
            "moderation": db.value("SELECT m.id FROM moderation m JOIN score sc ON sc.id = m.score_id "
                                   "WHERE sc.submission_id = ?", [submission])}


@pytest.fixture
def blind(demo_db):
    """demo-trainee's A2 (one criterion, C1) waiting for demo-manager's blind second marking."""
    return to_blind_second_marking(demo_db, "A2")


def hand_in(b, level: int) -> str:
    view = scoring.open_item(b["db"], b["manager"], b["submission"])
    return scoring.second_mark(b["db"], b["manager"], b["submission"], {c: level for c in b["criteria"]},
                               {c: "第二評価の所見" for c in b["criteria"]}, "第二評価の総評", view.row_version)


def first_marker_levels(log: scoring.ChangeLog) -> list:
    return [c for e in log.entries for c in e.changes if c.what == "level"]


def test_the_audit_trail_holds_back_the_first_marking_until_the_second_is_handed_in(blind):
    db, manager, sid = blind["db"], blind["manager"], blind["submission"]
    log = scoring.audit_trail(db, manager, sid)
    assert log.withheld and log.entries == []
    assert_no_trace(log)
    hand_in(blind, 2)
    log = scoring.audit_trail(db, manager, sid)
    assert not log.withheld
    assert [e.action for e in log.entries] == ["score.save_draft", "score.to_second_marking",
                                               "moderation.second_mark"]
    assert first_marker_levels(log) == [scoring.Change("level", "C1", None, 3), scoring.Change("level", "C1", 3, 2)]
    # readable, never the stored JSON: the log says a comment changed, the text stays in the score view
    changes = log.entries[1].changes
    assert scoring.Change("comment", "C1", after="changed") in changes
    assert scoring.Change("status", before="draft", after="moderation") in changes
    assert scoring.Change("outcome", after="agreed") in log.entries[2].changes
    assert_no_trace(log)


def test_the_first_marker_reads_the_trail_while_the_second_marking_is_open(blind):
    db, sid = blind["db"], blind["submission"]
    with pytest.raises(AccessDenied):  # the trail stays a manager's
        scoring.audit_trail(db, actor_of(db, "demo-admin"), sid)
    db.write(lambda tx: tx.execute("INSERT INTO user_role (user_id, role) VALUES (?, 'manager')",
                                   [blind["first"].id]))
    log = scoring.audit_trail(db, actor_of(db, "demo-supervisor"), sid)
    assert not log.withheld and len(first_marker_levels(log)) == 2


def test_the_blind_also_covers_the_earlier_versions_of_the_same_work(demo_db):
    """demo-trainee's A3 was returned for revision (version 1) and resubmitted: the second marker of version 2
    would learn the first marker's view from version 1's trail, so that waits for the hand-in too."""
    b = to_blind_second_marking(demo_db, "A3")
    earlier = demo_db.value("SELECT s.id FROM submission s JOIN submission v ON v.assignment_id = s.assignment_id "
                            "AND v.enrolment_id = s.enrolment_id AND v.version = s.version + 1 WHERE v.id = ?",
                            [b["submission"]])
    demo_db.write(lambda tx: tx.execute(
        "INSERT INTO audit_log (occurred_at, actor_id, action, entity, entity_id, before_json, after_json) "
        "VALUES (?, ?, 'score.request_revision', 'submission', ?, NULL, ?)",
        [now_utc(), b["first"].id, str(earlier), json.dumps(
            {"status": "returned", "overall_comment": OVERALL_SECRET,
             "criteria": [{"seq": 1, "competency": "C3", "level": 2, "comment": CRITERION_SECRET}]})]))
    log = scoring.audit_trail(demo_db, b["manager"], earlier)
    assert log.withheld and log.entries == []
    hand_in(b, 2)
    log = scoring.audit_trail(demo_db, b["manager"], earlier)
    assert first_marker_levels(log) == [scoring.Change("level", "C3", None, 2)]
    assert_no_trace(log)  # the log words changes; comment texts are never in it


def test_the_moderation_side_by_side_waits_for_the_hand_in(blind):
    db, manager = blind["db"], blind["manager"]
    with pytest.raises(AccessDenied):
        moderation.side_by_side(db, manager, blind["moderation"])
    assert_no_trace(moderation.open_disagreements(db, manager))
    assert_no_trace(moderation.agreement(db, manager))
    assert hand_in(blind, 4) == "disagreed"
    pair = moderation.side_by_side(db, manager, blind["moderation"])
    assert pair["first_comment"] == OVERALL_SECRET
    assert [(c["first_level"], c["second_level"], c["first_comment"]) for c in pair["criteria"]] == [
        (2, 4, CRITERION_SECRET)]


def test_the_scoring_view_and_queue_of_the_second_marker_are_blind(blind):
    db, manager, sid = blind["db"], blind["manager"], blind["submission"]
    view = scoring.open_item(db, manager, sid)
    assert view.role == "second" and view.levels == {} and view.comments == {} and view.earlier == []
    assert_no_trace(view)
    assert_no_trace(scoring.queue(db, manager, scoring.QueueFilter()))
    assert_no_trace(scoring.kept_work(db, manager, sid))


def released_paths(b) -> dict:
    """What a manager's screens and downloads read about this trainee's scores."""
    db, manager, enrolment = b["db"], b["manager"], b["enrolment"]
    return {
        "export": scoring.scores_frame(db, manager, enrolment.cohort_id),
        "profile": assignments.released_score(db, manager, enrolment, b["assignment"]),
        "profile_chart": progress.competency_profile(db, manager, enrolment),
        "heatmap_evidence": dashboard.competency_evidence(db, manager, enrolment.id, "C1"),
        "heatmap": dashboard.competency_grid(db, manager, enrolment.cohort_id),
        "certification_evidence": certification.evidence(db, manager, enrolment.id),
        "certification_checklist": certification.checklist(db, manager, enrolment, DEMO_TODAY),
        "record_export": exports.trainee_record(db, manager, enrolment.id),
    }


def test_exports_profile_dashboard_and_certification_show_nothing_until_released(blind):
    before = released_paths(blind)
    assert_no_trace(before)
    mine = before["export"]
    assert mine[(mine["assignment"] == "A2") & (mine["trainee"] == blind["enrolment"].trainee_name)].empty
    assert before["profile"] is None
    assert hand_in(blind, 2) == "agreed"
    assert_no_trace(released_paths(blind))  # handed in and agreed, but not released: still nobody's to read
    seen = scoring.open_item(blind["db"], blind["first"], blind["submission"]).row_version
    assert scoring.release(blind["db"], blind["first"], blind["submission"], {blind["criterion"]: 2},
                           {blind["criterion"]: CRITERION_SECRET}, OVERALL_SECRET, seen) == "released"
    after = released_paths(blind)
    assert after["profile"].overall_comment == OVERALL_SECRET
    assert CRITERION_SECRET in shown(after["heatmap_evidence"])
    rows = after["export"]
    assert rows[(rows["assignment"] == "A2") & (rows["trainee"] == blind["enrolment"].trainee_name)]["level"] \
        .tolist() == [2]
