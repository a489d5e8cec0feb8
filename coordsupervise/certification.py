"""The certification criteria of domain.md, checked for one enrolment against its cohort's thresholds.

Each check is met (True), not met (False) or not yet decidable (None: its stage has not come). The trainee's
progress page shows the list with what is missing; the manager's certification screen uses the same checks."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from . import progress, reflections
from .access import Actor, require_enrolment_read
from .db import Database
from .enrolments import Enrolment


@dataclass(frozen=True)
class Check:
    key: str                       # catalogue key of the criterion
    met: bool | None
    detail_key: str | None = None  # catalogue key of what is missing
    params: dict = field(default_factory=dict)


def reflection_rate(statuses: dict[date, str]) -> tuple[int, int]:
    """(days with a submitted reflection, days expected so far) from the practice calendar. Only working days
    count: a weekend reflection (or draft) neither helps nor hurts."""
    expected = [s for d, s in statuses.items() if d.weekday() < 5 and s in ("submitted", "late", "missing", "draft")]
    done = [s for s in expected if s in ("submitted", "late")]
    return len(done), len(expected)


def checklist(db: Database, actor: Actor, enrolment: Enrolment, today: date) -> list[Check]:
    require_enrolment_read(db, actor, enrolment.id)
    checks: list[Check] = []
    cal = enrolment.calendar

    modules = progress.module_results(db, actor, enrolment)
    failing = [m["seq"] for m in modules if not m["passed"]]
    online_over = today > cal["online"][1]
    checks.append(Check("cert.modules", not failing if (online_over or not failing) else None,
                        "cert.modules_missing" if failing else None,
                        {"bar": enrolment.module_pass_pct, "modules": ", ".join(map(str, failing)),
                         "module_seqs": failing}))

    overall = progress.test_result(db, actor, enrolment, "overall")
    checks.append(Check("cert.overall_test", overall["passed"] if (overall["attempts"] or online_over) else None,
                        None if overall["passed"] else "cert.score_below",
                        {"bar": overall["bar"], "best": overall["best"] if overall["best"] is not None else "—"}))

    states = {code: (status, kind) for code, status, kind in db.rows(
        "SELECT a.code, (SELECT s.status FROM submission s WHERE s.assignment_id = a.id AND s.enrolment_id = ? "
        "ORDER BY s.version DESC LIMIT 1), a.kind FROM assignment a WHERE a.cohort_id = ?",
        [enrolment.id, enrolment.cohort_id])}
    sheet_status = states.get("A1", (None, None))[0]
    checks.append(Check("cert.task_sheet", True if sheet_status == "approved" else
                        (None if today <= cal["task_setting"][1] else False),
                        None if sheet_status == "approved" else "cert.not_approved"))

    statuses = reflections.calendar(db, actor, enrolment, today)
    done, expected = reflection_rate(statuses)
    rate = round(100 * done / expected) if expected else 0
    practical_over = today > cal["practical"][1]
    met = rate >= enrolment.reflection_rate_pct
    checks.append(Check("cert.reflections", met if (practical_over or met) and expected else None,
                        "cert.reflection_rate", {"rate": rate, "bar": enrolment.reflection_rate_pct, "done": done,
                                                 "expected": expected}))

    report_levels = dict(db.rows(
        "SELECT rc.competency, max(x.level) FROM assignment a JOIN submission sub ON sub.assignment_id = a.id "
        "JOIN score s ON s.submission_id = sub.id AND s.status = 'released' "
        "JOIN score_criterion x ON x.score_id = s.id JOIN rubric_criterion rc ON rc.id = x.criterion_id "
        "WHERE a.cohort_id = ? AND a.code = 'A8' AND sub.enrolment_id = ? GROUP BY rc.competency",
        [enrolment.cohort_id, enrolment.id]))
    low = [c for c in ("C1", "C2", "C3", "C4") if report_levels.get(c, 0) < enrolment.report_min_level]
    checks.append(Check("cert.final_report", (not low) if (report_levels or practical_over) else None,
                        "cert.final_report_low" if low else None,
                        {"bar": enrolment.report_min_level, "competencies": ", ".join(low)}))

    others = [code for code, (status, kind) in sorted(states.items()) if code not in ("A1", "A8")
              and status not in ("scored", "approved")]
    checks.append(Check("cert.assignments", (not others) if (practical_over or not others) else None,
                        "cert.assignments_missing" if others else None, {"codes": ", ".join(others)}))

    attended = dict(db.rows("SELECT day, attended FROM workshop_attendance WHERE enrolment_id = ?", [enrolment.id]))
    workshop_over = today > cal["workshop_day2"][1]
    both = attended.get(1) is True and attended.get(2) is True
    checks.append(Check("cert.workshop", both if (workshop_over or both) else None,
                        None if both else "cert.workshop_missing"))

    final = progress.test_result(db, actor, enrolment, "certification")
    checks.append(Check("cert.certification_test", final["passed"] if (final["attempts"] or workshop_over) else None,
                        None if final["passed"] else "cert.score_below",
                        {"bar": final["bar"], "best": final["best"] if final["best"] is not None else "—"}))
    return checks
