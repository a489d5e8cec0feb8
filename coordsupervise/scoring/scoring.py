"""What a supervisor does with submitted work: the queue, the scoring view (submission beside the rubric, with
evidence from the trainee's reflections), drafts that survive, release, revision requests, second marking and the
approval of the 課題設定シート.

Who may do what, checked per call and per submission:
- the first marker is a supervisor of the trainee; they score, release, request revisions and approve sheets;
- a second marker is the supervisor a moderation row names; they see the submission and the rubric but never the
  first score (blind), and hand in their own levels;
- managers read the audit trail of a submission as a readable list (a manager who is its pending second marker reads
  their own entries only, moderation.blind_to_first_marking) and settle disagreements (moderation.py);
- trainees see only released scores of their own work (assignments.released_score).

Every write carries the row_version the person saw: a stale form is refused (StaleWrite) and the work stays in the
draft table, so nothing is overwritten silently and nothing typed is lost. Every change of a score writes an
audit row (who, when, before, after, reason) in the same transaction."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

from ..access import Actor, enrolment_relation, require_role, visible_enrolments_sql
from ..clock import now_utc
from ..errors import AccessDenied, InvalidInput, NotFound, StaleWrite
from ..practice import assignments
from ..programme.auth import audit
from ..store.db import Database, Transaction
from ..text.limits import REASON_LIMIT, check_length
from ..text.textdiff import DiffLine, line_diff
from . import moderation

COMMENT_LIMIT = 4000
LEVELS = (1, 2, 3, 4)
QUEUE_STATES = ("to_score", "draft", "to_second_mark", "second_marking", "with_manager", "ready",
                "revision_requested", "second_marked", "released")
# what the person can act on now, in the order "save and next" walks through
ACTIONABLE = ("to_score", "draft", "to_second_mark", "ready")


# -- totals --------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Totals:
    points: float         # sum of level x weight over levelled criteria
    max_points: float     # 4 x sum of weights
    weighted_level: float | None
    complete: bool        # every criterion has a level
    passed: bool | None   # every criterion at or above the pass level; None until complete


def totals(criteria: list[dict], levels: dict[int, int], pass_level: int) -> Totals:
    """The weighted total of a (possibly partial) scoring, as the scoring view shows it while the levels are picked."""
    weights = {c["id"]: float(c["weight"]) for c in criteria}
    chosen = {cid: lvl for cid, lvl in levels.items() if cid in weights and lvl in LEVELS}
    points = sum(lvl * weights[cid] for cid, lvl in chosen.items())
    total_weight = sum(weights.values())
    chosen_weight = sum(weights[cid] for cid in chosen)
    complete = bool(weights) and len(chosen) == len(weights)
    return Totals(points, 4 * total_weight, round(points / chosen_weight, 2) if chosen_weight else None, complete,
                  all(lvl >= pass_level for lvl in chosen.values()) if complete else None)


# -- access ----------------------------------------------------------------------------------------------------------
def _submission(db: Database, submission_id: int) -> tuple:
    row = db.one("SELECT s.enrolment_id, s.assignment_id, s.status FROM submission s WHERE s.id = ?",
                 [submission_id])
    if row is None or row[2] == "draft":
        raise NotFound()  # a trainee's draft is theirs until submitted
    return row


def _role_on(db: Database, actor: Actor, submission_id: int) -> str:
    """'first' for a supervisor of the trainee, 'second' for the named second marker; refused otherwise."""
    enrolment_id, _aid, _status = _submission(db, submission_id)
    if not actor.has("supervisor"):
        raise AccessDenied()
    if "supervised" in enrolment_relation(db, actor, enrolment_id):
        return "first"
    if db.value("SELECT count(*) FROM moderation m JOIN score sc ON sc.id = m.score_id "
                "WHERE sc.submission_id = ? AND m.second_marker_id = ?", [submission_id, actor.id]):
        return "second"
    raise AccessDenied()


def _require_first(db: Database, actor: Actor, submission_id: int) -> None:
    if _role_on(db, actor, submission_id) != "first":
        raise AccessDenied()


# -- the queue ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class QueueFilter:
    cohort_id: int | None = None
    assignment_code: str | None = None
    state: str | None = None   # one of QUEUE_STATES, or None for the open work (everything but released)


_QUEUE_SQL = """
WITH latest AS (
    SELECT s.* FROM submission s WHERE s.status <> 'draft'
    AND s.enrolment_id IN (SELECT x.enrolment_id FROM supervision x WHERE x.supervisor_id = $actor) AND s.version =
        (SELECT max(x.version) FROM submission x WHERE x.assignment_id = s.assignment_id
         AND x.enrolment_id = s.enrolment_id AND x.status <> 'draft')
), mine AS (
    SELECT l.id AS submission_id, 'first' AS role,
        CASE WHEN l.status = 'approved' THEN 'released'
             WHEN l.status = 'revision_requested' THEN 'revision_requested'
             WHEN sc.id IS NULL THEN 'to_score'
             WHEN sc.status = 'draft' THEN 'draft'
             WHEN sc.status = 'released' THEN 'released'
             WHEN m.status = 'second_marking' THEN 'second_marking'
             WHEN m.status = 'disagreed' THEN 'with_manager'
             ELSE 'ready' END AS state
    FROM latest l JOIN supervision sv ON sv.enrolment_id = l.enrolment_id AND sv.supervisor_id = $actor
    LEFT JOIN score sc ON sc.submission_id = l.id LEFT JOIN moderation m ON m.score_id = sc.id
    UNION ALL
    SELECT sc.submission_id, 'second',
        CASE WHEN m.status = 'second_marking' THEN 'to_second_mark' ELSE 'second_marked' END
    FROM moderation m JOIN score sc ON sc.id = m.score_id WHERE m.second_marker_id = $actor
)
SELECT mine.submission_id, mine.role, mine.state, s.version, s.submitted_at, s.late, a.id AS assignment_id,
       a.code, a.title_ja, a.title_en, a.kind, a.due_on, a.cohort_id, e.id AS enrolment_id,
       u.display_name AS trainee_name, u.display_name_kana AS trainee_kana
