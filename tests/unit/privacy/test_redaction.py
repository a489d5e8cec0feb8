"""Redaction: a span becomes ［伏せ字］ in every stored copy of one reflection (versions, drafts, thread, flags,
search text), the guard's confirmations of it go, the audit row names the field but never the text. Access by
service call: the trainee and the assigned supervisor may, a manager and another supervisor may not."""

import pytest

from coordsupervise.errors import AccessDenied, InvalidInput
from coordsupervise.practice import reflections, supervision
from coordsupervise.practice.reflections import ReflectionBody
from coordsupervise.privacy import readlog, redaction
from coordsupervise.privacy.guard import scan
from tests.conftest import DEMO_TODAY, actor_of
from tests.unit.privacy.days import free_day

NAME = "グエン・ヴァン・アン"


def body(event: str) -> ReflectionBody:
    return ReflectionBody(goal="傾聴", competencies=["C3"], case_count=2, case_fields="労働", event=event,
                          analysis=f"{NAME}さんの背景を考えた", try_text="事前に準備する", self_rating=3)


def confirmations(b: ReflectionBody):
    return {(f.kind, f.text) for f in scan(b.texts())}


@pytest.fixture
def named(demo_db, new_trainee):
    """A reflection that names a client everywhere it can: two versions (the name confirmed by mistake), an unsent
    edit, a trainee reply (confirmed), a supervisor reply and reply draft, a flag."""
    trainee, enrolment = new_trainee
    supervisor = actor_of(demo_db, "demo-supervisor")
    day = free_day(demo_db, enrolment)
    first = body(f"{NAME}さんの在留期間更新について相談を受けた。")
    reflections.submit(demo_db, trainee, enrolment, day, first, 0, confirmations(first), DEMO_TODAY)
    second = body(f"{NAME}さんの在留期間更新。雇用主とも話した。")
    reflections.submit(demo_db, trainee, enrolment, day, second, 1, confirmations(second), DEMO_TODAY)
    rid = reflections.open_day(demo_db, trainee, enrolment, day).reflection_id
    reflections.save_draft(demo_db, trainee, enrolment, day, body(f"{NAME}さん。追記中"), DEMO_TODAY)
    reflections.reply(demo_db, trainee, rid, f"{NAME}さんのことで相談です", {("client_name", f"{NAME}さん")})
    supervision.send_reply(demo_db, supervisor, rid, f"{NAME}さんの件、よく聞けています", 2, 1)
    supervision.save_reply_draft(demo_db, supervisor, rid, f"{NAME}さんの家族について", 2, 2)
    supervision.raise_flag(demo_db, supervisor, enrolment.id, "medium", f"{NAME}さんの実名が書かれている", rid)
    return trainee, supervisor, enrolment, rid


def every_text(db) -> str:
    """Every VARCHAR value of every table, in one string."""
    out = []
    for table, column in db.rows("SELECT table_name, column_name FROM information_schema.columns "
                                 "WHERE data_type IN ('VARCHAR', 'character varying') "
                                 "AND table_schema = current_schema()"):
        out += [v for (v,) in db.rows(f'SELECT "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL')]
    return "\n".join(out)


def test_the_span_is_gone_from_every_table_and_the_audit_names_only_the_field(demo_db, named):
    trainee, supervisor, enrolment, rid = named
    assert NAME in every_text(demo_db)
    done = redaction.redact(demo_db, supervisor, rid, "event", NAME)
    assert NAME not in every_text(demo_db)
    assert done.places >= 7 and done.confirmations_dropped >= 2
    history = reflections.versions(demo_db, trainee, rid)
    assert [v.event.startswith(redaction.MARKER) for _, _, v in history] == [True, True]
    assert all(m.body_md.startswith(redaction.MARKER) for m in reflections.thread(demo_db, trainee, rid))
    assert supervision.reply_draft(demo_db, supervisor, rid).startswith(redaction.MARKER)
    day = demo_db.value("SELECT practice_date FROM reflection WHERE id = ?", [rid])
    view = reflections.open_day(demo_db, trainee, enrolment, day)
    assert view.pending_edit and view.body.event.startswith(redaction.MARKER)  # the unsent edit too
    actor_id, after = demo_db.one("SELECT actor_id, after_json FROM audit_log WHERE action = ? AND entity_id = ?",
                                  [redaction.ACTION, str(rid)])
    assert actor_id == supervisor.id and '"field": "event"' in after and "アン" not in after
    # the search copy no longer finds it, in either kana
    assert demo_db.value("SELECT count(*) FROM reflection WHERE id = ? AND search_text LIKE '%ぐえん%'", [rid]) == 0


