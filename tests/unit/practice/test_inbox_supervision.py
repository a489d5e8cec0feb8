"""The supervisor's inbox and reading: caseload only, unread first, Japanese search, next unread, threads with
stale-save refusal, comment bank, flags, private notes."""
from datetime import timedelta

import pytest

from coordsupervise.errors import AccessDenied, InvalidInput, StaleWrite
from coordsupervise.practice import inbox, reflections, supervision
from coordsupervise.practice.inbox import InboxFilter
from coordsupervise.practice.reflections import ReflectionBody
from coordsupervise.programme import enrolments
from coordsupervise.programme.auth import insert_user
from tests.conftest import DEMO_TODAY, actor_of


def supervised_trainee_reflection(db, supervisor):
    """A submitted reflection of one of the supervisor's trainees."""
    return db.value("SELECT r.id FROM reflection r JOIN supervision s ON s.enrolment_id = r.enrolment_id "
                    "WHERE s.supervisor_id = ? AND r.status = 'submitted' ORDER BY r.practice_date DESC LIMIT 1",
                    [supervisor.id])


def other_supervisor(db, supervisor):
    name = db.value("SELECT u.username FROM app_user u JOIN user_role r ON r.user_id = u.id AND r.role = "
                    "'supervisor' WHERE u.username LIKE 'supervisor-%' AND u.id NOT IN (SELECT s.supervisor_id FROM "
                    "supervision s JOIN supervision t ON t.enrolment_id = s.enrolment_id WHERE t.supervisor_id = ?) "
                    "LIMIT 1", [supervisor.id])
    if name is None:
        db.write(lambda tx: insert_user(tx, "supervisor-x", "別 指導者", "x", ("supervisor",)))
        name = "supervisor-x"
    return actor_of(db, name)


def test_inbox_holds_only_the_caseload_unread_first(demo_db):
    supervisor = actor_of(demo_db, "demo-supervisor")
    frame, total = inbox.page(demo_db, supervisor, InboxFilter(), 1, 500)
    assert total == len(frame) or total > 500
    mine = {e["enrolment_id"] for e in inbox.caseload(demo_db, supervisor)}
    enrolment_ids = {eid for (eid,) in demo_db.rows("SELECT enrolment_id FROM reflection WHERE id IN (SELECT "
                                                   "unnest(?))", [list(frame["id"])])}
    assert enrolment_ids <= mine
    unread = list(frame["unread"])
    assert unread == sorted(unread, reverse=True) and unread[0]
    counts = inbox.counts(demo_db, supervisor)
    assert counts["unread"] == int(frame["unread"].sum())


def test_pagination_splits_without_overlap(demo_db):
    supervisor = actor_of(demo_db, "demo-supervisor")
    first, total = inbox.page(demo_db, supervisor, InboxFilter(), 1, 10)
    second, _ = inbox.page(demo_db, supervisor, InboxFilter(), 2, 10)
    assert len(first) == 10 and total > 20
    assert not set(first["id"]) & set(second["id"])


def test_japanese_search_is_width_and_kana_insensitive(demo_db):
    supervisor = actor_of(demo_db, "demo-supervisor")
    rid = supervised_trainee_reflection(demo_db, supervisor)
    enrolment_id = demo_db.value("SELECT enrolment_id FROM reflection WHERE id = ?", [rid])
    trainee = actor_of(demo_db, demo_db.value("SELECT u.username FROM enrolment e JOIN app_user u ON "
                                              "u.id = e.trainee_id WHERE e.id = ?", [enrolment_id]))
    enrolment = enrolments.load(demo_db, trainee, enrolment_id)
    day = demo_db.value("SELECT practice_date FROM reflection WHERE id = ?", [rid])
    view = reflections.open_day(demo_db, trainee, enrolment, day)
    body = ReflectionBody(**{**view.body.__dict__, "insight": "ベトナム語の通訳ボランティアにＡＢＣ相談した"})
    reflections.submit(demo_db, trainee, enrolment, day, body, view.version, set(), DEMO_TODAY)
    for query in ("べとなむ", "ﾍﾞﾄﾅﾑ", "abc", "通訳ボランティア"):
        frame, _ = inbox.page(demo_db, supervisor, InboxFilter(query=query), 1, 50)
        assert rid in set(frame["id"]), query
    frame, _ = inbox.page(demo_db, supervisor, InboxFilter(query="存在しない語句XYZ"), 1, 50)
    assert frame.empty
    # the percent sign is literal, not a wildcard
    frame, _ = inbox.page(demo_db, supervisor, InboxFilter(query="%"), 1, 50)
    assert frame.empty


