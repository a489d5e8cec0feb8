"""Imports the programme office runs: the roster (from the application process) and the online-stage quiz results
(from the lecture platform). Admins only.

Both follow tabular.py: read the file, plan every row (created / updated / unchanged / rejected) without writing,
show the preview, then commit all rows or none. The commit plans again inside its transaction and refuses if the
plan changed since the preview (someone else imported meanwhile); the same file twice changes nothing the second
time. Each commit that changes something is recorded in the audit log with the file's SHA-256.

Roster rules: a row creates a trainee account (with a one-time password, returned once) and the enrolment in the
cohort, or updates the names, e-mail and supervisors of a trainee already known (the organisation is recorded
with the enrolment and kept). An empty optional cell leaves what is on record alone. Supervisors are login IDs
separated by ';', the first one the lead.

Quiz rules: module 1..15 (the programme's modules) or 総合/overall for the overall test; score 0..100; attempt
1..20; a module quiz dated within the cohort's online stage, the overall test from the online stage's first day to
the end of 課題設定 (retakes come after the online stage closes)."""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pandas as pd
from openpyxl import Workbook

from ..access import Actor, require_role
from ..clock import now_utc
from ..errors import NotFound, StaleWrite
from ..programme import caseload
from ..programme.auth import audit, insert_user, login_id_problem, normalize_username
from ..programme.people import one_time_password, valid_email
from ..store import cache_stamp
from ..store.db import Database, Transaction
from .exports import csv_bytes, safe_cell
from .tabular import (
    CREATED,
    REJECTED,
    UNCHANGED,
    UPDATED,
    Column,
    PlannedRow,
    Preview,
    Record,
    RowError,
    Schema,
    build_preview,
    duplicates,
    parse_date,
    parse_int,
    parse_number,
    read_table,
    require_committable,
)

JST = ZoneInfo("Asia/Tokyo")
OVERALL = "overall"
OVERALL_WORDS = {"総合", "overall", "総合確認テスト", "総合テスト"}
MAX_ATTEMPT = 20

ROSTER = Schema((
    Column("username", "ログインID", "username", aliases=("ユーザー名", "ID", "login", "login_id"), max_length=64,
           sample="tanaka.hanako"),
    Column("name", "氏名", "name", aliases=("名前", "display_name", "full_name"), max_length=100,
           sample="田中 花子"),
    Column("kana", "ふりがな", "kana", aliases=("フリガナ", "よみがな", "読み", "reading"), required=False,
           max_length=100, sample="たなか はなこ"),
    Column("email", "メールアドレス", "email", aliases=("メール", "e-mail", "mail"), required=False, max_length=254,
           sample="tanaka@example.jp"),
    Column("organisation", "所属機関", "organisation", aliases=("所属", "organization", "機関"), required=False,
           max_length=200, sample="浜松国際交流協会 外国人相談"),
    Column("region", "地域", "region", aliases=("ブロック", "area"), required=False, max_length=50, sample="中部"),
    Column("supervisor", "担当指導者", "supervisor", aliases=("指導者", "supervisors", "担当指導者ID"),
           required=False, max_length=500, sample="demo-supervisor"),
))

QUIZ = Schema((
    Column("username", "ログインID", "username", aliases=("ユーザー名", "ID", "login", "login_id"), max_length=64,
           sample="demo-trainee"),
    Column("module", "モジュール", "module", aliases=("モジュール番号", "科目", "module_no"), max_length=20,
           sample="1"),
    Column("score", "得点", "score", aliases=("点数", "得点率", "score_pct"), max_length=20, sample="85"),
    Column("attempt", "受験回数", "attempt", aliases=("回数", "attempt_no"), max_length=10, sample="1"),
    Column("taken_on", "受験日", "taken_on", aliases=("日付", "date", "受験日時"), max_length=40,
           sample="2026/11/28"),
))

SCHEMAS = {"roster": ROSTER, "quiz": QUIZ}


@dataclass(frozen=True)
class CommitResult:
    counts: dict[str, int]
    # (username, name, one-time password) of each account the roster import created: shown once
    passwords: list[tuple[str, str, str]]


