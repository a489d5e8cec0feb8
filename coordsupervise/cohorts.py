"""Cohorts and their stage calendar; setting a cohort up; the programme's days off."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, timedelta

import jpholiday
import pandas as pd

from . import cache_stamp, defaults
from .access import Actor, require_role
from .auth import audit
from .clock import now_utc
from .db import Database, Transaction
from .errors import InvalidInput, NotFound

STAGE_ORDER = ("online", "task_setting", "practical", "workshop_day1", "workshop_day2", "certification")


def current_stage(calendar: dict[str, tuple[date, date]], today: date) -> str:
    """The stage a cohort is in on `today`: 'before' the first, a stage name, a gap counts as the stage just
    ended (waiting for the next), 'finished' after certification."""
    first = calendar[STAGE_ORDER[0]][0]
    if today < first:
        return "before"
    latest = STAGE_ORDER[0]
    for stage in STAGE_ORDER:
        start, end = calendar[stage]
        if start <= today <= end:
            return stage
        if today > end:
            latest = stage
    return "finished" if latest == STAGE_ORDER[-1] else latest


def overview(db: Database, actor: Actor, today: date) -> pd.DataFrame:
    """One row per cohort with its calendar, size and where it stands today (managers and admins)."""
    require_role(actor, "manager", "admin", db=db)
    frame = db.frame(
        "SELECT c.id, c.code, c.name_ja, c.name_en, "
        "  (SELECT count(*) FROM enrolment e WHERE e.cohort_id = c.id) AS trainees, "
        "  (SELECT count(*) FROM flag f JOIN enrolment e ON e.id = f.enrolment_id "
        "     WHERE e.cohort_id = c.id AND f.resolved_at IS NULL) AS open_flags, "
        "  min(s.starts_on) AS starts_on, max(s.ends_on) AS ends_on "
        "FROM cohort c JOIN cohort_stage s ON s.cohort_id = c.id "
        "GROUP BY c.id, c.code, c.name_ja, c.name_en ORDER BY min(s.starts_on) DESC"
    )
    stages = calendars(db, list(frame["id"]))
    frame["stage"] = [current_stage(stages[cid], today) for cid in frame["id"]]
    return frame


def calendars(db: Database, cohort_ids: list[int]) -> dict[int, dict[str, tuple[date, date]]]:
    out: dict[int, dict[str, tuple[date, date]]] = {cid: {} for cid in cohort_ids}
    if not cohort_ids:
        return out
    for cid, stage, start, end in db.rows(
            "SELECT cohort_id, stage, starts_on, ends_on FROM cohort_stage WHERE cohort_id IN (SELECT unnest(?))",
            [cohort_ids]):
        out[cid][stage] = (start, end)
    return out


def modules(db: Database, cohort_id: int) -> list[dict]:
    """The online modules of the cohort's programme, in order (anyone enrolled or staff may read them)."""
    return db.dicts(
        "SELECT m.id, m.seq, m.group_code, m.title_ja, m.title_en, m.competency FROM module m "
        "JOIN cohort c ON c.programme_id = m.programme_id WHERE c.id = ? ORDER BY m.seq", [cohort_id])


def competencies(db: Database) -> list[dict]:
    return db.dicts("SELECT code, name_ja, name_en FROM competency ORDER BY seq")


# -- setting a cohort up (admins) ---------------------------------------------------------------------------------
CODE_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_-]{1,31}"
MAX_CUTOFF_DAYS = 14


@dataclass(frozen=True)
class CohortSetup:
    """What the office edits of a cohort: its code and names, its stage calendar, and the reflection cut-off (a
    reflection for day D is on time until D + cutoff_days at 23:59 JST)."""

    code: str
    name_ja: str
    name_en: str
    calendar: dict[str, tuple[date, date]]
    reflection_cutoff_days: int = 1


def check_setup(setup: CohortSetup) -> None:
    """Every stage present, each ending on or after its start, in the programme's order without overlap."""
    if not re.fullmatch(CODE_PATTERN, setup.code or ""):
        raise InvalidInput("setup.bad_code")
    if not setup.name_ja.strip() or not setup.name_en.strip():
        raise InvalidInput("setup.names_required")
    if len(setup.name_ja) > 100 or len(setup.name_en) > 100:
        raise InvalidInput("setup.name_too_long", limit=100)
    if not 0 <= setup.reflection_cutoff_days <= MAX_CUTOFF_DAYS:
        raise InvalidInput("setup.cutoff_range", limit=MAX_CUTOFF_DAYS)
    previous_end = None
    for stage in STAGE_ORDER:
        if stage not in setup.calendar:
            raise InvalidInput("setup.stage_missing", stage=f"stage.{stage}")
        start, end = setup.calendar[stage]
        if end < start:
            raise InvalidInput("setup.stage_ends_before_start", stage=f"stage.{stage}")
        if previous_end is not None and start <= previous_end:
            raise InvalidInput("setup.stage_overlaps", stage=f"stage.{stage}")
        previous_end = end


