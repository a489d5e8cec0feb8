"""Workshop attendance and 修了認定テスト scores from a file (CSV in UTF-8 or CP932, or XLSX), read by tabular.py:
a preview first (every row planned as created / updated / unchanged / rejected with its reasons), then a commit that
plans again from the same bytes inside one transaction and writes all rows or none. Trainees are named by their
login name; the cohort is the one chosen on the screen, so a row of another cohort is refused."""
from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from ..access import Actor, require_role
from ..office import tabular
from ..office.tabular import CREATED, REJECTED, UNCHANGED, UPDATED, Column, PlannedRow, RowError, Schema
from ..store.db import Database, Transaction
from . import workshop

ATTENDANCE = Schema((
    Column("username", "ユーザー名", "username", ("ログインID", "login", "ID"), sample="trainee-001-01"),
    Column("day", "日目", "day", ("研修日", "workshop day"), sample="1"),
    Column("status", "出欠", "status", ("出席状況", "attendance"), sample="出席"),
    Column("note", "備考", "note", ("メモ", "comment"), required=False, max_length=500, sample=""),
))
TEST_SCORES = Schema((
    Column("username", "ユーザー名", "username", ("ログインID", "login", "ID"), sample="trainee-001-01"),
    Column("score", "得点", "score", ("点数", "score pct", "得点率"), sample="82"),
    Column("attempt", "受験回", "attempt", ("回", "attempt no"), required=False, sample="1"),
    Column("taken_on", "受験日", "taken on", ("date",), required=False, sample="2026-03-08"),
))
# what people type in the status column, folded by tabular.normalise and lower-cased
STATUS_WORDS = {"出席": "present", "present": "present", "○": "present", "欠席": "absent", "absent": "absent",
                "×": "absent", "遅刻": "partial", "早退": "partial", "遅刻・早退": "partial", "遅刻/早退": "partial",
                "partial": "partial", "late": "partial", "left early": "partial", "△": "partial"}
JST = ZoneInfo("Asia/Tokyo")


def _members(tx, cohort_id: int) -> dict[str, int]:
    return {username: eid for username, eid in tx.rows(
        "SELECT u.username, e.id FROM enrolment e JOIN app_user u ON u.id = e.trainee_id "
        "WHERE e.cohort_id = ? AND e.status <> 'withdrawn'", [cohort_id])}


def _attendance_plan(tx, cohort_id: int, data: bytes, filename: str) -> tabular.Preview:
    table = tabular.read_table(data, filename)
    records, errors = ATTENDANCE.map(table)
    members = _members(tx, cohort_id)
    current = {(eid, day): (status, note) for eid, day, status, note in tx.rows(
        "SELECT w.enrolment_id, w.day, w.status, w.note FROM workshop_attendance w JOIN enrolment e "
        "ON e.id = w.enrolment_id WHERE e.cohort_id = ?", [cohort_id])}
    repeated = tabular.duplicates(records, ("username", "day"))

    def decide(record) -> PlannedRow:
        v, problems = record.values, []
        enrolment_id = members.get(v["username"].lower())
        day = tabular.parse_int(v["day"])
        status = STATUS_WORDS.get(v["status"].lower())
        if enrolment_id is None:
            problems.append(RowError(record.line, "username", "workshop.import_unknown_trainee",
                                     {"username": v["username"]}))
        if day not in workshop.DAYS:
            problems.append(RowError(record.line, "day", "workshop.import_bad_day"))
        if status is None:
            problems.append(RowError(record.line, "status", "workshop.import_bad_status", {"value": v["status"]}))
        elif status == "partial" and not v.get("note"):
            problems.append(RowError(record.line, "note", "workshop.error_partial_note"))
        if record.line in repeated:
            problems.append(RowError(record.line, "username", "workshop.import_repeated",
                                     {"line": repeated[record.line]}))
        values = {"enrolment_id": enrolment_id, "day": day, "status": status, "note": v.get("note", "")}
        if problems:
            return PlannedRow(record.line, REJECTED, values, problems)
        before = current.get((enrolment_id, day))
        action = CREATED if before is None else (UNCHANGED if before == (status, values["note"]) else UPDATED)
        return PlannedRow(record.line, action, values)

    return tabular.build_preview("attendance", data, table, records, errors, decide)


