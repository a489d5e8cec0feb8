"""The demo's closing stage for a finished cohort: loose ends of the practical stage tied up, workshop attendance,
discussion groups, certification test scores and the manager's decisions (most certified, one deferred, one not
certified). Called by demo/build.py inside its build transaction; everything goes through the same rules and writes as
the screens (the board's evidence, the rows `certification._record` writes, `workshop.plan_groups`), a cohort at a
time in bulk statements rather than a statement per trainee (per-row calls kept the 100-cohort build from finishing)."""
from __future__ import annotations

import json
from datetime import date

import pandas as pd

from ..access import Actor
from ..certification import certification, workshop
from ..clock import jst_to_utc, now_utc
from ..store.db import insert_frame


def close_cohort(tx, rng, enrolments: list[dict], calendar: dict, manager_id: int, cohort_id: int) -> None:
    manager = Actor(manager_id, "demo-manager", "", frozenset({"manager"}))
    day1, day2 = calendar["workshop_day1"][0], calendar["workshop_day2"][0]
    cert_day = calendar["certification"][0]
    weak = [e for e in enrolments if e["risk"]]
    # the last trainee waits for a revised final report: the deferred decision
    waiting = enrolments[-1] if len(enrolments) > 2 else None
    _tie_up_practical_stage(tx, [e["id"] for e in enrolments if not e["risk"] and e is not waiting], cohort_id,
                            jst_to_utc(day1, 9))
    absent_day2 = weak[0] if weak else None
    late = enrolments[1] if len(enrolments) > 1 else None
    attendance, tests = [], []
    for e in enrolments:
        for day, when in ((1, day1), (2, day2)):
            status, note = "present", ""
            if e is absent_day2 and day == 2:
                status, note = "absent", "体調不良のため欠席(事前連絡あり)"
            elif e is late and day == 1:
                status, note = "partial", "交通機関の遅延により30分遅刻"
            attendance.append((e["id"], day, status != "absent", status, note, manager_id, jst_to_utc(when, 18)))
        if e is not absent_day2:
            score = max(72.0, min(100.0, round(rng.gauss(84, 6)))) if not e["risk"] else 62.0
            tests.append((e["id"], "certification", 1, score, jst_to_utc(day2, 15)))
    insert_frame(tx, "workshop_attendance", pd.DataFrame(attendance, columns=[
        "enrolment_id", "day", "attended", "status", "note", "recorded_by", "recorded_at"]))
    insert_frame(tx, "test_attempt", pd.DataFrame(tests, columns=[
        "enrolment_id", "kind", "attempt_no", "score_pct", "taken_at"]))
    _groups(tx, manager, cohort_id)
    _decisions(tx, manager, cohort_id, cert_day, absent_day2)


def _tie_up_practical_stage(tx, enrolment_ids: list[int], cohort_id: int, at) -> None:
    """What a finished cohort's records look like once the office has chased every loose end: failed module
    quizzes retaken and passed, every submitted assignment scored and released, the final report at level 3+."""
    if not enrolment_ids:
        return
    tx.execute(
        "INSERT INTO quiz_attempt (enrolment_id, module_id, attempt_no, score_pct, taken_at, source) "
        "SELECT e.id, m.id, coalesce(max(q.attempt_no), 0) + 1, 86, ?, 'import' FROM enrolment e "
        "JOIN cohort c ON c.id = e.cohort_id AND c.id = ? JOIN module m ON m.programme_id = c.programme_id "
        "LEFT JOIN quiz_attempt q ON q.module_id = m.id AND q.enrolment_id = e.id "
        "WHERE e.id IN (SELECT unnest(?)) GROUP BY e.id, m.id "
        "HAVING coalesce(max(q.score_pct), 0) < max(coalesce(m.pass_pct, c.module_pass_pct)) ORDER BY e.id, m.id",
        [at, cohort_id, enrolment_ids])
    tx.execute("UPDATE score SET status = 'released', released_at = ? WHERE status = 'draft' AND submission_id IN "
               "(SELECT id FROM submission WHERE enrolment_id IN (SELECT unnest(?)))", [at, enrolment_ids])
    newest = tx.value("SELECT coalesce(max(id), 0) FROM score")
    tx.execute("INSERT INTO score (submission_id, scorer_id, status, overall_comment, released_at, updated_at) "
               "SELECT s.id, (SELECT min(v.supervisor_id) FROM supervision v WHERE v.enrolment_id = s.enrolment_id), "
               "'released', '概ね自立してできています。', ?, ? FROM submission s "
               "JOIN assignment a ON a.id = s.assignment_id WHERE s.enrolment_id IN (SELECT unnest(?)) "
               "AND a.kind = 'scored' AND NOT EXISTS (SELECT 1 FROM score x WHERE x.submission_id = s.id) "
               "ORDER BY s.enrolment_id, s.id", [at, at, enrolment_ids])
    tx.execute("INSERT INTO score_criterion (score_id, criterion_id, level, comment) "
               "SELECT x.id, c.id, 3, '' FROM score x JOIN submission s ON s.id = x.submission_id "
               "JOIN assignment a ON a.id = s.assignment_id JOIN rubric_criterion c ON c.rubric_id = a.rubric_id "
               "WHERE x.id > ? AND s.enrolment_id IN (SELECT unnest(?))", [newest, enrolment_ids])
    tx.execute("UPDATE score_criterion SET level = 3 WHERE level < 3 AND score_id IN (SELECT s.id FROM score s "
               "JOIN submission sub ON sub.id = s.submission_id JOIN assignment a ON a.id = sub.assignment_id "
               "WHERE sub.enrolment_id IN (SELECT unnest(?)) AND a.code = 'A8')", [enrolment_ids])
    tx.execute("UPDATE submission SET status = 'scored' WHERE enrolment_id IN (SELECT unnest(?)) "
               "AND status = 'submitted' AND id IN (SELECT submission_id FROM score WHERE status = 'released')",
               [enrolment_ids])