FROM mine JOIN submission s ON s.id = mine.submission_id JOIN assignment a ON a.id = s.assignment_id
JOIN enrolment e ON e.id = s.enrolment_id JOIN app_user u ON u.id = e.trainee_id
WHERE (CAST($cohort AS BIGINT) IS NULL OR a.cohort_id = $cohort) AND (CAST($code AS VARCHAR) IS NULL OR a.code = $code)
"""


def _queue_params(actor: Actor, flt: QueueFilter) -> dict:
    return {"actor": actor.id, "cohort": flt.cohort_id, "code": flt.assignment_code}


def _state_condition(flt: QueueFilter) -> str:
    if flt.state in QUEUE_STATES:
        return "state = $state"
    return "state NOT IN ('released', 'second_marked')"


def queue(db: Database, actor: Actor, flt: QueueFilter, limit: int = 25, offset: int = 0) -> tuple[list[dict], int]:
    """This supervisor's work, the most pressing first: actionable before waiting, then oldest due, then oldest
    submitted. A page at a time, with the total."""
    require_role(actor, "supervisor", db=db)
    params = _queue_params(actor, flt)
    if flt.state in QUEUE_STATES:
        params["state"] = flt.state
    where = _state_condition(flt)
    total = db.value(f"SELECT count(*) FROM ({_QUEUE_SQL}) q WHERE {where}", params)
    order = " ".join(f"WHEN '{s}' THEN {i}" for i, s in enumerate(ACTIONABLE))
    rows = db.dicts(f"SELECT * FROM ({_QUEUE_SQL}) q WHERE {where} ORDER BY CASE state {order} ELSE 9 END, "
                    "due_on, submitted_at, submission_id LIMIT $limit OFFSET $offset",
                    {**params, "limit": limit, "offset": offset})
    return rows, total


def queue_counts(db: Database, actor: Actor, flt: QueueFilter) -> dict[str, dict]:
    """How many items per state and per assignment code (within the cohort/assignment filter)."""
    require_role(actor, "supervisor", db=db)
    params = _queue_params(actor, flt)
    by_state = dict(db.rows(f"SELECT state, count(*) FROM ({_QUEUE_SQL}) q GROUP BY state", params))
    by_assignment = db.dicts(
        f"SELECT code, title_ja, title_en, count(*) FILTER (WHERE state IN ('to_score', 'draft', 'to_second_mark', "
        f"'ready')) AS open, count(*) FILTER (WHERE state = 'released') AS released, count(*) AS total "
        f"FROM ({_QUEUE_SQL}) q GROUP BY code, title_ja, title_en ORDER BY code", params)
    return {"state": {s: by_state.get(s, 0) for s in QUEUE_STATES}, "assignment": by_assignment}


def next_item(db: Database, actor: Actor, flt: QueueFilter, after_submission_id: int) -> int | None:
    """The next piece of work to act on after this one, in queue order ("save and next")."""
    rows, _ = queue(db, actor, QueueFilter(flt.cohort_id, flt.assignment_code, None), limit=200)
    actionable = [r["submission_id"] for r in rows if r["state"] in ACTIONABLE]
    if after_submission_id in actionable:
        later = actionable[actionable.index(after_submission_id) + 1:]
        return later[0] if later else None
    others = [sid for sid in actionable if sid != after_submission_id]
    return others[0] if others else None


def cohorts_in_queue(db: Database, actor: Actor) -> list[dict]:
    require_role(actor, "supervisor", db=db)
    return db.dicts(f"SELECT DISTINCT c.id, c.code, c.name_ja, c.name_en FROM ({_QUEUE_SQL}) q "
                    "JOIN cohort c ON c.id = q.cohort_id ORDER BY c.code DESC", _queue_params(actor, QueueFilter()))


# -- the scoring view ---------------------------------------------------------------------------------------------
@dataclass
class ScoringView:
    submission_id: int
    role: str                   # first | second
    enrolment_id: int
    trainee_name: str
    assignment_id: int
    assignment_code: str
    assignment_title_ja: str
    assignment_title_en: str
    kind: str                   # scored | approval
    due_on: object
    certification_critical: bool
    version: int
    status: str                 # the submission's status
    submitted_at: datetime | None
    late: bool
    body_md: str
    attachments: list[dict]
    rubric_id: int | None
    rubric_version: int | None
    pass_level: int
    criteria: list[dict]        # the rubric version this score uses
    score_status: str | None    # draft | moderation | released | returned; None: not scored yet
    levels: dict[int, int]
    comments: dict[int, str]
    overall_comment: str
    row_version: int            # 0 when there is no score (or second marking) yet
    scorer_name: str | None
    released_at: datetime | None
    moderation_status: str | None
    earlier: list[dict] = field(default_factory=list)
    goes_to_second_marking: bool = False  # releasing now hands it to a blind second marker instead of the trainee
    second_marker_name: str | None = None  # for the first marker while a second marking is open
    second_marking_since: datetime | None = None


def open_item(db: Database, actor: Actor, submission_id: int) -> ScoringView:
    """One submission with what its marker may see. A second marker gets their own marking only (blind)."""
    role = _role_on(db, actor, submission_id)
    head = db.one(
        "SELECT s.enrolment_id, u.display_name, a.id, a.code, a.title_ja, a.title_en, a.kind, a.due_on, "
        "a.certification_critical, s.version, s.status, s.submitted_at, s.late, s.body_md, "
        + assignments.EFFECTIVE_RUBRIC + " "
        "FROM submission s JOIN assignment a ON a.id = s.assignment_id JOIN enrolment e ON e.id = s.enrolment_id "
        "JOIN app_user u ON u.id = e.trainee_id WHERE s.id = ?", [submission_id])
    score = db.one("SELECT sc.id, sc.status, sc.overall_comment, sc.row_version, f.display_name, sc.released_at "
                   "FROM score sc JOIN app_user f ON f.id = sc.scorer_id WHERE sc.submission_id = ?", [submission_id])
    mod = db.one("SELECT m.id, m.status, m.overall_comment, m.row_version, m.second_marker_id, u.display_name, "
                 "m.created_at FROM moderation m JOIN score sc ON sc.id = m.score_id "
                 "JOIN app_user u ON u.id = m.second_marker_id WHERE sc.submission_id = ?", [submission_id])
    rubric_id = head[14]
    if score is not None:  # a score keeps the rubric version it was given with
        rubric_id = db.value("SELECT c.rubric_id FROM score_criterion x JOIN rubric_criterion c "
                             "ON c.id = x.criterion_id WHERE x.score_id = ? LIMIT 1", [score[0]]) or rubric_id
    rubric_row = db.one("SELECT version, coalesce(pass_level, 3) FROM rubric WHERE id = ?", [rubric_id]) \
        if rubric_id else None
    criteria = assignments.rubric(db, rubric_id) if rubric_id else []
    levels, comments, overall, row_version, score_status = {}, {}, "", 0, None
    if role == "first" and score is not None:
        score_status, overall, row_version = score[1], score[2], score[3]
        for cid, lvl, com in db.rows("SELECT criterion_id, level, comment FROM score_criterion WHERE score_id = ?",
                                     [score[0]]):
            levels[cid], comments[cid] = lvl, com
    elif role == "second" and mod is not None:
        score_status = "second_marked" if mod[1] != "second_marking" else None
        overall, row_version = mod[2], mod[3]
        for cid, lvl, com in db.rows("SELECT criterion_id, second_level, comment FROM moderation_criterion "
                                     "WHERE moderation_id = ?", [mod[0]]):
            levels[cid], comments[cid] = lvl, com
    view = ScoringView(
        submission_id, role, head[0], head[1], head[2], head[3], head[4], head[5], head[6], head[7], head[8],
        head[9], head[10], head[11], head[12], head[13],
        db.dicts("SELECT id, filename, media_type, size_bytes FROM attachment WHERE submission_id = ? ORDER BY id",
                 [submission_id]),
        rubric_id, rubric_row[0] if rubric_row else None, rubric_row[1] if rubric_row else 3, criteria,
        score_status, levels, comments, overall, row_version,
        score[4] if (score is not None and role == "first") else None,
        score[5] if (score is not None and role == "first") else None,
        mod[1] if mod is not None else None)
    view.earlier = _earlier_versions(db, head[0], head[2], head[9]) if role == "first" else []
    if role == "first":
        view.goes_to_second_marking = head[6] == "scored" and score_status in (None, "draft") \
            and _would_be_second_marked(db, actor, submission_id)
        if mod is not None:
            view.second_marker_name, view.second_marking_since = mod[5], mod[6]
    return view


def _would_be_second_marked(db: Database, actor: Actor, submission_id: int) -> bool:
    """What release() will decide, told before the click: the same rule, sample and choice of second marker."""
    rule = db.one("SELECT s.enrolment_id, a.id, coalesce(a.moderation_rule, 'none'), coalesce(a.moderation_pct, 10), "
                  "coalesce(a.moderation_seed, 1) FROM submission s JOIN assignment a ON a.id = s.assignment_id "
                  "WHERE s.id = ?", [submission_id])
    enrolment_id, assignment_id, name, pct, seed = rule
    return moderation.needs_second_marking(name, pct, seed, assignment_id, enrolment_id) \
        and moderation.choose_second_marker(db, submission_id, actor.id) is not None


def resubmission_diff(old: str, new: str) -> list[DiffLine]:
    """What changed from the previous version of a submission to this one, line by line and, in a rewritten line,
    character by character (textdiff.line_diff); empty when no line changed."""
    return line_diff(old, new)


def _earlier_versions(db: Database, enrolment_id: int, assignment_id: int, version: int) -> list[dict]:
    """Earlier submitted versions with the score or revision request each received, newest first."""
    subs = db.dicts(
        "SELECT s.id, s.version, s.body_md, s.submitted_at, s.status, sc.id AS score_id, sc.status AS score_status, "
        "sc.overall_comment FROM submission s LEFT JOIN score sc ON sc.submission_id = s.id "
        "WHERE s.enrolment_id = ? AND s.assignment_id = ? AND s.version < ? AND s.status <> 'draft' "
        "ORDER BY s.version DESC", [enrolment_id, assignment_id, version])
    for sub in subs:
        sub["criteria"] = db.dicts(
            "SELECT c.competency, c.title_ja, c.title_en, x.level, x.comment FROM score_criterion x "
            "JOIN rubric_criterion c ON c.id = x.criterion_id WHERE x.score_id = ? ORDER BY c.seq",
            [sub["score_id"]]) if sub["score_id"] else []
    return subs


def evidence(db: Database, actor: Actor, submission_id: int, limit: int = 5) -> list[dict]:
    """The trainee's newest submitted reflections tagged with a competency the rubric judges: evidence to read
    beside the rubric. The first marker only (a blind second marker judges the submission alone)."""
    _require_first(db, actor, submission_id)
    return db.dicts(
        "WITH comps AS (SELECT DISTINCT c.competency FROM submission s JOIN assignment a ON a.id = s.assignment_id "
        "  JOIN rubric_criterion c ON c.rubric_id = " + assignments.EFFECTIVE_RUBRIC + " WHERE s.id = $sub) "
        "SELECT r.id, r.practice_date, r.goal, r.insight, r.try_text, r.self_rating, "
        "  (SELECT string_agg(t.competency, ' ' ORDER BY t.competency) FROM reflection_competency t "
        "   WHERE t.reflection_id = r.id) AS competencies FROM reflection r "
        "WHERE r.enrolment_id = (SELECT enrolment_id FROM submission WHERE id = $sub) AND r.status = 'submitted' "
        "AND EXISTS (SELECT 1 FROM reflection_competency t JOIN comps ON comps.competency = t.competency "
        "  WHERE t.reflection_id = r.id) ORDER BY r.practice_date DESC LIMIT $limit",
        {"sub": submission_id, "limit": limit})


# -- work in progress (survives rerun, reload, logout) ---------------------------------------------------------------
def _draft_key(role: str, submission_id: int) -> str:
    return f"{'score' if role == 'first' else 'second'}:{submission_id}"


def _check_marking(levels: dict[int, int], comments: dict[int, str], overall: str) -> None:
    if any(level not in LEVELS for level in levels.values()):
        raise InvalidInput("scoring.bad_level")
    for text in [overall, *comments.values()]:
        if len(text or "") > COMMENT_LIMIT:
            raise InvalidInput("scoring.too_long", limit=COMMENT_LIMIT)


def keep_work(db: Database, actor: Actor, submission_id: int, levels: dict[int, int], comments: dict[int, str],
              overall: str, base_version: int) -> None:
    """Remember the marking on screen (every click) in the person's draft table, with the version they started
    from, so it survives a reload or logout and a refused stale save loses nothing."""
    role = _role_on(db, actor, submission_id)
    _check_marking(levels, comments, overall)
    payload = json.dumps({"levels": {str(k): v for k, v in levels.items()},
                          "comments": {str(k): v for k, v in comments.items() if v}, "overall": overall},
                         ensure_ascii=False)
    db.write(lambda tx: tx.execute(
        "INSERT INTO draft (owner_id, draft_key, body_json, base_version, updated_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (owner_id, draft_key) DO UPDATE SET body_json = excluded.body_json, "
        "base_version = excluded.base_version, updated_at = excluded.updated_at",
        [actor.id, _draft_key(role, submission_id), payload, base_version, now_utc()]))


def kept_work(db: Database, actor: Actor, submission_id: int) -> dict | None:
    """The marking this person left unsaved on this submission: levels, comments, overall, base_version."""
    role = _role_on(db, actor, submission_id)
    row = db.one("SELECT body_json, base_version, updated_at FROM draft WHERE owner_id = ? AND draft_key = ?",
                 [actor.id, _draft_key(role, submission_id)])
    if row is None:
        return None
    body = json.loads(row[0])
    return {"levels": {int(k): v for k, v in body["levels"].items()},
            "comments": {int(k): v for k, v in body["comments"].items()}, "overall": body["overall"],
            "base_version": row[1], "updated_at": row[2]}


def discard_work(db: Database, actor: Actor, submission_id: int) -> None:
    role = _role_on(db, actor, submission_id)
    db.write(lambda tx: tx.execute("DELETE FROM draft WHERE owner_id = ? AND draft_key = ?",
                                   [actor.id, _draft_key(role, submission_id)]))


# The first marker's other boxes, kept the same way until what they belong to is sent: the comment on a
# 課題設定シート (sent by approving or returning it) and the reason for changing a released score (sent with the
# change). Kind -> the longest text the box takes.
TEXT_DRAFTS = {"sheet_comment": COMMENT_LIMIT, "change_reason": REASON_LIMIT}


def _text_draft_key(kind: str, submission_id: int) -> str:
    if kind not in TEXT_DRAFTS:
        raise ValueError(kind)
    return f"{kind}:{int(submission_id)}"


def keep_text(db: Database, actor: Actor, kind: str, submission_id: int, text: str) -> None:
    """Remember the text of a sheet comment or a change reason as typed (an emptied box forgets it), for the first
    marker of the submission only."""
    key = _text_draft_key(kind, submission_id)
    _require_first(db, actor, submission_id)
    text = text or ""
    if len(text) > TEXT_DRAFTS[kind]:
        raise InvalidInput("input.too_long", limit=TEXT_DRAFTS[kind], actual=len(text))
    if not text.strip():
        db.write(lambda tx: _forget_work(tx, actor, key))
        return
    db.write(lambda tx: tx.execute(
        "INSERT INTO draft (owner_id, draft_key, body_json, base_version, updated_at) VALUES (?, ?, ?, 0, ?) "
        "ON CONFLICT (owner_id, draft_key) DO UPDATE SET body_json = excluded.body_json, "
        "updated_at = excluded.updated_at", [actor.id, key, json.dumps({"text": text}, ensure_ascii=False),
                                              now_utc()]))


def kept_text(db: Database, actor: Actor, kind: str, submission_id: int) -> str:
    """This first marker's unsent sheet comment or change reason ('' when there is none)."""
    key = _text_draft_key(kind, submission_id)
    _require_first(db, actor, submission_id)
    row = db.one("SELECT body_json FROM draft WHERE owner_id = ? AND draft_key = ?", [actor.id, key])
    return json.loads(row[0])["text"] if row else ""


