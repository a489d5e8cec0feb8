"""Daily reflections: drafts survive, versions are kept, the late rule, privacy guard, access by id."""
from datetime import date, datetime, timedelta

import pytest

from coordsupervise.errors import AccessDenied, InvalidInput, StaleWrite
from coordsupervise.practice import reflections
from coordsupervise.practice.reflections import PrivacyFindings, ReflectionBody
from coordsupervise.programme import cohorts, enrolments
from coordsupervise.store.engine import open_database
from tests.conftest import DEMO_TODAY, actor_of

TODAY = DEMO_TODAY  # the suite's day: the demo-trainee is in the practical stage


def body(**changes) -> ReflectionBody:
    base = ReflectionBody(goal="在留資格の確認を丁寧に", competencies=["C1"], case_count=3, case_fields="在留手続",
                          event="相談者コード K-101 の在留期間更新について相談を受けた。", feelings="緊張した。",
                          keep_text="期限を最初に確認できた。", problem="書類の説明が長くなった。",
                          analysis="入管法(在留)の講義を思い出した。", insight="期限が全ての前提。",
                          try_text="チェックリストを作る。", self_rating=3)
    for key, value in changes.items():
        setattr(base, key, value)
    return base


@pytest.fixture
def trainee(new_trainee):
    return new_trainee


def free_day(db, enrolment) -> date:
    """A working day of the practical stage with no reflection yet."""
    taken = {d for (d,) in db.rows("SELECT practice_date FROM reflection WHERE enrolment_id = ?", [enrolment.id])}
    d = TODAY - timedelta(days=1)
    while d in taken or d.weekday() >= 5:
        d -= timedelta(days=1)
    return d


def other_trainee(db, enrolment):
    username = db.value("SELECT u.username FROM enrolment e JOIN app_user u ON u.id = e.trainee_id "
                        "WHERE e.cohort_id = ? AND u.username <> 'test-trainee' LIMIT 1", [enrolment.cohort_id])
    return actor_of(db, username)


def test_draft_survives_a_server_restart(demo_db, trainee):
    actor, enrolment = trainee
    day = free_day(demo_db, enrolment)
    reflections.save_draft(demo_db, actor, enrolment, day, body(event="書きかけの記録"), TODAY)
    path = demo_db.path
    demo_db.close()
    reopened = open_database(path)
    view = reflections.open_day(reopened, actor, enrolment, day)
    assert view.status == "draft" and view.body.event == "書きかけの記録"
    assert view.draft_saved_at is not None
    reopened.close()


def test_submit_then_revise_keeps_every_version(demo_db, trainee):
    actor, enrolment = trainee
    day = free_day(demo_db, enrolment)
    assert reflections.submit(demo_db, actor, enrolment, day, body(), 0, set(), TODAY) == 1
    view = reflections.open_day(demo_db, actor, enrolment, day)
    assert view.status == "submitted" and view.version == 1 and not view.pending_edit

    reflections.save_draft(demo_db, actor, enrolment, day, body(insight="書き直した気づき"), TODAY)
    view = reflections.open_day(demo_db, actor, enrolment, day)
    assert view.pending_edit and view.body.insight == "書き直した気づき"
    # the submitted text is untouched until the edit is submitted
    assert demo_db.value("SELECT insight FROM reflection WHERE id = ?", [view.reflection_id]) == "期限が全ての前提。"

    assert reflections.submit(demo_db, actor, enrolment, day, view.body, 1, set(), TODAY) == 2
    history = reflections.versions(demo_db, actor, view.reflection_id)
    assert [(v, b.insight) for v, _, b in history] == [(1, "期限が全ての前提。"), (2, "書き直した気づき")]
    assert not reflections.open_day(demo_db, actor, enrolment, day).pending_edit


def test_stale_submit_is_refused_and_the_text_kept(demo_db, trainee):
    actor, enrolment = trainee
    day = free_day(demo_db, enrolment)
    reflections.submit(demo_db, actor, enrolment, day, body(), 0, set(), TODAY)
    with pytest.raises(StaleWrite):  # a second tab that still thinks nothing was submitted
        reflections.submit(demo_db, actor, enrolment, day, body(event="別タブの文章"), 0, set(), TODAY)
    view = reflections.open_day(demo_db, actor, enrolment, day)
    assert view.version == 1 and view.pending_edit and view.body.event == "別タブの文章"


