"""The two-day workshop (養成課程2): attendance per day, discussion groups, and the 修了認定テスト scores.

Managers and the programme office (admins) record these; decisions stay with managers (certification.py).

Discussion groups are made by `plan_groups`, a pure function so it can be tested on random cohorts: 5 to 7 people
per group wherever the cohort size allows (8 or 9 people make two groups of 4 or 5), no two people of the same
placement organisation together wherever the organisation is small enough (otherwise as spread as possible), regions
spread across groups, competency profiles mixed, and on day 2 as few pairs as possible who already sat together on
day 1. People marked absent for a day sit in none of that day's groups. The same trainees and seed always give the
same groups. Locked groups keep their members when groups are made again.
"""
from __future__ import annotations

import math
import random
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pandas as pd

from .. import clock
from ..access import Actor, require_role
from ..clock import now_utc
from ..errors import InvalidInput, NotFound
from ..programme.auth import audit
from ..programme.cohorts import entered_before_stage
from ..store import cache_stamp
from ..store.db import Database, Transaction

DAYS = (1, 2)
STATUSES = ("present", "partial", "absent")
MIN_GROUP, MAX_GROUP = 5, 7
TEST_KIND = "certification"
TEST_STAGE = "workshop_day2"  # the 修了認定テスト is taken on the workshop's second day


def _require_cohort(db: Database, cohort_id: int) -> None:
    if not db.value("SELECT count(*) FROM cohort WHERE id = ?", [cohort_id]):
        raise NotFound()


def _cohort_enrolments(tx_or_db, cohort_id: int) -> set[int]:
    return {eid for (eid,) in tx_or_db.rows("SELECT id FROM enrolment WHERE cohort_id = ? AND status <> 'withdrawn'",
                                             [cohort_id])}


# -- roster with attendance and test scores ---------------------------------------------------------------------------
def roster(db: Database, actor: Actor, cohort_id: int) -> pd.DataFrame:
    """One row per trainee of the cohort: organisation, region, both days' attendance and the certification test's
    first and second attempt (retake)."""
    require_role(actor, "manager", "admin", db=db)
    _require_cohort(db, cohort_id)
    return db.frame(
        "SELECT e.id AS enrolment_id, u.display_name AS name, coalesce(u.display_name_kana, '') AS kana, "
        "coalesce(o.name, '') AS organisation, coalesce(o.region, '') AS region, "
        "w1.status AS day1, coalesce(w1.note, '') AS day1_note, w2.status AS day2, coalesce(w2.note, '') AS day2_note, "
        "t1.score_pct AS test1, t2.score_pct AS test2 "
        "FROM enrolment e JOIN app_user u ON u.id = e.trainee_id LEFT JOIN organisation o ON o.id = e.organisation_id "
        "LEFT JOIN workshop_attendance w1 ON w1.enrolment_id = e.id AND w1.day = 1 "
        "LEFT JOIN workshop_attendance w2 ON w2.enrolment_id = e.id AND w2.day = 2 "
        "LEFT JOIN test_attempt t1 ON t1.enrolment_id = e.id AND t1.kind = 'certification' AND t1.attempt_no = 1 "
        "LEFT JOIN test_attempt t2 ON t2.enrolment_id = e.id AND t2.kind = 'certification' AND t2.attempt_no = 2 "
        "WHERE e.cohort_id = ? AND e.status <> 'withdrawn' ORDER BY u.display_name_kana, u.display_name", [cohort_id])


@dataclass(frozen=True)
class Attendance:
    enrolment_id: int
    day: int
    status: str | None   # None: not recorded (clears nothing; an empty cell is simply not written)
    note: str = ""


def record_attendance(db: Database, actor: Actor, cohort_id: int, entries: list[Attendance], *,
                      confirmed_early: bool = False) -> int:
    """Write the attendance rows that changed, all or nothing; returns how many changed. A late arrival or early
    departure ('partial') needs a note saying which. Attendance of a workshop day not yet come is refused
    (BeforeStage) unless the person confirmed it (`confirmed_early`, kept in the audit log)."""
    require_role(actor, "manager", "admin", db=db)
    _require_cohort(db, cohort_id)
    for entry in entries:
        if entry.day not in DAYS or (entry.status is not None and entry.status not in STATUSES):
            raise InvalidInput("workshop.error_status")
        if entry.status == "partial" and not (entry.note or "").strip():
            raise InvalidInput("workshop.error_partial_note")
    return db.write(_write_attendance, actor, cohort_id, entries, confirmed_early)


