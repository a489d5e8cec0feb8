"""The partner directory from a file and back: CSV (UTF-8 or CP932) or XLSX with Japanese or English headers, read
by office/tabular.py; a template; an export that reads back in.

Managers only. The import follows tabular.py: every row is planned (created / updated / unchanged / rejected with
its line, column and reason) without writing; the commit plans again from the same bytes inside one transaction and
writes every row or none. A row is the organisation in a prefecture: one already in the directory (same name,
compared width-, kana-, case- and space-insensitively, and prefecture) is updated, a new one is published at once
(a manager's import is a manager's decision). Fields are domains by name (either language) or code, separated by
; 、 / or |; the prefecture by name (東京都, 東京, Tokyo) or JIS code; a region column, when present, must agree with
the prefecture. The export writes the same columns, so an exported file edited in Excel imports again."""
from __future__ import annotations

import pandas as pd

from ..access import Actor, require_role
from ..errors import UserError
from ..i18n import catalogue
from ..office import tabular
from ..office.exports import csv_bytes
from ..office.tabular import CREATED, REJECTED, UNCHANGED, UPDATED, Column, PlannedRow, RowError, Schema
from ..programme.auth import audit
from ..store.db import Database, Transaction
from ..text.textnorm import name_key
from .audience import require_reader
from .domains import PREFECTURES, domain_codes, prefecture_code, programme_domains
from .partners import TEXT_LIMITS, PartnerInput, clean, insert_entry, update_entry

PARTNERS = Schema((
    Column("name", "団体名", "organisation", aliases=("連携先", "名称", "機関名", "organization", "name"),
           max_length=TEXT_LIMITS["name"], sample="○○市国際交流協会"),
    Column("fields", "分野", "fields", aliases=("支援分野", "field", "domains"), max_length=300,
           sample="在留手続;教育・子育て"),
    Column("prefecture", "都道府県", "prefecture", aliases=("所在地", "pref"), max_length=20, sample="静岡県"),
    Column("region", "地域", "region", aliases=("ブロック", "area"), required=False, max_length=30, sample="中部"),
    Column("helps_with", "支援内容", "helps with", aliases=("相談内容", "what they help with", "services"),
           required=False, max_length=TEXT_LIMITS["helps_with"], sample="外国人の生活相談、通訳派遣"),
    Column("languages", "対応言語", "languages", aliases=("言語", "language"), required=False,
           max_length=TEXT_LIMITS["languages"], sample="やさしい日本語、ポルトガル語、英語"),
    Column("contact", "連絡先", "contact", aliases=("電話", "窓口", "public contact"), required=False,
           max_length=TEXT_LIMITS["contact"], sample="https://example.jp/soudan"),
    Column("hours", "受付時間", "opening hours", aliases=("開所時間", "hours"), required=False,
           max_length=TEXT_LIMITS["hours"], sample="平日 9:00〜17:00"),
    Column("notes", "備考", "notes", aliases=("メモ", "comment"), required=False, max_length=TEXT_LIMITS["notes"],
           sample=""),
))


def template_csv(language: str = "ja") -> bytes:
    """Headers and one sample row, UTF-8 with a BOM (Japanese Excel opens it as it is)."""
    header, sample = PARTNERS.template_rows(language)
    return csv_bytes(pd.DataFrame([sample], columns=header))


def _region_code(text: str) -> str | None:
    folded = tabular.header_key(text)
    for code in set(PREFECTURES.values()):
        for language in ("ja", "en"):
            if folded == tabular.header_key(catalogue(language).get(f"library.region.{code}", "")):
                return code
    return None


