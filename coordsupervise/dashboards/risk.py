"""Trainees at risk: a rule-based list where every row says why, so a manager or supervisor can act on it and a
trainee can be told. No trained model: it works for a first cohort with no history.

Rules (each one a reason key `risk.<rule>` in the catalogue, with the number and detail that explain it):
- silent: no reflection for `silent_days` working days or more (missing days since the last one submitted);
- low_rate: reflection rate below `min_rate_pct` once at least `rate_min_days` working days were expected;
- quiz_failed: an online module's quiz taken but never passed at the cohort's bar (modules listed);
- overall_failed: the overall test taken but never passed at the cohort's bar;
- below_pass: the latest released rubric level of a competency below the cohort's pass level (competencies listed);
- overdue: an assignment due more than `overdue_grace_days` ago with nothing submitted (assignments listed);
- open_flag: a supervisor's flag still open (how many);
- feedback_unread: feedback the trainee has not opened for `feedback_unread_days` days (how many messages).

Thresholds are set per programme by its managers (table risk_setting, migration 007); a threshold without a row
uses DEFAULTS. Only trainees still in training count: enrolment active, cohort not past its last stage, not
certified. Managers see everyone, supervisors their own trainees (cohort_scope.enrolment_scope).
"""
from __future__ import annotations

from datetime import date

import pandas as pd

from ..access import Actor, require_role
from ..clock import now_utc
from ..errors import InvalidInput
from ..programme.auth import audit
from ..store import cache_stamp
from ..store.db import Database
from .cohort_scope import day_status_cte, enrolment_scope, query_frame, require_cohort

RULES = ("silent", "low_rate", "quiz_failed", "overall_failed", "below_pass", "overdue", "open_flag",
         "feedback_unread")
DEFAULTS = {"silent_days": 3, "min_rate_pct": 70, "rate_min_days": 5, "overdue_grace_days": 0,
            "feedback_unread_days": 7}
LIMITS = {"silent_days": (1, 30), "min_rate_pct": (0, 100), "rate_min_days": (1, 60), "overdue_grace_days": (0, 30),
          "feedback_unread_days": (1, 60)}


def thresholds(db: Database, programme_id: int) -> dict[str, int]:
    """The programme's thresholds: its saved values over the defaults."""
    saved = dict(db.rows("SELECT key, value FROM risk_setting WHERE programme_id = ?", [programme_id]))
    return {key: int(saved.get(key, default)) for key, default in DEFAULTS.items()}


def save_thresholds(db: Database, actor: Actor, programme_id: int, values: dict[str, int]) -> dict[str, int]:
    """Managers set the programme's thresholds; every change is audited."""
    require_role(actor, "manager", db=db)
    clean = {}
    for key, (low, high) in LIMITS.items():
        value = values.get(key, DEFAULTS[key])
        if not isinstance(value, int) or not low <= value <= high:
            raise InvalidInput("risk.invalid_threshold", name=f"risk.setting.{key}", low=low, high=high)
        clean[key] = value
    before = thresholds(db, programme_id)

    def write(tx):
        for key, value in clean.items():
            tx.execute("DELETE FROM risk_setting WHERE programme_id = ? AND key = ?", [programme_id, key])
            tx.execute("INSERT INTO risk_setting (programme_id, key, value, updated_by, updated_at) "
                       "VALUES (?, ?, ?, ?, ?)", [programme_id, key, value, actor.id, now_utc()])
        cache_stamp.bump(tx)
        audit(tx, actor.id, "risk.thresholds", "programme", programme_id, before, clean)

    db.write(write)
    return clean


def _threshold_cte() -> str:
    columns = ", ".join(
        f"coalesce((SELECT value FROM risk_setting rs WHERE rs.programme_id = p.id AND rs.key = '{key}'), "
        f"${key}) AS {key}" for key in DEFAULTS)
    return f"th AS (SELECT p.id AS programme_id, {columns} FROM programme p)"


