"""Finding identifiers other than names in a reflection (part of the privacy guard, see privacy/guard.py): card,
passport, My Number, insurance, pension and bank numbers, phone numbers, e-mail addresses (also written to dodge
links: name[at]example.com, name at example dot com), messaging and social IDs given as a contact, birth dates
(also short 和暦: H13.4.3生) and addresses (kanji, 番地, romaji: 3-5-12 Sakae, Naka-ku).

Every pattern runs on NFKC text (full-width digits and letters are ASCII there) and is compiled once, here. The
detectors run in order and the first to claim a character wins, so the announced and the most specific shapes come
first (基礎年金番号 1234-567890 is a pension number, not a phone number).

An organisation's public contact (a number or an address next to 代表, 窓口, 市役所, 公式, a partner's name, or a
free-dial 0120 number; a postal code naming an area) is not a client's identifier: `is_public` tells it apart, by
the nearest cue before it in the same sentence (or right after it, "(代表)", "(本人宅)"). A personal cue (本人,
自宅, 携帯, 家族, mobile, home) nearer than the organisation keeps it a client's. Mobile numbers (070/080/090) are
never public. Chosen by measurement on tests/data/privacy_labelled.tsv (docs/privacy.md)."""
from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

DASH_CHARS = r"\-‐‑‒–—―ー−"
DASH = f"[{DASH_CHARS}]"
# between the groups of a number: a dash (spaced or not) or one or two spaces (a full-width space is one after NFKC)
GAP = rf"(?:\s{{0,2}}{DASH}\s{{0,2}}|\s{{1,2}})"
NUM_KANJI = "一二三四五六七八九十百千〇"


@dataclass(frozen=True)
class Detector:
    kind: str
    pattern: re.Pattern
    # the kind this match really is, or None to drop it (a look-alike); absent: always `kind`
    check: Callable[[re.Match, str], str | None] | None = None


def _digits(text: str) -> int:
    return sum(c.isdigit() for c in text)


# --- cards -----------------------------------------------------------------------------------------------------
_SPECIAL_PERMANENT = re.compile(
    # announced: 特別永住者証明書 / 特永 / special permanent resident certificate, then 8-12 digits in any grouping,
    # after up to two letters (descriptions of its number vary; two letters and ten digits is the common shape)
    r"(?:特別永住者?証明書|特別永住者証|特永(?:者)?(?:の)?証明書|特永証|special permanent resident(?:'s)? "
    rf"(?:certificate|card))(?:の)?\s*(?:の)?(?:番号|no\.?|number|#)?\s*[::は]?\s*[「\"(]?\s*"
    rf"(?:[A-Za-z]{{1,2}}{GAP}?)?\d(?:{GAP}?\d){{7,11}}(?!\d)"
    # or its own bare shape: two letters and ten digits (AB 1234 5678 90); a residence card ends in letters
    rf"|(?<![A-Za-z0-9])(?P<letters>[A-Za-z]{{2}}){GAP}?\d{{4}}{GAP}?\d{{4}}{GAP}?\d{{2}}(?![A-Za-z0-9])", re.I)
_NOT_CARD_LETTERS = frozenset({"ID", "NO", "FY", "TO", "AT", "IN", "ON", "OF", "PC", "TV", "HP", "OR", "IS", "BY"})


def _special_permanent_kind(match: re.Match, text: str) -> str | None:
    """Bare, the two letters are a card's (upper case, not a word: "ID 2026 1207 01" is a record number)."""
    letters = match.group("letters")
    if letters is not None and (letters in _NOT_CARD_LETTERS or not letters.isupper()):
        return None
    return "special_permanent_resident_certificate"


_RESIDENCE_CARD = re.compile(
    rf"(?<![A-Za-z0-9])[A-Za-z]{{2}}{GAP}?\d{{4}}{GAP}?\d{{4}}{GAP}?[A-Za-z]{{2}}(?![A-Za-z0-9])")
