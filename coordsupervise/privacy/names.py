"""Finding personal names in a reflection (part of the privacy guard, see privacy/guard.py).

Japanese text marks a person by what follows the name: an honorific (さん, 様, 氏, くん, ちゃん, 殿) or an
announcement before it (氏名は…, 名前:…). The same honorifics follow roles and things (通訳さん, 大家さん,
ケースワーカーさん, 市役所さん, お子さん), so a candidate is dropped when the word before the honorific is a role,
a relative, an organisation or an anonymous code (Aさん, K-576さん, 某さん). Romanised names ("Nguyen Van An",
"Mr. Silva") are caught as two to four capitalised words that are not a place, an organisation or ordinary English.

Chosen by measurement on tests/data/privacy_labelled.tsv (see docs/privacy.md): these patterns against the
SudachiPy morphological analyser. The patterns run on NFKC text and return spans of it."""
from __future__ import annotations

import re

KANJI = r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆]"
KATA = r"[ァ-ヺ][ァ-ヺー]*"
UPPER = r"[A-ZÀ-ÖØ-ÞĀĂĐĒĨŨƠƯ]"
LOWER = r"[a-zß-öø-ÿā-žơưạ-ỹ'’]"
LATIN_WORD = rf"{UPPER}(?:{LOWER}|[A-Z])+"
# an honorific after a name; 様/君/氏/殿 not when they begin another word (様子, 氏名, 君主, 殿様)
HONORIFIC = r"(?:さん|さま|様(?![子々式相性態])|氏(?![名族])|くん|君(?![主子臨])|ちゃん|殿(?![様堂方下]))"

_KATAKANA_BEFORE_HONORIFIC = re.compile(rf"(?<![ァ-ヺー・=])(?P<name>{KATA}(?:[・= ]{KATA})*) ?(?P<hon>{HONORIFIC})")
# a kanji run right after a letter or digit is a code (A社さん, 3号棟さん), not a name
_KANJI_BEFORE_HONORIFIC = re.compile(rf"(?<![A-Za-z0-9]|{KANJI})(?P<name>{KANJI}+(?: {KANJI}+)?) ?(?P<hon>{HONORIFIC})")
_LATIN_BEFORE_HONORIFIC = re.compile(
    rf"(?<![A-Za-z0-9\-])(?P<name>{LATIN_WORD}(?: {LATIN_WORD}){{0,3}}) ?(?P<hon>{HONORIFIC})")
_LATIN_TITLE = re.compile(rf"\b(?:Mr|Ms|Mrs|Miss|Mx|Dr)\.? ?{LATIN_WORD}(?: {LATIN_WORD})?")
_LATIN_FULL_NAME = re.compile(rf"(?<![A-Za-z0-9\-])(?P<name>{LATIN_WORD}(?: {LATIN_WORD}){{1,3}})(?![A-Za-z0-9])")
_ANNOUNCED = re.compile(
    r"(?:氏名|お名前|名前|フルネーム|本名|full name|name)(?:欄|の欄)?\s*(?:は|が|に|:|=)?\s*[「\"]?"
    rf"(?:{KATA}(?:[・= ]{KATA})*|{LATIN_WORD}(?: {LATIN_WORD}){{0,3}}"
    rf"|{KANJI}{{2,6}}(?: {KANJI}{{1,4}})?(?= |[、。」』)]|と|です|$))", re.I)

