"""Practical-stage assignments (課題): what is due, submissions with versions and attachments, released scores.

A submission row is one version. The trainee works on the newest version while it is a draft; submitting locks
it. When the supervisor requests a revision, the next save starts a new version (text and attachments carried
over), so every earlier version stays as it was submitted. Scores are visible to the trainee only once released."""
from __future__ import annotations

import hashlib
import io
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from ..access import Actor, require_enrolment_read
from ..clock import now_utc
from ..errors import AccessDenied, InvalidInput, NotFound, StaleWrite
from ..privacy import guard as privacy
from ..privacy.guard import PrivacyFindings
from ..programme.auth import audit
from ..programme.enrolments import Enrolment
from ..store.db import Database, Transaction

JST = ZoneInfo("Asia/Tokyo")
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 10
BODY_LIMIT = 20000
ALLOWED_TYPES = {
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "image/png": ".png",
    "image/jpeg": ".jpg",
}


@dataclass(frozen=True)
class AssignmentRow:
    id: int
    seq: int
    code: str
    title_ja: str
    title_en: str
    kind: str
    due_on: date
    rubric_id: int | None
    certification_critical: bool
    version: int | None
    submission_status: str | None
    submitted_at: datetime | None
    late: bool
    state: str  # not_started | draft | submitted | revision_requested | scored | approved | overdue


def sniff_media_type(data: bytes) -> str | None:
    """The file's real type from its content, never from its name. DOCX and XLSX are ZIP files with a known part."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except zipfile.BadZipFile:
            return None
        if "[Content_Types].xml" in names and "word/document.xml" in names:
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return None


def display_filename(name: str) -> str:
    """A name safe to show and to offer for download: no folders, no control characters, bounded length."""
    base = unicodedata.normalize("NFC", (name or "").replace("\\", "/").split("/")[-1])
    cleaned = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip().lstrip(".")
    return (cleaned or "attachment")[:120]


# the id of the rubric version in force for assignment `a` (see migration 004: assignment.rubric_version)
EFFECTIVE_RUBRIC = ("coalesce((SELECT v.id FROM rubric base JOIN rubric v ON v.programme_id = base.programme_id "
                    "AND v.code = base.code AND v.version = a.rubric_version WHERE base.id = a.rubric_id), "
                    "a.rubric_id)")


def due_cutoff(due_on: date) -> datetime:
    return datetime.combine(due_on, time(23, 59, 59), JST).astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def _require_own(db: Database, actor: Actor, enrolment: Enrolment) -> None:
    if "own" not in require_enrolment_read(db, actor, enrolment.id):
        raise AccessDenied()


def _state(status: str | None, due_on: date, today: date) -> str:
    if status is None:
        return "overdue" if today > due_on else "not_started"
    return status


def for_enrolment(db: Database, actor: Actor, enrolment: Enrolment, today: date) -> list[AssignmentRow]:
    """The cohort's assignments with the newest submission of this enrolment."""
    require_enrolment_read(db, actor, enrolment.id)
    rows = db.rows(
        "SELECT a.id, a.seq, a.code, a.title_ja, a.title_en, a.kind, a.due_on, " + EFFECTIVE_RUBRIC + ", "
        "a.certification_critical, "
        "s.version, s.status, s.submitted_at, coalesce(s.late, FALSE) FROM assignment a "
        "LEFT JOIN submission s ON s.assignment_id = a.id AND s.enrolment_id = ? AND s.version = "
        "(SELECT max(x.version) FROM submission x WHERE x.assignment_id = a.id AND x.enrolment_id = ?) "
        "WHERE a.cohort_id = ? ORDER BY a.seq", [enrolment.id, enrolment.id, enrolment.cohort_id])
    return [AssignmentRow(*row, _state(row[10], row[6], today)) for row in rows]


def rubric(db: Database, rubric_id: int) -> list[dict]:
    """Criteria of a rubric with their four level descriptors (public within the programme)."""
    criteria = db.dicts("SELECT id, seq, competency, title_ja, title_en, weight FROM rubric_criterion "
                        "WHERE rubric_id = ? ORDER BY seq", [rubric_id])
    levels = db.rows("SELECT l.criterion_id, l.level, l.descriptor_ja, l.descriptor_en FROM rubric_level l "
                     "JOIN rubric_criterion c ON c.id = l.criterion_id WHERE c.rubric_id = ? ORDER BY l.level DESC",
                     [rubric_id])
    for criterion in criteria:
        criterion["levels"] = [(lvl, ja, en) for cid, lvl, ja, en in levels if cid == criterion["id"]]
    return criteria


def _assignment(db: Database, enrolment: Enrolment, assignment_id: int) -> tuple:
    row = db.one("SELECT id, kind, due_on FROM assignment WHERE id = ? AND cohort_id = ?",
                 [assignment_id, enrolment.cohort_id])
    if row is None:
        raise NotFound()
    return row


