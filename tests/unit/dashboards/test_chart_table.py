"""Every plotly chart's text alternative: the values it draws as a table (charts.figure_table), one row per point.
(The Vega-Lite charts bring their own: tests/unit/dashboards/test_vega.py.)"""

import pandas as pd

from coordsupervise.dashboards import charts

WORDS = ("series", "x", "y", "value")


def test_bars_give_one_row_per_bar_with_their_series():
    frame = pd.DataFrame({"competency": ["C1", "C1"], "level": [3, 4], "n": [2, 1]})
    fig = charts.level_distribution(frame, {"C1": "在留"}, {1: "1", 2: "2", 3: "3", 4: "4"}, "分布", "人数")
    table = charts.figure_table(fig, *WORDS)
    assert table[["series", "x", "人数"]].values.tolist() == [["1", "C1 在留", 0], ["2", "C1 在留", 0],
                                                             ["3", "C1 在留", 2], ["4", "C1 在留", 1]]


def test_a_box_gives_its_five_numbers_and_axis_titles_name_the_columns():
    frame = pd.DataFrame({"supervisor": ["佐藤"], "answered": [3], "q1_h": [1.0], "median_h": [2.5], "q3_h": [5.0],
                          "min_h": [0.5], "max_h": [9.0]})
    table = charts.figure_table(charts.turnaround_boxes(frame, "返信までの時間", "時間"), *WORDS)
    assert table.to_dict("records") == [{"series": "時間", "y": "佐藤", "value": "0.5 / 1 / 2.5 / 5 / 9"}]
