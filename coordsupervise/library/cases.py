"""Case studies of the know-how library: how one is written, proposed, published, returned or withdrawn.

Who writes: a supervisor, a manager or a graduate (audience.require_contributor); a case drawn from a reflection by
the trainee's own supervisor or a manager only. Who decides: the managers, who publish a proposal or return it with a
reason. Who reads: a published case, every reader of the library; anything else, its author and the managers only
(others get NotFound, as if it did not exist).

The way to the library is narrow on purpose:
- the text passes the privacy guard (privacy/guard.py) when it is proposed and again when it is published: any
  finding refuses, with no "not about a client" confirmation as reflections have (a case is read by every cohort).
  `redacted` replaces each finding with redaction's marker for the author to check. A client's desk code
  (相談者コード K-798), which the guard lets through in reflections, is refused here too (client_codes.py): a case
  drawn from a reflection gets 相談者A, 相談者B … in its place, and `redacted` does the same;
- a case drawn from a reflection asks its trainee when it is proposed (consent.py); it is published only with their
  yes, a "no" refuses its proposal and withdraws it even after publication;
- every write carries the row version its writer saw (StaleWrite otherwise, with what was typed kept on screen);
  proposals, decisions and withdrawals go to the audit log (who, when, status before and after, reason; no text).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime

from ..access import GRADUATE, Actor, require_enrolment_read, require_role
from ..clock import now_utc
from ..errors import AccessDenied, InvalidInput, NotFound, StaleWrite
from ..privacy import readlog
from ..privacy.guard import Finding, PrivacyFindings, normalise, scan
from ..privacy.redaction import blank
from ..programme.auth import audit
from ..store.db import Database, Transaction
from ..text.limits import REASON_LIMIT, check_length
from ..text.readings import searchable
from . import client_codes
from .audience import READER_ROLES, require_contributor, require_reader
from .domains import REGIONS, programme_domains

STATUSES = ("draft", "proposed", "returned", "published", "withdrawn")
TEXT_LIMITS = {"title": 120, "situation": 4000, "actions": 4000, "partners_note": 1000, "outcome": 4000,
               "lessons": 4000}
REQUIRED_TO_PROPOSE = ("title", "situation", "actions", "outcome", "lessons")
SOURCE_LIMIT = 300   # reflections offered to draw a case from (newest first)


@dataclass(frozen=True)
class CaseInput:
    """What an author writes: the texts of TEXT_LIMITS, domain codes, competency codes, a region code and the
    partners of the directory the case used."""

    title: str = ""
    situation: str = ""
    actions: str = ""
    partners_note: str = ""
    outcome: str = ""
    lessons: str = ""
    domains: tuple[str, ...] = ()
    competencies: tuple[str, ...] = ()
    region: str | None = None
    partner_ids: tuple[int, ...] = ()

    def texts(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in TEXT_LIMITS}


@dataclass(frozen=True)
class CaseView:
    id: int
    content: CaseInput
    status: str
    author_id: int
    author_name: str
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    row_version: int
    return_reason: str | None
    from_reflection: bool
    consent: str | None            # pending | accepted | declined (author and managers only); None: not asked
    partners: list[dict] = field(default_factory=list)   # id, name, prefecture, region (published entries)
    may_edit: bool = False
    may_decide: bool = False       # a manager: publish / return / withdraw


# -- the text ------------------------------------------------------------------------------------------------------
def _code_findings(texts: dict[str, str]) -> list[Finding]:
    return [Finding(name, client_codes.KIND, code) for name, text in texts.items()
            for code in dict.fromkeys(client_codes.codes(text))]


def findings(content: CaseInput) -> list[Finding]:
    """What the privacy guard finds in the case's texts (field = the text's name), and every client code
    (kind client_codes.KIND), which the guard allows in reflections but a case may not carry."""
    texts = content.texts()
    return [*scan(texts), *_code_findings(texts)]


def neutralised(content: CaseInput) -> CaseInput:
    """The texts with every client code replaced by 相談者A, 相談者B … (the same code the same letter)."""
    return replace(content, **client_codes.neutralise(content.texts()))


def redacted(content: CaseInput) -> CaseInput:
    """The texts with every client code replaced by a neutral 相談者A … and every guard finding by redaction's
    marker (［伏せ字］), on their NFKC form (the form the guard reads, so full-width ＡＢ１２… is caught as AB12…).
    The author reads the result before saving it."""
    content = neutralised(content)
    spans = sorted({f.text for f in scan(content.texts())}, key=len, reverse=True)
    if not spans:
        return content
    return replace(content, **{name: blank(normalise(text), spans) for name, text in content.texts().items()})


def _clean(db, content: CaseInput) -> CaseInput:
    texts = {name: check_length(value, TEXT_LIMITS[name]) for name, value in content.texts().items()}
    if not texts["title"]:
        raise InvalidInput("library.error_title")
    known_domains = {d.code for d in programme_domains(db)}
    known_competencies = {c for (c,) in db.rows("SELECT code FROM competency")}
    domains = tuple(dict.fromkeys(content.domains))
    competencies = tuple(sorted(set(content.competencies)))
    if set(domains) - known_domains or set(competencies) - known_competencies:
        raise InvalidInput("library.error_unknown_tag")
    if content.region is not None and content.region not in REGIONS:
        raise InvalidInput("library.error_unknown_region")
    partner_ids = tuple(dict.fromkeys(int(p) for p in content.partner_ids))
    if partner_ids:
        published = db.value("SELECT count(*) FROM partner WHERE status = 'published' AND id IN (SELECT unnest(?))",
                             [list(partner_ids)])
        if published != len(partner_ids):
            raise InvalidInput("library.error_unknown_partner")
    return CaseInput(**texts, domains=domains, competencies=competencies, region=content.region,
                     partner_ids=partner_ids)


def _ready(content: CaseInput) -> None:
    """What a proposal and a publication need: every text but the partners' note, a domain, and no guard finding."""
    missing = [name for name in REQUIRED_TO_PROPOSE if not getattr(content, name).strip()]
    if missing:
        raise InvalidInput("library.error_missing", fields=", ".join(f"library.field.{m}" for m in missing),
                           count=len(missing))
    if not content.domains:
        raise InvalidInput("library.error_domain_required")
    found = findings(content)
    if found:
        raise PrivacyFindings(found)


