"""The curriculum as data: the shipped file, mistakes named by file, line and key, `programme init` refusing a
second programme, and `programme export` → `programme init` giving the same programme row for row; the command
line's messages in Japanese and English."""
from __future__ import annotations

import json
import re

import pytest

from coordsupervise.__main__ import main
from coordsupervise.errors import AccessDenied
from coordsupervise.i18n import catalogue, translate
from coordsupervise.programme import curriculum
from coordsupervise.programme.auth import insert_user
from coordsupervise.programme.curriculum import CurriculumError
from coordsupervise.scoring import rubrics
from coordsupervise.store.db import Database
from tests.conftest import actor_of

SHIPPED = curriculum.shipped_file().decode("utf-8")
PROGRAMME_TABLES = ("programme", "competency", "module", "programme_stage", "assignment_template", "rubric",
                    "rubric_criterion", "rubric_level")


def test_the_shipped_curriculum_is_the_programme_of_domain_md():
    c = curriculum.load(None)
    assert c.programme.code == "FRSC" and c.programme.certificate_valid_years == 3
    assert [k.code for k in c.competencies] == ["C1", "C2", "C3", "C4"]
    assert c.competencies[2].name_ja == "外国人の複雑・複合的な相談内容に対して適切な解決まで導く能力"
    assert len(c.modules) == 15
    assert [m.group for m in c.modules] == list("A" + "BBBB" + "CC" + "DDDDD" + "EEE")
    assert c.modules[0].competency is None  # module A serves all four
    assert [m.competency for m in c.modules[1:5]] == ["C1"] * 4
    assert c.thresholds == {"module_pass_pct": 80, "overall_test_pass_pct": 70, "reflection_rate_pct": 80,
                            "report_min_level": 3, "certification_test_pass_pct": 70}
    assert [a.code for a in c.assignments] == [f"A{i}" for i in range(1, 9)]
    sheet, report = c.assignments[0], c.assignments[-1]
    assert sheet.kind == "approval" and sheet.rubric is None and sheet.certification_critical
    assert report.kind == "scored" and report.certification_critical and report.second_marking == "all"
    assert {r.code for r in c.rubrics} == {a.rubric for a in c.assignments if a.rubric}
    assert all(set(k.levels) == {1, 2, 3, 4} for r in c.rubrics for k in r.criteria)
    assert {k.competency for k in next(r for r in c.rubrics if r.code == "A8").criteria} == {"C1", "C2", "C3", "C4"}
    assert [(s.stage, s.days) for s in c.stages] == [("online", 60), ("task_setting", 10), ("practical", 92),
                                                     ("workshop", 2), ("certification", 1)]
    assert curriculum.summary(c) == {"competencies": 4, "modules": 15, "assignments": 8, "rubrics": 7}


def line_of(text: str, fragment: str | tuple[str, int], occurrence: int = 1) -> int:
    """The line number (from 1) of the `occurrence`th line of `text` containing `fragment`."""
    if isinstance(fragment, tuple):
        fragment, occurrence = fragment
    found = [n for n, line in enumerate(text.splitlines(), start=1) if fragment in line]
    return found[occurrence - 1]


def replaced(old: str, new: str, occurrence: int = 1) -> str:
    """The shipped text with the `occurrence`th `old` replaced by `new`."""
    at = -1
    for _ in range(occurrence):
        at = SHIPPED.index(old, at + 1)
    return SHIPPED[:at] + new + SHIPPED[at + len(old):]


