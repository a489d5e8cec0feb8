"""The guard's identifiers beyond names: spaced card numbers, disguised e-mails, romaji and 番地 addresses, short
和暦 birth dates, bank, insurance and pension numbers, messaging IDs (half- and full-width, Japanese and English),
each with its label; organisations' public contacts set aside without holding a submit back; the figures on the
labelled set and on the held-out set of tests/data/."""
from pathlib import Path

import pytest

from coordsupervise.i18n import catalogue
from coordsupervise.practice import reflections
from coordsupervise.practice.reflections import ReflectionBody
from coordsupervise.privacy import redaction
from coordsupervise.privacy.guard import KINDS, scan, scan_text, unconfirmed
from tests.conftest import DEMO_TODAY
from tests.unit.privacy.days import free_day

DATA = Path(__file__).resolve().parents[2] / "data"
LABELLED = DATA / "privacy_labelled.tsv"
HELD_OUT = [DATA / "privacy_heldout.tsv", DATA / "privacy_heldout_identifiers.tsv"]


def found(text):
    return [(f.kind, f.text) for f in scan_text(text)]


@pytest.mark.parametrize("text, kind, span", [
    ("在留カード番号は AB 1234 5678 CD でした", "residence_card", "AB 1234 5678 CD"),
    ("カード ＡＢ　１２３４　５６７８　ＣＤ を確認", "residence_card", "AB 1234 5678 CD"),
    ("新カード ＰＱ－１２３４－５６７８－ＲＳ", "residence_card", "PQ-1234-5678-RS"),
    ("特別永住者証明書の番号 SP 1234 5678 90", "special_permanent_resident_certificate",
     "特別永住者証明書の番号 SP 1234 5678 90"),
    ("番号欄に ＧＨ　９８７６　５４３２　１０", "special_permanent_resident_certificate", "GH 9876 5432 10"),
    ("連絡先は nguyen.an[at]example.com", "email", "nguyen.an[at]example.com"),
    ("メール：ｍａｒｉａ．ｓ（ａｔ）ｅｘａｍｐｌｅ．ｊｐ", "email", "maria.s(at)example.jp"),
    ("アドレス lan_tran＠example.ne.jp に送付", "email", "lan_tran@example.ne.jp"),
    ("email: joao.silva at example dot com", "email", "joao.silva at example dot com"),
    ("メアド an.nguyen★example.com", "email", "an.nguyen★example.com"),
    ("住所は 3-5-12 Sakae, Naka-ku です", "postal_address", "3-5-12 Sakae, Naka-ku"),
    ("Naka-ku Sakae 3-5-12 のアパート", "postal_address", "Naka-ku Sakae 3-5-12"),
    ("住所：大野町字中原１２番地の３", "postal_address", "大野町字中原12番地の3"),
    ("H13.4.3生の男性", "birth_date", "H13.4.3生"),
    ("Ｓ６０．１．２生まれ", "birth_date", "S60.1.2生まれ"),
    ("DOB: H13.4.3", "birth_date", "DOB: H13.4.3"),
    ("She was born on April 3, 2001.", "birth_date", "born on April 3, 2001"),
    ("振込先 普通 1234567", "bank_account", "普通 1234567"),
    ("ゆうちょ 記号 12345 番号 12345671", "bank_account", "記号 12345 番号 12345671"),
    ("保険証の記号 1234 番号 56", "health_insurance", "記号 1234 番号 56"),
    ("社保の記号番号 ４３２１－１２", "health_insurance", "記号番号 4321-12"),
    ("雇用保険被保険者番号 1234-567890-1", "employment_insurance", "雇用保険被保険者番号 1234-567890-1"),
    ("離職票の番号は ３４５６－７８９０１２－３", "employment_insurance", "3456-789012-3"),
    ("雇用保険の番号 12345678901", "employment_insurance", "雇用保険の番号 12345678901"),
    ("基礎年金番号 １２３４－５６７８９０", "basic_pension", "基礎年金番号 1234-567890"),
    ("LINE ID: nguyen_an88", "messaging_id", "LINE ID: nguyen_an88"),
    ("ＬＩＮＥ　ＩＤ　ｌａｎ＿ｔｒａｎ", "messaging_id", "LINE ID lan_tran"),
    ("WhatsApp +84 90 123 4567 で連絡", "messaging_id", "WhatsApp +84 90 123 4567"),
    ("インスタ @ana_lima_jp", "messaging_id", "インスタ @ana_lima_jp"),
    ("+84 90 123 4567 に電話", "phone", "+84 90 123 4567"),
])
def test_each_new_kind_half_and_full_width(text, kind, span):
    assert found(text) == [(kind, span)]


