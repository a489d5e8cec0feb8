"""A believable demo programme, deterministic for a seed (domain.md, issue "Foundation").

Cohorts are placed in time relative to `today` so that the newest is in the online stage, the next in the
practical stage and the older ones finished and certified. Rows are built as DataFrames and appended in bulk, so the
same code builds the 3-cohort default demo in a second and the 100-cohort benchmark database in minutes.
"""
from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd

from .. import clock
from ..clock import jst_to_utc, now_utc
from ..privacy import readlog
from ..programme import cohorts, curriculum
from ..programme.auth import hash_password, insert_user, normalize_username
from ..store.db import Database, Transaction, insert_frame
from ..text.readings import reading, searchable
from ..text.textnorm import search_key
from . import scores as scoring_demo
from .closing import close_cohort
from .library import build_library
from .text import reflection_text

DEMO_PASSWORD = "coordsupervise-demo"
# listed on a demo database's login page (the role column reads role.<the name's second part>)
DEMO_ACCOUNTS = ("demo-trainee", "demo-graduate", "demo-supervisor", "demo-manager", "demo-admin")

FAMILY = [("佐藤", "さとう"), ("鈴木", "すずき"), ("高橋", "たかはし"), ("田中", "たなか"), ("伊藤", "いとう"),
          ("渡辺", "わたなべ"), ("山本", "やまもと"), ("中村", "なかむら"), ("小林", "こばやし"), ("加藤", "かとう"),
          ("吉田", "よしだ"), ("山田", "やまだ"), ("佐々木", "ささき"), ("山口", "やまぐち"), ("松本", "まつもと"),
          ("井上", "いのうえ"), ("木村", "きむら"), ("林", "はやし"), ("斎藤", "さいとう"), ("清水", "しみず"),
          ("金", "きむ"), ("李", "り"), ("グエン", "ぐえん"), ("サントス", "さんとす"), ("森", "もり"),
          ("池田", "いけだ"), ("橋本", "はしもと"), ("阿部", "あべ"), ("石川", "いしかわ"), ("前田", "まえだ")]
GIVEN = [("陽子", "ようこ"), ("健太", "けんた"), ("美咲", "みさき"), ("大輔", "だいすけ"), ("由美", "ゆみ"),
         ("翔", "しょう"), ("恵", "めぐみ"), ("直樹", "なおき"), ("彩", "あや"), ("拓也", "たくや"),
         ("真理子", "まりこ"), ("誠", "まこと"), ("千尋", "ちひろ"), ("亮", "りょう"), ("さくら", "さくら"),
         ("マリア", "まりあ"), ("ミン", "みん"), ("愛", "あい"), ("浩二", "こうじ"), ("奈々", "なな")]
