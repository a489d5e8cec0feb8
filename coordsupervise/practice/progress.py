"""Where a trainee stands: online results, practice-day record, competency profile."""
from __future__ import annotations

from ..access import Actor, require_enrolment_read
from ..programme.enrolments import Enrolment
from ..store.db import Database


def module_results(db: Database, actor: Actor, enrolment: Enrolment) -> list[dict]:
    """Each online module with the best quiz score, the number of attempts and whether it passes the cohort's bar."""
    require_enrolment_read(db, actor, enrolment.id)
    rows = db.dicts(
        "SELECT m.id, m.seq, m.group_code, m.title_ja, m.title_en, m.competency, max(q.score_pct) AS best, "
        "count(q.id) AS attempts, coalesce(m.pass_pct, ?) AS bar FROM module m "
        "JOIN cohort c ON c.programme_id = m.programme_id AND c.id = ? "
        "LEFT JOIN quiz_attempt q ON q.module_id = m.id AND q.enrolment_id = ? "
        "GROUP BY m.id, m.seq, m.group_code, m.title_ja, m.title_en, m.competency, m.pass_pct ORDER BY m.seq",
        [enrolment.module_pass_pct, enrolment.cohort_id, enrolment.id])
    for row in rows:
        row["passed"] = row["best"] is not None and row["best"] >= row["bar"]
    return rows


def test_result(db: Database, actor: Actor, enrolment: Enrolment, kind: str) -> dict:
    """Best score and attempts of the overall test ('overall') or the certification test ('certification')."""
    require_enrolment_read(db, actor, enrolment.id)
    best, attempts = db.one("SELECT max(score_pct), count(*) FROM test_attempt WHERE enrolment_id = ? AND kind = ?",
                            [enrolment.id, kind])
    bar = enrolment.overall_test_pass_pct if kind == "overall" else enrolment.certification_test_pass_pct
    return {"best": best, "attempts": attempts, "bar": bar, "passed": best is not None and best >= bar}


def competency_profile(db: Database, actor: Actor, enrolment: Enrolment) -> list[dict]:
    """Per competency: the mean released rubric level and the mean self-rating of reflections tagged with it."""
    require_enrolment_read(db, actor, enrolment.id)
    return db.dicts(
        "SELECT c.code, c.name_ja, c.name_en, "
        "  (SELECT avg(x.level) FROM score_criterion x JOIN rubric_criterion rc ON rc.id = x.criterion_id "
        "     JOIN score s ON s.id = x.score_id JOIN submission sub ON sub.id = s.submission_id "
        "     WHERE rc.competency = c.code AND s.status = 'released' AND sub.enrolment_id = ?) AS rubric_level, "
        "  (SELECT count(*) FROM score_criterion x JOIN rubric_criterion rc ON rc.id = x.criterion_id "
        "     JOIN score s ON s.id = x.score_id JOIN submission sub ON sub.id = s.submission_id "
        "     WHERE rc.competency = c.code AND s.status = 'released' AND sub.enrolment_id = ?) AS rubric_count, "
        "  (SELECT avg(r.self_rating) FROM reflection r JOIN reflection_competency t ON t.reflection_id = r.id "
        "     WHERE t.competency = c.code AND r.enrolment_id = ? AND r.status = 'submitted') AS self_rating "
        "FROM competency c ORDER BY c.seq", [enrolment.id, enrolment.id, enrolment.id])