def test_filters_narrow_the_list(demo_db):
    supervisor = actor_of(demo_db, "demo-supervisor")
    caseload = inbox.caseload(demo_db, supervisor)
    one = next(p["enrolment_id"] for p in caseload  # someone with reflections in the inbox
               if inbox.page(demo_db, supervisor, InboxFilter(enrolment_id=p["enrolment_id"]))[1])
    frame, _ = inbox.page(demo_db, supervisor, InboxFilter(enrolment_id=one), 1, 500)
    assert set(demo_db.value("SELECT list(DISTINCT enrolment_id) FROM reflection WHERE id IN (SELECT unnest(?))",
                             [list(frame["id"])])) == {one}
    frame, _ = inbox.page(demo_db, supervisor, InboxFilter(competency="C2"), 1, 500)
    assert all("C2" in (c or "") for c in frame["competencies"])
    frame, _ = inbox.page(demo_db, supervisor, InboxFilter(unread=True), 1, 500)
    assert frame["unread"].all()
    frame, _ = inbox.page(demo_db, supervisor, InboxFilter(date_from=DEMO_TODAY - timedelta(days=3)), 1, 500)
    assert all(d >= DEMO_TODAY - timedelta(days=3) for d in frame["practice_date"].dt.date)


def test_opening_marks_read_and_next_unread_moves_on(demo_db):
    supervisor = actor_of(demo_db, "demo-supervisor")
    first = inbox.next_unread(demo_db, supervisor, InboxFilter())
    before = inbox.counts(demo_db, supervisor)["unread"]
    supervision.mark_read(demo_db, supervisor, first)
    assert inbox.counts(demo_db, supervisor)["unread"] == before - 1
    second = inbox.next_unread(demo_db, supervisor, InboxFilter(), after_id=first)
    assert second not in (None, first)


def test_revision_after_reading_is_unread_again_with_a_diff(demo_db):
    supervisor = actor_of(demo_db, "demo-supervisor")
    rid = supervised_trainee_reflection(demo_db, supervisor)
    supervision.mark_read(demo_db, supervisor, rid)
    enrolment_id, day = demo_db.one("SELECT enrolment_id, practice_date FROM reflection WHERE id = ?", [rid])
    trainee = actor_of(demo_db, demo_db.value("SELECT u.username FROM enrolment e JOIN app_user u ON "
                                              "u.id = e.trainee_id WHERE e.id = ?", [enrolment_id]))
    enrolment = enrolments.load(demo_db, trainee, enrolment_id)
    view = reflections.open_day(demo_db, trainee, enrolment, day)
    revised = ReflectionBody(**{**view.body.__dict__, "insight": "読まれた後に書き直した"})
    reflections.submit(demo_db, trainee, enrolment, day, revised, view.version, set(), DEMO_TODAY)
    frame, _ = inbox.page(demo_db, supervisor, InboxFilter(unread=True), 1, 500)
    row = frame[frame["id"] == rid].iloc[0]
    assert row["unread"] and row["revised"]
    reading = supervision.open_reflection(demo_db, supervisor, rid)
    assert reading.read_version_before == reading.version - 1
    history = reflections.versions(demo_db, supervisor, rid)
    diff = supervision.version_diff(history[-2][2], history[-1][2])
    assert diff[0][0] == "insight" and any(line.kind == "added" and line.text == "読まれた後に書き直した"
                                           for line in diff[0][1])


def test_reply_draft_survives_and_stale_thread_is_refused(demo_db):
    supervisor = actor_of(demo_db, "demo-supervisor")
    rid = supervised_trainee_reflection(demo_db, supervisor)
    reading = supervision.open_reflection(demo_db, supervisor, rid)
    supervision.save_reply_draft(demo_db, supervisor, rid, "書きかけの返信", reading.version, reading.thread_length)
    assert supervision.reply_draft(demo_db, supervisor, rid) == "書きかけの返信"
    # meanwhile the trainee writes in the thread
    enrolment_id = reading.enrolment_id
    trainee = actor_of(demo_db, demo_db.value("SELECT u.username FROM enrolment e JOIN app_user u ON "
                                              "u.id = e.trainee_id WHERE e.id = ?", [enrolment_id]))
    reflections.reply(demo_db, trainee, rid, "追加で質問です")
    with pytest.raises(StaleWrite):
        supervision.send_reply(demo_db, supervisor, rid, "書きかけの返信、完成", reading.version,
                               reading.thread_length)
    assert supervision.reply_draft(demo_db, supervisor, rid) == "書きかけの返信、完成"
    fresh = supervision.open_reflection(demo_db, supervisor, rid)
    supervision.send_reply(demo_db, supervisor, rid, "書きかけの返信、完成", fresh.version, fresh.thread_length)
    assert supervision.reply_draft(demo_db, supervisor, rid) == ""
    assert reflections.thread(demo_db, trainee, rid)[-1].is_new


