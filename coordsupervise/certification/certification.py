"""The certification criteria of domain.md, the board of a whole cohort, decisions and the register.

Each criterion is met (True), not met (False) or not yet decidable (None: its stage has not come). One SQL query
gathers the evidence of every criterion for a whole cohort (or one enrolment); `_checks` turns one row of it into the
list of checks with the cohort's thresholds. The trainee's checklist on /progress and the manager's board on
/certification are therefore the same computation and cannot disagree.

Certificate numbers follow the programme's format (its curriculum file; FRSC's is `<programme code>-<cohort
code>-<nnn>`, for example `FRSC-2026-A-003-007`): nnn counts a cohort's certificates in the order they were first
issued. A number is issued once and belongs to its
enrolment for ever: a reversed certification revokes the certificate (kept, marked revoked) and a later
certification reinstates the same number. Validity runs from the decision day to the day before the same date
`certificate_valid_years` (cohort setting, 3 by default) later.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pandas as pd

from ..access import Actor, require_enrolment_read, require_role, visible_enrolments_sql
from ..clock import now_utc
from ..errors import AccessDenied, InvalidInput, NotFound, StaleWrite
from ..practice import reflections
from ..programme.auth import audit
from ..programme.cohorts import calendars, days_off, entered_before_stage
from ..programme.enrolments import Enrolment
from ..store import cache_stamp
from ..store.db import Database, Transaction
from ..text.limits import REASON_LIMIT, bounded_query, check_length
from ..text.textnorm import search_key

CRITERIA = ("cert.modules", "cert.overall_test", "cert.task_sheet", "cert.reflections", "cert.final_report",
            "cert.assignments", "cert.workshop", "cert.certification_test")
DECISIONS = ("certified", "not_certified", "deferred")
FINAL_DECISIONS = ("certified", "not_certified")  # changing one of these is a reversal
ATTENDED = ("present", "partial")                  # late or left early still counts as attending, with its note
EXPIRING_DAYS = 90


@dataclass(frozen=True)
class Check:
    key: str                       # catalogue key of the criterion
    met: bool | None
    detail_key: str | None = None  # catalogue key of what is missing
    params: dict = field(default_factory=dict)
    behind: bool = False           # not yet judged, but below the bar today (e.g. 59 % of reflections mid-stage)


@dataclass(frozen=True)
class BoardRow:
    enrolment_id: int
    trainee_name: str
    trainee_kana: str
    organisation: str
    region: str
    checks: list[Check]
    decision: str | None
    decision_reason: str | None
    override_reason: str | None
    decided_at: object
    certificate_no: str | None
    certificate_revoked: bool
    decision_id: int | None   # the decision the manager sees, passed back to `decide` to catch one made meanwhile

    @property
    def eligible(self) -> bool:
        return all(c.met is True for c in self.checks)

    @property
    def unmet(self) -> int:
        return sum(1 for c in self.checks if c.met is False)

    @property
    def open(self) -> int:
        return sum(1 for c in self.checks if c.met is None)


@dataclass(frozen=True)
class Rules:
    """A cohort's thresholds and calendar (data per cohort, defaults from domain.md)."""
    cohort_id: int
    code: str
    programme_code: str
    calendar: dict
    module_pass_pct: int
    overall_test_pass_pct: int
    reflection_rate_pct: int
    report_min_level: int
    certification_test_pass_pct: int
    certificate_valid_years: int
    reflection_cutoff_days: int
    certificate_number_format: str
    competencies: tuple[str, ...]  # the programme's, in order: the final report is judged on each


def reflection_rate(statuses: dict[date, str]) -> tuple[int, int]:
    """(days with a submitted reflection, days expected so far) from the practice calendar. Only working days
    count: a weekend reflection (or draft) neither helps nor hurts."""
    expected = [s for d, s in statuses.items() if d.weekday() < 5 and s in ("submitted", "late", "missing", "draft")]
    done = [s for s in expected if s in ("submitted", "late")]
    return len(done), len(expected)


