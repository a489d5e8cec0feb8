"""The screens whose content depends on the day, opened at every day of PROGRAMME_DAYS on a demo built that day."""
import pytest

from tests.pages.test_routes_as_every_role import texts

SCREENS = [("demo-trainee", "pages/reflection.py"), ("demo-trainee", "pages/progress.py"),
           ("demo-supervisor", "pages/inbox.py"), ("demo-manager", "pages/cohorts.py")]


@pytest.fixture
def page_db(programme_day):
    return programme_day[1]


@pytest.mark.parametrize("username, script", SCREENS, ids=[s.split("/")[1][:-3] for _, s in SCREENS])
def test_screen_on_any_day(app, programme_day, username, script):
    day = programme_day[0]
    at = app(username, script=script).run()
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    if script == "pages/reflection.py":
        opened = at.date_input[0].value
        assert opened <= day  # never a day that has not come
        assert any(opened.strftime("%Y/%m/%d") in t for t in texts(at))