# -- the first marker's writes ----------------------------------------------------------------------------------
def _rubric_criteria(tx: Transaction, submission_id: int, score_id: int | None) -> tuple[set[int], int]:
    """The criterion ids this score is given against (its own version once scored) and the pass level."""
    rubric_id = None
    if score_id is not None:
        rubric_id = tx.value("SELECT c.rubric_id FROM score_criterion x JOIN rubric_criterion c "
                             "ON c.id = x.criterion_id WHERE x.score_id = ? LIMIT 1", [score_id])
    if rubric_id is None:
        rubric_id = tx.value("SELECT " + assignments.EFFECTIVE_RUBRIC + " FROM submission s "
                             "JOIN assignment a ON a.id = s.assignment_id "
                             "WHERE s.id = ?", [submission_id])
    ids = {c for (c,) in tx.rows("SELECT id FROM rubric_criterion WHERE rubric_id = ?", [rubric_id])}
    return ids, tx.value("SELECT coalesce(pass_level, 3) FROM rubric WHERE id = ?", [rubric_id]) or 3


def _write_score(tx: Transaction, actor: Actor, submission_id: int, levels: dict[int, int],
                 comments: dict[int, str], overall: str, seen_version: int, status: str, now: datetime,
                 need_all: bool) -> tuple[int, dict | None]:
    """Create or update the score row and its criteria after the stale check. Returns (score id, before)."""
    row = tx.one("SELECT id, row_version, status FROM score WHERE submission_id = ?", [submission_id])
    current = row[1] if row else 0
    if current != seen_version:
        raise StaleWrite("scoring.stale")
    score_id = row[0] if row else None
    criteria, _pass = _rubric_criteria(tx, submission_id, score_id)
    if not set(levels) <= criteria:
        raise InvalidInput("scoring.bad_level")
    if need_all and set(levels) != criteria:
        raise InvalidInput("scoring.incomplete")
    before = moderation.score_snapshot(tx, score_id)
    if score_id is None:
        score_id = tx.value("INSERT INTO score (submission_id, scorer_id, status, overall_comment, row_version, "
                            "updated_at) VALUES (?, ?, ?, ?, 1, ?) RETURNING id",
                            [submission_id, actor.id, status, overall, now])
    else:
        tx.execute("UPDATE score SET status = ?, overall_comment = ?, row_version = row_version + 1, updated_at = ? "
                   "WHERE id = ?", [status, overall, now, score_id])
    for criterion_id, level in levels.items():
        tx.execute("INSERT INTO score_criterion (score_id, criterion_id, level, comment) VALUES (?, ?, ?, ?) "
                   "ON CONFLICT (score_id, criterion_id) DO UPDATE SET level = excluded.level, "
                   "comment = excluded.comment", [score_id, criterion_id, level, comments.get(criterion_id, "")])
    return score_id, before


