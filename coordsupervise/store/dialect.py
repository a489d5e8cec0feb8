"""The one place where DuckDB SQL and PostgreSQL SQL differ.

The services and migrations are written once, in DuckDB's dialect (the default engine). When the database is
PostgreSQL, `to_postgres` rewrites each statement once before it is sent; what it rewrites is listed in `REWRITES`
below and nowhere else. It works on the statement's tokens outside string literals, quoted identifiers and
comments, so a `?` or `median(` inside a reflection's text passed as a literal would never be touched (the services
pass values as parameters anyway).

| DuckDB | PostgreSQL |
|---|---|
| `?` and `$name` parameters | psycopg's `%s` and `%(name)s` (a literal `%` becomes `%%`) |
| `DOUBLE`, `BLOB` | `DOUBLE PRECISION`, `BYTEA` |
| `INTERVAL 9 HOUR` | `INTERVAL '9 HOUR'` |
| `median(x)`, `quantile_cont(x, q)` | `percentile_cont(0.5 / q) WITHIN GROUP (ORDER BY x)` |
| `epoch(x)`, `isodow(d)`, `year(d)` | `extract(epoch / isodow / year FROM x)` |
| `date_diff('minute', a, b)` | whole minutes between the truncated timestamps |
| `arg_max(v, k)` | `(array_agg(v ORDER BY k DESC NULLS LAST))[1]` |
| `list_contains(list, x)` | `(x = ANY(list))` |
| `x IN (SELECT unnest(?))` (a list parameter) | `x = ANY(?)` (an empty list then has a type) |
| `CAST(unnest(?) AS T)` | `unnest(CAST(? AS T[]))` |
| `unnest(generate_series(a, b, step))` (a list) | `generate_series(a, b, step)` (a set) |
| `round(x, n)` on a DOUBLE | `round(CAST(x AS NUMERIC), n)` |
| `list(x ORDER BY y)` (aggregate) | `array_agg(x ORDER BY y)` |
| `FROM (SELECT ...)` without a name | `FROM (SELECT ...) AS sub_N` |
| `GROUP BY ALL` | not rewritten: the services spell the grouping out, which both engines accept |

Bulk inserts differ too (DuckDB scans a registered DataFrame, PostgreSQL takes COPY); that lives in each engine's
`Transaction.insert_frame`.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Callable

_TOKEN = re.compile(r"""
    (?P<literal>'(?:[^']|'')*') |          # string literal
    (?P<ident>"(?:[^"]|"")*") |            # quoted identifier
    (?P<comment>--[^\n]*) |                # line comment
    (?P<named>\$[A-Za-z_][A-Za-z0-9_]*) |  # DuckDB named parameter
    (?P<qmark>\?) |                        # positional parameter
    (?P<percent>%)
""", re.VERBOSE)

_INTERVAL = re.compile(r"\bINTERVAL\s+(\d+)\s+(YEAR|MONTH|DAY|HOUR|MINUTE|SECOND)S?\b", re.IGNORECASE)
_TYPES = [(re.compile(r"\bDOUBLE\b(?!\s+PRECISION)", re.IGNORECASE), "DOUBLE PRECISION"),
          (re.compile(r"\bBLOB\b", re.IGNORECASE), "BYTEA")]
_PLACEHOLDER = r"(%s|%\(\w+\)s)"
_IN_LIST = re.compile(r"\bIN\s*\(\s*SELECT\s+unnest\s*\(\s*" + _PLACEHOLDER + r"\s*\)\s*\)", re.IGNORECASE)
_CAST_UNNEST = re.compile(r"\bCAST\s*\(\s*unnest\s*\(\s*" + _PLACEHOLDER + r"\s*\)\s+AS\s+(\w+)\s*\)", re.IGNORECASE)
_UNNEST_SERIES = re.compile(r"\bunnest\s*\(\s*generate_series\s*\(", re.IGNORECASE)


def _split_args(text: str) -> list[str]:
    """Top-level comma-separated arguments of a call's inside."""
    args, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            args.append(text[start:i].strip())
            start = i + 1
    args.append(text[start:].strip())
    return args


def _rewrite_calls(sql: str, name: str, build: Callable[[list[str]], str]) -> str:
    """Replace every call `name(...)` (matching parentheses, nested calls rewritten first) by build(args), in one
    pass from left to right so that a replacement calling a function of the same name is not rewritten again."""
    pattern = re.compile(r"(?<![\w.])" + name + r"\s*\(", re.IGNORECASE)
    out, position = [], 0
    while (match := pattern.search(sql, position)) is not None:
        depth, i = 1, match.end()
        while depth:
            depth += {"(": 1, ")": -1}.get(sql[i], 0)
            i += 1
        inner = _rewrite_calls(sql[match.end():i - 1], name, build)
        out.append(sql[position:match.start()] + build(_split_args(inner)))
        position = i
    out.append(sql[position:])
    return "".join(out)


