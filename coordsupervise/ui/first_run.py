"""The first run of a real deployment: /setup on a database without a training programme offers the shipped
curriculum (or an uploaded file in its format) instead of an error, shows what it holds, and loads it through
curriculum.init_programme as the admin (checked and audited). Once loaded, /setup draws as usual. The admin's start
page and the screens that need a programme point there meanwhile."""
from __future__ import annotations

import streamlit as st

from ..access import Actor
from ..errors import UserError
from ..programme import curriculum
from ..store.db import Database
from ..text.usertext import literal
from .guard import show_error
from .runtime import language, t
from .widgets import link


def offer_programme(db: Database, actor: Actor) -> None:
    """Nothing when the database has a programme; otherwise the offer, and the page stops below it."""
    if curriculum.has_programme(db):
        return
    st.subheader(t("setup.first_run_title"))
    st.write(t("setup.first_run_intro"))
    shipped = curriculum.load(None)
    with st.container(border=True):
        st.markdown(f"**{t('setup.first_run_shipped')}**")
        describe(shipped, "setup_first_run_shipped")
        load, download = st.columns(2)
        if load.button(t("setup.first_run_load"), type="primary", key="setup_first_run_load"):
            _load(db, actor, shipped)
        download.download_button(t("setup.first_run_download"), curriculum.shipped_file(),
                                 file_name=curriculum.SHIPPED.rsplit("/", 1)[-1], mime="application/toml",
                                 key="setup_first_run_download")
    with st.container(border=True):
        st.markdown(f"**{t('setup.first_run_upload')}**")
        upload = st.file_uploader(t("setup.first_run_upload"), type=["toml"], key="setup_first_run_file",
                                  label_visibility="collapsed")
        st.caption(t("setup.first_run_upload_hint"))
        if upload is not None:
            try:
                uploaded = curriculum.loads(upload.getvalue(), upload.name)
            except UserError as exc:
                show_error(exc)
            else:
                describe(uploaded, "setup_first_run_uploaded")
                if st.button(t("setup.first_run_load_file"), type="primary", key="setup_first_run_load_file"):
                    _load(db, actor, uploaded)
    st.stop()


def point_to_setup(db: Database, actor: Actor) -> bool:
    """On another screen, while the database has no programme: say so, with the way to /setup for an admin. True
    when there is none (the screen then has nothing to show)."""
    if curriculum.has_programme(db):
        return False
    st.info(t("setup.first_run_pointer"), icon=":material/school:")
    if actor.has("admin"):
        link("setup", t("nav.setup"), ":material/event_note:")
    return True


def _load(db: Database, actor: Actor, loaded: curriculum.Curriculum) -> None:
    try:
        curriculum.init_programme(db, loaded, actor=actor)
    except UserError as exc:
        show_error(exc)
        return
    st.session_state["setup_notice"] = t("setup.first_run_loaded", name=literal(_name(loaded)))
    st.rerun()


def _name(c: curriculum.Curriculum) -> str:
    return c.programme.name_ja if language() == "ja" else c.programme.name_en


def describe(c: curriculum.Curriculum, key: str) -> None:
    """What a curriculum holds, before it is loaded: its name and counts, the certification criteria, the stage
    lengths, and the competencies, modules and assignments as tables (keyed `key`_...)."""
    ja = language() == "ja"
    th = c.thresholds
    st.markdown(f"**{literal(_name(c))}** ({literal(c.programme.code)})")  # an uploaded file's text, as written
    st.write(t("setup.first_run_counts", **curriculum.summary(c)))
    st.caption(t("setup.first_run_thresholds", module=th["module_pass_pct"], overall=th["overall_test_pass_pct"],
                 reflections=th["reflection_rate_pct"], level=th["report_min_level"],
                 test=th["certification_test_pass_pct"], years=c.programme.certificate_valid_years))
    st.caption(t("setup.first_run_stages", **{s.stage: s.days for s in c.stages}))
    with st.expander(t("setup.first_run_competencies")):
        st.dataframe([{t("setup.first_run_col_code"): k.code, t("setup.first_run_col_name"): k.name_ja if ja
                       else k.name_en} for k in c.competencies], hide_index=True, width="stretch",
                     key=f"{key}_competencies")
    with st.expander(t("setup.first_run_modules")):
        st.dataframe([{t("setup.col_seq"): seq, t("setup.first_run_col_group"): m.group,
                       t("setup.first_run_col_title"): m.title_ja if ja else m.title_en,
                       t("setup.first_run_col_competency"): m.competency or t("setup.first_run_all"),
                       t("setup.first_run_col_pass"): th["module_pass_pct"] if m.pass_pct is None else m.pass_pct}
                      for seq, m in enumerate(c.modules, start=1)], hide_index=True, width="stretch",
                     key=f"{key}_modules")
    with st.expander(t("setup.first_run_assignments")):
        st.dataframe([{t("setup.first_run_col_code"): a.code, t("setup.first_run_col_title"): a.title_ja if ja
                       else a.title_en, t("setup.col_kind"): t(f"setup.kind.{a.kind}"),
                       t("setup.first_run_col_rubric"): a.rubric or "", t("setup.first_run_col_due_days"): a.due_days,
                       t("setup.col_critical"): a.certification_critical} for a in c.assignments],
                     hide_index=True, width="stretch", key=f"{key}_assignments")
