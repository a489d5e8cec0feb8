"""What a manager settling a disagreement reads: each criterion's own level descriptors (of the rubric version the
work was marked with), and each kappa's band on Landis & Koch's scale (1977)."""
import pytest

from coordsupervise.practice import assignments
from coordsupervise.scoring import moderation
from tests.conftest import actor_of


@pytest.mark.parametrize(("kappa", "band"), [
    (-0.3, "poor"), (-0.001, "poor"), (0.0, "slight"), (0.2, "slight"), (0.201, "fair"), (0.4, "fair"),
    (0.41, "moderate"), (0.6, "moderate"), (0.61, "substantial"), (0.8, "substantial"), (0.81, "almost_perfect"),
    (1.0, "almost_perfect"), (None, None)])
def test_kappa_bands_are_landis_and_kochs(kappa, band):
    assert moderation.kappa_band(kappa) == band


def test_the_guidance_is_the_lower_edge_of_substantial():
    assert moderation.kappa_band(moderation.KAPPA_GOOD_ENOUGH) == "substantial"
    assert moderation.kappa_band(moderation.KAPPA_GOOD_ENOUGH - 0.01) == "moderate"


def test_side_by_side_carries_each_criterions_level_descriptors(demo_db):
    manager = actor_of(demo_db, "demo-manager")
    item = moderation.open_disagreements(demo_db, manager)[0]
    pair = moderation.side_by_side(demo_db, manager, item.moderation_id)
    rubric_id = demo_db.value("SELECT rubric_id FROM rubric_criterion WHERE id = ?", [pair["criteria"][0]["id"]])
    expected = {c["id"]: c["levels"] for c in assignments.rubric(demo_db, rubric_id)}
    for criterion in pair["criteria"]:
        assert [level for level, _, _ in criterion["levels"]] == [4, 3, 2, 1]
        assert criterion["levels"] == expected[criterion["id"]]  # the same descriptors /scoring shows
        assert all(ja and en for _, ja, en in criterion["levels"])


def test_the_figures_version_moves_with_every_change_the_figures_count_and_only_then(demo_db):
    """The screen caches the agreement figures under this version: a score sent to second marking, the second
    marking handed in and a settlement each move it (so the figures are counted again); a draft moves nothing."""
    from coordsupervise.errors import AccessDenied
    from tests.unit.scoring.test_blind_marking import hand_in, to_blind_second_marking

    manager = actor_of(demo_db, "demo-manager")
    with pytest.raises(AccessDenied):
        moderation.figures_version(demo_db, actor_of(demo_db, "demo-supervisor"))
    seen = [moderation.figures_version(demo_db, manager)]
    figures = [moderation.agreement(demo_db, manager)]
    blind = to_blind_second_marking(demo_db, "A2")  # a draft, then handed in to a second marker
    seen.append(moderation.figures_version(demo_db, manager))
    hand_in(blind, 4)  # the first marker gave 2, tolerance 0: a disagreement
    seen.append(moderation.figures_version(demo_db, manager))
    figures.append(moderation.agreement(demo_db, manager))
    other = next(d for d in moderation.open_disagreements(demo_db, manager) if d.moderation_id != blind["moderation"])
    assert moderation.figures_version(demo_db, manager) == seen[-1]  # reading moves nothing
    moderation.resolve(demo_db, manager, other.moderation_id,
                       {c["id"]: c["second_level"] for c in moderation.side_by_side(
                           demo_db, manager, other.moderation_id)["criteria"]}, "協議の上で合意", other.row_version)
    seen.append(moderation.figures_version(demo_db, manager))
    figures.append(moderation.agreement(demo_db, manager))
    assert len(set(seen)) == len(seen), seen
    assert figures[0] != figures[1] != figures[2]  # each version that moved counted something different