def submissions(db: Database, actor: Actor, enrolment: Enrolment, assignment_id: int) -> list[dict]:
    """Every version of this enrolment's work on the assignment, newest first, with attachment metadata. Only the
    trainee sees a version still in draft."""
    own = "own" in require_enrolment_read(db, actor, enrolment.id)
    _assignment(db, enrolment, assignment_id)
    subs = db.dicts("SELECT id, version, body_md, status, submitted_at, late, updated_at FROM submission "
                    "WHERE assignment_id = ? AND enrolment_id = ? AND (? OR status <> 'draft') ORDER BY version DESC",
                    [assignment_id, enrolment.id, own])
    for sub in subs:
        sub["attachments"] = db.dicts(
            "SELECT id, filename, media_type, size_bytes, sha256, uploaded_at FROM attachment "
            "WHERE submission_id = ? ORDER BY id", [sub["id"]])
    return subs


def _working_version(tx: Transaction, enrolment_id: int, assignment_id: int, now: datetime) -> int:
    """The id of the draft the trainee edits, creating it (as the next version) when there is none."""
    latest = tx.one("SELECT id, version, status, body_md FROM submission WHERE assignment_id = ? AND "
                    "enrolment_id = ? ORDER BY version DESC LIMIT 1", [assignment_id, enrolment_id])
    if latest is not None and latest[2] == "draft":
        return latest[0]
    if latest is not None and latest[2] != "revision_requested":
        raise InvalidInput("assignment.locked")
    new_id = tx.value(
        "INSERT INTO submission (assignment_id, enrolment_id, version, body_md, status, updated_at) "
        "VALUES (?, ?, ?, ?, 'draft', ?) RETURNING id",
        [assignment_id, enrolment_id, (latest[1] + 1) if latest else 1, latest[3] if latest else "", now])
    if latest is not None:  # a revision starts from what was submitted, attachments included
        tx.execute("INSERT INTO attachment (submission_id, filename, media_type, size_bytes, sha256, content, "
                   "uploaded_at) SELECT ?, filename, media_type, size_bytes, sha256, content, uploaded_at "
                   "FROM attachment WHERE submission_id = ?", [new_id, latest[0]])
    return new_id


def save_draft(db: Database, actor: Actor, enrolment: Enrolment, assignment_id: int, body_md: str) -> datetime:
    _require_own(db, actor, enrolment)
    _assignment(db, enrolment, assignment_id)
    if len(body_md) > BODY_LIMIT:
        raise InvalidInput("assignment.too_long", limit=BODY_LIMIT, actual=len(body_md))
    now = now_utc()

    def run(tx: Transaction):
        sid = _working_version(tx, enrolment.id, assignment_id, now)
        tx.execute("UPDATE submission SET body_md = ?, updated_at = ? WHERE id = ?", [body_md, now, sid])

    db.write(run)
    return now


