"""Case studies: from a reflection to the library only through the privacy guard, the trainee's yes and a manager;
who reads drafts; stale writes; the domains a programme edits; the upgrade that adds the library."""
from dataclasses import replace

import pytest

from coordsupervise.errors import AccessDenied, InvalidInput, NotFound, StaleWrite
from coordsupervise.library import cases, consent, domains
from coordsupervise.library.cases import CaseInput
from coordsupervise.privacy.guard import PrivacyFindings
from coordsupervise.privacy.redaction import MARKER
from coordsupervise.store.db import Database, migrations
from tests.conftest import actor_of

READY = CaseInput(title="在留カードの期限から始めた相談", situation="在留期間の更新を控えた相談者から相談を受けた。",
                  actions="期限を確かめ、手続の順序を決めた。", outcome="更新の手続を終えた。",
                  lessons="最初に在留カードを確かめる。", domains=("residence",), competencies=("C1",), region="kanto")


def own_reflection(db, trainee="demo-trainee") -> int:
    return db.value("SELECT max(r.id) FROM reflection r JOIN enrolment e ON e.id = r.enrolment_id JOIN app_user u "
                    "ON u.id = e.trainee_id WHERE u.username = ? AND r.status = 'submitted'", [trainee])


def status(db, case_id) -> str:
    return db.value("SELECT status FROM library_case WHERE id = ?", [case_id])


def test_a_case_from_a_reflection_needs_the_trainees_yes_and_a_manager(demo_db):
    supervisor, manager = actor_of(demo_db, "demo-supervisor"), actor_of(demo_db, "demo-manager")
    trainee = actor_of(demo_db, "demo-trainee")
    case_id = cases.new_case(demo_db, supervisor, READY, reflection_id=own_reflection(demo_db))
    version = cases.propose_case(demo_db, supervisor, case_id, 1)
    assert [r.case_id for r in consent.my_requests(demo_db, trainee) if r.status == "pending"][0] == case_id
    with pytest.raises(InvalidInput) as refused:
        cases.publish_case(demo_db, manager, case_id, version)
    assert refused.value.key == "library.error_consent_pending"
    consent.answer(demo_db, trainee, case_id, True)
    cases.publish_case(demo_db, manager, case_id, version)
    assert status(demo_db, case_id) == "published"
    assert demo_db.value("SELECT count(*) FROM audit_log WHERE entity = 'library_case' AND entity_id = ? AND "
                         "action IN ('library.case_proposed', 'library.consent_answered', 'library.case_published')",
                         [str(case_id)]) == 3


def test_a_declined_consent_blocks_the_case_and_withdraws_it_after_publication(demo_db):
    supervisor, manager = actor_of(demo_db, "demo-supervisor"), actor_of(demo_db, "demo-manager")
    trainee = actor_of(demo_db, "demo-trainee")
    case_id = cases.new_case(demo_db, supervisor, READY, reflection_id=own_reflection(demo_db))
    version = cases.propose_case(demo_db, supervisor, case_id, 1)
    consent.answer(demo_db, trainee, case_id, False)
    with pytest.raises(InvalidInput) as refused:
        cases.publish_case(demo_db, manager, case_id, version)
    assert refused.value.key == "library.error_consent_declined"
    # returned and proposed again: still refused while the answer is no
    version = cases.return_case(demo_db, manager, case_id, "同意が得られていません", version)
    with pytest.raises(InvalidInput):
        cases.propose_case(demo_db, supervisor, case_id, version)
    # a yes, then publication, then a no: out of the library at once
    consent.answer(demo_db, trainee, case_id, True)
    version = cases.propose_case(demo_db, supervisor, case_id, version)
    cases.publish_case(demo_db, manager, case_id, version)
    assert consent.answer(demo_db, trainee, case_id, False) == "withdrawn"
    assert status(demo_db, case_id) == "withdrawn"
    with pytest.raises(NotFound):
        cases.case(demo_db, trainee, case_id)


def test_only_the_trainee_of_the_reflection_answers(demo_db):
    waiting = demo_db.value("SELECT case_id FROM library_consent WHERE status = 'pending'")
    for other in ("demo-supervisor", "demo-manager", "demo-graduate", "trainee-002-02"):
        with pytest.raises(NotFound):
            consent.answer(demo_db, actor_of(demo_db, other), waiting, True)


def test_publishing_refuses_what_the_guard_flags_and_the_marker_replaces_it(demo_db):
    graduate, manager = actor_of(demo_db, "demo-graduate"), actor_of(demo_db, "demo-manager")
    flagged = replace(READY, situation="グエンさん(電話 090-1234-5678)から相談を受けた。")
    case_id = cases.new_case(demo_db, graduate, flagged)  # a draft may hold it: only its author reads it
    with pytest.raises(PrivacyFindings) as held:
        cases.propose_case(demo_db, graduate, case_id, 1)
    assert {f.kind for f in held.value.findings} == {"client_name", "phone"}
    # a manager's edit cannot sneak it past the guard either
    demo_db.write(lambda tx: tx.execute("UPDATE library_case SET status = 'proposed' WHERE id = ?", [case_id]))
    with pytest.raises(PrivacyFindings):
        cases.publish_case(demo_db, manager, case_id, 1)
    cleaned = cases.redacted(cases.case(demo_db, manager, case_id).content)
    assert "グエン" not in cleaned.situation and "090" not in cleaned.situation
    assert cleaned.situation.count(MARKER) == 2
    version = cases.save_case(demo_db, manager, case_id, cleaned, 1)
    cases.publish_case(demo_db, manager, case_id, version)
    assert status(demo_db, case_id) == "published"


