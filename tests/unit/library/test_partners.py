"""The partner directory: proposals and decisions, search in the reader's terms, and the CSV/XLSX import that
reads Japanese or English headers, names every problem by line and column, and writes every row or none."""
import io

import pytest
from openpyxl import Workbook

from coordsupervise.errors import AccessDenied, InvalidInput
from coordsupervise.library import partner_import, partners
from coordsupervise.library.domains import prefecture_code
from coordsupervise.library.partners import PartnerFilter, PartnerInput
from coordsupervise.office.tabular import CREATED, REJECTED, UNCHANGED, UPDATED, read_table
from tests.conftest import actor_of


def csv(text: str, encoding: str = "utf-8-sig") -> bytes:
    return text.encode(encoding)


def test_a_proposal_waits_for_a_manager_and_is_one_entry_per_prefecture(demo_db):
    supervisor, manager = actor_of(demo_db, "demo-supervisor"), actor_of(demo_db, "demo-manager")
    reader = actor_of(demo_db, "demo-trainee")
    partner_id = partners.propose_partner(demo_db, supervisor, PartnerInput(
        "みなと外国人相談室", "13", ("residence", "labour"), languages="英語、ネパール語"))
    found, _ = partners.search_partners(demo_db, reader, PartnerFilter(query="みなと"))
    assert found == []  # not published yet
    with pytest.raises(AccessDenied):
        partners.publish_partner(demo_db, supervisor, partner_id, 1)
    partners.publish_partner(demo_db, manager, partner_id, 1)
    found, total = partners.search_partners(demo_db, reader, PartnerFilter(query="ネパール", prefecture="13"))
    assert partner_id in [r["id"] for r in found]
    with pytest.raises(InvalidInput) as again:  # the same organisation, written another way
        partners.propose_partner(demo_db, supervisor, PartnerInput("ミナト外国人相談室", "13", ("labour",)))
    assert again.value.key == "library.error_partner_exists"
    with pytest.raises(AccessDenied):  # trainees read the directory, they do not propose
        partners.propose_partner(demo_db, reader, PartnerInput("別の相談室", "13", ("labour",)))


def test_search_by_field_region_and_reading(demo_db):
    reader = actor_of(demo_db, "demo-graduate")
    found, total = partners.search_partners(demo_db, reader, PartnerFilter(field="disaster"))
    assert total >= 2 and all("disaster" in r["fields"] for r in found)
    found, _ = partners.search_partners(demo_db, reader, PartnerFilter(region="kinki"))
    assert found and {r["region"] for r in found} == {"kinki"}
    found, _ = partners.search_partners(demo_db, reader, PartnerFilter(query="ろうどう"))  # 労働 by its reading
    assert any("労働" in r["name"] for r in found)
    used = demo_db.value("SELECT id FROM partner WHERE name = 'ぐんま定住外国人支援協会'")
    assert partners.partner(demo_db, reader, used).cases  # the library cases that used it


@pytest.mark.parametrize("written, code", [("東京都", "13"), ("東京", "13"), ("Tokyo", "13"), ("tokyo-to", "13"),
                                           ("13", "13"), ("大阪府", "27"), ("Osaka-fu", "27"), ("京都", "26"),
                                           ("北海道", "01"), ("全国", "00"), ("Nationwide", "00"), ("東京県", None)])
def test_prefectures_as_people_write_them(written, code):
    assert prefecture_code(written) == code


def test_import_with_japanese_headers_previews_then_writes_every_row(demo_db):
    manager = actor_of(demo_db, "demo-manager")
    data = csv("団体名,分野,都道府県,対応言語\n"
               "みなと外国人相談室,在留手続;労働,東京都,英語\n"
               "北の大地外国人相談センター,在留手続;労働;その他,北海道,やさしい日本語、英語、中国語、ベトナム語\n"
               "かもめ多文化センター,医療・福祉、Housing,Kanagawa,\n")
    preview = partner_import.preview_partners(demo_db, manager, data, "連携先.csv")
    assert [r.action for r in preview.rows] == [CREATED, UPDATED, CREATED]
    before = demo_db.value("SELECT count(*) FROM partner")
    counts = partner_import.commit_partners(demo_db, manager, data, "連携先.csv")
    assert counts[CREATED] == 2 and counts[UPDATED] == 1
    assert demo_db.value("SELECT count(*) FROM partner") == before + 2
    assert demo_db.value("SELECT status FROM partner WHERE name = 'かもめ多文化センター'") == "published"
    assert {f for (f,) in demo_db.rows("SELECT domain FROM partner_field f JOIN partner p ON p.id = f.partner_id "
                                       "WHERE p.name = 'かもめ多文化センター'")} == {"health_welfare", "housing"}
    again = partner_import.preview_partners(demo_db, manager, data, "連携先.csv")
    assert {r.action for r in again.rows} == {UNCHANGED}  # the same file twice changes nothing the second time