def _forget_work(tx: Transaction, actor: Actor, key: str) -> None:
    tx.execute("DELETE FROM draft WHERE owner_id = ? AND draft_key = ?", [actor.id, key])


def _prepare(db: Database, actor: Actor, submission_id: int, levels, comments, overall) -> tuple[dict, dict, str]:
    _require_first(db, actor, submission_id)
    levels = {int(k): int(v) for k, v in levels.items() if v is not None}
    comments = {int(k): (v or "").strip() for k, v in comments.items()}
    overall = (overall or "").strip()
    _check_marking(levels, comments, overall)
    return levels, comments, overall


def save_draft(db: Database, actor: Actor, submission_id: int, levels: dict[int, int], comments: dict[int, str],
               overall: str, seen_version: int) -> int:
    """Save the score as a draft (the trainee sees nothing). Returns the new row version."""
    levels, comments, overall = _prepare(db, actor, submission_id, levels, comments, overall)
    keep_work(db, actor, submission_id, levels, comments, overall, seen_version)
    now = now_utc()

    def run(tx: Transaction) -> int:
        status = tx.value("SELECT status FROM score WHERE submission_id = ?", [submission_id])
        if status not in (None, "draft"):
            raise StaleWrite("scoring.not_a_draft")
        score_id, before = _write_score(tx, actor, submission_id, levels, comments, overall, seen_version, "draft",
                                        now, need_all=False)
        audit(tx, actor.id, "score.save_draft", "submission", submission_id, before,
              moderation.score_snapshot(tx, score_id))
        _forget_work(tx, actor, _draft_key("first", submission_id))
        return tx.value("SELECT row_version FROM score WHERE id = ?", [score_id])

    return db.write(run)


