"""Retention: the dry run lists what is due and changes nothing; --apply clears the free text of due cohorts in one
go, keeps dates, tags, self-ratings and scores, and is audited; the office's setting per programme decides."""
from datetime import timedelta

import pytest

from coordsupervise.__main__ import main
from coordsupervise.errors import AccessDenied, InvalidInput
from coordsupervise.privacy import retention
from tests.conftest import DEMO_TODAY, actor_of

TEXT = ("SELECT count(*) FROM reflection r JOIN enrolment e ON e.id = r.enrolment_id "
        "WHERE e.cohort_id = ? AND r.event = ?")


def finished_cohort(db):
    admin = actor_of(db, "demo-admin")
    return retention.schedule(db, admin, DEMO_TODAY)[0]


def test_nothing_is_due_within_the_default_three_years(demo_db):
    admin = actor_of(demo_db, "demo-admin")
    cohort = finished_cohort(demo_db)
    assert cohort["years"] == 3 and cohort["due_on"] > DEMO_TODAY
    assert retention.due(demo_db, admin, DEMO_TODAY) == []


def test_dry_run_lists_then_apply_clears_text_and_keeps_the_record(demo_db):
    admin = actor_of(demo_db, "demo-admin")
    cohort = finished_cohort(demo_db)
    later = cohort["due_on"] + timedelta(days=1)
    due = retention.due(demo_db, admin, later)
    assert [c["cohort_id"] for c in due] == [cohort["cohort_id"]] and due[0]["reflections"] > 0
    kept_sql = ("SELECT count(*), sum(r.self_rating), count(DISTINCT r.practice_date) FROM reflection r "
                "JOIN enrolment e ON e.id = r.enrolment_id WHERE e.cohort_id = ?")
    kept = demo_db.one(kept_sql, [cohort["cohort_id"]])
    tags = demo_db.value("SELECT count(*) FROM reflection_competency")
    scores = demo_db.value("SELECT count(*) FROM score_criterion")
    assert demo_db.value(TEXT, [cohort["cohort_id"], retention.MARKER]) == 0  # dry run changed nothing

    retention.apply(demo_db, admin, later)

    assert demo_db.value(TEXT, [cohort["cohort_id"], retention.MARKER]) == kept[0]
    assert demo_db.one(kept_sql, [cohort["cohort_id"]]) == kept
    assert demo_db.value("SELECT count(*) FROM reflection_competency") == tags
    assert demo_db.value("SELECT count(*) FROM score_criterion") == scores
    leftovers = demo_db.value(
        "SELECT count(*) FROM reflection_version v JOIN reflection r ON r.id = v.reflection_id "
        "JOIN enrolment e ON e.id = r.enrolment_id WHERE e.cohort_id = ? AND v.body_json NOT LIKE ?",
        [cohort["cohort_id"], f"%{retention.MARKER}%"])
    assert leftovers == 0
    assert demo_db.value("SELECT count(*) FROM feedback f JOIN reflection r ON r.id = f.reflection_id JOIN enrolment e "
                         "ON e.id = r.enrolment_id WHERE e.cohort_id = ? AND f.body_md <> ?",
                         [cohort["cohort_id"], retention.MARKER]) == 0
    assert demo_db.value("SELECT count(*) FROM audit_log WHERE action = 'retention.cleared' AND entity_id = ?",
                         [str(cohort["cohort_id"])]) == 1
    assert retention.due(demo_db, admin, later) == []  # cleared once, not again
    others = [c for c in retention.schedule(demo_db, admin, later) if c["cohort_id"] != cohort["cohort_id"]]
    assert all(demo_db.value(TEXT, [c["cohort_id"], retention.MARKER]) == 0 for c in others)


def test_the_office_shortens_retention_and_only_admins_may(demo_db):
    admin, manager = actor_of(demo_db, "demo-admin"), actor_of(demo_db, "demo-manager")
    programme = retention.programmes(demo_db, manager)[0]
    with pytest.raises(AccessDenied):
        retention.set_years(demo_db, manager, programme.id, 1)
    with pytest.raises(InvalidInput):
        retention.set_years(demo_db, admin, programme.id, 0)
    cohort = finished_cohort(demo_db)
    retention.set_years(demo_db, admin, programme.id, 1)
    assert retention.programmes(demo_db, admin)[0].years == 1
    assert finished_cohort(demo_db)["due_on"] < cohort["due_on"]
    with pytest.raises(AccessDenied):
        retention.apply(demo_db, manager, DEMO_TODAY)


def test_command_line_dry_run_and_apply(demo_db, capsys):
    cohort = finished_cohort(demo_db)
    later = (cohort["due_on"] + timedelta(days=1)).isoformat()
    path = str(demo_db.path)
    demo_db.close()
    assert main(["--db", path, "retention", "--today", later]) == 0
    assert cohort["code"] in capsys.readouterr().out
    assert main(["--db", path, "retention", "--today", later, "--apply"]) == 0
    assert "cleared" in capsys.readouterr().out
    assert main(["--db", path, "retention", "--today", later]) == 0
    assert "nothing to clear" in capsys.readouterr().out


