"""Workshop: discussion groups (property test on random cohorts), attendance, test scores and their importers."""
import io
import math
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from coordsupervise.certification import workshop, workshop_import
from coordsupervise.certification.workshop import Attendance, Candidate, group_sizes, plan_groups
from coordsupervise.errors import AccessDenied, BeforeStage, InvalidInput
from tests.conftest import DEMO_TODAY, actor_of

cohorts = st.lists(st.tuples(st.integers(0, 11), st.integers(0, 4), st.floats(1, 4)), min_size=1, max_size=45)


def candidates(people) -> list[Candidate]:
    return [Candidate(i + 100, f"org{o}", f"region{r}", p) for i, (o, r, p) in enumerate(people)]


@settings(max_examples=60, deadline=None)
@given(people=cohorts, seed=st.integers(0, 10_000))
def test_groups_hold_sizes_and_the_organisation_rule_wherever_the_cohort_allows(people, seed):
    found = candidates(people)
    groups = plan_groups(found, seed)
    ids = [e for g in groups for e in g]
    assert sorted(ids) == sorted(c.enrolment_id for c in found)  # everyone exactly once
    n = len(found)
    sizes = [len(g) for g in groups]
    if n >= 10 or 5 <= n <= 7:
        assert all(5 <= s <= 7 for s in sizes), sizes
    assert max(sizes) - min(sizes) <= 1
    org_of = {c.enrolment_id: c.organisation for c in found}
    total = Counter(org_of.values())
    for group in groups:
        here = Counter(org_of[e] for e in group)
        for org, k in here.items():
            # alone in their group whenever the organisation has no more people than there are groups,
            # otherwise spread as evenly as possible
            assert k <= math.ceil(total[org] / len(groups)), (org, k, total[org], len(groups))
    assert plan_groups(list(reversed(found)), seed) == groups  # the same input gives the same groups


def test_group_sizes_for_small_cohorts():
    assert group_sizes(4) == [4] and group_sizes(7) == [7]
    assert group_sizes(9) == [5, 4]  # no split into 5-7 exists: two small groups, not one of nine
    assert group_sizes(60) == [7, 7, 7, 7, 7, 7, 6, 6, 6]


def test_day_two_avoids_day_one_pairs_when_it_can():
    found = [Candidate(i, f"o{i}", f"r{i % 3}", 2.5) for i in range(30)]
    first = plan_groups(found, 1)
    met = {frozenset((a, b)) for g in first for i, a in enumerate(g) for b in g[i + 1:]}
    second = plan_groups(found, 1, met)
    repeats = sum(1 for g in second for i, a in enumerate(g) for b in g[i + 1:] if frozenset((a, b)) in met)
    plain = sum(1 for g in plan_groups(found, 1) for i, a in enumerate(g) for b in g[i + 1:]
                if frozenset((a, b)) in met)
    assert repeats < plain


def practical_cohort(db):
    return db.value("SELECT e.cohort_id FROM enrolment e JOIN app_user u ON u.id = e.trainee_id "
                    "WHERE u.username = 'demo-trainee'")


def test_groups_are_made_locked_kept_and_moved(demo_db):
    admin, cohort_id = actor_of(demo_db, "demo-admin"), practical_cohort(demo_db)
    assert workshop.make_groups(demo_db, admin, cohort_id, 1, seed=3) == 2  # 8 trainees: two groups of four
    groups = workshop.groups(demo_db, admin, cohort_id, 1)
    kept = set(groups[0].members["enrolment_id"])
    workshop.set_locked(demo_db, admin, cohort_id, groups[0].id, True)
    workshop.make_groups(demo_db, admin, cohort_id, 1, seed=99)
    again = workshop.groups(demo_db, admin, cohort_id, 1)
    assert set(again[0].members["enrolment_id"]) == kept and again[0].locked
    mover = int(again[1].members["enrolment_id"][0])
    with pytest.raises(InvalidInput, match="workshop.error_locked"):
        workshop.move_member(demo_db, admin, cohort_id, 1, mover, again[0].id)
    workshop.set_locked(demo_db, admin, cohort_id, again[0].id, False)
    workshop.move_member(demo_db, admin, cohort_id, 1, mover, again[0].id)
    moved = workshop.groups(demo_db, admin, cohort_id, 1)
    assert mover in set(moved[0].members["enrolment_id"]) and len(moved[0].members) == 5
    assert "workshop.warn_size" in workshop.group_warnings(moved)[2]


