"""Every screen: its address (= its page file, pages/<address>.py), the roles that may open it, and its menu
title (a catalogue key).

app.py builds the menu from this table; each page file declares the same roles on its first line; a test checks
the two agree. Addresses are stable so people can bookmark them."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Route:
    path: str
    roles: tuple[str, ...]
    title_key: str
    icon: str
    section_key: str

    @property
    def file(self) -> str:
        """The page file: its name is the address (pages/inbox.py serves /inbox)."""
        return f"pages/{self.path}.py"


ROUTES: tuple[Route, ...] = (
    Route("reflection", ("trainee",), "nav.reflection", ":material/edit_note:",
          "nav.section.trainee"),
    Route("assignments", ("trainee",), "nav.assignments", ":material/assignment:",
          "nav.section.trainee"),
    Route("progress", ("trainee",), "nav.progress", ":material/timeline:",
          "nav.section.trainee"),
    Route("inbox", ("supervisor",), "nav.inbox", ":material/inbox:",
          "nav.section.supervisor"),
    Route("scoring", ("supervisor",), "nav.scoring", ":material/grading:",
          "nav.section.supervisor"),
    Route("trainee", ("supervisor", "manager"), "nav.trainee", ":material/person:",
          "nav.section.supervisor"),
    Route("cohorts", ("manager", "supervisor"), "nav.cohorts", ":material/groups:",
          "nav.section.manager"),
    Route("cohort", ("manager", "supervisor"), "nav.cohort", ":material/monitoring:",
          "nav.section.manager"),
    Route("moderation", ("manager",), "nav.moderation", ":material/balance:",
          "nav.section.manager"),
    Route("programme", ("manager", "admin"), "nav.programme", ":material/school:",
          "nav.section.manager"),
    Route("rubrics", ("manager", "admin"), "nav.rubrics", ":material/rule:",
          "nav.section.manager"),
    Route("workshop", ("manager", "admin"), "nav.workshop", ":material/diversity_3:",
          "nav.section.manager"),
    Route("certification", ("manager", "supervisor"), "nav.certification",
          ":material/workspace_premium:", "nav.section.manager"),
    Route("register", ("manager",), "nav.register", ":material/badge:",
          "nav.section.manager"),
    Route("admin", ("admin",), "nav.admin", ":material/admin_panel_settings:",
          "nav.section.admin"),
    Route("setup", ("admin",), "nav.setup", ":material/event_note:",
          "nav.section.admin"),
    Route("imports", ("admin",), "nav.imports", ":material/upload_file:",
          "nav.section.admin"),
    Route("privacy", ("manager", "admin"), "nav.privacy", ":material/shield_person:",
          "nav.section.admin"),
    # the know-how library and the partner directory: every cohort's trainees, staff and graduates
    Route("library", ("trainee", "supervisor", "manager", "graduate"), "nav.library", ":material/local_library:",
          "nav.section.library"),
    Route("partners", ("trainee", "supervisor", "manager", "graduate"), "nav.partners", ":material/handshake:",
          "nav.section.library"),
    Route("account", ("trainee", "supervisor", "manager", "admin", "graduate"), "nav.account",
          ":material/manage_accounts:", "nav.section.account"),
)

BY_PATH = {r.path: r for r in ROUTES}
# the first screen of a person's role: a manager (most also supervise) starts on the cohorts overview
START_ORDER = ("trainee", "manager", "supervisor", "admin")
START_PAGE = {"trainee": "reflection", "supervisor": "inbox", "manager": "cohorts", "admin": "admin",
              "graduate": "library"}


def routes_for(roles) -> list[Route]:
    return [r for r in ROUTES if set(r.roles) & set(roles)]


def start_route(roles) -> Route:
    if "graduate" in roles:
        # a graduate's trainee role belongs to a finished cohort: the library comes first, staff roles still win
        roles = set(roles) - {"trainee"}
    for role in (*START_ORDER, "graduate"):
        if role in roles:
            return BY_PATH[START_PAGE[role]]
    return BY_PATH["account"]
