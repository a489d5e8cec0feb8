"""Assignments: content-checked attachments, versions on revision, late marking, released scores only."""
import hashlib
import io
import zipfile
from datetime import timedelta

import pytest

from coordsupervise.errors import AccessDenied, InvalidInput, StaleWrite
from coordsupervise.practice import assignments
from tests.conftest import DEMO_TODAY, actor_of

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


def office(kind: str) -> bytes:
    """A minimal Office file. Its parts carry a fixed time: the bytes name the parametrized tests below, and the
    test workers (pytest-xdist) must each collect the same names."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, text in (("[Content_Types].xml", "<Types/>"),
                           ("word/document.xml" if kind == "docx" else "xl/workbook.xml", "<x/>")):
            zf.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), text)
    return buffer.getvalue()


@pytest.fixture
def trainee(demo_db, new_trainee):
    actor, enrolment = new_trainee
    rows = assignments.for_enrolment(demo_db, actor, enrolment, DEMO_TODAY)
    return actor, enrolment, next(r for r in rows if r.code == "A2")


@pytest.mark.parametrize("data, expected", [
    (PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg"),
    (office("docx"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (office("xlsx"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (b"MZ\x90\x00 an exe renamed to report.pdf", None), (b"PK\x03\x04 not really a zip", None),
    (b"<script>alert(1)</script>", None),
])
def test_type_is_judged_by_content(data, expected):
    assert assignments.sniff_media_type(data) == expected


@pytest.mark.parametrize("name, shown", [
    ("../../etc/passwd", "passwd"), ("C:\\Users\\me\\報告書.pdf", "報告書.pdf"), ("\x00\x1bevil.pdf", "evil.pdf"),
    ("", "attachment"), (".hidden.pdf", "hidden.pdf"),
])
def test_filenames_are_never_paths(name, shown):
    assert assignments.display_filename(name) == shown


def test_every_assignment_is_listed_with_its_state(demo_db, trainee):
    actor, enrolment, _ = trainee
    rows = assignments.for_enrolment(demo_db, actor, enrolment, DEMO_TODAY)
    assert [r.code for r in rows] == ["A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8"]
    assert {r.state for r in rows} <= {"not_started", "overdue"}
    assert all(r.rubric_id for r in rows if r.kind == "scored")


def test_draft_attach_submit_and_checksum(demo_db, trainee):
    actor, enrolment, a2 = trainee
    assignments.save_draft(demo_db, actor, enrolment, a2.id, "## 記録\n確認しました。")
    attachment_id = assignments.add_attachment(demo_db, actor, enrolment, a2.id, "記録.pdf", PDF)
    with pytest.raises(InvalidInput) as wrong:
        assignments.add_attachment(demo_db, actor, enrolment, a2.id, "virus.pdf", b"MZ\x90\x00")
    assert wrong.value.key == "assignment.file_type"
    subs = assignments.submissions(demo_db, actor, enrolment, a2.id)
    assert subs[0]["status"] == "draft"
    assert subs[0]["attachments"][0]["sha256"] == hashlib.sha256(PDF).hexdigest()
    assignments.submit(demo_db, actor, enrolment, a2.id, 1, now=assignments.due_cutoff(a2.due_on) - timedelta(1))
    row = next(r for r in assignments.for_enrolment(demo_db, actor, enrolment, DEMO_TODAY) if r.id == a2.id)
    assert row.state == "submitted" and not row.late
    assert assignments.attachment_content(demo_db, actor, attachment_id) == ("記録.pdf", "application/pdf", PDF)
    with pytest.raises(InvalidInput):  # submitted work is locked
        assignments.save_draft(demo_db, actor, enrolment, a2.id, "後から変更")


def test_late_submission_is_marked(demo_db, trainee):
    actor, enrolment, a2 = trainee
    assignments.save_draft(demo_db, actor, enrolment, a2.id, "遅れました")
    assignments.submit(demo_db, actor, enrolment, a2.id, 1, now=assignments.due_cutoff(a2.due_on) + timedelta(1))
    assert next(r for r in assignments.for_enrolment(demo_db, actor, enrolment, DEMO_TODAY) if r.id == a2.id).late


def test_revision_starts_a_new_version_and_keeps_the_old(demo_db, trainee):
    actor, enrolment, a2 = trainee
    assignments.save_draft(demo_db, actor, enrolment, a2.id, "第1版")
    assignments.add_attachment(demo_db, actor, enrolment, a2.id, "a.png", PNG)
    assignments.submit(demo_db, actor, enrolment, a2.id, 1)
    demo_db.write(lambda tx: tx.execute("UPDATE submission SET status = 'revision_requested' WHERE enrolment_id = ?",
                                        [enrolment.id]))
    assignments.save_draft(demo_db, actor, enrolment, a2.id, "第2版")
    subs = assignments.submissions(demo_db, actor, enrolment, a2.id)
    assert [(s["version"], s["status"], s["body_md"]) for s in subs] == [
        (2, "draft", "第2版"), (1, "revision_requested", "第1版")]
    assert len(subs[0]["attachments"]) == 1  # carried over
    with pytest.raises(StaleWrite):
        assignments.submit(demo_db, actor, enrolment, a2.id, 1)
    assignments.submit(demo_db, actor, enrolment, a2.id, 2)


def test_empty_submission_is_refused(demo_db, trainee):
    actor, enrolment, a2 = trainee
    assignments.save_draft(demo_db, actor, enrolment, a2.id, "   ")
    with pytest.raises(InvalidInput):
        assignments.submit(demo_db, actor, enrolment, a2.id, 1)


def test_unreleased_scores_are_invisible(demo_db, trainee):
    actor, enrolment, a2 = trainee
    assignments.save_draft(demo_db, actor, enrolment, a2.id, "本文")
    assignments.submit(demo_db, actor, enrolment, a2.id, 1)
    sub_id = assignments.submissions(demo_db, actor, enrolment, a2.id)[0]["id"]
    criterion = demo_db.value("SELECT id FROM rubric_criterion WHERE rubric_id = ?", [a2.rubric_id])
    supervisor = actor_of(demo_db, "demo-supervisor").id

    def score(tx, status):
        sid = tx.value("INSERT INTO score (submission_id, scorer_id, status, overall_comment) VALUES (?, ?, ?, ?) "
                       "RETURNING id", [sub_id, supervisor, status, "下書きの講評"])
        tx.execute("INSERT INTO score_criterion (score_id, criterion_id, level, comment) VALUES (?, ?, 3, 'よい')",
                   [sid, criterion])

    demo_db.write(score, "draft")
    assert assignments.released_score(demo_db, actor, enrolment, a2.id) is None
    demo_db.write(lambda tx: tx.execute("UPDATE score SET status = 'released', released_at = now() "
                                        "WHERE submission_id = ?", [sub_id]))
    released = assignments.released_score(demo_db, actor, enrolment, a2.id)
    assert released.weighted_level == 3 and released.criteria[0]["comment"] == "よい"


def test_other_trainee_gets_nothing_by_id(demo_db, trainee):
    actor, enrolment, a2 = trainee
    assignments.save_draft(demo_db, actor, enrolment, a2.id, "秘密")
    attachment_id = assignments.add_attachment(demo_db, actor, enrolment, a2.id, "a.pdf", PDF)
    intruder = actor_of(demo_db, "demo-trainee")
    with pytest.raises(AccessDenied):
        assignments.attachment_content(demo_db, intruder, attachment_id)
    with pytest.raises(AccessDenied):
        assignments.submissions(demo_db, intruder, enrolment, a2.id)
    with pytest.raises(AccessDenied):
        assignments.save_draft(demo_db, intruder, enrolment, a2.id, "上書き")
    with pytest.raises(AccessDenied):
        assignments.released_score(demo_db, intruder, enrolment, a2.id)
    with pytest.raises(AccessDenied):
        assignments.remove_attachment(demo_db, intruder, enrolment, attachment_id)
    # the assigned supervisor sees the work once it is submitted, not while it is a draft
    supervisor = actor_of(demo_db, "demo-supervisor")
    with pytest.raises(AccessDenied):
        assignments.attachment_content(demo_db, supervisor, attachment_id)
    assert assignments.submissions(demo_db, supervisor, enrolment, a2.id) == []
    assignments.submit(demo_db, actor, enrolment, a2.id, 1)
    assert assignments.attachment_content(demo_db, supervisor, attachment_id)[2] == PDF
    assert [s["version"] for s in assignments.submissions(demo_db, supervisor, enrolment, a2.id)] == [1]


def test_privacy_guard_holds_back_assignment_text(demo_db, trainee):
    from coordsupervise.privacy.guard import PrivacyFindings

    actor, enrolment, a2 = trainee
    assignments.save_draft(demo_db, actor, enrolment, a2.id, "連絡先 ０３−１２３４−５６７８ に確認")
    with pytest.raises(PrivacyFindings) as held:
        assignments.submit(demo_db, actor, enrolment, a2.id, 1)
    finding = held.value.findings[0]
    assignments.submit(demo_db, actor, enrolment, a2.id, 1, confirmed={(finding.kind, finding.text)})
    assert demo_db.value("SELECT count(*) FROM audit_log WHERE action = 'submission.privacy_confirmed'") == 1
