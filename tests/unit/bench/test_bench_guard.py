"""The benchmark's guard part: a 2,000-character reflection holding identifiers of many kinds, look-alikes and a
partner's public contact, and its rows. No timing is asserted: the figures come from `python -m coordsupervise bench
--parts guard`."""
from coordsupervise.bench import guard as bench_guard
from coordsupervise.bench import run as bench
from coordsupervise.privacy import guard


def test_the_reflection_is_2000_characters_with_identifiers_of_many_kinds_and_a_public_contact():
    for dense in (False, True):
        text = bench_guard.reflection(2000, dense)
        assert len(text) == 2000
        found = guard.scan_text(text, public=True)
        assert len({f.kind for f in found if not f.public}) >= 6
        assert any(f.public for f in found)


def test_the_guard_part_reports_two_rows_in_milliseconds_against_20():
    rows = bench_guard.rows(2)
    assert [r.part for r in rows] == ["guard", "guard"]
    assert all(r.value > 0 and r.target == "≤ 20 ms" and r.missed == (r.value > 20) for r in rows)
    assert "guard" in bench.PARTS