def setup_of(db: Database, actor: Actor, cohort_id: int) -> CohortSetup:
    require_role(actor, "admin", db=db)
    row = db.one("SELECT code, name_ja, name_en, reflection_cutoff_days FROM cohort WHERE id = ?", [cohort_id])
    if row is None:
        raise NotFound()
    return CohortSetup(row[0], row[1], row[2], calendars(db, [cohort_id])[cohort_id], row[3])


def create_cohort(db: Database, actor: Actor, setup: CohortSetup, copy_from: int | None = None) -> int:
    """A new cohort with its calendar and its assignments: copied from an earlier cohort (titles, kinds, rubrics,
    thresholds; due dates moved with the practical stage), or the programme's default set. Modules and rubrics
    belong to the programme, so the copy uses the same ones."""
    require_role(actor, "admin", db=db)
    check_setup(setup)

    def run(tx: Transaction) -> int:
        if tx.value("SELECT id FROM cohort WHERE code = ?", [setup.code]) is not None:
            raise InvalidInput("setup.code_taken", code=setup.code)
        if copy_from is not None:
            source = tx.one("SELECT programme_id, module_pass_pct, overall_test_pass_pct, reflection_rate_pct, "
                            "report_min_level, certification_test_pass_pct, certificate_valid_years "
                            "FROM cohort WHERE id = ?", [copy_from])
            if source is None:
                raise NotFound()
            programme_id, *thresholds = source
        else:
            programme_id = tx.value("SELECT id FROM programme ORDER BY id LIMIT 1")
            thresholds = None
        if programme_id is None:
            raise InvalidInput("setup.no_programme")
        cohort_id = tx.value("INSERT INTO cohort (programme_id, code, name_ja, name_en, reflection_cutoff_days) "
                             "VALUES (?, ?, ?, ?, ?) RETURNING id",
                             [programme_id, setup.code, setup.name_ja.strip(), setup.name_en.strip(),
                              setup.reflection_cutoff_days])
        if thresholds is not None:
            tx.execute("UPDATE cohort SET module_pass_pct = ?, overall_test_pass_pct = ?, reflection_rate_pct = ?, "
                       "report_min_level = ?, certification_test_pass_pct = ?, certificate_valid_years = ? "
                       "WHERE id = ?", [*thresholds, cohort_id])
        tx.executemany("INSERT INTO cohort_stage (cohort_id, stage, starts_on, ends_on) VALUES (?, ?, ?, ?)",
                       [(cohort_id, s, *setup.calendar[s]) for s in STAGE_ORDER])
        _copy_assignments(tx, programme_id, copy_from, cohort_id, setup.calendar["practical"][0])
        cache_stamp.bump(tx)
        audit(tx, actor.id, "cohort.create", "cohort", cohort_id, None,
              {"code": setup.code, "copied_from": copy_from})
        return cohort_id

    return db.write(run)


def _copy_assignments(tx: Transaction, programme_id: int, copy_from: int | None, cohort_id: int,
                      practical_start: date) -> None:
    if copy_from is not None:
        old_start = tx.value("SELECT starts_on FROM cohort_stage WHERE cohort_id = ? AND stage = 'practical'",
                             [copy_from])
        # second marking (rule, sample share, seed, tolerance) and the rubric version travel with the assignment,
        # so a report second-marked by all in the source cohort is second-marked by all in the copy
        tx.execute(
            "INSERT INTO assignment (cohort_id, seq, code, title_ja, title_en, kind, rubric_id, due_on, "
            "certification_critical, moderation_rule, moderation_pct, moderation_seed, moderation_tolerance, "
            "rubric_version) SELECT ?, seq, code, title_ja, title_en, kind, rubric_id, "
            "due_on + CAST(? AS INTEGER), certification_critical, moderation_rule, moderation_pct, moderation_seed, "
            "moderation_tolerance, rubric_version FROM assignment WHERE cohort_id = ?",
            [cohort_id, (practical_start - old_start).days, copy_from])
        return
    rubrics = dict(tx.rows("SELECT code, max(id) FROM rubric WHERE programme_id = ? GROUP BY code", [programme_id]))
    tx.executemany(
        "INSERT INTO assignment (cohort_id, seq, code, title_ja, title_en, kind, rubric_id, due_on, "
        "certification_critical) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(cohort_id, seq, code, ja, en, kind, rubrics.get(code), practical_start + timedelta(days=due), critical)
         for seq, (code, ja, en, kind, _comps, due, critical) in enumerate(defaults.ASSIGNMENTS, start=1)])


