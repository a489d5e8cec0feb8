"""The programme in force, read and edited on /programme by managers and admins (the same people who edit rubrics).

What a cohort copies when it is created (cohorts.create_cohort) stays with it: its certification thresholds and
certificate validity, its stage calendar, its assignments with their due dates and second-marking rule. So an edit
here of those defaults applies to cohorts created afterwards, and a running cohort keeps its own copy (changed on
/certification, /setup and /rubrics). The online modules are not copied: every cohort of the programme reads the
same rows, so a module's title and own pass mark change for running cohorts too, and changing a pass mark while
cohorts are running needs the editor's explicit confirmation (recorded in the audit log).

Every edit carries the values the editor saw (`seen`) and is refused with StaleWrite when someone else changed them
meanwhile; every change writes one audit row with before and after, and bumps the content stamp (cached reads of
modules and competencies in every app process)."""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import date

from ..access import Actor, require_role
from ..certification.certification import THRESHOLDS
from ..errors import InvalidInput, NotFound, StaleWrite
from ..store import cache_stamp
from ..store.db import Database, Transaction
from . import cohorts
from .auth import audit
from .curriculum import FIXED_DAYS, SECOND_MARKING, STAGES, TEXT_LIMIT, Stage

EDITORS = ("manager", "admin")
# the columns of `programme` holding the defaults of certification.THRESHOLDS, in the order the SQL below names them
THRESHOLD_COLUMNS = ("module_pass_pct", "overall_test_pass_pct", "reflection_rate_pct", "report_min_level",
                     "certification_test_pass_pct", "certificate_valid_years")
GAP_LIMIT, DAYS_LIMIT, DUE_LIMIT = 365, 366, 365


@dataclass(frozen=True)
class ModuleSettings:
    """What may be edited of an online module. pass_pct None: the programme's default (each cohort's copy of it)."""

    title_ja: str
    title_en: str
    pass_pct: int | None


@dataclass(frozen=True)
class AssignmentDefaults:
    """What may be edited of a default assignment: its titles, its due date as days from the first day of the
    practical stage, and its second-marking rule (scored assignments only)."""

    title_ja: str
    title_en: str
    due_days: int
    second_marking: str
    second_marking_pct: int
    second_marking_tolerance: int


@dataclass(frozen=True)
class CohortUse:
    """How many cohorts of the programme are running, not started yet, or finished (on `today`)."""

    running: int
    upcoming: int
    finished: int


@dataclass(frozen=True)
class ProgrammeView:
    id: int
    code: str
    name_ja: str
    name_en: str
    thresholds: dict[str, int]          # certification.THRESHOLDS: the defaults each new cohort copies
    competencies: list[dict]
    modules: list[dict]                 # with `settings` (ModuleSettings) and the pass mark in effect
    stages: tuple[Stage, ...]
    assignments: list[dict]             # with `defaults` (AssignmentDefaults) and the rubric's newest version
    use: CohortUse


def changed_fields(seen, new) -> list[tuple[str, object, object]]:
    """What an edit changes, field by field in the form's order: (field, before, after), for the sentence that says
    what was saved. `seen` and `new` are both ModuleSettings, AssignmentDefaults or threshold dicts."""
    before, after = (x if isinstance(x, dict) else asdict(x) for x in (seen, new))
    return [(field, before[field], after[field]) for field in after if before.get(field) != after[field]]


def programme_in_force(db: Database, actor: Actor, today: date) -> ProgrammeView | None:
    """The programme as /programme shows it, with how many cohorts use it; None before a programme is loaded."""
    require_role(actor, *EDITORS, db=db)
    row = db.one("SELECT id, code, name_ja, name_en FROM programme ORDER BY id LIMIT 1")
    if row is None:
        return None
    programme_id = row[0]
    thresholds = _thresholds(db, programme_id)
    modules = db.dicts("SELECT id, seq, group_code, title_ja, title_en, competency, pass_pct FROM module "
                       "WHERE programme_id = ? ORDER BY seq", [programme_id])
    for m in modules:
        m["settings"] = ModuleSettings(m["title_ja"], m["title_en"], m["pass_pct"])
        m["pass_pct_in_effect"] = thresholds["module_pass_pct"] if m["pass_pct"] is None else m["pass_pct"]
    assignments = db.dicts(
        "SELECT t.seq, t.code, t.title_ja, t.title_en, t.kind, t.rubric_code, t.due_days, t.certification_critical, "
        "t.moderation_rule, t.moderation_pct, t.moderation_tolerance, r.id AS rubric_id, r.version AS rubric_version "
        "FROM assignment_template t LEFT JOIN rubric r ON r.id = (SELECT max(x.id) FROM rubric x "
        "  WHERE x.programme_id = t.programme_id AND x.code = t.rubric_code) "
        "WHERE t.programme_id = ? ORDER BY t.seq", [programme_id])
    for a in assignments:
        a["defaults"] = AssignmentDefaults(a["title_ja"], a["title_en"], a["due_days"], a["moderation_rule"],
                                           a["moderation_pct"], a["moderation_tolerance"])
    return ProgrammeView(programme_id, row[1], row[2], row[3], thresholds, cohorts.competencies(db), modules,
                         _stages(db, programme_id), assignments, _cohort_use(db, programme_id, today))