def test_a_redacted_name_is_caught_again_if_it_comes_back(demo_db, named):
    trainee, _, enrolment, rid = named
    redaction.redact(demo_db, trainee, rid, "analysis", NAME)
    assert demo_db.value("SELECT count(*) FROM privacy_confirmation WHERE reflection_id = ? AND span_text LIKE ?",
                         [rid, f"%{NAME}%"]) == 0


def test_only_the_trainee_and_the_assigned_supervisor_may_redact(demo_db, named):
    _, _, _, rid = named
    manager = actor_of(demo_db, "demo-manager")  # manager, but not this trainee's supervisor
    with pytest.raises(AccessDenied):
        redaction.redact(demo_db, manager, rid, "event", NAME)
    other = demo_db.value("SELECT u.username FROM enrolment e JOIN app_user u ON u.id = e.trainee_id "
                          "WHERE u.username <> 'test-trainee' AND u.username LIKE 'trainee%' LIMIT 1")
    with pytest.raises(AccessDenied):
        redaction.redact(demo_db, actor_of(demo_db, other), rid, "event", NAME)
    assert NAME in every_text(demo_db)


@pytest.mark.parametrize("field, span, key", [
    ("event", "無い言葉です", "redaction.span_not_found"),
    ("event", "グ", "redaction.span_length"),
    ("password_hash", NAME, "redaction.unknown_field"),
])
def test_refusals_name_the_reason(demo_db, named, field, span, key):
    trainee, _, _, rid = named
    with pytest.raises(InvalidInput) as refused:
        redaction.redact(demo_db, trainee, rid, field, span)
    assert refused.value.key == key


def test_managers_see_counts_per_cohort(demo_db, named):
    trainee, _, enrolment, rid = named
    manager = actor_of(demo_db, "demo-manager")
    before = {c["cohort_id"]: c["redactions"] for c in redaction.counts_per_cohort(demo_db, manager)}
    redaction.redact(demo_db, trainee, rid, "event", NAME)
    after = {c["cohort_id"]: c["redactions"] for c in redaction.counts_per_cohort(demo_db, manager)}
    assert after[enrolment.cohort_id] == before[enrolment.cohort_id] + 1
    with pytest.raises(AccessDenied):
        redaction.counts_per_cohort(demo_db, trainee)


def test_reads_are_recorded_for_supervisors_and_managers_and_shown_to_the_trainee(demo_db, named):
    trainee, supervisor, enrolment, rid = named
    manager = actor_of(demo_db, "demo-manager")
    supervision.open_reflection(demo_db, supervisor, rid)
    supervision.timeline(demo_db, manager, enrolment.id)
    seen = {(r["reader"], r["relation"], r["version"]) for r in readlog.readers(demo_db, trainee, rid)}
    assert seen == {(supervisor.display_name, "supervised", 2), (manager.display_name, "managed", 2)}
    assert {r["reader"] for r in readlog.reads_of_own(demo_db, trainee, enrolment.id)} >= {manager.display_name}
    rows, total = readlog.reads_by_person(demo_db, manager, manager.id)
    assert total >= 1 and rows[0]["trainee"] == "試験 花子"
    with pytest.raises(AccessDenied):
        readlog.reads_by_person(demo_db, supervisor, manager.id)
    with pytest.raises(AccessDenied):
        readlog.reads_of_own(demo_db, supervisor, enrolment.id)


def test_a_span_marked_in_half_width_goes_in_every_width_it_was_written(demo_db, new_trainee):
    trainee, enrolment = new_trainee
    day = free_day(demo_db, enrolment)
    written = body("マリア＝サントスさんとｸﾞｴﾝさんの件。旅券ＴＫ１２３４５６７。")
    reflections.submit(demo_db, trainee, enrolment, day, written, 0, confirmations(written), DEMO_TODAY)
    rid = reflections.open_day(demo_db, trainee, enrolment, day).reflection_id
    for span in ("マリア=サントス", "グエン", "TK1234567"):  # as the guard shows them (NFKC)
        redaction.redact(demo_db, trainee, rid, "event", span)
    event = demo_db.value("SELECT event FROM reflection WHERE id = ?", [rid])
    assert event == f"{redaction.MARKER}さんと{redaction.MARKER}さんの件。旅券{redaction.MARKER}。"