def rules(db: Database, cohort_id: int) -> Rules:
    row = db.one(
        "SELECT c.id, c.code, p.code, c.module_pass_pct, c.overall_test_pass_pct, c.reflection_rate_pct, "
        "c.report_min_level, c.certification_test_pass_pct, c.certificate_valid_years, c.reflection_cutoff_days, "
        "p.certificate_number_format FROM cohort c JOIN programme p ON p.id = c.programme_id WHERE c.id = ?",
        [cohort_id])
    if row is None:
        raise NotFound()
    competencies = tuple(code for (code,) in db.rows("SELECT code FROM competency ORDER BY seq"))
    return Rules(row[0], row[1], row[2], calendars(db, [cohort_id])[cohort_id], *row[3:], competencies)


def _practice_days(db: Database, r: Rules, today: date) -> tuple[list[date], list[date]]:
    """The cohort's working practice days up to today (weekdays that are neither public holidays nor the
    programme's days off, as in the trainee's calendar): those whose reflection is due (cut-off passed) and those
    still open. The same for every trainee of the cohort, so computed once and handed to SQL."""
    start, end = r.calendar["practical"]
    now = now_utc()
    off = days_off(db, start, end)
    due, still_open = [], []
    d = start
    while d <= min(end, today):
        if d.weekday() < 5 and d not in off:
            (due if now > reflections.cutoff(d, r.reflection_cutoff_days) else still_open).append(d)
        d += timedelta(days=1)
    return due, still_open


