"""The programme manager's cohort dashboards: every figure behind /cohorts and /cohort, aggregated in SQL.

This module and cohort_scope.py (the practice days it shares with risk.py) are the one place for DuckDB-only
analytics SQL (list `generate_series` + `unnest` to lay out practice days, `quantile_cont`, `FILTER`, `isodow`): the
dashboards aggregate hundreds of thousands of reflections per call and doing that in the engine is what keeps them
fast at 100 cohorts. Everything else in the app stays
PostgreSQL-compatible; moving to PostgreSQL means rewriting the CTEs here (generate_series and percentile_cont exist
there too).

Who sees what: managers every cohort and every trainee; supervisors only the cohorts where they supervise someone,
and inside them only their own trainees' rows (so a supervisor's "cohort" figures are those of their caseload).
Trainees and admin-only accounts are refused. Every query takes its rows through `enrolment_scope`
(cohort_scope.enrolment_scope).

A practice day's status, as the trainee's calendar has it (reflections.calendar), for working days (Mon-Fri, not a
public holiday or a programme day off):
off (a day off), submitted, late (submitted after the cut-off), future (still to come, or still before its cut-off)
and missing. The reflection rate is (submitted + late) / (submitted + late + missing).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from ..access import Actor, require_active
from ..errors import AccessDenied, NotFound
from ..programme.cohorts import STAGE_ORDER
from ..store.db import Database
from . import risk
from .cohort_scope import day_status_cte, enrolment_scope, query_frame, query_rows, query_value, require_cohort

FUNNEL_STEPS = ("enrolled", "modules_passed", "overall_passed", "sheet_approved", "practical_complete",
                "workshop_attended", "certification_test_passed", "certified")
DAY_STATUSES = ("submitted", "late", "missing", "off", "future")
PAGE_SIZE = 20


def cohort_by_code(db: Database, actor: Actor, code: str) -> dict:
    """One cohort (id, code, names, thresholds, programme) by the code in the address, if the actor may open it."""
    row = db.dicts("SELECT id, code, name_ja, name_en, programme_id, module_pass_pct, overall_test_pass_pct, "
                   "reflection_rate_pct, report_min_level, certification_test_pass_pct FROM cohort WHERE code = ?",
                   [code])
    if not row:
        raise NotFound()
    require_cohort(db, actor, row[0]["id"])
    return row[0]


def _rate(done, expected):
    return None if not expected else round(100.0 * done / expected, 1)


# -- all cohorts -------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CohortFilter:
    year: int | None = None
    stage: str | None = None
    search: str = ""


_STAGE_TODAY = """
    CASE WHEN $today > (SELECT max(s.ends_on) FROM cohort_stage s WHERE s.cohort_id = c.id) THEN 'finished'
         ELSE coalesce((SELECT s.stage FROM cohort_stage s WHERE s.cohort_id = c.id AND s.starts_on <= $today
                        ORDER BY s.starts_on DESC LIMIT 1), 'before') END"""


def cohort_years(db: Database, actor: Actor) -> list[int]:
    """The years cohorts started in (for the year filter), newest first."""
    scope = enrolment_scope(actor)
    require_active(db, actor)
    return [y for (y,) in query_rows(db,
        "SELECT DISTINCT year(min_start) FROM (SELECT c.id, min(s.starts_on) AS min_start FROM cohort c "
        "JOIN cohort_stage s ON s.cohort_id = c.id WHERE EXISTS (SELECT 1 FROM enrolment e WHERE e.cohort_id = c.id "
        f"AND {scope}) OR $manager GROUP BY c.id) ORDER BY 1 DESC",
        {"actor": actor.id, "manager": actor.has("manager")})]


def cohort_choices(db: Database, actor: Actor) -> pd.DataFrame:
    """Every cohort the actor may open (id, code, names, first and last day of the practical stage), newest first:
    the options of the cohort pickers (a hundred short rows)."""
    scope = enrolment_scope(actor)
    require_active(db, actor)
    return query_frame(db, f"""
        SELECT c.id, c.code, c.name_ja, c.name_en, p.starts_on AS practical_starts, p.ends_on AS practical_ends
        FROM cohort c JOIN cohort_stage p ON p.cohort_id = c.id AND p.stage = 'practical'
        WHERE $manager OR EXISTS (SELECT 1 FROM enrolment e WHERE e.cohort_id = c.id AND {scope})
        ORDER BY p.starts_on DESC, c.code""", {"actor": actor.id, "manager": actor.has("manager")})


def default_cohort(choices: pd.DataFrame, today: date) -> str | None:
    """The cohort a dashboard opens on when the address names none: the one in its practical stage today (the
    newest if several), else the most recent. One rule for every dashboard so screens agree."""
    if choices.empty:
        return None
    starts = pd.to_datetime(choices["practical_starts"]).dt.date
    ends = pd.to_datetime(choices["practical_ends"]).dt.date
    practising = choices[(starts <= today) & (ends >= today)]
    return str((practising if len(practising) else choices)["code"].iloc[0])


def cohort_list(db: Database, actor: Actor, today: date, flt: CohortFilter = CohortFilter(), page: int = 1,
                page_size: int = PAGE_SIZE) -> tuple[pd.DataFrame, int]:
    """One page of cohorts (newest first) with their stage today, size, reflection rate, median feedback
    turnaround, trainees at risk and certification rate; and the number of cohorts matching the filter.
    The filter and page run first, so the metrics are computed for at most one page of cohorts."""
    scope = enrolment_scope(actor)

    require_active(db, actor)
    params = {"actor": actor.id, "manager": actor.has("manager"), "today": today, "year": flt.year,
              "stage": flt.stage, "search": f"%{flt.search.strip()}%", "limit": page_size,
              "offset": (max(page, 1) - 1) * page_size}
    base = f"""
        WITH c0 AS (
            SELECT c.id, c.code, c.name_ja, c.name_en, {_STAGE_TODAY} AS stage,
                   (SELECT min(s.starts_on) FROM cohort_stage s WHERE s.cohort_id = c.id) AS starts_on,
                   (SELECT max(s.ends_on) FROM cohort_stage s WHERE s.cohort_id = c.id) AS ends_on,
                   (SELECT count(*) FROM enrolment e WHERE e.cohort_id = c.id AND {scope}) AS trainees
            FROM cohort c)
        SELECT * FROM c0 WHERE ($manager OR trainees > 0)
          AND (CAST($year AS INTEGER) IS NULL OR year(starts_on) = $year)
          AND (CAST($stage AS VARCHAR) IS NULL OR stage = $stage)
          AND (code ILIKE $search OR name_ja ILIKE $search OR name_en ILIKE $search)"""
    total = query_value(db, f"SELECT count(*) FROM ({base}) page", params)
    frame = query_frame(db, f"{base} ORDER BY starts_on DESC, code LIMIT $limit OFFSET $offset", params)
    ids = [int(i) for i in frame["id"]]
    metrics = cohort_metrics(db, actor, today, ids)
    frame = frame.merge(metrics, on="id", how="left")
    counts = risk.counts_by_cohort(db, actor, today, ids)
    frame["at_risk"] = [counts.get(int(i), 0) for i in frame["id"]]
    return frame, total


def cohort_metrics(db: Database, actor: Actor, today: date, cohort_ids: list[int]) -> pd.DataFrame:
    """Reflection rate, median turnaround (hours) and certification rate for the given cohorts."""
    scope = enrolment_scope(actor)
    require_active(db, actor)
    params = {"actor": actor.id, "today": today, "until": today, "ids": cohort_ids}
    where = f"e.cohort_id IN (SELECT unnest($ids)) AND {scope}"
    frame = query_frame(db, f"""
        WITH {day_status_cte(where)},
        rates AS (SELECT cohort_id, count(*) FILTER (WHERE status IN ('submitted', 'late')) AS done,
                         count(*) FILTER (WHERE status IN ('submitted', 'late', 'missing')) AS expected
                  FROM day_status GROUP BY cohort_id),
        turn AS (SELECT e.cohort_id, median(epoch(f.first_at - r.submitted_at) / 3600.0) AS median_h
                 FROM enrolment e JOIN reflection r ON r.enrolment_id = e.id AND r.status = 'submitted'
                 JOIN (SELECT f.reflection_id, min(f.created_at) AS first_at FROM feedback f
                       JOIN reflection r2 ON r2.id = f.reflection_id JOIN enrolment e2 ON e2.id = r2.enrolment_id
                       WHERE f.author_id <> e2.trainee_id AND e2.cohort_id IN (SELECT unnest($ids))
                       GROUP BY f.reflection_id) f ON f.reflection_id = r.id
                 WHERE {where} GROUP BY e.cohort_id),
        cert AS (SELECT e.cohort_id, count(*) AS decided,
                        count(*) FILTER (WHERE d.decision = 'certified') AS certified
                 FROM enrolment e JOIN (SELECT DISTINCT ON (enrolment_id) enrolment_id, decision
                                        FROM certification_decision ORDER BY enrolment_id, decided_at DESC, id DESC) d
                   ON d.enrolment_id = e.id
                 WHERE {where} GROUP BY e.cohort_id)
        SELECT c.id, rates.done, rates.expected, turn.median_h, cert.decided, cert.certified
        FROM cohort c LEFT JOIN rates ON rates.cohort_id = c.id LEFT JOIN turn ON turn.cohort_id = c.id
        LEFT JOIN cert ON cert.cohort_id = c.id WHERE c.id IN (SELECT unnest($ids))""", params)
    frame["reflection_rate"] = [_rate(d, x) for d, x in
                                zip(frame["done"].fillna(0), frame["expected"].fillna(0), strict=True)]
    frame["median_turnaround_h"] = frame["median_h"].round(1)
    frame["certified_pct"] = [_rate(c, d) for c, d in
                              zip(frame["certified"].fillna(0), frame["decided"].fillna(0), strict=True)]
    return frame[["id", "reflection_rate", "median_turnaround_h", "certified_pct"]]


def stage_calendars(db: Database, actor: Actor, cohort_ids: list[int]) -> pd.DataFrame:
    """The stage calendar of the given cohorts (code, stage, starts_on, ends_on), for the timeline."""
    for cid in cohort_ids:
        require_cohort(db, actor, cid)
    frame = db.frame("SELECT c.id AS cohort_id, c.code, s.stage, s.starts_on, s.ends_on FROM cohort_stage s "
                     "JOIN cohort c ON c.id = s.cohort_id WHERE c.id IN (SELECT unnest(?)) "
                     "ORDER BY c.code, s.starts_on",
                     [cohort_ids])
    frame["stage"] = pd.Categorical(frame["stage"], categories=list(STAGE_ORDER), ordered=True)
    return frame


def compare_practical(db: Database, actor: Actor, cohort_ids: list[int], today: date) -> pd.DataFrame:
    """Cohorts side by side at the same point of their practical stage: for each working day N (1 = the first day
    of the practical stage) the cumulative reflection rate and the cumulative share of scored assignments
    (released scores ÷ trainees × scored assignments) up to that day. Days still to come are left out."""
    for cid in cohort_ids:
        require_cohort(db, actor, cid)
    scope = enrolment_scope(actor)
    require_active(db, actor)
    where = f"e.cohort_id IN (SELECT unnest($ids)) AND {scope}"
    return query_frame(db, f"""
        WITH {day_status_cte(where)},
        per_day AS (SELECT cohort_id, day, min(starts_on) AS starts_on,
                           count(*) FILTER (WHERE status IN ('submitted', 'late')) AS done,
                           count(*) FILTER (WHERE status IN ('submitted', 'late', 'missing')) AS expected
                    FROM day_status WHERE day <= CAST($today AS DATE) GROUP BY cohort_id, day),
        cum AS (SELECT cohort_id, day, row_number() OVER (PARTITION BY cohort_id ORDER BY day) AS day_no,
                       sum(done) OVER (PARTITION BY cohort_id ORDER BY day) AS done_cum,
                       sum(expected) OVER (PARTITION BY cohort_id ORDER BY day) AS expected_cum
                FROM per_day),
        size AS (SELECT e.cohort_id, count(*) AS trainees FROM enrolment e WHERE {where} GROUP BY e.cohort_id),
        slots AS (SELECT a.cohort_id, count(*) AS scored_assignments FROM assignment a
                  WHERE a.kind = 'scored' AND a.cohort_id IN (SELECT unnest($ids)) GROUP BY a.cohort_id),
        released AS (SELECT e.cohort_id, CAST(timezone('Asia/Tokyo', timezone('UTC', s.released_at)) AS DATE) AS day,
                            count(DISTINCT sub.assignment_id || '-' || sub.enrolment_id) AS n
                     FROM score s JOIN submission sub ON sub.id = s.submission_id
                     JOIN enrolment e ON e.id = sub.enrolment_id
                     WHERE s.status = 'released' AND {where} GROUP BY 1, 2)
        SELECT c.code, cum.cohort_id, cum.day_no, cum.day,
               round(100.0 * cum.done_cum / nullif(cum.expected_cum, 0), 1) AS reflection_rate,
               round(100.0 * (SELECT coalesce(sum(n), 0) FROM released r
                              WHERE r.cohort_id = cum.cohort_id AND r.day <= cum.day)
                     / nullif(size.trainees * slots.scored_assignments, 0), 1) AS scored_pct
        FROM cum JOIN cohort c ON c.id = cum.cohort_id JOIN size ON size.cohort_id = cum.cohort_id
        LEFT JOIN slots ON slots.cohort_id = cum.cohort_id
        ORDER BY c.code, cum.day_no""", {"actor": actor.id, "today": today, "until": today, "ids": cohort_ids})


# -- one cohort --------------------------------------------------------------------------------------------------------
def funnel(db: Database, actor: Actor, cohort_id: int, today: date) -> pd.DataFrame:
    """One row per trainee of the cohort (in scope) with a True/False column per funnel step, `step`, the furthest
    step reached (where the trainee stands: waiting for the next one), and `gaps`, earlier steps never met. Counting
    people at their furthest step keeps the funnel consistent with the decisions taken (a trainee certified after a
    retake outside the app still counts as certified). Steps (FUNNEL_STEPS):
    enrolled; every module's quiz passed at the cohort's bar; overall test passed; the approval assignment
    (課題設定シート) approved; practical stage complete = practical stage over, reflection rate at the cohort's bar
    and every scored assignment handed in; both workshop days attended; certification test passed; latest
    certification decision 'certified'."""
    require_cohort(db, actor, cohort_id)
    scope = enrolment_scope(actor)
    require_active(db, actor)
    where = f"e.cohort_id = $cohort AND {scope}"
    frame = query_frame(db, f"""
        WITH {day_status_cte(where)},
        rates AS (SELECT enrolment_id, count(*) FILTER (WHERE status IN ('submitted', 'late')) AS done,
                         count(*) FILTER (WHERE status IN ('submitted', 'late', 'missing')) AS expected
                  FROM day_status GROUP BY enrolment_id),
        c AS (SELECT * FROM cohort WHERE id = $cohort),
        modules AS (SELECT count(*) AS n FROM module m JOIN c ON c.programme_id = m.programme_id),
        passed_modules AS (SELECT q.enrolment_id, count(DISTINCT q.module_id) AS n FROM quiz_attempt q
                           JOIN en ON en.enrolment_id = q.enrolment_id JOIN module m ON m.id = q.module_id, c
                           WHERE q.score_pct >= coalesce(m.pass_pct, c.module_pass_pct) GROUP BY q.enrolment_id),
        tests AS (SELECT t.enrolment_id, max(t.score_pct) FILTER (WHERE t.kind = 'overall') AS overall,
                         max(t.score_pct) FILTER (WHERE t.kind = 'certification') AS final
                  FROM test_attempt t JOIN en ON en.enrolment_id = t.enrolment_id GROUP BY t.enrolment_id),
        latest_sub AS (SELECT DISTINCT ON (s.assignment_id, s.enrolment_id) s.assignment_id, s.enrolment_id, s.status
                       FROM submission s JOIN en ON en.enrolment_id = s.enrolment_id
                       ORDER BY s.assignment_id, s.enrolment_id, s.version DESC),
        sheet AS (SELECT l.enrolment_id FROM latest_sub l JOIN assignment a ON a.id = l.assignment_id
                  WHERE a.kind = 'approval' AND l.status = 'approved' GROUP BY l.enrolment_id),
        scored AS (SELECT l.enrolment_id, count(*) AS n FROM latest_sub l JOIN assignment a ON a.id = l.assignment_id
                   WHERE a.kind = 'scored' AND l.status IN ('submitted', 'scored') GROUP BY l.enrolment_id),
        workshop AS (SELECT w.enrolment_id FROM workshop_attendance w JOIN en ON en.enrolment_id = w.enrolment_id
                     WHERE w.attended GROUP BY w.enrolment_id HAVING count(DISTINCT w.day) >= 2),
        decision AS (SELECT DISTINCT ON (d.enrolment_id) d.enrolment_id, d.decision FROM certification_decision d
                     JOIN en ON en.enrolment_id = d.enrolment_id ORDER BY d.enrolment_id, d.decided_at DESC, d.id DESC)
        SELECT e.id AS enrolment_id, u.display_name AS trainee, coalesce(u.display_name_kana, '') AS kana,
               TRUE AS enrolled,
               coalesce(pm.n, 0) >= (SELECT n FROM modules) AND (SELECT n FROM modules) > 0 AS modules_passed,
               coalesce(t.overall >= c.overall_test_pass_pct, FALSE) AS overall_passed,
               sh.enrolment_id IS NOT NULL AS sheet_approved,
               (CAST($today AS DATE) > (SELECT ends_on FROM cohort_stage WHERE cohort_id = c.id AND stage = 'practical')
                AND coalesce(100.0 * r.done / nullif(r.expected, 0), 0) >= c.reflection_rate_pct
                AND coalesce(sc.n, 0) >= (SELECT count(*) FROM assignment a WHERE a.cohort_id = c.id
                                           AND a.kind = 'scored')) AS practical_complete,
               w.enrolment_id IS NOT NULL AS workshop_attended,
               coalesce(t.final >= c.certification_test_pass_pct, FALSE) AS certification_test_passed,
               coalesce(d.decision = 'certified', FALSE) AS certified,
               round(100.0 * r.done / nullif(r.expected, 0), 1) AS reflection_rate
        FROM enrolment e JOIN c ON c.id = e.cohort_id JOIN app_user u ON u.id = e.trainee_id
        LEFT JOIN rates r ON r.enrolment_id = e.id LEFT JOIN passed_modules pm ON pm.enrolment_id = e.id
        LEFT JOIN tests t ON t.enrolment_id = e.id LEFT JOIN sheet sh ON sh.enrolment_id = e.id
        LEFT JOIN scored sc ON sc.enrolment_id = e.id LEFT JOIN workshop w ON w.enrolment_id = e.id
        LEFT JOIN decision d ON d.enrolment_id = e.id
        WHERE {where} ORDER BY coalesce(u.display_name_kana, u.display_name), e.id""",
        {"actor": actor.id, "cohort": cohort_id, "today": today, "until": today})
    met = frame[list(FUNNEL_STEPS)].astype(bool).to_numpy()
    furthest = (met * np.arange(len(FUNNEL_STEPS))).max(axis=1) if len(frame) else np.array([], dtype=int)
    frame["step"] = [FUNNEL_STEPS[i] for i in furthest]
    # steps before the furthest that were never met (a decision taken despite a missed gate, or data still missing)
    frame["gaps"] = [", ".join(FUNNEL_STEPS[i] for i in range(k) if not row[i])
                     for row, k in zip(met, furthest, strict=True)]
    return frame


def funnel_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Per step, as a classic funnel: trainees who met this gate and every gate before it (reached: the main count,
    never inflated by people who moved on without a gate), who moved past the step without meeting it (skipped: met
    a later gate, e.g. certified after a retake outside the app), who stand at it as their furthest step (standing),
    who meet it at all in any order (met), and the share of the cohort that reached it."""
    total = len(frame)
    met = frame[list(FUNNEL_STEPS)].astype(bool).to_numpy() if total else np.zeros((0, len(FUNNEL_STEPS)), bool)
    in_order = np.cumprod(met, axis=1).astype(bool)
    order = {s: i for i, s in enumerate(FUNNEL_STEPS)}
    furthest = frame["step"].map(order).to_numpy() if total else np.array([], dtype=int)
    rows = []
    for i, step in enumerate(FUNNEL_STEPS):
        reached = int(in_order[:, i].sum())
        rows.append({"step": step, "reached": reached, "skipped": int(((~met[:, i]) & (furthest > i)).sum()),
                     "standing": int((furthest == i).sum()), "met": int(met[:, i].sum()),
                     "pct": round(100.0 * reached / total, 1) if total else 0.0})
    return pd.DataFrame(rows)


