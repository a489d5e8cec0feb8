"""The demo's closing stage for a finished cohort: loose ends of the practical stage tied up, workshop attendance,
discussion groups, certification test scores and the manager's decisions (most certified, one deferred, one not
certified). Called by demo.py inside its build transaction; everything goes through the same rules and writes as
the screens (the board's evidence, `certification._record`, `workshop.plan_groups`)."""
from __future__ import annotations

from datetime import date

from . import certification, workshop
from .access import Actor
from .demo import jst_to_utc


def close_cohort(tx, rng, enrolments: list[dict], calendar: dict, manager_id: int, cohort_id: int) -> None:
    manager = Actor(manager_id, "demo-manager", "", frozenset({"manager"}))
    day1, day2 = calendar["workshop_day1"][0], calendar["workshop_day2"][0]
    cert_day = calendar["certification"][0]
    weak = [e for e in enrolments if e["risk"]]
    # the last trainee waits for a revised final report: the deferred decision
    waiting = enrolments[-1] if len(enrolments) > 2 else None
    for e in enrolments:
        if not e["risk"] and e is not waiting:
            _tie_up_practical_stage(tx, e["id"], cohort_id, jst_to_utc(day1, 9))
    absent_day2 = weak[0] if weak else None
    late = enrolments[1] if len(enrolments) > 1 else None
    for e in enrolments:
        for day, when in ((1, day1), (2, day2)):
            status, note = "present", ""
            if e is absent_day2 and day == 2:
                status, note = "absent", "体調不良のため欠席(事前連絡あり)"
            elif e is late and day == 1:
                status, note = "partial", "交通機関の遅延により30分遅刻"
            tx.execute("INSERT INTO workshop_attendance (enrolment_id, day, attended, status, note, recorded_by, "
                       "recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       [e["id"], day, status != "absent", status, note, manager_id, jst_to_utc(when, 18)])
        if e is not absent_day2:
            score = max(72.0, min(100.0, round(rng.gauss(84, 6)))) if not e["risk"] else 62.0
            tx.execute("INSERT INTO test_attempt (enrolment_id, kind, attempt_no, score_pct, taken_at) "
                       "VALUES (?, 'certification', 1, ?, ?)", [e["id"], score, jst_to_utc(day2, 15)])
    _groups(tx, manager, cohort_id)
    _decisions(tx, manager, cohort_id, cert_day, absent_day2)


def _tie_up_practical_stage(tx, enrolment_id: int, cohort_id: int, at) -> None:
    """What a finished cohort's records look like once the office has chased every loose end: failed module
    quizzes retaken and passed, every submitted assignment scored and released, the final report at level 3+."""
    tx.execute(
        "INSERT INTO quiz_attempt (enrolment_id, module_id, attempt_no, score_pct, taken_at, source) "
        "SELECT ?, m.id, coalesce(max(q.attempt_no), 0) + 1, 86, ?, 'import' FROM module m "
        "JOIN cohort c ON c.programme_id = m.programme_id AND c.id = ? "
        "LEFT JOIN quiz_attempt q ON q.module_id = m.id AND q.enrolment_id = ? "
        "GROUP BY m.id HAVING coalesce(max(q.score_pct), 0) < max(c.module_pass_pct)",
        [enrolment_id, at, cohort_id, enrolment_id])
    tx.execute("UPDATE score SET status = 'released', released_at = ? WHERE status = 'draft' AND submission_id IN "
               "(SELECT id FROM submission WHERE enrolment_id = ?)", [at, enrolment_id])
    for sub_id, rubric_id in tx.rows(
            "SELECT s.id, a.rubric_id FROM submission s JOIN assignment a ON a.id = s.assignment_id "
            "WHERE s.enrolment_id = ? AND a.kind = 'scored' AND NOT EXISTS "
            "(SELECT 1 FROM score x WHERE x.submission_id = s.id)", [enrolment_id]):
        scorer = tx.value("SELECT supervisor_id FROM supervision WHERE enrolment_id = ? LIMIT 1", [enrolment_id])
        score_id = tx.value("INSERT INTO score (submission_id, scorer_id, status, overall_comment, released_at, "
                            "updated_at) VALUES (?, ?, 'released', '概ね自立してできています。', ?, ?) RETURNING id",
                            [sub_id, scorer, at, at])
        tx.execute("INSERT INTO score_criterion (score_id, criterion_id, level, comment) "
                   "SELECT ?, id, 3, '' FROM rubric_criterion WHERE rubric_id = ?", [score_id, rubric_id])
    tx.execute("UPDATE score_criterion SET level = 3 WHERE level < 3 AND score_id IN (SELECT s.id FROM score s "
               "JOIN submission sub ON sub.id = s.submission_id JOIN assignment a ON a.id = sub.assignment_id "
               "WHERE sub.enrolment_id = ? AND a.code = 'A8')", [enrolment_id])
    tx.execute("UPDATE submission SET status = 'scored' WHERE enrolment_id = ? AND status = 'submitted' AND id IN "
               "(SELECT submission_id FROM score WHERE status = 'released')", [enrolment_id])


def _groups(tx, manager: Actor, cohort_id: int) -> None:
    candidates = workshop._candidates(tx, cohort_id)
    first = workshop.plan_groups(candidates, seed=cohort_id)
    workshop._write_groups(tx, manager, cohort_id, 1, cohort_id, first)
    met = {frozenset((a, b)) for group in first for i, a in enumerate(group) for b in group[i + 1:]}
    workshop._write_groups(tx, manager, cohort_id, 2, cohort_id + 1,
                           workshop.plan_groups(candidates, seed=cohort_id + 1, met_before=met))


def _decisions(tx, manager: Actor, cohort_id: int, cert_day: date, absent_day2: dict | None) -> None:
    rules = certification.rules(tx, cohort_id)
    at = jst_to_utc(cert_day, 10)
    for row in certification._rows(tx, rules, cert_day, "TRUE", []):
        if row.eligible:
            decision, reason = "certified", "全ての認証基準を満たしている。"
        elif absent_day2 is not None and row.enrolment_id == absent_day2["id"]:
            decision, reason = "not_certified", "集合研修2日目を欠席し、修了認定テストを受験していない。"
        else:
            decision, reason = "deferred", "課題レポート等の再提出を待って判断する。"
        certification._record(tx, manager, rules, row.enrolment_id, decision, reason, "", None, cert_day, at)