# -- reading -------------------------------------------------------------------------------------------------------
_COLUMNS = ("c.id, c.title, c.situation, c.actions, c.partners_note, c.outcome, c.lessons, c.region, c.status, "
            "c.reflection_id, c.author_id, u.display_name AS author_name, c.created_at, c.updated_at, c.published_at, "
            "c.row_version, c.return_reason, k.status AS consent")


def _load(db, case_id: int) -> dict | None:
    rows = db.dicts(f"SELECT {_COLUMNS} FROM library_case c JOIN app_user u ON u.id = c.author_id "  # noqa: S608
                    "LEFT JOIN library_consent k ON k.case_id = c.id WHERE c.id = ?", [case_id])
    return rows[0] if rows else None


def _tags(db, case_id: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    rows = db.rows("SELECT kind, code FROM library_case_tag WHERE case_id = ? ORDER BY kind, code", [case_id])
    order = {d.code: i for i, d in enumerate(programme_domains(db))}
    domains = sorted((code for kind, code in rows if kind == "domain"), key=lambda c: order.get(c, len(order)))
    return tuple(domains), tuple(code for kind, code in rows if kind == "competency")


def _relation(db, actor: Actor, row: dict) -> str:
    """'reader' (a published case), 'author' or 'manager'; NotFound for anyone else (a draft stays unseen)."""
    if row["status"] == "published":
        require_reader(db, actor)
        if actor.has("manager"):
            return "manager"
        return "author" if row["author_id"] == actor.id else "reader"
    require_role(actor, *READER_ROLES, GRADUATE, db=db)
    if actor.has("manager"):
        return "manager"
    if row["author_id"] == actor.id:
        require_contributor(db, actor)
        return "author"
    raise NotFound()


def case(db: Database, actor: Actor, case_id: int) -> CaseView:
    """One case with its tags and partners; the consent state and the return reason only for its author and the
    managers."""
    row = _load(db, case_id)
    if row is None:
        raise NotFound()
    relation = _relation(db, actor, row)
    domains, competencies = _tags(db, case_id)
    partners = db.dicts("SELECT p.id, p.name, p.prefecture, p.region FROM library_case_partner cp "
                        "JOIN partner p ON p.id = cp.partner_id WHERE cp.case_id = ? AND p.status = 'published' "
                        "ORDER BY p.name", [case_id])
    content = CaseInput(**{name: row[name] for name in TEXT_LIMITS}, domains=domains, competencies=competencies,
                        region=row["region"], partner_ids=tuple(p["id"] for p in partners))
    staff = relation in ("author", "manager")
    editable = {"author": ("draft", "proposed", "returned"),
                "manager": ("draft", "proposed", "returned", "published")}.get(relation, ())
    return CaseView(
        id=row["id"], content=content, status=row["status"], author_id=row["author_id"],
        author_name=row["author_name"] if staff else "", created_at=row["created_at"], updated_at=row["updated_at"],
        published_at=row["published_at"], row_version=row["row_version"],
        return_reason=row["return_reason"] if staff else None, from_reflection=row["reflection_id"] is not None,
        consent=row["consent"] if staff else None, partners=partners, may_edit=row["status"] in editable,
        may_decide=relation == "manager" and row["status"] != "withdrawn")


def my_cases(db: Database, actor: Actor) -> list[dict]:
    """The cases the person wrote, newest first, whatever their state, with the trainee's answer where asked."""
    require_contributor(db, actor)
    return db.dicts("SELECT c.id, c.title, c.status, c.updated_at, c.return_reason, k.status AS consent, "
                    "c.reflection_id IS NOT NULL AS from_reflection, c.row_version FROM library_case c "
                    "LEFT JOIN library_consent k ON k.case_id = c.id WHERE c.author_id = ? "
                    "ORDER BY c.updated_at DESC, c.id DESC", [actor.id])


def review_queue(db: Database, actor: Actor) -> list[dict]:
    """Managers: the proposals waiting for a decision, oldest first, each with the trainee's answer (when drawn
    from a reflection) and whether the privacy guard still finds something in it."""
    require_role(actor, "manager", db=db)
    rows = db.dicts("SELECT c.id, c.title, c.proposed_at, u.display_name AS author_name, k.status AS consent, "
                    "c.reflection_id IS NOT NULL AS from_reflection, c.situation, c.actions, c.partners_note, "
                    "c.outcome, c.lessons FROM library_case c JOIN app_user u ON u.id = c.author_id "
                    "LEFT JOIN library_consent k ON k.case_id = c.id WHERE c.status = 'proposed' "
                    "ORDER BY c.proposed_at, c.id")
    for row in rows:
        texts = {name: row[name] for name in TEXT_LIMITS}
        row["flagged"] = len(scan(texts)) + len(_code_findings(texts))
        for name in TEXT_LIMITS:
            if name != "title":
                del row[name]
    return rows


def reflection_sources(db: Database, actor: Actor) -> list[dict]:
    """Submitted reflections of the trainees the person supervises, newest first (SOURCE_LIMIT of them), to draw a
    case from: id, practice_date, trainee name and the start of what happened."""
    require_role(actor, "supervisor", db=db)
    return db.dicts(
        "SELECT r.id, r.practice_date, u.display_name AS trainee_name, u.display_name_kana AS trainee_kana, "
        "substr(coalesce(r.event, ''), 1, 60) AS excerpt FROM reflection r "
        "JOIN enrolment e ON e.id = r.enrolment_id JOIN app_user u ON u.id = e.trainee_id "
        "WHERE r.status = 'submitted' AND EXISTS (SELECT 1 FROM supervision s WHERE s.enrolment_id = e.id "
        "AND s.supervisor_id = ?) ORDER BY r.practice_date DESC, r.id DESC LIMIT ?", [actor.id, SOURCE_LIMIT])


def _reflection_relation(db, actor: Actor, reflection_id: int) -> set[str]:
    """The trainee's own supervisor or a manager may draw a case from a submitted reflection."""
    enrolment_id = db.value("SELECT enrolment_id FROM reflection WHERE id = ? AND status = 'submitted'",
                            [reflection_id])
    if enrolment_id is None:
        raise NotFound()
    relation = require_enrolment_read(db, actor, enrolment_id) & {"supervised", "managed"}
    if not relation:
        raise AccessDenied()
    return relation


def from_reflection(db: Database, actor: Actor, reflection_id: int) -> CaseInput:
    """A first text for a case drawn from a reflection, identifiers already replaced (`redacted`: client codes by
    相談者A …, guard findings by the marker): what happened becomes the situation (and its first sentence the
    title), Keep and Problem what was done, insight and analysis what to learn; the reflection's competencies, and
    the domains its fields name. The author writes the outcome and checks every word."""
    relation = _reflection_relation(db, actor, reflection_id)
    require_contributor(db, actor)
    row = db.dicts("SELECT event, keep_text, problem, analysis, insight, case_fields FROM reflection WHERE id = ?",
                   [reflection_id])[0]
    readlog.record(db, actor, relation, [reflection_id])
    competencies = tuple(c for (c,) in db.rows(
        "SELECT competency FROM reflection_competency WHERE reflection_id = ? ORDER BY competency", [reflection_id]))
    fields_text = row["case_fields"] or ""
    domains = tuple(d.code for d in programme_domains(db, include_retired=False)
                    if any(part and part in fields_text for part in d.name_ja.split("・")))
    row.update(client_codes.neutralise({name: row[name] or "" for name in
                                        ("event", "keep_text", "problem", "analysis", "insight")}))
    event = row["event"].strip()
    first = re.split(r"(?<=[。!?！？])", event, maxsplit=1)[0].strip()
    title = first if len(first) <= 40 else first[:39] + "…"
    draft = CaseInput(
        title=title, situation=event,
        actions="\n".join(t for t in (row["keep_text"], row["problem"]) if t),
        lessons="\n".join(t for t in (row["insight"], row["analysis"]) if t),
        domains=domains, competencies=competencies)
    return redacted(draft)


def _search_text(content: CaseInput) -> str:
    return searchable(*content.texts().values())


# -- writing -------------------------------------------------------------------------------------------------------
def new_case(db: Database, actor: Actor, content: CaseInput, *, reflection_id: int | None = None) -> int:
    """A draft by the person (drawn from `reflection_id` when given). Returns its id."""
    require_contributor(db, actor)
    if reflection_id is not None:
        _reflection_relation(db, actor, reflection_id)
    content = _clean(db, content)
    search_text = _search_text(content)

    def run(tx: Transaction) -> int:
        now = now_utc()
        case_id = tx.value(
            "INSERT INTO library_case (title, situation, actions, partners_note, outcome, lessons, region, status, "
            "reflection_id, author_id, created_at, updated_at, search_text) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?) RETURNING id",
            [*content.texts().values(), content.region, reflection_id, actor.id, now, now, search_text])
        _write_links(tx, case_id, content)
        return case_id

    return db.write(run)


def _write_links(tx: Transaction, case_id: int, content: CaseInput) -> None:
    tx.execute("DELETE FROM library_case_tag WHERE case_id = ?", [case_id])
    tx.executemany("INSERT INTO library_case_tag (case_id, kind, code) VALUES (?, ?, ?)",
                   [(case_id, "domain", c) for c in content.domains]
                   + [(case_id, "competency", c) for c in content.competencies])
    tx.execute("DELETE FROM library_case_partner WHERE case_id = ?", [case_id])
    tx.executemany("INSERT INTO library_case_partner (case_id, partner_id) VALUES (?, ?)",
                   [(case_id, p) for p in content.partner_ids])


def _current(tx, case_id: int, seen_version: int) -> dict:
    """The case's state inside the write, refused when it changed since the writer saw it."""
    found = tx.one("SELECT c.id, c.status, c.author_id, c.reflection_id, c.row_version, k.status "
                   "FROM library_case c LEFT JOIN library_consent k ON k.case_id = c.id WHERE c.id = ?", [case_id])
    if found is None:
        raise NotFound()
    row = dict(zip(("id", "status", "author_id", "reflection_id", "row_version", "consent"), found, strict=True))
    if row["row_version"] != seen_version:
        raise StaleWrite("library.error_stale")
    return row


def _may_write(db, actor: Actor, case_id: int, statuses_author: tuple[str, ...],
               statuses_manager: tuple[str, ...]) -> dict:
    """The case's row when the person may make this change in its present state: as its author (while in one of
    `statuses_author`) or as a manager (`statuses_manager`). NotFound for those who may not even read it,
    AccessDenied for those who may read it but never make this change, InvalidInput("library.error_state") when
    the change is theirs in another state."""
    row = _load(db, case_id)
    if row is None:
        raise NotFound()
    relation = _relation(db, actor, row)
    allowed = set(statuses_manager if relation == "manager" else ())
    if row["author_id"] == actor.id and relation in ("author", "manager"):
        allowed |= set(statuses_author)
    if not allowed:
        raise AccessDenied()
    if row["status"] not in allowed:
        raise InvalidInput("library.error_state", status=f"library.status.{row['status']}")
    return row


def save_case(db: Database, actor: Actor, case_id: int, content: CaseInput, row_version: int) -> int:
    """Change the texts and tags: the author while not yet published, a manager also after (a published text must
    still pass the guard). Returns the new row version."""
    _may_write(db, actor, case_id, ("draft", "proposed", "returned"), ("draft", "proposed", "returned", "published"))
    content = _clean(db, content)
    search_text = _search_text(content)

    def run(tx: Transaction) -> int:
        row = _current(tx, case_id, row_version)
        if row["status"] == "published":
            _ready(content)
        tx.execute("UPDATE library_case SET title = ?, situation = ?, actions = ?, partners_note = ?, outcome = ?, "
                   "lessons = ?, region = ?, search_text = ?, updated_at = ?, row_version = row_version + 1 "
                   "WHERE id = ?", [*content.texts().values(), content.region, search_text, now_utc(), case_id])
        _write_links(tx, case_id, content)
        return row_version + 1

    return db.write(run)


def _set_status(tx: Transaction, actor: Actor, row: dict, status: str, action: str, reason: str | None = None,
                **columns) -> int:
    now = now_utc()
    sets = ", ".join(f"{name} = ?" for name in columns)
    tx.execute(f"UPDATE library_case SET status = ?, updated_at = ?, row_version = row_version + 1"  # noqa: S608
               f"{', ' + sets if sets else ''} WHERE id = ?", [status, now, *columns.values(), row["id"]])
    audit(tx, actor.id, action, "library_case", row["id"], {"status": row["status"]}, {"status": status}, reason)
    return row["row_version"] + 1


def propose_case(db: Database, actor: Actor, case_id: int, row_version: int) -> int:
    """The author sends a draft (or a returned case) to the managers. Everything a publication needs must be there
    and pass the privacy guard; a case drawn from a reflection asks its trainee now (or keeps their answer; a "no"
    refuses the proposal)."""
    _may_write(db, actor, case_id, ("draft", "returned"), ())
    view = case(db, actor, case_id)
    _ready(view.content)

    def run(tx: Transaction) -> int:
        row = _current(tx, case_id, row_version)
        if row["consent"] == "declined":
            raise InvalidInput("library.error_consent_declined")
        if row["reflection_id"] is not None and row["consent"] is None:
            trainee = tx.value("SELECT e.trainee_id FROM reflection r JOIN enrolment e ON e.id = r.enrolment_id "
                               "WHERE r.id = ?", [row["reflection_id"]])
            tx.execute("INSERT INTO library_consent (case_id, trainee_id, status, asked_at) "
                       "VALUES (?, ?, 'pending', ?)", [case_id, trainee, now_utc()])
        return _set_status(tx, actor, row, "proposed", "library.case_proposed", proposed_at=now_utc())

    return db.write(run)


def publish_case(db: Database, actor: Actor, case_id: int, row_version: int) -> int:
    """Managers: a proposal goes into the library, when its text passes the privacy guard and, drawn from a
    reflection, its trainee has said yes."""
    require_role(actor, "manager", db=db)
    _may_write(db, actor, case_id, (), ("proposed",))
    _ready(case(db, actor, case_id).content)

    def run(tx: Transaction) -> int:
        row = _current(tx, case_id, row_version)
        if row["reflection_id"] is not None and row["consent"] != "accepted":
            raise InvalidInput("library.error_consent_declined" if row["consent"] == "declined"
                               else "library.error_consent_pending")
        now = now_utc()
        return _set_status(tx, actor, row, "published", "library.case_published", decided_by=actor.id,
                           decided_at=now, published_at=now, return_reason=None)

    return db.write(run)


def return_case(db: Database, actor: Actor, case_id: int, reason: str, row_version: int) -> int:
    """Managers: a proposal goes back to its author with the reason (which the author reads)."""
    require_role(actor, "manager", db=db)
    reason = check_length(reason, REASON_LIMIT)
    if not reason:
        raise InvalidInput("library.error_reason")
    _may_write(db, actor, case_id, (), ("proposed",))

    def run(tx: Transaction) -> int:
        row = _current(tx, case_id, row_version)
        return _set_status(tx, actor, row, "returned", "library.case_returned", reason, decided_by=actor.id,
                           decided_at=now_utc(), return_reason=reason)

    return db.write(run)


def withdraw_case(db: Database, actor: Actor, case_id: int, reason: str, row_version: int) -> int:
    """Out of the library for good (kept, never deleted): a manager, any case, with a reason; its author, a case
    not yet published."""
    reason = check_length(reason, REASON_LIMIT)
    if not reason:
        raise InvalidInput("library.error_reason")
    _may_write(db, actor, case_id, ("draft", "proposed", "returned"), ("draft", "proposed", "returned", "published"))

    def run(tx: Transaction) -> int:
        row = _current(tx, case_id, row_version)
        return _set_status(tx, actor, row, "withdrawn", "library.case_withdrawn", reason)

    return db.write(run)