def cohorts(db: Database, actor: Actor) -> list[dict]:
    """Every cohort, newest first (by the start of its online stage)."""
    require_role(actor, "admin", db=db)
    return db.dicts("SELECT c.id, c.code, c.name_ja, c.name_en FROM cohort c LEFT JOIN cohort_stage s "
                    "ON s.cohort_id = c.id AND s.stage = 'online' ORDER BY s.starts_on DESC NULLS LAST, c.code")


def suggested_cohort(db: Database, actor: Actor, kind: str, today: date) -> int | None:
    """The cohort an import of `kind` most likely belongs to, rather than simply the newest: a roster goes to a
    cohort not yet started or in its online stage (the one starting first), quiz results to the cohort in its
    online stage today (else the one whose online stage ended last)."""
    require_role(actor, "admin", db=db)
    if kind == "roster":
        return db.value("SELECT cohort_id FROM cohort_stage WHERE stage = 'online' AND ends_on >= ? "
                        "ORDER BY starts_on, cohort_id LIMIT 1", [today])
    return db.value("SELECT cohort_id FROM cohort_stage WHERE stage = 'online' AND starts_on <= ? "
                    "ORDER BY (ends_on >= ?) DESC, ends_on DESC, cohort_id LIMIT 1", [today, today])


def better_cohort(db: Database, actor: Actor, data: bytes, filename: str, cohort_id: int) -> dict | None:
    """Another cohort in which more of the file's login IDs are enrolled than in the chosen one (a file meant for
    another cohort), with how many of them: {code, name_ja, name_en, matched, rows}; None when the choice fits."""
    require_role(actor, "admin", db=db)
    table = read_table(data, filename)
    column = QUIZ.headers_in(table).get("username", "")  # the roster and the quiz name the login ID alike
    names = sorted({normalize_username(r.cells.get(column, "")) for r in table.records} - {""})
    if not names:
        return None
    counts = db.dicts(
        "SELECT c.id, c.code, c.name_ja, c.name_en, count(*) AS matched FROM enrolment e "
        "JOIN cohort c ON c.id = e.cohort_id JOIN app_user u ON u.id = e.trainee_id "
        "WHERE u.username IN (SELECT unnest(?)) GROUP BY c.id, c.code, c.name_ja, c.name_en "
        "ORDER BY matched DESC, c.code", [names])
    here = next((c["matched"] for c in counts if c["id"] == cohort_id), 0)
    best = counts[0] if counts else None
    if best is None or best["id"] == cohort_id or best["matched"] <= here:
        return None
    return {**best, "rows": len(names)}


def cohort_by_code(db: Database, actor: Actor, code: str) -> dict:
    require_role(actor, "admin", db=db)
    found = db.dicts("SELECT id, code, name_ja, name_en FROM cohort WHERE code = ?", [(code or "").strip()])
    if not found:
        raise NotFound("import.unknown_cohort", code=code)
    return found[0]


def cohort_for_import(db: Database, actor: Actor, code: str | None, kind: str, today: date) -> dict:
    """The cohort named by `code`, or without one the cohort an import of `kind` belongs to today
    (suggested_cohort)."""
    if code:
        return cohort_by_code(db, actor, code)
    cohort_id = suggested_cohort(db, actor, kind, today)
    if cohort_id is None:
        raise NotFound("import.no_cohort_to_suggest")
    return db.dicts("SELECT id, code, name_ja, name_en FROM cohort WHERE id = ?", [cohort_id])[0]


def template_rows(kind: str, language: str) -> list[list[str]]:
    """Header (in the language) and a sample row of the import `kind`, for the template downloads."""
    return SCHEMAS[kind].template_rows(language)


# -- roster ----------------------------------------------------------------------------------------------------
def preview_roster(db: Database, actor: Actor, data: bytes, filename: str, cohort_id: int) -> Preview:
    require_role(actor, "admin", db=db)
    return _plan_roster(db, data, filename, cohort_id)


