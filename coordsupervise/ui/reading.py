"""How a submitted reflection reads to its supervisor, wherever it is shown (the inbox, the trainee's timeline): the
competencies it was tagged with, by short name, the full wording on hover."""
from __future__ import annotations

import streamlit as st

from .runtime import competencies, language, t


def competency_tags(codes: list[str] | None) -> None:
    """The reflection's competency tags as badges ("C1 在留状況の把握"); nothing when it has none. A badge is cut at
    its column's width, so the tag carries the short name and the help beside it the full wording."""
    if not codes:
        return
    names = {c["code"]: c["name_ja" if language() == "ja" else "name_en"] for c in competencies()}
    st.markdown(" ".join(f":blue-badge[{code} {t(f'competency.short.{code}')}]" for code in codes),
                help="  \n".join(f"{code} {names.get(code, '')}" for code in codes))