def release(db: Database, actor: Actor, submission_id: int, levels: dict[int, int], comments: dict[int, str],
            overall: str, seen_version: int, reason: str = "") -> str:
    """Hand the score in. Returns what happened:
    - 'second_marking': the assignment's moderation rule picked this work; it waits for a blind second marker;
    - 'with_manager' / 'ready': still under moderation (nothing changes for the trainee yet);
    - 'released': the trainee sees it now.
    A released score can be changed only with a reason; under moderation the levels are frozen."""
    reason = check_length(reason, REASON_LIMIT)  # refused before anything else is looked at
    levels, comments, overall = _prepare(db, actor, submission_id, levels, comments, overall)
    keep_work(db, actor, submission_id, levels, comments, overall, seen_version)
    now = now_utc()

    def run(tx: Transaction) -> str:
        head = tx.one("SELECT s.status, s.enrolment_id, a.id, a.kind, coalesce(a.moderation_rule, 'none'), "
                      "coalesce(a.moderation_pct, 10), coalesce(a.moderation_seed, 1), "
                      "coalesce(a.moderation_tolerance, 0) FROM submission s JOIN assignment a "
                      "ON a.id = s.assignment_id WHERE s.id = ?", [submission_id])
        sub_status, enrolment_id, assignment_id, kind, rule, pct, seed, tolerance = head
        if kind != "scored" or sub_status not in ("submitted", "scored"):
            raise StaleWrite("scoring.not_open")
        score = tx.one("SELECT sc.id, sc.status, m.status FROM score sc LEFT JOIN moderation m ON m.score_id = sc.id "
                       "WHERE sc.submission_id = ?", [submission_id])
        score_status, mod_status = (score[1], score[2]) if score else (None, None)
        if score_status == "released" and not reason:
            raise InvalidInput("scoring.reason_required")
        if score_status == "moderation":
            if mod_status in ("second_marking", "disagreed"):
                raise StaleWrite("scoring.under_moderation")
            levels_now = dict(tx.rows("SELECT criterion_id, level FROM score_criterion WHERE score_id = ?",
                                      [score[0]]))
            if levels_now != levels:
                raise InvalidInput("scoring.moderated_levels_fixed")
        first_time = score_status in (None, "draft")
        if first_time and moderation.needs_second_marking(rule, pct, seed, assignment_id, enrolment_id):
            marker = moderation.choose_second_marker(tx, submission_id, actor.id)
            if marker is not None:
                score_id, before = _write_score(tx, actor, submission_id, levels, comments, overall, seen_version,
                                                "moderation", now, need_all=True)
                tx.execute("INSERT INTO moderation (score_id, second_marker_id, status, tolerance, created_at) "
                           "VALUES (?, ?, 'second_marking', ?, ?)", [score_id, marker, tolerance, now])
                audit(tx, actor.id, "score.to_second_marking", "submission", submission_id, before,
                      moderation.score_snapshot(tx, score_id))
                _forget_work(tx, actor, _draft_key("first", submission_id))
                return "second_marking"
        score_id, before = _write_score(tx, actor, submission_id, levels, comments, overall, seen_version,
                                        "released", now, need_all=True)
        if score_status != "released":
            tx.execute("UPDATE score SET released_at = ? WHERE id = ?", [now, score_id])
        tx.execute("UPDATE submission SET status = 'scored', updated_at = ? WHERE id = ?", [now, submission_id])
        audit(tx, actor.id, "score.change" if score_status == "released" else "score.release", "submission",
              submission_id, before, moderation.score_snapshot(tx, score_id), reason or None)
        _forget_work(tx, actor, _draft_key("first", submission_id))
        _forget_work(tx, actor, _text_draft_key("change_reason", submission_id))
        return "released"

    return db.write(run)


