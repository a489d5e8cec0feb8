"""The curriculum as data: one TOML file per programme (the shipped one is
coordsupervise/programme/curricula/frsc.toml).

`load` reads and checks a file, `init_programme` writes it into a database that has no programme yet (one
transaction), `export_programme` writes the programme in force back in the same format (rubrics at their newest
version). The demo builder, the command line (`python -m coordsupervise programme init|export`) and the first-run
screen on /setup all go through here, so there is one way a programme gets into a database.

A mistake in a file is a `CurriculumError` naming the file, the line and the key (params `file`, `line` and
`entry`, e.g. `modules[3].competency`: the third [[modules]] table, counted from 1; not `key`, which is the
catalogue key's own name in UserError and translate), in the reader's language. tomllib reports syntax errors
with their line; for everything else the line is found by scanning the text for the key (`_key_lines`).
"""
from __future__ import annotations

import re
import string
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, NoReturn

from ..access import Actor, require_role
from ..clock import now_utc
from ..errors import UserError
from ..store import cache_stamp
from ..store.db import Database, Transaction
from .auth import audit

SHIPPED = "curricula/frsc.toml"
FORMAT = 1
CODE_PATTERN = r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}"
STAGES = ("online", "task_setting", "practical", "workshop", "certification")
FIXED_DAYS = {"workshop": 2, "certification": 1}  # the app keeps two workshop days and one decision day
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
KINDS = ("approval", "scored")
SECOND_MARKING = ("none", "sample", "all")
LEVELS = (1, 2, 3, 4)
NUMBER_FIELDS = {"programme", "cohort", "serial"}
NAME_LIMIT, TEXT_LIMIT = 100, 400  # programme names as cohort names; rubric texts as on /rubrics
THRESHOLDS = {"module_pass_pct": (0, 100), "overall_test_pass_pct": (0, 100), "reflection_rate_pct": (0, 100),
              "report_min_level": (1, 4), "certification_test_pass_pct": (0, 100)}


class CurriculumError(UserError):
    """A curriculum file or a load that cannot go ahead; params name the file, line and key where there is one."""


@dataclass(frozen=True)
class Programme:
    code: str
    name_ja: str
    name_en: str
    certificate_valid_years: int
    certificate_number_format: str


@dataclass(frozen=True)
class Competency:
    code: str
    seq: int
    short_ja: str
    short_en: str
    name_ja: str
    name_en: str


@dataclass(frozen=True)
class Module:
    group: str
    title_ja: str
    title_en: str
    competency: str | None  # None: all competencies
    pass_pct: int | None    # None: the programme's module_pass_pct (each cohort's copy of it)


@dataclass(frozen=True)
class Stage:
    stage: str
    days: int
    days_after_previous: int = 1
    weekday: int | None = None  # 0 Monday .. 6 Sunday


@dataclass(frozen=True)
class Criterion:
    competency: str
    title_ja: str
    title_en: str
    weight: float
    levels: dict[int, tuple[str, str]]  # level -> (ja, en)


@dataclass(frozen=True)
class Rubric:
    code: str
    title_ja: str
    title_en: str
    pass_level: int
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True)
class Assignment:
    code: str
    title_ja: str
    title_en: str
    kind: str
    rubric: str | None
    due_days: int
    certification_critical: bool
    second_marking: str = "none"
    second_marking_pct: int = 10
    second_marking_tolerance: int = 0


@dataclass(frozen=True)
class Curriculum:
    programme: Programme
    thresholds: dict[str, int]
    stages: tuple[Stage, ...]
    competencies: tuple[Competency, ...]
    modules: tuple[Module, ...]
    assignments: tuple[Assignment, ...]
    rubrics: tuple[Rubric, ...]


# -- reading a file -----------------------------------------------------------------------------------------------
def load(path: str | Path | None = None) -> Curriculum:
    """The curriculum in `path` (None: the shipped FRSC file), checked field by field."""
    if path is None:
        return loads(shipped_file(), Path(SHIPPED).name)
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CurriculumError("curriculum.unreadable", file=path.name, detail=exc.strerror or str(exc)) from exc
    return loads(data, path.name)