_PASSPORT = re.compile(
    # announced: 旅券 / パスポート / passport, optionally "番号" / "No." / "number", then any 6-10 letters+digits
    r"(?:旅券|パスポート|passport)\s*(?:番号|no\.?|number|#)?\s*[::は(（]?\s*(?=[A-Za-z0-9]*\d)[A-Za-z0-9]{6,10}"
    r"(?![A-Za-z0-9])"
    # or a bare number in a passport's shape: Japan TK1234567, China E12345678, Viet Nam C1234567,
    # Philippines P1234567A, Korea M12345678, Brazil FA123456
    r"|(?<![A-Za-z0-9\-])[A-Za-z]{1,2}\d{6,8}[A-Za-z]?(?![A-Za-z0-9\-])", re.I)
_MY_NUMBER = re.compile(rf"(?<!\d)\d{{4}}(?:\s|{DASH})?\d{{4}}(?:\s|{DASH})?\d{{4}}(?!\d)")

# --- insurance, pension and bank numbers ------------------------------------------------------------------------
# 雇用保険被保険者番号: 11 digits, written 4-6-1; the dashed shape is its own, announced it may be written plain
_EMPLOYMENT_INSURANCE = re.compile(
    rf"(?<![\d{DASH_CHARS}])\d{{4}}{DASH}\d{{6}}{DASH}\d(?![\d{DASH_CHARS}])"
    rf"|(?:雇用保険|employment insurance)[^\d。\n]{{0,10}}?\d{{4}}{GAP}?\d{{6}}{GAP}?\d(?!\d)", re.I)
# 基礎年金番号: 10 digits, written 4-6, announced (bare, 4-6 is also a phone number's shape)
_PENSION = re.compile(
    rf"(?:基礎年金番号|年金番号|年金手帳|年金の番号|(?:basic )?pension (?:no\.?|number|#))[^\d。\n]{{0,8}}?"
    rf"\d{{4}}{GAP}?\d{{6}}(?!{GAP}?\d)", re.I)
# 記号・番号 of a health insurance card (記号 up to 8 letters or digits, 番号 up to 8 digits), also ゆうちょ's
_SYMBOL_NUMBER = re.compile(
    r"記号\s*[・･/と]?\s*番号\s*[::は]?\s*(?=[A-Za-z0-9\-/・ ]*\d)[A-Za-z0-9]{1,8}(?:\s*[-/・]\s*[A-Za-z0-9]{1,8}){0,2}"
    r"|記号\s*[::は]?\s*[A-Za-z0-9]{1,8}(?:-[A-Za-z0-9]{1,4})?\s*[、,・/]?\s*番号\s*[::は]?\s*\d{1,8}"
    r"|symbol\s*:?\s*[A-Za-z0-9\-]{1,8}\s*,?\s*(?:and\s+)?(?:no\.?|number)\s*:?\s*\d{1,8}"
    r"|(?:保険証|被保険者証)(?:の)?番号\s*[::は]?\s*[A-Za-z0-9]{0,2}\d{4,10}"
    r"|被保険者番号\s*[::は]?\s*\d{6,10}(?!\d)", re.I)
_POSTAL_SAVINGS = re.compile(r"ゆうちょ|郵便貯金|貯金|通帳|振込|振り込|口座|銀行|yucho|japan post", re.I)
_BANK_ACCOUNT = re.compile(
    r"(?:普通|当座|貯蓄)(?:預金)?(?:口座)?(?:番号)?\s*[::は]?\s*[(「]?\d{6,8}(?![\d,]|\s*[円万千件人回])"
    r"|口座番号\s*[::は]?\s*\d{6,8}(?![\d,]|\s*[円万千件人回])"
    r"|(?:bank )?(?:account|acct|a/c)\.?\s*(?:no\.?|number|#)?\s*[:.]?\s*(?:(?:futsu|ordinary|toza|savings|checking)"
    r"\s*)?\d{6,8}(?!\d)", re.I)


def _symbol_number_kind(match: re.Match, text: str) -> str | None:
    """記号・番号 belong to a health insurance card, unless ゆうちょ (or a bank) is named just before."""
    before = text[max(0, match.start() - 20):match.start()]
    return "bank_account" if _POSTAL_SAVINGS.search(before) else "health_insurance"


