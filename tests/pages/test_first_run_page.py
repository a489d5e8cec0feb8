"""The first run of a real deployment on /setup: an admin on a database with no programme is offered the shipped
curriculum (or a file upload) instead of an error, loads it, and /setup then works; a broken file is named by line
and key and loads nothing. Production mode, an empty database with one admin, no demo."""
import re
import secrets

import pytest

from coordsupervise.i18n import translate
from coordsupervise.programme import curriculum
from coordsupervise.programme.auth import hash_password, insert_user
from coordsupervise.store.db import Database
from coordsupervise.ui.runtime import database

JA = lambda key, **p: translate("ja", key, **p)  # noqa: E731


@pytest.fixture
def page_db(tmp_path):
    """An empty database with the first admin only, as `create-admin` leaves it."""
    path = tmp_path / "office.duckdb"
    db = Database(path)
    db.write(insert_user, "office", "事務局 一郎", hash_password("a long enough passphrase"), ("admin",))
    db.close()
    return path


@pytest.fixture
def office(app, monkeypatch):
    monkeypatch.setenv("COORDSUPERVISE_MODE", "production")
    monkeypatch.setenv("COORDSUPERVISE_COOKIE_KEY", secrets.token_urlsafe(48))
    return lambda script="pages/setup.py": app("office", script=script)


def as_read(markdown: str) -> str:
    """What the reader sees of Markdown whose punctuation is escaped (the file name and key are shown literally)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)


def texts(at) -> str:
    return " ".join(str(e.value) for e in (*at.success, *at.warning, *at.error, *at.info, *at.markdown,
                                           *at.caption, *at.subheader))


def test_an_admin_loads_the_shipped_curriculum_and_then_sets_up_the_first_cohort(office):
    at = office().run()
    assert not at.exception
    shown = texts(at)
    assert JA("setup.no_programme") not in shown and not at.error
    assert JA("setup.first_run_title") in shown and JA("setup.first_run_intro") in shown
    assert "外国人支援コーディネーター養成研修" in shown
    assert JA("setup.first_run_counts", competencies=4, modules=15, assignments=8, rubrics=7) in shown
    assert len(at.tabs) == 0  # the rest of /setup waits until there is a programme
    assert not database().value("SELECT count(*) FROM programme")

    at.button(key="setup_first_run_load").click().run()
    assert not at.exception, [e.value for e in at.error]
    assert JA("setup.first_run_loaded", name="外国人支援コーディネーター養成研修") in texts(at)
    assert database().value("SELECT count(*) FROM module") == 15
    admin_id = database().value("SELECT id FROM app_user WHERE username = 'office'")
    assert database().value("SELECT actor_id FROM audit_log WHERE action = 'programme.init'") == admin_id
    assert JA("setup.first_run_title") not in texts(at) and len(at.tabs) == 3

    base = "setup_new_0"  # the normal /setup: the first cohort, with its proposed calendar
    at.text_input(key=f"{base}_code").input("2027-A-001")
    at.text_input(key=f"{base}_name_ja").input("2027年度 第1期")
    at.text_input(key=f"{base}_name_en").input("2027 cohort 1")
    at.button(key=f"{base}_submit").click().run()
    assert not at.exception, [e.value for e in at.error]
    assert JA("setup.created", code="2027-A-001") in texts(at)
    assert database().value("SELECT count(*) FROM assignment a JOIN cohort c ON c.id = a.cohort_id "
                            "WHERE c.code = '2027-A-001'") == 8


def test_a_broken_file_is_named_by_line_and_key_and_a_good_one_loads(office):
    at = office().run()
    shipped = curriculum.shipped_file().decode("utf-8")
    broken = shipped.replace('competency = "C3"', 'competency = "C9"', 1)
    line = next(n for n, text in enumerate(broken.splitlines(), start=1) if 'competency = "C9"' in text)
    at.file_uploader(key="setup_first_run_file").set_value(("ours.toml", broken.encode(), "application/toml")).run()
    assert not at.exception
    expected = JA("curriculum.unknown_competency", file="ours.toml", line=line, entry="modules[8].competency",
                  value='"C9"')
    assert [as_read(e.value) for e in at.error] == [expected]
    assert not [b for b in at.button if b.key == "setup_first_run_load_file"]  # nothing to load from it
    assert not database().value("SELECT count(*) FROM programme")

    ours = shipped.replace('code = "FRSC"', 'code = "OURS"', 1).replace(
        'name_ja = "外国人支援コーディネーター養成研修"', 'name_ja = "当協会の相談員研修"', 1)
    at.file_uploader(key="setup_first_run_file").set_value(("ours.toml", ours.encode(), "application/toml")).run()
    assert not at.error and "当協会の相談員研修" in texts(at)
    at.button(key="setup_first_run_load_file").click().run()
    assert not at.exception, [e.value for e in at.error]
    assert JA("setup.first_run_loaded", name="当協会の相談員研修") in texts(at)
    assert database().value("SELECT code FROM programme") == "OURS"


def test_only_an_admin_is_offered_the_load(app, page_db):
    db = Database(page_db)
    db.write(insert_user, "lead", "指導者", "x", ("supervisor",))
    db.close()
    at = app("lead", script="pages/setup.py").run()
    assert JA("guard.forbidden") in [e.value for e in at.error]
    assert not [b for b in at.button if b.key == "setup_first_run_load"]


def test_the_admins_start_page_and_rubrics_point_to_setup_until_a_programme_is_loaded(office):
    for script in ("pages/admin.py", "pages/rubrics.py"):
        at = office(script).run()
        assert not at.exception, script
        assert [i.value for i in at.info][:1] == [JA("setup.first_run_pointer")], script
    curriculum.init_programme(database(), curriculum.load(None))  # loaded meanwhile, as on /setup
    at = office("pages/rubrics.py").run()
    assert not at.exception and JA("setup.first_run_pointer") not in [i.value for i in at.info]
    assert JA("setup.no_cohorts") in [i.value for i in at.info]  # the rubrics are there before any cohort