def test_attendance_is_written_when_it_changes_and_partial_needs_a_note(demo_db):
    admin, cohort_id = actor_of(demo_db, "demo-admin"), practical_cohort(demo_db)
    roster = workshop.roster(demo_db, admin, cohort_id)
    first, second = (int(e) for e in roster["enrolment_id"][:2])
    with pytest.raises(InvalidInput, match="workshop.error_partial_note"):
        workshop.record_attendance(demo_db, admin, cohort_id, [Attendance(first, 1, "partial", " ")],
                                   confirmed_early=True)
    entries = [Attendance(first, 1, "present"), Attendance(second, 1, "partial", "午後から参加")]
    # the cohort is in its practical stage: attendance before the workshop needs the person's confirmation
    with pytest.raises(BeforeStage):
        workshop.record_attendance(demo_db, admin, cohort_id, entries)
    assert workshop.record_attendance(demo_db, admin, cohort_id, entries, confirmed_early=True) == 2
    assert workshop.record_attendance(demo_db, admin, cohort_id, entries, confirmed_early=True) == 0  # unchanged
    after = workshop.roster(demo_db, admin, cohort_id).set_index("enrolment_id")
    assert after.loc[second, "day1"] == "partial" and after.loc[second, "day1_note"] == "午後から参加"
    assert demo_db.value("SELECT count(*) FROM audit_log WHERE action = 'workshop.attendance'") == 2
    assert demo_db.value("SELECT count(*) FROM audit_log WHERE action = 'workshop.attendance' "
                         "AND after_json LIKE '%entered_before_stage%confirmed%'") == 2  # the confirmation is kept


def test_test_score_changes_are_audited_with_before_and_after(demo_db):
    manager, cohort_id = actor_of(demo_db, "demo-manager"), practical_cohort(demo_db)
    enrolment_id = int(workshop.roster(demo_db, manager, cohort_id)["enrolment_id"][0])
    with pytest.raises(InvalidInput):
        workshop.record_test_scores(demo_db, manager, cohort_id, {enrolment_id: 120}, 1, DEMO_TODAY,
                                    confirmed_early=True)
    with pytest.raises(BeforeStage):
        workshop.record_test_scores(demo_db, manager, cohort_id, {enrolment_id: 65}, 1, DEMO_TODAY)
    workshop.record_test_scores(demo_db, manager, cohort_id, {enrolment_id: 65}, 1, DEMO_TODAY, confirmed_early=True)
    workshop.record_test_scores(demo_db, manager, cohort_id, {enrolment_id: 75}, 1, DEMO_TODAY, confirmed_early=True)
    before, after = demo_db.one("SELECT before_json, after_json FROM audit_log WHERE action = 'workshop.test_score' "
                                "ORDER BY id DESC LIMIT 1")
    assert '"score": 65.0' in before and '"score": 75.0' in after
    assert workshop.roster(demo_db, manager, cohort_id)["test1"].max() == 75


def test_admins_and_managers_record_the_workshop_supervisors_and_trainees_do_not(demo_db):
    cohort_id = practical_cohort(demo_db)
    for username in ("demo-supervisor", "demo-trainee"):
        actor = actor_of(demo_db, username)
        with pytest.raises(AccessDenied):
            workshop.roster(demo_db, actor, cohort_id)
        with pytest.raises(AccessDenied):
            workshop.record_attendance(demo_db, actor, cohort_id, [])
        with pytest.raises(AccessDenied):
            workshop.make_groups(demo_db, actor, cohort_id, 1, 1)
        with pytest.raises(AccessDenied):
            workshop_import.commit_attendance(demo_db, actor, cohort_id, b"", "x.csv")


def test_someone_of_another_cohort_cannot_be_recorded_here(demo_db):
    admin, cohort_id = actor_of(demo_db, "demo-admin"), practical_cohort(demo_db)
    stranger = demo_db.value("SELECT id FROM enrolment WHERE cohort_id <> ? LIMIT 1", [cohort_id])
    with pytest.raises(InvalidInput, match="workshop.error_not_in_cohort"):
        workshop.record_attendance(demo_db, admin, cohort_id, [Attendance(stranger, 1, "present")])


# -- importers ---------------------------------------------------------------------------------------------------------
def usernames(db, cohort_id):
    return [u for (u,) in db.rows("SELECT u.username FROM enrolment e JOIN app_user u ON u.id = e.trainee_id "
                                  "WHERE e.cohort_id = ? ORDER BY u.username", [cohort_id])]