@pytest.mark.parametrize("text", [
    "在留カード番号の見方を説明した", "特別永住者証明書の更新手続き", "メールで連絡するよう伝えた",
    "We met at the station and walked to the ward office.", "I stayed at home. Then I went out.",
    "Module 3-5-2 was about interviews.", "1-2-3 Steps to apply を渡した", "住所の書き方（番地まで）を説明",
    "字幕の12番を見せた", "R8.12.7 面談", "R8.12.7生活保護の申請に同行", "H13年に来日", "普通の相談だった",
    "当座の生活費として 30000 円", "口座に 30000 円入金", "保険証の記号・番号は書かないように伝えた",
    "雇用保険の被保険者番号がわからない", "基礎年金番号通知書の再発行", "LINE で連絡を取り合っている",
    "LINE Pay の使い方", "WeChat Pay で送金", "LINE で IMG_0012.jpg を送ってもらった", "工場の生産ラインで働く",
    "ID 2026 1207 01 の記録", "+1 を付けて国際電話をかける",
])
def test_look_alikes_pass(text):
    assert scan_text(text) == []


@pytest.mark.parametrize("text, kind", [
    ("連携先の国際交流協会（代表 052-123-4567）に電話した", "phone"),
    ("外国人相談窓口 0120-123-456 を紹介", "phone"),
    ("The city's foreign resident desk (main line 052-961-0000) took the call.", "phone"),
    ("区役所（〒460-8508 名古屋市中区三の丸3-1-1）に同行", "postal_address"),
    ("〒460-0008 の地域は求人が多い", "postal_address"),
    ("協会の公式 LINE（@abc-kokusai）を案内", "messaging_id"),
    ("センターのメール info@example-center.jp に送付", "email"),
])
def test_an_organisations_public_contact_is_set_aside_not_held_back(text, kind):
    assert scan_text(text) == [] and scan({"event": text}) == []
    listed = scan_text(text, public=True)
    assert listed and all(f.public for f in listed) and kind in [f.kind for f in listed]
    assert unconfirmed(listed, set()) == []


@pytest.mark.parametrize("text, kind", [
    ("市役所で、本人の携帯 090-1234-5678 を聞いた", "phone"),  # a mobile is never a switchboard
    ("窓口で本人の自宅 052-000-1234 を聞いた", "phone"),  # the personal cue is nearer than the desk
    ("区役所に出す書類に名古屋市中区栄3-5-12（本人宅）と書いた", "postal_address"),
    ("センターの窓口で本人のメール an.tran[at]example.com を控えた", "email"),
    ("ハローワークで 4567-890123-4 の番号を照会した", "employment_insurance"),  # not a contact at all
])
def test_a_clients_identifier_next_to_an_organisation_is_still_held_back(text, kind):
    assert kind in [f.kind for f in scan_text(text)]


def test_every_kind_has_a_label_in_both_languages():
    for language in ("ja", "en"):
        assert [k for k in KINDS if f"privacy.{k}" not in catalogue(language)] == []