BROKEN = {
    # name: (file text, catalogue key, the key the message names, the fragment on the line it names, or
    # (fragment, which occurrence))
    "syntax": (replaced("days = 60\n", "days = 60 days\n"), "curriculum.syntax", "days", "days = 60 days"),
    "unknown key": (replaced('title_en = "Intercultural understanding"\n',
                             'title_en = "Intercultural understanding"\ncolour = "blue"\n'),
                    "curriculum.unknown_key", "modules[7].colour", 'colour = "blue"'),
    "missing key": (replaced('title_en = "Nationality Act: naturalisation, statelessness"\n', ""),
                    "curriculum.missing", "modules[5].title_en", ("[[modules]]", 5)),  # the table it is missing from
    "unknown competency": (replaced('competency = "C3"', 'competency = "C9"', 2), "curriculum.unknown_competency",
                           "modules[9].competency", 'competency = "C9"'),
    "number format": (replaced('"{programme}-{cohort}-{serial:03d}"', '"{programme}-{cohort}"'),
                      "curriculum.bad_number_format", "programme.certificate_number_format",
                      'certificate_number_format = "{programme}-{cohort}"'),
    "stage order": (replaced('stage = "task_setting"', 'stage = "practical"'), "curriculum.stage_order",
                    "stages[2].stage", 'stage = "practical"   '),
    "level in an inline table": (replaced("{ level = 1, ja", "{ level = 5, ja"), "curriculum.out_of_range",
                                 "rubrics[1].criteria[1].levels[4].level", "{ level = 5, ja"),
    "unknown rubric": (replaced('rubric = "A3"', 'rubric = "A33"'), "curriculum.unknown_rubric",
                       "assignments[3].rubric", 'rubric = "A33"'),
}


@pytest.mark.parametrize("case", BROKEN, ids=list(BROKEN))
def test_a_mistake_is_named_by_file_line_and_key(case):
    text, key, entry, fragment = BROKEN[case]
    with pytest.raises(CurriculumError) as caught:
        curriculum.loads(text.encode("utf-8"), "ours.toml")
    error = caught.value
    assert (error.key, error.params["entry"], error.params["file"]) == (key, entry, "ours.toml")
    assert error.params["line"] == line_of(text, fragment)
    for language in ("ja", "en"):  # a sentence naming the place, not the catalogue key
        message = translate(language, error.key, **error.params)
        assert error.key not in message and not re.search(r"\{(file|line|entry|value)\}", message)
        assert "ours.toml" in message and str(error.params["line"]) in message and entry in message


def test_a_missing_table_header_names_the_header_line():
    text = replaced("[certification]\n", "[certificate]\n")
    with pytest.raises(CurriculumError) as caught:
        curriculum.loads(text.encode(), "ours.toml")
    assert caught.value.key == "curriculum.unknown_key" and caught.value.params["entry"] == "certificate"
    assert caught.value.params["line"] == line_of(text, "[certificate]")


def row_counts(db: Database) -> dict[str, int]:
    return {table: db.value(f"SELECT count(*) FROM {table}") for table in (*PROGRAMME_TABLES, "audit_log")}


def test_init_writes_the_programme_once_and_refuses_a_second_time_writing_nothing(db):
    assert not curriculum.has_programme(db)
    programme_id = curriculum.init_programme(db, curriculum.load(None))
    assert db.value("SELECT code FROM programme WHERE id = ?", [programme_id]) == "FRSC"
    once = row_counts(db)
    assert once["competency"] == 4 and once["module"] == 15 and once["assignment_template"] == 8
    assert once["rubric_level"] == 4 * once["rubric_criterion"]
    logged = json.loads(db.value("SELECT after_json FROM audit_log WHERE action = 'programme.init'"))
    assert logged == {"code": "FRSC", "competencies": 4, "modules": 15, "assignments": 8, "rubrics": 7}
    with pytest.raises(CurriculumError) as refused:
        curriculum.init_programme(db, curriculum.load(None))
    assert refused.value.key == "curriculum.programme_exists" and refused.value.params["code"] == "FRSC"
    assert row_counts(db) == once


def test_init_by_an_admin_on_the_first_run_screen_is_audited_with_their_name(db):
    admin_id = db.write(insert_user, "office", "事務局", "x", ("admin",))
    db.write(insert_user, "lead", "指導者", "x", ("supervisor",))
    with pytest.raises(AccessDenied):  # a supervisor cannot load a programme
        curriculum.init_programme(db, curriculum.load(None), actor=actor_of(db, "lead"))
    assert not curriculum.has_programme(db)
    curriculum.init_programme(db, curriculum.load(None), actor=actor_of(db, "office"))
    assert db.value("SELECT actor_id FROM audit_log WHERE action = 'programme.init'") == admin_id


