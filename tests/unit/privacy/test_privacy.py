"""The privacy guard catches client identifiers, full-width included, and leaves ordinary text alone."""
import pytest

from coordsupervise.privacy.guard import scan_text, unconfirmed


@pytest.mark.parametrize("text, kind", [
    ("在留カード番号はAB12345678CDです", "residence_card"),
    ("カード ＡＢ１２３４５６７８ＣＤ を確認", "residence_card"),
    ("マイナンバー 1234 5678 9012 を控えた", "my_number"),
    ("番号は１２３４５６７８９０１２", "my_number"),
    ("携帯 090-1234-5678 に連絡", "phone"),
    ("電話 ０３−１２３４−５６７８", "phone"),
    ("+81 90 1234 5678 から着信", "phone"),
    ("連絡先 tanaka.hanako@example.co.jp", "email"),
    ("1988年4月12日生まれの女性", "birth_date"),
    ("生年月日:平成2年3月4日", "birth_date"),
    ("生年月日 1990/01/02", "birth_date"),
    ("住所は〒150-0001", "postal_address"),
    ("浜松市中区元城町1丁目2番3号に住む", "postal_address"),
])
def test_finds_identifiers(text, kind):
    assert kind in [f.kind for f in scan_text(text)], scan_text(text)


@pytest.mark.parametrize("text", [
    "相談者コード K-123 の在留期限を確認した。",
    "本日は5件の相談に対応した。うち2件は労働相談。",
    "2026年11月27日の振り返り。",
    "在留期間は3年。次回の更新は来年4月。",
    "モジュール12の事例検討を思い出した。",
    "C1とC3を意識した。自己評価は3。",
    "午後3時から1時間半の面談。",
])
def test_ordinary_reflection_text_passes(text):
    assert scan_text(text) == []


def test_confirmed_findings_no_longer_block():
    findings = scan_text("研修会場の電話 03-1234-5678 に問い合わせた")
    assert len(findings) == 1
    assert unconfirmed(findings, {("phone", findings[0].text)}) == []


def test_the_same_span_is_reported_once_across_fields():
    from coordsupervise.privacy.guard import scan

    findings = scan({"event": "090-1234-5678 と 090-1234-5678", "insight": "もう一度 090-1234-5678"})
    assert [(f.kind, f.text, f.field) for f in findings] == [("phone", "090-1234-5678", "event")]