def shipped_file() -> bytes:
    """The shipped file as written, comments and all: the model an office edits into its own curriculum."""
    return resources.files(__package__).joinpath(SHIPPED).read_bytes()


def loads(data: bytes, name: str) -> Curriculum:
    """The curriculum in `data` (a file's bytes; `name` is shown in messages)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CurriculumError("curriculum.not_utf8", file=name) from exc
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, column = _position(exc, text)
        detail = re.sub(r"\s*\(at line \d+, column \d+\)$|\s*\(at end of document\)$", "", str(exc))
        key = _KEY.match(text.splitlines()[line - 1]) if 0 < line <= len(text.splitlines()) else None
        raise CurriculumError("curriculum.syntax", file=name, line=line, column=column,
                              entry=key.group(1) if key else "—", detail=detail) from exc
    return _Reader(name, text).curriculum(document)


def _position(exc: tomllib.TOMLDecodeError, text: str) -> tuple[int, int]:
    """Line and column of a syntax error (Python 3.14 gives them as attributes; 3.11 in the message)."""
    if getattr(exc, "lineno", None):
        return exc.lineno, exc.colno
    found = re.search(r"at line (\d+), column (\d+)", str(exc))
    if found:
        return int(found.group(1)), int(found.group(2))
    return max(1, len(text.splitlines())), 1  # "at end of document"


_KEY = re.compile(r"\s*([A-Za-z0-9_-]+)\s*=")
_HEADER = re.compile(r"\s*(\[\[?)\s*([A-Za-z0-9_.\s-]+?)\s*\]\]?\s*$")


def _code_part(line: str) -> str:
    """The line without its comment (a # outside strings)."""
    hash_at = _outside_strings(line).find("#")
    return line if hash_at < 0 else line[:hash_at]


def _key_lines(text: str) -> dict[tuple, int]:
    """Where each key of the document is written: path -> line number. A path is the keys and array indexes from
    the root, e.g. ("rubrics", 1, "criteria", 0, "levels", 2, "level"). Covers what curriculum files use: table
    headers, arrays of tables, `key = value` lines and arrays of inline tables spread over several lines."""
    where: dict[tuple, int] = {}
    counts: dict[tuple, int] = {}
    table: tuple = ()
    array: tuple | None = None  # the path of a multi-line array value being read
    depth, item = 0, -1
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _code_part(raw)
        if array is None:
            header = _HEADER.fullmatch(line)
            if header:
                parts = [p.strip() for p in header.group(2).split(".")]
                resolved: tuple = ()
                for i, part in enumerate(parts):
                    resolved += (part,)
                    if i == len(parts) - 1 and header.group(1) == "[[":
                        counts[resolved] = counts.get(resolved, 0) + 1
                    if resolved in counts:
                        resolved += (counts[resolved] - 1,)
                table = resolved
                where.setdefault(table, number)
                continue
            key = _KEY.match(line)
            if not key:
                continue
            where[table + (key.group(1),)] = number
            rest = line[key.end():]
            if not rest.lstrip().startswith("["):
                continue
            array, depth, item = table + (key.group(1),), 0, -1
            line = rest
        inline_key = None
        for i, ch in enumerate(_outside_strings(line)):
            if ch == "[" or ch == "{":
                depth += 1
                if ch == "{" and depth == 2:
                    item += 1
                    where.setdefault(array + (item,), number)
            elif ch == "]" or ch == "}":
                depth -= 1
            elif ch == "=" and depth == 2 and item >= 0:
                inline_key = re.search(r"([A-Za-z0-9_-]+)\s*$", line[:i])
                if inline_key:
                    where.setdefault(array + (item, inline_key.group(1)), number)
        if depth <= 0:
            array = None
    return where


def _outside_strings(line: str) -> str:
    """The line with the inside of its strings blanked, so brackets and = in texts are not read as structure."""
    out, quote = [], None
    for i, ch in enumerate(line):
        if quote:
            if ch == quote and (quote == "'" or line[i - 1] != "\\"):
                quote = None
                out.append(ch)
            else:
                out.append(" ")
        else:
            if ch in "\"'":
                quote = ch
            out.append(ch)
    return "".join(out)


def _shown(path: tuple) -> str:
    """modules[3].competency: array indexes counted from 1, as a person counts the [[modules]] tables."""
    out = ""
    for part in path:
        out += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "—"


class _Reader:
    """Checks one parsed document and builds the Curriculum; the first mistake raises CurriculumError."""

    def __init__(self, name: str, text: str):
        self.name = name
        self.lines = _key_lines(text)

    # -- reporting --
    def fail(self, path: tuple, key: str, **params) -> NoReturn:
        line = 1
        for end in range(len(path), -1, -1):
            if path[:end] in self.lines:
                line = self.lines[path[:end]]
                break
        raise CurriculumError(key, file=self.name, line=line, entry=_shown(path), **params)

    # -- typed fields --
    def get(self, table: dict, path: tuple, key: str, default: Any = ...) -> Any:
        if key not in table:
            if default is ...:
                self.fail(path + (key,), "curriculum.missing")
            return default
        return table[key]

    def known_keys(self, table: dict, path: tuple, required: tuple[str, ...], optional: tuple[str, ...] = ()):
        for key in table:
            if key not in required and key not in optional:
                self.fail(path + (key,), "curriculum.unknown_key")
        for key in required:
            if key not in table:
                self.fail(path + (key,), "curriculum.missing")

    def text(self, table: dict, path: tuple, key: str, limit: int = TEXT_LIMIT) -> str:
        value = self.get(table, path, key)
        if not isinstance(value, str):
            self.fail(path + (key,), "curriculum.not_text", value=_value(value))
        if not value.strip():
            self.fail(path + (key,), "curriculum.empty")
        if len(value) > limit:
            self.fail(path + (key,), "curriculum.too_long", limit=limit, actual=len(value))
        return value.strip()

    def code(self, table: dict, path: tuple, key: str) -> str:
        value = self.text(table, path, key, limit=32)
        if not re.fullmatch(CODE_PATTERN, value):
            self.fail(path + (key,), "curriculum.bad_code", value=_value(value))
        return value

    def integer(self, table: dict, path: tuple, key: str, low: int, high: int, default: Any = ...) -> int:
        value = self.get(table, path, key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(path + (key,), "curriculum.not_integer", value=_value(value))
        if not low <= value <= high:
            self.fail(path + (key,), "curriculum.out_of_range", low=low, high=high, value=value)
        return value

    def number(self, table: dict, path: tuple, key: str, low: float, high: float) -> float:
        value = self.get(table, path, key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(path + (key,), "curriculum.not_number", value=_value(value))
        if not low < value <= high:
            self.fail(path + (key,), "curriculum.out_of_range", low=low, high=high, value=value)
        return float(value)

    def boolean(self, table: dict, path: tuple, key: str) -> bool:
        value = self.get(table, path, key)
        if not isinstance(value, bool):
            self.fail(path + (key,), "curriculum.not_boolean", value=_value(value))
        return value

    def choice(self, table: dict, path: tuple, key: str, choices: tuple[str, ...], default: Any = ...) -> str:
        value = self.get(table, path, key, default)
        if value not in choices:
            self.fail(path + (key,), "curriculum.not_a_choice", choices=", ".join(choices), value=_value(value))
        return value

    def table(self, parent: dict, path: tuple, key: str) -> dict:
        value = self.get(parent, path, key)
        if not isinstance(value, dict):
            self.fail(path + (key,), "curriculum.not_table")
        return value

    def tables(self, parent: dict, key: str) -> list[dict]:
        value = self.get(parent, (), key)
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.fail((key,), "curriculum.not_tables")
        if not value:
            self.fail((key,), "curriculum.empty")
        return value

    def unique(self, seen: set, path: tuple, value) -> None:
        if value in seen:
            self.fail(path, "curriculum.duplicate", value=_value(value))
        seen.add(value)

    # -- the sections --
    def curriculum(self, doc: dict) -> Curriculum:
        self.known_keys(doc, (), ("format", "programme", "certification", "stages", "competencies", "modules",
                                  "assignments", "rubrics"))
        if self.integer(doc, (), "format", 0, 10**6) != FORMAT:
            self.fail(("format",), "curriculum.wrong_format", expected=FORMAT, value=doc["format"])
        programme = self.programme(self.table(doc, (), "programme"))
        thresholds = self.thresholds(self.table(doc, (), "certification"))
        stages = self.stages(self.tables(doc, "stages"))
        competencies = self.competencies(self.tables(doc, "competencies"))
        codes = {c.code for c in competencies}
        modules = tuple(self.module(m, ("modules", i), codes) for i, m in enumerate(self.tables(doc, "modules")))
        rubrics = self.rubrics(self.tables(doc, "rubrics"), codes)
        assignments = self.assignments(self.tables(doc, "assignments"), {r.code for r in rubrics})
        return Curriculum(programme, thresholds, stages, competencies, modules, assignments, rubrics)

    def programme(self, t: dict) -> Programme:
        path = ("programme",)
        self.known_keys(t, path, ("code", "name_ja", "name_en", "certificate_valid_years",
                                  "certificate_number_format"))
        number_format = self.text(t, path, "certificate_number_format", limit=64)
        if not _number_format_ok(number_format):
            self.fail(path + ("certificate_number_format",), "curriculum.bad_number_format",
                      value=_value(number_format))
        return Programme(self.code(t, path, "code"), self.text(t, path, "name_ja", NAME_LIMIT),
                         self.text(t, path, "name_en", NAME_LIMIT),
                         self.integer(t, path, "certificate_valid_years", 1, 10), number_format)

    def thresholds(self, t: dict) -> dict[str, int]:
        path = ("certification",)
        self.known_keys(t, path, tuple(THRESHOLDS))
        return {key: self.integer(t, path, key, low, high) for key, (low, high) in THRESHOLDS.items()}

    def stages(self, items: list[dict]) -> tuple[Stage, ...]:
        out = []
        for i, t in enumerate(items):
            path = ("stages", i)
            self.known_keys(t, path, ("stage", "days"), ("days_after_previous", "weekday"))
            stage = self.choice(t, path, "stage", STAGES)
            if i >= len(STAGES) or stage != STAGES[i]:
                self.fail(path + ("stage",), "curriculum.stage_order", stages=", ".join(STAGES), value=stage)
            days = self.integer(t, path, "days", 1, 366)
            if stage in FIXED_DAYS and days != FIXED_DAYS[stage]:
                self.fail(path + ("days",), "curriculum.fixed_days", expected=FIXED_DAYS[stage], value=days)
            weekday = self.choice(t, path, "weekday", WEEKDAYS, default=None) if "weekday" in t else None
            out.append(Stage(stage, days, self.integer(t, path, "days_after_previous", 1, 365, default=1),
                             None if weekday is None else WEEKDAYS.index(weekday)))
        if len(out) != len(STAGES):
            self.fail(("stages",), "curriculum.stage_order", stages=", ".join(STAGES),
                      value=", ".join(s.stage for s in out))
        return tuple(out)

    def competencies(self, items: list[dict]) -> tuple[Competency, ...]:
        out, codes, seqs = [], set(), set()
        for i, t in enumerate(items):
            path = ("competencies", i)
            self.known_keys(t, path, ("code", "seq", "short_ja", "short_en", "name_ja", "name_en"))
            code = self.code(t, path, "code")
            self.unique(codes, path + ("code",), code)
            seq = self.integer(t, path, "seq", 1, 99)
            self.unique(seqs, path + ("seq",), seq)
            out.append(Competency(code, seq, self.text(t, path, "short_ja", 40), self.text(t, path, "short_en", 40),
                                  self.text(t, path, "name_ja"), self.text(t, path, "name_en")))
        return tuple(out)

    def module(self, t: dict, path: tuple, competencies: set[str]) -> Module:
        self.known_keys(t, path, ("group", "title_ja", "title_en", "competency"), ("pass_pct",))
        competency = self.text(t, path, "competency", 32)
        if competency != "all" and competency not in competencies:
            self.fail(path + ("competency",), "curriculum.unknown_competency", value=_value(competency))
        pass_pct = self.integer(t, path, "pass_pct", 0, 100) if "pass_pct" in t else None
        return Module(self.text(t, path, "group", 8), self.text(t, path, "title_ja"), self.text(t, path, "title_en"),
                      None if competency == "all" else competency, pass_pct)

    def rubrics(self, items: list[dict], competencies: set[str]) -> tuple[Rubric, ...]:
        out, codes = [], set()
        for i, t in enumerate(items):
            path = ("rubrics", i)
            self.known_keys(t, path, ("code", "title_ja", "title_en", "pass_level", "criteria"))
            code = self.code(t, path, "code")
            self.unique(codes, path + ("code",), code)
            criteria = t["criteria"]
            if not isinstance(criteria, list) or not all(isinstance(c, dict) for c in criteria):
                self.fail(path + ("criteria",), "curriculum.not_tables")
            if not criteria:
                self.fail(path + ("criteria",), "curriculum.empty")
            out.append(Rubric(code, self.text(t, path, "title_ja"), self.text(t, path, "title_en"),
                              self.integer(t, path, "pass_level", 1, 4),
                              tuple(self.criterion(c, path + ("criteria", j), competencies)
                                    for j, c in enumerate(criteria))))
        return tuple(out)

    def criterion(self, t: dict, path: tuple, competencies: set[str]) -> Criterion:
        self.known_keys(t, path, ("competency", "title_ja", "title_en", "weight", "levels"))
        competency = self.text(t, path, "competency", 32)
        if competency not in competencies:
            self.fail(path + ("competency",), "curriculum.unknown_competency", value=_value(competency))
        levels = t["levels"]
        if not isinstance(levels, list) or not all(isinstance(level, dict) for level in levels):
            self.fail(path + ("levels",), "curriculum.not_tables")
        found: dict[int, tuple[str, str]] = {}
        for k, level in enumerate(levels):
            where = path + ("levels", k)
            self.known_keys(level, where, ("level", "ja", "en"))
            number = self.integer(level, where, "level", 1, 4)
            if number in found:
                self.fail(where + ("level",), "curriculum.levels")
            found[number] = (self.text(level, where, "ja"), self.text(level, where, "en"))
        if set(found) != set(LEVELS):
            self.fail(path + ("levels",), "curriculum.levels")
        return Criterion(competency, self.text(t, path, "title_ja"), self.text(t, path, "title_en"),
                         self.number(t, path, "weight", 0, 10), dict(sorted(found.items(), reverse=True)))

    def assignments(self, items: list[dict], rubrics: set[str]) -> tuple[Assignment, ...]:
        out, codes = [], set()
        for i, t in enumerate(items):
            path = ("assignments", i)
            self.known_keys(t, path, ("code", "title_ja", "title_en", "kind", "due_days", "certification_critical"),
                            ("rubric", "second_marking", "second_marking_pct", "second_marking_tolerance"))
            code = self.code(t, path, "code")
            self.unique(codes, path + ("code",), code)
            kind = self.choice(t, path, "kind", KINDS)
            rubric = self.text(t, path, "rubric", 32) if "rubric" in t else None
            if kind == "scored" and rubric is None:
                self.fail(path + ("rubric",), "curriculum.rubric_needed")
            if kind == "approval" and rubric is not None:
                self.fail(path + ("rubric",), "curriculum.rubric_not_allowed")
            if rubric is not None and rubric not in rubrics:
                self.fail(path + ("rubric",), "curriculum.unknown_rubric", value=_value(rubric))
            out.append(Assignment(
                code, self.text(t, path, "title_ja"), self.text(t, path, "title_en"), kind, rubric,
                self.integer(t, path, "due_days", -365, 365), self.boolean(t, path, "certification_critical"),
                self.choice(t, path, "second_marking", SECOND_MARKING, default="none"),
                self.integer(t, path, "second_marking_pct", 1, 100, default=10),
                self.integer(t, path, "second_marking_tolerance", 0, 3, default=0)))
        return tuple(out)


def _value(value) -> str:
    text = repr(value) if not isinstance(value, str) else f'"{value}"'
    return text if len(text) <= 60 else text[:57] + "…"


def _number_format_ok(number_format: str) -> bool:
    """Only {programme}, {cohort} and {serial} (with a format spec), {serial} present, and it formats."""
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(number_format) if f is not None]
        if not set(fields) <= NUMBER_FIELDS or "serial" not in fields:
            return False
        number_format.format(programme="FRSC", cohort="2026-A-001", serial=1)
    except (ValueError, KeyError, IndexError):
        return False
    return True


# -- into the database --------------------------------------------------------------------------------------------
def has_programme(db: Database | Transaction) -> bool:
    return db.value("SELECT count(*) FROM programme") > 0


def init_programme(db: Database, curriculum: Curriculum, actor: Actor | None = None) -> int:
    """Write the whole programme in one transaction and return its id. Refused (nothing written) when the database
    already has a programme: a second run of the same file changes nothing. `actor`: the admin on the first-run
    screen (checked and recorded); the command line and the demo builder pass none."""
    if actor is not None:
        require_role(actor, "admin", db=db)
    return db.write(_write, curriculum, None if actor is None else actor.id)


def _write(tx: Transaction, c: Curriculum, actor_id: int | None) -> int:
    existing = tx.value("SELECT code FROM programme ORDER BY id LIMIT 1")
    if existing is not None:
        raise CurriculumError("curriculum.programme_exists", code=existing)
    if tx.value("SELECT count(*) FROM competency"):
        raise CurriculumError("curriculum.programme_exists", code="—")
    p, th = c.programme, c.thresholds
    programme_id = tx.value(
        "INSERT INTO programme (code, name_ja, name_en, certificate_valid_years, certificate_number_format, "
        "module_pass_pct, overall_test_pass_pct, reflection_rate_pct, report_min_level, certification_test_pass_pct) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        [p.code, p.name_ja, p.name_en, p.certificate_valid_years, p.certificate_number_format,
         *(th[key] for key in THRESHOLDS)])
    tx.executemany("INSERT INTO competency (code, seq, name_ja, name_en, short_ja, short_en) VALUES (?, ?, ?, ?, ?, ?)",
                   [(k.code, k.seq, k.name_ja, k.name_en, k.short_ja, k.short_en) for k in c.competencies])
    tx.executemany("INSERT INTO module (programme_id, seq, group_code, title_ja, title_en, competency, pass_pct) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?)",
                   [(programme_id, seq, m.group, m.title_ja, m.title_en, m.competency, m.pass_pct)
                    for seq, m in enumerate(c.modules, start=1)])
    _write_stages(tx, programme_id, c.stages)
    now = now_utc()
    for r in c.rubrics:
        rubric_id = tx.value("INSERT INTO rubric (programme_id, code, version, title_ja, title_en, pass_level, "
                             "created_at) VALUES (?, ?, 1, ?, ?, ?, ?) RETURNING id",
                             [programme_id, r.code, r.title_ja, r.title_en, r.pass_level, now])
        for seq, k in enumerate(r.criteria, start=1):
            criterion_id = tx.value(
                "INSERT INTO rubric_criterion (rubric_id, seq, competency, title_ja, title_en, weight) "
                "VALUES (?, ?, ?, ?, ?, ?) RETURNING id", [rubric_id, seq, k.competency, k.title_ja, k.title_en,
                                                           k.weight])
            tx.executemany("INSERT INTO rubric_level (criterion_id, level, descriptor_ja, descriptor_en) "
                           "VALUES (?, ?, ?, ?)", [(criterion_id, lvl, ja, en) for lvl, (ja, en) in k.levels.items()])
    _write_assignments(tx, programme_id, c.assignments)
    cache_stamp.bump(tx)
    audit(tx, actor_id, "programme.init", "programme", programme_id, None, {"code": p.code, **summary(c)})
    return programme_id


def _write_stages(tx: Transaction, programme_id: int, stages: tuple[Stage, ...]) -> None:
    tx.executemany("INSERT INTO programme_stage (programme_id, seq, stage, days, days_after_previous, weekday) "
                   "VALUES (?, ?, ?, ?, ?, ?)",
                   [(programme_id, seq, s.stage, s.days, s.days_after_previous, s.weekday)
                    for seq, s in enumerate(stages, start=1)])


def _write_assignments(tx: Transaction, programme_id: int, assignments: tuple[Assignment, ...]) -> None:
    tx.executemany(
        "INSERT INTO assignment_template (programme_id, seq, code, title_ja, title_en, kind, rubric_code, due_days, "
        "certification_critical, moderation_rule, moderation_pct, moderation_tolerance) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(programme_id, seq, a.code, a.title_ja, a.title_en, a.kind, a.rubric, a.due_days, a.certification_critical,
          a.second_marking, a.second_marking_pct, a.second_marking_tolerance)
         for seq, a in enumerate(assignments, start=1)])