# One row of evidence per enrolment of a cohort: each criterion's evidence is aggregated once for the whole cohort
# in its own CTE and joined, so a cohort of 50 is one pass over each table rather than a query per trainee.
# Parameters in order: cohort id, the access condition's, due days, open days, cohort id, number of due days.
_EVIDENCE_SQL = """
WITH e AS (
  SELECT e.id, e.trainee_id, e.organisation_id, e.cohort_id, c.programme_id, c.module_pass_pct
  FROM enrolment e JOIN cohort c ON c.id = e.cohort_id
  WHERE e.cohort_id = ? AND e.status <> 'withdrawn' AND {condition}),
due AS (SELECT CAST(unnest(?) AS DATE) AS day),
still_open AS (SELECT CAST(unnest(?) AS DATE) AS day),
off AS (SELECT f.enrolment_id, f.day FROM day_off f JOIN e ON e.id = f.enrolment_id),
module_best AS (
  SELECT e.id AS enrolment_id, m.seq, coalesce(m.pass_pct, e.module_pass_pct) AS bar, max(q.score_pct) AS best
  FROM e JOIN module m ON m.programme_id = e.programme_id
  LEFT JOIN quiz_attempt q ON q.module_id = m.id AND q.enrolment_id = e.id
  GROUP BY e.id, m.seq, coalesce(m.pass_pct, e.module_pass_pct)),
modules AS (
  SELECT enrolment_id, string_agg(CAST(seq AS VARCHAR), ', ' ORDER BY seq) AS failing FROM module_best
  WHERE coalesce(best, -1) < bar GROUP BY enrolment_id),
tests AS (
  SELECT t.enrolment_id,
    max(t.score_pct) FILTER (WHERE t.kind = 'overall') AS overall_best,
    count(*) FILTER (WHERE t.kind = 'overall') AS overall_attempts,
    max(t.score_pct) FILTER (WHERE t.kind = 'certification') AS cert_best,
    count(*) FILTER (WHERE t.kind = 'certification') AS cert_attempts
  FROM test_attempt t JOIN e ON e.id = t.enrolment_id GROUP BY t.enrolment_id),
latest AS (
  SELECT s.enrolment_id, a.code, s.status,
    row_number() OVER (PARTITION BY s.enrolment_id, s.assignment_id ORDER BY s.version DESC) AS rn
  FROM submission s JOIN e ON e.id = s.enrolment_id JOIN assignment a ON a.id = s.assignment_id),
others AS (
  SELECT e.id AS enrolment_id, string_agg(a.code, ', ' ORDER BY a.seq) AS codes
  FROM e JOIN assignment a ON a.cohort_id = ?
  LEFT JOIN latest l ON l.enrolment_id = e.id AND l.code = a.code AND l.rn = 1
  WHERE a.code NOT IN ('A1', 'A8') AND coalesce(l.status, '') NOT IN ('scored', 'approved') GROUP BY e.id),
refl AS (
  SELECT r.enrolment_id,
    count(*) FILTER (WHERE r.status = 'submitted' AND (r.practice_date IN (SELECT day FROM due)
                                                       OR r.practice_date IN (SELECT day FROM still_open))) AS done,
    count(*) FILTER (WHERE r.status IN ('submitted', 'draft')
                     AND r.practice_date IN (SELECT day FROM still_open)) AS open_written
  FROM reflection r JOIN e ON e.id = r.enrolment_id
  WHERE NOT EXISTS (SELECT 1 FROM off WHERE off.enrolment_id = r.enrolment_id AND off.day = r.practice_date)
  GROUP BY r.enrolment_id),
off_due AS (SELECT enrolment_id, count(*) AS days FROM off WHERE day IN (SELECT day FROM due) GROUP BY enrolment_id),
report AS (
  SELECT sub.enrolment_id, string_agg(rc.competency || ':' || CAST(x.level AS VARCHAR), ',') AS levels
  FROM e JOIN submission sub ON sub.enrolment_id = e.id
  JOIN assignment a ON a.id = sub.assignment_id AND a.code = 'A8'
  JOIN score s ON s.submission_id = sub.id AND s.status = 'released'
  JOIN score_criterion x ON x.score_id = s.id JOIN rubric_criterion rc ON rc.id = x.criterion_id
  GROUP BY sub.enrolment_id),
attendance AS (
  SELECT w.enrolment_id, max(CASE WHEN w.day = 1 THEN w.status END) AS day1,
    max(CASE WHEN w.day = 2 THEN w.status END) AS day2
  FROM workshop_attendance w JOIN e ON e.id = w.enrolment_id GROUP BY w.enrolment_id),
decision AS (
  SELECT d.id, d.enrolment_id, d.decision, d.reason, d.override_reason, d.decided_at,
    row_number() OVER (PARTITION BY d.enrolment_id ORDER BY d.decided_at DESC, d.id DESC) AS rn
  FROM certification_decision d JOIN e ON e.id = d.enrolment_id)
SELECT e.id, u.display_name, coalesce(u.display_name_kana, ''), coalesce(o.name, ''), coalesce(o.region, ''),
  modules.failing, tests.overall_best, coalesce(tests.overall_attempts, 0), sheet.status, coalesce(refl.done, 0),
  ? - coalesce(off_due.days, 0) + coalesce(refl.open_written, 0), report.levels, others.codes,
  attendance.day1, attendance.day2, tests.cert_best, coalesce(tests.cert_attempts, 0),
  d.decision, d.reason, d.override_reason, d.decided_at, k.certificate_no, k.revoked_at IS NOT NULL, d.id
FROM e JOIN app_user u ON u.id = e.trainee_id LEFT JOIN organisation o ON o.id = e.organisation_id
LEFT JOIN modules ON modules.enrolment_id = e.id LEFT JOIN tests ON tests.enrolment_id = e.id
LEFT JOIN latest sheet ON sheet.enrolment_id = e.id AND sheet.code = 'A1' AND sheet.rn = 1
LEFT JOIN refl ON refl.enrolment_id = e.id LEFT JOIN off_due ON off_due.enrolment_id = e.id
LEFT JOIN report ON report.enrolment_id = e.id LEFT JOIN others ON others.enrolment_id = e.id
LEFT JOIN attendance ON attendance.enrolment_id = e.id
LEFT JOIN decision d ON d.enrolment_id = e.id AND d.rn = 1 LEFT JOIN certificate k ON k.enrolment_id = e.id
ORDER BY u.display_name_kana, u.display_name"""