def _reasons(db: Database, actor: Actor, today: date, cohort_ids: list[int] | None,
             caseload: bool = False, lang: str = "ja") -> pd.DataFrame:
    """One row per (trainee, reason): enrolment_id, cohort_id, rule, n (how many), detail (which ones; modules by
    number and title in `lang`)."""
    scope = enrolment_scope(actor, caseload)
    where = (f"e.status = 'active' AND {scope} "
             "AND (CAST($ids AS BIGINT[]) IS NULL OR e.cohort_id IN (SELECT unnest($ids))) "
             "AND CAST($today AS DATE) <= (SELECT max(s.ends_on) FROM cohort_stage s WHERE s.cohort_id = e.cohort_id) "
             "AND NOT coalesce((SELECT d.decision = 'certified' FROM certification_decision d "
             "  WHERE d.enrolment_id = e.id ORDER BY d.decided_at DESC, d.id DESC LIMIT 1), FALSE)")
    params = {"actor": actor.id, "today": today, "until": today, "ids": cohort_ids, "lang": lang, **DEFAULTS}
    return query_frame(db, f"""
        WITH {day_status_cte(where)}, {_threshold_cte()},
        person AS (SELECT en.enrolment_id, en.cohort_id, en.trainee_id, c.module_pass_pct, c.overall_test_pass_pct,
                          c.report_min_level, th.*
                   FROM en JOIN cohort c ON c.id = en.cohort_id JOIN th ON th.programme_id = c.programme_id),
        per_trainee AS (SELECT enrolment_id,
                               max(day) FILTER (WHERE status IN ('submitted', 'late')) AS last_day,
                               count(*) FILTER (WHERE status IN ('submitted', 'late')) AS done,
                               count(*) FILTER (WHERE status IN ('submitted', 'late', 'missing')) AS expected
                        FROM day_status GROUP BY enrolment_id),
        silent AS (SELECT ds.enrolment_id, count(*) AS n FROM day_status ds JOIN per_trainee pt USING (enrolment_id)
                   WHERE ds.status = 'missing' AND (pt.last_day IS NULL OR ds.day > pt.last_day)
                   GROUP BY ds.enrolment_id),
        quiz AS (SELECT q.enrolment_id, q.module_id, max(q.score_pct) AS best FROM quiz_attempt q
                 JOIN person p ON p.enrolment_id = q.enrolment_id GROUP BY q.enrolment_id, q.module_id),
        latest_level AS (SELECT sub.enrolment_id, rc.competency, arg_max(x.level, s.released_at) AS level
                         FROM submission sub JOIN person p ON p.enrolment_id = sub.enrolment_id
                         JOIN score s ON s.submission_id = sub.id AND s.status = 'released'
                         JOIN score_criterion x ON x.score_id = s.id
                         JOIN rubric_criterion rc ON rc.id = x.criterion_id GROUP BY sub.enrolment_id, rc.competency),
        handed_in AS (SELECT DISTINCT s.assignment_id, s.enrolment_id FROM submission s
                      JOIN person p ON p.enrolment_id = s.enrolment_id
                      WHERE s.status IN ('submitted', 'revision_requested', 'approved', 'scored'))
        SELECT p.enrolment_id, p.cohort_id, 'silent' AS rule, s.n, '' AS detail
        FROM person p JOIN silent s ON s.enrolment_id = p.enrolment_id WHERE s.n >= p.silent_days
        UNION ALL
        SELECT p.enrolment_id, p.cohort_id, 'low_rate', CAST(round(100.0 * pt.done / pt.expected) AS BIGINT), ''
        FROM person p JOIN per_trainee pt ON pt.enrolment_id = p.enrolment_id
        WHERE pt.expected >= p.rate_min_days AND 100.0 * pt.done / pt.expected < p.min_rate_pct
        UNION ALL
        SELECT p.enrolment_id, p.cohort_id, 'quiz_failed', count(*),
               string_agg(CAST(m.seq AS VARCHAR) || ' ' || CASE WHEN $lang = 'en' THEN m.title_en ELSE m.title_ja END,
                          ', ' ORDER BY m.seq)
        FROM person p JOIN quiz q ON q.enrolment_id = p.enrolment_id JOIN module m ON m.id = q.module_id
        JOIN cohort_stage os ON os.cohort_id = p.cohort_id AND os.stage = 'online'
        WHERE q.best < coalesce(m.pass_pct, p.module_pass_pct)
          AND CAST($today AS DATE) > os.ends_on  -- retakes stay open until then
        GROUP BY p.enrolment_id, p.cohort_id
        UNION ALL
        SELECT p.enrolment_id, p.cohort_id, 'overall_failed', CAST(round(max(t.score_pct)) AS BIGINT), ''
        FROM person p JOIN test_attempt t ON t.enrolment_id = p.enrolment_id AND t.kind = 'overall'
        GROUP BY p.enrolment_id, p.cohort_id, p.overall_test_pass_pct HAVING max(t.score_pct) < p.overall_test_pass_pct
        UNION ALL
        SELECT p.enrolment_id, p.cohort_id, 'below_pass', count(*),
               string_agg(l.competency, ', ' ORDER BY l.competency)
        FROM person p JOIN latest_level l ON l.enrolment_id = p.enrolment_id
        WHERE l.level < p.report_min_level GROUP BY p.enrolment_id, p.cohort_id
        UNION ALL
        SELECT p.enrolment_id, p.cohort_id, 'overdue', count(*), string_agg(a.code, ', ' ORDER BY a.seq)
        FROM person p JOIN assignment a ON a.cohort_id = p.cohort_id
        LEFT JOIN handed_in h ON h.assignment_id = a.id AND h.enrolment_id = p.enrolment_id
        WHERE h.assignment_id IS NULL AND a.due_on + p.overdue_grace_days < CAST($today AS DATE)
        GROUP BY p.enrolment_id, p.cohort_id
        UNION ALL
        SELECT p.enrolment_id, p.cohort_id, 'open_flag', count(*), ''
        FROM person p JOIN flag f ON f.enrolment_id = p.enrolment_id AND f.resolved_at IS NULL
        GROUP BY p.enrolment_id, p.cohort_id
        UNION ALL
        SELECT p.enrolment_id, p.cohort_id, 'feedback_unread', count(*), ''
        FROM person p JOIN reflection r ON r.enrolment_id = p.enrolment_id
        JOIN feedback f ON f.reflection_id = r.id AND f.author_id <> p.trainee_id
        WHERE f.created_at + p.feedback_unread_days * INTERVAL 1 DAY < CAST($today AS TIMESTAMP)
          AND NOT EXISTS (SELECT 1 FROM feedback_read fr WHERE fr.feedback_id = f.id AND fr.reader_id = p.trainee_id)
        GROUP BY p.enrolment_id, p.cohort_id""", params)


