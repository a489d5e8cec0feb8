"""Varied wording for the demo's reflections. The demo draws each field's core sentence from short lists
(demo/build.py), and a supervisor reading one trainee's month met the same few sentences again and again. Here each
reflection gets its own details, joined to those core sentences with a random generator of its own, seeded by the
trainee and the day: the text is the same on every build, and the demo's main generator (which decides which days are
written, late, read and answered) draws exactly what it drew before, so no count of the demo changes."""
from __future__ import annotations

import random
from datetime import date

# what the day looked like around the main case: when and how it came in
OPENINGS = [
    "午前中、", "電話で、", "市役所の出張相談会で、", "閉所間際に、", "オンラインで、", "通訳ボランティアと一緒に、",
    "予約の時間に、", "同行支援の帰りに、", "職場の担当者からの紹介で、", "", "", "",
]
# one concrete detail of how the conversation went
DETAILS = [
    "最初は別の用件だと言っていたが、話を聞くうちに本当の心配事が見えてきた。",
    "本人は書類を一式持参しており、確認は比較的スムーズだった。",
    "期限が迫っていたため、その日のうちにできることから順に確認した。",
    "母語の通訳を介したため、一つずつ区切って確認しながら進めた。",
    "相談者は前回の窓口で断られた経験があり、最初は警戒している様子だった。",
    "家族の事情も絡んでいて、誰が何に困っているのかを整理するのに時間がかかった。",
    "職場の担当者も同席していたので、本人の意向を確かめる時間を別に取った。",
    "必要な書類の一部が母国にあり、取り寄せにかかる期間も含めて見通しを話した。",
    "本人のスマートフォンの翻訳アプリも使いながら、やさしい日本語で説明した。",
    "制度の説明よりも、まず本人が安心して話せるようにすることを優先した。",
    "担当課に電話で確認してから回答したため、相談は1時間を超えた。",
    "",
]
# how a second, shorter case of the day is introduced (the case itself is drawn from demo.SITUATIONS)
SECOND_CASES = ["午後には、", "続けて、", "夕方には、", "また、", "電話相談では、"]
FEELING_ADDS = [
    "帰り道でも、あの場面をどう返せばよかったか考えていた。",
    "一方で、本人が最後に自分から質問してくれたのは嬉しかった。",
    "正直なところ、判断を急かされているように感じた。", "同僚に話を聞いてもらい、少し落ち着いた。",
    "次に同じような相談が来たら、もう少し落ち着いて臨めそうだ。", "", "", "",
]
KEEP_ADDS = [
    "相談の最後に、次に何をするかを本人と一緒に紙に書き出した。", "連携先の担当者の名前と連絡方法を本人に渡せた。",
    "沈黙があっても急がずに待つことができた。", "分からない点はその場で答えず、確認してから連絡すると伝えた。",
    "相談票の項目を埋めることより、本人の言葉を記録することを優先できた。", "", "", "",
]
PROBLEM_ADDS = [
    "本人が本当に理解できたか、最後に言い直してもらえばよかった。", "次回の予約を決めずに帰してしまった。",
    "記録に書く時間が取れず、細部を思い出しながら書くことになった。",
    "家族の意見が中心になり、本人の希望を十分に聞けなかった。", "", "", "",
]
ANALYSIS_ADDS = [
    "振り返ると、相談の前半で情報を集めることに気を取られ、本人の感情に触れる言葉が少なかった。",
    "同じ相談を受けた先輩なら、最初に緊急度を確かめていたと思う。",
    "制度の知識だけでなく、地域のどの窓口が実際に動いてくれるかという情報が支援の質を左右している。",
    "相談者の「大丈夫です」を、言葉どおりに受け取ってよかったのか考え直している。", "", "", "",
]
INSIGHT_ADDS = [
    "今日の相談で、そのことを具体的な場面として理解できた。", "教科書で読んだときより、ずっと実感を伴って分かった。",
    "これは他の分野の相談にも当てはまりそうだ。", "", "", "",
]
TRY_ADDS = [
    "できたかどうかを、明日の振り返りに書く。", "週末に、一週間分をまとめて見直す。",
    "うまくいかなかったら、次の面談で理由を一緒に考えてもらう。", "まずは午前中の相談で一度試してみる。",
    "同僚にも声をかけて、窓口全体のやり方として話し合う。", "相談票の余白に、試したことと結果を一言ずつ残す。",
    "来週のスーパービジョンまでに、3件分の実例を集める。", "", "",
]


def _with(text: str, addition: str) -> str:
    return f"{text}{addition}" if addition else text


def reflection_text(enrolment_id: int, day: date, code: int, case: str, second_case: str, drawn: dict) -> dict:
    """The free-text fields of one demo reflection: the day's main case (with its consultee code) and a second
    case, and `drawn`, the core sentences the demo drew for feelings, keep, problem, analysis, insight and try.
    Returns the event and those fields with the day's own details added."""
    own = random.Random(f"reflection:{enrolment_id}:{day.isoformat()}")
    event = f"相談者コード K-{code}:{own.choice(OPENINGS)}{case}。{own.choice(DETAILS)}"
    if own.random() < 0.6:
        event += f"{own.choice(SECOND_CASES)}{second_case}。"
    return {
        "event": event,
        "feelings": _with(drawn["feelings"], own.choice(FEELING_ADDS)),
        "keep_text": _with(drawn["keep_text"], own.choice(KEEP_ADDS)),
        "problem": _with(drawn["problem"], own.choice(PROBLEM_ADDS)),
        "analysis": _with(drawn["analysis"], own.choice(ANALYSIS_ADDS)),
        "insight": _with(drawn["insight"], own.choice(INSIGHT_ADDS)),
        "try_text": _with(drawn["try_text"], own.choice(TRY_ADDS)),
    }