# words before an honorific that are roles, relatives, organisations, not names
ROLE_WORDS = frozenset("""
通訳 通訳者 大家 家主 担当 担当者 相談者 相談員 職員 先生 店長 社長 部長 課長 係長 所長 院長 校長 園長 会長
理事長 室長 班長 上司 同僚 先輩 後輩 本人 家族 友人 知人 隣人 恋人 主人 旦那 息子 親御 両親 夫婦 近所 大工
医者 歯医者 看護師 保健師 弁護士 行政書士 司法書士 社労士 税理士 支援員 指導員 調整員 事務員 受付 警備員 管理人
店主 職人 運転手 配達員 実習生 留学生 学生 研修生 技能実習生 外国人 日本人 利用者 相手 先方 当方 苦労 馳走 同様
多様 異様 模様 仕様 有様 一様 担任 主治医 入管 役所 市役所 区役所 役場 警察 病院 銀行 協会 組合 会社 学校 大学
労基 保健所 社協 大使 領事 教頭 委員 議員 市長 区長 町長 村長 知事 神父 牧師 住職 和尚 姉妹 兄弟 親戚 義母 義父
祖母 祖父 叔母 叔父 伯母 伯父 保育士 介護士 栄養士 薬剤師 医師 店員 社員 従業員 雇用主 雇い主 経営者 事業主 代表
監督 選手 皆様 各位 個人 婦人 老人 成人 お互い 匿名 仮名 相談 利用 雇用 派遣 派遣先 派遣元 元請 下請 取引先 業者
住人 住民 入居者 機構 受講生 研修生 卒業生 同級生 新入生 高校生 生徒 児童 園児 看護婦 家政婦 保母 親方 法人 愁傷
世話 互い 彼女 彼氏 職場 現場 先
""".split())
# one character before an honorific that is not a family name (奥さん, 母さん, お子さん, 赤ちゃん, 某さん)
ROLE_SINGLE = frozenset("奥皆母父兄姉弟妹子嫁婿孫客隣婆爺赤坊嬢神仏某娘息主親叔伯姪甥殿様方彼誰若姫人先夫妻")
# a last character that makes a word a role or a body (相談者, 職員, 保健所, 大使館, 不動産屋, 工務店)
ROLE_SUFFIX = frozenset("者員師士官所署局庁課院校省館屋店業社団室会部科班協寺園場族国籍側陣構家")
# role suffixes that also end given names (劉 建国, 張 国家, 李 安家)
NAME_ENDINGS = frozenset("国家")
KATAKANA_ROLES = frozenset("""
コーディネーター ワーカー ボランティア ヘルパー スタッフ マネージャー マネジャー オーナー カウンセラー ドクター
ナース リーダー メンバー ドライバー サポーター パートナー アドバイザー ママ パパ ホスト ファミリー クライアント
ケアマネ トレーナー インストラクター コーチ ガイド シェフ マスター ボス チーフ ハローワーク センター ショップ
クリニック ホテル バンク オフィス チーム グループ カンパニー コンビニ スーパー ゲスト ユーザー ファシリテーター
スーパーバイザー バイザー コンサルタント エージェント ブローカー シッター オペレーター ディレクター アシスタント
ティーチャー バイト パート ポリス ガードマン ネイティブ ボランティアさん ペアレント マザー ファーザー ベビー
ファミリー レディ ジェントルマン ポスト ナニー ホームステイ エージェンシー ハウス アパート マンション
メーカー ベンダー スクール カレッジ クラブ サロン ストア マート ステーション サービス ホーム ルーム ラボ ファーム
""".split())
# capitalised words that are places, bodies, tools or ordinary English, never part of a person's name
LATIN_COMMON = frozenset("""
the of and for in on at to with from my your our their this that these those it case study work hello service
services agency center centre office city ward prefecture japan japanese tokyo osaka nagoya kyoto yokohama
international association foundation school university hospital clinic bank post google translate zoom teams
microsoft line facebook messenger whatsapp word excel power point module keep problem try good thank thanks you
please support social worker new york zealand sri lanka viet nam vietnam hong kong united states kingdom south
north korea africa saudi arabia costa rica el salvador immigration bureau ministry labour labor health
welfare justice residence card status visa passport number embassy consulate hall family register certificate
daily reflection supervisor trainee coordinator form application online meeting english vietnamese chinese
portuguese spanish tagalog nepali indonesian thai burmese korean easy plain station street road avenue building
company corporation inc ltd co group team project program programme plan report sheet test quiz level today
tomorrow alt jica jitco npo ngo otit ilo iom unhcr jr nhk pc sns
wechat pay instagram zalo viber kakao kakaotalk telegram skype tiktok twitter gmail yahoo apple
monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
september october november december ok yes no not all every day week month year time we he she they
""".split())


_ROLE_WORD_END = re.compile(f"(?:{'|'.join(sorted(ROLE_WORDS, key=len, reverse=True))})$")


def _is_role_kanji(run: str, honorific: str) -> bool:
    word = run.replace(" ", "")
    if len(word) == 1:
        # 多様, 同様, 神様: a lone kanji before 様 is rarely a name
        return word in ROLE_SINGLE or honorific in ("様", "さま")
    if word in ROLE_WORDS or word[0] == "某":
        return True
    # a family and a given name written apart (劉 建国, 林 国家) may end in a character that ends roles
    # elsewhere (国, 家); written apart, only the suffixes no given name ends in make it a role (社協 職員)
    suffixes = ROLE_SUFFIX - NAME_ENDINGS if " " in run else ROLE_SUFFIX
    if word[-1] in suffixes:
        return True
    return _ROLE_WORD_END.search(word) is not None


_KATAKANA_ROLE_END = re.compile(f"(?:{'|'.join(sorted(KATAKANA_ROLES, key=len, reverse=True))})$")


def _is_role_katakana(token: str) -> bool:
    return len(token) < 2 or token in KATAKANA_ROLES or _KATAKANA_ROLE_END.search(token) is not None


_NAME_PARTS = re.compile(r"[・= ]")
LATIN_PLACES = ("ho chi minh", "sao paulo", "los angeles", "buenos aires", "kuala lumpur", "phnom penh")


def _is_common_latin(words: list[str]) -> bool:
    phrase = " ".join(words).lower()
    return any(w.lower().strip("'’") in LATIN_COMMON for w in words) or any(p in phrase for p in LATIN_PLACES)


def find(text: str) -> list[tuple[int, int]]:
    """Spans (start, end) of `text` (already NFKC) that look like a person's name, honorific included."""
    spans: list[tuple[int, int]] = []
    for match in _KATAKANA_BEFORE_HONORIFIC.finditer(text):
        tokens = _NAME_PARTS.split(match.group("name"))
        if _is_role_katakana(tokens[-1]):
            continue
        # leading role words (ボランティア グエンさん) are not part of the name
        start = match.start("name")
        for token in tokens[:-1]:
            if not _is_role_katakana(token):
                break
            start += len(token) + 1
        spans.append((start, match.end()))
    for match in _KANJI_BEFORE_HONORIFIC.finditer(text):
        if not _is_role_kanji(match.group("name"), match.group("hon")):
            spans.append(match.span())
    for match in _LATIN_BEFORE_HONORIFIC.finditer(text):
        words = match.group("name").split(" ")
        if not _is_common_latin(words):
            spans.append(match.span())
    for pattern in (_LATIN_TITLE, _ANNOUNCED):
        spans.extend(match.span() for match in pattern.finditer(text))
    for match in _LATIN_FULL_NAME.finditer(text):
        if not _is_common_latin(match.group("name").split(" ")):
            spans.append(match.span())
    return spans
