"""Names and organisations lose their bidi overrides on the way in (after U+202E a name reads backwards and can pass
for another): an account made by the office, a person's edit, a roster import (names, organisations, headers),
and a download's file name."""
from __future__ import annotations

import csv
import io
from datetime import date

from coordsupervise.office import exports, imports
from coordsupervise.programme import auth, people
from coordsupervise.programme.enrolments import current_for_trainee
from coordsupervise.text.textnorm import BIDI_CONTROLS
from tests.conftest import actor_of

RLO, PDF, RLI, PDI = "\u202e", "\u202c", "\u2067", "\u2069"


def _has_bidi(text: str | None) -> bool:
    return any(c in (text or "") for c in BIDI_CONTROLS)


def test_an_account_and_an_edit_keep_names_without_bidi_controls(demo_db):
    admin = actor_of(demo_db, "demo-admin")
    user_id = auth.create_user(demo_db, admin, "bidi.person", f"{RLO}子花 中田{PDF}", "正しい馬のバッテリー留め金",
                               ("supervisor",), kana=f"{RLI}なかた はなこ{PDI}")
    assert demo_db.one("SELECT display_name, display_name_kana FROM app_user WHERE id = ?", [user_id]) == \
        ("子花 中田", "なかた はなこ")
    people.update_person(demo_db, admin, user_id, display_name=f"  {RLO}田中 花子 ", kana=RLI, email=None,
                         roles=("supervisor",))
    assert demo_db.one("SELECT display_name, display_name_kana FROM app_user WHERE id = ?", [user_id]) == \
        ("田中 花子", None)


def test_a_roster_import_keeps_names_organisations_and_headers_without_bidi_controls(demo_db):
    admin = actor_of(demo_db, "demo-admin")
    cohort_id = current_for_trainee(demo_db, actor_of(demo_db, "demo-trainee")).cohort_id
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([
        ["ログインID", f"{RLO}氏名{PDF}", "ふりがな", "メールアドレス", "所属機関", "地域", "担当指導者"],
        ["bidi.import", f"{RLO}郎太 田山{PDF}", "やまだ たろう", "", f"{RLI}evil.exe{PDI} 相談センター", f"{RLO}中部",
         "demo-supervisor"]])
    data = out.getvalue().encode("utf-8")
    preview = imports.preview_roster(demo_db, admin, data, "roster.csv", cohort_id)
    assert preview.committable and not preview.errors
    imports.commit_roster(demo_db, admin, data, "roster.csv", cohort_id)
    name, organisation, region = demo_db.one(
        "SELECT u.display_name, o.name, o.region FROM app_user u JOIN enrolment e ON e.trainee_id = u.id "
        "JOIN organisation o ON o.id = e.organisation_id WHERE u.username = 'bidi.import'")
    assert (name, organisation, region) == ("郎太 田山", "evil.exe 相談センター", "中部")


def test_a_download_name_has_no_bidi_controls():
    name = exports.file_name("振り返り", f"{RLO}fdp.exe", date(2026, 12, 7), "csv")
    assert not _has_bidi(name) and name == "振り返り_fdp.exe_20261207.csv"