def add_attachment(db: Database, actor: Actor, enrolment: Enrolment, assignment_id: int, filename: str,
                   data: bytes) -> int:
    _require_own(db, actor, enrolment)
    _assignment(db, enrolment, assignment_id)
    if len(data) > MAX_ATTACHMENT_BYTES:
        raise InvalidInput("assignment.file_too_big", limit_mb=MAX_ATTACHMENT_BYTES // (1024 * 1024))
    if not data:
        raise InvalidInput("assignment.file_empty")
    media_type = sniff_media_type(data)
    if media_type is None:
        raise InvalidInput("assignment.file_type", name=display_filename(filename))
    digest = hashlib.sha256(data).hexdigest()
    now = now_utc()

    def run(tx: Transaction) -> int:
        sid = _working_version(tx, enrolment.id, assignment_id, now)
        if tx.value("SELECT count(*) FROM attachment WHERE submission_id = ?", [sid]) >= MAX_ATTACHMENTS:
            raise InvalidInput("assignment.too_many_files", limit=MAX_ATTACHMENTS)
        return tx.value("INSERT INTO attachment (submission_id, filename, media_type, size_bytes, sha256, content, "
                        "uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                        [sid, display_filename(filename), media_type, len(data), digest, data, now])

    return db.write(run)


def remove_attachment(db: Database, actor: Actor, enrolment: Enrolment, attachment_id: int) -> None:
    _require_own(db, actor, enrolment)

    def run(tx: Transaction):
        row = tx.one("SELECT s.status FROM attachment a JOIN submission s ON s.id = a.submission_id "
                     "WHERE a.id = ? AND s.enrolment_id = ?", [attachment_id, enrolment.id])
        if row is None:
            raise NotFound()
        if row[0] != "draft":
            raise InvalidInput("assignment.locked")
        tx.execute("DELETE FROM attachment WHERE id = ?", [attachment_id])

    db.write(run)


def submit(db: Database, actor: Actor, enrolment: Enrolment, assignment_id: int, version: int,
           now: datetime | None = None, confirmed: set[tuple[str, str]] = frozenset()) -> None:
    """Lock the draft `version` as submitted. Late after the due day's 23:59 JST: marked, never refused.
    Like a reflection, the text waits while it looks like a client's identifiers until each span is edited away or
    confirmed (the confirmation goes to the audit log)."""
    _require_own(db, actor, enrolment)
    _, _kind, due_on = _assignment(db, enrolment, assignment_id)
    now = now or now_utc()
    body = db.value("SELECT body_md FROM submission WHERE assignment_id = ? AND enrolment_id = ? AND version = ?",
                    [assignment_id, enrolment.id, version]) or ""
    findings = privacy.scan_text(body, "body")
    pending = privacy.unconfirmed(findings, set(confirmed))
    if pending:
        raise PrivacyFindings(pending)

    def run(tx: Transaction):
        row = tx.one("SELECT id, version, status, body_md FROM submission WHERE assignment_id = ? AND "
                     "enrolment_id = ? ORDER BY version DESC LIMIT 1", [assignment_id, enrolment.id])
        if row is None or row[2] != "draft" or row[1] != version:
            raise StaleWrite("assignment.stale")
        if not row[3].strip() and not tx.value("SELECT count(*) FROM attachment WHERE submission_id = ?", [row[0]]):
            raise InvalidInput("assignment.empty")
        tx.execute("UPDATE submission SET status = 'submitted', submitted_at = ?, late = ?, updated_at = ? "
                   "WHERE id = ?", [now, now > due_cutoff(due_on), now, row[0]])
        if findings:
            audit(tx, actor.id, "submission.privacy_confirmed", "submission", row[0], None,
                  privacy.audit_record(findings, {"body": body}))

    db.write(run)


def attachment_content(db: Database, actor: Actor, attachment_id: int) -> tuple[str, str, bytes]:
    """(filename, media type, bytes) for a download, after the same check as reading the submission."""
    row = db.one("SELECT s.enrolment_id, s.status, a.filename, a.media_type, a.content FROM attachment a "
                 "JOIN submission s ON s.id = a.submission_id WHERE a.id = ?", [attachment_id])
    if row is None:
        raise NotFound()
    relation = require_enrolment_read(db, actor, row[0])
    if row[1] == "draft" and "own" not in relation:
        raise AccessDenied()  # a draft's files are the trainee's until submitted
    return row[2], row[3], bytes(row[4])


@dataclass(frozen=True)
class ReleasedScore:
    submission_id: int
    version: int
    overall_comment: str
    released_at: datetime
    criteria: list[dict]  # competency, title_ja, title_en, weight, level, comment
    weighted_level: float


def released_score(db: Database, actor: Actor, enrolment: Enrolment, assignment_id: int) -> ReleasedScore | None:
    """The newest released score of this enrolment's work on the assignment. Drafts of scores never leave here."""
    require_enrolment_read(db, actor, enrolment.id)
    row = db.one("SELECT sc.id, s.id, s.version, sc.overall_comment, sc.released_at FROM score sc "
                 "JOIN submission s ON s.id = sc.submission_id WHERE s.assignment_id = ? AND s.enrolment_id = ? "
                 "AND sc.status = 'released' ORDER BY s.version DESC LIMIT 1", [assignment_id, enrolment.id])
    if row is None:
        return None
    score_id, submission_id, version, comment, released_at = row
    criteria = db.dicts("SELECT c.competency, c.title_ja, c.title_en, c.weight, x.level, x.comment "
                        "FROM score_criterion x JOIN rubric_criterion c ON c.id = x.criterion_id "
                        "WHERE x.score_id = ? ORDER BY c.seq", [score_id])
    total_weight = sum(c["weight"] for c in criteria) or 1
    weighted = sum(c["level"] * c["weight"] for c in criteria) / total_weight
    return ReleasedScore(submission_id, version, comment, released_at, criteria, round(weighted, 2))


def revision_request(db: Database, actor: Actor, enrolment: Enrolment, assignment_id: int) -> dict | None:
    """The supervisor's comments on the newest version returned for revision (a revision request is a score
    with status 'returned'): what the trainee works from while revising. None when nothing was returned."""
    require_enrolment_read(db, actor, enrolment.id)
    row = db.one("SELECT sc.id, s.version, sc.overall_comment, sc.released_at FROM score sc "
                 "JOIN submission s ON s.id = sc.submission_id WHERE s.assignment_id = ? AND s.enrolment_id = ? "
                 "AND sc.status = 'returned' ORDER BY s.version DESC LIMIT 1", [assignment_id, enrolment.id])
    if row is None:
        return None
    criteria = db.dicts("SELECT c.competency, c.title_ja, c.title_en, x.level, x.comment FROM score_criterion x "
                        "JOIN rubric_criterion c ON c.id = x.criterion_id WHERE x.score_id = ? ORDER BY c.seq",
                        [row[0]])
    return {"version": row[1], "overall_comment": row[2], "returned_at": row[3], "criteria": criteria}