def request_revision(db: Database, actor: Actor, submission_id: int, levels: dict[int, int],
                     comments: dict[int, str], overall: str, seen_version: int) -> None:
    """Return the work to the trainee with comments (the overall comment is required). The levels picked so far
    stay with this version as formative feedback; the trainee's next save starts a new version."""
    levels, comments, overall = _prepare(db, actor, submission_id, levels, comments, overall)
    if not overall:
        raise InvalidInput("scoring.revision_comment_required")
    keep_work(db, actor, submission_id, levels, comments, overall, seen_version)
    now = now_utc()

    def run(tx: Transaction):
        if tx.value("SELECT status FROM submission WHERE id = ?", [submission_id]) != "submitted":
            raise StaleWrite("scoring.not_open")
        if tx.value("SELECT status FROM score WHERE submission_id = ?", [submission_id]) not in (None, "draft"):
            raise StaleWrite("scoring.not_a_draft")
        score_id, before = _write_score(tx, actor, submission_id, levels, comments, overall, seen_version,
                                        "returned", now, need_all=False)
        tx.execute("UPDATE score SET released_at = ? WHERE id = ?", [now, score_id])
        tx.execute("UPDATE submission SET status = 'revision_requested', updated_at = ? WHERE id = ?",
                   [now, submission_id])
        audit(tx, actor.id, "score.request_revision", "submission", submission_id, before,
              moderation.score_snapshot(tx, score_id))
        _forget_work(tx, actor, _draft_key("first", submission_id))

    db.write(run)


