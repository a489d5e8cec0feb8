"""DataFrame/dict -> plotly Figure for /cohort's tabs. Pure functions: no database, no Streamlit; labels come in
translated. (/cohorts and /moderation draw Vega-Lite charts: dashboards/vega.py; a trainee's /progress draws text
tables: ui/progress.py.)"""
from __future__ import annotations

import pandas as pd
import plotly.colors
import plotly.graph_objects as go

FONT = "Noto Sans CJK JP, Noto Sans JP, Hiragino Sans, Yu Gothic, Meiryo, sans-serif"


def _layout(fig: go.Figure, height: int) -> go.Figure:
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=30, b=10), font=dict(family=FONT),
                      plot_bgcolor="white", legend=dict(orientation="h", y=-0.15))
    return fig


# -- cohort dashboards (dashboard.py) ---------------------------------------------------------------------------------
# Okabe-Ito: told apart with every common colour-vision deficiency; status never rests on red against green.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
DAY_STATUS_COLOURS = {"submitted": "#0072B2", "late": "#E69F00", "missing": "#D55E00", "off": "#BBBBBB",
                      "future": "#EEEEEE"}
# and a shape per status, as the practice calendar (ui/progress.py) has: the grid's late and missing days are told
# apart without their colour (orange and vermilion come close for a deuteranope, and in print)
DAY_STATUS_SYMBOLS = {"submitted": "square", "late": "triangle-up", "missing": "x", "off": "circle-open",
                      "future": "square-open"}
LEVEL_COLOURS = {1: "#D55E00", 2: "#E69F00", 3: "#56B4E9", 4: "#0072B2"}


def reflection_heatmap(grid, status_labels: dict[str, str], day_label: str) -> go.Figure:
    """Trainee × working day of the practical stage, one mark per day in its status's colour and shape
    (DAY_STATUS_COLOURS, DAY_STATUS_SYMBOLS).
    Drawn as square markers so a click selects one day (customdata: enrolment id, day)."""
    fig = go.Figure()
    people = grid.drop_duplicates("enrolment_id")
    labels = _person_labels(list(people["trainee"]), [int(i) for i in people["enrolment_id"]],
                            list(people["login_id"]) if "login_id" in people else None)
    trainees = [labels[int(i)] for i in people["enrolment_id"]]
    for status, colour in DAY_STATUS_COLOURS.items():
        rows = grid[grid["status"] == status]
        if rows.empty:
            continue
        fig.add_trace(go.Scatter(
            x=[d.isoformat() for d in rows["day"]], y=[labels[int(i)] for i in rows["enrolment_id"]],
            mode="markers", name=status_labels[status],
            marker=dict(symbol=DAY_STATUS_SYMBOLS[status], size=9, color=colour,
                        line=dict(color=colour if status in ("off", "future") else "#9E9E9E",
                                  width=1.5 if status in ("off", "future") else 0.5)),
            customdata=list(zip(rows["enrolment_id"].astype(int), [d.isoformat() for d in rows["day"]], strict=True)),
            hovertemplate="%{y}<br>" + day_label + " %{customdata[1]}<br>" + status_labels[status] +
            "<extra></extra>"))
    fig.update_xaxes(type="date", tickformat="%m/%d")
    fig.update_yaxes(categoryorder="array", categoryarray=list(reversed(trainees)), type="category",
                     showticklabels=True)
    return _layout(fig, 120 + 16 * len(trainees))


def submission_rate(frame, title: str, rate_label: str, day_label: str) -> go.Figure:
    """The share of expected reflections submitted, day by day."""
    fig = go.Figure(go.Scatter(x=[d.isoformat() for d in frame["day"]], y=list(frame["rate"]), mode="lines+markers",
                               name=rate_label, line=dict(color="#0072B2"),
                               customdata=list(zip(frame["submitted"], frame["expected"], strict=True)),
                               hovertemplate=day_label + " %{x}<br>" + rate_label +
                               " %{y:.1f}% (%{customdata[0]}/%{customdata[1]})<extra></extra>"))
    fig.update_layout(title=title)
    fig.update_xaxes(type="date", tickformat="%m/%d")
    fig.update_yaxes(title=rate_label, range=[0, 105])
    return _layout(fig, 300)


