"""The partner directory (連携先): organisations by region and field, with what they help with, languages, public
contact and opening hours, and the library cases that used them.

Supervisors, managers and graduates propose an entry; managers publish it or return it with a reason (an import by
a manager publishes at once, partner_import.py). Every reader of the library reads the published entries; a
proposal only its proposer and the managers. One entry per organisation and prefecture (the name compared width-,
kana-, case- and space-insensitively). The contact is the organisation's public one: the form says so, and a
person's own number or address does not belong here."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ..access import GRADUATE, Actor, require_role
from ..clock import now_utc
from ..errors import AccessDenied, InvalidInput, NotFound, StaleWrite
from ..programme.auth import audit
from ..store.db import Database, Transaction
from ..text.limits import REASON_LIMIT, bounded_query, check_length
from ..text.readings import searchable
from ..text.textnorm import name_key, search_key
from .audience import READER_ROLES, require_contributor, require_reader
from .domains import PREFECTURES, programme_domains

TEXT_LIMITS = {"name": 120, "helps_with": 1000, "languages": 200, "contact": 300, "hours": 200, "notes": 1000}
PAGE_SIZE = 25
MAX_WORDS = 5


@dataclass(frozen=True)
class PartnerInput:
    name: str = ""
    prefecture: str = ""               # JIS code ('00' nationwide)
    fields: tuple[str, ...] = ()       # domain codes
    helps_with: str = ""
    languages: str = ""
    contact: str = ""
    hours: str = ""
    notes: str = ""

    def texts(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in TEXT_LIMITS}


@dataclass(frozen=True)
class PartnerView:
    id: int
    content: PartnerInput
    region: str
    status: str
    proposed_by: int
    proposer_name: str
    updated_at: datetime
    row_version: int
    return_reason: str | None
    cases: list[dict] = field(default_factory=list)   # published cases that used it: id, title
    may_edit: bool = False
    may_decide: bool = False


@dataclass(frozen=True)
class PartnerFilter:
    query: str = ""
    field: str | None = None
    region: str | None = None
    prefecture: str | None = None


def clean(db, content: PartnerInput) -> PartnerInput:
    """The entry as it will be stored, or InvalidInput: a name, a known prefecture, at least one known field, every
    text within its limit. (Public: the import checks its rows with it.)"""
    texts = {name: check_length(value, TEXT_LIMITS[name]) for name, value in content.texts().items()}
    if not texts["name"]:
        raise InvalidInput("library.error_partner_name")
    if content.prefecture not in PREFECTURES:
        raise InvalidInput("library.error_prefecture")
    known = {d.code for d in programme_domains(db)}
    fields = tuple(dict.fromkeys(content.fields))
    if not fields:
        raise InvalidInput("library.error_field_required")
    if set(fields) - known:
        raise InvalidInput("library.error_unknown_tag")
    return PartnerInput(**texts, prefecture=content.prefecture, fields=fields)


def same_entry(tx, content: PartnerInput, other_than: int | None = None) -> int | None:
    """The id of the entry (not withdrawn) for the same organisation in the same prefecture, if any."""
    return tx.value("SELECT id FROM partner WHERE name_key = ? AND prefecture = ? AND status <> 'withdrawn' "
                    "AND id <> ? ORDER BY id LIMIT 1", [name_key(content.name), content.prefecture, other_than or 0])


def search_text(content: PartnerInput) -> str:
    return searchable(content.name, content.helps_with, content.languages, content.notes, content.hours)


def write_fields(tx: Transaction, partner_id: int, fields: tuple[str, ...]) -> None:
    tx.execute("DELETE FROM partner_field WHERE partner_id = ?", [partner_id])
    tx.executemany("INSERT INTO partner_field (partner_id, domain) VALUES (?, ?)", [(partner_id, f) for f in fields])


def insert_entry(tx: Transaction, author_id: int, content: PartnerInput, status: str) -> int:
    """Store a new entry (callers have checked the person and cleaned the content)."""
    now = now_utc()
    decided = (author_id, now) if status == "published" else (None, None)
    partner_id = tx.value(
        "INSERT INTO partner (name, prefecture, region, helps_with, languages, contact, hours, notes, status, "
        "proposed_by, created_at, updated_at, decided_by, decided_at, name_key, search_text) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [content.name, content.prefecture, PREFECTURES[content.prefecture], content.helps_with, content.languages,
         content.contact, content.hours, content.notes, status, author_id, now, now, *decided, name_key(content.name),
         search_text(content)])
    write_fields(tx, partner_id, content.fields)
    return partner_id


def update_entry(tx: Transaction, partner_id: int, content: PartnerInput) -> None:
    tx.execute("UPDATE partner SET name = ?, prefecture = ?, region = ?, helps_with = ?, languages = ?, contact = ?, "
               "hours = ?, notes = ?, name_key = ?, search_text = ?, updated_at = ?, row_version = row_version + 1 "
               "WHERE id = ?",
               [content.name, content.prefecture, PREFECTURES[content.prefecture], content.helps_with,
                content.languages, content.contact, content.hours, content.notes, name_key(content.name),
                search_text(content), now_utc(), partner_id])
    write_fields(tx, partner_id, content.fields)


# -- reading -------------------------------------------------------------------------------------------------------
def _like(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _with_fields(db, rows: list[dict]) -> list[dict]:
    ids = [r["id"] for r in rows]
    fields: dict[int, list[str]] = {i: [] for i in ids}
    if ids:
        for partner_id, domain in db.rows("SELECT partner_id, domain FROM partner_field "
                                          "WHERE partner_id IN (SELECT unnest(?))", [ids]):
            fields[partner_id].append(domain)
    order = {d.code: i for i, d in enumerate(programme_domains(db))}
    for row in rows:
        row["fields"] = sorted(fields[row["id"]], key=lambda f: order.get(f, len(order)))
    return rows


def search_partners(db: Database, actor: Actor, flt: PartnerFilter, page: int = 1) -> tuple[list[dict], int]:
    """One page of published entries matching every word (name, what they help with, languages, hours, notes;
    kanji words by their reading too) and filter, by region and prefecture then name; and how many match."""
    require_reader(db, actor)
    parts, params = ["p.status = 'published'"], []
    for word in search_key(bounded_query(flt.query)).split()[:MAX_WORDS]:
        parts.append("p.search_text LIKE ? ESCAPE '\\'")
        params.append(_like(word))
    if flt.field:
        parts.append("EXISTS (SELECT 1 FROM partner_field f WHERE f.partner_id = p.id AND f.domain = ?)")
        params.append(flt.field)
    if flt.region:
        parts.append("p.region = ?")
        params.append(flt.region)
    if flt.prefecture:
        parts.append("p.prefecture = ?")
        params.append(flt.prefecture)
    where = " AND ".join(parts)
    total = db.value(f"SELECT count(*) FROM partner p WHERE {where}", params)  # noqa: S608 - fixed SQL
    rows = db.dicts(
        "SELECT p.id, p.name, p.prefecture, p.region, p.helps_with, p.languages, p.contact, p.hours, "  # noqa: S608
        "(SELECT count(*) FROM library_case_partner cp JOIN library_case c ON c.id = cp.case_id "
        f"AND c.status = 'published' WHERE cp.partner_id = p.id) AS cases FROM partner p WHERE {where} "
        "ORDER BY p.prefecture, p.name_key, p.id LIMIT ? OFFSET ?",
        [*params, PAGE_SIZE, (max(1, page) - 1) * PAGE_SIZE])
    return _with_fields(db, rows), total


def _relation(db, actor: Actor, status: str, proposed_by: int) -> str:
    if status == "published":
        require_reader(db, actor)
        return "manager" if actor.has("manager") else "proposer" if proposed_by == actor.id else "reader"
    require_role(actor, *READER_ROLES, GRADUATE, db=db)
    if actor.has("manager"):
        return "manager"
    if proposed_by == actor.id:
        require_contributor(db, actor)
        return "proposer"
    raise NotFound()


def partner(db: Database, actor: Actor, partner_id: int) -> PartnerView:
    """One entry with its fields and the published cases that used it."""
    rows = db.dicts("SELECT p.*, u.display_name AS proposer_name FROM partner p JOIN app_user u "
                    "ON u.id = p.proposed_by WHERE p.id = ?", [partner_id])
    if not rows:
        raise NotFound()
    row = rows[0]
    relation = _relation(db, actor, row["status"], row["proposed_by"])
    order = {d.code: i for i, d in enumerate(programme_domains(db))}
    fields = tuple(sorted((f for (f,) in db.rows("SELECT domain FROM partner_field WHERE partner_id = ?",
                                                 [partner_id])), key=lambda f: order.get(f, len(order))))
    cases = db.dicts("SELECT c.id, c.title FROM library_case_partner cp JOIN library_case c ON c.id = cp.case_id "
                     "WHERE cp.partner_id = ? AND c.status = 'published' ORDER BY c.published_at DESC, c.id DESC",
                     [partner_id])
    staff = relation in ("proposer", "manager")
    editable = {"proposer": ("proposed", "returned"), "manager": ("proposed", "returned", "published")}
    return PartnerView(
        id=row["id"], content=PartnerInput(**{n: row[n] for n in TEXT_LIMITS}, prefecture=row["prefecture"],
                                           fields=fields),
        region=row["region"], status=row["status"], proposed_by=row["proposed_by"],
        proposer_name=row["proposer_name"] if staff else "", updated_at=row["updated_at"],
        row_version=row["row_version"], return_reason=row["return_reason"] if staff else None, cases=cases,
        may_edit=row["status"] in editable.get(relation, ()),
        may_decide=relation == "manager" and row["status"] != "withdrawn")


def my_partners(db: Database, actor: Actor) -> list[dict]:
    """The entries the person proposed, newest first, whatever their state."""
    require_contributor(db, actor)
    return db.dicts("SELECT id, name, prefecture, status, return_reason, updated_at FROM partner "
                    "WHERE proposed_by = ? ORDER BY updated_at DESC, id DESC", [actor.id])


def partner_queue(db: Database, actor: Actor) -> list[dict]:
    """Managers: proposed entries waiting for a decision, oldest first."""
    require_role(actor, "manager", db=db)
    return _with_fields(db, db.dicts(
        "SELECT p.id, p.name, p.prefecture, p.region, u.display_name AS proposer_name, p.created_at "
        "FROM partner p JOIN app_user u ON u.id = p.proposed_by WHERE p.status = 'proposed' "
        "ORDER BY p.created_at, p.id"))


def partner_choices(db: Database, actor: Actor) -> list[dict]:
    """Every published entry (id, name, prefecture), for naming the partners a case used."""
    require_contributor(db, actor)
    return db.dicts("SELECT id, name, prefecture FROM partner WHERE status = 'published' "
                    "ORDER BY prefecture, name_key, id")


# -- writing -------------------------------------------------------------------------------------------------------
def propose_partner(db: Database, actor: Actor, content: PartnerInput) -> int:
    """A new entry, waiting for a manager. Refused when the organisation is already listed in that prefecture."""
    require_contributor(db, actor)
    content = clean(db, content)

    def run(tx: Transaction) -> int:
        if same_entry(tx, content) is not None:
            raise InvalidInput("library.error_partner_exists")
        partner_id = insert_entry(tx, actor.id, content, "proposed")
        audit(tx, actor.id, "library.partner_proposed", "partner", partner_id, None, {"status": "proposed"})
        return partner_id

    return db.write(run)


def _current(tx, partner_id: int, seen_version: int) -> tuple[str, int]:
    row = tx.one("SELECT status, row_version FROM partner WHERE id = ?", [partner_id])
    if row is None:
        raise NotFound()
    if row[1] != seen_version:
        raise StaleWrite("library.error_stale")
    return row


def _may_write(db, actor: Actor, partner_id: int, proposer: tuple[str, ...], manager: tuple[str, ...]) -> None:
    """As cases._may_write: NotFound for who may not read the entry, AccessDenied for who may read it but never make
    this change, InvalidInput when the change is theirs in another state."""
    row = db.one("SELECT status, proposed_by FROM partner WHERE id = ?", [partner_id])
    if row is None:
        raise NotFound()
    relation = _relation(db, actor, *row)
    allowed = set(manager if relation == "manager" else ())
    if row[1] == actor.id and relation in ("proposer", "manager"):
        allowed |= set(proposer)
    if not allowed:
        raise AccessDenied()
    if row[0] not in allowed:
        raise InvalidInput("library.error_state", status=f"library.status.{row[0]}")


def save_partner(db: Database, actor: Actor, partner_id: int, content: PartnerInput, row_version: int) -> int:
    """Change an entry: its proposer while it waits or was returned, a manager also once published."""
    _may_write(db, actor, partner_id, ("proposed", "returned"), ("proposed", "returned", "published"))
    content = clean(db, content)

    def run(tx: Transaction) -> int:
        _current(tx, partner_id, row_version)
        if same_entry(tx, content, other_than=partner_id) is not None:
            raise InvalidInput("library.error_partner_exists")
        update_entry(tx, partner_id, content)
        return row_version + 1

    return db.write(run)


def _decide(db, actor: Actor, partner_id: int, row_version: int, status: str, allowed: tuple[str, ...],
            reason: str | None = None) -> int:
    require_role(actor, "manager", db=db)
    _may_write(db, actor, partner_id, (), allowed)

    def run(tx: Transaction) -> int:
        before, _version = _current(tx, partner_id, row_version)
        if status == "returned" and before == "returned":
            raise InvalidInput("library.error_state", status="library.status.returned")
        tx.execute("UPDATE partner SET status = ?, decided_by = ?, decided_at = ?, return_reason = ?, updated_at = ?, "
                   "row_version = row_version + 1 WHERE id = ?",
                   [status, actor.id, now_utc(), reason if status == "returned" else None, now_utc(), partner_id])
        audit(tx, actor.id, f"library.partner_{status}", "partner", partner_id, {"status": before},
              {"status": status}, reason)
        return row_version + 1

    return db.write(run)


def publish_partner(db: Database, actor: Actor, partner_id: int, row_version: int) -> int:
    """Managers: a proposed (or returned and corrected) entry goes into the directory."""
    return _decide(db, actor, partner_id, row_version, "published", ("proposed", "returned"))


def return_partner(db: Database, actor: Actor, partner_id: int, reason: str, row_version: int) -> int:
    """Managers: back to the proposer with the reason."""
    reason = check_length(reason, REASON_LIMIT)
    if not reason:
        raise InvalidInput("library.error_reason")
    return _decide(db, actor, partner_id, row_version, "returned", ("proposed",), reason)


def withdraw_partner(db: Database, actor: Actor, partner_id: int, reason: str, row_version: int) -> int:
    """Managers: out of the directory (kept; the cases that named it no longer show it)."""
    reason = check_length(reason, REASON_LIMIT)
    if not reason:
        raise InvalidInput("library.error_reason")
    return _decide(db, actor, partner_id, row_version, "withdrawn", ("proposed", "returned", "published"), reason)
