"""The privacy guard's cost: the time to scan one 2,000-character reflection, the length of a long day's entry,
as written (an identifier in every fourth sentence, among ordinary text, look-alikes and partners' public contacts)
and dense (an identifier in every other sentence). The guard runs at every autosave of a draft and at every
submit, so its target is absolute: 20 ms, the best of `repeat` runs after a warm-up on the shared machine. Needs no
database."""
from __future__ import annotations

import time

from ..privacy import guard
from .report import Row

# sentences as trainees write them: anonymous codes, dates of the practice, module numbers, partners' public
# contacts, and now and then an identifier that slipped through
ORDINARY = [
    "本日は相談者K-576の在留期間更新について、必要書類を一緒に確認した。",
    "モジュール12で学んだ傾聴の技法を意識し、まず本人の話を最後まで聞くようにした。",
    "Aさんは技能実習から特定技能への移行を考えており、受入れ機関との面談日程を調整した。",
    "連携先の国際交流協会（代表 052-000-1234）に通訳の手配を依頼した。",
    "R8.12.7 の面談では、家族の健康保険の扶養について質問が出た。",
    "C1とC3を意識した。自己評価は3。明日は区役所の窓口へ同行する予定。",
    "We talked about the school enrolment of her son and the documents the ward office needs.",
    "当座の生活費として3万円を借りたいという相談もあり、社協の貸付制度を紹介した。",
    "LINE で写真を送ってもらい、書類の不足を確認した。",
    "振り返ると、制度の説明が早口になってしまったので、次回はやさしい日本語で区切って話したい。",
]
IDENTIFYING = [
    "在留カード番号 AB 1234 5678 CD をメモしてしまった。",
    "本人の携帯 090-1234-5678 に折り返した。",
    "連絡先は nguyen.an[at]example.com とのこと。",
    "H13.4.3生の男性、住所は 3-5-12 Sakae, Naka-ku。",
    "振込先は 普通 1234567、雇用保険被保険者番号 1234-567890-1。",
    "LINE ID: nguyen_an88 で連絡が取れる。",
]


def reflection(chars: int = 2000, dense: bool = False) -> str:
    """A reflection of about `chars` characters: ordinary sentences with an identifying one every fourth (dense:
    every other)."""
    out: list[str] = []
    i = 0
    while sum(map(len, out)) < chars:
        every = 2 if dense else 4
        pool = IDENTIFYING if i % every == every - 1 else ORDINARY
        out.append(pool[(i // every) % len(pool)] if pool is IDENTIFYING else pool[i % len(pool)])
        i += 1
    return "".join(out)[:chars]


def best_ms(text: str, repeat: int) -> float:
    guard.scan_text(text, "event")  # warm: the first scan pays for Python's own caches
    timings = []
    for _ in range(max(1, repeat)):
        started = time.perf_counter()
        guard.scan_text(text, "event")
        timings.append(time.perf_counter() - started)
    return min(timings) * 1000


def rows(repeat: int = 20) -> list[Row]:
    out = []
    for label, dense in (("as written", False), ("dense with identifiers", True)):
        text = reflection(2000, dense)
        ms = best_ms(text, repeat)
        out.append(Row("guard", f"privacy scan of a {len(text):,}-character reflection, {label} (ms, best of "
                                f"{max(1, repeat)})", ms, "≤ 20 ms", ms > 20))
    return out