def test_late_after_the_cutoff_is_marked_never_refused(demo_db, trainee):
    actor, enrolment = trainee
    day = free_day(demo_db, enrolment)
    on_time = reflections.cutoff(day, 1) - timedelta(minutes=1)
    reflections.submit(demo_db, actor, enrolment, day, body(), 0, set(), TODAY, now=on_time)
    assert not reflections.open_day(demo_db, actor, enrolment, day).late

    other = free_day(demo_db, enrolment)
    late = reflections.cutoff(other, 1) + timedelta(minutes=1)
    reflections.submit(demo_db, actor, enrolment, other, body(), 0, set(), TODAY, now=late)
    assert reflections.open_day(demo_db, actor, enrolment, other).late


def test_cutoff_is_next_day_2359_tokyo():
    assert reflections.cutoff(date(2026, 11, 26), 1) == datetime(2026, 11, 27, 14, 59, 59)


def test_privacy_guard_blocks_until_confirmed(demo_db, trainee):
    actor, enrolment = trainee
    day = free_day(demo_db, enrolment)
    risky = body(event="相談者の携帯 ０９０−１２３４−５６７８ に折り返した。")
    with pytest.raises(PrivacyFindings) as blocked:
        reflections.submit(demo_db, actor, enrolment, day, risky, 0, set(), TODAY)
    finding = blocked.value.findings[0]
    assert finding.kind == "phone" and finding.field == "event"
    assert reflections.open_day(demo_db, actor, enrolment, day).body.event == risky.event  # kept as draft
    reflections.submit(demo_db, actor, enrolment, day, risky, 0, {(finding.kind, finding.text)}, TODAY)
    assert demo_db.value("SELECT count(*) FROM privacy_confirmation WHERE kind = 'phone' AND confirmed_by = ?",
                         [actor.id]) == 1


def test_limits_and_required_fields(demo_db, trainee):
    actor, enrolment = trainee
    day = free_day(demo_db, enrolment)
    with pytest.raises(InvalidInput) as too_long:
        reflections.save_draft(demo_db, actor, enrolment, day, body(event="あ" * 4001), TODAY)
    assert too_long.value.key == "reflection.too_long" and too_long.value.params["limit"] == 4000
    with pytest.raises(InvalidInput) as missing:
        reflections.submit(demo_db, actor, enrolment, day, body(self_rating=None), 0, set(), TODAY)
    assert missing.value.params["missing"] == ("self_rating",)
    with pytest.raises(InvalidInput) as all_missing:  # every empty required field at once, not one per submit
        reflections.submit(demo_db, actor, enrolment, day, body(event=" ", try_text="", self_rating=None), 0, set(),
                           TODAY)
    assert all_missing.value.key == "reflection.required_all"
    assert all_missing.value.params["missing"] == ("event", "try_text", "self_rating")


def test_days_outside_the_practical_stage_are_refused(demo_db, trainee):
    actor, enrolment = trainee
    with pytest.raises(InvalidInput):
        reflections.save_draft(demo_db, actor, enrolment, enrolment.practical[0] - timedelta(days=1), body(), TODAY)
    with pytest.raises(InvalidInput):
        reflections.save_draft(demo_db, actor, enrolment, TODAY + timedelta(days=1), body(), TODAY)


def test_calendar_knows_off_missing_and_future(demo_db, trainee):
    actor, enrolment = trainee
    day = free_day(demo_db, enrolment)
    before = reflections.calendar(demo_db, actor, enrolment, TODAY)
    assert before[day] in ("missing", "open")
    reflections.set_day_off(demo_db, actor, enrolment, day, "holiday", now=reflections.cutoff(day, 1))
    after = reflections.calendar(demo_db, actor, enrolment, TODAY)
    assert after[day] == "off"
    assert after[TODAY + timedelta(days=3)] in ("future", "weekend")
    assert reflections.open_day(demo_db, actor, enrolment, day).expected is False


