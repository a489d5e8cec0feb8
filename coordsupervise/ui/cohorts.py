"""Streamlit pieces of the cohort dashboards (/cohorts, /cohort) and the supervisor's at-risk list on /trainee:
cached reads keyed by explicit arguments, download buttons (CSV and XLSX for every table behind a chart), the
at-risk table with its reasons in words."""
from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from ..access import Actor, require_role
from ..dashboards import cohort_scope, dashboard, risk
from ..office import exports
from ..programme import enrolments
from ..text.usertext import literal
from .runtime import content_stamp, database, language, once_per_run, t
from .widgets import link

TTL = 120  # dashboards may lag trainees' writes by two minutes; an admin's or manager's edit shows at once


# Each cached read has the database's content stamp (runtime.content_stamp) as its first key, so an edit of
# cohorts, caseloads, rubrics or risk settings made in any app process misses the entries cached before it. The
# second is the viewer (_viewer): what the person may see, not who they are. Every manager sees every cohort and every
# trainee the same way (cohort_scope.enrolment_scope), so managers share one entry per figure: the second manager to
# open a cohort no longer recounts it. The service runs with the first caller (`_actor`, left out of the key); every
# caller's own access is checked before a cached answer is handed over (_checked).
@st.cache_data(ttl=TTL, show_spinner=False)
def _cohort_list(stamp: int, viewer, today: date, year: int | None, stage: str | None, search: str, page: int,
                 _actor: Actor):
    return dashboard.cohort_list(database(), _actor, today, dashboard.CohortFilter(year, stage, search), page)


@st.cache_data(ttl=TTL, show_spinner=False)
def _cohort_choices(stamp: int, viewer, _actor: Actor) -> pd.DataFrame:
    return dashboard.cohort_choices(database(), _actor)


@st.cache_data(ttl=TTL, show_spinner=False)
def _cohort_years(stamp: int, viewer, _actor: Actor) -> list[int]:
    return dashboard.cohort_years(database(), _actor)


@st.cache_data(ttl=TTL, show_spinner=False)
def _read(stamp: int, name: str, viewer, cohort_id: int, today: date | None, _actor: Actor):
    fn = getattr(dashboard, name)
    return fn(database(), _actor, cohort_id, today) if today is not None else fn(database(), _actor, cohort_id)


@st.cache_data(ttl=TTL, show_spinner=False)
def _at_risk(stamp: int, viewer, today: date, cohort_id: int | None, caseload: bool, lang: str, _actor: Actor):
    return risk.at_risk(database(), _actor, today, cohort_id, caseload, lang)


@st.cache_data(ttl=TTL, show_spinner=False)
def _stage_calendars(stamp: int, viewer, cohort_ids: tuple[int, ...], _actor: Actor) -> pd.DataFrame:
    return dashboard.stage_calendars(database(), _actor, list(cohort_ids))


@st.cache_data(ttl=TTL, show_spinner=False)
def _compare_practical(stamp: int, viewer, cohort_ids: tuple[int, ...], today: date,
                       _actor: Actor) -> pd.DataFrame:
    return dashboard.compare_practical(database(), _actor, list(cohort_ids), today)


MANAGERS = "every manager"  # the viewer of a manager's dashboards


def _viewer(actor: Actor, caseload: bool = False):
    """The cache key of what `actor` may see on the dashboards: a manager sees what every manager sees (unless the
    read is their own caseload); a supervisor sees their own trainees only, so they are their own key."""
    return MANAGERS if actor.has("manager") and not caseload else actor


def _checked(actor: Actor, caseload: bool = False):
    """The viewer key of `actor`, once their own access to the dashboards is checked (the cached answer may have
    been computed for another manager): the role, and the account still active (once per script run)."""
    if not caseload and actor.has("manager"):
        once_per_run("dashboard_viewer", actor.id,
                     lambda: require_role(actor, *cohort_scope.DASHBOARD_ROLES, db=database()))
    return _viewer(actor, caseload)


# The trainee picker of /trainee: rosters, names and caseloads are stamped content (imports, /admin, /setup bump
# the stamp), so the lists change only with the stamp; keyed by the day too (cohorts in their practical stage first).
@st.cache_data(ttl=TTL, show_spinner=False)
def _trainee_directory(stamp: int, actor: Actor, today: date, query: str, cohort_id: int | None) -> list[dict]:
    return enrolments.directory(database(), actor, query, cohort_id=cohort_id)


@st.cache_data(ttl=TTL, show_spinner=False)
def _trainee_cohorts(stamp: int, actor: Actor) -> list[dict]:
    return enrolments.visible_cohorts(database(), actor)


def trainee_directory(actor: Actor, today: date, query: str = "", cohort_id: int | None = None) -> list[dict]:
    """enrolments.directory, read again when the content stamp moves (st.cache_data hands each caller its own copy)."""
    return _trainee_directory(content_stamp(), actor, today, query, cohort_id)


def trainee_cohorts(actor: Actor) -> list[dict]:
    return _trainee_cohorts(content_stamp(), actor)