def _plan(tx, data: bytes, filename: str) -> tabular.Preview:
    table = tabular.read_table(data, filename)
    records, errors = PARTNERS.map(table)
    known = programme_domains(tx, include_retired=False)
    fields_of: dict[int, list[str]] = {}
    for pid, domain in tx.rows("SELECT f.partner_id, f.domain FROM partner_field f JOIN partner p "
                               "ON p.id = f.partner_id WHERE p.status <> 'withdrawn'"):
        fields_of.setdefault(pid, []).append(domain)
    current = {}
    for pid, key, pref, *rest in tx.rows(
            "SELECT id, name_key, prefecture, name, helps_with, languages, contact, hours, notes FROM partner "
            "WHERE status <> 'withdrawn' ORDER BY id"):
        current.setdefault((key, pref), (pid, tuple(rest), tuple(sorted(fields_of.get(pid, [])))))
    headers = PARTNERS.headers_in(table)
    seen: dict[tuple[str, str], int] = {}

    def decide(record) -> PlannedRow:
        v, problems = record.values, []
        prefecture = prefecture_code(v["prefecture"])
        fields, unknown = domain_codes(v["fields"], known)
        if prefecture is None:
            problems.append(RowError(record.line, headers["prefecture"], "library.import_bad_prefecture",
                                     {"value": v["prefecture"]}))
        if unknown:
            problems.append(RowError(record.line, headers["fields"], "library.import_bad_field",
                                     {"value": "; ".join(unknown)}))
        elif not fields:
            problems.append(RowError(record.line, headers["fields"], "tabular.required"))
        if v.get("region") and prefecture is not None and _region_code(v["region"]) != PREFECTURES[prefecture]:
            problems.append(RowError(record.line, headers["region"], "library.import_region_mismatch",
                                     {"value": v["region"]}))
        content = PartnerInput(name=v["name"], prefecture=prefecture or "", fields=tuple(fields),
                               **{n: v.get(n, "") for n in TEXT_LIMITS if n != "name"})
        if not problems:
            try:
                content = clean(tx, content)
            except UserError as exc:
                problems.append(RowError(record.line, "", exc.key, dict(exc.params)))
        key = (name_key(v["name"]), prefecture)
        if key in seen:
            problems.append(RowError(record.line, headers["name"], "library.import_repeated", {"line": seen[key]}))
        else:
            seen[key] = record.line
        values = {"name": content.name, "prefecture": content.prefecture, "fields": ";".join(content.fields)}
        if problems:
            return PlannedRow(record.line, REJECTED, values, problems)
        before = current.get(key)
        values["content"] = content
        if before is None:
            return PlannedRow(record.line, CREATED, values)
        texts = tuple(getattr(content, n) for n in TEXT_LIMITS)
        values["id"] = before[0]
        same = before[1] == texts and before[2] == tuple(sorted(content.fields))
        return PlannedRow(record.line, UNCHANGED if same else UPDATED, values)

    return tabular.build_preview("partners", data, table, records, errors, decide)


def preview_partners(db: Database, actor: Actor, data: bytes, filename: str) -> tabular.Preview:
    """What importing the file would do, row by row, without writing."""
    require_role(actor, "manager", db=db)
    return _plan(db, data, filename)


def commit_partners(db: Database, actor: Actor, data: bytes, filename: str) -> dict[str, int]:
    """Every row or none (InvalidInput when any row or the file is rejected). Returns the counts per action."""
    require_role(actor, "manager", db=db)

    def run(tx: Transaction) -> dict[str, int]:
        preview = _plan(tx, data, filename)
        tabular.require_committable(preview)
        for row in preview.rows:
            if row.action == CREATED:
                insert_entry(tx, actor.id, row.values["content"], "published")
            elif row.action == UPDATED:
                update_entry(tx, row.values["id"], row.values["content"])
        if preview.changes:
            audit(tx, actor.id, "library.partners_imported", "partner", "-", None,
                  {"file": filename[:120], "sha256": preview.sha256, **preview.counts})
        return preview.counts

    return db.write(run)


def export_partners(db: Database, actor: Actor, language: str = "ja") -> pd.DataFrame:
    """Every published entry in the import's columns and `language` (fields, prefectures and regions by name)."""
    require_reader(db, actor)
    names = {d.code: d.name_en if language == "en" else d.name_ja for d in programme_domains(db)}
    words = catalogue(language)
    fields_of: dict[int, list[str]] = {}
    for pid, domain in db.rows("SELECT f.partner_id, f.domain FROM partner_field f JOIN partner p "
                               "ON p.id = f.partner_id WHERE p.status = 'published' ORDER BY f.partner_id"):
        fields_of.setdefault(pid, []).append(domain)
    order = {d.code: i for i, d in enumerate(programme_domains(db))}
    rows = db.rows("SELECT id, name, prefecture, region, helps_with, languages, contact, hours, notes FROM partner "
                   "WHERE status = 'published' ORDER BY prefecture, name_key, id")
    return pd.DataFrame(
        [[name, ";".join(names.get(f, f) for f in sorted(fields_of.get(pid, []), key=lambda f: order.get(f, 99))),
          words.get(f"library.pref.{pref}", pref), words.get(f"library.region.{region}", region), *rest]
         for pid, name, pref, region, *rest in rows], columns=PARTNERS.header(language))
