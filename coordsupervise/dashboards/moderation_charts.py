"""Agreement figures as plotly figures. Pure functions: rows in, figure out; labels come in translated."""
from __future__ import annotations

import plotly.graph_objects as go

from .charts import FONT


def agreement_chart(rows: list[dict], labels: dict[str, str]) -> go.Figure:
    """Exact and within-one agreement per group (assignment, criterion...), in percent on a labelled 0-100 axis.
    Kappa is on another scale and gets its own chart (kappa_chart)."""
    names = [r["label"] for r in rows]
    fig = go.Figure()
    fig.add_trace(go.Bar(x=names, y=[r["exact_pct"] for r in rows], name=labels["exact"], marker_color="#1565c0"))
    fig.add_trace(go.Bar(x=names, y=[r["within_one_pct"] for r in rows], name=labels["within_one"],
                         marker_color="#90caf9"))
    fig.update_layout(barmode="group", height=320, margin=dict(l=10, r=10, t=30, b=10), font=dict(family=FONT),
                      plot_bgcolor="white", legend=dict(orientation="h", y=-0.25),
                      xaxis=dict(title=labels["group"]), yaxis=dict(range=[0, 105], title=labels["percent"]))
    return fig


def kappa_chart(rows: list[dict], labels: dict[str, str], guide: float | None = None) -> go.Figure:
    """Weighted kappa per group on its own axis (1 = perfect agreement, 0 = chance; below 0 worse than chance).
    `guide`: the kappa a programme usually asks for, drawn as a dashed line labelled labels["guide"]; a row's "band"
    (its Landis & Koch band, in words) shows on hover."""
    names = [r["label"] for r in rows]
    values = [r["kappa"] for r in rows]
    low = min([0.0, *[v for v in values if v is not None]])
    fig = go.Figure(go.Scatter(x=names, y=values, name=labels["kappa"], mode="markers",
                               marker=dict(size=12, color="#e65100", symbol="diamond"),
                               customdata=[r.get("band", "") for r in rows],
                               hovertemplate="%{x}: %{y} %{customdata}<extra></extra>"))
    if guide is not None:
        fig.add_hline(y=guide, line=dict(color="#2e7d32", dash="dash", width=1), annotation_text=labels["guide"],
                      annotation_position="top left", annotation_font=dict(color="#1b5e20", size=11))
    fig.update_layout(height=240, margin=dict(l=10, r=10, t=30, b=10), font=dict(family=FONT), plot_bgcolor="white",
                      xaxis=dict(title=labels["group"]),
                      yaxis=dict(range=[low - 0.05, 1.05], title=labels["kappa"], zeroline=True, zerolinecolor="#555"))
    return fig


def severity_chart(rows: list[dict], label: str) -> go.Figure:
    """Each rater's mean difference from the agreed level: left of zero marks harder, right marks more leniently."""
    fig = go.Figure(go.Bar(y=[r["rater"] for r in rows], x=[r["mean_difference"] for r in rows], orientation="h",
                           marker_color=["#c62828" if r["mean_difference"] < 0 else "#2e7d32" for r in rows],
                           name=label))
    fig.update_layout(height=80 + 40 * len(rows), margin=dict(l=10, r=10, t=30, b=10), font=dict(family=FONT),
                      plot_bgcolor="white", xaxis=dict(title=label, zeroline=True, zerolinecolor="#555",
                                                       range=[-1.5, 1.5]))
    return fig
