"""Rubrics and the assignments that use them (managers and admins).

A rubric is never changed under a score: once any score was given with a version, editing it makes version + 1,
and the assignments that used the old version move to the new one (their earlier scores keep the old version,
because a score points at the criteria it was given against). A version nobody has scored with is edited in
place (wording, weights, descriptors); adding, removing or re-tagging criteria always makes a version.
Each assignment also carries its due date, whether it is certification-critical and its moderation rule."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ..access import Actor, require_role
from ..clock import now_utc
from ..errors import InvalidInput, NotFound
from ..practice import assignments
from ..programme.auth import audit
from ..store import cache_stamp
from ..store.db import Database, Transaction
from . import moderation

TEXT_LIMIT = 400


@dataclass(frozen=True)
class CriterionInput:
    competency: str
    title_ja: str
    title_en: str
    weight: float
    descriptors: dict[int, tuple[str, str]]  # level -> (ja, en)


def list_rubrics(db: Database, actor: Actor) -> list[dict]:
    """Every rubric version with how many scores used it and which assignments use it now."""
    require_role(actor, "manager", "admin", db=db)
    return db.dicts(
        "SELECT r.id, r.code, r.version, r.title_ja, r.title_en, coalesce(r.pass_level, 3) AS pass_level, "
        "r.created_at, (SELECT count(DISTINCT x.score_id) FROM score_criterion x JOIN rubric_criterion c "
        "  ON c.id = x.criterion_id WHERE c.rubric_id = r.id) AS scores, "
        "(SELECT count(*) FROM assignment a WHERE " + assignments.EFFECTIVE_RUBRIC + " = r.id) AS assignments "
        "FROM rubric r ORDER BY r.code, r.version DESC")


def detail(db: Database, actor: Actor, rubric_id: int) -> dict:
    require_role(actor, "manager", "admin", db=db)
    row = db.one("SELECT id, code, version, title_ja, title_en, coalesce(pass_level, 3) FROM rubric WHERE id = ?",
                 [rubric_id])
    if row is None:
        raise NotFound()
    return {"id": row[0], "code": row[1], "version": row[2], "title_ja": row[3], "title_en": row[4],
            "pass_level": row[5], "criteria": assignments.rubric(db, rubric_id)}


def _validate(title_ja: str, title_en: str, pass_level: int, criteria: list[CriterionInput],
              competencies: set[str]) -> None:
    if not title_ja.strip() or not title_en.strip():
        raise InvalidInput("rubrics.title_required")
    if pass_level not in (1, 2, 3, 4):
        raise InvalidInput("scoring.bad_level")
    if not criteria:
        raise InvalidInput("rubrics.no_criteria")
    for c in criteria:
        if c.competency not in competencies:
            raise InvalidInput("rubrics.bad_competency")
        if not (0 < c.weight <= 10):
            raise InvalidInput("rubrics.bad_weight")
        texts = [c.title_ja, c.title_en, *[t for pair in c.descriptors.values() for t in pair]]
        if set(c.descriptors) != {1, 2, 3, 4} or not all(t.strip() for t in texts):
            raise InvalidInput("rubrics.descriptor_required")
        if any(len(t) > TEXT_LIMIT for t in texts):
            raise InvalidInput("scoring.too_long", limit=TEXT_LIMIT)


def _insert_criteria(tx: Transaction, rubric_id: int, criteria: list[CriterionInput]) -> None:
    for seq, c in enumerate(criteria, start=1):
        cid = tx.value("INSERT INTO rubric_criterion (rubric_id, seq, competency, title_ja, title_en, weight) "
                       "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                       [rubric_id, seq, c.competency, c.title_ja.strip(), c.title_en.strip(), float(c.weight)])
        tx.executemany("INSERT INTO rubric_level (criterion_id, level, descriptor_ja, descriptor_en) "
                       "VALUES (?, ?, ?, ?)",
                       [(cid, lvl, ja.strip(), en.strip()) for lvl, (ja, en) in sorted(c.descriptors.items())])


def _used(tx: Transaction, rubric_id: int) -> bool:
    return bool(tx.value("SELECT count(*) FROM score_criterion x JOIN rubric_criterion c ON c.id = x.criterion_id "
                         "WHERE c.rubric_id = ?", [rubric_id]))


def save(db: Database, actor: Actor, rubric_id: int, title_ja: str, title_en: str, pass_level: int,
         criteria: list[CriterionInput]) -> int:
    """Save an edited rubric. Returns the id now in force: the same one when no score used it and its criteria
    (number and competencies) stay the same, else a new version that the assignments using the old one move to."""
    require_role(actor, "manager", "admin", db=db)
    _validate(title_ja, title_en, pass_level, criteria,
              {code for (code,) in db.rows("SELECT code FROM competency")})

    def run(tx: Transaction) -> int:
        row = tx.one("SELECT programme_id, code, version, (SELECT max(version) FROM rubric x WHERE "
                     "x.programme_id = r.programme_id AND x.code = r.code) FROM rubric r WHERE id = ?", [rubric_id])
        if row is None:
            raise NotFound()
        programme_id, code, version, newest = row
        before = {"version": version, "title_ja": title_ja}
        structure = [c for (c,) in tx.rows("SELECT competency FROM rubric_criterion WHERE rubric_id = ? "
                                            "ORDER BY seq", [rubric_id])]
        if _used(tx, rubric_id) or structure != [c.competency for c in criteria]:
            new_id = tx.value("INSERT INTO rubric (programme_id, code, version, title_ja, title_en, pass_level, "
                              "created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                              [programme_id, code, newest + 1, title_ja.strip(), title_en.strip(), pass_level,
                               now_utc()])
            _insert_criteria(tx, new_id, criteria)
            tx.execute("UPDATE assignment a SET rubric_version = ? WHERE " + assignments.EFFECTIVE_RUBRIC + " = ?",
                       [newest + 1, rubric_id])
            cache_stamp.bump(tx)
            audit(tx, actor.id, "rubric.new_version", "rubric", new_id, before, {"version": newest + 1})
            return new_id
        tx.execute("UPDATE rubric SET title_ja = ?, title_en = ?, pass_level = ? WHERE id = ?",
                   [title_ja.strip(), title_en.strip(), pass_level, rubric_id])
        for seq, c in enumerate(criteria, start=1):
            criterion_id = tx.value("SELECT id FROM rubric_criterion WHERE rubric_id = ? AND seq = ?", [rubric_id, seq])
            tx.execute("UPDATE rubric_criterion SET title_ja = ?, title_en = ?, weight = ? WHERE id = ?",
                       [c.title_ja.strip(), c.title_en.strip(), float(c.weight), criterion_id])
            tx.executemany("UPDATE rubric_level SET descriptor_ja = ?, descriptor_en = ? WHERE criterion_id = ? "
                           "AND level = ?", [(ja.strip(), en.strip(), criterion_id, lvl)
                                             for lvl, (ja, en) in c.descriptors.items()])
        cache_stamp.bump(tx)
        audit(tx, actor.id, "rubric.edit", "rubric", rubric_id, before, {"version": version})
        return rubric_id

    return db.write(run)


def cohort_assignments(db: Database, actor: Actor, cohort_id: int) -> list[dict]:
    """The cohort's assignments with their rubric version, due date, criticality and moderation rule."""
    require_role(actor, "manager", "admin", db=db)
    return db.dicts(
        "SELECT a.id, a.seq, a.code, a.title_ja, a.title_en, a.kind, r.id AS rubric_id, r.code AS rubric_code, "
        "r.version AS rubric_version, a.due_on, a.certification_critical, coalesce(a.moderation_rule, 'none') AS "
        "moderation_rule, coalesce(a.moderation_pct, 10) AS moderation_pct, coalesce(a.moderation_seed, 1) AS "
        "moderation_seed, coalesce(a.moderation_tolerance, 0) AS moderation_tolerance FROM assignment a "
        "LEFT JOIN rubric r ON r.id = " + assignments.EFFECTIVE_RUBRIC + " WHERE a.cohort_id = ? ORDER BY a.seq",
        [cohort_id])


