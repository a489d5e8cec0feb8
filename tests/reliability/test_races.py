"""Two people (or two tabs) saving the same thing at the same instant: one wins, the other is refused with a clear
message and keeps its text; no lost update, no duplicate row. Threads through the services, released together."""
from __future__ import annotations

import threading
from datetime import timedelta

from coordsupervise.errors import StaleWrite
from coordsupervise.practice import reflections, supervision
from coordsupervise.practice.reflections import ReflectionBody

from ..conftest import DEMO_TODAY, actor_of


def at_once(*calls):
    """Run the calls in threads released by one barrier; each result is its return value or the exception."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, fn):
        barrier.wait()
        try:
            results[i] = fn()
        except Exception as exc:  # the refusal is the result being tested
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def body(text: str) -> ReflectionBody:
    return ReflectionBody(goal="目標", competencies=["C3"], event=text, feelings="f", keep_text="k", problem="p",
                          analysis="a", insight="i", try_text="t", self_rating=2)


def a_working_day():
    day = DEMO_TODAY - timedelta(days=1)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def test_two_tabs_submitting_the_same_reflection(demo_db, new_trainee):
    actor, enrolment = new_trainee
    day = a_working_day()
    results = at_once(
        lambda: reflections.submit(demo_db, actor, enrolment, day, body("タブAの本文"), 0, set(), DEMO_TODAY),
        lambda: reflections.submit(demo_db, actor, enrolment, day, body("タブBの本文"), 0, set(), DEMO_TODAY))
    assert sorted(type(r).__name__ for r in results) == ["StaleWrite", "int"]
    winner = "タブAの本文" if results[0] == 1 else "タブBの本文"
    loser = "タブBの本文" if winner == "タブAの本文" else "タブAの本文"
    row = demo_db.one("SELECT id, version, event FROM reflection WHERE enrolment_id = ? AND practice_date = ?",
                      [enrolment.id, day])
    assert row[1] == 1 and row[2] == winner
    assert demo_db.value("SELECT count(*) FROM reflection_version WHERE reflection_id = ?", [row[0]]) == 1
    # the loser's text is kept as a draft, to submit after a look at what the other tab sent
    assert loser in demo_db.value("SELECT body_json FROM draft WHERE owner_id = ? AND draft_key = ?",
                                  [actor.id, f"reflection:{row[0]}"])


def test_two_supervisors_answering_the_same_reflection(demo_db, new_trainee):
    actor, enrolment = new_trainee
    day = a_working_day()
    reflections.submit(demo_db, actor, enrolment, day, body("相談の記録"), 0, set(), DEMO_TODAY)
    rid = demo_db.value("SELECT id FROM reflection WHERE enrolment_id = ? AND practice_date = ?", [enrolment.id, day])
    first = actor_of(demo_db, "demo-supervisor")
    second = actor_of(demo_db, "demo-manager")  # also a supervisor: assign them to this trainee too
    demo_db.write(lambda tx: tx.execute("INSERT INTO supervision (enrolment_id, supervisor_id, is_lead) "
                                        "VALUES (?, ?, FALSE)", [enrolment.id, second.id]))
    results = at_once(lambda: supervision.send_reply(demo_db, first, rid, "森からの返信", 1, 0),
                      lambda: supervision.send_reply(demo_db, second, rid, "石川からの返信", 1, 0))
    assert sum(isinstance(r, StaleWrite) for r in results) == 1
    assert demo_db.value("SELECT count(*) FROM feedback WHERE reflection_id = ?", [rid]) == 1
    loser, text = (second, "石川からの返信") if isinstance(results[1], StaleWrite) else (first, "森からの返信")
    assert supervision.reply_draft(demo_db, loser, rid) == text


def test_the_same_supervisor_in_two_tabs_sends_once(demo_db, new_trainee):
    actor, enrolment = new_trainee
    day = a_working_day()
    reflections.submit(demo_db, actor, enrolment, day, body("相談の記録"), 0, set(), DEMO_TODAY)
    rid = demo_db.value("SELECT id FROM reflection WHERE enrolment_id = ? AND practice_date = ?", [enrolment.id, day])
    sup = actor_of(demo_db, "demo-supervisor")
    results = at_once(*[lambda: supervision.send_reply(demo_db, sup, rid, "同じ返信", 1, 0)] * 2)
    assert sum(isinstance(r, int) for r in results) == 1
    assert demo_db.value("SELECT count(*) FROM feedback WHERE reflection_id = ?", [rid]) == 1


def test_the_same_roster_imported_twice_at_once(demo_db):
    """Two office tabs commit the same roster at the same instant: the accounts are created once; the other import
    is refused as changed meanwhile (or finds nothing left to do), never a duplicate account or enrolment."""
    import csv
    import io

    from coordsupervise.office import imports
    from coordsupervise.programme import enrolments

    admin = actor_of(demo_db, "demo-admin")
    cohort_id = enrolments.current_for_trainee(demo_db, actor_of(demo_db, "demo-trainee")).cohort_id
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows([
        ["ログインID", "氏名", "ふりがな", "メールアドレス", "所属機関", "地域", "担当指導者"],
        ["race.one", "競争 一郎", "きょうそう いちろう", "one@example.jp", "浜松国際交流協会", "中部",
         "demo-supervisor"],
        ["race.two", "競争 二郎", "きょうそう じろう", "", "新しい相談センター", "関東", "demo-supervisor"]])
    data = out.getvalue().encode("cp932")
    results = at_once(lambda: imports.commit_roster(demo_db, admin, data, "roster.csv", cohort_id),
                      lambda: imports.commit_roster(demo_db, admin, data, "roster.csv", cohort_id))
    created = [r for r in results if isinstance(r, imports.CommitResult) and r.passwords]
    assert len(created) == 1, results
    assert all(isinstance(r, (imports.CommitResult, StaleWrite)) for r in results), results
    for username in ("race.one", "race.two"):
        assert demo_db.value("SELECT count(*) FROM app_user WHERE username = ?", [username]) == 1
        assert demo_db.value("SELECT count(*) FROM enrolment e JOIN app_user u ON u.id = e.trainee_id "
                             "WHERE u.username = ?", [username]) == 1