def test_other_trainee_gets_nothing_by_id(demo_db, trainee):
    actor, enrolment = trainee
    day = free_day(demo_db, enrolment)
    reflections.submit(demo_db, actor, enrolment, day, body(), 0, set(), TODAY)
    rid = reflections.open_day(demo_db, actor, enrolment, day).reflection_id
    intruder = other_trainee(demo_db, enrolment)
    with pytest.raises(AccessDenied):
        reflections.open_day(demo_db, intruder, enrolment, day)
    with pytest.raises(AccessDenied):
        reflections.save_draft(demo_db, intruder, enrolment, day, body(), TODAY)
    with pytest.raises(AccessDenied):
        reflections.submit(demo_db, intruder, enrolment, day, body(), 1, set(), TODAY)
    with pytest.raises(AccessDenied):
        reflections.thread(demo_db, intruder, rid)
    with pytest.raises(AccessDenied):
        reflections.versions(demo_db, intruder, rid)
    with pytest.raises(AccessDenied):
        reflections.reply(demo_db, intruder, rid, "のぞき見")
    with pytest.raises(AccessDenied):
        enrolments.load(demo_db, intruder, enrolment.id)


def test_supervisor_reply_shows_as_new_for_the_trainee(demo_db, trainee):
    actor, enrolment = trainee
    day = free_day(demo_db, enrolment)
    reflections.submit(demo_db, actor, enrolment, day, body(), 0, set(), TODAY)
    rid = reflections.open_day(demo_db, actor, enrolment, day).reflection_id
    supervisor = actor_of(demo_db, "demo-supervisor")
    reflections.reply(demo_db, supervisor, rid, "よく書けています。**次回**は根拠も。")
    messages = reflections.thread(demo_db, actor, rid)
    assert [m.is_new for m in messages] == [True]
    assert day in reflections.days_with_new_feedback(demo_db, actor, enrolment)
    reflections.reply(demo_db, actor, rid, "ありがとうございます。")
    reflections.mark_thread_read(demo_db, actor, rid)
    assert [m.is_new for m in reflections.thread(demo_db, actor, rid)] == [False, False]


def test_managers_read_but_do_not_write_in_threads(demo_db, trainee):
    actor, enrolment = trainee
    day = free_day(demo_db, enrolment)
    reflections.submit(demo_db, actor, enrolment, day, body(), 0, set(), TODAY)
    rid = reflections.open_day(demo_db, actor, enrolment, day).reflection_id
    manager_only = actor_of(demo_db, "demo-manager")
    manager_only = manager_only.__class__(manager_only.id, manager_only.username, manager_only.display_name,
                                          frozenset({"manager"}))
    assert reflections.thread(demo_db, manager_only, rid) == []
    with pytest.raises(AccessDenied):
        reflections.reply(demo_db, manager_only, rid, "manager note")


def test_page_reopens_where_the_trainee_left_off(demo_db, trainee):
    actor, enrolment = trainee
    working_today = min(TODAY, enrolment.practical[1])
    # on a weekend or a public holiday the page opens on the working day before
    while working_today.weekday() >= 5 or cohorts.days_off(demo_db, working_today, working_today):
        working_today -= timedelta(days=1)
    assert reflections.default_day(demo_db, actor, enrolment, TODAY) == working_today
    day = free_day(demo_db, enrolment)
    reflections.save_draft(demo_db, actor, enrolment, day, body(event="途中まで"), TODAY)
    assert reflections.default_day(demo_db, actor, enrolment, TODAY) == day
    reflections.submit(demo_db, actor, enrolment, day, body(), 0, set(), TODAY)
    assert reflections.default_day(demo_db, actor, enrolment, TODAY) == working_today
    reflections.save_draft(demo_db, actor, enrolment, day, body(event="提出後の修正中"), TODAY)
    assert reflections.default_day(demo_db, actor, enrolment, TODAY) == day


def test_days_off_only_until_the_cutoff_and_audited(demo_db, trainee):
    actor, enrolment = trainee
    day = free_day(demo_db, enrolment)
    with pytest.raises(InvalidInput) as late:
        reflections.set_day_off(demo_db, actor, enrolment, day, "holiday",
                                now=reflections.cutoff(day, 1) + timedelta(minutes=1))
    assert late.value.key == "reflection.off_too_late"
    reflections.set_day_off(demo_db, actor, enrolment, day, "holiday", now=reflections.cutoff(day, 1))
    assert demo_db.value("SELECT count(*) FROM audit_log WHERE action = 'reflection.day_off' AND actor_id = ?",
                         [actor.id]) == 1


