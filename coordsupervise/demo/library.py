"""The demo's know-how library and partner directory: invented cases and organisations (no real people; web
addresses under example.jp), written as the library's services leave them: every case passes the privacy guard
(checked while building), every published one has its manager and, when drawn from a reflection, its trainee's yes.

What it leaves: 30 published partners across every region and one proposal waiting, 22 published cases across
every domain (some drawn from reflections of the finished cohort, with their trainees' yes), two proposals waiting
for a manager (one drawn from demo-trainee's reflection, whose answer is still awaited; one written by
demo-graduate), and the finished cohort's workshop case sets. Published cases are dated over the last year."""
from __future__ import annotations

from datetime import date, timedelta

from ..clock import jst_to_utc
from ..library import cases, partners
from ..library.cases import CaseInput
from ..library.partners import PartnerInput
from ..store.db import Database, Transaction
from ..text.readings import searchable

# name, prefecture (JIS), fields, what they help with, languages, contact, hours, notes
PARTNERS = [
    ("北の大地外国人相談センター", "01", ("residence", "labour", "other"), "生活全般の相談、通訳を介した行政手続の同行",
     "やさしい日本語、英語、中国語、ベトナム語", "https://example.jp/kita-soudan", "平日 9:00〜17:00",
     "電話での三者通訳あり"),
    ("みちのく多文化共生ネット", "04", ("education_childcare", "disaster", "other"),
     "子どもの学習支援、災害時の多言語情報", "やさしい日本語、英語、タガログ語", "https://example.jp/michinoku",
     "火〜土 10:00〜18:00", "災害時は臨時窓口を開設"),
    ("やまがた労働相談ほっとライン", "06", ("labour",), "賃金未払い・解雇など労働条件の相談", "日本語、英語、中国語",
     "https://example.jp/yamagata-rodo", "平日 8:30〜17:15", "労働基準監督署への申告の前に相談可"),
    ("いばらき外国人医療通訳派遣", "08", ("health_welfare",), "医療機関への通訳派遣(予約制)",
     "ポルトガル語、スペイン語、タイ語、中国語", "https://example.jp/ibaraki-iryo", "平日 9:00〜16:00(派遣は要予約)",
     "派遣依頼は受診の3日前まで"),
    ("ぐんま定住外国人支援協会", "10", ("residence", "housing", "labour"), "定住者・日系人の生活相談、住まい探しの同行",
     "ポルトガル語、スペイン語、やさしい日本語", "https://example.jp/gunma-teiju", "月〜金 10:00〜19:00",
     "夜間の相談は予約制"),
    ("さいたま多言語子育て相談室", "11", ("education_childcare", "health_welfare"),
     "妊娠・出産・乳幼児健診、保育所入所の相談", "英語、中国語、ネパール語、やさしい日本語",
     "https://example.jp/saitama-kosodate", "平日 9:30〜16:30", "母子健康手帳の多言語版あり"),
    ("ちば外国人法律相談ネットワーク", "12", ("residence", "dv_human_rights"),
     "在留資格・離婚・相続など法律相談(無料枠あり)", "英語、中国語、韓国語(通訳手配)", "https://example.jp/chiba-law",
     "第1・第3土曜 13:00〜16:00", "弁護士会と連携"),
    ("とうきょう多文化ソーシャルワーク協会", "13", ("health_welfare", "dv_human_rights", "other"),
     "生活困窮・精神保健の相談、支援計画づくり", "英語、中国語、韓国語、タガログ語", "https://example.jp/tokyo-msw",
     "平日 10:00〜18:00", "ケース会議への参加可"),
    ("かながわ外国人すまいサポート", "14", ("housing",), "賃貸住宅の入居・退去、保証会社の手続",
     "英語、中国語、ベトナム語、ポルトガル語", "https://example.jp/kanagawa-sumai", "火〜土 10:00〜17:00",
     "入居可の物件情報あり"),
    ("にいがた留学生・実習生相談デスク", "15", ("residence", "labour", "education_childcare"),
     "留学生・技能実習生の就労と在留の相談", "ベトナム語、インドネシア語、中国語", "https://example.jp/niigata-desk",
     "平日 9:00〜17:00", "監理団体への連絡の仲介"),
    ("いしかわ国際税務相談会", "17", ("tax_pension_insurance",), "住民税・確定申告・年金の脱退一時金の相談",
     "英語、中国語、やさしい日本語", "https://example.jp/ishikawa-tax", "毎月第2水曜 13:00〜16:00(予約制)",
     "税理士が対応"),
    ("しずおか多文化共生センター", "22", ("residence", "labour", "education_childcare"), "生活・就労・就学の総合相談",
     "ポルトガル語、スペイン語、タガログ語、ベトナム語", "https://example.jp/shizuoka-tabunka", "月〜土 9:00〜17:00",
     "日系人コミュニティとの連携が厚い"),
    ("あいち外国人雇用相談コーナー", "23", ("labour",), "雇用保険・労災・職業紹介の相談",
     "ポルトガル語、スペイン語、英語、ベトナム語", "https://example.jp/aichi-koyo", "平日 8:30〜17:00",
     "ハローワークと同じ建物"),
    ("ながの医療福祉通訳ボランティア会", "20", ("health_welfare",), "医療・介護・障害福祉の場面の通訳",
     "中国語、タガログ語、タイ語", "https://example.jp/nagano-tsuyaku", "要予約",
     "ボランティア派遣のため日程調整に時間がかかる"),
    ("みえ外国人児童生徒支援ネット", "24", ("education_childcare",), "就学手続、日本語指導、進路相談",
     "ポルトガル語、スペイン語、フィリピノ語", "https://example.jp/mie-kodomo", "平日 13:00〜19:00",
     "高校進学ガイダンスを年2回開催"),
    ("きょうと多言語DV相談窓口", "26", ("dv_human_rights",), "配偶者等からの暴力の相談、一時保護の調整",
     "英語、中国語、韓国語、タガログ語、タイ語", "https://example.jp/kyoto-dv", "毎日 10:00〜20:00",
     "相談内容の秘密は厳守"),
    ("おおさか外国人労働者ユニオン相談室", "27", ("labour", "dv_human_rights"), "職場のハラスメント・賃金・解雇の相談",
     "英語、中国語、ベトナム語、ネパール語", "https://example.jp/osaka-union", "火・木 18:00〜21:00、土 13:00〜17:00",
     "団体交渉の支援"),
    ("ひょうご防災多言語センター", "28", ("disaster",), "災害時の多言語情報、避難所での通訳",
     "英語、中国語、韓国語、ベトナム語、やさしい日本語", "https://example.jp/hyogo-bosai", "平時は平日 9:00〜17:00",
     "防災訓練の多言語化の相談も"),
    ("なら外国人年金・保険相談", "29", ("tax_pension_insurance", "health_welfare"),
     "国民健康保険・国民年金の加入と減免の相談", "英語、中国語、やさしい日本語", "https://example.jp/nara-nenkin",
     "平日 9:00〜16:00", "市町村窓口への同行可"),
    ("とっとり国際交流プラザ", "31", ("other", "education_childcare"), "日本語教室、生活オリエンテーション",
     "英語、中国語、ベトナム語", "https://example.jp/tottori-plaza", "火〜日 9:00〜18:00", "来日直後向けの講座あり"),
    ("おかやま外国人住宅相談", "33", ("housing", "other"), "公営住宅の申込、家賃の相談", "英語、中国語、やさしい日本語",
     "https://example.jp/okayama-jutaku", "平日 10:00〜16:00", "申込書の記入支援"),
    ("ひろしま多文化共生相談センター", "34", ("residence", "labour", "health_welfare"), "在留・就労・医療の総合相談",
     "英語、中国語、ベトナム語、フィリピノ語、ポルトガル語", "https://example.jp/hiroshima-tabunka",
     "月〜土 9:00〜17:00", "専門相談会を月1回開催"),
    ("やまぐち技能実習生支援ネット", "35", ("labour", "residence"), "実習先の変更・失踪防止・帰国前の相談",
     "ベトナム語、インドネシア語、ミャンマー語", "https://example.jp/yamaguchi-jisshu", "平日 9:00〜17:00",
     "外国人技能実習機構への通報の支援"),
    ("とくしま外国人母子支援の会", "36", ("education_childcare", "health_welfare", "dv_human_rights"),
     "妊産婦と乳幼児の母親の孤立予防", "英語、中国語、タガログ語", "https://example.jp/tokushima-boshi",
     "水・金 10:00〜15:00", "保健師と連携"),
    ("えひめ国際共生相談室", "38", ("residence", "other"), "生活全般の相談、行政手続の翻訳支援",
     "英語、中国語、ベトナム語、インドネシア語", "https://example.jp/ehime-kyosei", "平日 9:00〜17:00",
     "水産加工業の実習生の相談が多い"),
    ("ふくおか外国人相談・通訳センター", "40", ("residence", "labour", "housing", "health_welfare"),
     "生活全般の多言語相談、電話通訳", "英語、中国語、韓国語、ベトナム語、ネパール語、やさしい日本語",
     "https://example.jp/fukuoka-center", "毎日 9:00〜20:00", "20言語の電話通訳"),
    ("くまもと災害外国人支援チーム", "43", ("disaster", "housing"), "被災後の住まい・罹災証明・義援金の手続支援",
     "英語、中国語、ベトナム語", "https://example.jp/kumamoto-saigai", "災害時に開設(平時は月1回の勉強会)",
     "被災経験を踏まえた手引きあり"),
    ("おきなわ国際結婚・家族相談", "47", ("dv_human_rights", "residence", "education_childcare"),
     "国際結婚・離婚・子どもの国籍の相談", "英語、スペイン語、タガログ語", "https://example.jp/okinawa-family",
     "平日 10:00〜17:00", "家庭裁判所の手続の説明"),
    ("全国外国人労働相談ダイヤル(サンプル)", "00", ("labour",), "全国どこからでも労働条件の相談",
     "英語、中国語、ポルトガル語、スペイン語、ベトナム語", "https://example.jp/rodo-dial", "平日 10:00〜17:00",
     "地域の窓口への引き継ぎ"),
    ("全国在留手続ヘルプデスク(サンプル)", "00", ("residence",), "在留資格の変更・更新の手続の一般的な案内",
     "英語、中国語、韓国語、やさしい日本語", "https://example.jp/zairyu-help", "平日 9:00〜17:00",
     "個別の審査結果の予測はしない"),
]