def _thresholds(reader, programme_id: int) -> dict[str, int]:
    row = reader.one("SELECT module_pass_pct, overall_test_pass_pct, reflection_rate_pct, report_min_level, "
                     "certification_test_pass_pct, certificate_valid_years FROM programme WHERE id = ?", [programme_id])
    return dict(zip(THRESHOLD_COLUMNS, row, strict=True))


def _stages(reader, programme_id: int) -> tuple[Stage, ...]:
    return tuple(Stage(*s) for s in cohorts.programme_stages(reader, programme_id))


def _cohort_use(db: Database, programme_id: int, today: date) -> CohortUse:
    ids = [cid for (cid,) in db.rows("SELECT id FROM cohort WHERE programme_id = ?", [programme_id])]
    stages = [cohorts.current_stage(calendar, today) for calendar in cohorts.calendars(db, ids).values()
              if set(calendar) >= set(cohorts.STAGE_ORDER)]
    return CohortUse(running=sum(s not in ("before", "finished") for s in stages),
                     upcoming=stages.count("before"), finished=stages.count("finished"))


def _programme_id(tx: Transaction) -> int:
    programme_id = tx.value("SELECT id FROM programme ORDER BY id LIMIT 1")
    if programme_id is None:
        raise NotFound()
    return programme_id


def _check_titles(title_ja: str, title_en: str) -> None:
    if not title_ja.strip() or not title_en.strip():
        raise InvalidInput("programme.title_required")
    if max(len(title_ja.strip()), len(title_en.strip())) > TEXT_LIMIT:
        raise InvalidInput("programme.too_long", limit=TEXT_LIMIT)


# -- online modules (shared by every cohort) ---------------------------------------------------------------------
def update_module(db: Database, actor: Actor, module_id: int, seen: ModuleSettings, new: ModuleSettings,
                  today: date, running_confirmed: bool = False) -> bool:
    """Change a module's titles and its own pass mark (None: the programme's default). Modules are shared by every
    cohort, so a new pass mark while cohorts are running or about to start is refused unless `running_confirmed`.
    Returns whether anything changed."""
    require_role(actor, *EDITORS, db=db)
    _check_titles(new.title_ja, new.title_en)
    if new.pass_pct is not None and not 0 <= new.pass_pct <= 100:
        raise InvalidInput("programme.bad_pct", low=0, high=100)
    new = replace(new, title_ja=new.title_ja.strip(), title_en=new.title_en.strip())
    use = None
    if new.pass_pct != seen.pass_pct:
        programme_id = db.value("SELECT programme_id FROM module WHERE id = ?", [module_id])
        if programme_id is None:
            raise NotFound()
        use = _cohort_use(db, programme_id, today)
        if (use.running or use.upcoming) and not running_confirmed:
            raise InvalidInput("programme.module_confirm_needed", count=use.running + use.upcoming)

    def run(tx: Transaction) -> bool:
        row = tx.one("SELECT title_ja, title_en, pass_pct FROM module WHERE id = ?", [module_id])
        if row is None:
            raise NotFound()
        if ModuleSettings(*row) != seen:
            raise StaleWrite("programme.stale")
        if new == seen:
            return False
        tx.execute("UPDATE module SET title_ja = ?, title_en = ?, pass_pct = ? WHERE id = ?",
                   [new.title_ja, new.title_en, new.pass_pct, module_id])
        after = asdict(new)
        if use is not None and (use.running or use.upcoming):
            after["applies_to_cohorts_in_use"] = use.running + use.upcoming
        audit(tx, actor.id, "programme.module", "module", module_id, asdict(seen), after)
        cache_stamp.bump(tx)
        return True

    return db.write(run)


# -- defaults each new cohort copies ------------------------------------------------------------------------------
def update_thresholds(db: Database, actor: Actor, seen: dict[str, int], new: dict[str, int]) -> bool:
    """Change the certification thresholds (and certificate validity) new cohorts start with. Running cohorts keep
    their own (changed per cohort on /certification)."""
    require_role(actor, *EDITORS, db=db)
    if set(new) != set(THRESHOLDS) or set(seen) != set(THRESHOLDS):
        raise InvalidInput("programme.bad_thresholds")
    for column, (low, high) in THRESHOLDS.items():
        value = new[column]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise InvalidInput("programme.bad_threshold", field=f"certification.threshold_{column}", low=low,
                               high=high)

    def run(tx: Transaction) -> bool:
        programme_id = _programme_id(tx)
        current = _thresholds(tx, programme_id)
        if current != seen:
            raise StaleWrite("programme.stale")
        changed = {c: v for c, v in new.items() if current[c] != v}
        if not changed:
            return False
        tx.execute("UPDATE programme SET module_pass_pct = ?, overall_test_pass_pct = ?, reflection_rate_pct = ?, "
                   "report_min_level = ?, certification_test_pass_pct = ?, certificate_valid_years = ? WHERE id = ?",
                   [*(new[c] for c in THRESHOLD_COLUMNS), programme_id])
        audit(tx, actor.id, "programme.thresholds", "programme", programme_id, {c: current[c] for c in changed},
              changed)
        cache_stamp.bump(tx)
        return True

    return db.write(run)


