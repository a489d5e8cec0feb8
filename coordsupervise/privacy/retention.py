"""Retention: the free text about real consultations is kept only as long as the programme needs it.

The office sets, per programme, how many years after a cohort finishes (the end of its last stage) the free text of
reflections, feedback, flags and private notes, and of assignments (what was written and attached, the markers'
comments) is kept; the default is three years, the certificate's validity. When that time has passed the text is
replaced with a marker — every field and every frozen version, search copies included, unsent drafts deleted —
while dates, tags, self-ratings, case counts, levels, scores and certification decisions stay, so the record of who
was certified on what evidence survives. The audit log is never rewritten: score changes keep their levels and
comments there (docs/privacy.md says so). One transaction per run, one audit row per
cohort. Run yearly from the command line (README, "Privacy"): `python -m coordsupervise retention [--apply]`."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from ..access import COMMAND_LINE, Actor, require_role  # noqa: F401 (retention.COMMAND_LINE)
from ..clock import now_utc
from ..errors import InvalidInput, NotFound
from ..practice.reflections import TEXT_LIMITS
from ..programme.auth import audit
from ..store import cache_stamp
from ..store.db import Database, Transaction

DEFAULT_YEARS = 3
YEARS_RANGE = (1, 20)
MARKER = "［保存期間経過により削除］"


@dataclass(frozen=True)
class Programme:
    id: int
    code: str
    name_ja: str
    name_en: str
    years: int


def programmes(db: Database, actor: Actor) -> list[Programme]:
    require_role(actor, "manager", "admin", db=db)
    return [Programme(*row) for row in db.rows(
        "SELECT p.id, p.code, p.name_ja, p.name_en, coalesce(r.text_years, ?) FROM programme p "
        "LEFT JOIN programme_retention r ON r.programme_id = p.id ORDER BY p.code", [DEFAULT_YEARS])]


def set_years(db: Database, actor: Actor, programme_id: int, years: int) -> None:
    """The office's decision, in the audit log with the value before."""
    require_role(actor, "admin", db=db)
    if not YEARS_RANGE[0] <= int(years) <= YEARS_RANGE[1]:
        raise InvalidInput("retention.years_range", min=YEARS_RANGE[0], max=YEARS_RANGE[1])

    def run(tx: Transaction):
        if tx.value("SELECT count(*) FROM programme WHERE id = ?", [programme_id]) == 0:
            raise NotFound()
        before = tx.value("SELECT text_years FROM programme_retention WHERE programme_id = ?", [programme_id])
        tx.execute("INSERT INTO programme_retention (programme_id, text_years, updated_by, updated_at) "
                   "VALUES (?, ?, ?, ?) ON CONFLICT (programme_id) DO UPDATE SET text_years = excluded.text_years, "
                   "updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                   [programme_id, int(years), actor.id or None, now_utc()])
        cache_stamp.bump(tx)
        audit(tx, actor.id or None, "retention.set_years", "programme", programme_id,
              {"years": before if before is not None else DEFAULT_YEARS}, {"years": int(years)})

    db.write(run)


_SCHEDULE = """
WITH finished AS (
    SELECT c.id AS cohort_id, c.code, c.name_ja, c.name_en, max(s.ends_on) AS finished_on,
           coalesce(pr.text_years, ?) AS years
    FROM cohort c JOIN cohort_stage s ON s.cohort_id = c.id
    LEFT JOIN programme_retention pr ON pr.programme_id = c.programme_id
    GROUP BY c.id, c.code, c.name_ja, c.name_en, pr.text_years
), texts AS (
    SELECT e.cohort_id,
           count(DISTINCT r.id) FILTER (WHERE r.status = 'submitted' OR r.status = 'draft') AS reflections,
           count(DISTINCT f.id) AS messages
    FROM enrolment e JOIN reflection r ON r.enrolment_id = e.id LEFT JOIN feedback f ON f.reflection_id = r.id
    GROUP BY e.cohort_id
), notes AS (
    SELECT e.cohort_id, count(*) AS notes FROM enrolment e JOIN private_note n ON n.enrolment_id = e.id
    GROUP BY e.cohort_id
)
SELECT f.cohort_id, f.code, f.name_ja, f.name_en, f.finished_on, f.years,
       CAST(f.finished_on + f.years * INTERVAL '1 year' AS DATE) AS due_on, x.cleared_at,
       coalesce(t.reflections, 0) AS reflections, coalesce(t.messages, 0) AS messages, coalesce(n.notes, 0) AS notes
FROM finished f LEFT JOIN texts t ON t.cohort_id = f.cohort_id LEFT JOIN notes n ON n.cohort_id = f.cohort_id
LEFT JOIN cohort_text_cleared x ON x.cohort_id = f.cohort_id
WHERE f.finished_on < ?
ORDER BY due_on, f.code
"""


def schedule(db: Database, actor: Actor, today: date) -> list[dict]:
    """Every finished cohort: when it finished, when its text is due to be cleared, whether it has been, and how
    much text it holds (what a run would clear)."""
    require_role(actor, "manager", "admin", db=db)
    return db.dicts(_SCHEDULE, [DEFAULT_YEARS, today])


def due(db: Database, actor: Actor, today: date) -> list[dict]:
    """What `apply` would clear today: finished cohorts past their retention, not cleared yet."""
    return [c for c in schedule(db, actor, today) if c["due_on"] <= today and c["cleared_at"] is None]


def apply(db: Database, actor: Actor, today: date) -> list[dict]:
    """Clear the free text of every due cohort, all in one transaction. Returns what was cleared."""
    require_role(actor, "admin", db=db)
    cohorts = due(db, actor, today)

    def run(tx: Transaction) -> list[dict]:
        for cohort in cohorts:
            counts = _clear_cohort(tx, cohort["cohort_id"])
            tx.execute("INSERT INTO cohort_text_cleared (cohort_id, cleared_at, cleared_by) VALUES (?, ?, ?)",
                       [cohort["cohort_id"], now_utc(), actor.id or None])
            audit(tx, actor.id or None, "retention.cleared", "cohort", cohort["cohort_id"], None,
                  {"finished_on": cohort["finished_on"], "years": cohort["years"], **counts})
        if cohorts:
            cache_stamp.bump(tx)
        return cohorts

    return db.write(run)


def _clear_cohort(tx: Transaction, cohort_id: int) -> dict[str, int]:
    """Replace one cohort's free text with the marker. The f-strings below only join constant fragments of this
    function and column names from TEXT_LIMITS (code, never input); the cohort id and the marker are parameters."""
    in_cohort = "enrolment_id IN (SELECT id FROM enrolment WHERE cohort_id = ?)"
    of_reflections = f"reflection_id IN (SELECT id FROM reflection WHERE {in_cohort})"
    cleared = ", ".join(f"{name} = CASE WHEN {name} = '' THEN '' ELSE ? END" for name in TEXT_LIMITS)
    reflections = tx.value(f"SELECT count(*) FROM reflection WHERE {in_cohort}", [cohort_id])
    tx.execute(f"UPDATE reflection SET {cleared}, search_text = '' WHERE {in_cohort}",
               [*(MARKER for _ in TEXT_LIMITS), cohort_id])
    versions = [(json.dumps(_cleared_body(body), ensure_ascii=False), rid, version) for rid, version, body in tx.rows(
        f"SELECT reflection_id, version, body_json FROM reflection_version WHERE {of_reflections}", [cohort_id])]
    tx.executemany("UPDATE reflection_version SET body_json = ? WHERE reflection_id = ? AND version = ?", versions)
    messages = tx.value(f"SELECT count(*) FROM feedback WHERE {of_reflections}", [cohort_id])
    tx.execute(f"UPDATE feedback SET body_md = ?, search_text = '' WHERE {of_reflections}", [MARKER, cohort_id])
    tx.execute(f"UPDATE privacy_confirmation SET span_text = ? WHERE {of_reflections}", [MARKER, cohort_id])
    tx.execute(f"UPDATE flag SET reason = ?, resolution_note = CASE WHEN resolution_note IS NULL THEN NULL ELSE ? END "
               f"WHERE {in_cohort}", [MARKER, MARKER, cohort_id])
    notes = tx.value(f"SELECT count(*) FROM private_note WHERE {in_cohort}", [cohort_id])
    tx.execute(f"UPDATE private_note SET body_md = ? WHERE {in_cohort}", [MARKER, cohort_id])
    tx.execute("DELETE FROM draft WHERE draft_key IN (SELECT prefix || CAST(r.id AS VARCHAR) FROM reflection r, "
               f"(VALUES ('reflection:'), ('reply:')) AS k(prefix) WHERE r.{in_cohort})", [cohort_id])
    # unsent notes and flags (supervision.TEXT_DRAFTS) go with the sent ones
    tx.execute("DELETE FROM draft WHERE draft_key IN (SELECT prefix || CAST(e.id AS VARCHAR) FROM enrolment e, "
               "(VALUES ('note:'), ('flag:')) AS k(prefix) WHERE e.cohort_id = ? UNION ALL "
               f"SELECT 'flag_resolution:' || CAST(f.id AS VARCHAR) FROM flag f WHERE f.{in_cohort})",
               [cohort_id, cohort_id])
    submissions = _clear_assignments(tx, cohort_id, in_cohort)
    return {"reflections": reflections, "versions": len(versions), "messages": messages, "notes": notes,
            "submissions": submissions}


def _clear_assignments(tx: Transaction, cohort_id: int, in_cohort: str) -> int:
    """The assignments' side: what trainees wrote and attached (case reports hold the same consultations as the
    reflections), the markers' comments on it, and every unsent draft of it. Levels, statuses, dates and the
    attachments' names and checksums stay: the evidence a certification decision rests on is still there to count.
    An attachment's content becomes a short text file saying it was cleared. Returns the submissions cleared."""
    of_submissions = f"submission_id IN (SELECT id FROM submission WHERE {in_cohort})"
    of_scores = f"score_id IN (SELECT id FROM score WHERE {of_submissions})"
    submissions = tx.value(f"SELECT count(*) FROM submission WHERE {in_cohort}", [cohort_id])
    tx.execute(f"UPDATE submission SET body_md = CASE WHEN body_md = '' THEN '' ELSE ? END WHERE {in_cohort}",
               [MARKER, cohort_id])
    cleared_file = MARKER.encode("utf-8")
    tx.execute(f"UPDATE attachment SET content = ?, media_type = 'text/plain', size_bytes = ? WHERE {of_submissions}",
               [cleared_file, len(cleared_file), cohort_id])
    tx.execute(f"UPDATE score SET overall_comment = CASE WHEN overall_comment = '' THEN '' ELSE ? END "
               f"WHERE {of_submissions}", [MARKER, cohort_id])
    tx.execute(f"UPDATE score_criterion SET comment = CASE WHEN comment = '' THEN '' ELSE ? END WHERE {of_scores}",
               [MARKER, cohort_id])
    tx.execute(f"UPDATE moderation SET overall_comment = CASE WHEN overall_comment = '' THEN '' ELSE ? END "
               f"WHERE {of_scores}", [MARKER, cohort_id])
    tx.execute("UPDATE moderation_criterion SET comment = CASE WHEN comment = '' THEN '' ELSE ? END "
               f"WHERE moderation_id IN (SELECT id FROM moderation WHERE {of_scores})", [MARKER, cohort_id])
    # unsent markings, sheet comments, change reasons (scoring._draft_key, _text_draft_key) and settlements
    # (moderation._resolution_draft_key) of this cohort's submissions
    tx.execute("DELETE FROM draft WHERE draft_key IN (SELECT prefix || CAST(s.id AS VARCHAR) FROM submission s, "
               "(VALUES ('score:'), ('second:'), ('sheet_comment:'), ('change_reason:')) AS k(prefix) "
               f"WHERE s.{in_cohort} UNION ALL SELECT 'resolution:' || CAST(m.id AS VARCHAR) FROM moderation m "
               f"WHERE m.{of_scores})", [cohort_id, cohort_id])
    return submissions


def _cleared_body(body_json: str) -> dict:
    body = json.loads(body_json)
    return {k: (MARKER if v else v) if k in TEXT_LIMITS else v for k, v in body.items()}
