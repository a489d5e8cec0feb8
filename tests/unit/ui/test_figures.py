"""The charts' text alternatives are built once per figure (ui/figures.figure_table): the same figure object gives
the same table, another object or other headings their own, and a table goes when its figure does."""
import gc
import weakref

import pandas as pd

from coordsupervise.dashboards import charts
from coordsupervise.ui.figures import figure, figure_table

WORDS = ("series", "x", "y", "value")
ROWS = pd.DataFrame({"competency": ["C1", "C1"], "level": [3, 4], "n": [2, 1]})
ARGS = ({"C1": "在留"}, {1: "1", 2: "2", 3: "3", 4: "4"}, "分布", "人数")


def bars(rows=ROWS):
    return charts.level_distribution(rows, *ARGS)


def test_one_figure_gives_one_table_per_set_of_headings():
    fig = bars()
    table = figure_table(fig, *WORDS)
    assert figure_table(fig, *WORDS) is table
    assert table.equals(charts.figure_table(fig, *WORDS))
    english = figure_table(fig, "Series", "X", "Y", "Value")
    assert english is not table and english.columns[0] == "Series" and table.columns[0] == "series"


def test_the_same_content_drawn_again_comes_from_the_figure_cache_with_its_table():
    assert figure(charts.level_distribution, ROWS, *ARGS) is \
        figure(charts.level_distribution, ROWS, *ARGS)
    fig = figure(charts.level_distribution, ROWS, *ARGS)
    assert figure_table(fig, *WORDS) is figure_table(
        figure(charts.level_distribution, ROWS, *ARGS), *WORDS)


def test_another_figure_never_gets_this_ones_table_and_a_table_goes_with_its_figure():
    first = bars()
    table = figure_table(first, *WORDS)
    other = bars(pd.DataFrame({"competency": ["C1"], "level": [1], "n": [5]}))
    assert figure_table(other, *WORDS)["人数"].tolist() == [5, 0, 0, 0]
    gone = weakref.ref(table)
    del first, table
    gc.collect()
    assert gone() is None
    for _ in range(20):  # new figures, some at a freed address: each reads its own values
        fig = bars(pd.DataFrame({"competency": ["C1"], "level": [2], "n": [7]}))
        assert figure_table(fig, *WORDS)["人数"].tolist() == [0, 7, 0, 0]
        del fig