ORGANISATIONS = [
    ("北海道外国人相談センター", "北海道", "北海道"), ("みやぎ外国人相談センター", "宮城県", "東北"),
    ("群馬県外国人総合相談ワンストップセンター", "群馬県", "関東"), ("埼玉県外国人総合相談センター", "埼玉県", "関東"),
    ("新宿区多文化共生プラザ 相談窓口", "東京都", "関東"), ("かわさき外国人相談窓口", "神奈川県", "関東"),
    ("浜松国際交流協会 外国人相談", "静岡県", "中部"), ("あいち多文化共生センター", "愛知県", "中部"),
    ("大阪市外国人相談窓口", "大阪府", "近畿"), ("神戸国際コミュニティセンター", "兵庫県", "近畿"),
    ("ひろしま国際センター相談窓口", "広島県", "中国"), ("福岡県外国人相談センター", "福岡県", "九州・沖縄"),
    ("沖縄県外国人総合相談窓口", "沖縄県", "九州・沖縄"), ("岐阜県外国人相談センター", "岐阜県", "中部"),
]
FIELDS = ["在留手続", "労働", "教育・子ども", "医療", "住まい", "税・年金", "DV・家族", "生活困窮", "日本語学習"]
SITUATIONS = [
    "在留期間の更新を控えた技能実習生から、転籍の可否について相談を受けた",
    "子どもの就学手続が分からないという母親の相談に、学校教育課と連絡を取りながら対応した",
    "雇い止めを告げられた日系人の方の相談で、雇用保険の手続と住まいの問題が重なっていた",
    "配偶者からの暴力を打ち明けられ、在留資格への影響を心配する声を聞いた",
    "病院の請求書を読めずに困っている方に、医療費と保険の仕組みを一緒に確認した",
    "家主から退去を求められたという相談で、契約書の内容を通訳を介して確認した",
    "年金の脱退一時金について、帰国予定の方から手続の順序を尋ねられた",
    "特定技能への移行を希望する方の書類を確認し、不足書類を整理した",
    "日本語が話せない高齢の方の介護保険の申請について、家族と一緒に話を聞いた",
    "留学生のアルバイト時間超過の疑いについて、本人の不安に寄り添いながら事実を整理した",
    "難民認定申請中の方の生活費の相談を受け、利用できる支援を調べた",
    "国際結婚の解消に伴う在留資格の変更について相談を受けた",
    "税金の督促状が届いたという相談で、市税担当課と分割納付の相談につないだ",
    "ひとり親家庭の児童扶養手当の申請を、必要書類の翻訳を確認しながら支援した",
    "職場での差別的な扱いについての相談で、労働局の総合労働相談コーナーを紹介した",
]
FEELINGS = [
    "相談者の不安が強く、焦りを感じた。", "最後に笑顔が見られ、ほっとした。", "自分の知識不足がもどかしかった。",
    "制度の壁の厚さに無力感を覚えた。", "連携先がすぐ動いてくれて心強かった。", "途中で話が混乱し、緊張した。",
    "相談者の粘り強さに学ぶところが多かった。", "時間が足りず、消化不良のまま終わった気がする。",
]
KEEPS = [
    "最初に在留カードの在留期限を確認できた。", "相談内容を3つに切り分けてから話を進められた。",
    "相談者の言葉を繰り返して確認し、誤解を防げた。", "連携先に事前に電話し、引継ぎ内容を共有できた。",
    "やさしい日本語に言い換えて説明できた。", "宗教上の配慮について本人に直接尋ねることができた。",
    "記録を当日中にまとめられた。", "通訳を手配し、本人のペースで話してもらえた。",
]
PROBLEMS = [
    "解決の順序を決めないまま複数の窓口を案内してしまった。", "在留資格の種類による制限を確認しそびれた。",
    "自分の価値観で「こうすべき」と話してしまった場面があった。", "連携先からの結果の確認をしていない。",
    "相談時間が長くなり、他の相談者を待たせてしまった。", "専門用語を多用してしまい、伝わっていなかった。",
    "緊急性の判断に迷い、上司への相談が遅れた。", "記録に主観的な表現が混じっていた。",
]
ANALYSES = [
    "モジュール「相談支援のプロセス」で学んだアセスメントの手順を、実際には踏めていなかった。",
    "入管法(在留)の講義で扱った資格外活動の考え方を当てはめると、本人のリスクがより明確になる。",
    "異文化理解の講義で学んだ「自文化中心主義」に自分が陥っていたと気づいた。",
    "関係機関の役割の講義を振り返ると、最初から労働基準監督署につなぐべきだった。",
    "スーパービジョンで指摘された「問いの立て方」を意識したら、相談者が話しやすくなった。",
    "生活問題の背景に、言葉の壁だけでなく孤立があることを事例検討の視点で捉え直した。",
]
INSIGHTS = [
    "複合的な相談ほど、最初に全体像を一緒に描くことが大切だと学んだ。",
    "つなぐことはゴールではなく、結果を確かめるまでが支援だと実感した。",
    "相談者の文化的背景を尋ねることは失礼ではなく、信頼につながる。",
    "在留期限は他のすべての問題の前提になる。", "沈黙の時間も相談の一部だと感じた。",
    "自分一人で抱えず、チームで判断することの意味が分かった。",
]
TRIES = [
    "明日は相談の冒頭で解決の順序を相談者と一緒に決める。", "連携先2件に、引継ぎ後の状況を確認する電話をする。",
    "在留資格ごとの就労制限を一覧にして手元に置く。", "記録を事実と解釈に分けて書く。",
    "やさしい日本語の言い換え表を作る。", "スーパーバイザーに緊急性の判断基準を相談する。",
]
FEEDBACK = [
    "丁寧な振り返りです。解決の順序を決めた根拠を、次回は記録にも残してみてください。",
    "在留期限の確認から入れたのは良い判断でした。資格外活動の点も確認できるとさらに良いです。",
    "連携先に結果を確認する姿勢が素晴らしいです。引継ぎ記録の書式を共有しますね。",
    "「自分の価値観で話してしまった」という気づきは大切です。どんな言葉だったか、次回の面談で一緒に考えましょう。",
    "緊急性の判断は一人で抱えないでください。迷ったら当日中に連絡をください。",
    "やさしい日本語の工夫がよく伝わってきます。言い換え表ができたら見せてください。",
]
TRAINEE_REPLIES = [
    "ありがとうございます。次回は根拠も記録に書くようにします。", "引継ぎ記録の書式、ぜひお願いします。",
    "承知しました。判断に迷ったらすぐ相談します。", "面談でご相談させてください。",
]
SUBMISSION_BODIES = {
    "A1": "## 実践研修の課題\n- 複合的な相談のアセスメント力を高める\n- 連携先とのつなぎの質を上げる\n\n## 方法\n毎日の振り返りと月2回のスーパービジョン。",
    "A2": "## 在留状況確認記録\n相談者コード K-0{n} の在留資格・期限・就労制限を確認した記録。確認漏れを防ぐためのチェックリストを併記。",
    "A3": "## 相談内容の切り分け\n相談者コード K-1{n}: 労働・住まい・子どもの就学の3つに切り分け、緊急度で順位づけした。",
    "A4": "## 分野横断的支援プラン\n1. 住まいの確保(緊急)\n2. 雇用保険の手続\n3. 子どもの転校手続\n各段階の連携先と期限を記載。",
    "A5": "## 連携先マップ\n市役所各課、法テラス、労働局、医療機関、NPO の役割と連絡窓口を整理し、引継ぎ記録3件を添付。",
    "A6": "## 異文化場面の省察\nラマダン中の相談者との面談で、自分の前提に気づいた場面を Gibbs のリフレクティブ・サイクルで省察した。",
    "A7": "## 予防的支援の企画\n来日1年目の技能実習生向けオリエンテーション(90分)の企画書。",
    "A8": "## 課題レポート\n3か月の実践研修を通じた4つの能力の成長と今後の課題をまとめた。",
}


