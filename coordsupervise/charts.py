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


def week_label(days: dict[date, str], monday: date) -> str:
    """A week named by its first working day (a holiday Monday or a stage starting mid-week moves it), as MM/DD."""
    week = [monday + timedelta(days=i) for i in range(5)]
    working = [d for d in week if d in days and days[d] not in ("off", "weekend")]
    return (working or [d for d in week if d in days] or [monday])[0].strftime("%m/%d")


def practice_calendar(statuses: dict[date, str], labels: dict[str, str], weekday_labels: list[str]) -> go.Figure:
    """The practical stage as a grid: one row per week (labelled by its first working day), one column per
    weekday, a coloured square per day. Weeks run down the page, so a phone shows five short columns instead of
    thirteen date labels squeezed side by side."""
    fig = go.Figure()
    if not statuses:
        return _layout(fig, 200)
    mondays = sorted({d - timedelta(days=d.weekday()) for d in statuses})
    rows = {m: week_label(statuses, m) for m in mondays}
    weekend_used = any(d.weekday() >= 5 and s != "weekend" for d, s in statuses.items())
    for status, colour in STATUS_COLOURS.items():
        days = [d for d, s in statuses.items() if s == status]
        if not days or status == "weekend":
            continue
        fig.add_trace(go.Scatter(
            x=[weekday_labels[d.weekday()] for d in days], y=[rows[d - timedelta(days=d.weekday())] for d in days],
            mode="markers", name=labels.get(status, status),
            marker=dict(symbol="square", size=16, color=colour, line=dict(color="#9e9e9e", width=1)),
            text=[d.isoformat() for d in days], hovertemplate="%{text}<extra>" + labels.get(status, status) +
            "</extra>"))
    fig.update_xaxes(type="category", categoryorder="array", side="top",
                     categoryarray=weekday_labels[:7 if weekend_used else 5])
    fig.update_yaxes(type="category", categoryorder="array", categoryarray=[rows[m] for m in reversed(mondays)])
    fig = _layout(fig, 120 + 24 * len(mondays))
    fig.update_layout(legend=dict(orientation="h", y=-0.02, yanchor="top"))
    return fig


def competency_chart(profile: list[dict], names: dict[str, str], rubric_label: str, self_label: str,
                     pass_label: str, not_scored_label: str = "") -> go.Figure:
    """Released rubric level beside the self-rating for C1–C4, on the 1–4 scale with the pass line at 3; a
    competency without a released score says so in its empty slot."""
    codes = [p["code"] for p in profile]
    x = [f"{c} {names.get(c, '')}" for c in codes]
    fig = go.Figure([
        go.Bar(name=rubric_label, x=x, y=[p["rubric_level"] for p in profile], marker_color="#1565c0",
               text=[None if p["rubric_level"] is None else f"{p['rubric_level']:.1f}" for p in profile]),
        go.Bar(name=self_label, x=x, y=[p["self_rating"] for p in profile], marker_color="#ffb300",
               text=[None if p["self_rating"] is None else f"{p['self_rating']:.1f}" for p in profile]),
    ])
    for index, p in enumerate(profile):
        if p["rubric_level"] is None and not_scored_label:  # an empty slot reads as "nothing shown", not "not yet"
            # in the rubric bar's slot: categories sit at 0, 1, ...; the first of two grouped bars at -0.2
            fig.add_annotation(x=index - 0.2, y=0.1, text=not_scored_label, showarrow=False, yanchor="bottom",
                               textangle=-90, font=dict(color="#616161", size=12))
    fig.add_hline(y=3, line_dash="dot", line_color="#2e7d32", annotation_text=pass_label)
    fig.update_yaxes(range=[0, 4.2], dtick=1)
    fig.update_layout(barmode="group")
    return _layout(fig, 340)
