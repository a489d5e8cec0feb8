"""Moderation sampling and agreement statistics (the kappa checked against scikit-learn on random data), rubric
versioning, assignment settings, and the XLSX writer's formula safety."""
import contextlib
import io
import math
import warnings

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score

from coordsupervise.errors import AccessDenied, InvalidInput
from coordsupervise.office.exports import xlsx_bytes
from coordsupervise.practice import assignments
from coordsupervise.programme import enrolments
from coordsupervise.scoring import moderation, rubrics, scoring
from tests.conftest import DEMO_TODAY, actor_of

levels = st.integers(min_value=1, max_value=4)
paired = st.integers(min_value=1, max_value=60).flatmap(
    lambda n: st.tuples(st.lists(levels, min_size=n, max_size=n), st.lists(levels, min_size=n, max_size=n)))


def same(ours, theirs) -> bool:
    return (ours is None and math.isnan(theirs)) or (ours is not None and math.isclose(ours, theirs, abs_tol=1e-9))


@settings(max_examples=300, deadline=None)
@given(paired)
def test_kappa_equals_scikit_learn_quadratic(pair):
    first, second = pair
    with _quiet():
        theirs = cohen_kappa_score(first, second, weights="quadratic")
    assert same(moderation.quadratic_weighted_kappa(first, second), theirs)


@settings(max_examples=200, deadline=None)
@given(paired)
def test_kappa_on_the_four_levels_equals_scikit_learn_with_labels(pair):
    first, second = pair
    with _quiet():
        theirs = cohen_kappa_score(first, second, weights="quadratic", labels=[1, 2, 3, 4])
    assert same(moderation.quadratic_weighted_kappa(first, second, labels=(1, 2, 3, 4)), theirs)