def test_a_trainee_cannot_read_a_draft_nor_publish_and_a_supervisor_cannot_publish(demo_db):
    supervisor, trainee = actor_of(demo_db, "demo-supervisor"), actor_of(demo_db, "demo-trainee")
    other_supervisor = actor_of(demo_db, "supervisor-01")
    case_id = cases.new_case(demo_db, supervisor, READY)
    for outsider in (trainee, other_supervisor):
        with pytest.raises(NotFound):
            cases.case(demo_db, outsider, case_id)
    version = cases.propose_case(demo_db, supervisor, case_id, 1)
    for not_a_manager in (supervisor, trainee):
        with pytest.raises(AccessDenied):
            cases.publish_case(demo_db, not_a_manager, case_id, version)
    assert status(demo_db, case_id) == "proposed"


def test_only_the_trainees_supervisor_or_a_manager_draws_from_a_reflection(demo_db):
    reflection = own_reflection(demo_db)
    started = cases.from_reflection(demo_db, actor_of(demo_db, "demo-supervisor"), reflection)
    assert started.situation and not cases.findings(started)
    for outsider in ("supervisor-01", "demo-graduate", "demo-trainee"):
        with pytest.raises(AccessDenied):
            cases.from_reflection(demo_db, actor_of(demo_db, outsider), reflection)
    # drawing records a read in the privacy read log, as opening it would
    assert demo_db.value("SELECT count(*) FROM reflection_access WHERE reflection_id = ? AND reader_id = ?",
                         [reflection, actor_of(demo_db, "demo-supervisor").id]) == 1


def test_a_stale_write_is_refused(demo_db):
    supervisor, manager = actor_of(demo_db, "demo-supervisor"), actor_of(demo_db, "demo-manager")
    case_id = cases.new_case(demo_db, supervisor, READY)
    cases.save_case(demo_db, manager, case_id, replace(READY, title="管理者の修正"), 1)
    with pytest.raises(StaleWrite):
        cases.save_case(demo_db, supervisor, case_id, replace(READY, title="指導者の修正"), 1)
    assert demo_db.value("SELECT title FROM library_case WHERE id = ?", [case_id]) == "管理者の修正"


def test_over_long_text_and_unknown_tags_are_refused(demo_db):
    supervisor = actor_of(demo_db, "demo-supervisor")
    with pytest.raises(InvalidInput) as long:
        cases.new_case(demo_db, supervisor, replace(READY, situation="あ" * 4001))
    assert long.value.key == "input.too_long"
    with pytest.raises(InvalidInput):
        cases.new_case(demo_db, supervisor, replace(READY, domains=("astrology",)))
    with pytest.raises(InvalidInput):
        cases.new_case(demo_db, supervisor, replace(READY, region="atlantis"))


def test_managers_edit_the_domains_and_a_retired_one_stays_on_its_cases(demo_db):
    manager, trainee = actor_of(demo_db, "demo-manager"), actor_of(demo_db, "demo-trainee")
    current = domains.domains(demo_db, manager, include_retired=True)
    assert [d.name_ja for d in current][:3] == ["在留手続", "労働", "医療・福祉"]  # the programme's plan, as defaults
    edited = [d for d in current if d.code != "disaster"] + [domains.Domain("", "国籍・帰化", "Nationality", False)]
    with pytest.raises(AccessDenied):
        domains.save_domains(demo_db, trainee, edited, current)
    assert domains.save_domains(demo_db, manager, edited, current) == 2
    offered = {d.code: d for d in domains.domains(demo_db, trainee)}
    assert "disaster" not in offered and any(d.name_ja == "国籍・帰化" for d in offered.values())
    assert domains.domains(demo_db, trainee, include_retired=True)[-1].retired  # kept, retired
    with pytest.raises(StaleWrite):  # another manager's list, from before that edit
        domains.save_domains(demo_db, manager, current, current)


def test_a_database_of_the_previous_schema_upgrades_and_keeps_its_rows(tmp_path, demo_template):
    import shutil
    path = tmp_path / "old.duckdb"
    shutil.copy(demo_template, path)
    db = Database(path)
    users = db.value("SELECT count(*) FROM app_user")
    reflections = db.value("SELECT count(*) FROM reflection")
    library_version = next(m.version for m in migrations() if m.name == "library")
    db.write(lambda tx: [tx.execute(f"DROP TABLE {t}") for t in (  # noqa: S608 - fixed names
        "workshop_case", "library_consent", "library_case_partner", "library_case_tag", "library_case",
        "partner_field", "partner", "library_domain")])
    db.write(lambda tx: tx.execute("DROP SEQUENCE seq_library_case"))
    db.write(lambda tx: tx.execute("DROP SEQUENCE seq_partner"))
    db.write(lambda tx: tx.execute("DELETE FROM schema_version WHERE version = ?", [library_version]))
    db.close()
    upgraded = Database(path)
    assert upgraded.value("SELECT count(*) FROM app_user") == users
    assert upgraded.value("SELECT count(*) FROM reflection") == reflections
    assert upgraded.value("SELECT count(*) FROM library_case") == 0
    upgraded.close()


def test_a_redaction_of_the_reflection_reaches_the_cases_drawn_from_it(demo_db):
    from coordsupervise.privacy import redaction

    supervisor = actor_of(demo_db, "demo-supervisor")
    reflection = own_reflection(demo_db)
    span = demo_db.value("SELECT substr(event, 1, 8) FROM reflection WHERE id = ?", [reflection])
    case_id = cases.new_case(demo_db, supervisor, replace(READY, situation=f"{span}という相談だった。"),
                             reflection_id=reflection)
    redaction.redact(demo_db, supervisor, reflection, "event", span)
    situation, search_text = demo_db.one("SELECT situation, search_text FROM library_case WHERE id = ?", [case_id])
    assert span not in situation and MARKER in situation and span not in search_text
