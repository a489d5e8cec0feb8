"""The problem domains cases and partners are tagged with (a list each programme edits), the regions, and the
prefectures that fall in each.

Domains are data per programme (table library_domain). A programme without rows uses DEFAULT_DOMAINS, the list of
the programme's plan; the managers' first edit writes the whole list, so the programme owns it from then on. A
domain is never deleted: retired, it stays on the cases and partners that carry it and is no longer offered.
Regions and prefectures are fixed (JIS prefecture codes; '00' nationwide); their names are catalogue messages
(library.region.<code>, library.pref.<code>), so both languages read them."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ..access import Actor, require_role
from ..clock import now_utc
from ..errors import InvalidInput, StaleWrite
from ..i18n import catalogue
from ..programme.auth import audit
from ..store.db import Database, Transaction
from .audience import require_reader

DOMAIN_NAME_LIMIT = 40


@dataclass(frozen=True)
class Domain:
    code: str
    name_ja: str
    name_en: str
    retired: bool = False


DEFAULT_DOMAINS = (
    Domain("residence", "在留手続", "Residence procedures"),
    Domain("labour", "労働", "Work and employment"),
    Domain("health_welfare", "医療・福祉", "Health and welfare"),
    Domain("education_childcare", "教育・子育て", "Education and childcare"),
    Domain("housing", "住まい", "Housing"),
    Domain("tax_pension_insurance", "税・年金・保険", "Tax, pension and insurance"),
    Domain("dv_human_rights", "DV・人権", "Domestic violence and human rights"),
    Domain("disaster", "災害", "Disasters"),
    Domain("other", "その他", "Other"),
)

REGIONS = ("hokkaido", "tohoku", "kanto", "chubu", "kinki", "chugoku", "shikoku", "kyushu_okinawa", "nationwide")
NATIONWIDE = "00"
# JIS X 0401 prefecture code -> region
PREFECTURES: dict[str, str] = {
    "00": "nationwide", "01": "hokkaido",
    **{c: "tohoku" for c in ("02", "03", "04", "05", "06", "07")},
    **{c: "kanto" for c in ("08", "09", "10", "11", "12", "13", "14")},
    **{c: "chubu" for c in ("15", "16", "17", "18", "19", "20", "21", "22", "23")},
    **{c: "kinki" for c in ("24", "25", "26", "27", "28", "29", "30")},
    **{c: "chugoku" for c in ("31", "32", "33", "34", "35")},
    **{c: "shikoku" for c in ("36", "37", "38", "39")},
    **{c: "kyushu_okinawa" for c in ("40", "41", "42", "43", "44", "45", "46", "47")},
}


def _programme_id(db) -> int | None:
    return db.value("SELECT id FROM programme ORDER BY id LIMIT 1")


def programme_domains(db, *, include_retired: bool = True) -> list[Domain]:
    """The programme's domains in their order (the defaults while it has none of its own). No access check: the
    list is the programme's vocabulary, used by the services of this package after their own checks."""
    rows = db.rows("SELECT code, name_ja, name_en, retired FROM library_domain WHERE programme_id = ? ORDER BY seq",
                   [_programme_id(db)])
    found = [Domain(*row) for row in rows] if rows else list(DEFAULT_DOMAINS)
    return [d for d in found if include_retired or not d.retired]


def domains(db: Database, actor: Actor, *, include_retired: bool = False) -> list[Domain]:
    """The domains offered to tag and filter by (retired ones too when asked, to name what older items carry)."""
    require_reader(db, actor)
    return programme_domains(db, include_retired=include_retired)


