"""Plotly figures built once per content and drawn by every rerun that shows the same data.

Building a figure runs plotly's validation of every property in Python: on the screens that drew plotly charts it
was a tenth to a fifth of a rerun's CPU, repeated on every click that left the chart as it was (docs/speed.md). The
figure depends only on its arguments (the chart builders in dashboards/ are pure functions), so it is
cached by their content: a changed calendar or a language switch is another figure, an unchanged one is the same
object. `st.cache_resource` hands out that object itself (no copy): `st.plotly_chart` only reads it (`to_dict`), and
nothing here changes a figure after it was built."""
from __future__ import annotations

import hashlib
import weakref
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from ..dashboards import charts

TTL = 600  # a figure nobody drew for ten minutes is built again when asked for
_PLAIN = (str, int, float, bool, type(None), date, datetime, Decimal)
BUILDERS = {charts.__name__: charts}  # pure functions only


@st.cache_resource(ttl=TTL, max_entries=1000, show_spinner=False)
def _built(module: str, name: str, key: str, _args: tuple) -> go.Figure:
    return getattr(BUILDERS[module], name)(*_args)


def _content(value) -> str | None:
    """Text that differs whenever the value's content does (None for a kind of value it cannot vouch for). Far
    cheaper than Streamlit's own hashing of arguments, which took a tenth of /progress's run for three figures."""
    if isinstance(value, _PLAIN):
        return repr(value)
    if isinstance(value, pd.DataFrame):
        rows = pd.util.hash_pandas_object(value, index=True).to_numpy().tobytes()
        return f"frame({list(value.columns)!r},{[str(t) for t in value.dtypes]!r},{hashlib.sha256(rows).hexdigest()})"
    if isinstance(value, list | tuple):
        parts = [_content(v) for v in value]
        return None if None in parts else f"{type(value).__name__}({','.join(parts)})"
    if isinstance(value, dict):
        parts = [(_content(k), _content(v)) for k, v in value.items()]
        return None if any(None in pair for pair in parts) else "{" + ",".join(f"{k}:{v}" for k, v in parts) + "}"
    return None


def figure(builder: Callable[..., go.Figure], *args) -> go.Figure:
    """`builder(*args)` (a function of dashboards/charts.py), from the cache when the same
    arguments built it."""
    key = _content(args)
    if key is None or builder.__module__ not in BUILDERS:  # not vouched for: built afresh, never mistaken for another
        return builder(*args)
    return _built(builder.__module__, builder.__name__, hashlib.sha256(key.encode()).hexdigest(), args)


# The tables of the charts' text alternatives (ui/accessibility.chart), per figure object and headings. A figure from
# `figure` is the same object on every rerun and in every session while its content is unchanged, so its table is
# built once: reading the values back out of a plotly figure was 4 % of a rerun of /moderation and /progress
# (docs/speed.md). Keyed by the object's identity through a weak reference: an entry goes when its figure does (a
# figure built afresh lives one run), and a new figure that reuses the address never finds another's table. Like the
# figure, the table is shared: it is only read.
_tables: dict[int, tuple[weakref.ref, dict[tuple[str, ...], pd.DataFrame]]] = {}


def _forget(ref: weakref.ref, key: int) -> None:
    if _tables.get(key, (None,))[0] is ref:
        _tables.pop(key, None)


def figure_table(fig: go.Figure, series: str, x: str, y: str, value: str) -> pd.DataFrame:
    """`charts.figure_table(fig, series, x, y, value)`, built once per figure object and headings."""
    key, headings = id(fig), (series, x, y, value)
    entry = _tables.get(key)
    if entry is None or entry[0]() is not fig:
        entry = (weakref.ref(fig, lambda ref, key=key: _forget(ref, key)), {})
        _tables[key] = entry
    table = entry[1].get(headings)
    if table is None:
        table = entry[1][headings] = charts.figure_table(fig, *headings)
    return table
