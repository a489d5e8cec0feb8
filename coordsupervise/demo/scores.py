"""The demo's scoring states (called from demo._submissions), so every scoring screen has something true to show.

In the practical-stage cohort, demo-supervisor's trainees give:
- A2: released scores with comments, one draft, and demo-trainee's late submission waiting to be scored;
- A3 (second-marked for everyone, to calibrate the supervisors on the first assessment): two blind second
  markings assigned to demo-manager, one disagreement waiting for a manager, a draft, two to score, the rest
  agreed and released; demo-trainee's A3 was returned for revision and resubmitted (version 2 waits);
- A1: one 課題設定シート returned with comments and resubmitted, waiting for approval.
Other cohorts are scored as they would be by then, with the 課題レポート (A8) second-marked throughout and the
occasional disagreement settled by demo-manager, so the agreement figures have data."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pandas as pd

from ..scoring.moderation import choose_second_marker, sampled
from ..store.db import insert_frame

COMMENTS = {
    4: ["根拠を示しながら自分の判断を説明できています。", "次の相談にも応用できる整理になっています。"],
    3: ["主な点は押さえられています。", "概ね自立して対応できています。"],
    2: ["確認の抜けがあります。チェックリストを使いましょう。", "助言を受けて整理できた部分が多いです。"],
    1: ["もう一度、面談で一緒に確認しましょう。", "前提となる事実の確認から始めましょう。"],
}
OVERALL = ["全体としてよく整理されています。", "連携先との役割分担をもう少し具体的に。",
           "根拠となる制度の条文を示せるとさらに良いです。", "相談者の視点がよく表れた記録です。"]
REVISION = "解決の順序の根拠が書かれていません。緊急度の判断基準を加えて再提出してください。"
SHEET_RETURN = "実践研修で取り組む課題が広すぎます。3か月で評価できる目標に絞ってください。"
SHEET_REVISED = "\n\n## 改訂(目標を絞りました)\n連携先へのつなぎと結果確認に絞る。"
REVISED = "\n\n## 改訂\n緊急度(在留期限・住居・収入)の順に判断基準を追記した。"
MODERATION = {"A3": ("all", 100), "A4": ("sample", 20), "A8": ("all", 100)}
SEED = 2024
JST = ZoneInfo("Asia/Tokyo")


def _jst(day: date, hour: int) -> datetime:
    """A Japanese wall-clock time as the naive UTC the database keeps."""
    return datetime.combine(day, time(hour), JST).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def _levels(rng, criteria, risk: bool) -> dict[int, int]:
    return {cid: rng.choice([1, 2, 2, 3] if risk else [2, 3, 3, 3, 4, 4]) for cid, _comp in criteria}


class Pending:
    """The scores, second markings and their criteria of one build, kept in order and written in a few bulk
    inserts (one INSERT per score made the 100-cohort build take hours). Ids come from the tables' sequences in the
    order the rows were made, as when each was inserted on its own; `flush` before anything reads them back."""

    def __init__(self, tx):
        self.tx = tx
        self.scores: list[tuple] = []  # (submission, scorer, status, comment, released_at, updated_at)
        self.levels: list[list] = []  # per score: [criterion, level, comment]
        self.moderations: list[tuple] = []  # (score index, marker, status, comment, created, marked, by, at, reason)
        self.moderation_levels: list[list[tuple]] = []  # per moderation: (criterion, first, second, agreed)
        self.scored: list[int] = []  # submissions whose score was released

    def flush(self) -> None:
        if not self.scores:
            return
        tx = self.tx
        insert_frame(tx, "score", pd.DataFrame(self.scores, columns=[
            "submission_id", "scorer_id", "status", "overall_comment", "released_at", "updated_at"]))
        score_of = dict(tx.rows("SELECT submission_id, id FROM score WHERE submission_id IN (SELECT unnest(?))",
                                [[row[0] for row in self.scores]]))
        ids = [score_of[row[0]] for row in self.scores]
        insert_frame(tx, "score_criterion", pd.DataFrame(
            [(ids[i], cid, lvl, comment) for i, levels in enumerate(self.levels) for cid, lvl, comment in levels],
            columns=["score_id", "criterion_id", "level", "comment"]))
        if self.moderations:
            frame = pd.DataFrame([(ids[i], *rest) for i, *rest in self.moderations], columns=[
                "score_id", "second_marker_id", "status", "overall_comment", "created_at", "second_marked_at",
                "resolved_by", "resolved_at", "reason"])
            frame["resolved_by"] = frame["resolved_by"].astype("Int64")
            frame["tolerance"] = 0
            insert_frame(tx, "moderation", frame)
            moderation_of = dict(tx.rows("SELECT score_id, id FROM moderation WHERE score_id IN (SELECT unnest(?))",
                                         [list(frame["score_id"])]))
            rows = [(moderation_of[ids[m[0]]], *level)
                    for m, levels in zip(self.moderations, self.moderation_levels, strict=True) for level in levels]
            frame = pd.DataFrame(rows, columns=["moderation_id", "criterion_id", "first_level", "second_level",
                                                "agreed_level"])
            frame["agreed_level"] = frame["agreed_level"].astype("Int64")
            insert_frame(tx, "moderation_criterion", frame)
        if self.scored:
            tx.execute("UPDATE submission SET status = 'scored' WHERE id IN (SELECT unnest(?))", [self.scored])
        self.__init__(tx)


def _score(pending: Pending, rng, sub_id, scorer, levels, status, at, comment=None) -> int:
    """Queue one score; returns its index in `pending` (what _second refers to)."""
    pending.scores.append((sub_id, scorer, status, comment or rng.choice(OVERALL),
                           at if status in ("released", "returned") else None, at))
    pending.levels.append([[cid, lvl, rng.choice(COMMENTS[lvl])] for cid, lvl in levels.items()])
    if status == "released":
        pending.scored.append(sub_id)
    return len(pending.scores) - 1


def _second(pending: Pending, score, marker, first, second, status, at, resolver=None):
    agreed = {cid: first[cid] for cid in first} if status == "agreed" else (
        {cid: max(first[cid], second[cid]) for cid in first} if status == "resolved" else None)
    pending.moderations.append(
        (score, marker, status, "" if status == "second_marking" else "記述は具体的で、評価の根拠が読み取れる。",
         at, None if status == "second_marking" else at + timedelta(days=1), resolver,
         at + timedelta(days=2) if resolver else None,
         "二人の評価者で協議し、記録の具体性を重視して合意した。" if resolver else None))
    if status == "second_marking":
        pending.moderation_levels.append([])
        return
    pending.moderation_levels.append([(cid, first[cid], second[cid], agreed[cid] if agreed else None)
                                      for cid in first])
    if agreed:
        for level in pending.levels[score]:
            level[1] = agreed.get(level[0], level[1])


def build(tx, rng, made, assignments, today: date) -> None:
    """`made`: (enrolment dict, assignment dict, submission id, submitted day) for each version 1 the demo wrote."""
    for code, (rule, pct) in MODERATION.items():  # the programme's rule, so cohorts built earlier get it too
        tx.execute("UPDATE assignment SET moderation_rule = ?, moderation_pct = ?, moderation_seed = ? WHERE code = ?",
                   [rule, pct, SEED, code])
    manager = tx.value("SELECT id FROM app_user WHERE username = 'demo-manager'")
    showcase = any(e["demo"] for e, *_ in made)
    demo_sup = next((e["sup"] for e, *_ in made if e["demo"]), None)
    counters = {"draft": 0, "a3": 0, "sheet": 0}
    markers: dict[tuple[int, int], int | None] = {}  # (assignment, first marker) -> second marker
    pending = Pending(tx)
    for e, a, sub_id, submitted in made:
        mine = showcase and e["sup"] == demo_sup
        if mine and _showcase(pending, rng, e, a, sub_id, submitted, today, manager, counters):
            continue
        _ordinary(pending, rng, e, a, sub_id, submitted, today, manager, markers)
    pending.flush()


def _is_sampled(e, a) -> bool:
    rule, pct = MODERATION.get(a["code"], ("none", 10))
    return rule == "all" or (rule == "sample" and sampled(SEED, a["id"], e["id"], pct))


def _ordinary(pending, rng, e, a, sub_id, submitted, today, manager, markers) -> None:
    age = (today - submitted).days
    if a["kind"] != "scored" or age < 4 or (age < 21 and rng.random() < 0.15):
        return  # recent work not yet scored; anything older has been scored by now
    levels = _levels(rng, a["criteria"], e["risk"])
    at = _jst(submitted + timedelta(days=3), 17)
    if age < 21 and rng.random() >= 0.85:
        _score(pending, rng, sub_id, e["sup"], levels, "draft", at)
        return
    if not _is_sampled(e, a):
        _score(pending, rng, sub_id, e["sup"], levels, "released", at)
        return
    if (a["id"], e["sup"]) not in markers:  # one trainee, one supervisor: the choice depends on these alone here
        pending.flush()  # the choice counts the open second markings made so far
        markers[(a["id"], e["sup"])] = choose_second_marker(pending.tx, sub_id, e["sup"])
    marker = markers[(a["id"], e["sup"])]
    score = _score(pending, rng, sub_id, e["sup"], levels, "released", at)
    if marker is None:
        return
    second = {cid: max(1, min(4, lvl + rng.choice([0, 0, 0, 0, 0, 1, -1]))) for cid, lvl in levels.items()}
    status = "agreed" if second == levels else "resolved"
    _second(pending, score, marker, levels, second, status, at, manager if status == "resolved" else None)


def _showcase(pending, rng, e, a, sub_id, submitted, today, manager, counters) -> bool:
    """demo-supervisor's trainees in the practical cohort: fixed states (see the module docstring)."""
    code = a["code"]
    if code == "A1" and not e["demo"] and counters["sheet"] == 0 and not e["risk"]:
        counters["sheet"] += 1
        pending.tx.execute("UPDATE submission SET status = 'revision_requested' WHERE id = ?", [sub_id])
        _score(pending, rng, sub_id, e["sup"], {}, "returned", _jst(submitted + timedelta(days=2), 17), SHEET_RETURN)
        _new_version(pending.tx, sub_id, today - timedelta(days=1), SHEET_REVISED)
        return True
    if code == "A2":
        if e["demo"]:  # late, handed in two days ago: the first thing in demo-supervisor's queue
            pending.tx.execute("UPDATE submission SET submitted_at = ?, updated_at = ?, late = TRUE WHERE id = ?",
                       [_jst(today - timedelta(days=2), 21), _jst(today - timedelta(days=2), 21), sub_id])
            return True
        if counters["draft"] == 0:
            counters["draft"] += 1
            _score(pending, rng, sub_id, e["sup"], _levels(rng, a["criteria"], e["risk"]), "draft",
                   _jst(today - timedelta(days=1), 18))
            return True
        _score(pending, rng, sub_id, e["sup"], _levels(rng, a["criteria"], e["risk"]), "released",
               _jst(submitted + timedelta(days=3), 17))
        return True
    if code != "A3":
        return False
    levels = _levels(rng, a["criteria"], e["risk"])
    at = _jst(min(submitted + timedelta(days=2), today - timedelta(days=1)), 17)
    if e["demo"]:  # returned with comments, resubmitted yesterday: version 2 waits with version 1's score beside it
        pending.tx.execute("UPDATE submission SET status = 'revision_requested' WHERE id = ?", [sub_id])
        _score(pending, rng, sub_id, e["sup"], {cid: 2 for cid in levels}, "returned", at, REVISION)
        _new_version(pending.tx, sub_id, today - timedelta(days=1), REVISED)
        return True
    n = counters["a3"]
    counters["a3"] += 1
    plan = ("second_marking", "disagreed", "to_score", "draft", "second_marking", "to_score")
    state = plan[n] if n < len(plan) else "agreed"
    if state == "to_score":
        return True
    if state == "draft":
        _score(pending, rng, sub_id, e["sup"], levels, "draft", at)
        return True
    score = _score(pending, rng, sub_id, e["sup"], levels, "released" if state == "agreed" else "moderation", at)
    second = {cid: (lvl - 1 if lvl > 2 else lvl + 1) for cid, lvl in levels.items()} if state == "disagreed" \
        else dict(levels)
    _second(pending, score, manager, levels, second, state, at)
    return True


def _new_version(tx, sub_id, day: date, addition: str) -> None:
    tx.execute("INSERT INTO submission (assignment_id, enrolment_id, version, body_md, status, submitted_at, late, "
               "updated_at) SELECT assignment_id, enrolment_id, version + 1, body_md || ?, 'submitted', ?, FALSE, ? "
               "FROM submission WHERE id = ?", [addition, _jst(day, 20), _jst(day, 20), sub_id])