def reflection_grid(db: Database, actor: Actor, cohort_id: int, today: date) -> pd.DataFrame:
    """Trainee × working day of the practical stage with the day's status (DAY_STATUSES), days to come included."""
    require_cohort(db, actor, cohort_id)
    scope = enrolment_scope(actor)
    require_active(db, actor)
    where = f"e.cohort_id = $cohort AND {scope}"
    end = db.value("SELECT ends_on FROM cohort_stage WHERE cohort_id = ? AND stage = 'practical'", [cohort_id])
    return query_frame(db, f"""
        WITH {day_status_cte(where)}
        SELECT ds.enrolment_id, u.display_name AS trainee, u.username AS login_id, ds.day, ds.status
        FROM day_status ds JOIN app_user u ON u.id = ds.trainee_id
        ORDER BY coalesce(u.display_name_kana, u.display_name), ds.enrolment_id, ds.day""",
        {"actor": actor.id, "cohort": cohort_id, "today": today, "until": end or today})


def submission_rate_by_day(db: Database, actor: Actor, cohort_id: int, today: date) -> pd.DataFrame:
    """Per working day so far: reflections expected, submitted (on time or late), and the day's rate."""
    require_cohort(db, actor, cohort_id)
    scope = enrolment_scope(actor)
    require_active(db, actor)
    return query_frame(db, f"""
        WITH {day_status_cte(f"e.cohort_id = $cohort AND {scope}")}
        SELECT day, count(*) FILTER (WHERE status IN ('submitted', 'late', 'missing')) AS expected,
               count(*) FILTER (WHERE status IN ('submitted', 'late')) AS submitted,
               count(*) FILTER (WHERE status = 'late') AS late,
               round(100.0 * count(*) FILTER (WHERE status IN ('submitted', 'late'))
                     / nullif(count(*) FILTER (WHERE status IN ('submitted', 'late', 'missing')), 0), 1) AS rate
        FROM day_status GROUP BY day HAVING count(*) FILTER (WHERE status <> 'future') > 0 ORDER BY day""",
        {"actor": actor.id, "cohort": cohort_id, "today": today, "until": today})


