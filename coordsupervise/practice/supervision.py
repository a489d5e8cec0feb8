"""What a supervisor does with one trainee's reflection: read it (with context and earlier versions), answer in
the thread with a draft that survives reloads, use a personal comment bank, flag for follow-up, keep private
notes. Managers read all of it; only the assigned supervisor writes."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from ..access import Actor, require_active, require_enrolment_read, require_role
from ..clock import now_utc
from ..errors import AccessDenied, InvalidInput, NotFound, StaleWrite
from ..privacy import readlog
from ..store.db import Database, Transaction
from ..text.limits import check_length
from ..text.readings import searchable
from ..text.textdiff import DiffLine, line_diff
from . import reflections
from .reflections import REPLY_LIMIT, ReflectionBody

SEVERITIES = ("low", "medium", "high")
NOTE_LIMIT = 4000


@dataclass(frozen=True)
class ReadingView:
    reflection_id: int
    enrolment_id: int
    cohort_id: int
    trainee_name: str
    practice_date: object
    version: int
    late: bool
    submitted_at: datetime | None
    body: ReflectionBody
    read_version_before: int | None   # what this supervisor had read before opening it now
    thread_length: int
    version_saved_at: datetime | None  # when this version was submitted (submitted_at: the first version)
    trainee_id: int
    relation: frozenset[str]  # how the reader stands to the trainee (access.enrolment_relation): 'supervised' writes
    history: tuple[tuple[int, datetime, ReflectionBody], ...]  # every submitted version, oldest first (versions())


def _enrolment_of(db: Database, reflection_id: int) -> int:
    enrolment_id = db.value("SELECT enrolment_id FROM reflection WHERE id = ? AND status = 'submitted'",
                            [reflection_id])
    if enrolment_id is None:
        raise NotFound()
    return enrolment_id


def _require_supervisor_of(db: Database, actor: Actor, enrolment_id: int) -> None:
    if "supervised" not in require_enrolment_read(db, actor, enrolment_id):
        raise AccessDenied()


def open_reflection(db: Database, actor: Actor, reflection_id: int) -> ReadingView:
    """Everything the reading view shows about the reflection itself, and how the reader stands to it, after one
    access check: the inbox reruns on every click, and each read it asks for again checks access again."""
    enrolment_id = _enrolment_of(db, reflection_id)
    relation = require_enrolment_read(db, actor, enrolment_id)
    if not relation & {"supervised", "managed"}:
        raise AccessDenied()
    row = db.one("SELECT r.practice_date, r.version, r.late, r.submitted_at, e.cohort_id, u.display_name, "
                 "e.trainee_id, (SELECT read_version FROM reflection_read WHERE reflection_id = ? AND reader_id = ?), "
                 "(SELECT count(*) FROM feedback WHERE reflection_id = ?) "
                 "FROM reflection r JOIN enrolment e ON e.id = r.enrolment_id JOIN app_user u ON u.id = e.trainee_id "
                 "WHERE r.id = ?", [reflection_id, actor.id, reflection_id, reflection_id])
    day, version, late, submitted_at, cohort_id, name, trainee_id, read_before, length = row
    history = tuple(reflections.versions(db, actor, reflection_id))
    _, version_saved_at, body = history[-1]
    readlog.record(db, actor, relation, [reflection_id])
    return ReadingView(reflection_id, enrolment_id, cohort_id, name, day, version, late, submitted_at, body,
                       read_before, length, version_saved_at, trainee_id, frozenset(relation), history)


def mark_read(db: Database, actor: Actor, reflection_id: int) -> None:
    """Opening a reflection marks its current version read for this supervisor: the inbox's unread marker.
    Every reader, managers included, is also in the privacy read log (readlog.py, written by open_reflection)."""
    enrolment_id = _enrolment_of(db, reflection_id)
    _require_supervisor_of(db, actor, enrolment_id)
    db.write(lambda tx: tx.execute(
        "INSERT INTO reflection_read (reflection_id, reader_id, read_version, read_at) "
        "SELECT id, ?, version, ? FROM reflection WHERE id = ? ON CONFLICT (reflection_id, reader_id) "
        "DO UPDATE SET read_version = excluded.read_version, read_at = excluded.read_at",
        [actor.id, now_utc(), reflection_id]))


def mark_unread(db: Database, actor: Actor, reflection_id: int) -> None:
    """Put a reflection back among this supervisor's unread ones (opened by mistake, or kept for later): their read
    receipt goes, so the inbox counts it unread and the trainee no longer sees it as read by them."""
    enrolment_id = _enrolment_of(db, reflection_id)
    _require_supervisor_of(db, actor, enrolment_id)
    db.write(lambda tx: tx.execute("DELETE FROM reflection_read WHERE reflection_id = ? AND reader_id = ?",
                                   [reflection_id, actor.id]))


def previous_days(db: Database, actor: Actor, reflection_id: int, count: int = 3) -> list[dict]:
    """The trainee's few submitted reflections before this one, for context beside it."""
    enrolment_id = _enrolment_of(db, reflection_id)
    relation = require_enrolment_read(db, actor, enrolment_id)
    rows = db.dicts(
        "SELECT r.id, r.practice_date, r.goal, r.event, r.insight, r.try_text, r.self_rating FROM reflection r "
        "WHERE r.enrolment_id = ? AND r.status = 'submitted' AND r.practice_date < "
        "(SELECT practice_date FROM reflection WHERE id = ?) ORDER BY r.practice_date DESC LIMIT ?",
        [enrolment_id, reflection_id, count])
    readlog.record(db, actor, relation, [r["id"] for r in rows])
    return rows