def _rows(db: Database, r: Rules, today: date, condition: str, params: list) -> list[BoardRow]:
    due, still_open = _practice_days(db, r, today)
    # `condition` is a fixed SQL fragment from access.py or this module (never user text); values are parameters
    found = db.rows(_EVIDENCE_SQL.replace("{condition}", condition),
                    [r.cohort_id, *params, due, still_open, r.cohort_id, len(due)])
    out = []
    for row in found:
        checks = _checks(r, today, *row[5:17])
        out.append(BoardRow(row[0], row[1], row[2], row[3], row[4], checks, *row[17:22], bool(row[22]), row[23]))
    return out


def _checks(r: Rules, today: date, modules_failing, overall_best, overall_attempts, sheet, refl_done,
            refl_expected, report_levels, others, day1, day2, cert_best, cert_attempts) -> list[Check]:
    """The eight criteria of one trainee from their evidence row, with the cohort's thresholds and calendar."""
    cal = r.calendar
    online_over = today > cal["online"][1]
    practical_over = today > cal["practical"][1]
    workshop_over = today > cal["workshop_day2"][1]
    checks = [Check("cert.modules", not modules_failing if (online_over or not modules_failing) else None,
                    "cert.modules_missing" if modules_failing else None,
                    {"bar": r.module_pass_pct, "modules": modules_failing or "",
                     "module_seqs": [int(seq) for seq in (modules_failing or "").split(", ") if seq]})]

    overall_passed = overall_best is not None and overall_best >= r.overall_test_pass_pct
    checks.append(Check("cert.overall_test", overall_passed if (overall_attempts or online_over) else None,
                        None if overall_passed else "cert.score_below",
                        {"bar": r.overall_test_pass_pct, "best": _pct(overall_best)}))

    checks.append(Check("cert.task_sheet", True if sheet == "approved" else
                        (None if today <= cal["task_setting"][1] else False),
                        None if sheet == "approved" else "cert.not_approved"))

    rate = round(100 * refl_done / refl_expected) if refl_expected else 0
    met = rate >= r.reflection_rate_pct
    checks.append(Check("cert.reflections", met if (practical_over or met) and refl_expected else None,
                        "cert.reflection_rate", {"rate": rate, "bar": r.reflection_rate_pct, "done": refl_done,
                                                 "expected": refl_expected},
                        behind=bool(refl_expected) and not practical_over and not met))

    levels: dict[str, int] = {}
    for pair in (report_levels or "").split(","):
        if pair:
            code, level = pair.split(":")
            levels[code] = max(levels.get(code, 0), int(level))
    low = [c for c in r.competencies if levels.get(c, 0) < r.report_min_level]
    checks.append(Check("cert.final_report", (not low) if (levels or practical_over) else None,
                        "cert.final_report_low" if low else None,
                        {"bar": r.report_min_level, "competencies": ", ".join(low)}))

    checks.append(Check("cert.assignments", (not others) if (practical_over or not others) else None,
                        "cert.assignments_missing" if others else None, {"codes": others or ""}))

    both = day1 in ATTENDED and day2 in ATTENDED
    checks.append(Check("cert.workshop", both if (workshop_over or both) else None,
                        None if both else "cert.workshop_missing"))

    cert_passed = cert_best is not None and cert_best >= r.certification_test_pass_pct
    checks.append(Check("cert.certification_test", cert_passed if (cert_attempts or workshop_over) else None,
                        None if cert_passed else "cert.score_below",
                        {"bar": r.certification_test_pass_pct, "best": _pct(cert_best)}))
    return checks


def _pct(value) -> str:
    return "—" if value is None else f"{value:g}"


def checklist(db: Database, actor: Actor, enrolment: Enrolment, today: date) -> list[Check]:
    """One trainee's criteria: the trainee's own, a supervisor's assigned trainee, anyone for a manager."""
    require_enrolment_read(db, actor, enrolment.id)
    found = _rows(db, rules(db, enrolment.cohort_id), today, "e.id = ?", [enrolment.id])
    if not found:
        raise NotFound()
    return found[0].checks


def board(db: Database, actor: Actor, cohort_id: int, today: date) -> list[BoardRow]:
    """Every trainee of a cohort the actor may see (managers: all; supervisors: their own trainees, read-only),
    eligible trainees first, then by how few criteria are unmet, then by reading."""
    require_role(actor, "manager", "supervisor", db=db)
    condition, params = visible_enrolments_sql(actor)
    found = _rows(db, rules(db, cohort_id), today, condition, params)
    return sorted(found, key=lambda b: (not b.eligible, b.unmet, b.open))


