"""Finding published cases: words (width-, kana- and case-insensitive, kanji words by their reading, as the inbox
searches reflections: ざいりゅう finds 在留, text/readings.py) and filters by domain, competency and region; and the
cases related to one (sharing its domains or competencies). Drafts never appear here, whoever asks."""
from __future__ import annotations

from dataclasses import dataclass

from ..access import Actor
from ..store.db import Database
from ..text.limits import bounded_query
from ..text.textnorm import search_key
from .audience import require_reader
from .cases import case
from .domains import programme_domains

PAGE_SIZE = 20
EXCERPT = 140      # characters of the situation shown in a list
MAX_WORDS = 5
RELATED = 5


@dataclass(frozen=True)
class CaseFilter:
    query: str = ""
    domain: str | None = None
    competency: str | None = None
    region: str | None = None


def _like(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _where(flt: CaseFilter) -> tuple[str, list]:
    parts, params = ["c.status = 'published'"], []
    for word in search_key(bounded_query(flt.query)).split()[:MAX_WORDS]:
        parts.append("c.search_text LIKE ? ESCAPE '\\'")
        params.append(_like(word))
    for kind, code in (("domain", flt.domain), ("competency", flt.competency)):
        if code:
            parts.append("EXISTS (SELECT 1 FROM library_case_tag t WHERE t.case_id = c.id AND t.kind = ? "
                         "AND t.code = ?)")
            params.extend([kind, code])
    if flt.region:
        parts.append("c.region = ?")
        params.append(flt.region)
    return " AND ".join(parts), params


def _with_tags(db, rows: list[dict]) -> list[dict]:
    ids = [r["id"] for r in rows]
    tags: dict[int, dict[str, list[str]]] = {i: {"domain": [], "competency": []} for i in ids}
    if ids:
        for case_id, kind, code in db.rows("SELECT case_id, kind, code FROM library_case_tag "
                                           "WHERE case_id IN (SELECT unnest(?)) ORDER BY case_id, kind, code", [ids]):
            tags[case_id][kind].append(code)
    order = {d.code: i for i, d in enumerate(programme_domains(db))}
    for row in rows:
        row["domains"] = sorted(tags[row["id"]]["domain"], key=lambda c: order.get(c, len(order)))
        row["competencies"] = tags[row["id"]]["competency"]
    return rows


def search_cases(db: Database, actor: Actor, flt: CaseFilter, page: int = 1) -> tuple[list[dict], int]:
    """One page of published cases matching every word and filter, newest first, and how many match in all. Each
    row: id, title, excerpt (the start of the situation), region, published_at, domains, competencies."""
    require_reader(db, actor)
    where, params = _where(flt)
    total = db.value(f"SELECT count(*) FROM library_case c WHERE {where}", params)  # noqa: S608 - fixed SQL
    offset = (max(1, page) - 1) * PAGE_SIZE
    rows = db.dicts(f"SELECT c.id, c.title, substr(c.situation, 1, ?) AS excerpt, c.region, c.published_at "  # noqa: S608
                    f"FROM library_case c WHERE {where} ORDER BY c.published_at DESC, c.id DESC LIMIT ? OFFSET ?",
                    [EXCERPT, *params, PAGE_SIZE, offset])
    return _with_tags(db, rows), total


def related_cases(db: Database, actor: Actor, case_id: int) -> list[dict]:
    """Published cases that share the most domains and competencies with this one (the case itself must be
    readable by the person), newest first among equals."""
    case(db, actor, case_id)
    rows = db.dicts(
        "SELECT c.id, c.title, c.region, c.published_at, count(*) AS shared FROM library_case c "
        "JOIN library_case_tag t ON t.case_id = c.id JOIN library_case_tag mine ON mine.case_id = ? "
        "AND mine.kind = t.kind AND mine.code = t.code WHERE c.status = 'published' AND c.id <> ? "
        "GROUP BY c.id, c.title, c.region, c.published_at ORDER BY shared DESC, c.published_at DESC, c.id DESC "
        "LIMIT ?", [case_id, case_id, RELATED])
    return _with_tags(db, rows)


def published_titles(db: Database, actor: Actor) -> dict[int, str]:
    """Every published case's title by id, newest first (to choose a workshop's case set from)."""
    require_reader(db, actor)
    return dict(db.rows("SELECT id, title FROM library_case WHERE status = 'published' "
                        "ORDER BY published_at DESC, id DESC"))
