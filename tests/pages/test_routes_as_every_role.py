"""Every route as every role: allowed roles see the page, others are refused with a message and no data."""
import pytest

from coordsupervise.i18n import translate
from coordsupervise.programme import auth
from coordsupervise.routes import ROUTES
from coordsupervise.ui.runtime import database

ACCOUNTS = {"demo-trainee": {"trainee"}, "demo-supervisor": {"supervisor"},
            "demo-manager": {"manager", "supervisor"}, "demo-admin": {"admin"}}


def texts(at):
    return [e.value for e in at.main.children.values() if hasattr(e, "value")] + \
        [str(getattr(e, "body", "")) for e in at.get("alert")] + [m.value for m in at.markdown]


ALLOWED = [(r, u) for r in ROUTES for u in ACCOUNTS if set(r.roles) & ACCOUNTS[u]]
REFUSED = [(r, u) for r in ROUTES for u in ACCOUNTS if not set(r.roles) & ACCOUNTS[u]]
# the first account that may open each screen runs it on both engines (its queries on PostgreSQL too); the others
# (a manager on a supervisor's screen) run the same queries for another person, on DuckDB
FIRST = {r.path: next(u for u in ACCOUNTS if set(r.roles) & ACCOUNTS[u]) for r in ROUTES}


@pytest.mark.parametrize("route, username", [(r, u) for r, u in ALLOWED if FIRST[r.path] == u],
                         ids=[f"{u}-{r.path}" for r, u in ALLOWED if FIRST[r.path] == u])
def test_page_as_the_first_role_that_may_open_it(app, route, username):
    """On both engines (tests/conftest.py): each screen's queries run on PostgreSQL too."""
    _sees_the_page(app, route, username)


@pytest.mark.duckdb_only
@pytest.mark.parametrize("route, username", [(r, u) for r, u in ALLOWED if FIRST[r.path] != u],
                         ids=[f"{u}-{r.path}" for r, u in ALLOWED if FIRST[r.path] != u])
def test_page_as_another_role_that_may_open_it(app, route, username):
    _sees_the_page(app, route, username)


def _sees_the_page(app, route, username):
    at = app(username, script=route.file).run()
    assert not at.exception, at.exception
    assert [t.value for t in at.title][:1] == [translate("ja", route.title_key)]
    assert not [e for e in at.error if e.value == translate("ja", "guard.forbidden")]


@pytest.mark.duckdb_only  # refused before any query of the screen: nothing engine-specific runs
@pytest.mark.parametrize("route, username", REFUSED, ids=[f"{u}-{r.path}" for r, u in REFUSED])
def test_page_as_a_role_that_may_not(app, route, username):
    at = app(username, script=route.file).run()
    assert not at.exception, at.exception
    assert [e.value for e in at.error] == [translate("ja", "guard.forbidden")]
    assert len(at.title) == 0 and len(at.dataframe) == 0 and len(at.metric) == 0


@pytest.mark.duckdb_only  # refused before any query of the screen
@pytest.mark.parametrize("route", ROUTES, ids=[r.path for r in ROUTES])
def test_page_without_login_shows_nothing(app, route):
    at = app(None, script=route.file).run()
    assert not at.exception
    assert [w.value for w in at.warning] == [translate("ja", "guard.login_required")]
    assert len(at.title) == 0 and len(at.dataframe) == 0


@pytest.mark.parametrize("username, expected_start", [
    ("demo-trainee", "nav.reflection"), ("demo-supervisor", "nav.inbox"), ("demo-manager", "nav.cohorts"),
    ("demo-admin", "nav.admin")])
def test_router_opens_the_start_page_of_the_role(app, username, expected_start):
    at = app(username).run()
    assert not at.exception
    assert at.title[0].value == translate("ja", expected_start)


def test_router_shows_login_form_when_logged_out(app):
    at = app(None).run()
    assert not at.exception
    labels = [t.label for t in at.text_input]
    assert translate("ja", "login.username") in labels and translate("ja", "login.password") in labels
    assert len(at.title) == 1  # the app title only, no page


def test_router_moves_between_pages(app):
    at = app("demo-manager").run()
    at.switch_page("pages/cohorts.py").run()
    assert not at.exception
    assert at.title[0].value == translate("ja", "nav.cohorts")
    assert len(at.dataframe) == 1


def test_logout_elsewhere_ends_this_open_session(app):
    """Logging out in another tab (or deactivation) ends this session at its next run."""
    at = app("demo-admin").run()
    assert at.title[0].value == translate("ja", "nav.admin")
    db = database()
    auth.end_sessions(db, auth.load_login_user(db, "demo-admin").id)
    at.run()
    assert translate("ja", "login.session_ended") in [i.value for i in at.info]
    assert translate("ja", "login.username") in [t.label for t in at.text_input]


def test_first_run_of_a_fresh_server_is_handed_over_to_the_router(app):
    """With pages/ beside app.py, AppTest's first run starts in Streamlit's old pages/ mode, like a fresh server;
    the hand-over leaves it, so the router (not a bare page file) draws the start page."""
    from streamlit.runtime.pages_manager import PagesManager

    at = app("demo-supervisor").run()
    assert not at.exception
    assert PagesManager.uses_pages_directory is False
    assert at.title[0].value == translate("ja", "nav.inbox")
    assert len(at.sidebar.button) == 1  # the router's logout button: app.py ran


@pytest.mark.duckdb_only  # the failure is faked; nothing engine-specific runs
def test_a_failing_login_check_is_a_message_not_a_stack_trace(app, monkeypatch):
    """The login check reads the database before any page runs, outside the pages' own net: an overloaded database
    (at 200 sessions on one process the connection pool timed out there) gets the friendly message."""
    from psycopg_pool import PoolTimeout

    from coordsupervise.ui import login

    def overloaded():
        raise PoolTimeout("couldn't get a connection after 30.00 sec")

    monkeypatch.setattr(login, "current_actor", overloaded)
    at = app("demo-supervisor").run()
    assert not at.exception
    assert [e.value for e in at.error] == [translate("ja", "error.unexpected")]
    assert len(at.title) == 0


def test_the_demo_login_page_lists_the_graduate_account_with_its_role(app):
    at = app(None).run()
    assert not at.exception
    table = at.table[0].value
    shown = dict(zip(table[translate("ja", "login.demo_account")], table[translate("ja", "login.demo_role")],
                     strict=True))
    assert shown["demo-graduate"] == translate("ja", "role.graduate")