def turnaround(db: Database, actor: Actor, cohort_id: int) -> pd.DataFrame:
    """Per supervisor (the lead supervisor of the trainee): reflections answered and still unanswered, and the
    distribution (min, quartiles, max, in hours) of the time from submission to the first reply by anyone other
    than the trainee."""
    require_cohort(db, actor, cohort_id)
    scope = enrolment_scope(actor)
    require_active(db, actor)
    return query_frame(db, f"""
        WITH lead AS (SELECT DISTINCT ON (s.enrolment_id) s.enrolment_id, s.supervisor_id FROM supervision s
                      JOIN enrolment e ON e.id = s.enrolment_id WHERE e.cohort_id = $cohort
                      ORDER BY s.enrolment_id, s.is_lead DESC, s.supervisor_id),
        waits AS (SELECT l.supervisor_id, r.id,
                         (SELECT epoch(min(f.created_at) - r.submitted_at) / 3600.0 FROM feedback f
                          WHERE f.reflection_id = r.id AND f.author_id <> e.trainee_id) AS hours
                  FROM enrolment e JOIN reflection r ON r.enrolment_id = e.id AND r.status = 'submitted'
                  JOIN lead l ON l.enrolment_id = e.id WHERE e.cohort_id = $cohort AND {scope})
        SELECT u.id AS supervisor_id, u.display_name AS supervisor, count(hours) AS answered,
               count(*) - count(hours) AS unanswered, min(hours) AS min_h,
               quantile_cont(hours, 0.25) AS q1_h, median(hours) AS median_h,
               quantile_cont(hours, 0.75) AS q3_h, max(hours) AS max_h
        FROM waits JOIN app_user u ON u.id = waits.supervisor_id GROUP BY u.id, u.display_name
        ORDER BY u.display_name""", {"actor": actor.id, "cohort": cohort_id})