def board_counts(rows: list[BoardRow]) -> dict[str, int]:
    """The figures on top of the board."""
    return {"trainees": len(rows), "eligible": sum(b.eligible for b in rows),
            "unmet": sum(1 for b in rows if b.unmet), "open": sum(1 for b in rows if not b.unmet and b.open),
            "certified": sum(b.decision == "certified" for b in rows),
            "undecided": sum(b.decision is None for b in rows)}


def cohorts_with_trainees(db: Database, actor: Actor) -> list[dict]:
    """Cohorts the actor has someone to see in (newest first), for the cohort picker of the board."""
    require_role(actor, "manager", "supervisor", "admin", db=db)
    condition, params = ("TRUE", []) if actor.has("manager", "admin") else visible_enrolments_sql(actor)
    return db.dicts(
        "SELECT c.id, c.code, c.name_ja, c.name_en, min(s.starts_on) AS starts_on, "
        "min(CASE WHEN s.stage = 'practical' THEN s.starts_on END) AS practical_starts_on, "
        "min(CASE WHEN s.stage = 'workshop_day1' THEN s.starts_on END) AS workshop_on, "
        "min(CASE WHEN s.stage = 'certification' THEN s.starts_on END) AS certification_on FROM cohort c "
        "JOIN cohort_stage s ON s.cohort_id = c.id WHERE EXISTS (SELECT 1 FROM enrolment e WHERE e.cohort_id = c.id "
        "AND " + condition + ") GROUP BY c.id, c.code, c.name_ja, c.name_en ORDER BY min(s.starts_on) DESC", params)


# -- thresholds per cohort ------------------------------------------------------------------------------------------
# column -> (lowest, highest) a manager may set; the defaults of domain.md live in the schema
THRESHOLDS = {"module_pass_pct": (0, 100), "overall_test_pass_pct": (0, 100), "reflection_rate_pct": (0, 100),
              "report_min_level": (1, 4), "certification_test_pass_pct": (0, 100), "certificate_valid_years": (1, 10)}


def thresholds(db: Database, actor: Actor, cohort_id: int) -> dict[str, int]:
    require_role(actor, "manager", "supervisor", db=db)
    r = rules(db, cohort_id)
    return {column: getattr(r, column) for column in THRESHOLDS}


def update_thresholds(db: Database, actor: Actor, cohort_id: int, values: dict[str, int], reason: str) -> int:
    """A manager changes a cohort's certification thresholds (they apply to every trainee of the cohort at once,
    so the change and its reason go to the audit log). Returns how many changed."""
    require_role(actor, "manager", db=db)
    if not (reason or "").strip():
        raise InvalidInput("certification.error_threshold_reason")
    check_length(reason, REASON_LIMIT)
    for column, value in values.items():
        low, high = THRESHOLDS.get(column, (None, None))
        if low is None or not isinstance(value, int) or not low <= value <= high:
            raise InvalidInput("certification.error_threshold_range", low=low, high=high)
    before = thresholds(db, actor, cohort_id)
    changed = {c: v for c, v in values.items() if before[c] != v}

    def write(tx: Transaction) -> int:
        for column, value in changed.items():  # column names come from THRESHOLDS, never from the caller's text
            tx.execute("UPDATE cohort SET " + column + " = ? WHERE id = ?", [value, cohort_id])
        if changed:
            audit(tx, actor.id, "cohort.thresholds", "cohort", cohort_id, {c: before[c] for c in changed}, changed,
                  reason.strip())
            cache_stamp.bump(tx)  # the funnel's gates and the online tab's pass marks, cached in every process
        return len(changed)

    return db.write(write)