def version_diff(old: ReflectionBody, new: ReflectionBody) -> list[tuple[str, list[DiffLine]]]:
    """Per text field that changed: what changed from `old` to `new`, line by line and, in a rewritten line,
    character by character (textdiff.line_diff)."""
    changes = [(name, line_diff(getattr(old, name), getattr(new, name))) for name in reflections.TEXT_LIMITS]
    return [(name, lines) for name, lines in changes if lines]


# -- replies with a draft that survives ---------------------------------------------------------------------------
def _reply_key(reflection_id: int) -> str:
    return f"reply:{reflection_id}"


def save_reply_draft(db: Database, actor: Actor, reflection_id: int, text: str, seen_version: int,
                     seen_thread_length: int) -> None:
    enrolment_id = _enrolment_of(db, reflection_id)
    _require_supervisor_of(db, actor, enrolment_id)
    if len(text) > REPLY_LIMIT:
        raise InvalidInput("reflection.reply_too_long", limit=REPLY_LIMIT, actual=len(text))
    payload = json.dumps({"text": text, "seen_thread_length": seen_thread_length}, ensure_ascii=False)
    db.write(lambda tx: tx.execute(
        "INSERT INTO draft (owner_id, draft_key, body_json, base_version, updated_at) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (owner_id, draft_key) DO UPDATE SET body_json = excluded.body_json, "
        "base_version = excluded.base_version, updated_at = excluded.updated_at",
        [actor.id, _reply_key(reflection_id), payload, seen_version, now_utc()]))


def reply_draft(db: Database, actor: Actor, reflection_id: int) -> str:
    require_active(db, actor)
    row = db.one("SELECT body_json FROM draft WHERE owner_id = ? AND draft_key = ?",
                 [actor.id, _reply_key(reflection_id)])
    return json.loads(row[0])["text"] if row else ""


def send_reply(db: Database, actor: Actor, reflection_id: int, text: str, seen_version: int,
               seen_thread_length: int) -> int:
    """Post the reply, unless the trainee revised the reflection or the thread moved since the supervisor looked:
    then StaleWrite, and the text stays as a draft to send after a look at what changed."""
    enrolment_id = _enrolment_of(db, reflection_id)
    _require_supervisor_of(db, actor, enrolment_id)
    body = (text or "").strip()
    if not body:
        raise InvalidInput("reflection.reply_empty")
    if len(body) > REPLY_LIMIT:
        raise InvalidInput("reflection.reply_too_long", limit=REPLY_LIMIT, actual=len(body))
    save_reply_draft(db, actor, reflection_id, text, seen_version, seen_thread_length)

    def run(tx: Transaction) -> int:
        version = tx.value("SELECT version FROM reflection WHERE id = ?", [reflection_id])
        length = tx.value("SELECT count(*) FROM feedback WHERE reflection_id = ?", [reflection_id])
        if version != seen_version:
            raise StaleWrite("inbox.stale_revised")
        if length != seen_thread_length:
            raise StaleWrite("inbox.stale_thread")
        feedback_id = tx.value(
            "INSERT INTO feedback (reflection_id, author_id, body_md, created_at, search_text) "
            "VALUES (?, ?, ?, ?, ?) RETURNING id", [reflection_id, actor.id, body, now_utc(), searchable(body)])
        tx.execute("DELETE FROM draft WHERE owner_id = ? AND draft_key = ?", [actor.id, _reply_key(reflection_id)])
        return feedback_id

    try:
        return db.write(run)
    except StaleWrite:
        # the same supervisor in another tab (maybe on another app process) may have sent meanwhile, and sending
        # deletes the supervisor's reply draft: save this text again so the refusal never loses it
        save_reply_draft(db, actor, reflection_id, text, seen_version, seen_thread_length)
        raise