def _released_levels_cte(where: str) -> str:
    """CTE `levels`: every released rubric level of trainees in scope, with its competency and assignment."""
    return f"""
    levels AS (SELECT e.id AS enrolment_id, rc.competency, x.level, x.comment, s.overall_comment, s.released_at,
                      a.code AS assignment_code, a.title_ja, a.title_en, rc.title_ja AS criterion_ja,
                      rc.title_en AS criterion_en
               FROM enrolment e JOIN submission sub ON sub.enrolment_id = e.id
               JOIN assignment a ON a.id = sub.assignment_id
               JOIN score s ON s.submission_id = sub.id AND s.status = 'released'
               JOIN score_criterion x ON x.score_id = s.id JOIN rubric_criterion rc ON rc.id = x.criterion_id
               WHERE {where})"""


def competency_levels(db: Database, actor: Actor, cohort_id: int) -> pd.DataFrame:
    """How many released rubric levels of each value (1-4) each competency received in the cohort."""
    require_cohort(db, actor, cohort_id)
    scope = enrolment_scope(actor)
    require_active(db, actor)
    return query_frame(db, f"""
        WITH {_released_levels_cte(f"e.cohort_id = $cohort AND {scope}")}
        SELECT competency, level, count(*) AS n FROM levels GROUP BY competency, level ORDER BY competency, level""",
        {"actor": actor.id, "cohort": cohort_id})