# --- contacts ---------------------------------------------------------------------------------------------------
_LOCAL = r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]*"
_DOMAIN = r"[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?"
_EMAIL = re.compile(
    # name@example.com, and the ways of writing it that dodge links: [at] (at) {at} <at> ★ ☆ アット(マーク) あっと
    rf"{_LOCAL}\s*(?:@|\[(?:at|@)\]|\((?:at|@|アット|アットマーク)\)|\{{at\}}|<at>|★|☆|アットマーク|アット|あっと)\s*"
    rf"{_DOMAIN}(?:(?:\.(?=[A-Za-z0-9])| \. |\s*(?:\[dot\]|\(dot\)|\{{dot\}}|<dot>|ドット|どっと)\s*){_DOMAIN})+"
    # name at example dot com
    rf"|{_LOCAL}\s+at\s+{_DOMAIN}(?:\s+dot\s+{_DOMAIN})+", re.I)
_APPS = (r"(?-i:LINE)|Line(?= ?ID)|ライン|WhatsApp|ワッツアップ|Zalo|WeChat|微信|Viber|Kakao(?:Talk)?|"
         r"カカオ(?:トーク)?|Facebook|(?-i:FB)|フェイスブック|Instagram|Insta|インスタ(?:グラム)?|Telegram|テレグラム|Messenger|"
         r"メッセンジャー|Skype|TikTok|Twitter")
_MESSAGING = re.compile(
    rf"(?:{_APPS})\s*(?:の)?\s*(?P<marker>ID|アカウント名?|account(?: name)?|ユーザー(?:名|ID)|user ?name|handle|番号|"
    rf"number|名前|名)?\s*(?:は|が|で|に|:|=)?\s*[「\"(]?\s*"
    r"(?P<id>(?:https?://)?(?:www\.)?(?:facebook|fb|instagram|line)\.(?:com|me)/[A-Za-z0-9_.\-/~]+"
    r"|\+?\d[\d \-]{6,16}\d"
    r"|@?(?=[A-Za-z0-9_.\-]*[A-Za-z])[A-Za-z0-9][A-Za-z0-9_.\-]{2,29})(?![A-Za-z0-9_])", re.I)


_FILE_NAME = re.compile(r"\.(?:pdf|jpe?g|png|gif|heic|docx?|xlsx?|pptx?|txt|csv|zip|mp[34]|mov)$", re.I)
_ID_LIKE = re.compile(r"[\d_./]")


def _messaging_kind(match: re.Match, text: str) -> str | None:
    """An ID given as a contact: announced (LINE ID, アカウント名), a handle (@…), a number or a URL, or a word with
    digits, dots or underscores in it; not "LINE Pay", "Facebook group"."""
    found = match.group("id")
    if _FILE_NAME.search(found):
        return None  # LINE で IMG_0012.jpg を送ってもらった
    if match.group("marker") or found.startswith("@") or _ID_LIKE.search(found):
        return "messaging_id"
    return None


_PHONE = re.compile(
    rf"(?<![\d{DASH_CHARS}])(?:\+81(?:\s|{DASH})?\d{{1,4}}|0\d{{1,4}})(?:\s|{DASH}|\(|\))?\d{{1,4}}"
    rf"(?:\s|{DASH}|\))?\d{{3,4}}(?![\d])"
    # another country's: +84 90 123 4567, +63 2 8123 4567
    rf"|(?<![\w+])\+(?!81)\d{{1,3}}(?:[\s\-]?\d{{1,4}}){{2,5}}(?!\d)")


def _phone_kind(match: re.Match, text: str) -> str | None:
    """A number from abroad has 9 to 15 digits with its country code (+1 2 3 is arithmetic)."""
    return "phone" if not match.group().startswith("+") or 9 <= _digits(match.group()) <= 15 else None

# --- birth dates ------------------------------------------------------------------------------------------------
_ERA = r"(?:明治|大正|昭和|平成|令和|[MTSHR明大昭平令])"
_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|"
          r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?")