def stage_calendars(actor: Actor, cohort_ids: list[int]) -> pd.DataFrame:
    return _stage_calendars(content_stamp(), _checked(actor), tuple(cohort_ids), actor)


def compare_practical(actor: Actor, cohort_ids: list[int], today: date) -> pd.DataFrame:
    return _compare_practical(content_stamp(), _checked(actor), tuple(cohort_ids), today, actor)


def cohort_list(actor: Actor, today: date, year: int | None, stage: str | None, search: str, page: int):
    return _cohort_list(content_stamp(), _checked(actor), today, year, stage, search, page, actor)


def cohort_choices(actor: Actor) -> pd.DataFrame:
    return _cohort_choices(content_stamp(), _checked(actor), actor)


def cohort_years(actor: Actor) -> list[int]:
    return _cohort_years(content_stamp(), _checked(actor), actor)


def read(name: str, actor: Actor, cohort_id: int, today: date | None = None):
    """One dashboard figure of one cohort (dashboard.<name>), cached per viewer, cohort and day."""
    return _read(content_stamp(), name, _checked(actor), cohort_id, today, actor)


def at_risk(actor: Actor, today: date, cohort_id: int | None, caseload: bool = False,
            lang: str = "ja") -> pd.DataFrame:
    return _at_risk(content_stamp(), _checked(actor, caseload), today, cohort_id, caseload, lang, actor)


def clear() -> None:
    """After a write in this process that changes what the dashboards show (trainees' data is not stamped)."""
    for fn in (_cohort_list, _read, _at_risk, _stage_calendars, _compare_practical):
        fn.clear()


def downloads(frame: pd.DataFrame, name: str, key: str, label: str | None = None) -> None:
    """The table behind a chart, as CSV (UTF-8 with BOM, formula-safe) and XLSX, under a caption naming it. The
    files are written when a button is clicked, not on every run of the page (nine XLSX workbooks took a third of
    the one-cohort dashboard's script time), and a click does not rerun the page."""
    if label:
        st.caption(t("dash.download_label", what=label))
    c1, c2 = st.columns(2)
    c1.download_button(t("dash.csv"), lambda: exports.csv_bytes(frame), file_name=f"{name}.csv", mime="text/csv",
                       key=f"{key}_csv", icon=":material/download:", width="stretch", on_click="ignore")
    c2.download_button(t("dash.xlsx"), lambda: exports.xlsx_bytes(frame, name),
                       file_name=f"{name}.xlsx", key=f"{key}_xlsx", icon=":material/table_view:", width="stretch",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", on_click="ignore")


def reason_text(reasons) -> str:
    """A trainee's reasons in words, one per line."""
    return "\n".join(t(f"risk.reason.{rule}", n=n, detail=detail) for rule, n, detail in reasons)


def criteria_text(thresholds: dict) -> str:
    """The at-risk rules with today's thresholds, in words: no grace is no "(0日の猶予後)"."""
    grace = int(thresholds.get("overdue_grace_days") or 0)
    overdue = t("risk.criteria_overdue_grace", days=grace) if grace else t("risk.criteria_overdue")
    return t("risk.criteria", **thresholds, overdue=overdue)


def risk_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The at-risk list as people read and export it."""
    return pd.DataFrame({
        t("dash.col_trainee"): frame["trainee"], t("dash.col_cohort"): frame["cohort_code"],
        t("dash.col_reason_count"): frame["reasons"].str.len(),
        t("dash.col_reasons"): [reason_text(r).replace("\n", " / ") for r in frame["reasons"]]})


def risk_list(frame: pd.DataFrame, key: str, limit: int = 50) -> None:
    """Each trainee at risk with the reasons, linked to their profile."""
    if frame.empty:
        st.success(t("risk.nobody"), icon=":material/check_circle:")
        return
    for row in frame.head(limit).itertuples():
        with st.container(border=True):
            link("trainee", f"{literal(row.trainee)} · {literal(row.cohort_code)}", ":material/person:",
                 {"e": str(row.enrolment_id)})
            st.markdown("\n".join(f"- {t(f'risk.reason.{rule}', n=n, detail=detail)}"
                                   for rule, n, detail in row.reasons))
    if len(frame) > limit:
        st.caption(t("risk.more", n=len(frame) - limit))


def caseload_risk(actor: Actor, today: date, open_when_at_risk: bool = True) -> None:
    """The supervisor's own trainees at risk, compact, at the top of /trainee; open when someone needs a word, unless
    the caller says a particular trainee was asked for (on a phone the open list pushes that profile far down)."""
    if not actor.has("supervisor"):
        return
    frame = at_risk(actor, today, None, True, language())
    label = t("risk.caseload_title", n=len(frame))
    icon = ":material/warning:" if len(frame) else ":material/check_circle:"
    # the twenty cards (each a page link) are drawn only while the list is open: opening it reruns the page, and a
    # profile asked for by address (the list folded) no longer pays for them on every click
    box = st.expander(label, expanded=open_when_at_risk and not frame.empty, icon=icon, key="trainee_risk_open",
                      on_change="rerun")
    if box.open:
        with box:
            st.caption(t("risk.caseload_hint"))
            risk_list(frame, "trainee_risk", limit=20)