@dataclass
class DemoSummary:
    cohorts: int
    trainees: int
    reflections: int


def working_days(start: date, end: date) -> list[date]:
    days, d = [], start
    while d <= end:
        if d.weekday() < 5:
            days.append(d)
        d += timedelta(days=1)
    return days


def build_demo(db: Database, *, cohorts: int = 3, trainees_per_cohort: int = 12, seed: int = 7,
               today: date | None = None) -> DemoSummary:
    """Fill an empty database with the shipped programme and a demo of it. Refuses a database that already has
    users (and curriculum.init_programme one that already has a programme)."""
    if db.value("SELECT count(*) FROM app_user"):
        raise RuntimeError("the database already has users; the demo is only built into an empty database")
    today = today or clock.today()
    rng = random.Random(seed)
    password_hash = hash_password(DEMO_PASSWORD)  # one hash for every demo account keeps the build fast
    curriculum.init_programme(db, curriculum.load(None))  # the shipped programme, as `programme init` loads it
    summary = db.write(_build, rng, password_hash, cohorts, trainees_per_cohort, today)
    build_library(db, today)  # the know-how library and the partner directory, through their own services
    db.write(readlog.copy_read_markers)  # the demo's supervisor reads, in the privacy read log too
    db.write(lambda tx: tx.execute("INSERT INTO app_setting (key, value) VALUES ('demo_built', ?)",
                                   [today.isoformat()]))
    db.checkpoint()
    return summary


