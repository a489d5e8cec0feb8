"""Charts read without full colour vision and with low vision: the cohort grid's day statuses are told apart under
simulated protanopia and deuteranopia; the competency heatmap's numbers reach 4.5:1 against every cell they are
written on. (The trainee's practice calendar is a text table with a mark per status:
tests/unit/ui/test_progress_view.py.)"""

import pandas as pd
import plotly.colors
import pytest

from coordsupervise.dashboards import charts

# Machado, Oliveira & Fernandes (2009), severity 1.0, on linear sRGB
SIMULATIONS = {
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881)),
}


def _linear(colour: str) -> list[float]:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    return [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]


def _lab(linear: list[float]) -> tuple[float, float, float]:
    r, g, b = linear
    x, y, z = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047, 0.2126 * r + 0.7152 * g + 0.0722 * b, \
        (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t):
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def _seen_difference(first: str, second: str, deficiency: str) -> float:
    """CIE76 ΔE of two colours as a person with the deficiency sees them."""
    matrix = SIMULATIONS[deficiency]

    def seen(colour):
        linear = _linear(colour)
        return _lab([min(1.0, max(0.0, sum(m * c for m, c in zip(row, linear, strict=True)))) for row in matrix])

    return sum((a - b) ** 2 for a, b in zip(seen(first), seen(second), strict=True)) ** 0.5


@pytest.mark.parametrize("deficiency", sorted(SIMULATIONS))
@pytest.mark.parametrize(("first", "second"), [("submitted", "missing"), ("submitted", "late"), ("missing", "future")])
def test_the_cohort_grids_done_and_not_done_differ_in_colour_for_protanopes_and_deuteranopes(first, second,
                                                                                           deficiency):
    """Green against red came out 16 ΔE apart for a deuteranope (about the same brownish yellow); what matters
    most (handed in or not) must stay far apart."""
    colours = charts.DAY_STATUS_COLOURS
    assert _seen_difference(colours[first], colours[second], deficiency) >= 30


def _heatmap(levels):
    grid = pd.DataFrame({"enrolment_id": range(1, len(levels) + 1), "trainee": [f"研修生{i}" for i in
                                                                              range(len(levels))],
                         "competency": ["C1"] * len(levels), "mean_level": levels, "scores": [1] * len(levels)})
    return charts.competency_heatmap(grid, ["C1"], "能力", "レベル")


def test_every_heatmap_number_reaches_4_5_to_1_against_its_cell():
    levels = [1.0, 1.3, 1.7, 2.0, 2.3, 2.5, 2.7, 3.0, 3.3, 3.7, 4.0]
    trace = _heatmap(levels).data[0]
    scale = [[position, colour] for position, colour in trace.marker.colorscale]
    colours = trace.textfont.color
    assert not isinstance(colours, str) and len(colours) == len(levels)  # chosen per cell, not one for all
    for level, text_colour in zip(levels, colours, strict=True):
        cell = plotly.colors.sample_colorscale(scale, [(level - trace.marker.cmin) /
                                                       (trace.marker.cmax - trace.marker.cmin)])[0]
        assert charts.contrast(text_colour, cell) >= 4.5, (level, text_colour, cell)
    assert colours[0].upper() == "#FFFFFF" and colours[-1].upper() == "#000000"  # light on navy, dark on yellow


def test_contrast_is_the_wcag_ratio():
    assert charts.contrast("#000000", "#FFFFFF") == pytest.approx(21)
    assert charts.contrast("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)
    assert charts.contrast("rgb(0, 34, 78)", "#000000") == charts.contrast("#00224e", "#000000")
