"""The sections of /programme: each shows a part of the programme in force and a form that edits its defaults
through programme_edit.

A form sends the values the person was looking at when they pressed save: those drawn in the previous run, kept in
session state. So an edit someone else saved meanwhile is refused (StaleWrite), never overwritten; what the person
typed stays in the form, because its widget keys change only after a successful save (widgets.form_key). After such
a refusal the fields the person had not touched take the other person's values (`_rebase`), so saving again keeps
both edits instead of putting the other one back."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict

import streamlit as st

from .. import clock
from ..certification.certification import THRESHOLDS
from ..errors import StaleWrite, UserError
from ..programme import programme_edit
from ..programme.curriculum import FIXED_DAYS, TEXT_LIMIT, Stage
from ..programme.programme_edit import AssignmentDefaults, ModuleSettings, ProgrammeView
from ..scoring.moderation import RULES
from .guard import show_error
from .runtime import language, t
from .widgets import form_done, form_key, link

NOTICE = "programme_notice"  # (form, kind, message) of the last save, shown once after the rerun
REBASE = "programme_rebase"  # {widget key: value} set before the forms are drawn, after a refused stale save


def _notice(base: str) -> None:
    """What the last save of this form did, once, right below the form: where the person is looking (a message at
    the top of the page would be out of sight, and would move the tabs, which closes the open one)."""
    if st.session_state.get(NOTICE, (None,))[0] == base:
        _, kind, message = st.session_state.pop(NOTICE)
        if kind == "saved":
            st.success(message, icon=":material/check_circle:")
        elif kind == "stale":
            st.error(message, icon=":material/sync_problem:")
        else:
            st.info(message, icon=":material/info:")


def _seen(name: str, current):
    """What the person saw: the values drawn in the previous run (or now, on the first); `current` is remembered
    for the next run."""
    key = f"programme_seen_{name}"
    seen = st.session_state.get(key, current)
    st.session_state[key] = current
    return seen


def apply_rebase() -> None:
    """Before any form is drawn: the values a refused stale save left for the fields the person had not touched."""
    for widget_key, value in st.session_state.pop(REBASE, {}).items():
        st.session_state[widget_key] = value


def _rebase(keys: dict[str, str], seen, typed, current) -> dict[str, object]:
    """{widget key: current value} of each field (named in `keys`) the person left as they saw it and someone
    else changed since. `seen`, `typed` and `current` are dicts or dataclasses with those fields."""
    seen, typed, current = (x if isinstance(x, dict) else asdict(x) for x in (seen, typed, current))
    return {widget_key: current[field] for field, widget_key in keys.items()
            if typed[field] == seen[field] and current[field] != seen[field]}


def _save(base: str, write: Callable[[], bool], message: str, rebase: dict[str, object] | None = None) -> None:
    """Run a service write; on success start the form afresh and say what happened after the rerun. Refused as
    stale: the untouched fields take the current values (`rebase`) and the refusal is shown below the form."""
    try:
        changed = write()
    except StaleWrite as exc:
        st.session_state[REBASE] = rebase or {}
        st.session_state[NOTICE] = (base, "stale", t(exc.key, **exc.params))
        st.rerun()
    except UserError as exc:
        show_error(exc)
        return
    form_done(base)
    st.session_state[NOTICE] = (base, "saved", message) if changed else \
        (base, "unchanged", t("programme.nothing_changed"))
    st.rerun()


def _changes(seen, new, label: Callable[[str], str], shown: Callable[[str, object], str]) -> str:
    """What an edit changed, as the saved message says it: each field with its value before → after."""
    return t("programme.change_separator").join(
        t("programme.change", label=label(field), old=shown(field, old), new=shown(field, value))
        for field, old, value in programme_edit.changed_fields(seen, new))


def _quoted(text: str) -> str:
    return t("programme.quoted", text=text)


def _narrow(*keys: str) -> dict:
    """Column settings for short columns (codes, groups, marks), so the titles get the width."""
    return {t(key): st.column_config.TextColumn(t(key), width="small") for key in keys}


def _title(item: dict) -> str:
    return item["title_ja" if language() == "ja" else "title_en"]


def in_use(view: ProgrammeView) -> None:
    """Which programme this is, how many cohorts use it, and what an edit here does to them."""
    st.caption(t("programme.name", name=view.name_ja if language() == "ja" else view.name_en, code=view.code))
    with st.container(border=True):
        st.markdown("**" + t("programme.use", running=view.use.running, upcoming=view.use.upcoming,
                              finished=view.use.finished) + "**")
        st.markdown(t("programme.use_explained"))
        st.markdown(t("programme.rubrics_elsewhere", rubrics=t("nav.rubrics")))
        link("rubrics", t("programme.open_rubrics"), ":material/rule:")


# -- competencies -------------------------------------------------------------------------------------------------
def competencies_tab(view: ProgrammeView) -> None:
    """A list rather than a table: the full names are long, and a phone would cut them off in a grid."""
    ja = language() == "ja"
    st.markdown("\n".join(f"- **{c['code']} {c['short_ja' if ja else 'short_en']}**  \n  "
                          f"{c['name_ja' if ja else 'name_en']}" for c in view.competencies))


# -- online modules -----------------------------------------------------------------------------------------------
def _pass_mark(module: dict, default: int) -> str:
    if module["pass_pct"] is None:
        return t("programme.pass_default", pct=default)
    return t("programme.pass_own", pct=module["pass_pct"])


def modules_tab(db, actor, view: ProgrammeView) -> None:
    default = view.thresholds["module_pass_pct"]
    # the pass mark before the long title: on a phone it is what fits beside the number
    st.dataframe([{t("programme.col_seq"): f"{m['seq']:02d}", t("programme.col_pass"): _pass_mark(m, default),
                   t("programme.col_title"): _title(m), t("programme.col_group"): m["group_code"],
                   t("programme.col_competency"): m["competency"] or t("programme.all_competencies")}
                  for m in view.modules], hide_index=True, width="stretch", height="content",
                 column_config=_narrow("programme.col_seq", "programme.col_group", "programme.col_competency"))
    st.caption(t("programme.overall_test", pct=view.thresholds["overall_test_pass_pct"]))
    st.warning(t("programme.modules_shared"), icon=":material/groups:")

    by_id = {m["id"]: m for m in view.modules}
    module_id = st.selectbox(t("programme.edit_module"), list(by_id), key="programme_module",
                             format_func=lambda i: f"{by_id[i]['seq']:02d} {_title(by_id[i])}")
    module = by_id[module_id]
    seen = _seen(f"module_{module_id}", module["settings"])
    base = f"programme_module_{module_id}"
    key = form_key(base)
    in_use_count = view.use.running + view.use.upcoming
    with st.form(key):
        left, right = st.columns(2)
        title_ja = left.text_input(t("programme.title_ja"), value=module["title_ja"], max_chars=TEXT_LIMIT,
                                   key=f"{key}_title_ja")
        title_en = right.text_input(t("programme.title_en"), value=module["title_en"], max_chars=TEXT_LIMIT,
                                    key=f"{key}_title_en")
        pass_pct = st.number_input(t("programme.module_pass"), min_value=0, max_value=100, step=1,
                                   value=module["pass_pct"], key=f"{key}_pass",
                                   placeholder=t("programme.module_pass_placeholder", pct=default),
                                   help=t("programme.module_pass_help", pct=default))
        confirmed = st.checkbox(t("programme.module_confirm", count=in_use_count), key=f"{key}_confirm") \
            if in_use_count else False
        submitted = st.form_submit_button(t("programme.save_module"), type="primary", icon=":material/save:")
    if submitted:
        new = ModuleSettings(title_ja, title_en, None if pass_pct is None else int(pass_pct))
        shown = lambda field, value: (_quoted(value) if field.startswith("title")  # noqa: E731
                                      else t("programme.pass_default", pct=default) if value is None else f"{value}%")
        changes = _changes(seen, new, lambda field: t(f"programme.field.{field}"), shown)
        _save(base, lambda: programme_edit.update_module(db, actor, module_id, seen, new, clock.today(), confirmed),
              t("programme.module_saved", seq=f"{module['seq']:02d}", changes=changes),
              _rebase({"title_ja": f"{key}_title_ja", "title_en": f"{key}_title_en", "pass_pct": f"{key}_pass"},
                      seen, new, module["settings"]))
    _notice(base)


# -- default assignments ------------------------------------------------------------------------------------------
def _due(days: int) -> str:
    if days == 0:
        return t("programme.due_on_start")
    return t("programme.due_after", count=days) if days > 0 else t("programme.due_before", count=-days)


def _rule(a: dict) -> str:
    if a["kind"] != "scored":
        return "—"
    if a["moderation_rule"] == "sample":
        return t("rubrics.rule.sample_pct", pct=a["moderation_pct"])
    return t(f"rubrics.rule.{a['moderation_rule']}")


def _rubric(a: dict) -> str:
    if a["rubric_id"] is None:
        return "—"
    return t("programme.rubric_version", code=a["rubric_code"], version=a["rubric_version"])


def assignments_tab(db, actor, view: ProgrammeView) -> None:
    st.dataframe([{t("programme.col_code"): a["code"], t("programme.col_title"): _title(a),
                   t("programme.col_kind"): t(f"programme.kind.{a['kind']}"), t("programme.col_rubric"): _rubric(a),
                   t("programme.col_due"): _due(a["due_days"]),
                   t("programme.col_critical"): "★" if a["certification_critical"] else "",
                   t("programme.col_rule"): _rule(a)} for a in view.assignments], hide_index=True, width="stretch",
                 column_config={**_narrow("programme.col_code", "programme.col_kind", "programme.col_rubric"),
                                t("programme.col_due"): st.column_config.TextColumn(
                                    t("programme.col_due"), help=t("programme.col_due_help")),
                                t("programme.col_critical"): st.column_config.TextColumn(
                                    t("programme.col_critical"), help=t("programme.col_critical_help"))})
    st.caption(t("programme.assignments_note", rubrics=t("nav.rubrics")))

    by_code = {a["code"]: a for a in view.assignments}
    code = st.selectbox(t("programme.edit_assignment"), list(by_code), key="programme_assignment",
                        format_func=lambda c: f"{c} {_title(by_code[c])}")
    a = by_code[code]
    if a["rubric_id"] is not None:
        link("rubrics", t("programme.open_rubric", code=a["rubric_code"], version=a["rubric_version"]),
             ":material/rule:", {"rubric": str(a["rubric_id"])})
    seen = _seen(f"assignment_{code}", a["defaults"])
    base = f"programme_assignment_{code}"
    key = form_key(base)
    scored = a["kind"] == "scored"
    with st.form(key):
        left, right = st.columns(2)
        title_ja = left.text_input(t("programme.title_ja"), value=a["title_ja"], max_chars=TEXT_LIMIT,
                                   key=f"{key}_title_ja")
        title_en = right.text_input(t("programme.title_en"), value=a["title_en"], max_chars=TEXT_LIMIT,
                                    key=f"{key}_title_en")
        due_days = st.number_input(t("programme.due_days"), min_value=-programme_edit.DUE_LIMIT,
                                   max_value=programme_edit.DUE_LIMIT, step=1, value=a["due_days"],
                                   key=f"{key}_due", help=t("programme.due_days_help"))
        if scored:
            m1, m2, m3 = st.columns(3)
            rule = m1.selectbox(t("rubrics.col_rule"), list(RULES), index=list(RULES).index(a["moderation_rule"]),
                                format_func=lambda r: t(f"rubrics.rule.{r}"), key=f"{key}_rule")
            pct = m2.number_input(t("rubrics.sample_pct"), min_value=1, max_value=100, step=1,
                                  value=a["moderation_pct"], key=f"{key}_pct")
            tolerance = m3.number_input(t("rubrics.col_tolerance"), min_value=0, max_value=3, step=1,
                                        value=a["moderation_tolerance"], key=f"{key}_tolerance",
                                        help=t("rubrics.tolerance_help"))
        else:
            st.caption(t("programme.marking_approval_only"))
            rule, pct, tolerance = a["moderation_rule"], a["moderation_pct"], a["moderation_tolerance"]
        submitted = st.form_submit_button(t("programme.save_assignment"), type="primary", icon=":material/save:")
    if submitted:
        new = AssignmentDefaults(title_ja, title_en, int(due_days), rule, int(pct), int(tolerance))
        changes = _changes(seen, new, lambda field: t(f"programme.field.{field}"), _assignment_value)
        _save(base, lambda: programme_edit.update_assignment(db, actor, code, seen, new),
              t("programme.assignment_saved", code=code, changes=changes),
              _rebase({"title_ja": f"{key}_title_ja", "title_en": f"{key}_title_en", "due_days": f"{key}_due",
                       **({"second_marking": f"{key}_rule", "second_marking_pct": f"{key}_pct",
                           "second_marking_tolerance": f"{key}_tolerance"} if scored else {})},
                      seen, new, a["defaults"]))
    _notice(base)


def _assignment_value(field: str, value) -> str:
    if field.startswith("title"):
        return _quoted(value)
    if field == "due_days":
        return _due(value)
    if field == "second_marking":
        return t(f"rubrics.rule.{value}")
    return f"{value}%" if field == "second_marking_pct" else str(value)


# -- certification criteria and thresholds -----------------------------------------------------------------------
def certification_tab(db, actor, view: ProgrammeView) -> None:
    th = view.thresholds
    st.subheader(t("programme.criteria"))
    criteria = [t("cert.modules", bar=th["module_pass_pct"]), t("cert.overall_test", bar=th["overall_test_pass_pct"]),
                t("cert.task_sheet"), t("cert.reflections", bar=th["reflection_rate_pct"]),
                t("cert.final_report", bar=th["report_min_level"]), t("cert.assignments"), t("cert.workshop"),
                t("cert.certification_test", bar=th["certification_test_pass_pct"])]
    st.markdown("\n".join(f"- {line}" for line in criteria))
    st.markdown(t("programme.validity", years=th["certificate_valid_years"]))
    st.caption(t("programme.thresholds_note", certification=t("nav.certification")))

    seen = _seen("thresholds", dict(th))
    base = "programme_thresholds"
    key = form_key(base)
    with st.form(key):
        values = {}
        for i, (column, (low, high)) in enumerate(THRESHOLDS.items()):
            if i % 3 == 0:  # a row of three at a time: on a phone the fields stack in the order of the list above
                columns = st.columns(3)
            values[column] = int(columns[i % 3].number_input(
                t(f"certification.threshold_{column}"), min_value=low, max_value=high, step=1, value=th[column],
                key=f"{key}_{column}"))
        submitted = st.form_submit_button(t("programme.save_thresholds"), type="primary", icon=":material/save:")
    if submitted:
        changes = _changes(seen, values, lambda column: t(f"certification.threshold_{column}"),
                           lambda column, value: str(value))
        _save(base, lambda: programme_edit.update_thresholds(db, actor, seen, values),
              t("programme.thresholds_saved", changes=changes),
              _rebase({column: f"{key}_{column}" for column in THRESHOLDS}, seen, values, dict(th)))
    _notice(base)


# -- stage lengths ------------------------------------------------------------------------------------------------
def _weekday(day: int | None) -> str:
    return t("programme.weekday_any") if day is None else t("programme.weekday", day=t(f"weekday.{day}"))


def stages_tab(db, actor, view: ProgrammeView) -> None:
    st.dataframe([{t("programme.col_stage"): t(f"programme.stage.{s.stage}"),
                   t("programme.col_days"): t("programme.days", count=s.days),
                   t("programme.col_gap"): "—" if i == 0 else t("programme.gap_days", count=s.days_after_previous),
                   t("programme.col_weekday"): "—" if i == 0 else _weekday(s.weekday)}
                  for i, s in enumerate(view.stages)], hide_index=True, width="stretch")
    st.caption(t("programme.stages_note", setup=t("nav.setup")))

    seen = _seen("stages", view.stages)
    base = "programme_stages"
    key = form_key(base)
    weekdays = [None, *range(7)]
    with st.form(key):
        new = []
        for i, s in enumerate(view.stages):
            name = t(f"programme.stage.{s.stage}")
            # the first stage has only its length: on a phone, two empty columns would leave a gap below it
            days_col, gap_col, weekday_col = st.columns(3) if i else (st.container(width=260), None, None)
            fixed = s.stage in FIXED_DAYS
            days = days_col.number_input(t("programme.stage_days", stage=name), min_value=1,
                                         max_value=programme_edit.DAYS_LIMIT, step=1, value=s.days, disabled=fixed,
                                         help=t("programme.fixed_days_help") if fixed else None,
                                         key=f"{key}_{s.stage}_days")
            gap, weekday = s.days_after_previous, s.weekday
            if i:  # the first stage starts on the day the office chooses for each cohort
                gap = gap_col.number_input(t("programme.stage_gap", stage=name), min_value=1,
                                           max_value=programme_edit.GAP_LIMIT, step=1, value=s.days_after_previous,
                                           key=f"{key}_{s.stage}_gap")
                weekday = weekday_col.selectbox(t("programme.stage_weekday", stage=name), weekdays,
                                                index=weekdays.index(s.weekday), format_func=_weekday,
                                                key=f"{key}_{s.stage}_weekday")
            new.append(Stage(s.stage, int(days), int(gap), weekday))
        submitted = st.form_submit_button(t("programme.save_stages"), type="primary", icon=":material/save:")
    if submitted:
        typed, saw, now = ({f"{s.stage}_{f}": getattr(s, a) for s in stages
                            for f, a in (("days", "days"), ("gap", "days_after_previous"), ("weekday", "weekday"))}
                           for stages in (new, seen, view.stages))
        _save(base, lambda: programme_edit.update_stages(db, actor, seen, tuple(new)), t("programme.stages_saved"),
              _rebase({field: f"{key}_{field}" for field in typed}, saw, typed, now))
    _notice(base)