def _date_diff(args: list[str]) -> str:
    unit, start, end = args
    part = unit.strip("'").lower()
    seconds = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}[part]
    return (f"CAST(extract(epoch FROM date_trunc('{part}', CAST({end} AS TIMESTAMP)) - "
            f"date_trunc('{part}', CAST({start} AS TIMESTAMP))) / {seconds} AS BIGINT)")


REWRITES: list[tuple[str, Callable[[list[str]], str]]] = [
    ("list", lambda a: f"array_agg({', '.join(a)})"),
    ("median", lambda a: f"percentile_cont(0.5) WITHIN GROUP (ORDER BY {a[0]})"),
    ("quantile_cont", lambda a: f"percentile_cont({a[1]}) WITHIN GROUP (ORDER BY {a[0]})"),
    ("epoch", lambda a: f"extract(epoch FROM {a[0]})"),
    ("isodow", lambda a: f"extract(isodow FROM {a[0]})"),
    ("year", lambda a: f"CAST(extract(year FROM {a[0]}) AS INTEGER)"),
    ("date_diff", _date_diff),
    ("arg_max", lambda a: f"(array_agg({a[0]} ORDER BY {a[1]} DESC NULLS LAST))[1]"),
    ("list_contains", lambda a: f"({a[1]} = ANY({a[0]}))"),
    ("round", lambda a: f"round(CAST({a[0]} AS NUMERIC), {a[1]})" if len(a) == 2 else f"round({a[0]})"),
]


def _rewrite_code(code: str) -> str:
    """Rewrite one stretch of SQL that holds no literal, identifier or comment."""
    code = _INTERVAL.sub(lambda m: f"INTERVAL '{m.group(1)} {m.group(2).upper()}'", code)
    for pattern, replacement in _TYPES:
        code = pattern.sub(replacement, code)
    return code


_SUBQUERY = re.compile(r"\b(?:FROM|JOIN)\s*\(", re.IGNORECASE)
_AFTER_SUBQUERY = re.compile(r"\s*(\w*)")
_NOT_AN_ALIAS = {"", "where", "group", "order", "limit", "offset", "join", "left", "right", "inner", "full", "cross",
                 "natural", "on", "union", "except", "intersect", "having", "window", "using"}


def _alias_subqueries(sql: str) -> str:
    """PostgreSQL 15 needs an alias on every subquery in FROM; DuckDB does not. Unnamed ones get `AS sub_N`."""
    ends = []
    for match in _SUBQUERY.finditer(sql):
        depth, i = 1, match.end()
        while depth and i < len(sql):
            depth += {"(": 1, ")": -1}.get(sql[i], 0)
            i += 1
        if _AFTER_SUBQUERY.match(sql, i).group(1).lower() in _NOT_AN_ALIAS:
            ends.append(i)
    out, position = [], 0
    for number, end in enumerate(sorted(ends), start=1):
        out.append(sql[position:end] + f" AS sub_{number}")
        position = end
    out.append(sql[position:])
    return "".join(out)


def _unnest_series(sql: str) -> str:
    """DuckDB's generate_series in a select list is a list to unnest; PostgreSQL's is already a set."""
    while (match := _UNNEST_SERIES.search(sql)) is not None:
        opening = sql.index("(", match.start()) + 1
        depth, i = 1, opening
        while depth:
            depth += {"(": 1, ")": -1}.get(sql[i], 0)
            i += 1
        sql = sql[:match.start()] + sql[opening:i - 1].strip() + sql[i:]
    return sql


@functools.lru_cache(maxsize=4096)
def to_postgres(sql: str, with_params: bool) -> str:
    """The statement in PostgreSQL's dialect, with psycopg placeholders when it has parameters.

    Literals are cut out first (replaced by markers) so that every rewrite sees only SQL code, then put back."""
    pieces: list[str] = []
    saved: list[str] = []
    last = 0
    for match in _TOKEN.finditer(sql):
        pieces.append(sql[last:match.start()])
        kind, text = match.lastgroup, match.group()
        if kind in ("literal", "ident", "comment"):
            saved.append(text.replace("%", "%%") if with_params else text)
            pieces.append(f"\x00{len(saved) - 1}\x00")
        elif kind == "named":
            pieces.append(f"%({text[1:]})s")
        elif kind == "qmark":
            pieces.append("%s")
        else:
            pieces.append("%%" if with_params else "%")
        last = match.end()
    pieces.append(sql[last:])
    code = _rewrite_code("".join(pieces))
    code = _IN_LIST.sub(lambda m: f"= ANY({m.group(1)})", code)
    code = _CAST_UNNEST.sub(lambda m: f"unnest(CAST({m.group(1)} AS {m.group(2)}[]))", code)
    code = _unnest_series(code)
    code = _alias_subqueries(code)
    # date_diff's unit is a literal: put that one back before rewriting
    code = re.sub(r"(\bdate_diff\s*\(\s*)\x00(\d+)\x00", lambda m: m.group(1) + saved[int(m.group(2))], code,
                  flags=re.IGNORECASE)
    for name, build in REWRITES:
        code = _rewrite_calls(code, name, build)
    return re.sub(r"\x00(\d+)\x00", lambda m: saved[int(m.group(1))], code)