def test_attendance_import_reads_cp932_and_refuses_the_whole_file_for_one_bad_row(demo_db):
    admin, cohort_id = actor_of(demo_db, "demo-admin"), practical_cohort(demo_db)
    names = usernames(demo_db, cohort_id)
    good = f"ユーザー名,日目,出欠,備考\r\n{names[0]},1,出席,\r\n{names[1]},１,遅刻,電車遅延\r\n"
    bad = good + f"{names[2]},3,出席,\r\nnobody,1,欠席,\r\n"
    preview = workshop_import.preview_attendance(demo_db, admin, cohort_id, bad.encode("cp932"), "出欠.csv")
    assert not preview.committable
    assert {e.key for e in preview.errors} == {"workshop.import_bad_day", "workshop.import_unknown_trainee"}
    with pytest.raises(InvalidInput):
        workshop_import.commit_attendance(demo_db, admin, cohort_id, bad.encode("cp932"), "出欠.csv",
                                          confirmed_early=True)
    assert demo_db.value("SELECT count(*) FROM workshop_attendance w JOIN enrolment e ON e.id = w.enrolment_id "
                         "WHERE e.cohort_id = ?", [cohort_id]) == 0
    preview = workshop_import.preview_attendance(demo_db, admin, cohort_id, good.encode("cp932"), "出欠.csv")
    assert preview.committable and preview.counts["created"] == 2
    assert workshop_import.commit_attendance(demo_db, admin, cohort_id, good.encode("cp932"), "出欠.csv",
                                             confirmed_early=True) == 2
    again = workshop_import.preview_attendance(demo_db, admin, cohort_id, good.encode("cp932"), "出欠.csv")
    assert again.counts["unchanged"] == 2 and not again.changes


def test_test_scores_import_from_xlsx(demo_db):
    manager, cohort_id = actor_of(demo_db, "demo-manager"), practical_cohort(demo_db)
    names = usernames(demo_db, cohort_id)
    book = Workbook()
    book.active.append(["username", "score", "attempt"])
    book.active.append([names[0], 81, 1])
    book.active.append([names[1], "68%", 1])
    data = io.BytesIO()
    book.save(data)
    day2 = DEMO_TODAY
    assert workshop_import.commit_test_scores(demo_db, manager, cohort_id, data.getvalue(), "scores.xlsx", day2,
                                              confirmed_early=True) == 2
    scores = dict(demo_db.rows("SELECT u.username, t.score_pct FROM test_attempt t JOIN enrolment e "
                               "ON e.id = t.enrolment_id JOIN app_user u ON u.id = e.trainee_id "
                               "WHERE t.kind = 'certification' AND e.cohort_id = ?", [cohort_id]))
    assert scores == {names[0]: 81.0, names[1]: 68.0}


def test_migration_006_keeps_attendance_recorded_before_it(tmp_path):
    from coordsupervise.store.db import Database

    path = tmp_path / "old.duckdb"
    old = Database(path, upgrade_to=3)
    old.write(lambda tx: tx.execute(
        "INSERT INTO programme (code, name_ja, name_en) VALUES ('P', 'p', 'p');"
        "INSERT INTO cohort (programme_id, code, name_ja, name_en) VALUES (1, 'C', 'c', 'c');"
        "INSERT INTO app_user (username, display_name, password_hash) VALUES ('t', 't', 'x');"
        "INSERT INTO enrolment (cohort_id, trainee_id) VALUES (1, 1);"
        "INSERT INTO workshop_attendance (enrolment_id, day, attended) VALUES (1, 1, TRUE), (1, 2, FALSE);"))
    old.close()
    upgraded = Database(path)
    assert upgraded.rows("SELECT day, attended, status, note FROM workshop_attendance ORDER BY day") == [
        (1, True, "present", ""), (2, False, "absent", "")]
    upgraded.close()


def test_group_plan_is_the_same_in_every_process():
    """The plan depends on its seed only, not on the process's hash seed (a set's order): the demo and a re-plan
    give the same groups after a restart."""
    import subprocess
    import sys

    script = ("from coordsupervise.certification.workshop import plan_groups, Candidate\n"
              "cs = [Candidate(i, str(i % 7), ['東京', '大阪', '名古屋', '福岡', '札幌'][i % 5], 60.0 + i % 13) "
              "for i in range(40)]\nprint(plan_groups(cs, 7))")
    plans = {subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                            env={**__import__("os").environ, "PYTHONHASHSEED": str(seed)}).stdout
             for seed in (1, 2, 3)}
    assert len(plans) == 1


def test_a_cohort_with_no_split_into_five_to_seven_is_explained_not_flagged():
    import pandas as pd

    def made(*sizes):
        return [workshop.Group(seq, seq, False, pd.DataFrame({"enrolment_id": range(n), "organisation": [""] * n}))
                for seq, n in enumerate(sizes, 1)]

    assert workshop.group_warnings(made(4, 4)) == {}
    assert workshop.size_note(made(4, 4)) == ("workshop.sizes_even", {"total": 8, "size": 4, "count": 2})
    assert workshop.size_note(made(5, 4)) == ("workshop.sizes_mixed", {"total": 9, "large": 5, "small": 4,
                                                                       "count": 2})
    assert workshop.size_note(made(6, 6)) is None and workshop.group_warnings(made(6, 6)) == {}
    assert workshop.group_warnings(made(5, 3)) == {2: ["workshop.warn_size"]}  # a hand edit: still flagged
    assert workshop.group_warnings(made(8, 4)) == {1: ["workshop.warn_size"], 2: ["workshop.warn_size"]}