def test_weekend_reflections_are_welcome_but_not_counted(demo_db, trainee):
    from coordsupervise.certification import certification

    actor, enrolment = trainee
    saturday = TODAY - timedelta(days=(TODAY.weekday() - 5) % 7 or 7)
    assert saturday >= enrolment.practical[0]  # the demo's practical stage started weeks ago
    before = certification.reflection_rate(reflections.calendar(demo_db, actor, enrolment, TODAY))
    reflections.submit(demo_db, actor, enrolment, saturday, body(), 0, set(), TODAY)
    statuses = reflections.calendar(demo_db, actor, enrolment, TODAY)
    assert statuses[saturday] == "extra"
    assert certification.reflection_rate(statuses) == before


def test_trainee_replies_pass_the_privacy_guard(demo_db, trainee):
    actor, enrolment = trainee
    day = free_day(demo_db, enrolment)
    reflections.submit(demo_db, actor, enrolment, day, body(), 0, set(), TODAY)
    rid = reflections.open_day(demo_db, actor, enrolment, day).reflection_id
    with pytest.raises(PrivacyFindings) as held:
        reflections.reply(demo_db, actor, rid, "本人のメール taro@example.jp に送りました")
    finding = held.value.findings[0]
    assert finding.kind == "email"
    reflections.reply(demo_db, actor, rid, "本人のメール taro@example.jp に送りました", {(finding.kind, finding.text)})
    assert demo_db.value("SELECT count(*) FROM audit_log WHERE action = 'feedback.privacy_confirmed'") == 1


def test_threads_of_a_timeline_page_match_each_thread_and_keep_to_the_enrolment(demo_db):
    """The trainee profile reads a page of threads at once: the same messages as one thread at a time, nothing of
    another trainee's reflections even when their ids are asked for, and no access for a stranger."""
    supervisor = actor_of(demo_db, "demo-supervisor")
    mine = demo_db.value("SELECT s.enrolment_id FROM supervision s WHERE s.supervisor_id = ? "
                         "AND EXISTS (SELECT 1 FROM feedback f JOIN reflection r ON r.id = f.reflection_id "
                         "WHERE r.enrolment_id = s.enrolment_id) ORDER BY 1 LIMIT 1", [supervisor.id])
    ids = [r for (r,) in demo_db.rows("SELECT id FROM reflection WHERE enrolment_id = ? ORDER BY practice_date",
                                      [mine])]
    other = demo_db.value("SELECT r.id FROM reflection r JOIN feedback f ON f.reflection_id = r.id "
                          "WHERE r.enrolment_id <> ? LIMIT 1", [mine])
    found = reflections.threads(demo_db, supervisor, mine, [*ids, other])
    assert {r: found[r] for r in ids} == {r: reflections.thread(demo_db, supervisor, r) for r in ids}
    assert any(found[r] for r in ids) and found[other] == []
    stranger = demo_db.value("SELECT u.username FROM enrolment e JOIN app_user u ON u.id = e.trainee_id "
                             "WHERE e.id <> ? AND e.trainee_id <> (SELECT trainee_id FROM enrolment WHERE id = ?) "
                             "LIMIT 1", [mine, mine])
    with pytest.raises(AccessDenied):
        reflections.threads(demo_db, actor_of(demo_db, stranger), mine, ids)


def test_a_revised_reflection_is_shown_with_its_own_versions_time(demo_db, trainee):
    from coordsupervise.practice import supervision

    actor, enrolment = trainee
    day = free_day(demo_db, enrolment)
    first = reflections.cutoff(day, 1) - timedelta(hours=3)
    second = first + timedelta(minutes=3)
    reflections.submit(demo_db, actor, enrolment, day, body(), 0, set(), TODAY, now=first)
    reflections.submit(demo_db, actor, enrolment, day, body(insight="書き直した"), 1, set(), TODAY, now=second)
    own = reflections.open_day(demo_db, actor, enrolment, day)
    assert own.version == 2 and own.version_saved_at == second
    assert own.submitted_at == first  # the first submission still decides "late"
    read = supervision.open_reflection(demo_db, actor_of(demo_db, "demo-supervisor"), own.reflection_id)
    assert read.version == 2 and read.version_saved_at == second and read.submitted_at == first