def preview_attendance(db: Database, actor: Actor, cohort_id: int, data: bytes, filename: str) -> tabular.Preview:
    require_role(actor, "manager", "admin", db=db)
    return _attendance_plan(db, cohort_id, data, filename)


def commit_attendance(db: Database, actor: Actor, cohort_id: int, data: bytes, filename: str, *,
                      confirmed_early: bool = False) -> int:
    """All rows or none; returns how many rows changed. A workshop day not yet come: as workshop.record_attendance."""
    require_role(actor, "manager", "admin", db=db)

    def write(tx: Transaction) -> int:
        preview = _attendance_plan(tx, cohort_id, data, filename)
        tabular.require_committable(preview)
        entries = [workshop.Attendance(r.values["enrolment_id"], r.values["day"], r.values["status"],
                                       r.values["note"]) for r in preview.rows]
        return workshop._write_attendance(tx, actor, cohort_id, entries, confirmed_early)

    return db.write(write)


def _scores_plan(tx, cohort_id: int, data: bytes, filename: str, default_day) -> tabular.Preview:
    table = tabular.read_table(data, filename)
    records, errors = TEST_SCORES.map(table)
    members = _members(tx, cohort_id)
    current = {(eid, n): score for eid, n, score in tx.rows(
        "SELECT t.enrolment_id, t.attempt_no, t.score_pct FROM test_attempt t JOIN enrolment e "
        "ON e.id = t.enrolment_id WHERE e.cohort_id = ? AND t.kind = 'certification'", [cohort_id])}
    repeated = tabular.duplicates(records, ("username", "attempt"))

    def decide(record) -> PlannedRow:
        v, problems = record.values, []
        enrolment_id = members.get(v["username"].lower())
        score = tabular.parse_number(v["score"])
        attempt = tabular.parse_int(v.get("attempt") or "1")
        taken_on = tabular.parse_date(v["taken_on"], serial_ok=table.from_xlsx) if v.get("taken_on") else default_day
        if enrolment_id is None:
            problems.append(RowError(record.line, "username", "workshop.import_unknown_trainee",
                                     {"username": v["username"]}))
        if score is None or not 0 <= score <= 100:
            problems.append(RowError(record.line, "score", "workshop.error_score_range"))
        if attempt not in (1, 2):
            problems.append(RowError(record.line, "attempt", "workshop.error_attempt"))
        if taken_on is None:
            problems.append(RowError(record.line, "taken_on", "workshop.import_bad_date", {"value": v["taken_on"]}))
        if record.line in repeated:
            problems.append(RowError(record.line, "username", "workshop.import_repeated",
                                     {"line": repeated[record.line]}))
        values = {"enrolment_id": enrolment_id, "score": score, "attempt": attempt, "taken_on": taken_on}
        if problems:
            return PlannedRow(record.line, REJECTED, values, problems)
        before = current.get((enrolment_id, attempt))
        action = CREATED if before is None else (UNCHANGED if before == score else UPDATED)
        return PlannedRow(record.line, action, values)

    return tabular.build_preview("certification_test", data, table, records, errors, decide)


def preview_test_scores(db: Database, actor: Actor, cohort_id: int, data: bytes, filename: str,
                        default_day) -> tabular.Preview:
    require_role(actor, "manager", "admin", db=db)
    return _scores_plan(db, cohort_id, data, filename, default_day)


def commit_test_scores(db: Database, actor: Actor, cohort_id: int, data: bytes, filename: str, default_day, *,
                       confirmed_early: bool = False) -> int:
    """All rows or none. A score before the test's day: as workshop.record_test_scores."""
    require_role(actor, "manager", "admin", db=db)

    def write(tx: Transaction) -> int:
        preview = _scores_plan(tx, cohort_id, data, filename, default_day)
        tabular.require_committable(preview)
        changed = 0
        for attempt in (1, 2):
            rows = [r for r in preview.rows if r.values["attempt"] == attempt]
            for day in sorted({r.values["taken_on"] for r in rows}):
                taken_at = datetime.combine(day, time(15), JST).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)
                changed += workshop._write_scores(
                    tx, actor, cohort_id, {r.values["enrolment_id"]: r.values["score"] for r in rows
                                           if r.values["taken_on"] == day}, attempt, taken_at, confirmed_early)
        return changed

    return db.write(write)