# -- comment bank ---------------------------------------------------------------------------------------------------
def comment_bank(db: Database, actor: Actor) -> list[dict]:
    require_role(actor, "supervisor", db=db)
    return db.dicts("SELECT id, title, body_md, updated_at FROM comment_bank WHERE owner_id = ? ORDER BY title",
                    [actor.id])


def save_comment(db: Database, actor: Actor, title: str, body_md: str, comment_id: int | None = None) -> int:
    require_role(actor, "supervisor", db=db)
    title, body_md = (title or "").strip(), (body_md or "").strip()
    if not title or not body_md:
        raise InvalidInput("bank.required")
    if len(title) > 80 or len(body_md) > REPLY_LIMIT:
        raise InvalidInput("bank.too_long")

    def run(tx: Transaction) -> int:
        if comment_id is None:
            return tx.value("INSERT INTO comment_bank (owner_id, title, body_md, updated_at) VALUES (?, ?, ?, ?) "
                            "RETURNING id", [actor.id, title, body_md, now_utc()])
        owner = tx.value("SELECT owner_id FROM comment_bank WHERE id = ?", [comment_id])
        if owner != actor.id:
            raise AccessDenied()
        tx.execute("UPDATE comment_bank SET title = ?, body_md = ?, updated_at = ? WHERE id = ?",
                   [title, body_md, now_utc(), comment_id])
        return comment_id

    return db.write(run)


def delete_comment(db: Database, actor: Actor, comment_id: int) -> None:
    require_role(actor, "supervisor", db=db)

    def run(tx: Transaction):
        if tx.value("SELECT owner_id FROM comment_bank WHERE id = ?", [comment_id]) != actor.id:
            raise AccessDenied()
        tx.execute("DELETE FROM comment_bank WHERE id = ?", [comment_id])

    db.write(run)


# -- flags and private notes --------------------------------------------------------------------------------------
# What a supervisor is still typing into a note or a flag, kept per person in the draft table so a reload, a closed
# lid or a dropped connection loses nothing: a private note or a flag's reason on one trainee (item: the enrolment),
# a flag's resolution (item: the flag).
TEXT_DRAFTS = ("note", "flag", "flag_resolution")


def _text_draft_key(kind: str, item_id: int) -> str:
    if kind not in TEXT_DRAFTS:
        raise ValueError(kind)
    return f"{kind}:{int(item_id)}"


def keep_text_draft(db: Database, actor: Actor, kind: str, item_id: int, text: str) -> None:
    """Remember the text as typed (an empty box forgets it). Only the person who may write the note or flag keeps
    a draft of it."""
    key = _text_draft_key(kind, item_id)
    enrolment_id = db.value("SELECT enrolment_id FROM flag WHERE id = ?", [item_id]) \
        if kind == "flag_resolution" else item_id
    if enrolment_id is None:
        raise NotFound()
    _require_supervisor_of(db, actor, enrolment_id)
    text = text or ""
    if len(text) > NOTE_LIMIT:
        raise InvalidInput("note.too_long", limit=NOTE_LIMIT)
    if not text.strip():
        db.write(lambda tx: _forget_text_draft(tx, actor, kind, item_id))
        return
    db.write(lambda tx: tx.execute(
        "INSERT INTO draft (owner_id, draft_key, body_json, base_version, updated_at) VALUES (?, ?, ?, 0, ?) "
        "ON CONFLICT (owner_id, draft_key) DO UPDATE SET body_json = excluded.body_json, "
        "updated_at = excluded.updated_at",
        [actor.id, key, json.dumps({"text": text}, ensure_ascii=False), now_utc()]))


def text_draft(db: Database, actor: Actor, kind: str, item_id: int) -> str:
    """This person's unsent text of a note or flag ('' when there is none): read from their own drafts only."""
    require_active(db, actor)
    row = db.one("SELECT body_json FROM draft WHERE owner_id = ? AND draft_key = ?",
                 [actor.id, _text_draft_key(kind, item_id)])
    return json.loads(row[0])["text"] if row else ""


def _forget_text_draft(tx: Transaction, actor: Actor, kind: str, item_id: int) -> None:
    tx.execute("DELETE FROM draft WHERE owner_id = ? AND draft_key = ?", [actor.id, _text_draft_key(kind, item_id)])


