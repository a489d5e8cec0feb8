"""Settings, message catalogues and the route table."""
import re
from pathlib import Path

import pytest

from coordsupervise.config import ConfigError, load_settings
from coordsupervise.i18n import catalogue, translate
from coordsupervise.routes import ROUTES, routes_for, start_route

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = "q3XUj0yH1p8Jd5wz6CkVb2NfTg7Lr4Ms9Ae-_Zx0YtW"


def test_demo_mode_is_the_default_and_db_path_is_configurable():
    settings = load_settings(env={"COORDSUPERVISE_DB": "/tmp/x.duckdb"})
    assert settings.demo and settings.db_path == "/tmp/x.duckdb"
    assert load_settings(env={}, secrets={"db_path": "/srv/y.duckdb"}).db_path == "/srv/y.duckdb"


@pytest.mark.parametrize("key", [None, "", "short", "a" * 60])
def test_production_refuses_a_weak_or_missing_cookie_key(key):
    env = {"COORDSUPERVISE_MODE": "production"}
    if key is not None:
        env["COORDSUPERVISE_COOKIE_KEY"] = key
    with pytest.raises(ConfigError, match="token_urlsafe"):
        load_settings(env=env)


def test_production_accepts_a_random_key():
    settings = load_settings(env={"COORDSUPERVISE_MODE": "production", "COORDSUPERVISE_COOKIE_KEY": GOOD_KEY})
    assert not settings.demo and settings.cookie_key == GOOD_KEY


def test_session_lifetime_is_at_most_twelve_hours():
    assert load_settings(env={}).session_hours == 12
    with pytest.raises(ConfigError):
        load_settings(env={"COORDSUPERVISE_SESSION_HOURS": "24"})


def test_catalogues_have_the_same_keys_and_placeholders():
    ja, en = catalogue("ja"), catalogue("en")
    assert sorted(set(ja) ^ set(en)) == []
    for key in ja:
        assert set(re.findall(r"{(\w+)}", ja[key])) == set(re.findall(r"{(\w+)}", en[key])), key


def test_every_key_used_in_code_exists():
    used = set()
    for path in [ROOT / "app.py", *ROOT.glob("pages/*.py"), *ROOT.glob("coordsupervise/**/*.py")]:
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r"""\bt\(\s*"([a-z0-9_.]+)\"""", text))
        used |= set(re.findall(r"""(?:UserError|InvalidInput|AccessDenied|NotFound|StaleWrite)\(\s*"([a-z0-9_.]+)\"""",
                               text))
    # a message about a number of things is the pair key.one / key.other (i18n.translate picks by `count`)
    known = set(catalogue("ja"))
    missing = sorted(k for k in used if k not in known and not {f"{k}.one", f"{k}.other"} <= known)
    assert missing == []


def test_translate_defaults_to_japanese_and_fills_parameters():
    assert translate("xx", "nav.inbox") == catalogue("ja")["nav.inbox"]
    assert "3" in translate("en", "admin.people_count", count=3)


def test_every_page_file_declares_the_roles_of_its_route():
    for route in ROUTES:
        text = (ROOT / route.file).read_text(encoding="utf-8")
        first_call = re.search(r"^actor = require\((.*)\)$", text, re.M)
        assert first_call, f"{route.file} does not start with require(...)"
        declared = tuple(re.findall(r'"(\w+)"', first_call.group(1)))
        assert set(declared) == set(route.roles), route.file
        # the guard is the first statement after the imports: nothing reads data before it
        body = text[text.index("actor = require"):]
        before = text[:text.index("actor = require")]
        assert "database()" not in before and body


def test_menus_per_role():
    assert [r.path for r in routes_for({"trainee"})] == ["reflection", "assignments", "progress", "library", "partners",
                                                       "account"]
    assert [r.path for r in routes_for({"supervisor"})] == ["inbox", "scoring", "trainee", "cohorts", "cohort",
                                                          "certification", "library", "partners", "account"]
    assert [r.path for r in routes_for({"manager"})] == ["trainee", "cohorts", "cohort", "moderation", "programme",
                                                       "rubrics", "workshop", "certification", "register", "privacy",
                                                       "library", "partners", "account"]
    assert [r.path for r in routes_for({"graduate"})] == ["library", "partners", "account"]
    assert [r.path for r in routes_for({"admin"})] == ["programme", "rubrics", "workshop", "admin", "setup", "imports",
                                                     "privacy", "account"]
    # a manager (who usually supervises too) starts on the cohorts overview, not the supervisor's inbox
    assert start_route({"manager", "supervisor"}).path == "cohorts"
    assert start_route({"manager"}).path == "cohorts"
    assert start_route({"supervisor"}).path == "inbox"
    # a graduate (whose trainee role belongs to a finished cohort) starts in the library; staff roles still win
    assert start_route({"trainee", "graduate"}).path == "library"
    assert start_route({"supervisor", "graduate"}).path == "inbox"


def test_day_counts_read_as_japanese():
    """「実践研修の日目」 lacks its number word; 「(0日の猶予後)」 is said of no grace at all (issue 22, point 13)."""
    from coordsupervise.i18n import catalogue
    ja = catalogue("ja")
    assert not [key for key, message in ja.items() if "の日目" in message]
    assert ja["dash.practice_day"] == "実践研修の何日目か(稼働日)"
    assert "猶予" not in ja["risk.criteria"] and "{overdue}" in ja["risk.criteria"]


def test_the_readers_language_is_written_only_through_set_language():
    """runtime.language() reads the session once per run; a direct write would leave the rest of the run in the old
    language."""
    sources = [ROOT / "app.py", *sorted((ROOT / "pages").glob("*.py")),
               *sorted((ROOT / "coordsupervise").rglob("*.py"))]
    direct = [f"{path.relative_to(ROOT)}:{n}" for path in sources
              for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
              if re.search(r"session_state\[(state\.)?LANGUAGE\]\s*=(?!=)", line)
              and path.name != "runtime.py"]
    assert direct == []
