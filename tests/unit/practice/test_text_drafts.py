"""Nothing typed is lost: a supervisor's unsent private note, flag reason and flag resolution, and a manager's
unsent settlement of a disagreement, are kept per person until they are sent, forgotten when sent, refused to
anyone who may not write them, and cleared with the rest of a cohort's text by retention."""
from datetime import timedelta

import pytest

from coordsupervise.errors import AccessDenied, InvalidInput
from coordsupervise.practice import inbox, supervision
from coordsupervise.privacy import retention
from coordsupervise.scoring import moderation
from tests.conftest import DEMO_TODAY, actor_of


@pytest.fixture
def sup(demo_db):
    return actor_of(demo_db, "demo-supervisor")


@pytest.fixture
def enrolment_id(demo_db, sup):
    return inbox.caseload(demo_db, sup)[0]["enrolment_id"]


def test_a_note_draft_is_kept_then_forgotten_once_the_note_is_added(demo_db, sup, enrolment_id):
    supervision.keep_text_draft(demo_db, sup, "note", enrolment_id, "面談の日程を調整中")
    assert supervision.text_draft(demo_db, sup, "note", enrolment_id) == "面談の日程を調整中"
    assert supervision.text_draft(demo_db, sup, "flag", enrolment_id) == ""  # each box its own draft
    supervision.add_note(demo_db, sup, enrolment_id, "面談の日程を調整中")
    assert supervision.text_draft(demo_db, sup, "note", enrolment_id) == ""


def test_a_flag_draft_and_a_resolution_draft_go_when_the_flag_is_raised_and_resolved(demo_db, sup, enrolment_id):
    supervision.keep_text_draft(demo_db, sup, "flag", enrolment_id, "連絡が途絶えている")
    flag_id = supervision.raise_flag(demo_db, sup, enrolment_id, "high", "連絡が途絶えている")
    assert supervision.text_draft(demo_db, sup, "flag", enrolment_id) == ""
    supervision.keep_text_draft(demo_db, sup, "flag_resolution", flag_id, "電話で確認")
    assert supervision.text_draft(demo_db, sup, "flag_resolution", flag_id) == "電話で確認"
    supervision.resolve_flag(demo_db, sup, flag_id, "電話で確認")
    assert supervision.text_draft(demo_db, sup, "flag_resolution", flag_id) == ""


def test_an_emptied_box_forgets_its_draft_and_an_overlong_one_is_refused(demo_db, sup, enrolment_id):
    supervision.keep_text_draft(demo_db, sup, "note", enrolment_id, "書きかけ")
    supervision.keep_text_draft(demo_db, sup, "note", enrolment_id, "  ")
    assert supervision.text_draft(demo_db, sup, "note", enrolment_id) == ""
    with pytest.raises(InvalidInput):
        supervision.keep_text_draft(demo_db, sup, "note", enrolment_id, "あ" * (supervision.NOTE_LIMIT + 1))


@pytest.mark.parametrize("who", ["supervisor-01", "demo-trainee", "demo-admin"])
def test_only_the_trainees_supervisor_keeps_a_draft_of_a_note_or_flag(demo_db, enrolment_id, who):
    stranger = actor_of(demo_db, who)
    with pytest.raises(AccessDenied):
        supervision.keep_text_draft(demo_db, stranger, "note", enrolment_id, "x")
    assert demo_db.value("SELECT count(*) FROM draft WHERE draft_key = ?", [f"note:{enrolment_id}"]) == 0


def test_a_managers_settlement_in_progress_is_kept_until_recorded(demo_db):
    manager = actor_of(demo_db, "demo-manager")
    item = moderation.open_disagreements(demo_db, manager)[0]
    criteria = [c["id"] for c in moderation.side_by_side(demo_db, manager, item.moderation_id)["criteria"]]
    picked = {**dict.fromkeys(criteria), criteria[0]: 3}  # one level picked, the others not yet
    moderation.keep_resolution_draft(demo_db, manager, item.moderation_id, picked, "協議中")
    assert moderation.resolution_draft(demo_db, manager, item.moderation_id) == {
        "levels": {criteria[0]: 3}, "reason": "協議中"}
    assert moderation.resolution_draft(demo_db, manager, item.moderation_id + 10_000) == {"levels": {}, "reason": ""}
    with pytest.raises(InvalidInput):
        moderation.keep_resolution_draft(demo_db, manager, item.moderation_id, {},
                                         "あ" * (moderation.REASON_LIMIT + 1))
    with pytest.raises(AccessDenied):
        moderation.keep_resolution_draft(demo_db, actor_of(demo_db, "demo-supervisor"), item.moderation_id, {}, "x")
    moderation.resolve(demo_db, manager, item.moderation_id, dict.fromkeys(criteria, 3), "協議のうえ合意",
                       item.row_version)
    assert moderation.resolution_draft(demo_db, manager, item.moderation_id) == {"levels": {}, "reason": ""}


def test_retention_clears_unsent_notes_and_flags_of_a_finished_cohort(demo_db):
    admin = actor_of(demo_db, "demo-admin")
    cohort = retention.schedule(demo_db, admin, DEMO_TODAY)[0]
    enrolment_id, supervisor_id = demo_db.one(
        "SELECT e.id, s.supervisor_id FROM enrolment e JOIN supervision s ON s.enrolment_id = e.id "
        "WHERE e.cohort_id = ? ORDER BY e.id LIMIT 1", [cohort["cohort_id"]])
    flag_id = demo_db.write(lambda tx: tx.value(
        "INSERT INTO flag (enrolment_id, raised_by, severity, reason, raised_at) VALUES (?, ?, 'low', 'x', now()) "
        "RETURNING id", [enrolment_id, supervisor_id]))
    typed = '{"text": "グエン・ヴァン・アンさんの件"}'
    demo_db.write(lambda tx: tx.executemany(
        "INSERT INTO draft (owner_id, draft_key, body_json, base_version, updated_at) VALUES (?, ?, ?, 0, now())",
        [(supervisor_id, f"note:{enrolment_id}", typed), (supervisor_id, f"flag:{enrolment_id}", typed),
         (supervisor_id, f"flag_resolution:{flag_id}", typed)]))
    retention.apply(demo_db, admin, cohort["due_on"] + timedelta(days=1))
    assert demo_db.value("SELECT count(*) FROM draft WHERE body_json LIKE '%グエン%'") == 0
