"""Daily reflections (日々の振り返り): drafts that are never lost, versioned submissions, the late rule, days off,
the privacy guard and the feedback thread.

Where the text lives:
- before the first submit, the reflection row itself (status 'draft', version 0) holds the draft;
- after a submit, the row holds the submitted version, and edits in progress wait in `draft`
  (key `reflection:<id>`) until they are submitted as the next version. Every submitted version is frozen in
  `reflection_version`; a supervisor who read version 2 can compare it with version 3.
"""
from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..access import Actor, require_enrolment_read
from ..clock import now_utc
from ..errors import AccessDenied, InvalidInput, NotFound, StaleWrite
from ..privacy import guard as privacy
from ..privacy.guard import PrivacyFindings
from ..programme.auth import audit
from ..programme.cohorts import days_off
from ..programme.enrolments import Enrolment
from ..store.db import Database, Transaction
from ..text.readings import searchable
from ..text.textnorm import search_key

JST = ZoneInfo("Asia/Tokyo")
UTC = ZoneInfo("UTC")
TEXT_LIMITS = {"goal": 500, "case_fields": 300, "event": 4000, "feelings": 4000, "keep_text": 4000,
               "problem": 4000, "analysis": 4000, "insight": 4000, "try_text": 4000}
REPLY_LIMIT = 4000
REQUIRED = ("event", "try_text")
DAY_OFF_REASONS = ("holiday", "training", "sick", "other")
COMPETENCY_CODES = ("C1", "C2", "C3", "C4")


@dataclass
class ReflectionBody:
    """The template of domain.md, as the trainee fills it in."""

    goal: str = ""
    competencies: list[str] = field(default_factory=list)
    case_count: int = 0
    case_fields: str = ""
    event: str = ""
    feelings: str = ""
    keep_text: str = ""
    problem: str = ""
    analysis: str = ""
    module_ids: list[int] = field(default_factory=list)
    insight: str = ""
    try_text: str = ""
    self_rating: int | None = None

    def is_blank(self) -> bool:
        return not any(v.strip() for v in self.texts().values()) and not self.competencies and \
            not self.module_ids and not self.case_count and self.self_rating is None

    def texts(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in TEXT_LIMITS}

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> ReflectionBody:
        data = json.loads(text)
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass(frozen=True)
class DayView:
    """One practice day as the trainee opens it."""

    day: date
    expected: bool
    off_reason: str | None
    reflection_id: int | None
    status: str               # none | draft | submitted
    version: int              # submitted versions so far (0 before the first submit)
    late: bool
    submitted_at: datetime | None
    body: ReflectionBody
    pending_edit: bool        # a submitted reflection with unsent edits
    read_version: int | None  # the version a supervisor last read, if any
    draft_saved_at: datetime | None
    version_saved_at: datetime | None = None  # when the current version was submitted (submitted_at: the first)


# -- rules --------------------------------------------------------------------------------------------------------
def cutoff(day: date, cutoff_days: int) -> datetime:
    """The last moment (naive UTC) a reflection for `day` counts as on time: day + N at 23:59:59 JST."""
    local = datetime.combine(day + timedelta(days=cutoff_days), time(23, 59, 59), JST)
    return local.astimezone(UTC).replace(tzinfo=None)


def validate(body: ReflectionBody, *, for_submit: bool) -> None:
    for name, limit in TEXT_LIMITS.items():
        size = len(getattr(body, name))
        if size > limit:
            raise InvalidInput("reflection.too_long", field=f"reflection.field.{name}", limit=limit, actual=size)
    if not 0 <= int(body.case_count or 0) <= 200:
        raise InvalidInput("reflection.case_count_range")
    if any(c not in COMPETENCY_CODES for c in body.competencies):
        raise InvalidInput("reflection.unknown_competency")
    if body.self_rating is not None and body.self_rating not in (1, 2, 3, 4):
        raise InvalidInput("reflection.self_rating_range")
    if for_submit:
        missing = missing_required(body)
        if missing:  # every gap at once, so the page can mark each field in one go
            raise InvalidInput("reflection.required_all", count=len(missing), missing=missing)