def figures(*files: Path):
    rows = [line.split("\t", 1) for path in files for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
    positives = [(kind, [f.kind for f in scan_text(text)]) for kind, text in rows if kind != "none"]
    negatives = [scan_text(text) for kind, text in rows if kind == "none"]
    recall = sum(kind in kinds for kind, kinds in positives) / len(positives)
    false_alarms = sum(bool(f) for f in negatives) / len(negatives)
    return len(rows), {kind for kind, _ in positives}, recall, false_alarms


def test_the_labelled_set_holds_every_kind_and_meets_the_targets():
    size, kinds, recall, false_alarms = figures(LABELLED)
    print(f"labelled set: {size} sentences, recall {recall:.1%}, false alarms {false_alarms:.1%}")
    assert size >= 268 + 150 and kinds == set(KINDS)
    assert recall >= 0.98 and false_alarms <= 0.05


def test_the_held_out_identifiers_are_reported_and_the_union_meets_the_targets():
    """privacy_heldout_identifiers.tsv was written before the patterns and never tuned on: docs/privacy.md reports
    its first figures. This only keeps a change from losing ground on it, and the whole from missing the targets."""
    size, _, recall, false_alarms = figures(HELD_OUT[1])
    print(f"held-out identifiers: {size} sentences, recall {recall:.1%}, false alarms {false_alarms:.1%}")
    assert size >= 60 and recall >= 0.95 and false_alarms <= 0.10
    size, _, recall, false_alarms = figures(LABELLED, *HELD_OUT)
    print(f"union: {size} sentences, recall {recall:.1%}, false alarms {false_alarms:.1%}")
    assert recall >= 0.98 and false_alarms <= 0.05


def body(event: str) -> ReflectionBody:
    return ReflectionBody(goal="連携", competencies=["C4"], case_count=1, case_fields="生活", event=event,
                          analysis="連携先の役割を整理した", try_text="事前に電話する", self_rating=3)


def test_a_partners_public_number_does_not_hold_back_a_submit_and_a_client_number_does(demo_db, new_trainee):
    trainee, enrolment = new_trainee
    day = free_day(demo_db, enrolment)
    partner = body("連携先の国際交流協会（代表 052-123-4567）に通訳を依頼した。")
    assert reflections.submit(demo_db, trainee, enrolment, day, partner, 0, set(), DEMO_TODAY) == 1
    assert demo_db.value("SELECT count(*) FROM privacy_confirmation WHERE reflection_id = (SELECT id FROM "
                         "reflection WHERE enrolment_id = ? AND practice_date = ?)", [enrolment.id, day]) == 0
    client = body("連携先に本人の在留カード ＡＢ　１２３４　５６７８　ＣＤ を伝えた。")
    with pytest.raises(reflections.PrivacyFindings) as held:
        reflections.submit(demo_db, trainee, enrolment, day, client, 1, set(), DEMO_TODAY)
    assert [(f.kind, f.text) for f in held.value.findings] == [("residence_card", "AB 1234 5678 CD")]


def test_redaction_blanks_a_number_however_it_was_spaced_or_widened(demo_db, new_trainee):
    trainee, enrolment = new_trainee
    day = free_day(demo_db, enrolment)
    written = body("カード ＡＢ　１２３４　５６７８　ＣＤ、控えには AB12345678CD。口座 普通 1234567、"
                   "基礎年金番号 1234-567890 と 1234567890。")
    confirmed = {(f.kind, f.text) for f in scan(written.texts())}
    reflections.submit(demo_db, trainee, enrolment, day, written, 0, confirmed, DEMO_TODAY)
    rid = reflections.open_day(demo_db, trainee, enrolment, day).reflection_id
    for span in ("AB 1234 5678 CD", "1234567", "1234-567890"):  # as the guard shows them
        redaction.redact(demo_db, trainee, rid, None, span)
    event = demo_db.value("SELECT event FROM reflection WHERE id = ?", [rid])
    m = redaction.MARKER
    assert event == f"カード {m}、控えには {m}。口座 普通 {m}、基礎年金番号 {m} と {m}。"
    assert demo_db.value("SELECT count(*) FROM privacy_confirmation WHERE reflection_id = ?", [rid]) == 0
