"""DataFrame/dict -> plotly Figure. Pure functions: no database, no Streamlit; labels come in translated."""
from __future__ import annotations

from datetime import date, timedelta

import plotly.graph_objects as go

FONT = "Noto Sans CJK JP, Noto Sans JP, Hiragino Sans, Yu Gothic, Meiryo, sans-serif"
STATUS_COLOURS = {"submitted": "#2e7d32", "late": "#f9a825", "draft": "#90caf9", "missing": "#c62828",
                  "off": "#bdbdbd", "open": "#e3f2fd", "future": "#f5f5f5", "extra": "#a5d6a7",
                  "weekend": "#ffffff"}


def _layout(fig: go.Figure, height: int) -> go.Figure:
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=30, b=10), font=dict(family=FONT),
                      plot_bgcolor="white", legend=dict(orientation="h", y=-0.15))
    return fig


def stage_timeline(calendar: dict[str, tuple[date, date]], labels: dict[str, str], today: date,
                   today_label: str) -> go.Figure:
    """One bar per stage on a date axis, with today marked."""
    stages = [s for s in labels if s in calendar]
    fig = go.Figure()
    for stage in stages:
        start, end = calendar[stage]
        fig.add_trace(go.Bar(
            # on a date axis a bar's length is in milliseconds
            y=[labels[stage]], x=[((end - start).days + 1) * 86_400_000], base=[start.isoformat()], orientation="h",
            name=labels[stage], showlegend=False, hovertemplate=f"{labels[stage]}<br>{start} – {end}<extra></extra>",
            marker_color="#1565c0" if start <= today <= end else "#90a4ae"))
    fig.update_xaxes(type="date", tickformat="%Y/%m")  # numeric: month names would come out in English
    fig.update_yaxes(autorange="reversed")
    fig.add_vline(x=today.isoformat(), line_dash="dash", line_color="#c62828")
    fig.add_annotation(x=today.isoformat(), y=1.05, yref="paper", text=today_label, showarrow=False,
                       font=dict(color="#c62828"))
    return _layout(fig, 60 + 36 * len(stages))


def practice_calendar(statuses: dict[date, str], labels: dict[str, str], weekday_labels: list[str]) -> go.Figure:
    """A week-by-weekday grid of the practical stage, one coloured square per day."""
    fig = go.Figure()
    if not statuses:
        return _layout(fig, 200)
    first = min(statuses)
    monday = first - timedelta(days=first.weekday())
    for status, colour in STATUS_COLOURS.items():
        days = [d for d, s in statuses.items() if s == status]
        if not days or status == "weekend":
            continue
        fig.add_trace(go.Scatter(
            x=[(monday + timedelta(weeks=(d - monday).days // 7)).isoformat() for d in days],
            y=[weekday_labels[d.weekday()] for d in days], mode="markers", name=labels.get(status, status),
            marker=dict(symbol="square", size=16, color=colour, line=dict(color="#9e9e9e", width=1)),
            text=[d.isoformat() for d in days], hovertemplate="%{text}<extra>" + labels.get(status, status) +
            "</extra>"))
    fig.update_yaxes(categoryorder="array", categoryarray=list(reversed(weekday_labels[:5])))
    fig.update_xaxes(type="date", tickformat="%m/%d", dtick=7 * 86_400_000)
    return _layout(fig, 260)


def competency_chart(profile: list[dict], names: dict[str, str], rubric_label: str, self_label: str,
                     pass_label: str) -> go.Figure:
    """Released rubric level beside the self-rating for C1–C4, on the 1–4 scale with the pass line at 3."""
    codes = [p["code"] for p in profile]
    x = [f"{c} {names.get(c, '')}" for c in codes]
    fig = go.Figure([
        go.Bar(name=rubric_label, x=x, y=[p["rubric_level"] for p in profile], marker_color="#1565c0",
               text=[None if p["rubric_level"] is None else f"{p['rubric_level']:.1f}" for p in profile]),
        go.Bar(name=self_label, x=x, y=[p["self_rating"] for p in profile], marker_color="#ffb300",
               text=[None if p["self_rating"] is None else f"{p['self_rating']:.1f}" for p in profile]),
    ])
    fig.add_hline(y=3, line_dash="dot", line_color="#2e7d32", annotation_text=pass_label)
    fig.update_yaxes(range=[0, 4.2], dtick=1)
    fig.update_layout(barmode="group")
    return _layout(fig, 340)
