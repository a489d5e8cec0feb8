"""The Vega-Lite charts of /cohorts and /moderation (dashboards/vega.py): what each draws, the table that is its
text alternative, and the marks that carry meaning without colour."""
from datetime import date

import pandas as pd

from coordsupervise.dashboards import vega

LABELS = {"kappa": "重み付きκ", "group": "課題", "guide": "目安 κ 0.61", "band": "一致の程度", "exact": "完全一致",
          "within_one": "±1以内", "percent": "%"}
ROWS = [{"label": "A3", "kappa": 0.57, "band": "中程度の一致", "exact_pct": 60.0, "within_one_pct": 95.0},
        {"label": "A8", "kappa": -0.1, "band": "一致なし", "exact_pct": 40.0, "within_one_pct": 80.0}]


def layers(chart):
    """Every mark of a (possibly layered) spec, flattened."""
    out, todo = [], [chart.spec]
    while todo:
        spec = todo.pop(0)
        todo[:0] = spec.get("layer", [])
        if "mark" in spec:
            out.append(spec)
    return out


def test_a_stage_reads_as_its_first_and_last_day_and_a_one_day_stage_is_a_mark():
    calendars = pd.DataFrame({"code": ["2026-A", "2026-A", "2026-A"], "stage": ["online", "practical", "certification"],
                              "starts_on": [date(2026, 4, 1), date(2026, 6, 1), date(2026, 9, 5)],
                              "ends_on": [date(2026, 5, 31), date(2026, 8, 31), date(2026, 9, 5)]})
    chart = vega.cohort_timeline(calendars, {"online": "オンライン", "practical": "実践", "certification": "認証"},
                                 date(2026, 4, 10), "今日", ("コホート", "段階", "期間"))
    assert chart.table.to_dict("records") == [
        {"コホート": "2026-A", "段階": "オンライン", "期間": "2026/04/01 – 2026/05/31"},
        {"コホート": "2026-A", "段階": "実践", "期間": "2026/06/01 – 2026/08/31"},
        {"コホート": "2026-A", "段階": "認証", "期間": "2026/09/05"}]
    assert list(chart.data["end"]) == ["2026-05-31", "2026-08-31", "2026-09-05"]  # the real last day, as hovered
    assert list(chart.data["one_day"]) == [False, False, True]
    bars, marks, today = chart.spec["layer"]
    assert bars["mark"]["type"] == "bar" and bars["transform"] == [{"filter": "!datum.one_day"}]
    assert marks["mark"]["type"] == "point" and marks["transform"] == [{"filter": "datum.one_day"}]
    assert today["data"]["values"] == [{"day": "2026-04-10", "label": "今日"}]  # a dashed rule and its label
    assert [layer["mark"]["type"] for layer in layers(chart)] == ["bar", "point", "rule", "text"]
    assert chart.data["desc"][2] == "2026-A 認証: 2026/09/05"  # what a screen reader says of the mark
    assert chart.series == ("オンライン", "実践", "認証")


def test_each_cohort_line_has_its_own_colour_and_dash():
    frame = pd.DataFrame({"code": ["B", "A", "A"], "day_no": [1, 1, 2], "rate": [50.0, 75.0, 80.0]})
    chart = vega.cohort_comparison(frame, "rate", "比較", "実践日", "提出率", "コホート")
    assert chart.series == ("A", "B")
    encoding = chart.spec["encoding"]
    assert encoding["strokeDash"]["scale"]["range"][0] != encoding["strokeDash"]["scale"]["range"][1]
    assert list(chart.table.columns) == ["コホート", "実践日", "提出率"]
    assert chart.table["提出率"].tolist() == [50.0, 75.0, 80.0]


def test_agreement_draws_exact_and_within_one_side_by_side_for_each_group():
    chart = vega.agreement_chart(ROWS, LABELS)
    assert chart.data[["group", "measure", "pct"]].values.tolist() == [
        ["A3", "完全一致", 60.0], ["A3", "±1以内", 95.0], ["A8", "完全一致", 40.0], ["A8", "±1以内", 80.0]]
    assert chart.table.to_dict("records") == [{"課題": "A3", "完全一致": 60.0, "±1以内": 95.0},
                                              {"課題": "A8", "完全一致": 40.0, "±1以内": 80.0}]
    assert vega.agreement_chart([], LABELS).data.empty


def test_the_kappa_guide_is_a_labelled_line_and_each_band_is_in_the_table():
    chart = vega.kappa_chart(ROWS, LABELS, guide=0.61)
    guide = [layer for layer in chart.spec["layer"] if layer.get("data", {}).get("values", [{}])[0].get("guide")]
    assert guide and guide[0]["data"]["values"] == [{"guide": 0.61, "label": "目安 κ 0.61"}]
    assert chart.table.to_dict("records")[1] == {"課題": "A8", "重み付きκ": -0.1, "一致の程度": "一致なし"}
    points = next(layer for layer in chart.spec["layer"] if layer["mark"]["type"] == "point")
    assert points["encoding"]["y"]["scale"]["domain"][0] < -0.1  # a kappa below zero stays in view
    assert points["encoding"]["x"]["axis"]["labelAngle"] == 0  # short names upright
    pairs = [{**r, "label": f"吉田 × {r['label']}さん"} for r in ROWS]
    slanted = next(layer for layer in vega.kappa_chart(pairs, LABELS).spec["layer"] if layer["mark"]["type"] == "point")
    assert slanted["encoding"]["x"]["axis"]["labelAngle"] != 0 and not slanted["encoding"]["x"]["axis"]["labelOverlap"]
    assert not any("guide" in str(layer.get("data")) for layer in vega.kappa_chart(ROWS, LABELS).spec["layer"])


def test_severity_tells_harder_from_more_lenient_by_side_of_zero():
    chart = vega.severity_chart([{"rater": "佐藤", "mean_difference": -0.4}, {"rater": "田中", "mean_difference": 0.2}],
                                "平均差", "採点者")
    assert chart.table.to_dict("records") == [{"採点者": "佐藤", "平均差": -0.4}, {"採点者": "田中", "平均差": 0.2}]
    assert chart.spec["layer"][0]["encoding"]["x"]["scale"]["domain"] == [-1.5, 1.5]