def missing_required(body: ReflectionBody) -> tuple[str, ...]:
    """The required fields still empty, in the order of the template."""
    empty = [name for name in REQUIRED if not getattr(body, name).strip()]
    if body.self_rating is None:
        empty.append("self_rating")
    return tuple(empty)


def _require_own(db: Database, actor: Actor, enrolment: Enrolment) -> None:
    if "own" not in require_enrolment_read(db, actor, enrolment.id):
        raise AccessDenied()


def _require_practice_day(enrolment: Enrolment, day: date, today: date) -> None:
    start, end = enrolment.practical
    if not start <= day <= end:
        raise InvalidInput("reflection.outside_practical", start=start.isoformat(), end=end.isoformat())
    if day > today:
        raise InvalidInput("reflection.future_day")


# -- reading ------------------------------------------------------------------------------------------------------
def calendar(db: Database, actor: Actor, enrolment: Enrolment, today: date) -> dict[date, str]:
    """Status of every day of the practical stage: submitted, late, draft, missing, off, open (today, not yet
    written), future, weekend, extra (submitted on a weekend or a day off, not counted)."""
    require_enrolment_read(db, actor, enrolment.id)
    start, end = enrolment.practical
    rows = {d: (status, late) for d, status, late in db.rows(
        "SELECT practice_date, status, late FROM reflection WHERE enrolment_id = ?", [enrolment.id])}
    off = {d for (d,) in db.rows("SELECT day FROM day_off WHERE enrolment_id = ?", [enrolment.id])}
    off |= set(days_off(db, start, end))  # public holidays and the programme's days off
    now = now_utc()
    out: dict[date, str] = {}
    d = start
    while d <= end:
        status, late = rows.get(d, (None, False))
        if status == "submitted" and (d in off or d.weekday() >= 5):
            out[d] = "extra"  # written on a day nothing was expected: welcome, but not counted
        elif status == "submitted":
            out[d] = "late" if late else "submitted"
        elif d in off:
            out[d] = "off"
        elif d.weekday() >= 5:
            out[d] = "weekend" if status is None else "draft"
        elif d > today:
            out[d] = "future"
        elif status == "draft":
            out[d] = "draft"
        elif now <= cutoff(d, enrolment.reflection_cutoff_days):
            out[d] = "open"
        else:
            out[d] = "missing"
        d += timedelta(days=1)
    return out


def default_day(db: Database, actor: Actor, enrolment: Enrolment, today: date) -> date:
    """The day the page opens on: where the trainee left off (the day of their most recently saved, still
    unsubmitted text), otherwise today, or the last working day before it (not a weekend or a day off), kept within
    the practical stage."""
    _require_own(db, actor, enrolment)
    start, end = enrolment.practical
    left_off = db.value(
        "SELECT day FROM (SELECT r.practice_date AS day, r.updated_at AS saved_at FROM reflection r "
        "  WHERE r.enrolment_id = ? AND r.status = 'draft' "
        "  UNION ALL SELECT r.practice_date, d.updated_at FROM draft d JOIN reflection r "
        "  ON d.draft_key = 'reflection:' || CAST(r.id AS VARCHAR) WHERE d.owner_id = ? AND r.enrolment_id = ?) x "
        "ORDER BY saved_at DESC LIMIT 1", [enrolment.id, actor.id, enrolment.id])
    if left_off is not None:
        return min(max(left_off, start), min(end, today))
    day = min(max(today, start), min(end, today))
    off = {d for (d,) in db.rows("SELECT day FROM day_off WHERE enrolment_id = ?", [enrolment.id])}
    off |= set(days_off(db, start, day))
    while (day.weekday() >= 5 or day in off) and day > start:  # a Saturday evening opens Friday
        day -= timedelta(days=1)
    return day