_BORN = r"(?:生まれ|産まれ|誕生|生(?![活徒産命計協地涯理存]))"
_BIRTH_DATE = re.compile(
    r"(?:(?:19|20)\d{2}\s*[年/.-]\s*\d{1,2}\s*[月/.-]\s*\d{1,2}\s*日?|(?:昭和|平成|令和|S|H|R)\s*\d{1,2}\s*年"
    rf"\s*\d{{1,2}}\s*月\s*\d{{1,2}}\s*日)\s*{_BORN}"
    # short 和暦: H13.4.3生, S60/1/2生まれ, (平成8.7.14生)
    rf"|(?<![A-Za-z0-9]){_ERA}\s?\d{{1,2}}\s?[./\-]\s?\d{{1,2}}\s?[./\-]\s?\d{{1,2}}\s?日?\s*{_BORN}"
    # announced: 生年月日 / 誕生日 / DOB / date of birth / born (on), then a date in any of those shapes
    r"|(?:生年月日|誕生日|D\.?O\.?B\.?|date of birth|birth ?date|born(?: on)?)\s*[::は]?\s*"
    rf"(?:(?:(?:19|20)\d{{2}}|{_ERA}\s*\d{{1,2}})\s*[年/.\-]\s*\d{{1,2}}\s*[月/.\-]\s*\d{{1,2}}\s*日?"
    r"|\d{1,2}[/.\-]\d{1,2}[/.\-](?:19|20)\d{2}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH}\s*,?\s*(?:19|20)\d{{2}}"
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\s*,?\s*(?:19|20)\d{{2}})", re.I)

# --- addresses --------------------------------------------------------------------------------------------------
_NUM_JA = rf"(?:\d{{1,5}}|[{NUM_KANJI}]{{1,6}})"
_BLOCK = rf"(?:\d{{1,2}}{DASH}\d{{1,4}}(?:{DASH}\d{{1,4}}){{1,2}}|\d{{1,2}}-chome,?\s*\d{{1,4}}(?:-\d{{1,4}})?)"
_PLACE = r"[A-Z][a-z]+(?:-(?:cho|machi|dori))?"
_AREA = r"[A-Z][a-z]+-(?:ku|shi|cho|machi|gun|mura|son|ken)"
_POSTAL_CODE = re.compile(r"〒?\s?(?<!\d)\d{3}-\d{4}(?!\d)")
_ADDRESS = re.compile(
    # kanji: …市…区…1丁目2番3号, …町1-2-3
    r"[^\s、。,]{1,10}[市区町村郡][^\s、。,]{0,12}?\d{1,4}\s*(?:丁目|-)\s*\d{1,4}(?:\s*(?:番地?|-)\s*\d{1,4}\s*号?)?"
    # 番地: (…町)(大)字…12番地の3, …町12番地
    rf"|(?:[^\s、。,()「」:]{{1,10}}?[町村]\s*|大字\s*[^\s、。,()「」:\d]{{1,8}}?)?字\s*[^\s、。,()「」:\d]{{1,8}}?\s*"
    rf"{_NUM_JA}\s*番地(?:\s*の\s*{_NUM_JA})?"
    rf"|[^\s、。,()「」:]{{1,10}}?[町村]\s*{_NUM_JA}\s*番地(?:\s*の\s*{_NUM_JA})?"
    # romaji: 3-5-12 Sakae, Naka-ku / 4-5-6 Kita-machi / Naka-ku Sakae 3-5-12 / Higashi 2-chome 12-3 /
    # Motomachi 1-9-4, Chuo-ku
    rf"|(?<![\w\-]){_BLOCK},?\s+(?:{_PLACE},\s*{_AREA}|[A-Z][a-z]+-(?:cho|machi))(?:,\s*[A-Z][a-z]+(?:-(?:shi|ken))?)*"
    rf"|{_AREA},?\s+{_PLACE},?\s*{_BLOCK}(?![\d\-])"
    rf"|{_PLACE}\s+\d{{1,2}}-chome,?\s*\d{{1,4}}(?:-\d{{1,4}})?(?:,\s*{_AREA})?"
    rf"|{_PLACE}\s+{_BLOCK},\s*{_AREA}")

DETECTORS: list[Detector] = [
    Detector("special_permanent_resident_certificate", _SPECIAL_PERMANENT, _special_permanent_kind),
    Detector("residence_card", _RESIDENCE_CARD),
    Detector("employment_insurance", _EMPLOYMENT_INSURANCE),
    Detector("basic_pension", _PENSION),
    Detector("health_insurance", _SYMBOL_NUMBER, _symbol_number_kind),
    Detector("bank_account", _BANK_ACCOUNT),
    Detector("messaging_id", _MESSAGING, _messaging_kind),
    Detector("passport", _PASSPORT),
    Detector("email", _EMAIL),
    Detector("my_number", _MY_NUMBER),
    Detector("phone", _PHONE, _phone_kind),
    Detector("birth_date", _BIRTH_DATE),
    Detector("postal_address", _POSTAL_CODE),
    Detector("postal_address", _ADDRESS),
]
KINDS = list(dict.fromkeys(d.kind for d in DETECTORS))