def copy_summary(db: Database, actor: Actor, cohort_id: int) -> dict:
    """What a new cohort holds after create_cohort, to say so: its assignments and how many are second-marked
    by all or by a sample."""
    require_role(actor, "admin", db=db)
    count, by_all, by_sample = db.one(
        "SELECT count(*), count(*) FILTER (WHERE moderation_rule = 'all'), "
        "count(*) FILTER (WHERE moderation_rule = 'sample') FROM assignment WHERE cohort_id = ?", [cohort_id])
    return {"assignments": count, "second_all": by_all, "second_sample": by_sample}


def update_cohort(db: Database, actor: Actor, cohort_id: int, setup: CohortSetup) -> None:
    """Change names, calendar and cut-off rule (the code stays: people and files refer to it)."""
    require_role(actor, "admin", db=db)
    check_setup(setup)
    before = setup_of(db, actor, cohort_id)

    def run(tx: Transaction):
        tx.execute("UPDATE cohort SET name_ja = ?, name_en = ?, reflection_cutoff_days = ? WHERE id = ?",
                   [setup.name_ja.strip(), setup.name_en.strip(), setup.reflection_cutoff_days, cohort_id])
        tx.executemany("UPDATE cohort_stage SET starts_on = ?, ends_on = ? WHERE cohort_id = ? AND stage = ?",
                       [(*setup.calendar[s], cohort_id, s) for s in STAGE_ORDER])
        cache_stamp.bump(tx)
        audit(tx, actor.id, "cohort.update", "cohort", cohort_id,
              {"names": [before.name_ja, before.name_en], "calendar": before.calendar,
               "cutoff": before.reflection_cutoff_days},
              {"names": [setup.name_ja, setup.name_en], "calendar": setup.calendar,
               "cutoff": setup.reflection_cutoff_days})

    db.write(run)


def assignment_list(db: Database, actor: Actor, cohort_id: int) -> list[dict]:
    require_role(actor, "admin", db=db)
    return db.dicts("SELECT seq, code, title_ja, title_en, kind, due_on, certification_critical FROM assignment "
                    "WHERE cohort_id = ? ORDER BY seq", [cohort_id])


# -- days off: Japan's public holidays and the programme's own ---------------------------------------------------
@functools.lru_cache(maxsize=256)
def _public_holidays(year: int) -> tuple[tuple[date, str], ...]:
    """Japan's public holidays of one year. jpholiday works them out rule by rule (tens of milliseconds a year),
    and they never change for a past year, so each year is worked out once per process."""
    return tuple(jpholiday.year_holidays(year))


def days_off(db: Database, start: date, end: date) -> dict[date, tuple[str, str]]:
    """Days no reflection is expected, programme-wide, between `start` and `end`: Japan's public holidays
    (jpholiday) and the office's own days off, each with its name (ja, en). Not person data: no actor needed."""
    out = {day: (name, name) for year in range(start.year, end.year + 1)
           for day, name in _public_holidays(year) if start <= day <= end}
    for day, name_ja, name_en in db.rows(
            "SELECT day, name_ja, name_en FROM programme_day_off WHERE day BETWEEN ? AND ?", [start, end]):
        out[day] = (name_ja, name_en)
    return out


def programme_days_off(db: Database, actor: Actor) -> list[dict]:
    require_role(actor, "admin", db=db)
    return db.dicts("SELECT day, name_ja, name_en FROM programme_day_off ORDER BY day DESC")


def add_programme_day_off(db: Database, actor: Actor, day: date, name_ja: str, name_en: str) -> None:
    require_role(actor, "admin", db=db)
    name_ja, name_en = (name_ja or "").strip(), (name_en or "").strip() or (name_ja or "").strip()
    if not name_ja:
        raise InvalidInput("setup.day_off_name_required")
    if len(name_ja) > 100 or len(name_en) > 100:
        raise InvalidInput("setup.name_too_long", limit=100)

    def run(tx: Transaction):
        tx.execute("DELETE FROM programme_day_off WHERE day = ?", [day])
        tx.execute("INSERT INTO programme_day_off (day, name_ja, name_en, created_by, created_at) "
                   "VALUES (?, ?, ?, ?, ?)", [day, name_ja, name_en, actor.id, now_utc()])
        cache_stamp.bump(tx)
        audit(tx, actor.id, "programme.day_off", "programme_day_off", day, None, {"name": name_ja})

    db.write(run)


def remove_programme_day_off(db: Database, actor: Actor, day: date) -> None:
    require_role(actor, "admin", db=db)

    def run(tx: Transaction):
        before = tx.value("SELECT name_ja FROM programme_day_off WHERE day = ?", [day])
        if before is None:
            raise NotFound()
        tx.execute("DELETE FROM programme_day_off WHERE day = ?", [day])
        cache_stamp.bump(tx)
        audit(tx, actor.id, "programme.day_off", "programme_day_off", day, {"name": before}, None)

    db.write(run)
