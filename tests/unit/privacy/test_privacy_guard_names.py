"""The guard's new kinds: passport numbers and personal names, each with positives and look-alikes (full-width
included), and the figures on the labelled set of tests/data/privacy_labelled.tsv."""
from pathlib import Path

import pytest

from coordsupervise.privacy.guard import scan, scan_text, unconfirmed

LABELLED = Path(__file__).resolve().parents[2] / "data" / "privacy_labelled.tsv"
HELD_OUT = Path(__file__).resolve().parents[2] / "data" / "privacy_heldout.tsv"


def kinds(text):
    return [f.kind for f in scan_text(text)]


@pytest.mark.parametrize("text, span", [
    ("旅券番号 TK1234567 を確認", "旅券番号 TK1234567"),
    ("パスポート番号はＴＫ１２３４５６７でした", "パスポート番号はTK1234567"),
    ("passport No. E12345678", "passport No. E12345678"),
    ("パスポート No.123456789（米国籍）", "パスポート No.123456789"),
    ("C1234567 の旅券で入国", "C1234567"),
    ("P1234567A と書かれたメモ", "P1234567A"),
    ("ＦＡ１２３４５６ のパスポート", "FA123456"),
])
def test_passport_numbers_half_and_full_width(text, span):
    assert [(f.kind, f.text) for f in scan_text(text)] == [("passport", span)]


@pytest.mark.parametrize("text", [
    "相談者コード K-576 の件", "受付番号 A-0012", "モジュール12", "C1とC3を意識した", "ケース #45",
    "パスポートの有効期限の確認方法を説明した", "旅券の更新は大使館で行う", "No.123 のケース",
])
def test_passport_look_alikes_pass(text):
    assert scan_text(text) == []


def test_a_residence_card_number_is_not_reported_twice_as_a_passport():
    assert kinds("在留カード AB12345678CD") == ["residence_card"]


@pytest.mark.parametrize("text, span", [
    ("グエン・ヴァン・アンさんの更新", "グエン・ヴァン・アンさん"),
    ("マリア＝サントスさんは来月", "マリア=サントスさん"),
    ("ホセ サントスさんの件", "ホセ サントスさん"),
    ("ｸﾞｴﾝさんに電話", "グエンさん"),
    ("ボランティア グエンさんと", "グエンさん"),
    ("田中花子さんの在留資格", "田中花子さん"),
    ("佐藤 太郎様に連絡", "佐藤 太郎様"),
    ("林さんと確認", "林さん"),
    ("陳氏の店", "陳氏"),
    ("山本健太君の母親", "山本健太君"),
    ("アナちゃん（7歳）", "アナちゃん"),
    ("Nguyen Van Anさんが来所", "Nguyen Van Anさん"),
    ("相談者 Maria Santos は来週", "Maria Santos"),
    ("Ｍｒ．Ｓｉｌｖａ の雇用主", "Mr.Silva"),
    ("Nguyễn Thị Hoa さんと面談", "Nguyễn Thị Hoa さん"),
    ("氏名はグエン・ティ・ランと記入", "氏名はグエン・ティ・ラン"),
    ("名前：マリア・ロドリゲス", "名前:マリア・ロドリゲス"),
])
def test_personal_names_in_every_script(text, span):
    assert [(f.kind, f.text) for f in scan_text(text)] == [("client_name", span)]


@pytest.mark.parametrize("text", [
    "通訳さんが到着", "大家さんに説明", "ケースワーカーさんと共有", "コーディネーターさんとして", "ボランティアさん",
    "ハローワークさんに問い合わせ", "市役所の担当者さん", "入管さんからの通知", "社会福祉協議会さん", "保健師さん",
    "お子さんの学校", "奥さんが妊娠中", "お母さん", "赤ちゃん", "皆さんの前で", "お客様対応", "相談者様",
    "たくさんの書類", "多様な背景", "同様の相談", "相手の様子", "様々な制度", "氏名を書いてもらう",
    "相談者Aさん", "Cさんの家族", "K-576さんの件", "某さん", "〇〇さん（匿名）", "ベトナム大使館さん",
    "技能実習生さん", "コンビニのオーナーさん", "ご苦労さん", "Hello Work の窓口", "Google Translate を使った",
    "New Zealand 出身", "Case Study の資料", "ネパール人の方", "技能実習機構さん", "住人さんとトラブル",
])
def test_roles_relatives_organisations_and_codes_pass(text):
    assert scan_text(text) == [], scan_text(text)


def test_a_confirmed_name_no_longer_blocks_and_its_kind_is_named():
    findings = scan({"event": "講師の田中先生ではなく田中さんと話した"})
    assert [(f.kind, f.text) for f in findings] == [("client_name", "田中さん")]
    assert unconfirmed(findings, {("client_name", "田中さん")}) == []


def figures(*files: Path):
    rows = [line.split("\t", 1) for path in files for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
    positives = [(kind, kinds(text)) for kind, text in rows if kind != "none"]
    negatives = [kinds(text) for kind, text in rows if kind == "none"]
    recall = sum(kind in found for kind, found in positives) / len(positives)
    false_alarms = sum(bool(found) for found in negatives) / len(negatives)
    return len(rows), recall, false_alarms


def test_the_labelled_set_meets_the_targets():
    size, recall, false_alarms = figures(LABELLED)
    print(f"labelled set: {size} sentences, recall {recall:.1%}, false alarms {false_alarms:.1%}")
    assert size >= 150
    assert recall >= 0.98
    assert false_alarms <= 0.05


def test_the_held_out_set_and_the_union_meet_the_targets():
    """The held-out sentences were written apart from the tuned set; README reports how they scored when first
    run (before the fixes they prompted) and now."""
    size, recall, false_alarms = figures(HELD_OUT)
    print(f"held-out set: {size} sentences, recall {recall:.1%}, false alarms {false_alarms:.1%}")
    assert size >= 60
    size, recall, false_alarms = figures(LABELLED, HELD_OUT)
    print(f"union: {size} sentences, recall {recall:.1%}, false alarms {false_alarms:.1%}")
    assert recall >= 0.98
    assert false_alarms <= 0.05


@pytest.mark.parametrize("text, span", [
    ("相談票の氏名欄に「ロペス・マリア」とあった", "氏名欄に「ロペス・マリア"),
    ("劉 建国さんは中国の家族に送金したい", "劉 建国さん"),
])
def test_names_the_held_out_set_found_missing(text, span):
    assert [(f.kind, f.text) for f in scan_text(text)] == [("client_name", span)]


@pytest.mark.parametrize("text", ["A社さんとB社さんの雇用条件", "3号棟さんの件", "社協 職員さんに連絡"])
def test_codes_before_a_kanji_word_are_not_names(text):
    assert scan_text(text) == []