def find(text: str) -> Iterator[tuple[str, int, int]]:
    """(kind, start, end) of every candidate in `text` (already NFKC), detector by detector, overlaps included (the
    guard keeps the first to claim a character)."""
    for detector in DETECTORS:
        for match in detector.pattern.finditer(text):
            kind = detector.check(match, text) if detector.check else detector.kind
            if kind is not None:
                yield kind, match.start(), match.end()


# --- organisations' public contacts -------------------------------------------------------------------------------
PUBLIC_KINDS = frozenset({"phone", "email", "postal_address", "messaging_id"})
_ORG_CUES = (
    r"代表|窓口|市役所|区役所|役場|役所|公式|連携先|協会|センター|事務所|事務局|大使館|領事館|ハローワーク|監督署|入管|"
    r"出入国在留管理|法テラス|社協|社会福祉協議会|NPO|法人|団体|病院|クリニック|診療所|保健所|学校|教室|組合|機構|"
    r"相談室|ホットライン|フリーダイヤル|ナビダイヤル|国際交流|県庁|都庁|府庁|庁舎|警察署|交番|株式会社|有限会社|"
    r"office|desk|cent(?:er|re)|embassy|consulate|city hall|association|switchboard|main line|hotline|helpline|"
    r"reception|official|clinic|hospital|school|foundation|agency|bureau|hello ?work|immigration|legal aid")
_PERSONAL_CUES = (
    r"本人|自宅|宅|携帯|ケータイ|個人|私用|家族|実家|寮|夫|妻|母|父|息子|娘|兄|姉|弟|妹|さん|様|氏|"
    r"personal|private|mobile|cell|home|client|family|husband|wife|sister|brother|mother|father|son|daughter|"
    r"\bhis\b|\bher\b|\btheir\b")
_CUE_BEFORE = re.compile(rf"(?P<org>{_ORG_CUES})|(?P<personal>{_PERSONAL_CUES})", re.I)
_CUE_AFTER = re.compile(rf"^\s*[(（]?\s*(?:(?P<org>{_ORG_CUES}|公開)|(?P<personal>{_PERSONAL_CUES}))", re.I)
_AREA_AFTER = re.compile(r"^\s*(?:の)?\s*(?:地域|エリア|周辺|界隈|管内|付近|地区|一帯|area|district|neighbou?rhood)",
                         re.I)
_TOLL_FREE = re.compile(r"^(?:0120|0800|0570|0180)")
_MOBILE = re.compile(r"^(?:\+81[\s\-]?|0)[789]0")
_ROLE_MAILBOX = re.compile(r"^(?:info|contact|office|support|desk|soudan|sodan|madoguchi|jimukyoku|center|centre|"
                           r"inquiry|inquiries|help|admin|webmaster|kokusai|consul)[@\[( ]", re.I)
_SENTENCE_END = re.compile(r"[。!?！？\n]")
WINDOW = 30  # characters before a contact searched for a cue, within its sentence


def is_public(text: str, kind: str, start: int, end: int) -> bool:
    """Whether the contact at text[start:end] belongs to an organisation (a public switchboard, a desk, a partner's
    address or official account) or a postal code names an area, rather than identifying a client."""
    if kind not in PUBLIC_KINDS:
        return False
    span = text[start:end]
    after = text[end:end + 12]
    if kind == "postal_address" and _POSTAL_CODE.fullmatch(span) and _AREA_AFTER.match(after):
        return True
    if kind == "phone" and _MOBILE.match(span):
        return False
    cue = _CUE_AFTER.match(after)
    if cue:
        return cue.group("org") is not None
    if (kind == "phone" and _TOLL_FREE.match(span)) or (kind == "email" and _ROLE_MAILBOX.match(span)):
        return True
    before = text[max(0, start - WINDOW):start]
    ends = list(_SENTENCE_END.finditer(before))
    if ends:
        before = before[ends[-1].end():]
    cues = _CUE_BEFORE.findall(before)  # (org, personal) per cue, in order: the last is the nearest
    return bool(cues) and bool(cues[-1][0])