def _build(tx: Transaction, rng: random.Random, pw: str, n_cohorts: int, per_cohort: int, today: date):
    """The demo's people and records on the programme curriculum.init_programme wrote just before."""
    programme_id = tx.value("SELECT id FROM programme ORDER BY id LIMIT 1")
    module_ids = [m for (m,) in tx.rows("SELECT id FROM module WHERE programme_id = ? ORDER BY seq", [programme_id])]
    stages = cohorts.programme_stages(tx, programme_id)
    org_ids = [tx.value("INSERT INTO organisation (name, prefecture, region) VALUES (?, ?, ?) RETURNING id", list(o))
               for o in ORGANISATIONS]

    staff = {name: insert_user(tx, name, display, pw, roles, kana=kana, email=f"{name}@example.jp")
             for name, display, kana, roles in [
                 ("demo-supervisor", "森 由美", "もり ゆみ", ("supervisor",)),
                 ("demo-manager", "石川 誠", "いしかわ まこと", ("manager", "supervisor")),
                 ("demo-admin", "前田 奈々", "まえだ なな", ("admin",)),
             ]}
    supervisors = [staff["demo-supervisor"], staff["demo-manager"]]
    for i in range(max(1, n_cohorts // 2) + 2):
        fam, fam_k = rng.choice(FAMILY)
        giv, giv_k = rng.choice(GIVEN)
        supervisors.append(insert_user(tx, f"supervisor-{i + 1:02d}", f"{fam} {giv}", pw, ("supervisor",),
                                       kana=f"{fam_k} {giv_k}", email=f"supervisor-{i + 1:02d}@example.jp"))

    # cohorts: the newest starts three weeks ago (online stage), each older one six months earlier
    newest_start = today - timedelta(days=21)
    stats = {"trainees": 0, "reflections": 0}
    for c in range(n_cohorts):
        age = c  # 0 = newest
        start = newest_start - timedelta(days=int(182.5 * age) if age < 2 else 182 * age)
        if age == 1:  # the second-newest sits in the middle of its practical stage
            start = today - timedelta(days=60 + 10 + 40)
        calendar = cohorts.stage_calendar(stages, start)
        year_half = "前期" if start.month <= 6 else "後期"
        number = n_cohorts - c  # 第1期 is the oldest; the code's serial is the same number (2026-B-003 is 第3期)
        code = f"{start.year}-{'A' if start.month <= 6 else 'B'}-{number:03d}"
        cohort_id = cohorts.insert_cohort(
            tx, programme_id, code, f"{start.year}年度{year_half} 第{number}期",
            f"{start.year} {'spring' if start.month <= 6 else 'autumn'} cohort {number}", 1)
        tx.executemany("INSERT INTO cohort_stage (cohort_id, stage, starts_on, ends_on) VALUES (?, ?, ?, ?)",
                       [(cohort_id, s, a, b) for s, (a, b) in calendar.items()])
        assignments = _assignments(tx, programme_id, cohort_id, calendar)
        cohort_sups = [supervisors[0], supervisors[1]] if age == 1 else rng.sample(supervisors, 3)
        _cohort_people(tx, rng, pw, cohort_id, age, per_cohort, calendar, today, org_ids, module_ids,
                       assignments, cohort_sups, staff, stats)
    return DemoSummary(n_cohorts, stats["trainees"], stats["reflections"])


def _assignments(tx, programme_id, cohort_id, calendar) -> list[dict]:
    """The cohort's assignments as the programme sets them (cohorts.create_cohort writes the same), read back with
    the criteria of their rubric for scoring."""
    cohorts.assignments_from_programme(tx, programme_id, cohort_id, calendar["practical"][0])
    out = []
    for aid, code, kind, due_on, rubric_id in tx.rows(
            "SELECT id, code, kind, due_on, rubric_id FROM assignment WHERE cohort_id = ? ORDER BY seq", [cohort_id]):
        criteria = tx.rows("SELECT id, competency FROM rubric_criterion WHERE rubric_id = ? ORDER BY seq",
                           [rubric_id]) if kind == "scored" else []
        out.append({"id": aid, "code": code, "kind": kind, "due_on": due_on, "criteria": criteria})
    return out


def _cohort_people(tx, rng, pw, cohort_id, age, per_cohort, calendar, today, org_ids, module_ids, assignments,
                   cohort_sups, staff, stats):
    people = []
    for t in range(per_cohort):
        fam, fam_k = rng.choice(FAMILY)
        giv, giv_k = rng.choice(GIVEN)
        is_demo = age == 1 and t == 0
        username = "demo-trainee" if is_demo else f"trainee-{cohort_id:03d}-{t + 1:02d}"
        if age == 2 and t == 0:
            username = "demo-graduate"  # the newest finished cohort's first trainee, certified
        name, kana = ("中村 陽子", "なかむら ようこ") if is_demo else (f"{fam} {giv}", f"{fam_k} {giv_k}")
        organisation = rng.choice(org_ids)
        # demo-supervisor supervises demo-trainee and most of that cohort; the rest go to the others
        supervisor = cohort_sups[0] if (age == 1 and t < max(8, per_cohort // 2)) else rng.choice(cohort_sups)
        people.append((normalize_username(username), name, kana, organisation, supervisor, is_demo,
                       (not is_demo) and (t % 7 == 3)))
    enrolments = _insert_trainees(tx, pw, cohort_id, "completed" if age >= 2 else "active", people)
    stats["trainees"] += len(enrolments)

    _quizzes(tx, rng, enrolments, calendar, today, module_ids)
    practical_start, practical_end = calendar["practical"]
    if today > practical_start:
        stats["reflections"] += _reflections(tx, rng, enrolments, practical_start, min(practical_end, today), today)
        _submissions(tx, rng, enrolments, assignments, today)
        _flags(tx, rng, enrolments)
    day2 = calendar["workshop_day2"][0]
    if today > day2:
        _workshop_and_certification(tx, rng, enrolments, calendar, staff["demo-manager"], cohort_id)


def _insert_trainees(tx, pw, cohort_id, status, people) -> list[dict]:
    """A cohort's trainee accounts, enrolments and lead supervisions in four bulk inserts, in the order drawn (so the
    ids are those one insert_user each would give)."""
    insert_frame(tx, "app_user", pd.DataFrame(
        [(u, name, kana, f"{u}@example.jp", pw, "ja") for u, name, kana, *_ in people],
        columns=["username", "display_name", "display_name_kana", "email", "password_hash", "language"]))
    user_of = dict(tx.rows("SELECT username, id FROM app_user WHERE username IN (SELECT unnest(?))",
                           [[p[0] for p in people]]))
    insert_frame(tx, "user_role", pd.DataFrame([(user_of[p[0]], "trainee") for p in people],
                                               columns=["user_id", "role"]))
    insert_frame(tx, "enrolment", pd.DataFrame([(cohort_id, user_of[p[0]], p[3], status) for p in people],
                                               columns=["cohort_id", "trainee_id", "organisation_id", "status"]))
    enrolment_of = dict(tx.rows("SELECT trainee_id, id FROM enrolment WHERE cohort_id = ?", [cohort_id]))
    enrolments = [{"id": enrolment_of[user_of[u]], "user": user_of[u], "sup": sup, "risk": risk, "demo": is_demo}
                  for u, _name, _kana, _org, sup, is_demo, risk in people]
    insert_frame(tx, "supervision", pd.DataFrame([(e["id"], e["sup"], True) for e in enrolments],
                                                 columns=["enrolment_id", "supervisor_id", "is_lead"]))
    return enrolments


def _quizzes(tx, rng, enrolments, calendar, today, module_ids):
    online_start, online_end = calendar["online"]
    span = (online_end - online_start).days
    quiz_rows, test_rows = [], []
    for e in enrolments:
        for i, module_id in enumerate(module_ids):
            taken = online_start + timedelta(days=int(span * (i + 1) / (len(module_ids) + 1)) + rng.randint(0, 3))
            if taken >= today:
                break
            if e["risk"] and today < online_end and i > 6:
                break  # at-risk trainees fall behind in the online stage
            score = rng.gauss(70 if e["risk"] else 87, 9)
            attempt = 1
            quiz_rows.append((e["id"], module_id, attempt, _pct(score), jst_to_utc(taken, 20)))
            while score < 80 and attempt < 3 and rng.random() < (0.5 if e["risk"] else 0.9):
                attempt += 1
                score = rng.gauss(84, 6)
                quiz_rows.append((e["id"], module_id, attempt, _pct(score),
                                  jst_to_utc(taken + timedelta(days=attempt), 21)))
        if today > online_end:
            score = rng.gauss(66 if e["risk"] else 82, 8)
            test_rows.append((e["id"], "overall", 1, _pct(score), jst_to_utc(online_end, 19)))
            if score < 70:
                test_rows.append((e["id"], "overall", 2, _pct(rng.gauss(74, 5)),
                                  jst_to_utc(online_end + timedelta(days=5), 19)))
    insert_frame(tx, "quiz_attempt", pd.DataFrame(
        quiz_rows, columns=["enrolment_id", "module_id", "attempt_no", "score_pct", "taken_at"]))
    insert_frame(tx, "test_attempt", pd.DataFrame(
        test_rows, columns=["enrolment_id", "kind", "attempt_no", "score_pct", "taken_at"]))


def _pct(x: float) -> float:
    return float(max(20, min(100, round(x))))


def _searchable_body(body: dict) -> str:
    """readings.searchable of a reflection's fields, with the readings taken sentence by sentence: a demo
    reflection is unique as a whole (a client code, the day's own details), so read whole it misses the readings
    cache every time and tokenizing ~280k of them dominated the 100-cohort build; its sentences recur and are read
    once each."""
    key = search_key(" ".join(str(v) for v in body.values()))
    spoken = [r for value in body.values() for sentence in re.split(r"(?<=。)|[:：]", str(value))
              for r in (reading(sentence),) if r]
    return f"{key} {' '.join(spoken)}" if spoken else key


def _reflections(tx, rng, enrolments, start, end, today) -> int:
    days = working_days(start, end)
    before_today = [d for d in reversed(days) if d < today]
    # demo-trainee writes every working day except three recent ones left to catch up on, whatever the weekday
    demo_gaps = {before_today[i] for i in (1, 3, 6) if i < len(before_today)}
    rows, tags, reads, feedback = [], [], [], []
    for e in enrolments:
        rate = 0.55 if e["risk"] else (1.0 if e["demo"] else 0.93)
        for d in days:
            if d == today and rng.random() < 0.6:
                continue  # today's reflection is usually written in the evening
            if rng.random() > rate or (e["demo"] and d in demo_gaps):
                continue
            draft = (d >= today - timedelta(days=1) and rng.random() < 0.3) or (e["demo"] and d == today)
            late = (not draft) and rng.random() < (0.25 if e["risk"] else 0.05)
            submitted_day = d + timedelta(days=2 if late else 0)
            fields = rng.sample(FIELDS, rng.randint(1, 3))
            situation = rng.choice(SITUATIONS)
            goal, case_count = rng.choice(TRIES).replace("明日は", "").replace("明日", ""), rng.randint(1, 7)
            code, second_case = rng.randint(100, 999), rng.choice(SITUATIONS)
            drawn = {"feelings": rng.choice(FEELINGS), "keep_text": rng.choice(KEEPS),
                     "problem": rng.choice(PROBLEMS), "analysis": rng.choice(ANALYSES),
                     "insight": rng.choice(INSIGHTS), "try_text": rng.choice(TRIES)}
            body = {
                "goal": goal, "case_count": case_count, "case_fields": "、".join(fields),
                **reflection_text(e["id"], d, code, situation, second_case, drawn),
                "self_rating": rng.choice([1, 2, 2, 3] if e["risk"] else [2, 3, 3, 3, 4]),
            }
            rows.append({
                "enrolment_id": e["id"], "practice_date": d, "status": "draft" if draft else "submitted",
                "version": 1, **body,
                "search_text": search_key(" ".join(str(v) for v in body.values())) if draft else
                _searchable_body(body),
                "submitted_at": None if draft else jst_to_utc(submitted_day, rng.randint(18, 23), rng.randint(0, 59)),
                "late": late, "created_at": jst_to_utc(d, 18), "updated_at": jst_to_utc(submitted_day, 23),
                "_comps": rng.sample(["C1", "C2", "C3", "C4"], rng.randint(1, 2)), "_body": body,
            })
    if not rows:
        return 0
    frame = pd.DataFrame(rows)
    insert_frame(tx, "reflection", frame.drop(columns=["_comps", "_body"]))
    ids = {(r[1], r[2]): r[0] for r in tx.rows(
        "SELECT r.id, r.enrolment_id, r.practice_date FROM reflection r WHERE r.enrolment_id IN (SELECT unnest(?))",
        [[e["id"] for e in enrolments]])}
    sup_of = {e["id"]: (e["sup"], e["user"]) for e in enrolments}
    now = min(now_utc(), jst_to_utc(today, 23, 59))  # nothing happens after the moment the demo is built
    by_demo_trainee = {e["id"]: e["demo"] for e in enrolments}
    versions = []
    for row in rows:
        rid = ids[(row["enrolment_id"], row["practice_date"])]
        tags.extend((rid, comp) for comp in row["_comps"])
        if row["status"] != "submitted":
            continue
        # the snapshot is what the reading view shows: the whole body, tags included, as a real submit stores it
        snapshot = {**row["_body"], "competencies": sorted(row["_comps"]), "module_ids": []}
        versions.append((rid, 1, json.dumps(snapshot, ensure_ascii=False), row["submitted_at"]))
        sup, trainee = sup_of[row["enrolment_id"]]
        age_days = (today - row["practice_date"]).days
        # demo-trainee's reflections of the last week or so wait, unread, for demo-supervisor
        fresh_for_demo = by_demo_trainee[row["enrolment_id"]] and age_days <= 12
        read_at = row["submitted_at"] + timedelta(hours=rng.randint(10, 40))
        if not fresh_for_demo and read_at < now and (age_days >= 3 or (age_days >= 1 and rng.random() < 0.4)):
            reads.append((rid, sup, 1, read_at))
            if rng.random() < 0.6:
                feedback.append((rid, sup, rng.choice(FEEDBACK), read_at + timedelta(minutes=5)))
                if rng.random() < 0.25 and read_at + timedelta(hours=20) < now:
                    feedback.append((rid, trainee, rng.choice(TRAINEE_REPLIES), read_at + timedelta(hours=20)))
    insert_frame(tx, "reflection_competency", pd.DataFrame(tags, columns=["reflection_id", "competency"]))
    insert_frame(tx, "reflection_version", pd.DataFrame(versions, columns=["reflection_id", "version", "body_json",
                                                                          "saved_at"]))
    insert_frame(tx, "reflection_read", pd.DataFrame(reads, columns=["reflection_id", "reader_id", "read_version",
                                                                    "read_at"]))
    feedback_frame = pd.DataFrame(feedback, columns=["reflection_id", "author_id", "body_md", "created_at"])
    feedback_frame["search_text"] = [searchable(text) for text in feedback_frame["body_md"]]
    insert_frame(tx, "feedback", feedback_frame)
    # the trainee has read all feedback older than two days; newer feedback shows as new
    tx.execute(
        "INSERT INTO feedback_read (feedback_id, reader_id, read_at) "
        "SELECT f.id, e.trainee_id, f.created_at + INTERVAL 1 DAY FROM feedback f "
        "JOIN reflection r ON r.id = f.reflection_id JOIN enrolment e ON e.id = r.enrolment_id "
        "WHERE e.id IN (SELECT unnest(?)) AND f.author_id <> e.trainee_id AND f.created_at < ?",
        [[e["id"] for e in enrolments], jst_to_utc(today - timedelta(days=2), 0)])
    _unread_follow_up(tx, rows, ids, enrolments, today)
    return len(rows)


def _unread_follow_up(tx, rows, ids, enrolments, today) -> None:
    """demo-trainee's supervisor followed up three days ago on a reflection of two weeks or more ago, and
    demo-trainee has not opened it yet: a reminder by mail is due (reminders/due.py), not yet an at-risk reason."""
    demo = next((e for e in enrolments if e["demo"]), None)
    older = sorted((r["practice_date"] for r in rows if demo and r["enrolment_id"] == demo["id"]
                    and r["status"] == "submitted" and (today - r["practice_date"]).days >= 13), reverse=True)
    if older:
        tx.execute("INSERT INTO feedback (reflection_id, author_id, body_md, created_at, search_text) "
                   "VALUES (?, ?, ?, ?, ?)", [ids[(demo["id"], older[0])], demo["sup"], FEEDBACK[0],
                                              jst_to_utc(today - timedelta(days=3), 10), searchable(FEEDBACK[0])])


def _submissions(tx, rng, enrolments, assignments, today):
    """Version 1 of the work due by now; scores, revisions and second markings come from scoring_demo."""
    made, rows = [], []
    for e in enrolments:
        for a in assignments:
            if a["due_on"] > today + timedelta(days=3):
                continue
            if e["risk"] and rng.random() < 0.3:
                continue  # missing
            late = rng.random() < (0.3 if e["risk"] else 0.05)
            submitted = a["due_on"] + timedelta(days=rng.randint(1, 4) if late else -rng.randint(0, 3))
            if submitted > today:
                continue
            body = SUBMISSION_BODIES[a["code"]].format(n=rng.randint(10, 99))
            status = "approved" if a["kind"] == "approval" else "submitted"
            rows.append((a["id"], e["id"], 1, body, status, jst_to_utc(submitted, 21), late, jst_to_utc(submitted, 21)))
            made.append((e, a, submitted))
    insert_frame(tx, "submission", pd.DataFrame(rows, columns=[
        "assignment_id", "enrolment_id", "version", "body_md", "status", "submitted_at", "late", "updated_at"]))
    ids = {(a, e): i for i, a, e in tx.rows(
        "SELECT id, assignment_id, enrolment_id FROM submission WHERE version = 1 AND enrolment_id IN "
        "(SELECT unnest(?))", [[e["id"] for e in enrolments]])}
    made = [(e, a, ids[(a["id"], e["id"])], submitted) for e, a, submitted in made]
    scoring_demo.build(tx, rng, made, assignments, today)


def _flags(tx, rng, enrolments):
    rows = [(e["id"], e["sup"], rng.choice(["medium", "high"]),
             rng.choice(["振り返りの提出が途切れがち。面談で状況を確認したい。",
                         "確認テストの再受験が続いている。学習時間の確保について相談が必要。",
                         "相談対応で在留資格の確認漏れが続いている。"]), now_utc() - timedelta(days=rng.randint(1, 10)))
            for e in enrolments if e["risk"]]
    insert_frame(tx, "flag", pd.DataFrame(rows, columns=["enrolment_id", "raised_by", "severity", "reason",
                                                         "raised_at"]))


def _workshop_and_certification(tx, rng, enrolments, calendar, manager_id, cohort_id):
    close_cohort(tx, rng, enrolments, calendar, manager_id, cohort_id)


def is_demo_database(db: Database) -> bool:
    """Built by build_demo: only then does the login page list the demo accounts and their shared password."""
    return db.value("SELECT count(*) FROM app_setting WHERE key = 'demo_built'") > 0
