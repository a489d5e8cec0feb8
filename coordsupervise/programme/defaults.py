"""The shipped curriculum (coordsupervise/programme/curricula/frsc.toml) in the shapes the tests use. The app never
reads this: its programme is in the database (written by curriculum.init_programme), and each cohort keeps its own copy
of the thresholds, calendar and assignments."""
from __future__ import annotations

from datetime import date

from . import cohorts
from .curriculum import load

SHIPPED = load(None)
COMPETENCIES = [(c.code, c.seq, c.name_ja, c.name_en) for c in SHIPPED.competencies]
# (group, title_ja, title_en, competency or None for all)
MODULES = [(m.group, m.title_ja, m.title_en, m.competency) for m in SHIPPED.modules]
# competency -> {level: (ja, en)}, as the shipped rubrics describe it
DESCRIPTORS = {k.competency: k.levels for r in SHIPPED.rubrics for k in r.criteria}
_RUBRICS = {r.code: r for r in SHIPPED.rubrics}
# (code, title_ja, title_en, kind, competencies judged, due: days after practical start, certification-critical)
ASSIGNMENTS = [(a.code, a.title_ja, a.title_en, a.kind,
                tuple(k.competency for k in _RUBRICS[a.rubric].criteria) if a.rubric else (), a.due_days,
                a.certification_critical) for a in SHIPPED.assignments]
STAGES = cohorts.STAGE_ORDER


def stage_calendar(online_start: date) -> dict[str, tuple[date, date]]:
    """The shipped programme's calendar of a cohort starting on `online_start` (cohorts.stage_calendar)."""
    return cohorts.stage_calendar([(s.stage, s.days, s.days_after_previous, s.weekday) for s in SHIPPED.stages], online_start)