def decide_sheet(db: Database, actor: Actor, submission_id: int, approve: bool, comment: str) -> None:
    """Approve the 課題設定シート, or return it with comments (required) for a new version."""
    _require_first(db, actor, submission_id)
    comment = (comment or "").strip()
    if not approve and not comment:
        raise InvalidInput("scoring.revision_comment_required")
    if len(comment) > COMMENT_LIMIT:
        raise InvalidInput("scoring.too_long", limit=COMMENT_LIMIT)
    now = now_utc()

    def run(tx: Transaction):
        row = tx.one("SELECT s.status, a.kind FROM submission s JOIN assignment a ON a.id = s.assignment_id "
                     "WHERE s.id = ?", [submission_id])
        if row[1] != "approval":
            raise InvalidInput("scoring.not_a_sheet")
        if row[0] != "submitted":
            raise StaleWrite("scoring.not_open")
        tx.execute("INSERT INTO score (submission_id, scorer_id, status, overall_comment, released_at, updated_at) "
                   "VALUES (?, ?, ?, ?, ?, ?)", [submission_id, actor.id, "released" if approve else "returned",
                                                 comment, now, now])
        tx.execute("UPDATE submission SET status = ?, updated_at = ? WHERE id = ?",
                   ["approved" if approve else "revision_requested", now, submission_id])
        audit(tx, actor.id, "sheet.approve" if approve else "sheet.return", "submission", submission_id,
              {"status": "submitted"}, {"status": "approved" if approve else "revision_requested",
                                        "comment": comment})
        _forget_work(tx, actor, _text_draft_key("sheet_comment", submission_id))

    db.write(run)


# -- the second marker ----------------------------------------------------------------------------------------
def second_mark(db: Database, actor: Actor, submission_id: int, levels: dict[int, int], comments: dict[int, str],
                overall: str, seen_version: int) -> str:
    """Hand in the blind second marking. Returns 'agreed' (within tolerance on every criterion: the first
    marker may release) or 'disagreed' (a manager decides)."""
    if _role_on(db, actor, submission_id) != "second":
        raise AccessDenied()
    levels = {int(k): int(v) for k, v in levels.items() if v is not None}
    comments = {int(k): (v or "").strip() for k, v in comments.items()}
    overall = (overall or "").strip()
    _check_marking(levels, comments, overall)
    keep_work(db, actor, submission_id, levels, comments, overall, seen_version)
    now = now_utc()

    def run(tx: Transaction) -> str:
        row = tx.one("SELECT m.id, m.status, m.row_version, m.tolerance, sc.id FROM moderation m "
                     "JOIN score sc ON sc.id = m.score_id WHERE sc.submission_id = ? AND m.second_marker_id = ?",
                     [submission_id, actor.id])
        moderation_id, status, version, tolerance, score_id = row
        if status != "second_marking" or version != seen_version:
            raise StaleWrite("scoring.stale")
        first = dict(tx.rows("SELECT criterion_id, level FROM score_criterion WHERE score_id = ?", [score_id]))
        if set(levels) != set(first):
            raise InvalidInput("scoring.incomplete")
        outcome = "disagreed" if moderation.differs_beyond(first, levels, tolerance) else "agreed"
        tx.executemany("INSERT INTO moderation_criterion (moderation_id, criterion_id, first_level, second_level, "
                       "agreed_level, comment) VALUES (?, ?, ?, ?, ?, ?)",
                       [(moderation_id, cid, first[cid], lvl, first[cid] if outcome == "agreed" else None,
                         comments.get(cid, "")) for cid, lvl in levels.items()])
        tx.execute("UPDATE moderation SET status = ?, overall_comment = ?, second_marked_at = ?, "
                   "row_version = row_version + 1 WHERE id = ?", [outcome, overall, now, moderation_id])
        tx.execute("UPDATE score SET row_version = row_version + 1 WHERE id = ?", [score_id])
        audit(tx, actor.id, "moderation.second_mark", "submission", submission_id, None,
              {"outcome": outcome, "levels": {str(k): v for k, v in levels.items()}})
        _forget_work(tx, actor, _draft_key("second", submission_id))
        return outcome

    return db.write(run)


# -- managers: the audit trail, and the export ----------------------------------------------------------------
@dataclass(frozen=True)
class Change:
    """One difference an audit row records, in words the page translates (scoring.change.<what>). Comment texts
    are never repeated here: the log says that a comment changed, the score view shows what it says."""
    what: str            # status | level | second_level | comment | overall_comment | outcome | privacy
    criterion: str = ""  # the competency code of a criterion's change (C3)
    before: object = None
    after: object = None  # for comments: added | changed | removed