# title, domains, competencies, region, partners (by name), situation, what was done, outcome, what to learn, note
CASES = [
    ("在留期間の更新直前に転職していた技能実習生", ("residence", "labour"), ("C1", "C3"), "chubu",
     ("しずおか多文化共生センター", "あいち外国人雇用相談コーナー"),
     "在留期間の満了まで1か月を切った相談者(20代・技能実習生)が、実習先とは別の工場で働いていると話した。本人は更新の手続ができると思っていた。",
     "在留カードで資格と期限を確かめ、実習計画と実際の就労が違うことの意味を説明した。解決の順序を「在留の確保」「働き方の整理」「生活費」とし、監理団体と専門窓口につないだ。",
     "監理団体が実習先と協議し、本人は元の実習先に戻って更新の手続を進めた。生活費は一時的に同郷の団体が支えた。",
     "在留期限は他のすべての問題の前提になる。本人の「大丈夫」をうのみにせず、最初に在留カードを確かめる。", ""),
    ("配偶者と別居した後の在留資格の変更", ("residence", "dv_human_rights"), ("C1", "C2", "C4"), "kanto",
     ("ちば外国人法律相談ネットワーク",),
     "日本人の配偶者として暮らしていた相談者(30代・女性)が、夫と別居し、在留資格がどうなるかを心配していた。",
     "別居の理由を急がずに聴き、暴力がないかを確かめた。在留資格の変更の可能性と期限を整理し、法律相談につないだ。",
     "弁護士の助言を受け、本人は定住者への変更を申請した。申請中の生活は福祉の窓口が支えた。",
     "在留の話の前に安全を確かめる。本人が話せる順に聴くことが、結局は早い。",
     "法律相談は予約制のため、その日のうちに予約を取った。"),
    ("留学生のアルバイト時間の超過", ("residence", "labour"), ("C1", "C3"), "kyushu_okinawa",
     ("ふくおか外国人相談・通訳センター",),
     "学費のためにアルバイトを掛け持ちしていた留学生(20代)が、在留資格「留学」の資格外活動の時間を超えているかもしれないと相談に来た。",
     "週ごとの勤務時間を本人と一緒に書き出し、許可の範囲を説明した。学費の分納の相談先も調べた。",
     "本人は勤務先を一つに絞り、学校の奨学金の窓口で分納が認められた。",
     "責めずに事実を整理すると、本人は自分で選べるようになる。", ""),
    ("特定技能への移行を希望する相談者の書類確認", ("residence", "labour"), ("C1", "C4"), "chugoku",
     ("ひろしま多文化共生相談センター", "やまぐち技能実習生支援ネット"),
     "技能実習を終える相談者(20代・男性)が、特定技能に移りたいが何をそろえればよいか分からないと来所した。",
     "在留資格の変更に向けて、試験の合否、受け入れ先の見込み、必要な書類を一覧にして、不足しているものを本人と確認した。受け入れ先の候補を支援団体に相談した。",
     "本人は技能試験に合格し、受け入れ先が決まって申請に進んだ。",
     "書類の一覧は本人の言語でも渡す。持ち帰って家族と確かめられる。", ""),
    ("雇い止めと住まいの問題が重なった日系人の家族", ("labour", "housing"), ("C3", "C4"), "chubu",
     ("ぐんま定住外国人支援協会", "あいち外国人雇用相談コーナー"),
     "派遣の雇い止めを告げられた相談者(40代・日系人の男性)は、寮を一か月で出るよう言われ、子ども二人の転校も心配していた。",
     "相談を「住まい」「収入」「子どもの学校」に切り分け、緊急度から住まいを先にした。雇用保険の手続と公営住宅の情報を並行して進めた。",
     "支援協会の同行で民間の賃貸に入居し、雇用保険を受けながら次の仕事を探した。子どもは転校せずに済んだ。",
     "複合的な相談は最初に全体像を紙に描き、解決の順序を本人と決める。", ""),
    ("職場でのハラスメントの相談", ("labour", "dv_human_rights"), ("C2", "C3"), "kinki",
     ("おおさか外国人労働者ユニオン相談室",),
     "相談者(30代・ネパール出身の男性)が、上司から人前で繰り返し怒鳴られ、眠れないと話した。",
     "起きたことを日付ごとに記録するよう勧め、会社の相談窓口と外部の相談先の違いを説明した。本人の希望は「辞めずに続けたい」だった。",
     "外部の相談室の支援で会社と話し合いが持たれ、配置が変わった。",
     "本人の望む結果を先に聞く。「辞めるべき」は支援者の価値観かもしれない。", ""),
    ("賃金未払いのまま帰国を迫られた実習生", ("labour", "residence"), ("C1", "C4"), "tohoku",
     ("やまがた労働相談ほっとライン",),
     "実習先の倒産で三か月分の賃金が払われていない相談者(20代)が、監理団体から帰国を勧められていた。",
     "未払い賃金の立替払制度を調べ、帰国の前に手続を始める必要と、在留期間との関係を伝えた。労働相談の窓口と監理団体の両方に連絡した。",
     "立替払の申請が受け付けられ、本人は別の実習先への移行も認められた。",
     "帰国してしまうと取り戻せないものがある。期限のある手続を先に動かす。", ""),
    ("病院の請求書が読めない高齢の相談者", ("health_welfare", "tax_pension_insurance"), ("C2", "C4"), "kanto",
     ("いばらき外国人医療通訳派遣", "なら外国人年金・保険相談"),
     "相談者(70代・中国出身の女性)が、入院の請求書の額に驚き、支払えないと家族と来所した。",
     "請求の内訳を通訳を介して一緒に読み、高額療養費の制度と国民健康保険の加入状況を確かめた。",
     "限度額の適用で自己負担が大きく下がり、分割での支払いも病院と合意できた。",
     "制度の説明は、本人の手元にある紙から始めると伝わる。", ""),
    ("精神的に追い詰められた相談者と医療へのつなぎ", ("health_welfare",), ("C2", "C3", "C4"), "kanto",
     ("とうきょう多文化ソーシャルワーク協会",),
     "仕事を失った相談者(30代・男性)が、面談の途中で「もう国にも帰れない」と話し、強い落ち込みがうかがえた。",
     "一人で抱えず上司と共有し、当日中に多文化ソーシャルワークの窓口へ同行の予約を取った。本人の言葉で受診の意味を話し合った。",
     "本人は受診につながり、生活の立て直しの計画を支援団体と作った。",
     "緊急性の判断に迷ったら、その日のうちにチームで判断する。", ""),
    ("介護保険の申請に戸惑う家族", ("health_welfare",), ("C2", "C4"), "chubu", ("ながの医療福祉通訳ボランティア会",),
     "日本語が話せない父親(80代)の介護について、同居する娘(40代)から相談を受けた。家族の中で介護は娘の役割とされていた。",
     "家族の考え方を尊重しつつ、介護保険の申請の流れと、使えるサービスを通訳を介して説明した。",
     "要介護認定を受け、デイサービスの利用が始まった。娘の負担が軽くなった。",
     "家族観の違いは正すものではなく、選択肢を増やす材料にする。", ""),
    ("子どもの就学手続が分からない母親", ("education_childcare",), ("C3", "C4"), "kinki",
     ("みえ外国人児童生徒支援ネット",),
     "来日したばかりの母親(30代)が、小学生の子どもを学校に通わせたいが、どこで何をすればよいか分からないと話した。",
     "就学の手続を教育委員会に確かめ、必要書類と学校見学の日程を母親の言語で書き出した。日本語指導の体制も確認した。",
     "子どもは二週間後に入学し、放課後の学習支援にもつながった。",
     "手続の窓口が分かれている時は、支援者が先に順番を確かめてから案内する。", ""),
    ("高校進学をあきらめかけた中学生", ("education_childcare",), ("C2", "C3"), "chubu",
     ("みえ外国人児童生徒支援ネット",),
     "中学三年の生徒の保護者(40代・フィリピン出身)が、日本語の成績が低いので進学は無理だと言っていると、学校から相談があった。",
     "保護者と生徒それぞれの思いを聴き、特別な配慮のある入試や定時制の選択肢を調べた。進路ガイダンスに一緒に参加した。",
     "生徒は配慮のある入試で高校に合格した。",
     "「無理」の背景に情報の不足があることが多い。選択肢を見せてから決めてもらう。", ""),
    ("妊娠中の相談者の孤立", ("education_childcare", "health_welfare"), ("C2", "C4"), "shikoku",
     ("とくしま外国人母子支援の会",),
     "夫の仕事で来日した相談者(20代・妊娠中)が、健診の受け方が分からず、話し相手もいないと話した。",
     "母子健康手帳の多言語版を案内し、保健師の訪問と母親同士の集まりにつないだ。",
     "本人は健診を受け、出産後も集まりに通っている。", "孤立の予防は、制度の案内と人とのつながりの両方で。", ""),
    ("退去を迫られた単身の相談者", ("housing",), ("C3", "C4"), "kanto", ("かながわ外国人すまいサポート",),
     "相談者(50代・男性)が、家主から理由を示されずに月末での退去を求められた。契約書は日本語で読めていなかった。",
     "契約書の内容を通訳を介して一緒に確かめ、退去を求める理由と期間について説明を求める方法を伝えた。",
     "住まいの支援団体が家主と話し、退去は取り下げられた。", "契約の中身を本人が理解しているかを、最初に確かめる。",
     ""),
    ("公営住宅の申込みを支援した事例", ("housing", "other"), ("C4",), "chugoku", ("おかやま外国人住宅相談",),
     "家賃の負担が重い相談者の家族(子ども三人)が、公営住宅に入りたいと来所した。",
     "申込みの条件と時期を調べ、必要書類をそろえる段取りを本人と決めた。",
     "二回目の募集で当選し、家賃が半分近くになった。",
     "募集の時期を逃さないよう、次の期日を本人のカレンダーに書いてもらう。", ""),
    ("帰国前の年金の脱退一時金", ("tax_pension_insurance",), ("C1", "C4"), "chubu", ("いしかわ国際税務相談会",),
     "帰国を控えた相談者(30代)が、払ってきた年金がどうなるのかと尋ねてきた。",
     "脱退一時金の請求の流れと期限、住民税の扱いを説明し、帰国前にしておく手続を一覧にした。",
     "本人は手続を済ませて帰国し、一時金を受け取ったと連絡があった。",
     "帰国前の手続は順序が大切。転出届の前に確かめることを伝える。", ""),
    ("住民税の督促状が届いた相談者", ("tax_pension_insurance",), ("C3", "C4"), "kinki", ("なら外国人年金・保険相談",),
     "相談者(40代・男性)に、前年の住民税の督促状が届いた。転職で収入が減り、一度に払えないという。",
     "税の担当課に同行し、分割納付と減免の条件を確かめた。", "分割納付が認められ、延滞金が増えるのを防げた。",
     "督促は放っておくほど選択肢が減る。早めの相談を伝える。", ""),
    ("配偶者からの暴力と子どもの安全", ("dv_human_rights", "education_childcare"), ("C2", "C3", "C4"), "kinki",
     ("きょうと多言語DV相談窓口",),
     "子どもの学校の相談から、母親(30代)が配偶者からの暴力を受けていることが分かった。在留資格への影響を心配していた。",
     "安全を最優先に、本人の同意を得てDVの相談窓口と連携した。在留資格の心配には、専門家への相談の道があることを伝えた。",
     "母子は一時保護を経て新しい住まいに移り、子どもは転校先で学び続けている。",
     "在留の不安が、助けを求めることをためらわせる。安心して話せる場を先に作る。", ""),
    ("国際結婚の解消と子どもの国籍", ("dv_human_rights", "residence"), ("C1", "C2"), "kyushu_okinawa",
     ("おきなわ国際結婚・家族相談",),
     "離婚を考えている相談者(30代・女性)が、子どもの国籍と親権がどうなるかを知りたいと来所した。",
     "国籍と親権の一般的な仕組みを説明し、本人の国の制度も関わることを伝えて、家族相談の窓口につないだ。",
     "本人は専門の相談で見通しを得て、話し合いの準備を始めた。",
     "二つの国の制度が関わる相談は、分かることと分からないことを分けて伝える。", ""),
    ("豪雨の後の避難所での多言語支援", ("disaster", "housing"), ("C2", "C4"), "kyushu_okinawa",
     ("くまもと災害外国人支援チーム", "ふくおか外国人相談・通訳センター"),
     "豪雨で避難所に身を寄せた外国人住民が、配られる情報が分からず、食事の配慮も伝えられずにいた。",
     "避難所の運営者と話し、やさしい日本語の掲示と電話通訳を用意した。宗教上の食事の配慮を一覧にした。",
     "罹災証明の申請を全員が済ませ、仮の住まいへの移行も進んだ。",
     "平時の防災訓練で外国人住民と顔を合わせておくことが、災害時に効く。", ""),
    ("来日一年目の実習生向けオリエンテーション", ("other", "labour"), ("C2", "C4"), "shikoku",
     ("えひめ国際共生相談室",),
     "実習生から同じ種類の相談(ごみの出し方、病院のかかり方、給与明細の読み方)が続いていた。",
     "監理団体と協力して、来日一年目の実習生向けに九十分の生活オリエンテーションを企画した。",
     "参加者からの相談が減り、困った時に相談窓口を使う人が増えた。", "同じ相談が続く時は、予防的な支援を考える合図。",
     ""),
    ("日本語教室から始まった生活相談", ("other", "education_childcare"), ("C2", "C3"), "chugoku",
     ("とっとり国際交流プラザ",), "日本語教室に通う相談者(20代)が、雑談の中で仕事と住まいの悩みを話した。",
     "教室の担当者と連携し、別の日に相談の時間を取った。相談を切り分けて、窓口ごとに案内した。",
     "本人は住まいを移り、仕事も続けられている。", "相談の入口は窓口だけではない。身近な場の担い手とつながっておく。",
     ""),
]

