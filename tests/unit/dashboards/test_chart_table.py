"""Every chart's text alternative: the values it draws as a table (charts.figure_table), one row per point."""
from datetime import date

import pandas as pd

from coordsupervise.dashboards import charts

WORDS = ("series", "x", "y", "value")


def test_a_stage_on_a_date_axis_reads_as_its_first_and_last_day():
    calendars = pd.DataFrame({"code": ["2026-A"], "stage": ["online"], "starts_on": [date(2026, 4, 1)],
                              "ends_on": [date(2026, 5, 31)]})
    fig = charts.cohort_timeline(calendars, {"online": "オンライン"}, date(2026, 4, 10), "今日")
    table = charts.figure_table(fig, *WORDS)
    assert table.to_dict("records") == [{"series": "オンライン", "x": "2026/04/01 – 2026/05/31", "y": "2026-A"}]


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


def test_a_line_chart_takes_its_axis_titles_as_column_names():
    frame = pd.DataFrame({"code": ["A", "A"], "day_no": [1, 2], "rate": [50.0, 75.0]})
    table = charts.figure_table(charts.cohort_comparison(frame, "rate", "比較", "実践日", "提出率"), *WORDS)
    assert list(table.columns) == ["series", "実践日", "提出率"]
    assert table["提出率"].tolist() == [50.0, 75.0]