def commit_roster(db: Database, actor: Actor, data: bytes, filename: str, cohort_id: int) -> CommitResult:
    """Create and update the roster's trainees in one transaction; returns the one-time passwords of new accounts."""
    require_role(actor, "admin", db=db)
    preview = _plan_roster(db, data, filename, cohort_id)
    require_committable(preview)
    # hashing is slow: done before the transaction, for exactly the accounts the preview creates
    fresh = {row.values["username"]: one_time_password() for row in preview.rows if row.action == CREATED}

    def apply(tx: Transaction, plan: Preview) -> list[tuple[str, str, str]]:
        now = now_utc()
        passwords = []
        for row in plan.rows:
            if row.action in (CREATED, UPDATED):
                _apply_roster_row(tx, actor, cohort_id, row.values, fresh, now)
            if row.action == CREATED:
                passwords.append((row.values["username"], row.values["name"], fresh[row.values["username"]][0]))
        return passwords

    return _commit_as_previewed(db, actor, "roster", filename, cohort_id, preview,
                                lambda tx: _plan_roster(tx, data, filename, cohort_id), apply)


def _commit_as_previewed(db: Database, actor: Actor, kind: str, filename: str, cohort_id: int, preview: Preview,
                         replan, apply) -> CommitResult:
    """The one transaction every import commits in. The file is planned again inside it and refused when the plan
    moved since the preview (someone imported meanwhile), so what is written is exactly what the admin saw;
    `apply(tx, plan)` writes the rows and returns the one-time passwords to show, and an import that changed
    anything is audited once against the cohort with the file's name, hash and counts."""

    def run(tx: Transaction) -> CommitResult:
        again = replan(tx)
        if [(r.line, r.action) for r in again.rows] != [(r.line, r.action) for r in preview.rows]:
            raise StaleWrite("import.changed_meanwhile")
        passwords = apply(tx, again)
        if again.changes:
            cache_stamp.bump(tx)
            audit(tx, actor.id, f"import.{kind}", "cohort", cohort_id, None,
                  {"filename": filename, "sha256": again.sha256, "counts": again.counts})
        return CommitResult(again.counts, passwords)

    return db.write(run)


def _plan_roster(reader, data: bytes, filename: str, cohort_id: int) -> Preview:
    """`reader` is the Database (preview) or the commit's Transaction: both answer rows/value/one."""
    if reader.value("SELECT id FROM cohort WHERE id = ?", [cohort_id]) is None:
        raise NotFound()
    table = read_table(data, filename)
    records, errors = ROSTER.map(table)
    header = ROSTER.headers_in(table)
    repeated = duplicates(records, ("username",))
    usernames = sorted({normalize_username(r.values["username"]) for r in records})
    existing = {row[1]: row for row in reader.rows(
        "SELECT u.id, u.username, u.display_name, u.display_name_kana, u.email, "
        "  EXISTS (SELECT 1 FROM user_role r WHERE r.user_id = u.id AND r.role = 'trainee'), "
        "  e.id, o.name FROM app_user u LEFT JOIN enrolment e ON e.trainee_id = u.id AND e.cohort_id = ? "
        "LEFT JOIN organisation o ON o.id = e.organisation_id WHERE u.username IN (SELECT unnest(?))",
        [cohort_id, usernames])} if usernames else {}
    supervisors, supervisor_names = {}, {}
    for uid, name, shown_name in reader.rows(
            "SELECT u.id, u.username, u.display_name FROM app_user u "
            "JOIN user_role r ON r.user_id = u.id AND r.role = 'supervisor' WHERE u.active"):
        supervisors[name], supervisor_names[name] = uid, shown_name
    current_sups = {}
    enrolment_ids = [row[6] for row in existing.values() if row[6] is not None]
    if enrolment_ids:
        for enrolment_id, sup_name in reader.rows(
                "SELECT s.enrolment_id, u.username FROM supervision s JOIN app_user u ON u.id = s.supervisor_id "
                "WHERE s.enrolment_id IN (SELECT unnest(?)) ORDER BY s.is_lead DESC, s.supervisor_id",
                [enrolment_ids]):
            current_sups.setdefault(enrolment_id, []).append(sup_name)

    def decide(record: Record) -> PlannedRow:
        v = dict(record.values)
        problems = []
        v["username"] = normalize_username(v["username"])
        if record.line in repeated:
            # only the ID repeats (the rest of the row may differ): say so, not "the same content"
            problems.append(RowError(record.line, header["username"], "import.duplicate_login_id",
                                     {"username": v["username"], "first": repeated[record.line]}))
        known = existing.get(v["username"])
        # the admin form's rule for new IDs; an account already on record keeps the ID it has
        problem = login_id_problem(v["username"]) if known is None else None
        if problem is not None:
            problems.append(RowError(record.line, header["username"], problem.key, problem.params))
        if v["email"] and not valid_email(v["email"]):
            problems.append(RowError(record.line, header["email"], "roster.bad_email", {"value": v["email"]}))
        sup_names = [normalize_username(s) for s in re.split(r"[;、]", v["supervisor"]) if s.strip()]
        for name in sup_names:
            if name not in supervisors:
                problems.append(RowError(record.line, header["supervisor"], "roster.unknown_supervisor",
                                         {"username": name}))
        if len(set(sup_names)) != len(sup_names):
            problems.append(RowError(record.line, header["supervisor"], "roster.repeated_supervisor"))
        v["supervisors"] = sup_names
        # the preview names the supervisors as the office knows them, not by login ID
        v["supervisor_names"] = [supervisor_names.get(n, n) for n in sup_names]
        if known is not None and not known[5]:
            problems.append(RowError(record.line, header["username"], "roster.not_a_trainee"))
        if problems:
            return PlannedRow(record.line, REJECTED, v, problems)
        if known is None:
            return PlannedRow(record.line, CREATED, v)
        _uid, _name, name, kana, email, _trainee, enrolment_id, _organisation = known
        changes = []
        if v["name"] != name:
            changes.append("name")
        # the organisation is set with the enrolment: DuckDB cannot update a foreign key of a referenced row
        for field, now_value in (("kana", kana), ("email", email)):
            if v[field] and v[field] != now_value:
                changes.append(field)
        if enrolment_id is None:
            changes.append("enrolment")
        elif sup_names and sup_names != current_sups.get(enrolment_id, []):
            changes.append("supervisor")
        v["changes"] = changes
        return PlannedRow(record.line, UPDATED if changes else UNCHANGED, v)

    return build_preview("roster", data, table, records, errors, decide)