def summary(c: Curriculum) -> dict[str, int]:
    return {"competencies": len(c.competencies), "modules": len(c.modules), "assignments": len(c.assignments),
            "rubrics": len(c.rubrics)}


# -- out of the database ------------------------------------------------------------------------------------------
def from_database(db: Database) -> Curriculum:
    """The programme in force: its rows as they are now, each rubric at its newest version."""
    row = db.one("SELECT id, code, name_ja, name_en, certificate_valid_years, certificate_number_format, "
                 "module_pass_pct, overall_test_pass_pct, reflection_rate_pct, report_min_level, "
                 "certification_test_pass_pct FROM programme ORDER BY id LIMIT 1")
    if row is None:
        raise CurriculumError("setup.no_programme")
    programme_id = row[0]
    programme = Programme(*row[1:6])
    thresholds = dict(zip(THRESHOLDS, row[6:], strict=True))
    stages = tuple(Stage(*s) for s in db.rows(
        "SELECT stage, days, days_after_previous, weekday FROM programme_stage WHERE programme_id = ? ORDER BY seq",
        [programme_id]))
    competencies = tuple(Competency(*k) for k in db.rows(
        "SELECT code, seq, short_ja, short_en, name_ja, name_en FROM competency ORDER BY seq"))
    modules = tuple(Module(*m) for m in db.rows(
        "SELECT group_code, title_ja, title_en, competency, pass_pct FROM module WHERE programme_id = ? ORDER BY seq",
        [programme_id]))
    levels: dict[int, dict[int, tuple[str, str]]] = {}
    for criterion_id, level, ja, en in db.rows(
            "SELECT l.criterion_id, l.level, l.descriptor_ja, l.descriptor_en FROM rubric_level l "
            "JOIN rubric_criterion c ON c.id = l.criterion_id JOIN rubric r ON r.id = c.rubric_id "
            "WHERE r.programme_id = ? ORDER BY l.level DESC", [programme_id]):
        levels.setdefault(criterion_id, {})[level] = (ja, en)
    criteria: dict[int, list[Criterion]] = {}
    for rubric_id, criterion_id, competency, title_ja, title_en, weight in db.rows(
            "SELECT c.rubric_id, c.id, c.competency, c.title_ja, c.title_en, c.weight FROM rubric_criterion c "
            "JOIN rubric r ON r.id = c.rubric_id WHERE r.programme_id = ? ORDER BY c.rubric_id, c.seq",
            [programme_id]):
        criteria.setdefault(rubric_id, []).append(
            Criterion(competency, title_ja, title_en, float(weight), levels.get(criterion_id, {})))
    # each rubric at its newest version, in the order the rubrics were first written
    rubrics = tuple(Rubric(code, title_ja, title_en, pass_level, tuple(criteria.get(rubric_id, [])))
                    for rubric_id, code, title_ja, title_en, pass_level in db.rows(
                        "SELECT r.id, r.code, r.title_ja, r.title_en, coalesce(r.pass_level, 3) FROM rubric r "
                        "JOIN (SELECT code, max(version) AS newest, min(id) AS first_id FROM rubric "
                        "WHERE programme_id = ? GROUP BY code) v ON v.code = r.code AND v.newest = r.version "
                        "WHERE r.programme_id = ? ORDER BY v.first_id", [programme_id, programme_id]))
    assignments = tuple(Assignment(*a) for a in db.rows(
        "SELECT code, title_ja, title_en, kind, rubric_code, due_days, certification_critical, moderation_rule, "
        "moderation_pct, moderation_tolerance FROM assignment_template WHERE programme_id = ? ORDER BY seq",
        [programme_id]))
    return Curriculum(programme, thresholds, stages, competencies, modules, assignments, rubrics)


