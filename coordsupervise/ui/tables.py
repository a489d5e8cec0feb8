"""Wide tables on desk and phone screens: the column that names a row is pinned, so it stays in view while the rest
scroll sideways, and the columns a decision rests on come right after it at set widths, so a 1280-px screen shows
them without scrolling (the board's decision and certificate number, the cohorts' at-risk count and certification
rate, the caseload's supervisors, an import row's action).

Streamlit (1.67) keeps pinned columns in place only while they take at most 60 % of the table's width; wider, it
silently lets them scroll away. On a 390-px phone a table is about 350 px wide, so a pinned column stays under about
200 px: NAME_WIDTH holds a Japanese name of eight characters, or a Latin one of about twenty letters."""
from __future__ import annotations

import streamlit as st

NAME_WIDTH = 140        # px, the pinned name column
CODE_WIDTH = 100        # px, a cohort's code (2026-B-002)
STAGE_WIDTH = 180       # px, a stage's name (養成課程1(オンライン研修))
FIGURE_WIDTH = 80       # px, a count or a rate with a short header (要支援, 認証率)
SUPERVISORS_WIDTH = 240  # px, a trainee's supervisors, two names or three
DECISION_WIDTH = 150     # px, a certification decision (認定(基準外の認定), "Certified (override)")
CERTIFICATE_WIDTH = 160  # px, a certificate number (FRSC-2025-B-001-001)
STATUS_WIDTH = 170       # px, a certificate's validity (90日以内に期限切れ, "Expiring within 90 days")
DATE_WIDTH = 110         # px, a date (2029-06-06)
ACTION_WIDTH = 100       # px, what an import does to a row (追加, 更新, "Unchanged")
LINE_WIDTH = 60          # px, a line number of an imported file
ROW_PICKER_WIDTH = 36   # px, the check-box column a selectable table adds in front
DESK_TABLE_WIDTH = 800  # px a table gets at 1280 px with the sidebar open (820 measured)
PHONE_TABLE_WIDTH = 350  # px a table gets at 390 px
PIN_SHARE = 0.6         # Streamlit unpins when the pinned columns take more of the table than this


def pinned_name(label: str, width: int = NAME_WIDTH, **kwargs):
    """The pinned column that names each row (a person, a cohort)."""
    return st.column_config.TextColumn(label, pinned=True, width=width, **kwargs)