def update_assignment(db: Database, actor: Actor, assignment_id: int, rubric_id: int | None, due_on: date,
                      critical: bool, rule: str, pct: int, tolerance: int) -> None:
    """Change one assignment's rubric version, due date, criticality and moderation rule (audited). A rubric can
    only be swapped for another version of the same rubric, so scores stay comparable."""
    require_role(actor, "manager", "admin", db=db)
    if rule not in moderation.RULES:
        raise InvalidInput("rubrics.bad_rule")
    if not (1 <= pct <= 100) or not (0 <= tolerance <= 3):
        raise InvalidInput("rubrics.bad_moderation")

    def run(tx: Transaction):
        row = tx.one("SELECT a.kind, r.code, r.id, a.due_on, a.certification_critical, a.moderation_rule, "
                     "a.moderation_pct, a.moderation_tolerance FROM assignment a "
                     "LEFT JOIN rubric r ON r.id = " + assignments.EFFECTIVE_RUBRIC + " WHERE a.id = ?",
                     [assignment_id])
        if row is None:
            raise NotFound()
        kind, code = row[0], row[1]
        version = tx.value("SELECT version FROM rubric WHERE id = ? AND code = ?", [rubric_id, code])
        if kind == "scored" and version is None:
            raise InvalidInput("rubrics.other_rubric")
        new_rubric = rubric_id if kind == "scored" else row[2]  # an approval has no rubric
        tx.execute("UPDATE assignment SET rubric_version = ?, due_on = ?, certification_critical = ?, "
                   "moderation_rule = ?, moderation_pct = ?, moderation_tolerance = ? WHERE id = ?",
                   [version, due_on, critical, rule, pct, tolerance, assignment_id])
        cache_stamp.bump(tx)
        audit(tx, actor.id, "assignment.settings", "assignment", assignment_id,
              {"rubric_id": row[2], "due_on": row[3], "critical": row[4], "rule": row[5], "pct": row[6],
               "tolerance": row[7]},
              {"rubric_id": new_rubric, "due_on": due_on, "critical": critical, "rule": rule, "pct": pct,
               "tolerance": tolerance})

    db.write(run)
