"""The child process of the crash test: a mixed burst of writes through the services, each acknowledged in a side
file only after the service returned (so an acknowledgement means "the app told the person it was saved").

    python -m tests.reliability.crash_writer DB ACK_FILE TRAINEE_USERNAME TODAY

It writes until it is killed: drafts and submits of the trainee's reflections, day after day, and the supervisor's
replies to them; once every day is written, more replies to the last one (a writer that ran out of days and ended
by itself would leave the test nothing to kill)."""
from __future__ import annotations

import itertools
import os
import sys
from datetime import date

from coordsupervise.demo.build import working_days
from coordsupervise.practice import reflections, supervision
from coordsupervise.programme import enrolments
from coordsupervise.programme.auth import load_login_user
from coordsupervise.store.engine import open_database


def main(db_path: str, ack_path: str, trainee: str, today_iso: str) -> None:
    today = date.fromisoformat(today_iso)
    db = open_database(db_path)
    actor = load_login_user(db, trainee).actor()
    supervisor = load_login_user(db, "demo-supervisor").actor()
    enrolment = enrolments.current_for_trainee(db, actor)
    start, end = enrolment.practical
    with open(ack_path, "a", encoding="utf-8") as ack:
        def acknowledge(line: str) -> None:
            ack.write(line + "\n")
            ack.flush()
            os.fsync(ack.fileno())

        for day in working_days(start, min(end, today)):
            body = reflections.ReflectionBody(goal=f"{day} の目標", competencies=["C1"], event="在留期間の確認",
                                              feelings="緊張した", keep_text="確認できた", problem="時間",
                                              analysis="モジュール3", insight="準備が大切", try_text="明日も確認",
                                              self_rating=3)
            reflections.save_draft(db, actor, enrolment, day, body, today)
            acknowledge(f"draft {enrolment.id} {day}")
            version = reflections.submit(db, actor, enrolment, day, body, 0, set(), today)
            acknowledge(f"submit {enrolment.id} {day} {version}")
            rid = db.value("SELECT id FROM reflection WHERE enrolment_id = ? AND practice_date = ?",
                           [enrolment.id, day])
            feedback_id = supervision.send_reply(db, supervisor, rid, f"{day} へのコメント", version, 0)
            acknowledge(f"feedback {feedback_id} {rid}")
        for length in itertools.count(1):
            feedback_id = supervision.send_reply(db, supervisor, rid, f"追記 {length}", version, length)
            acknowledge(f"feedback {feedback_id} {rid}")


if __name__ == "__main__":
    main(*sys.argv[1:5])