def test_other_supervisor_gets_nothing_by_id(demo_db):
    supervisor = actor_of(demo_db, "demo-supervisor")
    rid = supervised_trainee_reflection(demo_db, supervisor)
    enrolment_id = demo_db.value("SELECT enrolment_id FROM reflection WHERE id = ?", [rid])
    stranger = other_supervisor(demo_db, supervisor)
    frame, _ = inbox.page(demo_db, stranger, InboxFilter(), 1, 1000)
    assert rid not in set(frame["id"])
    for call in (lambda: supervision.open_reflection(demo_db, stranger, rid),
                 lambda: supervision.mark_read(demo_db, stranger, rid),
                 lambda: supervision.send_reply(demo_db, stranger, rid, "x", 1, 0),
                 lambda: supervision.save_reply_draft(demo_db, stranger, rid, "x", 1, 0),
                 lambda: supervision.raise_flag(demo_db, stranger, enrolment_id, "high", "x"),
                 lambda: supervision.flags(demo_db, stranger, enrolment_id),
                 lambda: supervision.notes(demo_db, stranger, enrolment_id),
                 lambda: supervision.add_note(demo_db, stranger, enrolment_id, "x"),
                 lambda: reflections.thread(demo_db, stranger, rid)):
        with pytest.raises(AccessDenied):
            call()


def test_trainees_never_see_flags_or_notes(demo_db):
    supervisor = actor_of(demo_db, "demo-supervisor")
    trainee = actor_of(demo_db, "demo-trainee")
    enrolment = enrolments.current_for_trainee(demo_db, trainee)
    supervision.raise_flag(demo_db, supervisor, enrolment.id, "medium", "面談で確認したい")
    supervision.add_note(demo_db, supervisor, enrolment.id, "本人には見せないメモ")
    with pytest.raises(AccessDenied):
        supervision.flags(demo_db, trainee, enrolment.id)
    with pytest.raises(AccessDenied):
        supervision.notes(demo_db, trainee, enrolment.id)


def test_flags_raise_and_resolve(demo_db):
    supervisor = actor_of(demo_db, "demo-supervisor")
    enrolment_id = inbox.caseload(demo_db, supervisor)[0]["enrolment_id"]
    flag_id = supervision.raise_flag(demo_db, supervisor, enrolment_id, "high", "提出が止まっている")
    assert inbox.counts(demo_db, supervisor)["flagged_trainees"] >= 1
    with pytest.raises(InvalidInput):
        supervision.resolve_flag(demo_db, supervisor, flag_id, "  ")
    supervision.resolve_flag(demo_db, supervisor, flag_id, "面談して再開した")
    resolved = next(f for f in supervision.flags(demo_db, supervisor, enrolment_id) if f["id"] == flag_id)
    assert resolved["resolution_note"] == "面談して再開した"
    with pytest.raises(StaleWrite):
        supervision.resolve_flag(demo_db, supervisor, flag_id, "二重")
    manager = actor_of(demo_db, "demo-manager")
    assert supervision.flags(demo_db, manager, enrolment_id)  # managers read


def test_comment_bank_is_personal(demo_db):
    supervisor = actor_of(demo_db, "demo-supervisor")
    cid = supervision.save_comment(demo_db, supervisor, "根拠", "判断の根拠を記録に残しましょう。")
    supervision.save_comment(demo_db, supervisor, "根拠", "判断の根拠を必ず記録に。", cid)
    assert [c["body_md"] for c in supervision.comment_bank(demo_db, supervisor)] == ["判断の根拠を必ず記録に。"]
    stranger = other_supervisor(demo_db, supervisor)
    assert supervision.comment_bank(demo_db, stranger) == []
    with pytest.raises(AccessDenied):
        supervision.save_comment(demo_db, stranger, "x", "y", cid)
    with pytest.raises(AccessDenied):
        supervision.delete_comment(demo_db, stranger, cid)
    supervision.delete_comment(demo_db, supervisor, cid)
    assert supervision.comment_bank(demo_db, supervisor) == []


def test_workload_figures(demo_db):
    supervisor = actor_of(demo_db, "demo-supervisor")
    figures = inbox.workload(demo_db, supervisor)
    assert figures["per_cohort"] and figures["per_cohort"][0]["median_hours"] > 0
    assert figures["waiting_over_2_days"] >= 0


def test_several_search_words_must_all_appear(demo_db):
    supervisor = actor_of(demo_db, "demo-supervisor")
    one, _ = inbox.page(demo_db, supervisor, InboxFilter(query="年金"), 1, 1000)
    both, _ = inbox.page(demo_db, supervisor, InboxFilter(query="年金　帰国"), 1, 1000)  # a full-width space
    none, _ = inbox.page(demo_db, supervisor, InboxFilter(query="年金 存在しない語句XYZ"), 1, 1000)
    assert len(one) >= len(both) > 0 and none.empty


def test_awaiting_count_matches_its_filter(demo_db):
    supervisor = actor_of(demo_db, "demo-supervisor")
    _, total = inbox.page(demo_db, supervisor, InboxFilter(awaiting_reply=True), 1, 10)
    assert inbox.counts(demo_db, supervisor)["awaiting_reply"] == total