def turnaround_boxes(frame, title: str, hours_label: str) -> go.Figure:
    """Per supervisor, the spread of hours from a reflection's submission to its first reply (quartiles from SQL)."""
    answered = frame[frame["answered"] > 0]
    fig = go.Figure(go.Box(
        y=list(answered["supervisor"]), q1=list(answered["q1_h"]), median=list(answered["median_h"]),
        q3=list(answered["q3_h"]), lowerfence=list(answered["min_h"]), upperfence=list(answered["max_h"]),
        orientation="h", marker_color="#0072B2", name=hours_label))
    fig.update_layout(title=title, showlegend=False)
    fig.update_xaxes(title=hours_label, rangemode="tozero")
    return _layout(fig, 140 + 40 * len(answered))


def level_distribution(frame, competency_names: dict[str, str], level_labels: dict[int, str], title: str,
                       count_label: str) -> go.Figure:
    """Released rubric levels per competency, stacked by level (1 at the bottom)."""
    codes = sorted(competency_names)
    fig = go.Figure()
    for level in (1, 2, 3, 4):
        counts = {r.competency: int(r.n) for r in frame[frame["level"] == level].itertuples()}
        fig.add_trace(go.Bar(x=[f"{c} {competency_names[c]}".strip() for c in codes],
                             y=[counts.get(c, 0) for c in codes],
                             name=level_labels[level], marker_color=LEVEL_COLOURS[level],
                             hovertemplate="%{x}<br>" + level_labels[level] + ": %{y}<extra></extra>"))
    fig.update_layout(barmode="stack", title=title)
    fig.update_yaxes(title=count_label)
    _layout(fig, 360)
    fig.update_layout(legend=dict(orientation="h", y=1.0, yanchor="bottom"), margin=dict(t=70))
    return fig


def _cividis(level: float) -> str:
    """The colour of a level on the heatmap's 1–4 cividis scale, as 'rgb(r, g, b)'."""
    return plotly.colors.sample_colorscale("Cividis", [min(max((float(level) - 1) / 3, 0.0), 1.0)])[0]


def _luminance(colour: str) -> float:
    """WCAG 2 relative luminance of '#rrggbb' or 'rgb(r, g, b)'."""
    if colour.startswith("#"):
        channels = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    else:
        channels = [float(c) for c in colour[colour.index("(") + 1:colour.index(")")].split(",")]
    linear = [c / 255 / 12.92 if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first: str, second: str) -> float:
    """WCAG 2 contrast ratio of two colours (1 to 21)."""
    high, low = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _text_on(background: str) -> str:
    """Black or white, whichever reads better on `background`: one of the two always reaches 4.5:1 (WCAG AA)."""
    return max(("#000000", "#FFFFFF"), key=lambda text: contrast(text, background))


def _person_labels(names: list[str], ids: list[int], logins: list[str] | None = None) -> dict[int, str]:
    """A trainee's label on an axis: the name alone, never an internal id; where two trainees share a name, their
    login IDs (or, without them, a running number) tell them apart."""
    counts = pd.Series(names).value_counts() if names else pd.Series(dtype=int)
    tags = logins if logins is not None else [str(k) for k in range(1, len(names) + 1)]
    return {i: (f"{n} ({tag})" if counts[n] > 1 else n) for n, i, tag in zip(names, ids, tags, strict=True)}