def at_risk(db: Database, actor: Actor, today: date, cohort_id: int | None = None,
            caseload: bool = False, lang: str = "ja") -> pd.DataFrame:
    """One row per trainee at risk: enrolment_id, trainee, cohort_id, cohort_code, and `reasons`, a list of
    (rule, n, detail) in RULES order. Most reasons first. `caseload`: only the actor's own supervisees (the
    supervisor's list on /trainee), even for a manager."""
    if cohort_id is not None:
        require_cohort(db, actor, cohort_id)
    reasons = _reasons(db, actor, today, None if cohort_id is None else [cohort_id], caseload, lang)
    columns = ["enrolment_id", "trainee", "kana", "cohort_id", "cohort_code", "reasons"]
    if reasons.empty:
        return pd.DataFrame(columns=columns)
    reasons["order"] = reasons["rule"].map({r: i for i, r in enumerate(RULES)})
    reasons = reasons.sort_values(["enrolment_id", "order"])
    reasons["reason"] = list(zip(reasons["rule"], reasons["n"].astype(int), reasons["detail"].fillna(""), strict=True))
    grouped = reasons.groupby(["enrolment_id", "cohort_id"], as_index=False).agg(reasons=("reason", list))
    people = db.frame("SELECT e.id AS enrolment_id, u.display_name AS trainee, coalesce(u.display_name_kana, '') "
                      "AS kana, c.code AS cohort_code FROM enrolment e JOIN app_user u ON u.id = e.trainee_id "
                      "JOIN cohort c ON c.id = e.cohort_id WHERE e.id IN (SELECT unnest(?))",
                      [[int(i) for i in grouped["enrolment_id"]]])
    out = grouped.merge(people, on="enrolment_id")
    out["count"] = out["reasons"].str.len()
    out = out.sort_values(["count", "cohort_code", "kana"], ascending=[False, True, True])
    return out[columns].reset_index(drop=True)


def counts_by_cohort(db: Database, actor: Actor, today: date, cohort_ids: list[int]) -> dict[int, int]:
    """How many trainees of each cohort are at risk (for the all-cohorts table)."""
    if not cohort_ids:
        return {}
    reasons = _reasons(db, actor, today, cohort_ids)
    if reasons.empty:
        return {}
    return {int(k): int(v) for k, v in reasons.groupby("cohort_id")["enrolment_id"].nunique().items()}
