"""Nothing typed into the scoring view is lost: the comment on a 課題設定シート and the reason for changing a released
score are kept per person as they are typed (a reload, a logout, a server restart), forgotten once the sheet is
decided or the change is recorded, and kept from anyone who is not the submission's first marker."""
import pytest

from coordsupervise.errors import AccessDenied, InvalidInput
from coordsupervise.scoring import scoring
from coordsupervise.store.engine import open_database
from coordsupervise.text.limits import REASON_LIMIT
from tests.conftest import actor_of


def _open_sheet(db):
    """A 課題設定シート waiting for demo-supervisor."""
    return db.value("SELECT s.id FROM submission s JOIN assignment a ON a.id = s.assignment_id "
                    "JOIN supervision v ON v.enrolment_id = s.enrolment_id "
                    "JOIN app_user u ON u.id = v.supervisor_id AND u.username = 'demo-supervisor' "
                    "WHERE a.code = 'A1' AND s.status = 'submitted' ORDER BY s.id LIMIT 1")


def _released_a2(db, sup):
    """demo-trainee's A2, scored and released by demo-supervisor: (submission, criterion, row version)."""
    a2 = db.value("SELECT s.id FROM submission s JOIN assignment a ON a.id = s.assignment_id "
                  "JOIN enrolment e ON e.id = s.enrolment_id JOIN app_user u ON u.id = e.trainee_id "
                  "WHERE u.username = 'demo-trainee' AND a.code = 'A2' ORDER BY s.version DESC LIMIT 1")
    [criterion] = scoring.open_item(db, sup, a2).criteria
    scoring.release(db, sup, a2, {criterion["id"]: 3}, {}, "", 0)
    return a2, criterion["id"], db.value("SELECT row_version FROM score WHERE submission_id = ?", [a2])


@pytest.fixture
def sup(demo_db):
    return actor_of(demo_db, "demo-supervisor")


def test_a_sheet_comment_is_kept_through_a_restart_and_forgotten_once_the_sheet_is_returned(demo_db, demo_target,
                                                                                          sup):
    sheet = _open_sheet(demo_db)
    assert sheet is not None
    scoring.keep_text(demo_db, sup, "sheet_comment", sheet, "目標をもう少し具体的に")
    restarted = open_database(demo_target)  # another process, or the same app after a restart
    try:
        assert scoring.kept_text(restarted, actor_of(restarted, "demo-supervisor"), "sheet_comment", sheet) == \
            "目標をもう少し具体的に"
    finally:
        restarted.close()
    assert scoring.kept_text(demo_db, sup, "change_reason", sheet) == ""  # each box its own draft
    scoring.decide_sheet(demo_db, sup, sheet, False, "目標をもう少し具体的に")
    assert scoring.kept_text(demo_db, sup, "sheet_comment", sheet) == ""


def test_a_sheet_comment_is_forgotten_once_the_sheet_is_approved(demo_db, sup):
    sheet = _open_sheet(demo_db)
    scoring.keep_text(demo_db, sup, "sheet_comment", sheet, "よく整理されています")
    scoring.decide_sheet(demo_db, sup, sheet, True, "よく整理されています")
    assert scoring.kept_text(demo_db, sup, "sheet_comment", sheet) == ""


def test_a_change_reason_is_kept_until_the_change_is_recorded(demo_db, sup):
    a2, criterion, seen = _released_a2(demo_db, sup)
    scoring.keep_text(demo_db, sup, "change_reason", a2, "添付の記録を見落としていた")
    assert scoring.kept_text(demo_db, sup, "change_reason", a2) == "添付の記録を見落としていた"
    with pytest.raises(InvalidInput):  # a refused change (no reason sent) keeps the draft
        scoring.release(demo_db, sup, a2, {criterion: 4}, {}, "", seen)
    assert scoring.kept_text(demo_db, sup, "change_reason", a2) == "添付の記録を見落としていた"
    scoring.release(demo_db, sup, a2, {criterion: 4}, {}, "", seen, reason="添付の記録を見落としていた")
    assert scoring.kept_text(demo_db, sup, "change_reason", a2) == ""


def test_an_emptied_box_forgets_its_draft_and_an_overlong_one_is_refused(demo_db, sup):
    a2, _criterion, _seen = _released_a2(demo_db, sup)
    scoring.keep_text(demo_db, sup, "change_reason", a2, "書きかけ")
    scoring.keep_text(demo_db, sup, "change_reason", a2, "   ")
    assert scoring.kept_text(demo_db, sup, "change_reason", a2) == ""
    with pytest.raises(InvalidInput):
        scoring.keep_text(demo_db, sup, "change_reason", a2, "あ" * (REASON_LIMIT + 1))
    with pytest.raises(InvalidInput):
        scoring.keep_text(demo_db, sup, "sheet_comment", _open_sheet(demo_db), "あ" * (scoring.COMMENT_LIMIT + 1))


@pytest.mark.parametrize("who", ["supervisor-01", "demo-trainee", "demo-admin"])
def test_only_the_first_marker_keeps_or_reads_these_drafts(demo_db, sup, who):
    sheet = _open_sheet(demo_db)
    scoring.keep_text(demo_db, sup, "sheet_comment", sheet, "下書き")
    stranger = actor_of(demo_db, who)
    with pytest.raises(AccessDenied):
        scoring.keep_text(demo_db, stranger, "sheet_comment", sheet, "x")
    with pytest.raises(AccessDenied):
        scoring.kept_text(demo_db, stranger, "sheet_comment", sheet)
    assert demo_db.value("SELECT count(*) FROM draft WHERE draft_key = ?", [f"sheet_comment:{sheet}"]) == 1


def test_an_unknown_kind_of_draft_is_a_programming_error(demo_db, sup):
    with pytest.raises(ValueError):
        scoring.keep_text(demo_db, sup, "overall", _open_sheet(demo_db), "x")