def _apply_roster_row(tx: Transaction, actor: Actor, cohort_id: int, v: dict, fresh: dict, now: datetime) -> None:
    user_id = tx.value("SELECT id FROM app_user WHERE username = ?", [v["username"]])
    if user_id is None:
        user_id = insert_user(tx, v["username"], v["name"], fresh[v["username"]][1], ("trainee",),
                              kana=v["kana"] or None, email=v["email"] or None)
        tx.execute("UPDATE app_user SET must_change_password = TRUE WHERE id = ?", [user_id])
        audit(tx, actor.id, "user.create", "app_user", user_id, None, {"username": v["username"], "via": "roster"})
    else:
        tx.execute("UPDATE app_user SET display_name = ?, display_name_kana = coalesce(?, display_name_kana), "
                   "email = coalesce(?, email) WHERE id = ?",
                   [v["name"], v["kana"] or None, v["email"] or None, user_id])
    organisation_id = _organisation(tx, v["organisation"], v["region"]) if v["organisation"] else None
    enrolment_id = tx.value("SELECT id FROM enrolment WHERE cohort_id = ? AND trainee_id = ?", [cohort_id, user_id])
    if enrolment_id is None:
        enrolment_id = tx.value("INSERT INTO enrolment (cohort_id, trainee_id, organisation_id, enrolled_at) "
                                "VALUES (?, ?, ?, ?) RETURNING id", [cohort_id, user_id, organisation_id, now])
    if v["supervisors"]:
        ids = [tx.value("SELECT id FROM app_user WHERE username = ?", [name]) for name in v["supervisors"]]
        caseload.set_supervisors(tx, actor.id, enrolment_id, ids, now, "roster")


def _organisation(tx: Transaction, name: str, region: str) -> int:
    found = tx.value("SELECT id FROM organisation WHERE name = ? ORDER BY id LIMIT 1", [name])
    if found is not None:
        return found
    return tx.value("INSERT INTO organisation (name, prefecture, region) VALUES (?, '', ?) RETURNING id",
                    [name, region or ""])