def test_apply_covers_drafts_and_leaves_earlier_audit_rows_alone(demo_db):
    """Unsent text of a finished cohort — an unsubmitted day, a trainee's unsent edit, a supervisor's reply draft —
    goes with the rest; the audit log only gains its own rows."""
    admin = actor_of(demo_db, "demo-admin")
    cohort = finished_cohort(demo_db)
    rid, trainee_id, other = demo_db.one(
        "SELECT r.id, e.trainee_id, (SELECT min(x.id) FROM reflection x WHERE x.enrolment_id = r.enrolment_id "
        "AND x.id <> r.id) FROM reflection r JOIN enrolment e ON e.id = r.enrolment_id WHERE e.cohort_id = ? "
        "AND r.status = 'submitted' ORDER BY r.id LIMIT 1", [cohort["cohort_id"]])
    supervisor_id = demo_db.value("SELECT id FROM app_user WHERE username = 'demo-supervisor'")
    typed = "下書きのグエン・ヴァン・アンさん"

    def unsent(tx):
        tx.execute("UPDATE reflection SET status = 'draft', event = ? WHERE id = ?", [typed, other])
        tx.executemany("INSERT INTO draft (owner_id, draft_key, body_json, base_version, updated_at) "
                       "VALUES (?, ?, ?, 1, now())", [(trainee_id, f"reflection:{rid}", f'{{"event": "{typed}"}}'),
                                                     (supervisor_id, f"reply:{rid}", f'{{"text": "{typed}"}}')])

    demo_db.write(unsent)
    audit_before = demo_db.rows("SELECT * FROM audit_log ORDER BY id")
    retention.apply(demo_db, admin, cohort["due_on"] + timedelta(days=1))
    assert demo_db.value("SELECT event FROM reflection WHERE id = ?", [other]) == retention.MARKER
    assert demo_db.value("SELECT count(*) FROM draft WHERE body_json LIKE '%グエン%'") == 0
    audit_after = demo_db.rows("SELECT * FROM audit_log ORDER BY id")
    assert audit_after[:len(audit_before)] == audit_before and len(audit_after) == len(audit_before) + 1


def test_apply_clears_the_assignments_text_and_keeps_their_levels(demo_db):
    """Case reports hold the same consultations as reflections: their text, attachments, the markers' comments and
    every unsent draft of them go with the cohort's other text; levels, statuses and file names stay."""
    admin = actor_of(demo_db, "demo-admin")
    cohort = finished_cohort(demo_db)
    cid = cohort["cohort_id"]
    of_cohort = "s.enrolment_id IN (SELECT id FROM enrolment WHERE cohort_id = ?)"
    submission, owner = demo_db.one(
        f"SELECT s.id, sc.scorer_id FROM submission s JOIN score sc ON sc.submission_id = s.id WHERE {of_cohort} "
        "ORDER BY s.id LIMIT 1", [cid])

    def written(tx):  # what a marker and a trainee would have left: comments, a file, unsent drafts
        tx.execute("UPDATE score SET overall_comment = '山田さんの件は丁寧' WHERE submission_id = ?", [submission])
        tx.execute("UPDATE score_criterion SET comment = '相談者の名前あり' WHERE score_id = "
                   "(SELECT id FROM score WHERE submission_id = ?)", [submission])
        tx.execute("INSERT INTO attachment (submission_id, filename, media_type, size_bytes, sha256, content) "
                   "VALUES (?, '報告.txt', 'text/plain', 6, 'x', ?)", [submission, "相談".encode()])
        for key in (f"score:{submission}", f"sheet_comment:{submission}", f"change_reason:{submission}"):
            tx.execute("INSERT INTO draft (owner_id, draft_key, body_json, base_version, updated_at) "
                       "VALUES (?, ?, '{}', 0, CURRENT_TIMESTAMP)", [owner, key])

    demo_db.write(written)
    levels_sql = (f"SELECT sc.status, c.criterion_id, c.level FROM submission s JOIN score sc ON "
                  f"sc.submission_id = s.id JOIN score_criterion c ON c.score_id = sc.id WHERE {of_cohort} "
                  "ORDER BY 1, 2, 3")
    levels = demo_db.rows(levels_sql, [cid])
    statuses = demo_db.rows(f"SELECT s.id, s.status, s.version FROM submission s WHERE {of_cohort} ORDER BY 1",
                            [cid])

    retention.apply(demo_db, admin, cohort["due_on"] + timedelta(days=1))

    assert demo_db.rows(levels_sql, [cid]) == levels
    assert demo_db.rows(f"SELECT s.id, s.status, s.version FROM submission s WHERE {of_cohort} ORDER BY 1",
                        [cid]) == statuses
    assert demo_db.value(f"SELECT count(*) FROM submission s WHERE {of_cohort} AND body_md NOT IN ('', ?)",
                         [cid, retention.MARKER]) == 0
    assert demo_db.value(f"SELECT count(*) FROM score sc JOIN submission s ON s.id = sc.submission_id "
                         f"WHERE {of_cohort} AND sc.overall_comment NOT IN ('', ?)", [cid, retention.MARKER]) == 0
    assert demo_db.value("SELECT comment FROM score_criterion WHERE score_id = (SELECT id FROM score WHERE "
                         "submission_id = ?) LIMIT 1", [submission]) == retention.MARKER
    name, content = demo_db.one("SELECT filename, content FROM attachment WHERE submission_id = ? "
                                "AND filename = '報告.txt'", [submission])
    assert bytes(content).decode("utf-8") == retention.MARKER
    assert demo_db.value("SELECT count(*) FROM draft WHERE draft_key LIKE ?", [f"%:{submission}"]) == 0
    cleared = demo_db.value("SELECT after_json FROM audit_log WHERE action = 'retention.cleared' AND entity_id = ?",
                            [str(cid)])
    assert '"submissions"' in cleared