def programme_rows(db: Database) -> dict[str, list[tuple]]:
    """The programme's rows without ids or timestamps; rubrics at their newest version, children named by their
    rubric's code and the criterion's place."""
    newest = ("SELECT code, max(version) AS version FROM rubric GROUP BY code")
    return {
        "programme": db.rows("SELECT code, name_ja, name_en, certificate_valid_years, certificate_number_format, "
                             "module_pass_pct, overall_test_pass_pct, reflection_rate_pct, report_min_level, "
                             "certification_test_pass_pct FROM programme"),
        "competency": db.rows("SELECT code, seq, name_ja, name_en, short_ja, short_en FROM competency ORDER BY seq"),
        "module": db.rows("SELECT seq, group_code, title_ja, title_en, competency, pass_pct FROM module ORDER BY seq"),
        "programme_stage": db.rows("SELECT seq, stage, days, days_after_previous, weekday FROM programme_stage "
                                   "ORDER BY seq"),
        "assignment_template": db.rows(
            "SELECT seq, code, title_ja, title_en, kind, rubric_code, due_days, certification_critical, "
            "moderation_rule, moderation_pct, moderation_tolerance FROM assignment_template ORDER BY seq"),
        "rubric": db.rows(f"SELECT r.code, r.title_ja, r.title_en, r.pass_level FROM rubric r JOIN ({newest}) n "
                          "ON n.code = r.code AND n.version = r.version ORDER BY r.code"),
        "rubric_criterion": db.rows(
            f"SELECT r.code, c.seq, c.competency, c.title_ja, c.title_en, c.weight FROM rubric_criterion c "
            f"JOIN rubric r ON r.id = c.rubric_id JOIN ({newest}) n ON n.code = r.code AND n.version = r.version "
            "ORDER BY r.code, c.seq"),
        "rubric_level": db.rows(
            f"SELECT r.code, c.seq, l.level, l.descriptor_ja, l.descriptor_en FROM rubric_level l "
            f"JOIN rubric_criterion c ON c.id = l.criterion_id JOIN rubric r ON r.id = c.rubric_id "
            f"JOIN ({newest}) n ON n.code = r.code AND n.version = r.version ORDER BY r.code, c.seq, l.level"),
    }


def test_export_then_init_into_a_new_database_gives_the_same_programme_row_for_row(db, tmp_path):
    curriculum.init_programme(db, curriculum.load(None))
    # the programme as an office changed it: its own thresholds and a module's pass mark, and a rubric given a
    # third criterion (a new version, as on /rubrics), with a quote and a backslash to survive the TOML
    db.write(lambda tx: (tx.execute("UPDATE programme SET overall_test_pass_pct = 75, certificate_valid_years = 5"),
                         tx.execute("UPDATE module SET pass_pct = 90 WHERE seq = 3")))
    db.write(insert_user, "office", "事務局", "x", ("admin",))
    a3 = db.value("SELECT id FROM rubric WHERE code = 'A3'")
    detail = rubrics.detail(db, actor_of(db, "office"), a3)
    criteria = [rubrics.CriterionInput(c["competency"], c["title_ja"], c["title_en"], c["weight"],
                                       {lvl: (ja, en) for lvl, ja, en in c["levels"]}) for c in detail["criteria"]]
    criteria.append(rubrics.CriterionInput("C2", "相談者の背景の理解", 'The "background" \\ context', 0.5,
                                           {4: ("a", "a"), 3: ("b", "b"), 2: ("c", "c"), 1: ("d", "d")}))
    rubrics.save(db, actor_of(db, "office"), a3, detail["title_ja"], detail["title_en"], 3, criteria)
    assert db.value("SELECT max(version) FROM rubric WHERE code = 'A3'") == 2

    exported = tmp_path / "ours.toml"
    curriculum.export_programme(db, exported)
    fresh = Database(tmp_path / "fresh.duckdb")
    try:
        curriculum.init_programme(fresh, curriculum.load(exported))
        assert programme_rows(fresh) == programme_rows(db)
        assert programme_rows(fresh)["programme"][0][3] == 5
    finally:
        fresh.close()


