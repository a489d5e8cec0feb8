"""The programme's default content from domain.md: competencies, online modules, assignments, rubric descriptors and
the stage calendar. It is copied into the database when a programme or cohort is created; from then on the database,
not this file, is the truth, and each cohort can change its own copy."""
from __future__ import annotations

from datetime import date, timedelta

COMPETENCIES = [
    ("C1", 1, "外国人の在留状況を正確に把握する能力", "Accurately grasp a foreign resident's residence status"),
    ("C2", 2, "異なる文化や価値観を理解する能力", "Understand different cultures and values"),
    ("C3", 3, "外国人の複雑・複合的な相談内容に対して適切な解決まで導く能力",
     "Lead complex, compound consultations to resolution"),
    ("C4", 4, "外国人を適切な支援へ円滑につなげる能力", "Connect foreign residents smoothly to appropriate support"),
]

# (group, title_ja, title_en, competency or None for all)
MODULES = [
    ("A", "外国人支援コーディネーターを導入する意義等", "Why coordinators are introduced", None),
    ("B", "外国人の入国・在留の状況", "Entry and residence of foreign nationals", "C1"),
    ("B", "入管法(在留)", "Immigration Control Act: residence", "C1"),
    ("B", "入管法(出入国・退去強制・難民)", "Immigration Control Act: entry, deportation, refugees", "C1"),
    ("B", "国籍法(帰化・無国籍)", "Nationality Act: naturalisation, statelessness", "C1"),
    ("C", "多様な背景を持つ外国人への相談支援", "Consultation support for people of diverse backgrounds", "C2"),
    ("C", "異文化理解等", "Intercultural understanding", "C2"),
    ("D", "相談面接に係る知識と技術", "Knowledge and skills of consultation interviews", "C3"),
    ("D", "相談支援のプロセスに係る知識と技術", "Knowledge and skills of the support process", "C3"),
    ("D", "価値・倫理及び自己理解・他者理解", "Values, ethics, understanding self and others", "C3"),
    ("D", "外国人の生活問題とその背景(児童・女性・高齢者・労働者等)",
     "Life problems of foreign residents and their background (children, women, elderly, workers)", "C3"),
    ("D", "事例・事例検討の意義と方法・スーパービジョン等", "Case studies, case conferences and supervision", "C3"),
    ("E", "外国人との共生施策の現状", "Current policies for coexistence", "C4"),
    ("E", "関係機関の役割及び各行政サービス", "Roles of partner organisations and public services", "C4"),
    ("E", "関係機関等との関係構築及び連携に関する技術・予防的支援の方法",
     "Building partnerships, collaboration skills and preventive support", "C4"),
]

LEVELS = {
    4: ("自立して応用できる", "Applies independently, adapts to new cases"),
    3: ("概ね自立してできる", "Mostly independent (pass)"),
    2: ("助言があればできる", "Can do it with guidance"),
    1: ("助言があっても不十分", "Insufficient even with guidance"),
}

# competency -> {level: (ja, en)}
DESCRIPTORS = {
    "C1": {
        4: ("在留資格・期間・リスクを特定し、起こりうる問題を予見している", "Identifies status, period and risks and anticipates problems"),
        3: ("重要な事実を正確に確認している", "Checks the key facts accurately"),
        2: ("確認の一部が抜けている", "Misses some checks"),
        1: ("在留資格を読み誤っている", "Misreads the residence status"),
    },
    "C2": {
        4: ("自らの文化的前提を省察し、対応を調整している", "Reflects on own cultural assumptions and adapts"),
        3: ("相談者の背景を考慮している", "Takes the person's background into account"),
        2: ("一般的な対応にとどまる", "Stays generic"),
        1: ("ステレオタイプで捉えている", "Stereotypes"),
    },
    "C3": {
        4: ("複合的な問題を分解し、優先順位のある計画にしている", "Decomposes compound problems into a prioritised plan"),
        3: ("主な問題を整理し計画している", "Organises the main problems and plans"),
        2: ("問題の一部しか把握していない", "Grasps only part of the problem"),
        1: ("問題を構造化できていない", "Cannot structure the problem"),
    },
    "C4": {
        4: ("適切な連携先へ確実につなぎ、結果を把握している", "Hands off reliably to the right partner and retrieves the outcome"),
        3: ("適切な連携先を選び連絡している", "Selects and contacts an appropriate partner"),
        2: ("紹介するだけにとどまる", "Refers only"),
        1: ("不適切な連携先を選んでいる", "Chooses an unsuitable partner"),
    },
}

# (code, title_ja, title_en, kind, competencies judged, due: days after practical start, certification-critical)
ASSIGNMENTS = [
    ("A1", "課題設定シート", "Task-setting sheet", "approval", (), -2, True),
    ("A2", "在留状況確認記録", "Residence-status verification log", "scored", ("C1",), 21, False),
    ("A3", "相談内容の切り分け・アセスメント", "Case decomposition and assessment", "scored", ("C3",), 35, False),
    ("A4", "分野横断的支援プラン(解決順序つき)", "Cross-field support plan with order of resolution", "scored",
     ("C3", "C4"), 49, False),
    ("A5", "連携先マップと引継ぎ記録", "Partner map and hand-off record", "scored", ("C4",), 60, False),
    ("A6", "異文化場面の省察事例", "Reflection on an intercultural critical incident", "scored", ("C2",), 70, False),
    ("A7", "予防的支援(オリエンテーション)企画", "Plan for a preventive orientation", "scored", ("C2", "C4"), 80, False),
    ("A8", "課題レポート", "Final practice report", "scored", ("C1", "C2", "C3", "C4"), 92, True),
]

STAGES = ("online", "task_setting", "practical", "workshop_day1", "workshop_day2", "certification")


def stage_calendar(online_start: date) -> dict[str, tuple[date, date]]:
    """Default calendar of one cohort from the first online day: ~2 months online, ~10 days task setting,
    3 months practical, a two-day workshop, then the certification decision."""
    online_end = online_start + timedelta(days=59)
    task_start = online_end + timedelta(days=1)
    task_end = task_start + timedelta(days=9)
    practical_start = task_end + timedelta(days=1)
    practical_end = practical_start + timedelta(days=91)
    day1 = practical_end + timedelta(days=14)
    while day1.weekday() != 5:  # workshops run on a Saturday and Sunday
        day1 += timedelta(days=1)
    day2 = day1 + timedelta(days=1)
    cert = day2 + timedelta(days=21)
    return {
        "online": (online_start, online_end),
        "task_setting": (task_start, task_end),
        "practical": (practical_start, practical_end),
        "workshop_day1": (day1, day1),
        "workshop_day2": (day2, day2),
        "certification": (cert, cert),
    }