def _groups(tx, manager: Actor, cohort_id: int) -> None:
    candidates = workshop._candidates(tx, cohort_id)
    first = workshop.plan_groups(candidates, seed=cohort_id)
    workshop._write_groups(tx, manager, cohort_id, 1, cohort_id, first)
    met = {frozenset((a, b)) for group in first for i, a in enumerate(group) for b in group[i + 1:]}
    workshop._write_groups(tx, manager, cohort_id, 2, cohort_id + 1,
                           workshop.plan_groups(candidates, seed=cohort_id + 1, met_before=met))


def _decisions(tx, manager: Actor, cohort_id: int, cert_day: date, absent_day2: dict | None) -> None:
    """Each trainee's first decision, written as `certification._record` writes one (the decision, the certificate
    with the cohort's next serial, the audit row), for the whole cohort in three bulk inserts."""
    rules = certification.rules(tx, cohort_id)
    at = jst_to_utc(cert_day, 10)
    decided = []
    for row in certification._rows(tx, rules, cert_day, "TRUE", []):
        if row.eligible:
            decision, reason = "certified", "全ての認証基準を満たしている。"
        elif absent_day2 is not None and row.enrolment_id == absent_day2["id"]:
            decision, reason = "not_certified", "集合研修2日目を欠席し、修了認定テストを受験していない。"
        else:
            decision, reason = "deferred", "課題レポート等の再提出を待って判断する。"
        decided.append((row.enrolment_id, decision, reason, manager.id, at))
    if not decided:
        return
    insert_frame(tx, "certification_decision", pd.DataFrame(decided, columns=[
        "enrolment_id", "decision", "reason", "decided_by", "decided_at"]))
    decision_of = dict(tx.rows("SELECT enrolment_id, id FROM certification_decision WHERE enrolment_id IN "
                               "(SELECT unnest(?))", [[d[0] for d in decided]]))
    serial = tx.value("SELECT coalesce(max(k.serial), 0) FROM certificate k JOIN enrolment e ON e.id = k.enrolment_id "
                      "WHERE e.cohort_id = ?", [cohort_id])
    until = certification.valid_until(cert_day, rules.certificate_valid_years)
    certificates, audits, now = [], [], now_utc()
    for enrolment_id, decision, reason, _by, _at in decided:
        number = None
        if decision == "certified":
            serial += 1
            number = certification.certificate_number(rules, serial)
            certificates.append((enrolment_id, number, cert_day, until, serial))
        after = {"decision": decision, "decision_id": decision_of[enrolment_id], "override_reason": None,
                 "certificate_no": number}
        audits.append((now, manager.id, "certification.decide", "enrolment", str(enrolment_id), None,
                       json.dumps(after, ensure_ascii=False, default=str), reason))
    insert_frame(tx, "certificate", pd.DataFrame(certificates, columns=[
        "enrolment_id", "certificate_no", "issued_on", "valid_until", "serial"]))
    insert_frame(tx, "audit_log", pd.DataFrame(audits, columns=[
        "occurred_at", "actor_id", "action", "entity", "entity_id", "before_json", "after_json", "reason"]))