def catalogue_has(*keys: str) -> None:
    for language in ("ja", "en"):
        known = catalogue(language)
        assert [k for k in keys if k not in known and f"{k}.one" not in known] == [], language


def test_the_command_line_speaks_sentences_in_both_languages():
    catalogue_has("cli.programme_loaded", "cli.programme_next", "cli.programme_exported", "cli.export_exists",
                  "cli.cannot_write", "cli.no_programme", "cli.refused", "setup.first_run_counts",
                  "curriculum.programme_exists", *(key for _, key, *_ in BROKEN.values()))


@pytest.mark.parametrize("language", ["ja", "en"])
def test_programme_init_and_export_on_the_command_line(tmp_path, capsys, monkeypatch, language):
    monkeypatch.setenv("COORDSUPERVISE_LANG", language)
    say = lambda key, **p: translate(language, key, **p)  # noqa: E731
    path = str(tmp_path / "office.duckdb")
    exported = tmp_path / "ours.toml"

    assert main(["programme", "export", str(exported), "--db", path]) == 2  # nothing to export yet
    assert say("cli.no_programme") in capsys.readouterr().err and not exported.exists()

    assert main(["--db", path, "programme", "init"]) == 0
    out = capsys.readouterr().out
    name = "外国人支援コーディネーター養成研修" if language == "ja" else "Foreign Resident Support Coordinator training"
    assert say("cli.programme_loaded", name=name, code="FRSC", path=path) in out
    assert say("setup.first_run_counts", competencies=4, modules=15, assignments=8, rubrics=7) in out

    assert main(["programme", "init", "--db", path]) == 2  # a second time: refused, nothing written
    captured = capsys.readouterr()
    assert captured.err.strip() == say("cli.refused", reason=say("curriculum.programme_exists", code="FRSC"))
    assert captured.out == ""
    check = Database(path)
    assert check.value("SELECT count(*) FROM module") == 15
    check.close()

    assert main(["programme", "export", str(exported), "--db", path]) == 0
    assert say("cli.programme_exported", name=name, file=exported) in capsys.readouterr().out
    assert curriculum.load(exported) == curriculum.load(None)
    assert main(["programme", "export", str(exported), "--db", path]) == 2  # an existing file is kept...
    assert say("cli.export_exists", file=exported) in capsys.readouterr().err
    assert main(["programme", "export", str(exported), "--overwrite", "--db", path]) == 0  # ...unless asked


@pytest.mark.parametrize("language", ["ja", "en"])
def test_programme_init_names_the_line_and_key_of_a_mistake_and_writes_nothing(tmp_path, capsys, monkeypatch,
                                                                               language):
    monkeypatch.setenv("COORDSUPERVISE_LANG", language)
    broken = tmp_path / "ours.toml"
    text, key, entry, fragment = BROKEN["unknown competency"]
    broken.write_text(text, encoding="utf-8")
    path = tmp_path / "office.duckdb"
    assert main(["programme", "init", "--curriculum", str(broken), "--db", str(path)]) == 2
    err = capsys.readouterr().err
    line = line_of(text, fragment)
    reason = translate(language, key, file="ours.toml", line=line, entry=entry, value='"C9"')
    assert err.strip() == translate(language, "cli.refused", reason=reason)
    assert "Traceback" not in err and key not in err
    assert not path.exists()  # the file is checked before the database is opened

    assert main(["programme", "init", "--curriculum", str(tmp_path / "missing.toml"), "--db", str(path)]) == 2
    assert "missing.toml" in capsys.readouterr().err and not path.exists()