# -- the evidence behind one cell -----------------------------------------------------------------------------------
def evidence(db: Database, actor: Actor, enrolment_id: int) -> dict[str, pd.DataFrame]:
    """What each criterion of one trainee rests on: quiz results, tests, assignments with released levels,
    reflections per status, attendance and the decision history."""
    relation = require_enrolment_read(db, actor, enrolment_id)
    if not relation & {"managed", "supervised"}:
        raise AccessDenied()
    return {
        "modules": db.frame(
            "SELECT m.seq, m.title_ja, m.title_en, max(q.score_pct) AS best, count(q.id) AS attempts FROM module m "
            "JOIN cohort c ON c.programme_id = m.programme_id JOIN enrolment e ON e.cohort_id = c.id AND e.id = ? "
            "LEFT JOIN quiz_attempt q ON q.module_id = m.id AND q.enrolment_id = e.id "
            "GROUP BY m.seq, m.title_ja, m.title_en ORDER BY m.seq", [enrolment_id]),
        "tests": db.frame("SELECT kind, attempt_no, score_pct, taken_at FROM test_attempt WHERE enrolment_id = ? "
                          "ORDER BY kind, attempt_no", [enrolment_id]),
        "assignments": db.frame(
            "SELECT a.code, a.title_ja, a.title_en, sub.status, "
            "(SELECT string_agg(rc.competency || ' ' || CAST(x.level AS VARCHAR), ' / ' ORDER BY rc.seq) "
            " FROM score s JOIN score_criterion x ON x.score_id = s.id"
            " JOIN rubric_criterion rc ON rc.id = x.criterion_id"
            " WHERE s.submission_id = sub.id AND s.status = 'released') AS levels "
            "FROM assignment a JOIN enrolment e ON e.cohort_id = a.cohort_id AND e.id = ? "
            "LEFT JOIN submission sub ON sub.assignment_id = a.id AND sub.enrolment_id = e.id AND sub.version = "
            "(SELECT max(s2.version) FROM submission s2 WHERE s2.assignment_id = a.id AND s2.enrolment_id = e.id) "
            "ORDER BY a.seq", [enrolment_id]),
        "attendance": db.frame("SELECT day, status, note FROM workshop_attendance WHERE enrolment_id = ? ORDER BY day",
                               [enrolment_id]),
        "decisions": decision_history(db, actor, enrolment_id),
    }


def decision_history(db: Database, actor: Actor, enrolment_id: int) -> pd.DataFrame:
    relation = require_enrolment_read(db, actor, enrolment_id)
    if not relation & {"managed", "supervised"}:
        raise AccessDenied()
    return db.frame(
        "SELECT d.decided_at, d.decision, d.reason, d.override_reason, d.reverses_id IS NOT NULL AS reversal, "
        "u.display_name AS decided_by FROM certification_decision d JOIN app_user u ON u.id = d.decided_by "
        "WHERE d.enrolment_id = ? ORDER BY d.decided_at DESC, d.id DESC", [enrolment_id])


# -- decisions ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Decided:
    decision_id: int
    decision: str
    reversal: bool
    certificate_no: str | None


def latest_decision_id(db: Database, enrolment_id: int) -> int | None:
    """What the manager saw when opening the form; passed back to `decide` to refuse a decision made meanwhile."""
    return db.value("SELECT id FROM certification_decision WHERE enrolment_id = ? ORDER BY decided_at DESC, id DESC "
                    "LIMIT 1", [enrolment_id])


def decide(db: Database, actor: Actor, enrolment_id: int, decision: str, reason: str, today: date, *,
           override_reason: str = "", seen_decision_id: int | None = None, confirmed_early: bool = False) -> Decided:
    """A manager's decision on one trainee. Certifying while a criterion is unmet or still open needs an explicit
    override reason, recorded and shown as an override. A decision that changes a certified or not-certified
    decision is a reversal and says so in the audit log. Every decision writes one audit row. A decision before the
    cohort's certification stage is refused (BeforeStage) unless the manager confirmed it, which the row keeps."""
    require_role(actor, "manager", db=db)
    if decision not in DECISIONS:
        raise InvalidInput("certification.error_decision")
    reason, override_reason = check_length(reason, REASON_LIMIT), check_length(override_reason, REASON_LIMIT)
    if not reason:
        raise InvalidInput("certification.error_reason")
    cohort_id = db.value("SELECT cohort_id FROM enrolment WHERE id = ?", [enrolment_id])
    if cohort_id is None:
        raise NotFound()
    r = rules(db, cohort_id)
    found = _rows(db, r, today, "e.id = ?", [enrolment_id])
    if not found:
        raise NotFound()
    unmet = [c.key for c in found[0].checks if c.met is not True]
    if decision == "certified" and unmet and not override_reason:
        raise InvalidInput("certification.error_override_required", count=len(unmet))
    if decision != "certified" or not unmet:
        override_reason = ""
    early = entered_before_stage(db, cohort_id, "certification", today, confirmed_early)
    return db.write(_record, actor, r, enrolment_id, decision, reason, override_reason, seen_decision_id, today,
                    early=early)