def open_day(db: Database, actor: Actor, enrolment: Enrolment, day: date) -> DayView:
    """The trainee's own view of a day, drafts and unsent edits included (staff read submitted versions only,
    through supervision.open_reflection)."""
    _require_own(db, actor, enrolment)
    row = db.one(
        "SELECT id, status, version, late, submitted_at, goal, case_count, case_fields, event, feelings, keep_text, "
        "problem, analysis, insight, try_text, self_rating, updated_at FROM reflection "
        "WHERE enrolment_id = ? AND practice_date = ?", [enrolment.id, day])
    off = db.value("SELECT reason FROM day_off WHERE enrolment_id = ? AND day = ?", [enrolment.id, day])
    if off is None and days_off(db, day, day):
        off = "holiday"
    start, end = enrolment.practical
    expected = start <= day <= end and day.weekday() < 5 and off is None
    if row is None:
        return DayView(day, expected, off, None, "none", 0, False, None, ReflectionBody(), False, None, None)
    (rid, status, version, late, submitted_at, goal, case_count, case_fields, event, feelings, keep_text, problem,
     analysis, insight, try_text, self_rating, updated_at) = row
    body = ReflectionBody(goal, _competencies(db, rid), case_count, case_fields, event, feelings, keep_text, problem,
                          analysis, _modules(db, rid), insight, try_text, self_rating)
    pending = db.one("SELECT body_json, updated_at FROM draft WHERE owner_id = ? AND draft_key = ?",
                     [enrolment.trainee_id, f"reflection:{rid}"])
    draft_saved_at = updated_at if status == "draft" else None
    if pending is not None and status == "submitted":
        body, draft_saved_at = ReflectionBody.from_json(pending[0]), pending[1]
    read_version = db.value("SELECT max(x.read_version) FROM reflection_read x JOIN supervision s "
                            "ON s.supervisor_id = x.reader_id AND s.enrolment_id = ? WHERE x.reflection_id = ?",
                            [enrolment.id, rid])
    version_saved_at = db.value("SELECT saved_at FROM reflection_version WHERE reflection_id = ? AND version = ?",
                                [rid, version]) if version else None
    return DayView(day, expected, off, rid, status, version, late, submitted_at, body,
                   pending is not None and status == "submitted", read_version, draft_saved_at, version_saved_at)


def _competencies(db: Database, reflection_id: int) -> list[str]:
    return [c for (c,) in db.rows("SELECT competency FROM reflection_competency WHERE reflection_id = ? "
                                  "ORDER BY competency", [reflection_id])]


def _modules(db: Database, reflection_id: int) -> list[int]:
    return [m for (m,) in db.rows("SELECT module_id FROM reflection_module WHERE reflection_id = ? "
                                  "ORDER BY module_id", [reflection_id])]


def versions(db: Database, actor: Actor, reflection_id: int) -> list[tuple[int, datetime, ReflectionBody]]:
    """Every submitted version, oldest first."""
    _require_reflection_read(db, actor, reflection_id)
    return [(v, at, ReflectionBody.from_json(body)) for v, body, at in db.rows(
        "SELECT version, body_json, saved_at FROM reflection_version WHERE reflection_id = ? ORDER BY version",
        [reflection_id])]


def _require_reflection_read(db: Database, actor: Actor, reflection_id: int) -> int:
    enrolment_id = db.value("SELECT enrolment_id FROM reflection WHERE id = ?", [reflection_id])
    if enrolment_id is None:
        raise NotFound()
    require_enrolment_read(db, actor, enrolment_id)
    return enrolment_id


# -- writing ------------------------------------------------------------------------------------------------------
def save_draft(db: Database, actor: Actor, enrolment: Enrolment, day: date, body: ReflectionBody,
               today: date) -> datetime:
    """Keep what the trainee typed. Called on every change; cheap and idempotent."""
    _require_own(db, actor, enrolment)
    _require_practice_day(enrolment, day, today)
    validate(body, for_submit=False)
    now = now_utc()

    def run(tx: Transaction):
        row = tx.one("SELECT id, status, version FROM reflection WHERE enrolment_id = ? AND practice_date = ?",
                     [enrolment.id, day])
        if row is None or row[1] == "draft":
            rid = _write_fields(tx, enrolment.id, day, row[0] if row else None, body, "draft", 0, now)
            _write_tags(tx, rid, body)
        else:
            tx.execute(
                "INSERT INTO draft (owner_id, draft_key, body_json, base_version, updated_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (owner_id, draft_key) DO UPDATE SET body_json = excluded.body_json, "
                "base_version = excluded.base_version, updated_at = excluded.updated_at",
                [actor.id, f"reflection:{row[0]}", body.to_json(), row[2], now])

    db.write(run)
    return now