def _write_attendance(tx: Transaction, actor: Actor, cohort_id: int, entries: list[Attendance],
                      confirmed_early: bool = False) -> int:
    members = _cohort_enrolments(tx, cohort_id)
    current = {(eid, day): (status, note) for eid, day, status, note in tx.rows(
        "SELECT w.enrolment_id, w.day, w.status, w.note FROM workshop_attendance w JOIN enrolment e "
        "ON e.id = w.enrolment_id WHERE e.cohort_id = ?", [cohort_id])}
    changed, now, early = 0, now_utc(), {}
    for entry in entries:
        if entry.enrolment_id not in members:
            raise InvalidInput("workshop.error_not_in_cohort")
        note = (entry.note or "").strip()
        before = current.get((entry.enrolment_id, entry.day))
        if entry.status is None or before == (entry.status, note):
            continue
        if entry.day not in early:
            early[entry.day] = entered_before_stage(tx, cohort_id, f"workshop_day{entry.day}", clock.today(),
                                                    confirmed_early)
        tx.execute(
            "INSERT INTO workshop_attendance (enrolment_id, day, attended, status, note, recorded_by, recorded_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (enrolment_id, day) DO UPDATE SET attended = excluded.attended, "
            "status = excluded.status, note = excluded.note, recorded_by = excluded.recorded_by, "
            "recorded_at = excluded.recorded_at",
            [entry.enrolment_id, entry.day, entry.status != "absent", entry.status, note, actor.id, now])
        audit(tx, actor.id, "workshop.attendance", "enrolment", entry.enrolment_id,
              None if before is None else {"day": entry.day, "status": before[0], "note": before[1]},
              _with_early({"day": entry.day, "status": entry.status, "note": note}, early[entry.day]))
        changed += 1
    if changed:  # the cohort dashboards' funnel (workshop attended) is cached in every app process
        cache_stamp.bump(tx)
    return changed


def record_test_scores(db: Database, actor: Actor, cohort_id: int, scores: dict[int, float | None],
                       attempt_no: int, taken_at, *, confirmed_early: bool = False) -> int:
    """Set the certification test score of attempt 1 (the test) or 2 (the retake) for several trainees, all or
    nothing. Every change of a score is audited with its before and after; an empty score leaves the row alone.
    A score entered, or dated, before the test's day is refused (BeforeStage) unless the person confirmed it."""
    require_role(actor, "manager", "admin", db=db)
    _require_cohort(db, cohort_id)
    if attempt_no not in (1, 2):
        raise InvalidInput("workshop.error_attempt")
    for score in scores.values():
        if score is not None and not (0 <= score <= 100):
            raise InvalidInput("workshop.error_score_range")
    return db.write(_write_scores, actor, cohort_id, scores, attempt_no, taken_at, confirmed_early)


def _write_scores(tx: Transaction, actor: Actor, cohort_id: int, scores: dict, attempt_no: int, taken_at,
                  confirmed_early: bool = False) -> int:
    members = _cohort_enrolments(tx, cohort_id)
    current = dict(tx.rows(
        "SELECT t.enrolment_id, t.score_pct FROM test_attempt t JOIN enrolment e ON e.id = t.enrolment_id "
        "WHERE e.cohort_id = ? AND t.kind = 'certification' AND t.attempt_no = ?", [cohort_id, attempt_no]))
    changed, early = 0, None
    for enrolment_id, score in scores.items():
        if enrolment_id not in members:
            raise InvalidInput("workshop.error_not_in_cohort")
        if score is None or current.get(enrolment_id) == float(score):
            continue
        if not changed:
            early = entered_before_stage(tx, cohort_id, TEST_STAGE, min(clock.today(), _day_of(taken_at)),
                                         confirmed_early)
        tx.execute(
            "INSERT INTO test_attempt (enrolment_id, kind, attempt_no, score_pct, taken_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (enrolment_id, kind, attempt_no) DO UPDATE SET score_pct = excluded.score_pct, "
            "taken_at = excluded.taken_at", [enrolment_id, TEST_KIND, attempt_no, float(score), taken_at])
        audit(tx, actor.id, "workshop.test_score", "enrolment", enrolment_id,
              None if enrolment_id not in current else {"attempt": attempt_no, "score": current[enrolment_id]},
              _with_early({"attempt": attempt_no, "score": float(score)}, early))
        changed += 1
    if changed:  # the cohort dashboards' funnel (certification test passed) is cached in every app process
        cache_stamp.bump(tx)
    return changed


