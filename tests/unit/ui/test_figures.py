"""The charts' text alternatives are built once per figure (ui/figures.figure_table): the same figure object gives
the same table, another object or other headings their own, and a table goes when its figure does."""
import gc
import weakref

from coordsupervise.dashboards import charts
from coordsupervise.ui.figures import figure, figure_table

WORDS = ("series", "x", "y", "value")
ROWS = [{"code": "C1", "rubric_level": 3.0, "self_rating": 2.0}]


def bars(rows=ROWS):
    return charts.competency_chart(rows, {"C1": "在留"}, "評価", "自己評価", "合格線")


def test_one_figure_gives_one_table_per_set_of_headings():
    fig = bars()
    table = figure_table(fig, *WORDS)
    assert figure_table(fig, *WORDS) is table
    assert table.equals(charts.figure_table(fig, *WORDS))
    english = figure_table(fig, "Series", "X", "Y", "Value")
    assert english is not table and english.columns[0] == "Series" and table.columns[0] == "series"


def test_the_same_content_drawn_again_comes_from_the_figure_cache_with_its_table():
    assert figure(charts.competency_chart, ROWS, {"C1": "在留"}, "評価", "自己評価", "合格線") is \
        figure(charts.competency_chart, ROWS, {"C1": "在留"}, "評価", "自己評価", "合格線")
    fig = figure(charts.competency_chart, ROWS, {"C1": "在留"}, "評価", "自己評価", "合格線")
    assert figure_table(fig, *WORDS) is figure_table(
        figure(charts.competency_chart, ROWS, {"C1": "在留"}, "評価", "自己評価", "合格線"), *WORDS)


def test_another_figure_never_gets_this_ones_table_and_a_table_goes_with_its_figure():
    first = bars()
    table = figure_table(first, *WORDS)
    other = bars([{"code": "C1", "rubric_level": 4.0, "self_rating": 1.0}])
    assert figure_table(other, *WORDS)["y"].tolist() == [4.0, 1.0]
    gone = weakref.ref(table)
    del first, table
    gc.collect()
    assert gone() is None
    for _ in range(20):  # new figures, some at a freed address: each reads its own values
        fig = bars([{"code": "C1", "rubric_level": 2.0, "self_rating": 3.0}])
        assert figure_table(fig, *WORDS)["y"].tolist() == [2.0, 3.0]
        del fig