GRADUATE_CASE = ("修了後の窓口で: 在留カードの住所変更を忘れていた相談者", ("residence",), ("C1",), "kanto",
 ("全国在留手続ヘルプデスク(サンプル)",),
 "引っ越しから二か月たった相談者(20代)が、在留カードの住所変更をしていないことに気づいて来所した。",
 "届出の期限と手続の場所を説明し、遅れた理由を書く準備を一緒にした。", "本人は区役所で届出を済ませた。",
 "引っ越しの相談の時に、在留カードの届出も一緒に確かめる。", "")
TRAINEE_CASE = ("在留資格の更新を前にした相談者の不安", ("residence", "labour"), ("C1", "C3"), "kanto", (),
 "在留期間の更新を控えた相談者が、勤務先の変更を届け出ていないことを心配していた。",
 "在留カードで期限を確かめ、届出の手続を一緒に調べた。勤務先にも確認を取った。",
 "本人は届出を済ませ、更新の申請に進んだ。", "更新の前に、変更の届出が済んでいるかを確かめる。", "")


PROPOSED_PARTNER = ("よこはま外国人ひとり親支援の会", "14", ("education_childcare", "health_welfare"),
                    "ひとり親家庭の生活と手当の相談", "英語、タガログ語、スペイン語",
                    "https://example.jp/yokohama-hitorioya", "土 10:00〜15:00", "修了生の提案")