def export_programme(db: Database, path: str | Path) -> Curriculum:
    """Write the programme in force to `path` in the curriculum format (loadable by `load`)."""
    curriculum = from_database(db)
    Path(path).write_text(to_toml(curriculum), encoding="utf-8")
    return curriculum


def to_toml(c: Curriculum) -> str:
    """The curriculum as a TOML document in the shipped file's layout (without its comments)."""
    p = c.programme
    out = ["# Exported by `python -m coordsupervise programme export`: the programme in force, rubrics at their",
           "# newest version. Load it into an empty database with `python -m coordsupervise programme init`.", "",
           f"format = {FORMAT}", "", "[programme]"]
    out += _pairs({"code": p.code, "name_ja": p.name_ja, "name_en": p.name_en,
                   "certificate_valid_years": p.certificate_valid_years,
                   "certificate_number_format": p.certificate_number_format})
    out += ["", "[certification]", *_pairs(c.thresholds)]
    for s in c.stages:
        fields = {"stage": s.stage, "days": s.days}
        if s.days_after_previous != 1:
            fields["days_after_previous"] = s.days_after_previous
        if s.weekday is not None:
            fields["weekday"] = WEEKDAYS[s.weekday]
        out += ["", "[[stages]]", *_pairs(fields)]
    for k in c.competencies:
        out += ["", "[[competencies]]", *_pairs({"code": k.code, "seq": k.seq, "short_ja": k.short_ja,
                                                  "short_en": k.short_en, "name_ja": k.name_ja, "name_en": k.name_en})]
    for m in c.modules:
        fields = {"group": m.group, "title_ja": m.title_ja, "title_en": m.title_en,
                  "competency": m.competency or "all"}
        if m.pass_pct is not None:
            fields["pass_pct"] = m.pass_pct
        out += ["", "[[modules]]", *_pairs(fields)]
    for a in c.assignments:
        fields = {"code": a.code, "title_ja": a.title_ja, "title_en": a.title_en, "kind": a.kind}
        if a.rubric is not None:
            fields["rubric"] = a.rubric
        fields |= {"due_days": a.due_days, "certification_critical": a.certification_critical}
        if (a.second_marking, a.second_marking_pct, a.second_marking_tolerance) != ("none", 10, 0):
            fields |= {"second_marking": a.second_marking, "second_marking_pct": a.second_marking_pct,
                       "second_marking_tolerance": a.second_marking_tolerance}
        out += ["", "[[assignments]]", *_pairs(fields)]
    for r in c.rubrics:
        out += ["", "[[rubrics]]", *_pairs({"code": r.code, "title_ja": r.title_ja, "title_en": r.title_en,
                                            "pass_level": r.pass_level})]
        for k in r.criteria:
            out += ["", "[[rubrics.criteria]]", *_pairs({"competency": k.competency, "title_ja": k.title_ja,
                                                         "title_en": k.title_en, "weight": k.weight}), "levels = ["]
            out += [f"    {{ level = {lvl}, ja = {_toml(ja)}, en = {_toml(en)} }}," for lvl, (ja, en) in
                    sorted(k.levels.items(), reverse=True)]
            out.append("]")
    return "\n".join(out) + "\n"


def _pairs(fields: dict) -> list[str]:
    return [f"{key} = {_toml(value)}" for key, value in fields.items()]


def _toml(value) -> str:
    """One TOML value: a basic string (escaped as the TOML spec requires), a boolean, an integer or a float."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    escaped = []
    for ch in str(value):
        if ch in '"\\':
            escaped.append("\\" + ch)
        elif ch in "\b\t\n\f\r":
            escaped.append({"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            escaped.append(f"\\u{ord(ch):04X}")
        else:
            escaped.append(ch)
    return '"' + "".join(escaped) + '"'