@dataclass(frozen=True)
class ChangeEntry:
    occurred_at: datetime
    actor: str | None
    action: str          # score.save_draft, score.release, moderation.second_mark, ...
    changes: list[Change]
    reason: str | None


@dataclass(frozen=True)
class ChangeLog:
    entries: list[ChangeEntry]
    withheld: bool       # the reader is this work's blind second marker: other people's entries wait for hand-in


def audit_trail(db: Database, actor: Actor, submission_id: int) -> ChangeLog:
    """Every recorded change of this submission's score as a readable list: who, when, what changed, why.
    Managers only; a manager who is the pending second marker of this work gets their own entries only, so
    nothing of the first marking reaches them before their own marking is handed in."""
    require_role(actor, "manager", db=db)
    withheld = moderation.blind_to_first_marking(db, actor.id, submission_id)
    rows = db.rows("SELECT l.occurred_at, u.display_name, l.action, l.before_json, l.after_json, l.reason "
                   "FROM audit_log l LEFT JOIN app_user u ON u.id = l.actor_id "
                   "WHERE l.entity = 'submission' AND l.entity_id = ? AND (NOT ? OR l.actor_id = ?) ORDER BY l.id",
                   [str(submission_id), withheld, actor.id])
    competency = dict(db.rows(
        "SELECT c.id, c.competency FROM rubric_criterion c WHERE c.rubric_id IN (SELECT r.rubric_id "
        "FROM score sc JOIN score_criterion x ON x.score_id = sc.id JOIN rubric_criterion r ON r.id = x.criterion_id "
        "WHERE sc.submission_id = ?)", [submission_id]))
    entries = [ChangeEntry(at, who, action, _changes(action, _json(before), _json(after), competency), reason)
               for at, who, action, before, after, reason in rows]
    return ChangeLog(entries, withheld)


def _json(text: str | None):
    return None if text is None else json.loads(text)


def _text_change(before: str | None, after: str | None) -> str | None:
    before, after = (before or "").strip(), (after or "").strip()
    if before == after:
        return None
    return "added" if not before else "removed" if not after else "changed"


def _changes(action: str, before, after, competency: dict[int, str]) -> list[Change]:
    """What an audit row's before and after differ in, criterion by criterion."""
    if action == "moderation.second_mark" and isinstance(after, dict):
        return [Change("outcome", after=after.get("outcome")),
                *(Change("second_level", competency.get(int(cid), "?"), None, level)
                  for cid, level in after.get("levels", {}).items())]
    if action == "submission.privacy_confirmed":
        return [Change("privacy", after=len(after or []))]
    if action.startswith("sheet."):
        comment = _text_change("", (after or {}).get("comment"))
        return [Change("overall_comment", after=comment)] if comment else []
    before, after = before or {}, after or {}
    out = []
    if before.get("status") != after.get("status"):
        out.append(Change("status", before=before.get("status"), after=after.get("status")))
    old = {c["seq"]: c for c in before.get("criteria", [])}
    new = {c["seq"]: c for c in after.get("criteria", [])}
    for seq in sorted(old.keys() | new.keys()):
        was, now = old.get(seq, {}), new.get(seq, {})
        code = now.get("competency") or was.get("competency") or "?"
        if was.get("level") != now.get("level"):
            out.append(Change("level", code, was.get("level"), now.get("level")))
        comment = _text_change(was.get("comment"), now.get("comment"))
        if comment:
            out.append(Change("comment", code, after=comment))
    overall = _text_change(before.get("overall_comment"), after.get("overall_comment"))
    if overall:
        out.append(Change("overall_comment", after=overall))
    return out


def scores_frame(db: Database, actor: Actor, cohort_id: int) -> pd.DataFrame:
    """Released scores of one cohort, one row per criterion, for CSV/XLSX: trainee, assignment, version, criterion,
    level, points, scorer, second scorer, released at (Asia/Tokyo). Limited to the trainees the actor may read."""
    require_role(actor, "supervisor", "manager", db=db)
    condition, params = visible_enrolments_sql(actor)
    frame = db.frame(
        "SELECT u.display_name AS trainee, a.code AS assignment, a.title_ja AS assignment_title, s.version, "
        "c.competency || ' ' || c.title_ja AS criterion, x.level, x.level * c.weight AS points, "
        "f.display_name AS scorer, g.display_name AS second_scorer, sc.released_at "
        "FROM score sc JOIN submission s ON s.id = sc.submission_id JOIN assignment a ON a.id = s.assignment_id "
        "JOIN enrolment e ON e.id = s.enrolment_id JOIN app_user u ON u.id = e.trainee_id "
        "JOIN score_criterion x ON x.score_id = sc.id JOIN rubric_criterion c ON c.id = x.criterion_id "
        "JOIN app_user f ON f.id = sc.scorer_id LEFT JOIN moderation m ON m.score_id = sc.id "
        "LEFT JOIN app_user g ON g.id = m.second_marker_id "
        f"WHERE sc.status = 'released' AND a.cohort_id = ? AND {condition} "
        "ORDER BY u.display_name_kana, a.seq, s.version, c.seq", [cohort_id, *params])
    frame["released_at"] = (pd.to_datetime(frame["released_at"]).dt.tz_localize("UTC").dt.tz_convert("Asia/Tokyo")
                            .dt.tz_localize(None))
    return frame