def competency_heatmap(grid, codes: list[str], title: str, level_label: str, roster=None,
                       unscored_label: str = "") -> go.Figure:
    """Trainee × competency, one square per cell coloured by the mean released level on the 1-4 scale (cividis,
    readable without colour vision), with the value written in it. Every trainee of `roster` (enrolment_id,
    trainee) and every competency has a row and column; a cell without released scores is a grey square marked
    `unscored_label`. Click a scored square to see its evidence."""
    people = roster if roster is not None else grid
    people = people[["enrolment_id", "trainee"]].drop_duplicates("enrolment_id")
    labels = _person_labels(list(people["trainee"]), [int(i) for i in people["enrolment_id"]])
    order = [labels[int(i)] for i in people["enrolment_id"]]
    fig = go.Figure(go.Scatter(
        x=list(grid["competency"]), y=[labels.get(int(i), n) for i, n in zip(grid["enrolment_id"], grid["trainee"],
                                                                            strict=True)],
        mode="markers+text", text=[f"{v:.1f}" for v in grid["mean_level"]],
        textfont=dict(color=[_text_on(_cividis(v)) for v in grid["mean_level"]]),
        marker=dict(symbol="square", size=30, color=list(grid["mean_level"]), cmin=1, cmax=4, colorscale="Cividis",
                    showscale=True, colorbar=dict(title=dict(text=level_label, side="top"), tickvals=[1, 2, 3, 4],
                                                  orientation="h", y=-0.02, yanchor="top", thickness=12)),
        customdata=list(zip(grid["enrolment_id"].astype(int), grid["competency"], grid["scores"].astype(int),
                            strict=True)),
        hovertemplate="%{y}<br>%{x}<br>" + level_label + " %{marker.color:.2f} (n=%{customdata[2]})<extra></extra>",
        showlegend=False))
    scored = set(zip(grid["enrolment_id"].astype(int), grid["competency"], strict=True))
    empty = [(labels[int(i)], c) for i in people["enrolment_id"] for c in codes if (int(i), c) not in scored]
    if empty:
        fig.add_trace(go.Scatter(
            x=[c for _, c in empty], y=[y for y, _ in empty], mode="markers+text", text=[unscored_label] * len(empty),
            textfont=dict(color="#555555", size=10), hovertemplate="%{y}<br>%{x}<br>%{text}<extra></extra>",
            marker=dict(symbol="square", size=30, color="#EEEEEE", line=dict(color="#BBBBBB", width=1)),
            showlegend=False))
    fig.update_layout(title=dict(text=title, y=0.99, yanchor="top"))
    fig.update_xaxes(categoryorder="array", categoryarray=codes, type="category", side="top", automargin=True)
    fig.update_yaxes(categoryorder="array", categoryarray=list(reversed(order)), type="category", automargin=True)
    # room above for the title clear of the column labels, below for the colour scale clear of the names
    return _layout(fig, 200 + 34 * len(order)).update_layout(margin=dict(t=90, b=70, l=10, r=10))


def online_boxes(frame, labels: list[str], title: str, score_label: str, bar_label: str) -> go.Figure:
    """Per module (and the overall test), the spread of trainees' best scores (quartiles from SQL), with each
    item's pass mark as a diamond."""
    taken = frame["takers"] > 0
    rows = frame[taken]
    names = [label for label, ok in zip(labels, taken, strict=True) if ok]
    fig = go.Figure([
        go.Box(x=names, q1=list(rows["q1_pct"]), median=list(rows["median_pct"]), q3=list(rows["q3_pct"]),
               lowerfence=list(rows["min_pct"]), upperfence=list(rows["max_pct"]), marker_color="#0072B2",
               name=score_label),
        go.Scatter(x=names, y=list(rows["bar"]), mode="markers", name=bar_label,
                   marker=dict(symbol="diamond", size=9, color="#E69F00"))])
    fig.update_layout(title=title)
    fig.update_yaxes(title=score_label, range=[0, 105])
    return _layout(fig, 380)


# -- the text alternative of any figure above (JIS X 8341-3 / WCAG 1.1.1) ------------------------------------------
def figure_table(fig: go.Figure, series: str, x: str, y: str, value: str) -> pd.DataFrame:
    """The values a figure draws, one row per point, for the table a person can open instead of the picture: its
    series, its place on each axis (columns named by the axis titles, else `x` and `y`) and the value written on it.
    A box gives its five numbers (lowest / lower quartile / median / upper quartile / highest). Traces drawn only
    for the legend (no points) give no rows."""
    x_name, y_name = fig.layout.xaxis.title.text or x, fig.layout.yaxis.title.text or y
    rows = []
    for trace in fig.data:
        name = trace.name or ""
        horizontal = getattr(trace, "orientation", None) == "h"
        if trace.type == "box":
            places = (trace.y if horizontal else trace.x) or ()
            numbers = [trace.lowerfence, trace.q1, trace.median, trace.q3, trace.upperfence]
            for i, place in enumerate(places):
                five = " / ".join("—" if n is None or n[i] is None else f"{n[i]:g}" for n in numbers)
                rows.append({series: name, y_name if horizontal else x_name: place, value: five})
            continue
        xs, ys = list(trace.x or ()), list(trace.y or ())
        texts = list(trace.text) if isinstance(trace.text, (list, tuple)) else []
        for i in range(max(len(xs), len(ys))):
            px, py = (xs[i] if i < len(xs) else None), (ys[i] if i < len(ys) else None)
            if px is None and py is None:
                continue
            row = {series: name, x_name: px, y_name: py}
            if i < len(texts) and texts[i] is not None:
                row[value] = texts[i]
            rows.append(row)
    table = pd.DataFrame(rows)
    if not table.empty and not table[series].astype(bool).any():
        table = table.drop(columns=series)
    return table