def test_marked_in_no_particular_field_it_goes_wherever_it_appears(demo_db, named):
    trainee, _, _, rid = named
    redaction.redact(demo_db, trainee, rid, None, NAME)
    assert NAME not in every_text(demo_db)
    after = demo_db.value("SELECT after_json FROM audit_log WHERE action = ? AND entity_id = ?",
                          [redaction.ACTION, str(rid)])
    assert '"fields": ["event", "analysis"]' in after
    with pytest.raises(InvalidInput) as refused:
        redaction.redact(demo_db, trainee, rid, None, "どこにも無い言葉")
    assert refused.value.key == "redaction.span_not_found"


def test_redaction_leaves_every_earlier_audit_row_as_it_was(demo_db, named):
    trainee, _, _, rid = named
    before = demo_db.rows("SELECT * FROM audit_log ORDER BY id")
    redaction.redact(demo_db, trainee, rid, "event", NAME)
    after = demo_db.rows("SELECT * FROM audit_log ORDER BY id")
    assert after[:len(before)] == before and len(after) == len(before) + 1


def test_no_audit_row_written_by_any_service_holds_the_text_of_a_reflection_or_message(demo_db, named):
    """After the services that write both free text and audit rows have run (a confirmed reply, a confirmed
    assignment, a day off, a flag, a redaction, the demo's scores and decisions), no audit value contains a
    reflection's field, a message, or a span the guard confirmed."""
    from coordsupervise.practice import assignments
    from coordsupervise.privacy.guard import PrivacyFindings

    trainee, supervisor, enrolment, rid = named
    a2 = next(a for a in assignments.for_enrolment(demo_db, trainee, enrolment, DEMO_TODAY) if a.code == "A2")
    phone = "０３−１２３４−５６７８"
    assignments.save_draft(demo_db, trainee, enrolment, a2.id, f"{NAME}さんの連絡先 {phone} に確認した")
    with pytest.raises(PrivacyFindings) as held:
        assignments.submit(demo_db, trainee, enrolment, a2.id, 1)
    confirmed = {(f.kind, f.text) for f in held.value.findings}
    assignments.submit(demo_db, trainee, enrolment, a2.id, 1, confirmed=confirmed)
    redaction.redact(demo_db, supervisor, rid, "analysis", "背景を考えた")
    logged = "\n".join(v for row in demo_db.rows("SELECT before_json, after_json, reason FROM audit_log")
                       for v in row if v)
    assert demo_db.value("SELECT count(*) FROM audit_log WHERE action LIKE '%privacy_confirmed'") == 2
    for secret in (NAME, "03-1234-5678", phone, "背景を考えた", "よく聞けています", "実名が書かれている"):
        assert secret not in logged
    texts = [v for (v,) in demo_db.rows(
        "SELECT body_md FROM feedback UNION ALL SELECT event FROM reflection UNION ALL SELECT insight FROM reflection "
        "UNION ALL SELECT reason FROM flag")]
    assert len(texts) > 500
    assert not [v for v in texts if len(v) >= 6 and v in logged]


def test_migration_010_reduces_stored_quotes_to_their_kind_and_length(tmp_path):
    from coordsupervise.clock import now_utc
    from coordsupervise.store.db import Database

    path = tmp_path / "old.duckdb"
    old = Database(path, upgrade_to=9)
    quoted = '[{"kind": "client_name", "text": "グエンさん"}, {"kind": "phone", "text": "090-1234-5678"}]'
    old.write(lambda tx: tx.execute(
        "INSERT INTO audit_log (occurred_at, action, entity, entity_id, after_json) VALUES (?, ?, ?, ?, ?), "
        "(?, ?, ?, ?, ?)", [now_utc(), "feedback.privacy_confirmed", "feedback", "1", quoted,
                            now_utc(), "score.release", "submission", "1", '{"text": "unchanged"}']))
    old.close()
    upgraded = Database(path)
    rows = dict(upgraded.rows("SELECT action, after_json FROM audit_log"))
    upgraded.close()
    assert rows["feedback.privacy_confirmed"] == '[{"kind":"client_name","length":5},{"kind":"phone","length":13}]'
    assert rows["score.release"] == '{"text": "unchanged"}'
