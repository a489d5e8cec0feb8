"""Cohorts and their stage calendar; setting a cohort up from the programme (curriculum.py wrote its stage lengths,
thresholds and assignment set); the programme's days off."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, timedelta

import jpholiday
import pandas as pd

from ..access import Actor, require_role
from ..clock import now_utc
from ..errors import BeforeStage, InvalidInput, NotFound
from ..store import cache_stamp
from ..store.db import Database, Transaction
from .auth import audit

STAGE_ORDER = ("online", "task_setting", "practical", "workshop_day1", "workshop_day2", "certification")


def stage_calendar(stages: list[tuple[str, int, int, int | None]], online_start: date) -> dict[str, tuple[date, date]]:
    """A cohort's calendar from its first online day and the programme's stages (stage, days, days after the previous
    stage's last day, weekday the first day moves forward to or None), in order. The workshop's two days become
    workshop_day1 and workshop_day2."""
    calendar: dict[str, tuple[date, date]] = {}
    previous_end = None
    for stage, days, days_after_previous, weekday in stages:
        start = online_start if previous_end is None else previous_end + timedelta(days=days_after_previous)
        while weekday is not None and start.weekday() != weekday:
            start += timedelta(days=1)
        if stage == "workshop":
            for day in range(days):
                calendar[f"workshop_day{day + 1}"] = (start + timedelta(days=day), start + timedelta(days=day))
        else:
            calendar[stage] = (start, start + timedelta(days=days - 1))
        previous_end = start + timedelta(days=days - 1)
    return calendar


def programme_stages(db: Database | Transaction, programme_id: int) -> list[tuple[str, int, int, int | None]]:
    return db.rows("SELECT stage, days, days_after_previous, weekday FROM programme_stage WHERE programme_id = ? "
                   "ORDER BY seq", [programme_id])


def default_calendar(db: Database, online_start: date) -> dict[str, tuple[date, date]]:
    """The calendar a new cohort starting on `online_start` gets from the programme's stage lengths and gaps."""
    programme_id = db.value("SELECT id FROM programme ORDER BY id LIMIT 1")
    if programme_id is None:
        raise InvalidInput("setup.no_programme")
    return stage_calendar(programme_stages(db, programme_id), online_start)


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
        "SELECT m.id, m.seq, m.group_code, m.title_ja, m.title_en, m.competency, "
        "coalesce(m.pass_pct, c.module_pass_pct) AS pass_pct FROM module m "
        "JOIN cohort c ON c.programme_id = m.programme_id WHERE c.id = ? ORDER BY m.seq", [cohort_id])


def competencies(db: Database) -> list[dict]:
    return db.dicts("SELECT code, name_ja, name_en, coalesce(short_ja, code) AS short_ja, "
                    "coalesce(short_en, code) AS short_en FROM competency ORDER BY seq")


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
    check_calendar(setup.calendar)


def check_calendar(calendar: dict[str, tuple[date, date]]) -> None:
    """Every stage present, each ending on or after its start, in the programme's order without overlap; a refusal
    names the stages and dates at fault, so the person sees which field to fix."""
    previous = None
    for stage in STAGE_ORDER:
        if stage not in calendar:
            raise InvalidInput("setup.stage_missing", stage=f"stage.{stage}")
        start, end = calendar[stage]
        if end < start:
            raise InvalidInput("setup.stage_ends_before_start", stage=f"stage.{stage}", start=start.isoformat(),
                               end=end.isoformat())
        if previous is not None and start <= calendar[previous][1]:
            raise InvalidInput("setup.stage_overlaps", stage=f"stage.{stage}", start=start.isoformat(),
                               previous=f"stage.{previous}", previous_end=calendar[previous][1].isoformat())
        previous = stage


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
            programme_id = tx.value("SELECT programme_id FROM cohort WHERE id = ?", [copy_from])
            if programme_id is None:
                raise NotFound()
        else:
            programme_id = tx.value("SELECT id FROM programme ORDER BY id LIMIT 1")
        if programme_id is None:
            raise InvalidInput("setup.no_programme")
        cohort_id = insert_cohort(tx, programme_id, setup.code, setup.name_ja.strip(), setup.name_en.strip(),
                                  setup.reflection_cutoff_days, copy_from)
        tx.executemany("INSERT INTO cohort_stage (cohort_id, stage, starts_on, ends_on) VALUES (?, ?, ?, ?)",
                       [(cohort_id, s, *setup.calendar[s]) for s in STAGE_ORDER])
        _copy_assignments(tx, programme_id, copy_from, cohort_id, setup.calendar["practical"][0])
        cache_stamp.bump(tx)
        audit(tx, _audit_actor_id(actor), "cohort.create", "cohort", cohort_id, None,
              {"code": setup.code, "copied_from": copy_from}, _audit_via(actor))
        return cohort_id

    return db.write(run)