def discard_edit(db: Database, actor: Actor, enrolment: Enrolment, reflection_id: int) -> None:
    """Drop unsent edits of a submitted reflection; the submitted version stays as it was."""
    _require_own(db, actor, enrolment)
    db.write(lambda tx: tx.execute("DELETE FROM draft WHERE owner_id = ? AND draft_key = ?",
                                   [actor.id, f"reflection:{reflection_id}"]))


def submit(db: Database, actor: Actor, enrolment: Enrolment, day: date, body: ReflectionBody, base_version: int,
           confirmed: set[tuple[str, str]], today: date, now: datetime | None = None) -> int:
    """Submit (or revise) the reflection for `day` as a new version. Returns the version number.

    Refused with PrivacyFindings while a suspicious span is neither edited away nor confirmed, and with StaleWrite
    when another tab submitted in the meantime (the text stays saved as a draft)."""
    _require_own(db, actor, enrolment)
    _require_practice_day(enrolment, day, today)
    validate(body, for_submit=True)
    findings = privacy.scan(body.texts())
    pending = privacy.unconfirmed(findings, confirmed)
    if pending:
        save_draft(db, actor, enrolment, day, body, today)
        raise PrivacyFindings(pending)
    now = now or now_utc()

    def run(tx: Transaction) -> int:
        row = tx.one("SELECT id, version, submitted_at FROM reflection WHERE enrolment_id = ? AND practice_date = ?",
                     [enrolment.id, day])
        current = row[1] if row else 0
        if current != base_version:
            raise StaleWrite("reflection.stale")
        version = current + 1
        first_submit = row is None or row[2] is None
        rid = _write_fields(tx, enrolment.id, day, row[0] if row else None, body, "submitted", version, now)
        if first_submit:
            tx.execute("UPDATE reflection SET submitted_at = ?, late = ? WHERE id = ?",
                       [now, now > cutoff(day, enrolment.reflection_cutoff_days), rid])
        _write_tags(tx, rid, body)
        tx.execute("INSERT INTO reflection_version (reflection_id, version, body_json, saved_at) VALUES (?, ?, ?, ?)",
                   [rid, version, body.to_json(), now])
        tx.executemany(
            "INSERT INTO privacy_confirmation (reflection_id, version, kind, span_text, confirmed_by, confirmed_at) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [(rid, version, f.kind, f.text, actor.id, now) for f in findings])
        tx.execute("DELETE FROM draft WHERE owner_id = ? AND draft_key = ?", [actor.id, f"reflection:{rid}"])
        return version

    try:
        return db.write(run)
    except StaleWrite:
        save_draft(db, actor, enrolment, day, body, today)
        raise


def _write_fields(tx: Transaction, enrolment_id: int, day: date, reflection_id: int | None, body: ReflectionBody,
                  status: str, version: int, now: datetime) -> int:
    values = [status, version, body.goal, int(body.case_count or 0), body.case_fields, body.event, body.feelings,
              body.keep_text, body.problem, body.analysis, body.insight, body.try_text, body.self_rating,
              _search_text(body, status), now]
    if reflection_id is None:
        return tx.value(
            "INSERT INTO reflection (status, version, goal, case_count, case_fields, event, feelings, keep_text, "
            "problem, analysis, insight, try_text, self_rating, search_text, updated_at, enrolment_id, "
            "practice_date) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            [*values, enrolment_id, day])
    tx.execute(
        "UPDATE reflection SET status = ?, version = ?, goal = ?, case_count = ?, case_fields = ?, event = ?, "
        "feelings = ?, keep_text = ?, problem = ?, analysis = ?, insight = ?, try_text = ?, self_rating = ?, "
        "search_text = ?, updated_at = ? WHERE id = ?", [*values, reflection_id])
    return reflection_id


def _search_text(body: ReflectionBody, status: str) -> str:
    """Drafts (saved on every pause in typing) get the cheap normalised text; a submitted version, the one the
    inbox searches, also gets the readings of its kanji words."""
    texts = list(body.texts().values())
    return searchable(*texts) if status == "submitted" else search_key(" ".join(texts))


def _write_tags(tx: Transaction, reflection_id: int, body: ReflectionBody) -> None:
    tx.execute("DELETE FROM reflection_competency WHERE reflection_id = ?", [reflection_id])
    tx.executemany("INSERT INTO reflection_competency (reflection_id, competency) VALUES (?, ?)",
                   [(reflection_id, c) for c in sorted(set(body.competencies))])
    tx.execute("DELETE FROM reflection_module WHERE reflection_id = ?", [reflection_id])
    tx.executemany("INSERT INTO reflection_module (reflection_id, module_id) VALUES (?, ?)",
                   [(reflection_id, m) for m in sorted(set(body.module_ids))])


def set_day_off(db: Database, actor: Actor, enrolment: Enrolment, day: date, reason: str | None,
                now: datetime | None = None) -> None:
    """Mark a day as not expected (holiday, training day, sick, other), or clear the mark with reason None.

    A trainee may do so ahead of time and until the day's cut-off, not afterwards: a missed day cannot be turned
    into a day off later to lift the reflection rate. Every change is in the audit log."""
    _require_own(db, actor, enrolment)
    if reason is not None and reason not in DAY_OFF_REASONS:
        raise InvalidInput("reflection.unknown_off_reason")
    start, end = enrolment.practical
    if not start <= day <= end:
        raise InvalidInput("reflection.outside_practical", start=start.isoformat(), end=end.isoformat())
    if (now or now_utc()) > cutoff(day, enrolment.reflection_cutoff_days):
        raise InvalidInput("reflection.off_too_late")

    def run(tx: Transaction):
        before = tx.value("SELECT reason FROM day_off WHERE enrolment_id = ? AND day = ?", [enrolment.id, day])
        tx.execute("DELETE FROM day_off WHERE enrolment_id = ? AND day = ?", [enrolment.id, day])
        if reason is not None:
            tx.execute("INSERT INTO day_off (enrolment_id, day, reason) VALUES (?, ?, ?)", [enrolment.id, day, reason])
        audit(tx, actor.id, "reflection.day_off", "enrolment", enrolment.id, {"day": day, "reason": before},
              {"day": day, "reason": reason})

    db.write(run)


# -- feedback thread ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Message:
    id: int
    author_id: int
    author_name: str
    body_md: str
    created_at: datetime
    is_new: bool  # not yet read by the person asking, and written by someone else


def thread(db: Database, actor: Actor, reflection_id: int) -> list[Message]:
    _require_reflection_read(db, actor, reflection_id)
    return [Message(*row) for row in db.rows(
        "SELECT f.id, f.author_id, u.display_name, f.body_md, f.created_at, "
        "f.author_id <> ? AND NOT EXISTS (SELECT 1 FROM feedback_read r WHERE r.feedback_id = f.id "
        "AND r.reader_id = ?) FROM feedback f JOIN app_user u ON u.id = f.author_id "
        "WHERE f.reflection_id = ? ORDER BY f.created_at, f.id", [actor.id, actor.id, reflection_id])]


def threads(db: Database, actor: Actor, enrolment_id: int, reflection_ids: list[int]) -> dict[int, list[Message]]:
    """The threads of several reflections of one enrolment (a page of a trainee's timeline), with one access check
    and one query instead of two per reflection; reflections of another enrolment are left out."""
    require_enrolment_read(db, actor, enrolment_id)
    found: dict[int, list[Message]] = {reflection_id: [] for reflection_id in reflection_ids}
    if not reflection_ids:
        return found
    for reflection_id, *row in db.rows(
            "SELECT f.reflection_id, f.id, f.author_id, u.display_name, f.body_md, f.created_at, "
            "f.author_id <> ? AND NOT EXISTS (SELECT 1 FROM feedback_read r WHERE r.feedback_id = f.id "
            "AND r.reader_id = ?) FROM feedback f JOIN app_user u ON u.id = f.author_id "
            "JOIN reflection x ON x.id = f.reflection_id WHERE x.enrolment_id = ? "
            "AND f.reflection_id IN (SELECT unnest(?)) ORDER BY f.created_at, f.id",
            [actor.id, actor.id, enrolment_id, list(reflection_ids)]):
        found.setdefault(reflection_id, []).append(Message(*row))
    return {reflection_id: found.get(reflection_id, []) for reflection_id in reflection_ids}


def mark_thread_read(db: Database, actor: Actor, reflection_id: int) -> None:
    _require_reflection_read(db, actor, reflection_id)
    db.write(lambda tx: tx.execute(
        "INSERT INTO feedback_read (feedback_id, reader_id, read_at) SELECT f.id, ?, ? FROM feedback f "
        "WHERE f.reflection_id = ? AND f.author_id <> ? AND NOT EXISTS (SELECT 1 FROM feedback_read r "
        "WHERE r.feedback_id = f.id AND r.reader_id = ?)", [actor.id, now_utc(), reflection_id, actor.id, actor.id]))


def reply(db: Database, actor: Actor, reflection_id: int, body_md: str,
          confirmed: set[tuple[str, str]] = frozenset()) -> int:
    """Add a message to the thread: the trainee on their own reflection, or an assigned supervisor. A trainee's
    message goes through the privacy guard like the reflection itself (confirmations audited)."""
    enrolment_id = _require_reflection_read(db, actor, reflection_id)
    relation = require_enrolment_read(db, actor, enrolment_id)
    if not relation & {"own", "supervised"}:
        raise AccessDenied()  # managers read, they do not write in the thread
    text = (body_md or "").strip()
    if not text:
        raise InvalidInput("reflection.reply_empty")
    if len(text) > REPLY_LIMIT:
        raise InvalidInput("reflection.reply_too_long", limit=REPLY_LIMIT, actual=len(text))
    if db.value("SELECT status FROM reflection WHERE id = ?", [reflection_id]) != "submitted":
        raise InvalidInput("reflection.reply_to_draft")
    findings = privacy.scan_text(text, "reply") if "own" in relation else []
    pending = privacy.unconfirmed(findings, set(confirmed))
    if pending:
        raise PrivacyFindings(pending)

    def run(tx: Transaction) -> int:
        feedback_id = tx.value(
            "INSERT INTO feedback (reflection_id, author_id, body_md, created_at, search_text) "
            "VALUES (?, ?, ?, ?, ?) RETURNING id", [reflection_id, actor.id, text, now_utc(), searchable(text)])
        if findings:
            audit(tx, actor.id, "feedback.privacy_confirmed", "feedback", feedback_id, None,
                  privacy.audit_record(findings, {"reply": text}))
        return feedback_id

    return db.write(run)


def unread_feedback_count(db: Database, actor: Actor, enrolment: Enrolment) -> int:
    require_enrolment_read(db, actor, enrolment.id)
    return db.value(
        "SELECT count(*) FROM feedback f JOIN reflection r ON r.id = f.reflection_id WHERE r.enrolment_id = ? "
        "AND f.author_id <> ? AND NOT EXISTS (SELECT 1 FROM feedback_read x WHERE x.feedback_id = f.id "
        "AND x.reader_id = ?)", [enrolment.id, actor.id, actor.id])


def days_with_new_feedback(db: Database, actor: Actor, enrolment: Enrolment) -> list[date]:
    require_enrolment_read(db, actor, enrolment.id)
    return [d for (d,) in db.rows(
        "SELECT DISTINCT r.practice_date FROM feedback f JOIN reflection r ON r.id = f.reflection_id "
        "WHERE r.enrolment_id = ? AND f.author_id <> ? AND NOT EXISTS (SELECT 1 FROM feedback_read x "
        "WHERE x.feedback_id = f.id AND x.reader_id = ?) ORDER BY 1 DESC", [enrolment.id, actor.id, actor.id])]