def update_assignment(db: Database, actor: Actor, code: str, seen: AssignmentDefaults,
                      new: AssignmentDefaults) -> bool:
    """Change a default assignment's titles, due offset and second-marking rule, for cohorts created afterwards
    (a running cohort's assignments are changed on /rubrics)."""
    require_role(actor, *EDITORS, db=db)
    _check_titles(new.title_ja, new.title_en)
    if isinstance(new.due_days, bool) or not -DUE_LIMIT <= new.due_days <= DUE_LIMIT:
        raise InvalidInput("programme.bad_due_days", limit=DUE_LIMIT)
    if new.second_marking not in SECOND_MARKING:
        raise InvalidInput("rubrics.bad_rule")
    if not 1 <= new.second_marking_pct <= 100 or not 0 <= new.second_marking_tolerance <= 3:
        raise InvalidInput("rubrics.bad_moderation")
    new = replace(new, title_ja=new.title_ja.strip(), title_en=new.title_en.strip())

    def run(tx: Transaction) -> bool:
        programme_id = _programme_id(tx)
        row = tx.one("SELECT title_ja, title_en, due_days, moderation_rule, moderation_pct, moderation_tolerance, "
                     "kind FROM assignment_template WHERE programme_id = ? AND code = ?", [programme_id, code])
        if row is None:
            raise NotFound()
        if AssignmentDefaults(*row[:6]) != seen:
            raise StaleWrite("programme.stale")
        if row[6] != "scored" and new.second_marking != "none":
            raise InvalidInput("programme.approval_not_marked")
        if new == seen:
            return False
        tx.execute("UPDATE assignment_template SET title_ja = ?, title_en = ?, due_days = ?, moderation_rule = ?, "
                   "moderation_pct = ?, moderation_tolerance = ? WHERE programme_id = ? AND code = ?",
                   [new.title_ja, new.title_en, new.due_days, new.second_marking, new.second_marking_pct,
                    new.second_marking_tolerance, programme_id, code])
        audit(tx, actor.id, "programme.assignment", "assignment_template", f"{programme_id}:{code}", asdict(seen),
              asdict(new))
        cache_stamp.bump(tx)
        return True

    return db.write(run)


def check_stages(stages: tuple[Stage, ...]) -> None:
    """The stages in the programme's order, each with a length the app can keep and a gap after the previous."""
    if tuple(s.stage for s in stages) != STAGES:
        raise InvalidInput("programme.stage_order")
    for s in stages:
        if s.stage in FIXED_DAYS and s.days != FIXED_DAYS[s.stage]:
            raise InvalidInput("programme.fixed_days", stage=f"programme.stage.{s.stage}")
        if not 1 <= s.days <= DAYS_LIMIT:
            raise InvalidInput("programme.bad_days", stage=f"programme.stage.{s.stage}", limit=DAYS_LIMIT)
        if not 1 <= s.days_after_previous <= GAP_LIMIT:
            raise InvalidInput("programme.bad_gap", stage=f"programme.stage.{s.stage}", limit=GAP_LIMIT)
        if s.weekday is not None and s.weekday not in range(7):
            raise InvalidInput("programme.bad_weekday", stage=f"programme.stage.{s.stage}")


def update_stages(db: Database, actor: Actor, seen: tuple[Stage, ...], new: tuple[Stage, ...]) -> bool:
    """Change the stage lengths, gaps and weekdays new cohorts' calendars are drawn from (a running cohort's own
    calendar is moved on /setup)."""
    require_role(actor, *EDITORS, db=db)
    new, seen = tuple(new), tuple(seen)
    check_stages(new)
    if new[0].days_after_previous != 1:  # nothing comes before the first stage
        new = (replace(new[0], days_after_previous=1), *new[1:])

    def run(tx: Transaction) -> bool:
        programme_id = _programme_id(tx)
        current = _stages(tx, programme_id)
        if current != seen:
            raise StaleWrite("programme.stale")
        if new == current:
            return False
        tx.executemany("UPDATE programme_stage SET days = ?, days_after_previous = ?, weekday = ? "
                       "WHERE programme_id = ? AND stage = ?",
                       [(s.days, s.days_after_previous, s.weekday, programme_id, s.stage) for s in new])
        audit(tx, actor.id, "programme.stages", "programme", programme_id,
              [asdict(s) for s in current], [asdict(s) for s in new])
        cache_stamp.bump(tx)
        return True

    return db.write(run)