# -- quiz results ----------------------------------------------------------------------------------------------
def preview_quiz(db: Database, actor: Actor, data: bytes, filename: str, cohort_id: int) -> Preview:
    require_role(actor, "admin", db=db)
    return _plan_quiz(db, data, filename, cohort_id)


def commit_quiz(db: Database, actor: Actor, data: bytes, filename: str, cohort_id: int) -> CommitResult:
    """Write every result of the file in one transaction; a changed score is audited with its old value."""
    require_role(actor, "admin", db=db)
    preview = _plan_quiz(db, data, filename, cohort_id)
    require_committable(preview)

    def apply(tx: Transaction, plan: Preview) -> list:
        for row in plan.rows:
            v = row.values
            taken_at = _taken_at(v["taken_on"])
            if v["module_id"] is None:
                table, key_col, key = "test_attempt", "kind", OVERALL
            else:
                table, key_col, key = "quiz_attempt", "module_id", v["module_id"]
            if row.action == CREATED:
                tx.execute(f"INSERT INTO {table} (enrolment_id, {key_col}, attempt_no, score_pct, taken_at) "
                           "VALUES (?, ?, ?, ?, ?)", [v["enrolment_id"], key, v["attempt"], v["score"], taken_at])
            elif row.action == UPDATED:
                tx.execute(f"UPDATE {table} SET score_pct = ?, taken_at = ? "
                           f"WHERE enrolment_id = ? AND {key_col} = ? AND attempt_no = ?",
                           [v["score"], taken_at, v["enrolment_id"], key, v["attempt"]])
                audit(tx, actor.id, "import.quiz_score", table, v["enrolment_id"], v["before"],
                      {"module": v["module"], "attempt": v["attempt"], "score": v["score"],
                       "taken_on": v["taken_on"]}, plan.sha256)
        return []

    return _commit_as_previewed(db, actor, "quiz", filename, cohort_id, preview,
                                lambda tx: _plan_quiz(tx, data, filename, cohort_id), apply)


