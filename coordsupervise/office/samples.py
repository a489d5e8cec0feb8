"""Sample import files for a cohort: a roster of new trainees (CSV in CP932 as Japanese Excel saves it, and XLSX)
and their first quiz results, dated inside that cohort's online stage. `python -m coordsupervise samples` writes
them to data/ for the newest cohort of the database, and so does building the demo (the `demo` command and the app's
first start in demo mode), so a demo built on any day has files that import cleanly: the files are not kept in git."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path

from openpyxl import Workbook

ROSTER_HEADER = ["ログインID", "氏名", "ふりがな", "メールアドレス", "所属機関", "地域", "担当指導者"]
QUIZ_HEADER = ["ログインID", "モジュール", "得点", "受験回数", "受験日"]
ROSTER = [
    ["ｙｏｓｈｉｄａ．ｋｅｎｔａ", "吉田 健太", "よしだ けんた", "k.yoshida@example.jp",
     "浜松国際交流協会 外国人相談", "中部", "demo-supervisor"],
    ["nguyen.lan", "グエン ラン", "ぐえん らん", "lan.nguyen@example.jp", "かわさき外国人相談窓口", "関東",
     "demo-supervisor;supervisor-01"],
    ["santos.maria", "サントス マリア", "さんとす まりあ", "", "群馬県外国人総合相談ワンストップセンター", "関東",
     "supervisor-01"],
    ["kim.minji", "金 敏智", "きむ みんじ", "minji.kim@example.jp", "大阪市外国人相談窓口", "近畿", "demo-supervisor"],
    ["ikeda.sakura", " 池田　さくら ", "いけだ さくら", "s.ikeda@example.jp", "福岡県外国人相談センター", "九州・沖縄",
     "supervisor-01"],
]


def roster_rows() -> list[list[str]]:
    return [ROSTER_HEADER, *[list(r) for r in ROSTER]]


def quiz_rows(online_start: date) -> list[list[str]]:
    """Modules 1-3 for every sample trainee (one retake), dated in the first weeks of the online stage."""
    rows = [QUIZ_HEADER]
    for i, row in enumerate(ROSTER):
        username = row[0]
        for module in (1, 2, 3):
            day = online_start + timedelta(days=3 * module + i % 3)
            score = 70 + (i * 7 + module * 5) % 30
            rows.append([username, str(module), str(score), "1", day.strftime("%Y/%m/%d")])
            if score < 80:
                rows.append([username, str(module), str(min(100, score + 12)), "2",
                             (day + timedelta(days=2)).strftime("%Y/%m/%d")])
    return rows


def csv_data(rows: list[list[str]], encoding: str) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


def xlsx_data(rows: list[list[str]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write(folder: str | Path, online_start: date) -> list[Path]:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "sample_roster.csv": csv_data(roster_rows(), "cp932"),
        "sample_roster.xlsx": xlsx_data(roster_rows()),
        "sample_quiz.csv": csv_data(quiz_rows(online_start), "utf-8-sig"),
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return [folder / name for name in files]


def write_for_newest(db, folder: str | Path) -> tuple[str, list[Path]] | None:
    """Write the sample files for the database's newest cohort (by its online stage): (its code, the files), or None
    when there is no cohort."""
    row = db.one("SELECT c.code, s.starts_on FROM cohort c JOIN cohort_stage s ON s.cohort_id = c.id "
                 "AND s.stage = 'online' ORDER BY s.starts_on DESC LIMIT 1")
    if row is None:
        return None
    return row[0], write(folder, row[1])
