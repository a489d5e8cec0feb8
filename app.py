"""Router only: page config, login, and the menu of pages for this person's roles (coordsupervise/routes.py)."""
import logging

import streamlit as st
from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException

from coordsupervise.access import remembering_relations
from coordsupervise.config import ConfigError
from coordsupervise.errors import UserError
from coordsupervise.routes import ROUTES, routes_for, start_route
from coordsupervise.text.usertext import literal
from coordsupervise.ui import accessibility, downloads, login, runtime, state
from coordsupervise.ui.handover import hand_over_to_router
from coordsupervise.ui.runtime import t

hand_over_to_router()  # a fresh server's first run may come through Streamlit's old pages/ mode (see the module)
# a local file: a Material icon as favicon is fetched by every browser from fonts.gstatic.com (a request to Google
# on every page view of a programme holding personal data; tests/browser/test_hostile_text.py watches for it). Inline,
# as a data: URL: Streamlit would serve the file from its media store (/media/), which serve's nginx opens only to a
# browser with the login cookie, so the login page would lose its icon (read once per process: runtime.favicon)
st.set_page_config(page_title="coordsupervise", page_icon=runtime.favicon(), layout="wide")

try:
    runtime.settings()
except ConfigError as exc:
    st.error(str(exc))
    st.stop()


def _nothing() -> None:
    """The hidden page at "/" while logged out: the login form is drawn by the router itself."""


try:
    # a fresh load or reload by a browser holding a valid login cookie draws its page in this same first run
    actor = login.current_actor() or login.login_from_cookie()
except ScriptControlException:
    raise
except Exception:
    # the login check reads the database before any page runs (outside the page's own net below): an overloaded
    # database (a connection pool that timed out, found at 200 sessions on one process) must not show a stack trace
    logging.getLogger("coordsupervise").exception("login check failed")
    st.error(t("error.unexpected"))
    st.stop()
if actor is None:
    # Resolve the requested address first and keep it (with its query parameters), so that the person lands there
    # right after login; none of these pages runs until then. The default page is a hidden stand-in, because
    # Streamlit serves its default page at "/" only, and /reflection must stay /reflection.
    st.navigation([st.Page(_nothing, title="login", url_path="login", default=True, visibility="hidden"),
                   *[st.Page(r.file, url_path=r.path) for r in ROUTES]], position="hidden")
    if login.login_screen() is not None:
        # Logged in. streamlit-authenticator's cookie component, drawn in this run, stores the cookie in the
        # browser and then asks for a rerun, which draws the page with its menu. An st.rerun() here would cut
        # the component off before it stored the cookie.
        st.success(t("login.welcome"))
    accessibility.mend_page()  # <html lang> in the language the login page was drawn in (ui/accessibility.py)
    st.stop()

pages = {route.path: st.Page(route.file, title=t(route.title_key), icon=route.icon, url_path=route.path)
         for route in routes_for(actor.roles)}
start = pages[start_route(actor.roles).path]


def _home() -> None:
    """"/" opens the start page of the person's most hands-on role, under its own address."""
    st.switch_page(start)


# Addresses this person may not open are still known to the router, hidden from the menu: a bookmark of one shows
# its page's refusal rather than Streamlit's "Page not found".
sections: dict[str, list] = {"": [st.Page(_home, title="home", url_path="home", default=True,
                                          visibility="hidden"),
                                  *[st.Page(r.file, title=t(r.title_key), url_path=r.path, visibility="hidden")
                                    for r in ROUTES if r.path not in pages]]}
for route in routes_for(actor.roles):
    sections.setdefault(t(route.section_key), []).append(pages[route.path])

with st.sidebar:
    st.markdown(f"**{literal(actor.display_name)}**")
    st.caption(" / ".join(t(f"role.{role}") for role in sorted(actor.roles)))
    st.button(t("nav.logout"), key="app_logout", icon=":material/logout:", on_click=login.request_logout,
              args=(actor,))
    # <html lang>, the menu's list markup, focus, captions (ui/accessibility.py): in the menu's column, so the page's
    # own column holds no script (tests/browser/test_hostile_text.py looks for any there)
    accessibility.mend_page()
    login.focus_the_title()  # the first screen after a login: the keyboard focus on its title (last: it comes once)

page = st.navigation(sections, expanded=True)  # every screen listed: no "View more" fold
# which screen the previous run drew: a screen entered from elsewhere re-sends its widgets' values (ui.state)
st.session_state[state.PREVIOUS_PAGE] = st.session_state.get(state.CURRENT_PAGE)
st.session_state[state.CURRENT_PAGE] = page.url_path
downloads.forget_other_screens(page.url_path)  # a one-time download ends when its screen is left
try:
    with remembering_relations():  # a trainee's relation to the reader, asked by each service, is read once per run
        page.run()
except ScriptControlException:
    raise  # st.stop, st.rerun and st.switch_page travel as exceptions
except UserError as exc:
    st.error(t(exc.key, **exc.params))
except Exception:
    # never a stack trace on screen: log it for the operator, say something useful to the person
    logging.getLogger("coordsupervise").exception("page failed")
    st.error(t("error.unexpected"))
finally:
    runtime.settle_heap()  # after a run that loaded modules: Streamlit's full collection after each run stays cheap