def competency_grid(db: Database, actor: Actor, cohort_id: int) -> pd.DataFrame:
    """Trainee × competency: mean released level, the latest one, and how many scores it rests on."""
    require_cohort(db, actor, cohort_id)
    scope = enrolment_scope(actor)
    require_active(db, actor)
    return query_frame(db, f"""
        WITH {_released_levels_cte(f"e.cohort_id = $cohort AND {scope}")}
        SELECT l.enrolment_id, u.display_name AS trainee, l.competency, round(avg(l.level), 2) AS mean_level,
               arg_max(l.level, l.released_at) AS latest_level, count(*) AS scores
        FROM levels l JOIN enrolment e ON e.id = l.enrolment_id JOIN app_user u ON u.id = e.trainee_id
        GROUP BY l.enrolment_id, u.display_name, u.display_name_kana, l.competency
        ORDER BY coalesce(u.display_name_kana, u.display_name), l.enrolment_id, l.competency""",
        {"actor": actor.id, "cohort": cohort_id})


def competency_evidence(db: Database, actor: Actor, enrolment_id: int, competency: str
                        ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """What a cell of the trainee × competency heatmap rests on: the released scores for that competency with
    their comments, and the trainee's submitted reflections tagged with it (newest first, at most 50)."""
    scope = enrolment_scope(actor)
    require_active(db, actor)
    params = {"actor": actor.id, "enrolment": enrolment_id, "competency": competency}
    if not query_value(db, f"SELECT count(*) FROM enrolment e WHERE e.id = $enrolment AND {scope}", params):
        raise AccessDenied()
    scores = query_frame(db, f"""
        WITH {_released_levels_cte(f"e.id = $enrolment AND {scope}")}
        SELECT assignment_code, title_ja, title_en, criterion_ja, criterion_en, level, comment, overall_comment,
               released_at FROM levels WHERE competency = $competency ORDER BY released_at DESC""", params)
    reflections = query_frame(db, """
        SELECT r.id, r.practice_date, r.goal, r.insight, r.try_text, r.self_rating FROM reflection r
        JOIN reflection_competency rc ON rc.reflection_id = r.id AND rc.competency = $competency
        WHERE r.enrolment_id = $enrolment AND r.status = 'submitted' ORDER BY r.practice_date DESC LIMIT 50""",
        {"enrolment": enrolment_id, "competency": competency})
    return scores, reflections


def online_results(db: Database, actor: Actor, cohort_id: int) -> pd.DataFrame:
    """Per online module (and the overall test as the last row, seq 0 and kind 'overall'): trainees who took it,
    attempts, the pass rate on each trainee's best score at the cohort's bar, and the distribution of best scores."""
    require_cohort(db, actor, cohort_id)
    scope = enrolment_scope(actor)
    require_active(db, actor)
    return query_frame(db, f"""
        WITH c AS (SELECT * FROM cohort WHERE id = $cohort),
        en AS (SELECT e.id FROM enrolment e WHERE e.cohort_id = $cohort AND {scope}),
        best AS (SELECT q.module_id, q.enrolment_id, max(q.score_pct) AS best, count(*) AS attempts
                 FROM quiz_attempt q JOIN en ON en.id = q.enrolment_id GROUP BY q.module_id, q.enrolment_id
                 UNION ALL
                 SELECT NULL, t.enrolment_id, max(t.score_pct), count(*) FROM test_attempt t
                 JOIN en ON en.id = t.enrolment_id WHERE t.kind = 'overall' GROUP BY t.enrolment_id),
        items AS (SELECT m.id AS module_id, m.seq, 'module' AS kind, m.title_ja, m.title_en,
                         coalesce(m.pass_pct, c.module_pass_pct) AS bar
                  FROM module m JOIN c ON c.programme_id = m.programme_id
                  UNION ALL SELECT NULL, 99, 'overall', NULL, NULL, c.overall_test_pass_pct FROM c)
        SELECT i.seq, i.kind, i.title_ja, i.title_en, i.bar, count(b.enrolment_id) AS takers,
               coalesce(sum(b.attempts), 0) AS attempts,
               round(100.0 * count(*) FILTER (WHERE b.best >= i.bar) / nullif(count(b.enrolment_id), 0), 1)
                   AS pass_rate,
               min(b.best) AS min_pct, quantile_cont(b.best, 0.25) AS q1_pct, median(b.best) AS median_pct,
               quantile_cont(b.best, 0.75) AS q3_pct, max(b.best) AS max_pct
        FROM items i LEFT JOIN best b ON b.module_id IS NOT DISTINCT FROM i.module_id
        GROUP BY i.seq, i.kind, i.title_ja, i.title_en, i.bar ORDER BY i.seq""",
        {"actor": actor.id, "cohort": cohort_id})