@contextlib.contextmanager
def _quiet():
    """scikit-learn warns on 0/0 (no spread to measure against); we answer None there."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def test_agreement_figures_of_a_known_set():
    stats = moderation.agreement_stats([(3, 3), (2, 3), (4, 2), (1, 1)])
    assert stats["pairs"] == 4 and stats["exact_pct"] == 50.0 and stats["within_one_pct"] == 75.0
    assert moderation.agreement_stats([(3, 3)] * 5)["kappa"] is None  # no spread: kappa is undefined
    assert moderation.agreement_stats([])["exact_pct"] is None


def test_sampling_is_seeded_reproducible_and_near_the_share():
    picked = [moderation.sampled(7, 11, e, 10) for e in range(2000)]
    assert picked == [moderation.sampled(7, 11, e, 10) for e in range(2000)]
    assert 150 < sum(picked) < 250
    other_seed = [moderation.sampled(8, 11, e, 10) for e in range(2000)]
    assert picked != other_seed
    assert all(moderation.needs_second_marking("all", 10, 1, 1, e) for e in range(20))
    assert not any(moderation.needs_second_marking("none", 100, 1, 1, e) for e in range(20))


def test_agreement_per_assignment_criterion_pair_and_severity_from_the_demo(demo_db):
    figures = moderation.agreement(demo_db, actor_of(demo_db, "demo-manager"))
    assert {r["key"][0] for r in figures["assignment"]} >= {"A8"}
    assert all(0 <= r["exact_pct"] <= r["within_one_pct"] <= 100 for r in figures["criterion"])
    assert figures["pair"] and all(len(r["key"]) == 2 for r in figures["pair"])
    assert {r["rater"] for r in figures["severity"]} and all(-3 <= r["mean_difference"] <= 3
                                                              for r in figures["severity"])


def _criteria_of(detail):
    return [rubrics.CriterionInput(c["competency"], c["title_ja"], c["title_en"], float(c["weight"]),
                                   {lvl: (ja, en) for lvl, ja, en in c["levels"]}) for c in detail["criteria"]]


def test_editing_a_used_rubric_makes_a_new_version_and_old_scores_keep_theirs(demo_db):
    manager = actor_of(demo_db, "demo-manager")
    trainee = actor_of(demo_db, "demo-trainee")
    enrolment = enrolments.current_for_trainee(demo_db, trainee)
    a3 = next(r for r in assignments.for_enrolment(demo_db, trainee, enrolment, DEMO_TODAY) if r.code == "A3")
    old = rubrics.detail(demo_db, manager, a3.rubric_id)
    criteria = _criteria_of(old)
    criteria[0] = rubrics.CriterionInput(criteria[0].competency, "問題の切り分けと優先順位",
                                         "Decomposition and priorities", 2.0, criteria[0].descriptors)
    new_id = rubrics.save(demo_db, manager, old["id"], old["title_ja"], old["title_en"], 3, criteria)
    assert new_id != old["id"]
    assert rubrics.detail(demo_db, manager, new_id)["version"] == old["version"] + 1
    # the assignment now uses the new version, for the trainee too; the scores already given keep the old one
    a3_now = next(r for r in assignments.for_enrolment(demo_db, trainee, enrolment, DEMO_TODAY) if r.code == "A3")
    assert a3_now.rubric_id == new_id
    versions = {r["id"]: r for r in rubrics.list_rubrics(demo_db, manager)}
    assert versions[old["id"]]["scores"] > 0 and versions[new_id]["scores"] == 0
    assert versions[new_id]["assignments"] == demo_db.value("SELECT count(*) FROM assignment WHERE code = 'A3'")
    assert rubrics.detail(demo_db, manager, old["id"])["criteria"][0]["title_ja"] == old["criteria"][0]["title_ja"]
    # a score given now uses the new version
    sup = actor_of(demo_db, "demo-supervisor")
    v2 = demo_db.value("SELECT s.id FROM submission s JOIN assignment a ON a.id = s.assignment_id "
                       "WHERE s.enrolment_id = ? AND a.code = 'A3' ORDER BY s.version DESC LIMIT 1", [enrolment.id])
    view = scoring.open_item(demo_db, sup, v2)
    assert view.rubric_version == old["version"] + 1 and view.criteria[0]["weight"] == 2.0
    # editing the new version again, unused, changes it in place
    assert rubrics.save(demo_db, manager, new_id, "改", "Rev", 3, criteria) == new_id


def test_rubric_edits_are_validated(demo_db):
    manager = actor_of(demo_db, "demo-manager")
    rubric_id = rubrics.list_rubrics(demo_db, manager)[0]["id"]
    detail = rubrics.detail(demo_db, manager, rubric_id)
    criteria = _criteria_of(detail)
    blank = [rubrics.CriterionInput(c.competency, c.title_ja, c.title_en, c.weight, {**c.descriptors, 2: ("", "x")})
             for c in criteria]
    with pytest.raises(InvalidInput):
        rubrics.save(demo_db, manager, rubric_id, detail["title_ja"], detail["title_en"], 3, blank)
    with pytest.raises(InvalidInput):
        rubrics.save(demo_db, manager, rubric_id, detail["title_ja"], detail["title_en"], 3, [])


def test_assignment_settings_change_and_are_audited(demo_db):
    admin = actor_of(demo_db, "demo-admin")
    cohort_id = enrolments.current_for_trainee(demo_db, actor_of(demo_db, "demo-trainee")).cohort_id
    a4 = next(a for a in rubrics.cohort_assignments(demo_db, admin, cohort_id) if a["code"] == "A4")
    rubrics.update_assignment(demo_db, admin, a4["id"], a4["rubric_id"], a4["due_on"], True, "sample", 25, 1)
    after = next(a for a in rubrics.cohort_assignments(demo_db, admin, cohort_id) if a["code"] == "A4")
    assert (after["certification_critical"], after["moderation_rule"], after["moderation_pct"],
            after["moderation_tolerance"]) == (True, "sample", 25, 1)
    assert demo_db.value("SELECT count(*) FROM audit_log WHERE action = 'assignment.settings' AND entity_id = ?",
                         [str(a4["id"])]) == 1
    other = next(a for a in rubrics.cohort_assignments(demo_db, admin, cohort_id) if a["code"] == "A2")
    with pytest.raises(InvalidInput):  # another rubric altogether: refused
        rubrics.update_assignment(demo_db, admin, a4["id"], other["rubric_id"], a4["due_on"], True, "none", 10, 0)


@pytest.mark.parametrize("who", ["demo-supervisor", "demo-trainee"])
def test_rubrics_are_for_managers_and_admins(demo_db, who):
    actor = actor_of(demo_db, who)
    with pytest.raises(AccessDenied):
        rubrics.list_rubrics(demo_db, actor)
    with pytest.raises(AccessDenied):
        rubrics.save(demo_db, actor, 1, "x", "x", 3, [])
    with pytest.raises(AccessDenied):
        rubrics.update_assignment(demo_db, actor, 1, None, DEMO_TODAY, False, "none", 10, 0)


def test_xlsx_keeps_numbers_and_never_writes_a_formula():
    frame = pd.DataFrame({"trainee": ["=HYPERLINK(\"http://x\")", "＋81", "佐藤"], "level": [3, 4, 2],
                          "points": [3.0, 8.0, 2.0]})
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(frame))).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert rows[0][0] == "'=HYPERLINK(\"http://x\")" and rows[1][0] == "'＋81" and rows[2] == ("佐藤", 2, 2.0)
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_a_marker_does_not_settle_their_own_disagreement_when_another_manager_can(demo_db):
    from coordsupervise.programme.auth import insert_user
    marker = actor_of(demo_db, "demo-manager")
    [item] = [d for d in moderation.open_disagreements(demo_db, marker)
              if "石川 誠" in (d.first_marker, d.second_marker)]
    pair = moderation.side_by_side(demo_db, marker, item.moderation_id)
    assert pair["own_marking"] and not pair["other_managers"]  # the only manager: may settle, with a warning
    agreed = {c["id"]: c["second_level"] for c in pair["criteria"]}
    with pytest.raises(InvalidInput) as unpicked:
        moderation.resolve(demo_db, marker, item.moderation_id, {**agreed, next(iter(agreed)): None}, "理由",
                           pair["row_version"])
    assert unpicked.value.key == "scoring.incomplete"
    demo_db.write(lambda tx: insert_user(tx, "third-manager", "第三 管理者", "x", ("manager",)))
    assert moderation.side_by_side(demo_db, marker, item.moderation_id)["other_managers"]
    with pytest.raises(InvalidInput) as refused:
        moderation.resolve(demo_db, marker, item.moderation_id, agreed, "自分で決める", pair["row_version"])
    assert refused.value.key == "moderation.own_marking"
    third = actor_of(demo_db, "third-manager")
    assert not moderation.side_by_side(demo_db, third, item.moderation_id)["own_marking"]
    moderation.resolve(demo_db, third, item.moderation_id, agreed, "第三者として具体性で判断", pair["row_version"])
    assert not moderation.open_disagreements(demo_db, marker)