def _day_of(taken_at) -> date:
    """The day (Asia/Tokyo) of a naive-UTC test time, or the day itself; today when none was given."""
    if taken_at is None:
        return clock.today()
    if isinstance(taken_at, datetime):
        return taken_at.replace(tzinfo=UTC).astimezone(clock.JST).date()
    return taken_at


def _with_early(after: dict, early: dict | None) -> dict:
    """An audit row's `after`, with the confirmation of an entry made before its stage when there was one."""
    return after if early is None else {**after, "entered_before_stage": early}


# -- discussion groups -----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Candidate:
    enrolment_id: int
    organisation: str
    region: str
    profile: float   # mean released rubric level (strength), the cohort's mean when nothing is released yet


def group_sizes(n: int) -> list[int]:
    """Balanced sizes of 5-7 where n allows it; below 5 one group; 8 and 9 (no split into 5-7 exists) two
    groups of 4-5 rather than one of 8-9."""
    if n <= 0:
        return []
    if n <= MAX_GROUP:
        return [n]
    count = math.ceil(n / MAX_GROUP)
    if count * MIN_GROUP > n:
        count = 2
    base, extra = divmod(n, count)
    return [base + 1] * extra + [base] * (count - extra)


def _group_cost(group: list[Candidate], mean: float, met: dict[int, set[int]]) -> tuple:
    """Lower is better, compared in order: same-organisation pairs, region crowding, pairs who met on day 1,
    distance of the group's mean profile from the cohort's. Tuples add up over groups, so a swap between two groups
    is judged on those two alone."""
    orgs: dict[str, int] = {}
    regions: dict[str, int] = {}
    for c in group:  # plain dicts, not Counter: this runs tens of thousands of times per plan
        if c.organisation:
            orgs[c.organisation] = orgs.get(c.organisation, 0) + 1
        if c.region:
            regions[c.region] = regions.get(c.region, 0) + 1
    ids = [c.enrolment_id for c in group]
    repeats = sum(1 for i, a in enumerate(ids) if a in met for b in ids[i + 1:] if b in met[a]) if met else 0
    spread = (sum(c.profile for c in group) / len(group) - mean) ** 2 if group else 0.0
    return (sum(k * (k - 1) // 2 for k in orgs.values()), sum(k * k for k in regions.values()), repeats, spread)


def _plus(a: tuple, b: tuple) -> tuple:
    return tuple(x + y for x, y in zip(a, b, strict=True))


def plan_groups(candidates: list[Candidate], seed: int, met_before: set[frozenset] | None = None) -> list[list[int]]:
    """Groups of enrolment ids (see the module docstring for the rules).

    Start: order people by region, then organisation (a seeded shuffle breaks ties), and deal them round the
    groups. An organisation's members sit next to each other in that order, so they land in different groups
    whenever the organisation has no more members than there are groups, and at most ceil(k / groups) together
    otherwise: the fewest possible. Then swap pairs between groups while that lowers `_group_cost` (never accepting
    more same-organisation pairs), a bounded, deterministic search."""
    met_before = met_before or set()
    sizes = group_sizes(len(candidates))
    if not sizes:
        return []
    rng = random.Random(seed)
    people = sorted(candidates, key=lambda c: c.enrolment_id)
    rng.shuffle(people)
    org_size = Counter(c.organisation for c in people)
    # (the regions are drawn for in name order: a set's own order changes with the process's hash seed)
    region_rank = {r: i for i, r in enumerate(sorted(sorted({c.region for c in people}),
                                                     key=lambda r: (rng.random(), r)))}
    org_rank = {o: i for i, o in enumerate(sorted(org_size, key=lambda o: (-org_size[o], rng.random(), o)))}
    people.sort(key=lambda c: (region_rank[c.region], org_rank[c.organisation]))
    # an organisation larger than the number of groups goes first, so its members spread over every group evenly
    people.sort(key=lambda c: org_size[c.organisation] <= len(sizes))
    groups: list[list[Candidate]] = [[] for _ in sizes]
    slot = 0
    for person in people:
        while len(groups[slot % len(sizes)]) >= sizes[slot % len(sizes)]:
            slot += 1
        groups[slot % len(sizes)].append(person)
        slot += 1
    mean = sum(c.profile for c in people) / len(people)
    met: dict[int, set[int]] = {}  # who met whom, looked up by either of the two
    for pair in met_before:
        for a in pair:
            met.setdefault(a, set()).update(pair - {a})
    costs = [_group_cost(group, mean, met) for group in groups]
    for _ in range(10):
        improved = False
        for a in range(len(groups)):
            for b in range(a + 1, len(groups)):
                for i in range(len(groups[a])):
                    for j in range(len(groups[b])):
                        groups[a][i], groups[b][j] = groups[b][j], groups[a][i]
                        cost_a = _group_cost(groups[a], mean, met)
                        cost_b = _group_cost(groups[b], mean, met)
                        before, after = _plus(costs[a], costs[b]), _plus(cost_a, cost_b)
                        if after[:3] < before[:3] or (after[:3] == before[:3] and after[3] < before[3] - 1e-9):
                            costs[a], costs[b], improved = cost_a, cost_b, True
                        else:
                            groups[a][i], groups[b][j] = groups[b][j], groups[a][i]
        if not improved:
            break
    return [sorted(c.enrolment_id for c in group) for group in groups]


def _candidates(db: Database, cohort_id: int) -> list[Candidate]:
    rows = db.rows(
        "SELECT e.id, coalesce(CAST(e.organisation_id AS VARCHAR), ''), coalesce(o.region, ''), "
        "(SELECT avg(x.level) FROM submission sub JOIN score s ON s.submission_id = sub.id AND s.status = 'released' "
        " JOIN score_criterion x ON x.score_id = s.id WHERE sub.enrolment_id = e.id) "
        "FROM enrolment e LEFT JOIN organisation o ON o.id = e.organisation_id "
        "WHERE e.cohort_id = ? AND e.status <> 'withdrawn' ORDER BY e.id", [cohort_id])
    known = [p for *_, p in rows if p is not None]
    fallback = sum(known) / len(known) if known else 0.0
    return [Candidate(eid, org, region, fallback if p is None else float(p)) for eid, org, region, p in rows]


@dataclass(frozen=True)
class Group:
    id: int
    seq: int
    locked: bool
    members: pd.DataFrame   # enrolment_id, name, kana, organisation, region


def groups(db: Database, actor: Actor, cohort_id: int, day: int) -> list[Group]:
    require_role(actor, "manager", "admin", db=db)
    frame = db.frame(
        "SELECT g.id AS group_id, g.seq, g.locked, e.id AS enrolment_id, u.display_name AS name, "
        "coalesce(u.display_name_kana, '') AS kana, coalesce(o.name, '') AS organisation, "
        "coalesce(o.region, '') AS region FROM discussion_group g "
        "LEFT JOIN discussion_group_member m ON m.group_id = g.id LEFT JOIN enrolment e ON e.id = m.enrolment_id "
        "LEFT JOIN app_user u ON u.id = e.trainee_id LEFT JOIN organisation o ON o.id = e.organisation_id "
        "WHERE g.cohort_id = ? AND g.day = ? ORDER BY g.seq, u.display_name_kana", [cohort_id, day])
    out = []
    for (group_id, seq, locked), part in frame.groupby(["group_id", "seq", "locked"], sort=True):
        members = part.dropna(subset=["enrolment_id"])[["enrolment_id", "name", "kana", "organisation", "region"]]
        out.append(Group(int(group_id), int(seq), bool(locked),
                         members.astype({"enrolment_id": int}).reset_index(drop=True)))
    return sorted(out, key=lambda g: g.seq)


def make_groups(db: Database, actor: Actor, cohort_id: int, day: int, seed: int) -> int:
    """Make (or make again) the day's groups. Locked groups and their members stay; everyone else is planned
    afresh. For day 2, pairs who sat together on day 1 are avoided. Returns the number of groups."""
    require_role(actor, "manager", "admin", db=db)
    _require_cohort(db, cohort_id)
    if day not in DAYS:
        raise InvalidInput("workshop.error_day")
    locked = {eid for (eid,) in db.rows(
        "SELECT m.enrolment_id FROM discussion_group_member m JOIN discussion_group g ON g.id = m.group_id "
        "WHERE g.cohort_id = ? AND g.day = ? AND g.locked", [cohort_id, day])}
    met_before: set[frozenset] = set()
    if day == 2:
        day_one: dict[int, list[int]] = {}
        for group_id, enrolment_id in db.rows(
                "SELECT m.group_id, m.enrolment_id FROM discussion_group_member m JOIN discussion_group g "
                "ON g.id = m.group_id WHERE g.cohort_id = ? AND g.day = 1", [cohort_id]):
            day_one.setdefault(group_id, []).append(enrolment_id)
        for members in day_one.values():
            met_before |= {frozenset((a, b)) for i, a in enumerate(members) for b in members[i + 1:]}
    # a person marked absent for the day sits in none of its groups
    absent = {eid for (eid,) in db.rows(
        "SELECT w.enrolment_id FROM workshop_attendance w JOIN enrolment e ON e.id = w.enrolment_id "
        "WHERE e.cohort_id = ? AND w.day = ? AND w.status = 'absent'", [cohort_id, day])}
    planned = plan_groups([c for c in _candidates(db, cohort_id) if c.enrolment_id not in locked | absent], seed,
                          met_before)
    return db.write(_write_groups, actor, cohort_id, day, seed, planned)


def _write_groups(tx: Transaction, actor: Actor, cohort_id: int, day: int, seed: int, planned: list[list[int]]):
    unlocked = [gid for (gid,) in tx.rows("SELECT id FROM discussion_group WHERE cohort_id = ? AND day = ? "
                                          "AND NOT locked", [cohort_id, day])]
    for gid in unlocked:
        tx.execute("DELETE FROM discussion_group_member WHERE group_id = ?", [gid])
        tx.execute("DELETE FROM discussion_group WHERE id = ?", [gid])
    taken = {seq for (seq,) in tx.rows("SELECT seq FROM discussion_group WHERE cohort_id = ? AND day = ?",
                                       [cohort_id, day])}
    free_seqs = (s for s in range(1, 1000) if s not in taken)
    now = now_utc()
    for members in planned:
        gid = tx.value("INSERT INTO discussion_group (cohort_id, day, seq, locked, seed, created_at) "
                       "VALUES (?, ?, ?, FALSE, ?, ?) RETURNING id", [cohort_id, day, next(free_seqs), seed, now])
        tx.executemany("INSERT INTO discussion_group_member (enrolment_id, day, group_id) VALUES (?, ?, ?)",
                       [(eid, day, gid) for eid in members])
    audit(tx, actor.id, "workshop.groups", "cohort", cohort_id, None, {"day": day, "seed": seed,
                                                                       "groups": planned})
    return len(taken) + len(planned)


def move_member(db: Database, actor: Actor, cohort_id: int, day: int, enrolment_id: int, group_id: int) -> None:
    """Move one trainee by hand into another group of the same day (locked groups neither give nor take)."""
    require_role(actor, "manager", "admin", db=db)
    db.write(_move, cohort_id, day, enrolment_id, group_id)


def _move(tx: Transaction, cohort_id: int, day: int, enrolment_id: int, group_id: int) -> None:
    target = tx.one("SELECT locked FROM discussion_group WHERE id = ? AND cohort_id = ? AND day = ?",
                    [group_id, cohort_id, day])
    source = tx.one("SELECT g.locked FROM discussion_group_member m JOIN discussion_group g ON g.id = m.group_id "
                    "WHERE m.enrolment_id = ? AND m.day = ? AND g.cohort_id = ?", [enrolment_id, day, cohort_id])
    if target is None or enrolment_id not in _cohort_enrolments(tx, cohort_id):
        raise NotFound()
    if target[0] or (source is not None and source[0]):
        raise InvalidInput("workshop.error_locked")
    if source is None:
        tx.execute("INSERT INTO discussion_group_member (enrolment_id, day, group_id) VALUES (?, ?, ?)",
                   [enrolment_id, day, group_id])
    else:
        tx.execute("UPDATE discussion_group_member SET group_id = ? WHERE enrolment_id = ? AND day = ?",
                   [group_id, enrolment_id, day])


def set_locked(db: Database, actor: Actor, cohort_id: int, group_id: int, locked: bool) -> None:
    require_role(actor, "manager", "admin", db=db)
    db.write(lambda tx: tx.execute("UPDATE discussion_group SET locked = ? WHERE id = ? AND cohort_id = ?",
                                   [locked, group_id, cohort_id]))


def _fits_no_split(total: int) -> bool:
    """True when `total` people cannot be split into groups of 5-7 at all (1-4, 8, 9)."""
    return any(not MIN_GROUP <= size <= MAX_GROUP for size in group_sizes(total))


def size_note(found: list[Group]) -> tuple[str, dict] | None:
    """When the day's people cannot make groups of 5-7 at all, what was done instead, in words (catalogue key and
    parameters): "8人は5〜7人のグループに分けられないため、4人ずつの2グループにしました"."""
    total = sum(len(g.members) for g in found)
    if not found or not _fits_no_split(total):
        return None
    sizes = sorted((len(g.members) for g in found), reverse=True)
    if len(set(sizes)) == 1:
        return "workshop.sizes_even", {"total": total, "size": sizes[0], "count": len(sizes)}
    return "workshop.sizes_mixed", {"total": total, "large": sizes[0], "small": sizes[-1], "count": len(sizes)}


def group_warnings(found: list[Group]) -> dict[int, list[str]]:
    """Per group seq, what a hand edit left outside the rules: size outside 5-7 (or, for a number of people that
    has no split into 5-7, outside the sizes group_sizes gives them), same organisation twice."""
    out: dict[int, list[str]] = {}
    total = sum(len(g.members) for g in found)
    planned = group_sizes(total) if _fits_no_split(total) else [MIN_GROUP, MAX_GROUP]
    for group in found:
        notes = []
        size = len(group.members)
        if not MIN_GROUP <= size <= MAX_GROUP and not min(planned) <= size <= max(planned):
            notes.append("workshop.warn_size")
        if group.members["organisation"].loc[group.members["organisation"] != ""].duplicated().any():
            notes.append("workshop.warn_same_org")
        if notes:
            out[group.seq] = notes
    return out


# -- the case set of a day's discussion groups (事例検討) ------------------------------------------------------------
CASE_SET_LIMIT = 10


def case_set(db: Database, actor: Actor, cohort_id: int, day: int) -> list[dict]:
    """The published library cases the day's discussion groups work on, in order: id, title, situation, lessons.
    A case withdrawn from the library since leaves the set."""
    require_role(actor, "manager", "admin", db=db)
    _require_cohort(db, cohort_id)
    return db.dicts("SELECT c.id, c.title, c.situation, c.lessons FROM workshop_case w JOIN library_case c "
                    "ON c.id = w.case_id WHERE w.cohort_id = ? AND w.day = ? AND c.status = 'published' "
                    "ORDER BY w.seq", [cohort_id, day])


def set_case_set(db: Database, actor: Actor, cohort_id: int, day: int, case_ids: list[int]) -> None:
    """Managers (who read the library): hand the day's groups these published cases, in this order (at most
    CASE_SET_LIMIT; an empty list clears the set). Audited."""
    require_role(actor, "manager", db=db)
    _require_cohort(db, cohort_id)
    if day not in DAYS:
        raise InvalidInput("workshop.error_day")
    wanted = list(dict.fromkeys(int(c) for c in case_ids))
    if len(wanted) > CASE_SET_LIMIT:
        raise InvalidInput("library.error_case_set_size", limit=CASE_SET_LIMIT)

    def run(tx: Transaction) -> None:
        published = {c for (c,) in tx.rows("SELECT id FROM library_case WHERE status = 'published' "
                                           "AND id IN (SELECT unnest(?))", [wanted or [0]])}
        if set(wanted) - published:
            raise InvalidInput("library.error_case_not_published")
        before = [c for (c,) in tx.rows("SELECT case_id FROM workshop_case WHERE cohort_id = ? AND day = ? "
                                        "ORDER BY seq", [cohort_id, day])]
        if before == wanted:
            return
        tx.execute("DELETE FROM workshop_case WHERE cohort_id = ? AND day = ?", [cohort_id, day])
        tx.executemany("INSERT INTO workshop_case (cohort_id, day, case_id, seq) VALUES (?, ?, ?, ?)",
                       [(cohort_id, day, c, seq) for seq, c in enumerate(wanted, start=1)])
        audit(tx, actor.id, "workshop.case_set", "cohort", cohort_id, {"day": day, "cases": before},
              {"day": day, "cases": wanted})

    db.write(run)
