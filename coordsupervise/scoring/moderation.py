"""Second marking (moderation): which scores a second supervisor marks blind, who that is, how a manager settles a
disagreement, and how far the programme's raters agree.

An assignment's rule is none, a seeded sample (a fixed share of trainees, the same ones on every version so a
resubmission is marked the same way) or all. When the first marker hands a score in, a moderation row is opened and
given to another supervisor of the cohort; the score waits. If the two differ by more than the assignment's
tolerance on any criterion, a manager records the agreed levels with a reason; only then can the score be released.

Agreement figures (exact %, within-one %, quadratic-weighted Cohen's kappa, rater severity) are computed in plain
Python over pairs of levels read in one query, so they need no numerical library at run time."""
from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from dataclasses import dataclass

from ..access import Actor, require_role
from ..clock import now_utc
from ..errors import AccessDenied, InvalidInput, NotFound, StaleWrite
from ..programme.auth import audit
from ..store.db import Database, Transaction

RULES = ("none", "sample", "all")
LEVELS = (1, 2, 3, 4)
REASON_LIMIT = 2000


# -- sampling and the second marker -----------------------------------------------------------------------------
def sampled(seed: int, assignment_id: int, enrolment_id: int, pct: int) -> bool:
    """Whether this trainee's work on this assignment falls in the seeded sample of `pct` percent. A hash, not a
    random generator: the answer never changes for the same seed, whoever asks and whenever."""
    digest = hashlib.sha256(f"{seed}:{assignment_id}:{enrolment_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2 ** 64 < pct / 100


def needs_second_marking(rule: str, pct: int, seed: int, assignment_id: int, enrolment_id: int) -> bool:
    if rule == "all":
        return True
    if rule == "sample":
        return sampled(seed, assignment_id, enrolment_id, pct)
    return False


def choose_second_marker(tx: Transaction, submission_id: int, first_marker_id: int) -> int | None:
    """Another active supervisor who does not supervise this trainee: one of the same cohort if there is one, then
    the one with the fewest open second markings, then the lowest id (so the choice is reproducible)."""
    row = tx.one(
        "WITH target AS (SELECT e.id AS enrolment_id, e.cohort_id FROM submission s "
        "  JOIN enrolment e ON e.id = s.enrolment_id WHERE s.id = ?) "
        "SELECT u.id FROM app_user u JOIN user_role r ON r.user_id = u.id AND r.role = 'supervisor' "
        "WHERE u.active AND u.id <> ? AND u.id NOT IN (SELECT x.supervisor_id FROM supervision x "
        "  WHERE x.enrolment_id = (SELECT enrolment_id FROM target)) "
        "ORDER BY EXISTS (SELECT 1 FROM supervision sv JOIN enrolment e ON e.id = sv.enrolment_id "
        "  WHERE sv.supervisor_id = u.id AND e.cohort_id = (SELECT cohort_id FROM target)) DESC, "
        "(SELECT count(*) FROM moderation m WHERE m.second_marker_id = u.id AND m.status = 'second_marking'), u.id "
        "LIMIT 1", [submission_id, first_marker_id])
    return None if row is None else row[0]


def blind_to_first_marking(db, actor_id: int, submission_id: int) -> bool:
    """True while this person is the named second marker of this work and has not handed their marking in: until
    then nothing of the first marking reaches them (levels, comments, the audit trail of any version of the same
    assignment of the same trainee, which would show the first marker's levels on the earlier version too)."""
    return bool(db.value(
        "SELECT count(*) FROM moderation m JOIN score sc ON sc.id = m.score_id "
        "JOIN submission s ON s.id = sc.submission_id JOIN submission t ON t.enrolment_id = s.enrolment_id "
        "AND t.assignment_id = s.assignment_id WHERE t.id = ? AND m.second_marker_id = ? "
        "AND m.status = 'second_marking'", [submission_id, actor_id]))


def differs_beyond(first: dict[int, int], second: dict[int, int], tolerance: int) -> bool:
    """True when the two markers are more than `tolerance` levels apart on any criterion."""
    return any(abs(first[c] - second[c]) > tolerance for c in second)


# -- snapshots for the audit log (shared with scoring) ----------------------------------------------------------
def score_snapshot(tx: Transaction, score_id: int | None) -> dict | None:
    """The score as the audit log records it: status, overall comment and the level and comment per criterion."""
    if score_id is None:
        return None
    row = tx.one("SELECT status, overall_comment FROM score WHERE id = ?", [score_id])
    if row is None:
        return None
    criteria = tx.rows("SELECT c.seq, c.competency, x.level, x.comment FROM score_criterion x "
                       "JOIN rubric_criterion c ON c.id = x.criterion_id WHERE x.score_id = ? ORDER BY c.seq",
                       [score_id])
    return {"status": row[0], "overall_comment": row[1],
            "criteria": [{"seq": s, "competency": comp, "level": lvl, "comment": com}
                         for s, comp, lvl, com in criteria]}


# -- the manager's side ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Disagreement:
    moderation_id: int
    submission_id: int
    trainee_name: str
    assignment_code: str
    assignment_title_ja: str
    assignment_title_en: str
    version: int
    first_marker: str
    second_marker: str
    second_marked_at: object
    row_version: int


def open_disagreements(db: Database, actor: Actor, limit: int = 50) -> list[Disagreement]:
    """Second markings beyond tolerance that wait for a manager, oldest first."""
    require_role(actor, "manager", db=db)
    rows = db.rows(
        "SELECT m.id, s.id, u.display_name, a.code, a.title_ja, a.title_en, s.version, f.display_name, "
        "g.display_name, m.second_marked_at, m.row_version FROM moderation m JOIN score sc ON sc.id = m.score_id "
        "JOIN submission s ON s.id = sc.submission_id JOIN assignment a ON a.id = s.assignment_id "
        "JOIN enrolment e ON e.id = s.enrolment_id JOIN app_user u ON u.id = e.trainee_id "
        "JOIN app_user f ON f.id = sc.scorer_id JOIN app_user g ON g.id = m.second_marker_id "
        "WHERE m.status = 'disagreed' ORDER BY m.second_marked_at LIMIT ?", [limit])
    return [Disagreement(*row) for row in rows]


def side_by_side(db: Database, actor: Actor, moderation_id: int) -> dict:
    """Both markings of one submission, criterion by criterion, for the manager who settles them."""
    require_role(actor, "manager", db=db)
    head = db.one(
        "SELECT m.status, m.tolerance, m.overall_comment, m.row_version, sc.overall_comment, sc.submission_id, "
        "m.reason, s.body_md FROM moderation m JOIN score sc ON sc.id = m.score_id "
        "JOIN submission s ON s.id = sc.submission_id WHERE m.id = ?", [moderation_id])
    if head is None:
        raise NotFound()
    if blind_to_first_marking(db, actor.id, head[5]):
        raise AccessDenied()  # a manager who is still second-marking this work sees the first marking after hand-in
    criteria = db.dicts(
        "SELECT c.id, c.seq, c.competency, c.title_ja, c.title_en, c.weight, mc.first_level, mc.second_level, "
        "mc.agreed_level, x.comment AS first_comment, mc.comment AS second_comment FROM moderation_criterion mc "
        "JOIN rubric_criterion c ON c.id = mc.criterion_id JOIN moderation m ON m.id = mc.moderation_id "
        "LEFT JOIN score_criterion x ON x.score_id = m.score_id AND x.criterion_id = c.id "
        "WHERE mc.moderation_id = ? ORDER BY c.seq", [moderation_id])
    levels = db.rows("SELECT l.criterion_id, l.level, l.descriptor_ja, l.descriptor_en FROM rubric_level l "
                     "JOIN moderation_criterion mc ON mc.criterion_id = l.criterion_id "
                     "WHERE mc.moderation_id = ? ORDER BY l.level DESC", [moderation_id])
    for criterion in criteria:  # the descriptors of the rubric version the work was marked with, as /scoring shows
        criterion["levels"] = [(lvl, ja, en) for cid, lvl, ja, en in levels if cid == criterion["id"]]
    own, others = _conflict(db, actor, moderation_id)
    return {"status": head[0], "tolerance": head[1], "second_comment": head[2], "row_version": head[3],
            "first_comment": head[4], "submission_id": head[5], "reason": head[6], "body_md": head[7],
            "criteria": criteria, "own_marking": own, "other_managers": others}


def _conflict(db, actor: Actor, moderation_id: int) -> tuple[bool, bool]:
    """(the actor is one of the two markers, another active manager who marked neither could settle it).
    A marker does not settle their own disagreement when a third person can; a programme whose only manager is
    a marker may still settle it (with a warning on screen) rather than leave the score stuck."""
    markers = db.one("SELECT sc.scorer_id, m.second_marker_id FROM moderation m JOIN score sc ON sc.id = m.score_id "
                     "WHERE m.id = ?", [moderation_id])
    if markers is None:
        return False, False
    others = db.value("SELECT count(*) FROM app_user u JOIN user_role r ON r.user_id = u.id AND r.role = 'manager' "
                      "WHERE u.active AND u.id NOT IN (?, ?, ?)", [actor.id, markers[0], markers[1]])
    return actor.id in markers, bool(others)


def _resolution_draft_key(moderation_id: int) -> str:
    return f"resolution:{int(moderation_id)}"


def keep_resolution_draft(db: Database, actor: Actor, moderation_id: int, agreed: dict[int, int | None],
                          reason: str) -> None:
    """Remember the agreed levels picked and the reason typed so far (per manager, in the draft table): a reload or
    a dropped connection before 'record' loses nothing."""
    require_role(actor, "manager", db=db)
    if db.value("SELECT count(*) FROM moderation WHERE id = ?", [moderation_id]) == 0:
        raise NotFound()
    reason = reason or ""
    if len(reason) > REASON_LIMIT:
        raise InvalidInput("scoring.too_long", limit=REASON_LIMIT)
    levels = {str(int(c)): int(v) for c, v in agreed.items() if v in LEVELS}
    body = json.dumps({"levels": levels, "reason": reason}, ensure_ascii=False)
    db.write(lambda tx: tx.execute(
        "INSERT INTO draft (owner_id, draft_key, body_json, base_version, updated_at) VALUES (?, ?, ?, 0, ?) "
        "ON CONFLICT (owner_id, draft_key) DO UPDATE SET body_json = excluded.body_json, "
        "updated_at = excluded.updated_at", [actor.id, _resolution_draft_key(moderation_id), body, now_utc()]))


def resolution_draft(db: Database, actor: Actor, moderation_id: int) -> dict:
    """This manager's unsent settlement of one disagreement: {'levels': {criterion: level}, 'reason': text}."""
    require_role(actor, "manager", db=db)
    row = db.one("SELECT body_json FROM draft WHERE owner_id = ? AND draft_key = ?",
                 [actor.id, _resolution_draft_key(moderation_id)])
    body = json.loads(row[0]) if row else {"levels": {}, "reason": ""}
    return {"levels": {int(c): v for c, v in body["levels"].items()}, "reason": body["reason"]}


def resolve(db: Database, actor: Actor, moderation_id: int, agreed: dict[int, int], reason: str,
            seen_version: int) -> None:
    """Record the agreed level of every criterion with a reason. The first marker's score takes the agreed levels
    (audited as a score change) and may then be released."""
    require_role(actor, "manager", db=db)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("moderation.reason_required")
    if len(reason) > REASON_LIMIT:
        raise InvalidInput("scoring.too_long", limit=REASON_LIMIT)
    if any(level is None for level in agreed.values()):
        raise InvalidInput("scoring.incomplete")
    if any(level not in LEVELS for level in agreed.values()):
        raise InvalidInput("scoring.bad_level")
    now = now_utc()

    def run(tx: Transaction):
        row = tx.one("SELECT m.status, m.row_version, m.score_id, sc.submission_id FROM moderation m "
                     "JOIN score sc ON sc.id = m.score_id WHERE m.id = ?", [moderation_id])
        if row is None:
            raise NotFound()
        status, version, score_id, submission_id = row
        if version != seen_version or status != "disagreed":
            raise StaleWrite("moderation.stale")
        own, others = _conflict(tx, actor, moderation_id)
        if own and others:
            raise InvalidInput("moderation.own_marking")
        criteria = {c for (c,) in tx.rows("SELECT criterion_id FROM moderation_criterion WHERE moderation_id = ?",
                                           [moderation_id])}
        if set(agreed) != criteria:
            raise InvalidInput("scoring.incomplete")
        before = score_snapshot(tx, score_id)
        # parents before children: DuckDB refuses to update a referenced row after its children changed in the
        # same transaction
        tx.execute("UPDATE moderation SET status = 'resolved', resolved_by = ?, resolved_at = ?, reason = ?, "
                   "row_version = row_version + 1 WHERE id = ?", [actor.id, now, reason, moderation_id])
        tx.execute("UPDATE score SET row_version = row_version + 1, updated_at = ? WHERE id = ?", [now, score_id])
        for criterion_id, level in agreed.items():
            tx.execute("UPDATE moderation_criterion SET agreed_level = ? WHERE moderation_id = ? AND criterion_id = ?",
                       [level, moderation_id, criterion_id])
            tx.execute("UPDATE score_criterion SET level = ? WHERE score_id = ? AND criterion_id = ?",
                       [level, score_id, criterion_id])
        audit(tx, actor.id, "moderation.resolve", "submission", submission_id, before, score_snapshot(tx, score_id),
              reason)
        tx.execute("DELETE FROM draft WHERE owner_id = ? AND draft_key = ?",
                   [actor.id, _resolution_draft_key(moderation_id)])

    db.write(run)


# -- agreement figures -------------------------------------------------------------------------------------------
def quadratic_weighted_kappa(first: list[int], second: list[int], labels=None) -> float | None:
    """Cohen's kappa with quadratic weights, as scikit-learn's cohen_kappa_score(weights="quadratic") computes it:
    the categories are `labels` (default: every level either rater used, sorted) and the weight of a cell is the
    squared distance of the two categories' positions. None when it is undefined (no spread to measure against)."""
    if len(first) != len(second) or not first:
        return None
    cats = sorted(set(first) | set(second)) if labels is None else list(labels)
    return _kappa(Counter(zip(first, second, strict=True)), cats)


def _kappa(counts: Counter, cats: list) -> float | None:
    """Quadratic-weighted kappa from a table of (first level, second level) -> how many times."""
    index = {c: i for i, c in enumerate(cats)}
    k = len(cats)
    observed = [[0.0] * k for _ in range(k)]
    for (a, b), n in counts.items():
        if a in index and b in index:
            observed[index[a]][index[b]] += n
    total = sum(map(sum, observed))
    if total == 0:
        return None
    rows = [sum(r) for r in observed]
    cols = [sum(observed[i][j] for i in range(k)) for j in range(k)]
    disagree_observed = sum((i - j) ** 2 * observed[i][j] for i in range(k) for j in range(k))
    disagree_expected = sum((i - j) ** 2 * rows[i] * cols[j] / total for i in range(k) for j in range(k))
    if disagree_expected == 0:
        return None
    return 1 - disagree_observed / disagree_expected


# Landis & Koch (1977), the bands most programmes quote when they read a kappa: (upper bound, name), lowest first;
# below 0 is "poor". Guidance, not a standard: many programmes ask for "substantial" (KAPPA_GOOD_ENOUGH and above)
# before a rater marks alone.
KAPPA_BANDS = ((0.20, "slight"), (0.40, "fair"), (0.60, "moderate"), (0.80, "substantial"), (1.0, "almost_perfect"))
KAPPA_GOOD_ENOUGH = 0.61


def kappa_band(kappa: float | None) -> str | None:
    """The Landis & Koch band of a kappa ("poor" … "almost_perfect"); None when there is no kappa."""
    if kappa is None:
        return None
    if kappa < 0:
        return "poor"
    return next((name for upper, name in KAPPA_BANDS if kappa <= upper), "almost_perfect")


def agreement_stats(pairs: list[tuple[int, int]]) -> dict:
    """Exact and within-one agreement (%) and the quadratic-weighted kappa of (first, second) level pairs."""
    return _stats(Counter(pairs))


def _stats(counts: Counter) -> dict:
    """agreement_stats from a table of (first, second) -> how many times (what the SQL counts)."""
    n = sum(counts.values())
    if not n:
        return {"pairs": 0, "exact_pct": None, "within_one_pct": None, "kappa": None}
    exact = sum(c for (a, b), c in counts.items() if a == b)
    within = sum(c for (a, b), c in counts.items() if abs(a - b) <= 1)
    kappa = _kappa(counts, list(LEVELS))
    return {"pairs": n, "exact_pct": round(100 * exact / n, 1), "within_one_pct": round(100 * within / n, 1),
            "kappa": None if kappa is None else round(kappa, 3)}


def _marked_counts(db: Database, cohort_id: int | None) -> list[dict]:
    """Every criterion marked twice (second marking handed in), counted in SQL by assignment, competency, the two
    raters and the three levels: at 100 cohorts that is a few thousand rows instead of 25,000 fetched one by one."""
    return db.dicts(
        "SELECT a.code AS assignment, a.title_ja, a.title_en, c.competency, f.display_name AS first_name, "
        "g.display_name AS second_name, mc.first_level, mc.second_level, "
        "coalesce(mc.agreed_level, mc.first_level) AS agreed_level, count(*) AS n FROM moderation_criterion mc "
        "JOIN moderation m ON m.id = mc.moderation_id JOIN score sc ON sc.id = m.score_id "
        "JOIN submission s ON s.id = sc.submission_id JOIN assignment a ON a.id = s.assignment_id "
        "JOIN rubric_criterion c ON c.id = mc.criterion_id JOIN app_user f ON f.id = sc.scorer_id "
        "JOIN app_user g ON g.id = m.second_marker_id "
        "WHERE m.status <> 'second_marking' AND mc.first_level IS NOT NULL "
        "AND (CAST(? AS BIGINT) IS NULL OR a.cohort_id = ?) "
        "GROUP BY a.code, a.title_ja, a.title_en, c.competency, f.display_name, g.display_name, mc.first_level, "
        "mc.second_level, coalesce(mc.agreed_level, mc.first_level)",
        [cohort_id, cohort_id])


def figures_version(db: Database, actor: Actor) -> tuple[int, int]:
    """Two numbers that change whenever the agreement figures would: how many moderations there are and the sum of
    their row versions (handing in a second marking and recording agreed levels each bump a row's version in the
    same transaction). A cache of the figures keyed by them is never stale, whichever process wrote; one scan of
    the moderation table (a row per second-marked score) instead of counting every marked criterion again."""
    require_role(actor, "manager", db=db)
    count, versions = db.one("SELECT count(*), coalesce(sum(row_version), 0) FROM moderation")
    return int(count), int(versions)


def agreement(db: Database, actor: Actor, cohort_id: int | None = None) -> dict[str, list[dict]]:
    """Agreement figures per assignment, per criterion (competency) and per pair of raters, and each rater's
    severity: the mean of (their level - the agreed level), negative for a rater who marks harder."""
    require_role(actor, "manager", db=db)
    rows = _marked_counts(db, cohort_id)
    out = {}
    for name, key in (("assignment", lambda r: (r["assignment"], r["title_ja"], r["title_en"])),
                      ("criterion", lambda r: (r["competency"],)),
                      ("pair", lambda r: tuple(sorted((r["first_name"], r["second_name"]))))):
        groups: dict[tuple, Counter] = defaultdict(Counter)
        for r in rows:
            groups[key(r)][(r["first_level"], r["second_level"])] += int(r["n"])
        out[name] = [{"key": k, **_stats(v)} for k, v in sorted(groups.items())]
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # rater: [sum of differences, marks]
    for r in rows:
        n = int(r["n"])
        for rater, level in ((r["first_name"], r["first_level"]), (r["second_name"], r["second_level"])):
            totals[rater][0] += (level - r["agreed_level"]) * n
            totals[rater][1] += n
    out["severity"] = [{"rater": name, "marks": marks, "mean_difference": round(total / marks, 2)}
                       for name, (total, marks) in sorted(totals.items())]
    return out