def test_import_commits_nothing_when_a_row_fails_and_names_line_and_column(demo_db):
    manager = actor_of(demo_db, "demo-manager")
    data = csv("organisation,fields,prefecture,region\n"
               "Harbour Support Desk,Residence procedures,Kanagawa,Kanto\n"
               "Nowhere Centre,Astrology,Atlantis,\n"
               "Harbour Support Desk,Housing,Kanagawa,\n"
               "Wrong Region Desk,Housing,Okinawa,Kanto\n")
    preview = partner_import.preview_partners(demo_db, manager, data, "partners.csv")
    problems = {(e.line, e.column, e.key) for e in preview.errors}
    assert (3, "fields", "library.import_bad_field") in problems
    assert (3, "prefecture", "library.import_bad_prefecture") in problems
    assert (4, "organisation", "library.import_repeated") in problems
    assert (5, "region", "library.import_region_mismatch") in problems
    assert preview.rows[0].action == CREATED and preview.rows[1].action == REJECTED
    before = demo_db.value("SELECT count(*) FROM partner")
    with pytest.raises(InvalidInput):
        partner_import.commit_partners(demo_db, manager, data, "partners.csv")
    assert demo_db.value("SELECT count(*) FROM partner") == before
    with pytest.raises(AccessDenied):
        partner_import.preview_partners(demo_db, actor_of(demo_db, "demo-supervisor"), data, "partners.csv")


def test_a_missing_column_is_a_file_error(demo_db):
    preview = partner_import.preview_partners(demo_db, actor_of(demo_db, "demo-manager"),
                                              csv("団体名,都道府県\nみなと,東京都\n"), "x.csv")
    assert [(e.line, e.key) for e in preview.errors] == [(1, "tabular.missing_column")]


def test_cp932_and_xlsx_files_import_too(demo_db):
    manager = actor_of(demo_db, "demo-manager")
    preview = partner_import.preview_partners(demo_db, manager, csv("団体名,分野,都道府県\nみなと相談室,労働,東京\n",
                                                                    "cp932"), "sjis.csv")
    assert preview.committable and preview.rows[0].action == CREATED
    book = Workbook()
    book.active.append(["団体名", "分野", "都道府県"])
    book.active.append(["やまなみ相談室", "災害", "長野県"])
    out = io.BytesIO()
    book.save(out)
    assert partner_import.commit_partners(demo_db, manager, out.getvalue(), "partners.xlsx")[CREATED] == 1


def test_the_export_reads_back_in_unchanged_and_is_safe_in_excel(demo_db):
    from coordsupervise.office.exports import csv_bytes

    manager = actor_of(demo_db, "demo-manager")
    demo_db.write(lambda tx: tx.execute("UPDATE partner SET notes = '=HYPERLINK(\"http://x\")' WHERE id = "
                                        "(SELECT min(id) FROM partner WHERE status = 'published')"))
    for language in ("ja", "en"):
        frame = partner_import.export_partners(demo_db, actor_of(demo_db, "demo-trainee"), language)
        data = csv_bytes(frame)
        assert data.startswith("\ufeff".encode()) and b"'=HYPERLINK" in data
        assert len(read_table(data, "export.csv").records) == demo_db.value(
            "SELECT count(*) FROM partner WHERE status = 'published'")
        preview = partner_import.preview_partners(demo_db, manager, data, "export.csv")
        # everything matches what is stored, but the one note whose formula the export made safe
        assert not preview.errors
        assert sum(1 for r in preview.rows if r.action != UNCHANGED) == 1


def test_the_template_imports_as_it_is(demo_db):
    for language in ("ja", "en"):
        preview = partner_import.preview_partners(demo_db, actor_of(demo_db, "demo-manager"),
                                                  partner_import.template_csv(language), "template.csv")
        assert preview.committable, preview.errors
