"""Rows in, Vega-Lite chart out (drawn by `st.vega_lite_chart` through ui/accessibility.vega_chart). Pure functions:
no database, no Streamlit; labels come in translated.

The screens people open first (/cohorts, /moderation) draw their charts with Vega-Lite, not plotly: a fresh browser
evaluates plotly's 4.7 MB script for 0.8–1.1 s on the benchmark machine, Streamlit's Vega-Lite for ~0.1 s
(docs/speed.md). /cohort's tabs keep plotly (the competency grid's click-to-evidence selection).

Each builder returns a `Chart`: the spec, the rows it draws, and its text alternative (`table`: every value drawn,
under translated headings) for the table one click below the picture (JIS X 8341-3 / WCAG 1.1.1)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from .charts import OKABE_ITO

DASHES = ([1, 0], [6, 3], [2, 2], [8, 3, 2, 3])  # a line told apart without its colour
LEGEND = {"orient": "bottom", "title": None, "direction": "horizontal", "columns": 2, "labelLimit": 220}  # fits 390 px
# Streamlit fits a chart into its spec's height, axes, title and legend included: each height below is the whole
# chart's, with room for those besides the plot


@dataclass(frozen=True)
class Chart:
    spec: dict
    data: pd.DataFrame
    table: pd.DataFrame  # every value drawn, under translated headings
    series: tuple[str, ...]  # what the chart draws, named as its legend names it


def _on(day: date) -> str:
    return day.isoformat()


def cohort_timeline(calendars: pd.DataFrame, stage_labels: dict[str, str], today: date, today_label: str,
                    headings: tuple[str, str, str]) -> Chart:
    """Every cohort's stages on one date axis (one row per cohort, one colour per stage), today marked: a stage of
    several days as a bar, a one-day stage (the workshop days, certification) as a diamond, which a bar one day
    wide on a year's axis would not show. `calendars`: rows of code, stage, starts_on, ends_on;
    `headings`: cohort, stage, dates (the table's columns)."""
    rows = calendars[calendars["stage"].isin(list(stage_labels))]
    codes = list(dict.fromkeys(rows["code"]))
    stages = [s for s in stage_labels if s in set(rows["stage"])]
    dates = [f"{s:%Y/%m/%d}" if s == e else f"{s:%Y/%m/%d} – {e:%Y/%m/%d}"
             for s, e in zip(rows["starts_on"], rows["ends_on"], strict=True)]
    data = pd.DataFrame({
        "code": list(rows["code"]), "stage": [stage_labels[s] for s in rows["stage"]],
        "start": [_on(s) for s in rows["starts_on"]], "end": [_on(e) for e in rows["ends_on"]],
        "one_day": [s == e for s, e in zip(rows["starts_on"], rows["ends_on"], strict=True)], "dates": dates,
        "desc": [f"{c} {stage_labels[s]}: {d}" for c, s, d in zip(rows["code"], rows["stage"], dates, strict=True)]})
    order = {s: i for i, s in enumerate(stage_labels)}
    colours = [OKABE_ITO[order[s] % len(OKABE_ITO)] for s in stages]
    x = {"field": "start", "type": "temporal", "scale": {"type": "utc", "padding": 12}, "title": None,
         # numeric months: a month's name would come out in English whatever the reader's language
         "axis": {"labelExpr": "utcFormat(datum.value, '%Y/%m')", "labelOverlap": True}}
    y = {"field": "code", "type": "nominal", "sort": codes, "title": None,
         "axis": {"labelOverlap": False}}  # every cohort named, however narrow the screen
    colour = {"field": "stage", "type": "nominal", "legend": {**LEGEND, "columns": 1},  # long names: one a line
              "scale": {"domain": [stage_labels[s] for s in stages], "range": colours}}
    tooltip = [{"field": "code", "title": headings[0]}, {"field": "stage", "title": headings[1]},
               {"field": "dates", "title": headings[2]}]
    spec = {
        "height": 34 * max(len(codes), 1) + 200,
        "layer": [
            {"transform": [{"filter": "!datum.one_day"}], "mark": {"type": "bar", "tooltip": True},
             "encoding": {"y": y, "x": x, "x2": {"field": "end"}, "color": colour, "tooltip": tooltip,
                          "description": {"field": "desc"}}},
            {"transform": [{"filter": "datum.one_day"}],
             "mark": {"type": "point", "shape": "diamond", "filled": True, "size": 90, "opacity": 1,
                      "tooltip": True},
             "encoding": {"y": y, "x": x, "color": colour, "tooltip": tooltip, "description": {"field": "desc"}}},
            {"data": {"values": [{"day": _on(today), "label": today_label}]}, "layer": [
                {"mark": {"type": "rule", "strokeDash": [4, 4], "color": "#000000"},
                 "encoding": {"x": {**x, "field": "day"}}},
                {"mark": {"type": "text", "align": "left", "baseline": "bottom", "dx": 3, "y": 0, "dy": -2,
                          "color": "#000000"},
                 "encoding": {"x": {**x, "field": "day"}, "text": {"field": "label"}}}]}]}
    table = pd.DataFrame({headings[0]: data["code"], headings[1]: data["stage"], headings[2]: data["dates"]})
    return Chart(spec, data, table, tuple(stage_labels[s] for s in stages))


def cohort_comparison(frame: pd.DataFrame, value: str, title: str, x_label: str, y_label: str,
                      code_heading: str) -> Chart:
    """One line per cohort: `value` (a percentage) against the working day of the practical stage (frame: code,
    day_no, value); each cohort its own colour and dash."""
    data = pd.DataFrame({"code": frame["code"], "day_no": frame["day_no"],
                         "value": frame[value].astype(float).round(1)})
    codes = sorted(set(data["code"]))
    spec = {
        "title": title, "height": 380,
        "mark": {"type": "line", "strokeWidth": 2, "tooltip": True},
        "encoding": {
            "x": {"field": "day_no", "type": "quantitative", "title": x_label},
            "y": {"field": "value", "type": "quantitative", "title": y_label, "scale": {"domain": [0, 100]}},
            "color": {"field": "code", "type": "nominal", "legend": LEGEND,
                      "scale": {"domain": codes, "range": [OKABE_ITO[i % len(OKABE_ITO)] for i in range(len(codes))]}},
            "strokeDash": {"field": "code", "type": "nominal", "legend": None,
                           "scale": {"domain": codes, "range": [DASHES[i % len(DASHES)] for i in range(len(codes))]}},
            "tooltip": [{"field": "code", "title": code_heading}, {"field": "day_no", "title": x_label},
                        {"field": "value", "title": y_label, "format": ".1f"}]}}
    table = pd.DataFrame({code_heading: data["code"], x_label: data["day_no"], y_label: data["value"]})
    return Chart(spec, data, table, tuple(codes))


def _group_axis(names: list[str]) -> dict:
    """Short group names (A3, C1) upright; longer ones (a pair of raters' names) slanted, so on a phone's width
    neighbours do not collide and none is dropped."""
    if max((len(n) for n in names), default=0) <= 4:
        return {"labelAngle": 0, "labelLimit": 160}
    return {"labelAngle": -35, "labelAlign": "right", "labelLimit": 140, "labelOverlap": False}


def agreement_chart(rows: list[dict], labels: dict[str, str]) -> Chart:
    """Exact and within-one agreement per group (assignment, criterion, pair), in percent on a 0-100 axis, side by
    side. Kappa is on another scale and has its own chart (kappa_chart)."""
    names = [r["label"] for r in rows]
    data = pd.DataFrame([{"group": r["label"], "measure": labels[measure], "pct": r[f"{measure}_pct"]}
                         for r in rows for measure in ("exact", "within_one")])
    if data.empty:
        data = pd.DataFrame(columns=["group", "measure", "pct"])
    spec = {
        "height": 340,
        "mark": {"type": "bar", "tooltip": True},
        "encoding": {
            "x": {"field": "group", "type": "nominal", "sort": names, "title": labels["group"],
                  "axis": _group_axis(names)},
            "xOffset": {"field": "measure", "type": "nominal", "sort": [labels["exact"], labels["within_one"]]},
            "y": {"field": "pct", "type": "quantitative", "title": labels["percent"], "scale": {"domain": [0, 100]}},
            "color": {"field": "measure", "type": "nominal", "legend": LEGEND,
                      "scale": {"domain": [labels["exact"], labels["within_one"]], "range": ["#1565c0", "#90caf9"]}},
            "tooltip": [{"field": "group", "title": labels["group"]}, {"field": "measure", "title": " "},
                        {"field": "pct", "title": labels["percent"]}]}}
    table = pd.DataFrame({labels["group"]: names, labels["exact"]: [r["exact_pct"] for r in rows],
                          labels["within_one"]: [r["within_one_pct"] for r in rows]})
    return Chart(spec, data, table, (labels["exact"], labels["within_one"]))


def kappa_chart(rows: list[dict], labels: dict[str, str], guide: float | None = None) -> Chart:
    """Weighted kappa per group on its own axis (1 = perfect agreement, 0 = chance; below 0 worse than chance), a
    diamond each. `guide`: the kappa a programme usually asks for, a dashed line named labels["guide"]; a row's
    "band" (its Landis & Koch band, in words) shows on hover and in the table."""
    names = [r["label"] for r in rows]
    data = pd.DataFrame({"group": names, "kappa": [r["kappa"] for r in rows],
                         "band": [r.get("band", "") for r in rows]})
    low = min([0.0, *[v for v in data["kappa"] if v is not None and not pd.isna(v)]])
    y = {"field": "kappa", "type": "quantitative", "title": labels["kappa"], "scale": {"domain": [low - 0.05, 1.05]}}
    layers = [
        {"mark": {"type": "rule", "color": "#555555"}, "data": {"values": [{"zero": 0}]},
         "encoding": {"y": {"field": "zero", "type": "quantitative"}}},
        {"mark": {"type": "point", "shape": "diamond", "filled": True, "size": 140, "color": "#e65100",
                  "tooltip": True},
         "encoding": {"x": {"field": "group", "type": "nominal", "sort": names, "title": labels["group"],
                            "axis": _group_axis(names)},
                      "y": y,
                      "tooltip": [{"field": "group", "title": labels["group"]},
                                  {"field": "kappa", "title": labels["kappa"]},
                                  {"field": "band", "title": labels.get("band", " ")}]}}]
    if guide is not None:
        layers.append({"data": {"values": [{"guide": guide, "label": labels["guide"]}]}, "layer": [
            {"mark": {"type": "rule", "strokeDash": [6, 4], "color": "#2e7d32"},
             "encoding": {"y": {"field": "guide", "type": "quantitative"}}},
            {"mark": {"type": "text", "align": "left", "baseline": "bottom", "x": 2, "dy": -2, "color": "#1b5e20",
                      "fontSize": 11},
             "encoding": {"y": {"field": "guide", "type": "quantitative"}, "text": {"field": "label"}}}]})
    spec = {"height": 280, "layer": layers}
    table = pd.DataFrame({labels["group"]: names, labels["kappa"]: data["kappa"]})
    if labels.get("band"):
        table[labels["band"]] = data["band"]
    return Chart(spec, data, table, (labels["kappa"],))


def severity_chart(rows: list[dict], label: str, rater_heading: str) -> Chart:
    """Each rater's mean difference from the agreed level: left of zero marks harder, right more leniently."""
    data = pd.DataFrame({"rater": [r["rater"] for r in rows], "difference": [r["mean_difference"] for r in rows]})
    spec = {
        "height": 40 * max(len(rows), 1) + 80,
        "layer": [
            {"mark": {"type": "bar", "tooltip": True}, "encoding": {
                "y": {"field": "rater", "type": "nominal", "sort": list(data["rater"]), "title": None},
                "x": {"field": "difference", "type": "quantitative", "title": label, "scale": {"domain": [-1.5, 1.5]}},
                "color": {"condition": {"test": "datum.difference < 0", "value": "#c62828"}, "value": "#2e7d32"},
                "tooltip": [{"field": "rater", "title": rater_heading}, {"field": "difference", "title": label}]}},
            {"mark": {"type": "rule", "color": "#555555"}, "data": {"values": [{"zero": 0}]},
             "encoding": {"x": {"field": "zero", "type": "quantitative"}}}]}
    table = pd.DataFrame({rater_heading: data["rater"], label: data["difference"]})
    return Chart(spec, data, table, (label,))