def save_domains(db: Database, actor: Actor, edited: list[Domain], seen: list[Domain]) -> int:
    """Managers: the programme's list as edited (order as given; a new entry gets a code; one left out is retired,
    never deleted). `seen` is the list the manager started from: another manager's edit meanwhile is StaleWrite.
    Returns how many entries changed; the change is audited with before and after."""
    require_role(actor, "manager", db=db)
    cleaned = []
    for domain in edited:
        ja, en = _name(domain.name_ja), _name(domain.name_en)
        if not ja or not en:
            raise InvalidInput("library.error_domain_name")
        cleaned.append(Domain(domain.code or "", ja, en, bool(domain.retired)))
    names = [d.name_ja for d in cleaned if not d.retired]
    if len(set(names)) != len(names):
        raise InvalidInput("library.error_domain_repeated")
    if not names:
        raise InvalidInput("library.error_domain_none")

    def run(tx: Transaction) -> int:
        before = programme_domains(tx)
        if before != list(seen):
            raise StaleWrite()
        known = {d.code for d in before}
        kept = {d.code for d in cleaned if d.code in known}
        final = [d if d.code in known else Domain(_new_code(known | kept, i), d.name_ja, d.name_en, d.retired)
                 for i, d in enumerate(cleaned)]
        final += [Domain(d.code, d.name_ja, d.name_en, True) for d in before if d.code not in kept]
        if final == before:
            return 0
        programme_id = _programme_id(tx)
        tx.execute("DELETE FROM library_domain WHERE programme_id = ?", [programme_id])
        now = now_utc()
        tx.executemany("INSERT INTO library_domain (programme_id, code, seq, name_ja, name_en, retired, updated_by, "
                       "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       [(programme_id, d.code, seq, d.name_ja, d.name_en, d.retired, actor.id, now)
                        for seq, d in enumerate(final, start=1)])
        audit(tx, actor.id, "library.domains_edited", "programme", programme_id,
              [d.__dict__ for d in before], [d.__dict__ for d in final])
        return sum(1 for d in final if d not in before)

    return db.write(run)


def _name(text: str | None) -> str:
    text = " ".join((text or "").split())
    if len(text) > DOMAIN_NAME_LIMIT:
        raise InvalidInput("input.too_long", limit=DOMAIN_NAME_LIMIT, actual=len(text))
    return text


def _new_code(taken: set[str], position: int) -> str:
    number = position + 1
    while f"domain_{number}" in taken:
        number += 1
    taken.add(f"domain_{number}")
    return f"domain_{number}"


# -- matching what people type (imports) -----------------------------------------------------------------------------
def _folded(text: str) -> str:
    return re.sub(r"[\s\-_・()（）]", "", unicodedata.normalize("NFKC", text or "").lower())


def prefecture_code(text: str) -> str | None:
    """The JIS code of a prefecture as people write it: 13, 東京都, 東京, Tokyo, Tokyo-to, 全国, nationwide."""
    folded = _folded(text)
    if folded.isdigit():
        return folded.zfill(2) if folded.zfill(2) in PREFECTURES else None
    for code in PREFECTURES:
        ja = _folded(catalogue("ja").get(f"library.pref.{code}", ""))
        en = _folded(catalogue("en").get(f"library.pref.{code}", ""))
        forms = {ja, en} if code == NATIONWIDE else {ja, en, re.sub("[都道府県]$", "", ja)}  # 東京 for 東京都
        if folded and (folded in forms or re.sub("(to|do|fu|ken)$", "", folded) == en):  # Tokyo-to, Osaka-fu
            return code
    return None


def domain_codes(text: str, known: list[Domain]) -> tuple[list[str], list[str]]:
    """(codes, pieces not understood) of a cell listing domains by code or name in either language, separated by
    ; 、 / | or a line break (・ and "," are parts of names: 医療・福祉, "Tax, pension and insurance")."""
    by_name = {}
    for domain in known:
        for name in (domain.code, domain.name_ja, domain.name_en):
            by_name[_folded(name)] = domain.code
    codes, unknown = [], []
    for piece in re.split(r"[;；、/／|｜\n]", unicodedata.normalize("NFKC", text or "")):
        if not piece.strip():
            continue
        code = by_name.get(_folded(piece))
        if code is None:
            unknown.append(piece.strip())
        elif code not in codes:
            codes.append(code)
    return codes, unknown