def raise_flag(db: Database, actor: Actor, enrolment_id: int, severity: str, reason: str,
               reflection_id: int | None = None) -> int:
    _require_supervisor_of(db, actor, enrolment_id)
    if severity not in SEVERITIES:
        raise InvalidInput("flag.severity")
    if not (reason or "").strip():
        raise InvalidInput("flag.reason_required")
    check_length(reason, NOTE_LIMIT)
    if reflection_id is not None and _enrolment_of(db, reflection_id) != enrolment_id:
        raise NotFound()

    def run(tx: Transaction) -> int:
        _forget_text_draft(tx, actor, "flag", enrolment_id)
        return tx.value("INSERT INTO flag (enrolment_id, reflection_id, raised_by, severity, reason, raised_at) "
                        "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                        [enrolment_id, reflection_id, actor.id, severity, reason.strip()[:NOTE_LIMIT], now_utc()])

    return db.write(run)


def resolve_flag(db: Database, actor: Actor, flag_id: int, note: str) -> None:
    enrolment_id = db.value("SELECT enrolment_id FROM flag WHERE id = ?", [flag_id])
    if enrolment_id is None:
        raise NotFound()
    _require_supervisor_of(db, actor, enrolment_id)
    if not (note or "").strip():
        raise InvalidInput("flag.note_required")
    check_length(note, NOTE_LIMIT)

    def run(tx: Transaction):
        if tx.value("SELECT resolved_at FROM flag WHERE id = ?", [flag_id]) is not None:
            raise StaleWrite("flag.already_resolved")
        tx.execute("UPDATE flag SET resolved_by = ?, resolved_at = ?, resolution_note = ? WHERE id = ?",
                   [actor.id, now_utc(), note.strip()[:NOTE_LIMIT], flag_id])
        _forget_text_draft(tx, actor, "flag_resolution", flag_id)

    db.write(run)


def flags(db: Database, actor: Actor, enrolment_id: int, include_resolved: bool = True) -> list[dict]:
    """Flags of one trainee: staff only (trainees never see flags)."""
    relation = require_enrolment_read(db, actor, enrolment_id)
    if not relation & {"supervised", "managed"}:
        raise AccessDenied()
    return db.dicts(
        "SELECT f.id, f.reflection_id, f.severity, f.reason, f.raised_at, u.display_name AS raised_by, "
        "f.resolved_at, f.resolution_note, v.display_name AS resolved_by FROM flag f "
        "JOIN app_user u ON u.id = f.raised_by LEFT JOIN app_user v ON v.id = f.resolved_by "
        "WHERE f.enrolment_id = ? AND (? OR f.resolved_at IS NULL) ORDER BY f.resolved_at NULLS FIRST, "
        "f.raised_at DESC", [enrolment_id, include_resolved])


def add_note(db: Database, actor: Actor, enrolment_id: int, body_md: str) -> int:
    _require_supervisor_of(db, actor, enrolment_id)
    text = (body_md or "").strip()
    if not text:
        raise InvalidInput("note.required")
    if len(text) > NOTE_LIMIT:
        raise InvalidInput("note.too_long", limit=NOTE_LIMIT)

    def run(tx: Transaction) -> int:
        _forget_text_draft(tx, actor, "note", enrolment_id)
        return tx.value("INSERT INTO private_note (enrolment_id, author_id, body_md, created_at) VALUES (?, ?, ?, ?) "
                        "RETURNING id", [enrolment_id, actor.id, text, now_utc()])

    return db.write(run)


def notes(db: Database, actor: Actor, enrolment_id: int) -> list[dict]:
    """The supervisors' private notes on a trainee: staff only."""
    relation = require_enrolment_read(db, actor, enrolment_id)
    if not relation & {"supervised", "managed"}:
        raise AccessDenied()
    return db.dicts("SELECT n.id, n.body_md, n.created_at, u.display_name AS author FROM private_note n "
                    "JOIN app_user u ON u.id = n.author_id WHERE n.enrolment_id = ? ORDER BY n.created_at DESC",
                    [enrolment_id])


def timeline(db: Database, actor: Actor, enrolment_id: int, limit: int = 10, offset: int = 0) -> tuple[list[dict], int]:
    """Submitted reflections of one trainee, newest first, a page at a time, with their competency tags and the size
    of each thread."""
    relation = require_enrolment_read(db, actor, enrolment_id)
    if not relation & {"supervised", "managed"}:
        raise AccessDenied()
    total = db.value("SELECT count(*) FROM reflection WHERE enrolment_id = ? AND status = 'submitted'",
                     [enrolment_id])
    rows = db.dicts(
        "SELECT r.id, r.practice_date, r.version, r.late, r.goal, r.event, r.insight, r.try_text, r.self_rating, "
        "(SELECT list(rc.competency ORDER BY rc.competency) FROM reflection_competency rc "
        "  WHERE rc.reflection_id = r.id) AS competencies, "
        "(SELECT count(*) FROM feedback f WHERE f.reflection_id = r.id) AS messages FROM reflection r "
        "WHERE r.enrolment_id = ? AND r.status = 'submitted' ORDER BY r.practice_date DESC LIMIT ? OFFSET ?",
        [enrolment_id, limit, offset])
    readlog.record(db, actor, relation, [r["id"] for r in rows])
    return rows, total