# published cases handed to the finished cohort's workshop groups: (day, index in CASES)
CASE_SETS = ((1, 4), (1, 17), (2, 8), (2, 0))


def _content(case: tuple, partner_ids: dict[str, int]) -> CaseInput:
    title, domain_codes, competencies, region, used, situation, actions, outcome, lessons, note = case
    return CaseInput(title=title, situation=situation, actions=actions, partners_note=note, outcome=outcome,
                     lessons=lessons, domains=domain_codes, competencies=competencies, region=region,
                     partner_ids=tuple(partner_ids[name] for name in used))


def build_library(db: Database, today: date) -> None:
    """The library and the directory of a demo database built up to `today` (after build_demo's people), in one
    transaction of a few statements per item, as the rest of the demo is written."""
    db.write(_write_library, today)


def _write_library(tx: Transaction, today: date) -> None:
    ids = dict(tx.rows("SELECT username, id FROM app_user"))
    manager, supervisor = ids["demo-manager"], ids["demo-supervisor"]
    graduate = ids.get("demo-graduate", supervisor)  # a demo of fewer than three cohorts has no finished one
    partner_ids = {entry[0]: partners.insert_entry(tx, manager, PartnerInput(*entry), "published")
                   for entry in PARTNERS}
    partners.insert_entry(tx, graduate, PartnerInput(*PROPOSED_PARTNER), "proposed")
    listed = jst_to_utc(today - timedelta(days=400), 10)  # the directory was gathered before the library began
    tx.execute("UPDATE partner SET created_at = ?, updated_at = ?, decided_at = ? WHERE status = 'published'",
               [listed, listed, listed])
    tx.execute("UPDATE partner SET created_at = ?, updated_at = ? WHERE status = 'proposed'",
               [jst_to_utc(today, 9), jst_to_utc(today, 9)])

    # the finished cohort's trainees, each with a reflection and its supervisor: some cases are drawn from them
    sources = tx.rows(
        "SELECT min(r.id), min(s.supervisor_id), e.trainee_id FROM reflection r JOIN enrolment e "
        "ON e.id = r.enrolment_id JOIN supervision s ON s.enrolment_id = e.id WHERE r.status = 'submitted' "
        "AND e.cohort_id = (SELECT cohort_id FROM enrolment WHERE trainee_id = ?) GROUP BY e.id, e.trainee_id "
        "ORDER BY e.id", [graduate])
    published = []
    for n, case in enumerate(CASES):
        at = jst_to_utc(today - timedelta(days=360 - n * 15), 10)  # over the last year, oldest first
        source = sources[n // 3] if n % 3 == 0 and n // 3 < len(sources) else None
        author = source[1] if source else (supervisor, manager, graduate)[n % 3]
        published.append(_case(tx, _content(case, partner_ids), author, "published", at, source, manager))
    # waiting for a manager: one drawn from demo-trainee's reflection (their answer awaited), one by a graduate
    own = tx.one("SELECT max(r.id), max(e.trainee_id) FROM reflection r JOIN enrolment e ON e.id = r.enrolment_id "
                 "WHERE e.trainee_id = ? AND r.status = 'submitted'", [ids.get("demo-trainee", 0)])
    now = jst_to_utc(today, 9)
    if own and own[0] is not None:
        _case(tx, _content(TRAINEE_CASE, partner_ids), supervisor, "proposed", now, (own[0], supervisor, own[1]))
    _case(tx, _content(GRADUATE_CASE, partner_ids), graduate, "proposed", now)
    cohort = tx.value("SELECT cohort_id FROM enrolment WHERE trainee_id = ?", [graduate])
    if cohort is not None and graduate != supervisor:
        tx.executemany("INSERT INTO workshop_case (cohort_id, day, case_id, seq) VALUES (?, ?, ?, ?)",
                       [(cohort, day, published[index], seq) for seq, (day, index) in enumerate(CASE_SETS, start=1)])


def _case(tx: Transaction, content: CaseInput, author: int, status: str, at, source=None,
          manager: int | None = None) -> int:
    """One case as the services would leave it (proposed, or published by `manager`), drawn from `source`
    (reflection, supervisor, trainee) with the trainee's yes when published, their answer awaited otherwise. Its
    text must pass the privacy guard, as publication requires."""
    if cases.findings(content):
        raise ValueError(f"demo case {content.title!r} does not pass the privacy guard")
    published = status == "published"
    case_id = tx.value(
        "INSERT INTO library_case (title, situation, actions, partners_note, outcome, lessons, region, status, "
        "reflection_id, author_id, created_at, updated_at, row_version, proposed_at, decided_by, decided_at, "
        "published_at, search_text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [*content.texts().values(), content.region, status, source[0] if source else None, author,
         at - timedelta(days=5), at, 3 if published else 2, at - timedelta(days=2), manager if published else None,
         at if published else None, at if published else None, searchable(*content.texts().values())])
    tx.executemany("INSERT INTO library_case_tag (case_id, kind, code) VALUES (?, ?, ?)",
                   [(case_id, "domain", c) for c in content.domains]
                   + [(case_id, "competency", c) for c in content.competencies])
    tx.executemany("INSERT INTO library_case_partner (case_id, partner_id) VALUES (?, ?)",
                   [(case_id, p) for p in content.partner_ids])
    if source:
        tx.execute("INSERT INTO library_consent (case_id, trainee_id, status, asked_at, answered_at) "
                   "VALUES (?, ?, ?, ?, ?)", [case_id, source[2], "accepted" if published else "pending",
                                              at - timedelta(days=2), at - timedelta(days=1) if published else None])
    return case_id