def insert_cohort(tx: Transaction, programme_id: int, code: str, name_ja: str, name_en: str, cutoff_days: int,
                  thresholds_from: int | None = None) -> int:
    """A cohort row with its certification thresholds copied from the cohort `thresholds_from`, or from the
    programme (what its curriculum file said)."""
    if thresholds_from is not None:
        thresholds = tx.one("SELECT module_pass_pct, overall_test_pass_pct, reflection_rate_pct, report_min_level, "
                            "certification_test_pass_pct, certificate_valid_years FROM cohort WHERE id = ?",
                            [thresholds_from])
    else:
        thresholds = tx.one("SELECT module_pass_pct, overall_test_pass_pct, reflection_rate_pct, report_min_level, "
                            "certification_test_pass_pct, certificate_valid_years FROM programme WHERE id = ?",
                            [programme_id])
    return tx.value("INSERT INTO cohort (programme_id, code, name_ja, name_en, reflection_cutoff_days, "
                    "module_pass_pct, overall_test_pass_pct, reflection_rate_pct, report_min_level, "
                    "certification_test_pass_pct, certificate_valid_years) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "RETURNING id", [programme_id, code, name_ja, name_en, cutoff_days, *thresholds])


def assignments_from_programme(tx: Transaction, programme_id: int, cohort_id: int, practical_start: date) -> None:
    """The programme's assignment set for a new cohort: due dates from the practical stage's first day, each scored
    one on the newest version of its rubric, second marking as the curriculum says."""
    tx.execute(
        "INSERT INTO assignment (cohort_id, seq, code, title_ja, title_en, kind, rubric_id, due_on, "
        "certification_critical, moderation_rule, moderation_pct, moderation_tolerance) "
        "SELECT ?, t.seq, t.code, t.title_ja, t.title_en, t.kind, (SELECT max(r.id) FROM rubric r "
        "  WHERE r.programme_id = t.programme_id AND r.code = t.rubric_code), CAST(? AS DATE) + t.due_days, "
        "t.certification_critical, t.moderation_rule, t.moderation_pct, t.moderation_tolerance "
        "FROM assignment_template t WHERE t.programme_id = ? ORDER BY t.seq",
        [cohort_id, practical_start, programme_id])
    _due_on_working_days(tx, cohort_id)


def _due_on_working_days(tx: Transaction, cohort_id: int) -> None:
    """Every due date of the cohort that falls on a day off (a weekend, a public holiday, a programme day off)
    moved to the next working day: nobody is expected to hand a report in on a holiday."""
    for seq, due in tx.rows("SELECT seq, due_on FROM assignment WHERE cohort_id = ? ORDER BY seq", [cohort_id]):
        working = working_day_from(tx, due)[0]
        if working != due:
            tx.execute("UPDATE assignment SET due_on = ? WHERE cohort_id = ? AND seq = ?", [working, cohort_id, seq])


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
        _due_on_working_days(tx, cohort_id)
        return
    assignments_from_programme(tx, programme_id, cohort_id, practical_start)


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

    shift = (setup.calendar["practical"][0] - before.calendar["practical"][0]).days

    def run(tx: Transaction):
        moved = _due_dates(tx, cohort_id, shift)
        tx.execute("UPDATE cohort SET name_ja = ?, name_en = ?, reflection_cutoff_days = ? WHERE id = ?",
                   [setup.name_ja.strip(), setup.name_en.strip(), setup.reflection_cutoff_days, cohort_id])
        tx.executemany("UPDATE cohort_stage SET starts_on = ?, ends_on = ? WHERE cohort_id = ? AND stage = ?",
                       [(*setup.calendar[s], cohort_id, s) for s in STAGE_ORDER])
        # assignments are due relative to the practical stage: they move with it (onto working days)
        tx.executemany("UPDATE assignment SET due_on = ? WHERE cohort_id = ? AND seq = ?",
                       [(m["new_due"], cohort_id, m["seq"]) for m in moved if m["new_due"] != m["old_due"]])
        cache_stamp.bump(tx)
        audit(tx, _audit_actor_id(actor), "cohort.update", "cohort", cohort_id,
              {"names": [before.name_ja, before.name_en], "calendar": before.calendar,
               "cutoff": before.reflection_cutoff_days, "due_on": {m["code"]: m["old_due"] for m in moved}},
              {"names": [setup.name_ja, setup.name_en], "calendar": setup.calendar,
               "cutoff": setup.reflection_cutoff_days, "due_on": {m["code"]: m["new_due"] for m in moved}},
              _audit_via(actor))

    db.write(run)


def due_date_moves(db: Database, actor: Actor, cohort_id: int, calendar: dict[str, tuple[date, date]]) -> list[dict]:
    """What saving `calendar` would do to the assignments' due dates (they are due relative to the practical
    stage, so they move with its start): one row per assignment with its old and new due date, for the preview the
    person confirms. Empty when the practical stage does not move."""
    current = setup_of(db, actor, cohort_id)
    return _due_dates(db, cohort_id, (calendar["practical"][0] - current.calendar["practical"][0]).days)


def _due_dates(reader, cohort_id: int, shift: int) -> list[dict]:
    """Each assignment's due date moved by `shift` days, or the next working day when that is a day off."""
    if not shift:
        return []
    return [{"seq": seq, "code": code, "title_ja": ja, "title_en": en, "old_due": due,
             "new_due": working_day_from(reader, due + timedelta(days=shift))[0]}
            for seq, code, ja, en, due in reader.rows(
                "SELECT seq, code, title_ja, title_en, due_on FROM assignment WHERE cohort_id = ? ORDER BY seq",
                [cohort_id])]


def _audit_actor_id(actor: Actor) -> int | None:
    """The audit row's actor: a person's id; none for the command line (no account), which `_audit_via` names."""
    return actor.id if actor.id > 0 else None


def _audit_via(actor: Actor) -> str | None:
    return None if actor.id > 0 else actor.display_name


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


def working_day_from(db: Database, day: date) -> tuple[date, tuple[str, str] | None]:
    """`day` when it is a working day (not a Saturday, Sunday, public holiday or programme day off), else the next
    one, with the (ja, en) name of `day` when it is a holiday or programme day off (None otherwise)."""
    off = days_off(db, day, day + timedelta(days=31))
    found = day
    while found.weekday() >= 5 or found in off:
        found += timedelta(days=1)
    return found, off.get(day)


# -- a calendar on working days -----------------------------------------------------------------------------------
# Every stage starts on a working day, except the workshop, which keeps the weekdays of the calendar it comes from
# (a Saturday and a Sunday by default).
SAME_WEEKDAY_STAGES = ("workshop_day1", "workshop_day2")


def proposed_calendar(db: Database, online_start: date) -> dict[str, tuple[date, date]]:
    """The calendar /setup proposes and `cohort create` uses for a cohort whose online stage starts on
    `online_start` (or the next working day): the programme's stage lengths and gaps (default_calendar), laid on
    working days."""
    nominal = default_calendar(db, working_day_from(db, online_start)[0])
    return _on_working_days(db, nominal, nominal, STAGE_ORDER)


def moved_calendar(db: Database, calendar: dict[str, tuple[date, date]], stage: str,
                   new_start: date) -> dict[str, tuple[date, date]]:
    """`calendar` with `stage` starting on `new_start` (or the next working day) and every later stage moved by as
    many days, laid on working days; earlier stages stay. A stage moved into the one before it is left for
    check_calendar to refuse, naming both."""
    shift = new_start - calendar[stage][0]
    later = STAGE_ORDER[STAGE_ORDER.index(stage):]
    nominal = {s: (start + shift, end + shift) if s in later else (start, end) for s, (start, end) in calendar.items()}
    return _on_working_days(db, nominal, calendar, later)


def _on_working_days(db: Database, nominal: dict[str, tuple[date, date]], reference: dict[str, tuple[date, date]],
                     stages) -> dict[str, tuple[date, date]]:
    """`nominal` with each of `stages` pushed forward to its first allowed day, keeping its length; what one stage
    is pushed, every later one is pushed too, and a stage that ran up to the next one still does."""
    off = days_off(db, min(s for s, _ in nominal.values()), max(e for _, e in nominal.values()) + timedelta(days=60))
    out, carried, previous = dict(nominal), timedelta(0), None
    for stage in STAGE_ORDER:
        if stage in stages:
            start, end = nominal[stage][0] + carried, nominal[stage][1] + carried
            found = start
            if stage in SAME_WEEKDAY_STAGES:
                while found.weekday() != reference[stage][0].weekday():
                    found += timedelta(days=1)
            else:
                while found.weekday() >= 5 or found in off:
                    found += timedelta(days=1)
            if previous and found > start and nominal[previous][1] + timedelta(days=1) == nominal[stage][0]:
                out[previous] = (out[previous][0], found - timedelta(days=1))
            carried += found - start
            out[stage] = (found, end + (found - start))
        previous = stage
    return out


def entered_before_stage(db: Database, cohort_id: int, stage: str, day: date, confirmed: bool) -> dict | None:
    """For an entry that belongs to a stage (workshop attendance, the certification test, a decision) made on
    `day`: None when the stage has started by then; before it, BeforeStage unless the person confirmed, and once
    they did, the note their entry's audit row keeps."""
    starts_on = db.value("SELECT starts_on FROM cohort_stage WHERE cohort_id = ? AND stage = ?", [cohort_id, stage])
    if starts_on is None or day >= starts_on:
        return None
    if not confirmed:
        raise BeforeStage(stage, starts_on, day)
    return {"stage": stage, "starts_on": starts_on.isoformat(), "day": day.isoformat(), "confirmed": True}


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


def due_after_practical(db: Database, actor: Actor, cohort_id: int,
                        calendar: dict[str, tuple[date, date]]) -> list[dict]:
    """The assignments that would be due after the practical stage's last day once `calendar` is saved (due dates
    moved with it), to be fixed or confirmed knowingly: reports the trainees could only hand in after the stage they
    report on. The final report, due right after the stage by design, is flagged only when the edit makes it so or
    when it falls on or after the workshop's first day. Each with its code, titles and that due date."""
    current = setup_of(db, actor, cohort_id).calendar
    moved = {m["seq"]: m["new_due"] for m in due_date_moves(db, actor, cohort_id, calendar)}
    end, workshop = calendar["practical"][1], calendar["workshop_day1"][0]
    out = []
    for a in assignment_list(db, actor, cohort_id):
        due = moved.get(a["seq"], a["due_on"])
        if due >= workshop or (due > end and a["due_on"] <= current["practical"][1]):
            out.append({**a, "due_on": due})
    return out