def _taken_at(day: date) -> datetime:
    """A result known only by its date is stored at noon Japan time of that date."""
    return datetime.combine(day, time(12), JST).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def _plan_quiz(reader, data: bytes, filename: str, cohort_id: int) -> Preview:
    stages = {stage: (start, end) for stage, start, end in reader.rows(
        "SELECT stage, starts_on, ends_on FROM cohort_stage WHERE cohort_id = ?", [cohort_id])}
    if not stages:
        raise NotFound()
    online = stages["online"]
    overall_window = (online[0], stages.get("task_setting", online)[1])
    modules = {seq: mid for mid, seq in reader.rows(
        "SELECT m.id, m.seq FROM module m JOIN cohort c ON c.programme_id = m.programme_id WHERE c.id = ?",
        [cohort_id])}
    table = read_table(data, filename)
    records, errors = QUIZ.map(table)
    header = QUIZ.headers_in(table)
    enrolments = dict(reader.rows(
        "SELECT u.username, e.id FROM enrolment e JOIN app_user u ON u.id = e.trainee_id WHERE e.cohort_id = ?",
        [cohort_id]))
    quiz_now = {(e, m, a): (s, d) for e, m, a, s, d in reader.rows(
        "SELECT q.enrolment_id, q.module_id, q.attempt_no, q.score_pct, CAST(q.taken_at + INTERVAL 9 HOUR AS DATE) "
        "FROM quiz_attempt q JOIN enrolment e ON e.id = q.enrolment_id WHERE e.cohort_id = ?", [cohort_id])}
    test_now = {(e, None, a): (s, d) for e, a, s, d in reader.rows(
        "SELECT t.enrolment_id, t.attempt_no, t.score_pct, CAST(t.taken_at + INTERVAL 9 HOUR AS DATE) "
        "FROM test_attempt t JOIN enrolment e ON e.id = t.enrolment_id WHERE e.cohort_id = ? AND t.kind = ?",
        [cohort_id, OVERALL])}
    keyed = []
    for record in records:
        module = _module_key(record.values["module"])
        keyed.append(Record(record.line, record.cells, {
            **record.values, "username": normalize_username(record.values["username"]),
            "module_key": "" if module is None else str(module)}))
    repeated = duplicates(keyed, ("username", "module_key", "attempt"))

    def decide(record: Record) -> PlannedRow:
        v = dict(record.values)
        problems = []

        def refuse(field, key, **params):
            problems.append(RowError(record.line, header[field], key, params))

        if record.line in repeated:
            refuse("username", "import.duplicate_attempt", first=repeated[record.line])
        enrolment_id = enrolments.get(v["username"])
        if enrolment_id is None:
            refuse("username", "quiz.unknown_trainee", username=v["username"])
        module = _module_key(v["module"])
        module_id = None
        if module is None or (module != OVERALL and module not in modules):
            refuse("module", "quiz.unknown_module", last=max(modules, default=0))
        elif module != OVERALL:
            module_id = modules[module]
        score = parse_number(v["score"])
        if score is None or not 0 <= score <= 100:
            refuse("score", "quiz.score_range", value=v["score"])
        attempt = parse_int(v["attempt"])
        if attempt is None or not 1 <= attempt <= MAX_ATTEMPT:
            refuse("attempt", "quiz.bad_attempt", value=v["attempt"], limit=MAX_ATTEMPT)
        taken_on = parse_date(v["taken_on"], serial_ok=table.from_xlsx)
        window = overall_window if module == OVERALL else online
        if taken_on is None:
            refuse("taken_on", "quiz.bad_date", value=v["taken_on"])
        elif not window[0] <= taken_on <= window[1]:
            refuse("taken_on", "quiz.outside_online", start=window[0].isoformat(), end=window[1].isoformat())
        shown = {"username": v["username"], "module": "総合" if module == OVERALL else module, "score": score,
                 "attempt": attempt, "taken_on": taken_on}
        if problems:
            return PlannedRow(record.line, REJECTED, {**shown, "module": v["module"]}, problems)
        score = round(score, 1)
        values = {**shown, "score": score, "enrolment_id": enrolment_id, "module_id": module_id}
        before = (test_now if module == OVERALL else quiz_now).get((enrolment_id, module_id, attempt))
        if before is None:
            return PlannedRow(record.line, CREATED, values)
        if abs(before[0] - score) < 1e-9 and before[1] == taken_on:
            return PlannedRow(record.line, UNCHANGED, values)
        values["before"] = {"score": before[0], "taken_on": before[1]}
        return PlannedRow(record.line, UPDATED, values)

    return build_preview("quiz", data, table, keyed, errors, decide)


def _module_key(text: str) -> int | str | None:
    text = (text or "").strip().lower()
    if text in OVERALL_WORDS:
        return OVERALL
    text = re.sub(r"^(module|モジュール|第)\s*", "", text).removesuffix("回")
    number = parse_int(text)
    return number if number is not None and number > 0 else None


def one_time_passwords_rows(result: CommitResult, language: str) -> list[list[str]]:
    """The office's copy of the new accounts' one-time passwords, header first (for a CSV download)."""
    header = ["ログインID", "氏名", "一時パスワード"] if language == "ja" else ["username", "name", "one-time password"]
    return [header, *[list(row) for row in result.passwords]]


def expected_quiz_window(db: Database, actor: Actor, cohort_id: int) -> tuple[date, date]:
    """The dates a module quiz may carry (the online stage), for the page to say before the upload."""
    require_role(actor, "admin", db=db)
    row = db.one("SELECT starts_on, ends_on FROM cohort_stage WHERE cohort_id = ? AND stage = 'online'", [cohort_id])
    if row is None:
        raise NotFound()
    return row[0], row[1]


def template_file(kind: str, language: str, fmt: str) -> bytes:
    """The template of an import as CSV (UTF-8 with BOM, opens in Japanese Excel) or XLSX, header and sample row."""
    rows = template_rows(kind, language)
    if fmt == "csv":
        return csv_bytes(pd.DataFrame(rows[1:], columns=rows[0]))
    book = Workbook()
    sheet = book.active
    sheet.title = kind
    for row in rows:
        sheet.append([safe_cell(cell) for cell in row])
    for column in sheet.columns:
        sheet.column_dimensions[column[0].column_letter].width = 22
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
