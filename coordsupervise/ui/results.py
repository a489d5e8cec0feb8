"""The online modules' confirmation-test results as one table, the same for the trainee (/progress) and their
supervisor (/trainee): the result first and the long module title last, so a phone cuts the title, not the score."""
from __future__ import annotations

import streamlit as st

from .runtime import language, t


def module_results_table(modules: list[dict]) -> None:
    """One row per module: passed / not passed / not taken yet (an untaken test is not a failed one), best score as
    a bar, attempts, then the title."""
    ja = language() == "ja"
    st.dataframe(
        [{t("progress.col_passed"): t("progress.pass") if m["passed"] else (
            t("progress.not_taken") if m["best"] is None else t("progress.fail")),
          t("progress.col_best"): None if m["best"] is None else float(m["best"]),
          t("progress.col_attempts"): m["attempts"],
          t("progress.col_module"): f"{m['seq']:02d} {m['title_ja'] if ja else m['title_en']}"} for m in modules],
        hide_index=True, width="stretch", placeholder="—",
        column_config={t("progress.col_best"): st.column_config.ProgressColumn(
            t("progress.col_best"), min_value=0, max_value=100, format="%.0f%%", width="small"),
            t("progress.col_passed"): st.column_config.TextColumn(width="small"),
            t("progress.col_attempts"): st.column_config.NumberColumn(width="small")})