def _record(tx: Transaction, actor: Actor, r: Rules, enrolment_id: int, decision: str, reason: str,
            override_reason: str, seen_decision_id: int | None, today: date, at: datetime | None = None,
            early: dict | None = None) -> Decided:
    latest = tx.one("SELECT id, decision FROM certification_decision WHERE enrolment_id = ? "
                    "ORDER BY decided_at DESC, id DESC LIMIT 1", [enrolment_id])
    if (latest[0] if latest else None) != seen_decision_id:
        raise StaleWrite("certification.error_stale")
    if latest and latest[1] == decision:
        raise InvalidInput("certification.error_same_decision")
    reverses = latest[0] if latest and latest[1] in FINAL_DECISIONS else None
    now = at or now_utc()
    decision_id = tx.value(
        "INSERT INTO certification_decision (enrolment_id, decision, reason, decided_by, decided_at, override_reason, "
        "reverses_id) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [enrolment_id, decision, reason, actor.id, now, override_reason or None, reverses])
    number = None
    if decision == "certified":
        number = issue_certificate(tx, r, enrolment_id, today)
    elif latest and latest[1] == "certified":
        tx.execute("UPDATE certificate SET revoked_at = ? WHERE enrolment_id = ?", [now, enrolment_id])
    audit(tx, actor.id, "certification.reverse" if reverses else "certification.decide", "enrolment", enrolment_id,
          None if latest is None else {"decision": latest[1], "decision_id": latest[0]},
          {"decision": decision, "decision_id": decision_id, "override_reason": override_reason or None,
           "certificate_no": number, **({"entered_before_stage": early} if early else {})}, reason)
    cache_stamp.bump(tx)  # the funnel's certified step and the cohorts' certification rate, cached in every process
    return Decided(decision_id, decision, reverses is not None, number)


def valid_until(issued_on: date, years: int) -> date:
    """The last valid day: the day before the same date `years` later (29 February falls back to the 28th)."""
    try:
        same_day = issued_on.replace(year=issued_on.year + years)
    except ValueError:
        same_day = issued_on.replace(year=issued_on.year + years, day=28)
    return same_day - timedelta(days=1)


def certificate_number(r: Rules, serial: int) -> str:
    """The cohort's `serial`th certificate number in the programme's format."""
    return r.certificate_number_format.format(programme=r.programme_code, cohort=r.code, serial=serial)


def issue_certificate(tx: Transaction, r: Rules, enrolment_id: int, issued_on: date) -> str:
    """Issue the enrolment's certificate, or reinstate the one it had (same number), valid from `issued_on`.
    Runs inside the decision's transaction, under the write lock, so two certificates never get one serial."""
    existing = tx.value("SELECT certificate_no FROM certificate WHERE enrolment_id = ?", [enrolment_id])
    until = valid_until(issued_on, r.certificate_valid_years)
    if existing:
        tx.execute("UPDATE certificate SET revoked_at = NULL, issued_on = ?, valid_until = ? WHERE enrolment_id = ?",
                   [issued_on, until, enrolment_id])
        return existing
    serial = tx.value("SELECT coalesce(max(k.serial), 0) + 1 FROM certificate k JOIN enrolment e "
                      "ON e.id = k.enrolment_id WHERE e.cohort_id = ?", [r.cohort_id])
    number = certificate_number(r, serial)
    tx.execute("INSERT INTO certificate (enrolment_id, certificate_no, issued_on, valid_until, serial) "
               "VALUES (?, ?, ?, ?, ?)", [enrolment_id, number, issued_on, until, serial])
    return number


# -- the trainee's own result ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Result:
    decision: str
    reason: str
    decided_at: object
    certificate_no: str | None
    issued_on: date | None
    valid_until: date | None
    trainee_name: str
    cohort_name_ja: str
    cohort_name_en: str
    programme_ja: str
    programme_en: str


def result(db: Database, actor: Actor, enrolment_id: int) -> Result | None:
    """The latest decision on one enrolment with its certificate (none while undecided), for the trainee
    themself and the staff who may read the enrolment. The override reason stays with the staff."""
    require_enrolment_read(db, actor, enrolment_id)
    row = db.one(
        "SELECT d.decision, d.reason, d.decided_at, k.certificate_no, k.issued_on, k.valid_until, u.display_name, "
        "c.name_ja, c.name_en, p.name_ja, p.name_en FROM certification_decision d "
        "JOIN enrolment e ON e.id = d.enrolment_id JOIN app_user u ON u.id = e.trainee_id "
        "JOIN cohort c ON c.id = e.cohort_id JOIN programme p ON p.id = c.programme_id "
        "LEFT JOIN certificate k ON k.enrolment_id = e.id AND k.revoked_at IS NULL AND d.decision = 'certified' "
        "WHERE d.enrolment_id = ? ORDER BY d.decided_at DESC, d.id DESC LIMIT 1", [enrolment_id])
    return None if row is None else Result(*row)


# -- the register ---------------------------------------------------------------------------------------------------
def validity(valid_to: date, today: date) -> str:
    if valid_to < today:
        return "expired"
    return "expiring" if valid_to <= today + timedelta(days=EXPIRING_DAYS) else "valid"


def register(db: Database, actor: Actor, today: date, query: str = "", status: str = "") -> pd.DataFrame:
    """Certified coordinators across cohorts (revoked certificates left out), newest first. `query` matches name,
    reading, certificate number, organisation, prefecture or region, width-, kana- and case-insensitively;
    `status` keeps one validity status (valid / expiring / expired)."""
    require_role(actor, "manager", db=db)
    frame = db.frame(
        "SELECT k.certificate_no, u.display_name AS name, coalesce(u.display_name_kana, '') AS kana, "
        "coalesce(o.name, '') AS organisation, coalesce(o.prefecture, '') AS prefecture, "
        "coalesce(o.region, '') AS region, c.code AS cohort, k.issued_on, k.valid_until, "
        "CASE WHEN k.valid_until < ? THEN 'expired' WHEN k.valid_until <= ? THEN 'expiring' ELSE 'valid' END "
        "AS status FROM certificate k JOIN enrolment e ON e.id = k.enrolment_id JOIN app_user u ON u.id = e.trainee_id "
        "JOIN cohort c ON c.id = e.cohort_id LEFT JOIN organisation o ON o.id = e.organisation_id "
        "WHERE k.revoked_at IS NULL AND (? = '' OR CASE WHEN k.valid_until < ? THEN 'expired' "
        "WHEN k.valid_until <= ? THEN 'expiring' ELSE 'valid' END = ?) "
        "ORDER BY k.issued_on DESC, k.certificate_no",
        [today, today + timedelta(days=EXPIRING_DAYS), status, today, today + timedelta(days=EXPIRING_DAYS), status])
    for column in ("issued_on", "valid_until"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    needle = "".join(search_key(bounded_query(query)).split())  # 「あべ り」 and 「あべり」 find the same person
    if needle and not frame.empty:
        haystack = (frame["certificate_no"] + "|" + frame["name"] + "|" + frame["kana"] + "|" + frame["organisation"]
                    + "|" + frame["prefecture"] + "|" + frame["region"]).map(lambda s: "".join(search_key(s).split()))
        frame = frame[haystack.str.contains(needle, regex=False)].reset_index(drop=True)
    return frame
