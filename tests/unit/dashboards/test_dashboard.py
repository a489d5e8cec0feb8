"""Cohort dashboards and the at-risk list on two tiny hand-made cohorts whose every figure is known.

Cohort P is in its practical stage (2026-03-02 .. 03-27, today Monday 03-16, cut-off one day, so ten working days
2026-03-02 .. 03-13 are due). Trainee A (supervised by S) wrote every one of them (03-05 late); trainee B (supervised
by S2) wrote 03-02 .. 03-06, took 03-09 off and has written nothing since. Cohort F finished in 2025: C certified,
D certified and then not certified (the latest decision counts)."""
from datetime import date, datetime, timedelta

import pandas as pd
import pytest

from coordsupervise.dashboards import charts, dashboard, risk, vega
from coordsupervise.errors import AccessDenied, InvalidInput, NotFound
from coordsupervise.office import exports
from coordsupervise.programme.auth import insert_user
from tests.conftest import actor_of

TODAY = date(2026, 3, 16)
PRACTICAL = (date(2026, 3, 2), date(2026, 3, 27))


def _weekdays(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)
            if (start + timedelta(days=i)).weekday() < 5]


def _stages(tx, cohort_id, online_start: date, practical: tuple[date, date]):
    p0, p1 = practical
    rows = [("online", online_start, p0 - timedelta(days=12)), ("task_setting", p0 - timedelta(days=11),
                                                                 p0 - timedelta(days=1)),
            ("practical", p0, p1), ("workshop_day1", p1 + timedelta(days=7), p1 + timedelta(days=7)),
            ("workshop_day2", p1 + timedelta(days=8), p1 + timedelta(days=8)),
            ("certification", p1 + timedelta(days=20), p1 + timedelta(days=20))]
    tx.executemany("INSERT INTO cohort_stage VALUES (?, ?, ?, ?)", [(cohort_id, *r) for r in rows])


def _build(tx):
    ids = {}
    programme = tx.value("INSERT INTO programme (code, name_ja, name_en) VALUES ('P', 'P', 'P') RETURNING id")
    ids["programme"] = programme
    tx.executemany("INSERT INTO competency (code, seq, name_ja, name_en) VALUES (?, ?, ?, ?)",
                   [(f"C{i}", i, f"能力{i}", f"Competency {i}") for i in range(1, 5)])
    m1, m2 = (tx.value("INSERT INTO module (programme_id, seq, group_code, title_ja, title_en) "
                       "VALUES (?, ?, 'A', ?, ?) RETURNING id", [programme, seq, f"科目{seq}", f"Module {seq}"])
              for seq in (1, 2))
    for name, roles in (("s", ("supervisor",)), ("s2", ("supervisor",)), ("m", ("manager",)), ("adm", ("admin",)),
                        ("a", ("trainee",)), ("b", ("trainee",)), ("c", ("trainee",)), ("d", ("trainee",))):
        ids[name] = insert_user(tx, name, f"名前{name}", "x", roles, kana=name)
    cohort_p = tx.value("INSERT INTO cohort (programme_id, code, name_ja, name_en) VALUES (?, 'P-1', '実践中', "
                        "'In practice') RETURNING id", [programme])
    cohort_f = tx.value("INSERT INTO cohort (programme_id, code, name_ja, name_en) VALUES (?, 'F-1', '修了', "
                        "'Finished') RETURNING id", [programme])
    ids.update(cohort_p=cohort_p, cohort_f=cohort_f)
    _stages(tx, cohort_p, date(2026, 1, 1), PRACTICAL)
    _stages(tx, cohort_f, date(2025, 1, 1), (date(2025, 4, 1), date(2025, 6, 30)))
    for trainee, cohort, supervisor in (("a", cohort_p, "s"), ("b", cohort_p, "s2"), ("c", cohort_f, "s2"),
                                        ("d", cohort_f, "s2")):
        e = tx.value("INSERT INTO enrolment (cohort_id, trainee_id, status) VALUES (?, ?, ?) RETURNING id",
                     [cohort, ids[trainee], "active" if cohort == cohort_p else "completed"])
        ids[f"e_{trainee}"] = e
        tx.execute("INSERT INTO supervision (enrolment_id, supervisor_id) VALUES (?, ?)", [e, ids[supervisor]])

    def reflect(trainee, day, late=False):
        return tx.value("INSERT INTO reflection (enrolment_id, practice_date, status, submitted_at, late) "
                        "VALUES (?, ?, 'submitted', ?, ?) RETURNING id",
                        [ids[f"e_{trainee}"], day, datetime.combine(day, datetime.min.time()) + timedelta(hours=12),
                         late])

    a_days = _weekdays(date(2026, 3, 2), date(2026, 3, 13))
    a_refl = {d: reflect("a", d, late=d == date(2026, 3, 5)) for d in a_days}
    b_refl = {d: reflect("b", d) for d in _weekdays(date(2026, 3, 2), date(2026, 3, 6))}
    tx.execute("INSERT INTO day_off (enrolment_id, day, reason) VALUES (?, ?, 'sick')", [ids["e_b"], date(2026, 3, 9)])
    tx.execute("INSERT INTO reflection_competency VALUES (?, 'C3')", [a_refl[date(2026, 3, 2)]])

    def reply(reflection_id, author, at):
        return tx.value("INSERT INTO feedback (reflection_id, author_id, body_md, created_at) VALUES (?, ?, 'ok', ?) "
                        "RETURNING id", [reflection_id, ids[author], at])

    noon = datetime(2026, 3, 2, 12)
    read = [reply(a_refl[date(2026, 3, 2)], "s", noon + timedelta(hours=10)),
            reply(a_refl[date(2026, 3, 3)], "s", noon + timedelta(days=1, hours=20)),
            reply(a_refl[date(2026, 3, 4)], "a", noon + timedelta(days=2, hours=1)),  # the trainee's own: not a reply
            reply(a_refl[date(2026, 3, 4)], "s", noon + timedelta(days=2, hours=30))]
    tx.executemany("INSERT INTO feedback_read VALUES (?, ?, ?)", [(f, ids["a"], datetime(2026, 3, 14)) for f in read])
    reply(b_refl[date(2026, 3, 2)], "s2", noon + timedelta(hours=24))  # never opened by B

    for trainee, module, attempt, score in (("a", m1, 1, 85), ("a", m2, 1, 70), ("a", m2, 2, 82), ("b", m1, 1, 60),
                                            ("b", m2, 1, 90)):
        tx.execute("INSERT INTO quiz_attempt (enrolment_id, module_id, attempt_no, score_pct, taken_at) "
                   "VALUES (?, ?, ?, ?, ?)", [ids[f"e_{trainee}"], module, attempt, score, datetime(2026, 1, 20)])
    for trainee, score in (("a", 75), ("b", 65)):
        tx.execute("INSERT INTO test_attempt (enrolment_id, kind, attempt_no, score_pct, taken_at) "
                   "VALUES (?, 'overall', 1, ?, ?)", [ids[f"e_{trainee}"], score, datetime(2026, 2, 10)])

    rubric = tx.value("INSERT INTO rubric (programme_id, code, version, title_ja, title_en) VALUES (?, 'A2', 1, 'r', "
                      "'r') RETURNING id", [programme])
    crit = {c: tx.value("INSERT INTO rubric_criterion (rubric_id, seq, competency, title_ja, title_en) "
                        "VALUES (?, ?, ?, ?, ?) RETURNING id", [rubric, i, c, c, c])
            for i, c in ((1, "C1"), (2, "C3"))}
    a1, a2, _a3 = (tx.value("INSERT INTO assignment (cohort_id, seq, code, title_ja, title_en, kind, rubric_id, "
                            "due_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                            [cohort_p, seq, code, f"課題{code}", f"Task {code}", kind,
                             rubric if kind == "scored" else None, due])
                   for seq, code, kind, due in ((1, "A1", "approval", date(2026, 3, 1)),
                                                (2, "A2", "scored", date(2026, 3, 10)),
                                                (3, "A3", "scored", date(2026, 3, 20))))
    for trainee in ("a", "b"):
        tx.execute("INSERT INTO submission (assignment_id, enrolment_id, version, status, submitted_at) "
                   "VALUES (?, ?, 1, 'approved', ?)", [a1, ids[f"e_{trainee}"], datetime(2026, 2, 27)])
    sub = tx.value("INSERT INTO submission (assignment_id, enrolment_id, version, status, submitted_at) "
                   "VALUES (?, ?, 1, 'scored', ?) RETURNING id", [a2, ids["e_a"], datetime(2026, 3, 9)])
    score = tx.value("INSERT INTO score (submission_id, scorer_id, status, overall_comment, released_at) "
                     "VALUES (?, ?, 'released', '全体に丁寧', ?) RETURNING id",
                     [sub, ids["s"], datetime(2026, 3, 12, 3)])
    tx.executemany("INSERT INTO score_criterion (score_id, criterion_id, level, comment) VALUES (?, ?, ?, ?)",
                   [(score, crit["C1"], 3, ""), (score, crit["C3"], 2, "解決の順序づけが不十分")])

    tx.execute("INSERT INTO flag (enrolment_id, raised_by, severity, reason, raised_at) VALUES (?, ?, 'high', 'x', ?)",
               [ids["e_b"], ids["s2"], datetime(2026, 3, 12)])
    tx.execute("INSERT INTO flag (enrolment_id, raised_by, severity, reason, raised_at, resolved_at) "
               "VALUES (?, ?, 'low', 'x', ?, ?)", [ids["e_a"], ids["s"], datetime(2026, 3, 3), datetime(2026, 3, 4)])

    tx.executemany("INSERT INTO workshop_attendance (enrolment_id, day, attended) VALUES (?, ?, ?)",
                   [(ids["e_c"], 1, True), (ids["e_c"], 2, True), (ids["e_d"], 1, True), (ids["e_d"], 2, False)])
    tx.execute("INSERT INTO test_attempt (enrolment_id, kind, attempt_no, score_pct, taken_at) "
               "VALUES (?, 'certification', 1, 80, ?)", [ids["e_c"], datetime(2025, 7, 8)])
    for enrolment, decision, at in ((ids["e_c"], "certified", 1), (ids["e_d"], "certified", 1),
                                    (ids["e_d"], "not_certified", 2)):
        tx.execute("INSERT INTO certification_decision (enrolment_id, decision, reason, decided_by, decided_at) "
                   "VALUES (?, ?, 'r', ?, ?)", [enrolment, decision, ids["m"], datetime(2025, 7, 20, at)])
    return ids


@pytest.fixture
def tiny(db):
    ids = db.write(_build)
    return db, ids, {name: actor_of(db, name) for name in ("s", "s2", "m", "adm", "a")}


def test_every_cohort_with_its_figures(tiny):
    db, ids, who = tiny
    frame, total = dashboard.cohort_list(db, who["m"], TODAY)
    assert total == 2
    p = frame.set_index("code").loc["P-1"]
    f = frame.set_index("code").loc["F-1"]
    assert (p["stage"], f["stage"]) == ("practical", "finished")
    assert p["trainees"] == 2
    assert p["reflection_rate"] == pytest.approx(round(100 * 15 / 19, 1))  # A 10/10, B 5/9 (one day off)
    assert p["median_turnaround_h"] == pytest.approx(22.0)  # replies after 10, 20, 30 (A) and 24 hours (B)
    assert p["at_risk"] == 2
    assert f["certified_pct"] == pytest.approx(50.0)  # D's latest decision is not certified
    assert f["at_risk"] == 0  # a finished cohort has nobody at risk


def test_cohort_filters_and_pages(tiny):
    db, _ids, who = tiny
    assert dashboard.cohort_list(db, who["m"], TODAY, dashboard.CohortFilter(stage="finished"))[1] == 1
    assert list(dashboard.cohort_list(db, who["m"], TODAY, dashboard.CohortFilter(year=2025))[0]["code"]) == ["F-1"]
    assert list(dashboard.cohort_list(db, who["m"], TODAY, dashboard.CohortFilter(search="実践"))[0]["code"]) == ["P-1"]
    first, total = dashboard.cohort_list(db, who["m"], TODAY, page=1, page_size=1)
    second, _ = dashboard.cohort_list(db, who["m"], TODAY, page=2, page_size=1)
    assert total == 2 and list(first["code"]) == ["P-1"] and list(second["code"]) == ["F-1"]
    assert dashboard.cohort_years(db, who["m"]) == [2026, 2025]


def test_supervisors_see_their_cohorts_and_their_trainees_only(tiny):
    db, ids, who = tiny
    frame, total = dashboard.cohort_list(db, who["s"], TODAY)
    assert total == 1 and frame.iloc[0]["trainees"] == 1 and frame.iloc[0]["reflection_rate"] == 100.0
    assert list(dashboard.funnel(db, who["s"], ids["cohort_p"], TODAY)["enrolment_id"]) == [ids["e_a"]]
    assert list(risk.at_risk(db, who["s"], TODAY)["enrolment_id"]) == [ids["e_a"]]
    with pytest.raises(AccessDenied):
        dashboard.funnel(db, who["s"], ids["cohort_f"], TODAY)
    with pytest.raises(AccessDenied):
        dashboard.competency_evidence(db, who["s"], ids["e_b"], "C1")


@pytest.mark.parametrize("name", ["a", "adm"])
def test_trainees_and_admins_never_reach_the_dashboards(tiny, name):
    db, ids, who = tiny
    with pytest.raises(AccessDenied):
        dashboard.cohort_list(db, who[name], TODAY)
    with pytest.raises(AccessDenied):
        dashboard.reflection_grid(db, who[name], ids["cohort_p"], TODAY)
    with pytest.raises(AccessDenied):
        risk.at_risk(db, who[name], TODAY)


def test_unknown_cohort_code(tiny):
    db, _ids, who = tiny
    with pytest.raises(NotFound):
        dashboard.cohort_by_code(db, who["m"], "NOPE")
    assert dashboard.cohort_by_code(db, who["m"], "P-1")["name_en"] == "In practice"


def test_funnel_steps_in_practice(tiny):
    db, ids, who = tiny
    frame = dashboard.funnel(db, who["m"], ids["cohort_p"], TODAY).set_index("enrolment_id")
    a, b = frame.loc[ids["e_a"]], frame.loc[ids["e_b"]]
    assert (a["modules_passed"], a["overall_passed"], a["sheet_approved"]) == (True, True, True)
    assert (b["modules_passed"], b["overall_passed"], b["sheet_approved"]) == (False, False, True)
    assert not a["practical_complete"]  # the practical stage is not over
    assert a["step"] == b["step"] == "sheet_approved"
    assert b["gaps"] == "modules_passed, overall_passed"
    counts = dashboard.funnel_counts(frame.reset_index()).set_index("step")
    assert counts.loc["sheet_approved", "standing"] == 2
    # b moved on to the sheet without passing the module tests: never counted as having reached that step
    assert counts.loc["modules_passed", "met"] == 1 and counts.loc["modules_passed", "reached"] == 1
    assert counts.loc["modules_passed", "skipped"] == 1 and counts.loc["sheet_approved", "reached"] == 1
    assert counts.loc["sheet_approved", "skipped"] == 0
    assert counts.loc["certified", "reached"] == 0
    assert (counts["reached"] <= counts["met"]).all()


def test_funnel_of_a_finished_cohort(tiny):
    db, ids, who = tiny
    frame = dashboard.funnel(db, who["m"], ids["cohort_f"], TODAY).set_index("enrolment_id")
    c, d = frame.loc[ids["e_c"]], frame.loc[ids["e_d"]]
    assert (c["workshop_attended"], c["certification_test_passed"], c["certified"]) == (True, True, True)
    assert c["step"] == "certified"
    assert (d["workshop_attended"], d["certified"]) == (False, False) and d["step"] == "enrolled"
    counts = dashboard.funnel_counts(frame.reset_index()).set_index("step")
    # c was certified without every earlier step recorded: certified, but not drawn as having come through the funnel
    assert int(frame["certified"].sum()) == 1 and counts.loc["certified", "met"] == 1
    assert counts.loc["certified", "reached"] == 0 and counts.loc["certified", "pct"] == 0.0
    missed = [s for s in dashboard.FUNNEL_STEPS if not c[s]]
    assert missed and all(counts.loc[s, "skipped"] >= 1 for s in missed)


def test_practice_day_statuses(tiny):
    db, ids, who = tiny
    grid = dashboard.reflection_grid(db, who["m"], ids["cohort_p"], TODAY)
    assert len(grid) == 2 * 20  # twenty working days in the practical stage, weekends left out
    grid["day"] = grid["day"].dt.date
    b = grid[grid["enrolment_id"] == ids["e_b"]].set_index("day")["status"]
    assert b[date(2026, 3, 9)] == "off" and b[date(2026, 3, 10)] == "missing" and b[date(2026, 3, 16)] == "future"
    a = grid[grid["enrolment_id"] == ids["e_a"]]["status"].value_counts()
    # 20 March 2026 is a public holiday (春分の日): off for everyone, like a day off
    assert b[date(2026, 3, 20)] == "off"
    assert (a["submitted"], a["late"], a["future"], a["off"]) == (9, 1, 9, 1)
    by_day = dashboard.submission_rate_by_day(db, who["m"], ids["cohort_p"], TODAY)
    by_day = by_day.set_index(by_day["day"].dt.date)
    assert by_day.loc[date(2026, 3, 2), "rate"] == 100.0
    assert by_day.loc[date(2026, 3, 9), "expected"] == 1  # B was off
    assert by_day.loc[date(2026, 3, 10), "rate"] == 50.0
    assert date(2026, 3, 16) not in by_day.index  # today is still open


def test_turnaround_per_supervisor(tiny):
    db, ids, who = tiny
    frame = dashboard.turnaround(db, who["m"], ids["cohort_p"]).set_index("supervisor")
    s = frame.loc["名前s"]
    assert (s["answered"], s["unanswered"]) == (3, 7)
    assert (s["min_h"], s["median_h"], s["max_h"]) == (10, 20, 30)  # the trainee's own message is no reply
    assert frame.loc["名前s2", "median_h"] == 24


def test_competencies_and_their_evidence(tiny):
    db, ids, who = tiny
    levels = dashboard.competency_levels(db, who["m"], ids["cohort_p"])
    assert sorted(zip(levels["competency"], levels["level"], levels["n"], strict=True)) == [("C1", 3, 1),
                                                                                          ("C3", 2, 1)]
    grid = dashboard.competency_grid(db, who["m"], ids["cohort_p"]).set_index("competency")
    assert grid.loc["C3", "mean_level"] == 2.0 and grid.loc["C1", "latest_level"] == 3
    scores, reflections = dashboard.competency_evidence(db, who["m"], ids["e_a"], "C3")
    assert list(scores["comment"]) == ["解決の順序づけが不十分"]
    assert list(reflections["practice_date"].dt.date) == [date(2026, 3, 2)]


def test_online_stage(tiny):
    db, ids, who = tiny
    frame = dashboard.online_results(db, who["m"], ids["cohort_p"]).set_index("seq")
    assert (frame.loc[1, "takers"], frame.loc[1, "attempts"], frame.loc[1, "pass_rate"]) == (2, 2, 50.0)
    assert (frame.loc[2, "attempts"], frame.loc[2, "pass_rate"]) == (3, 100.0)
    overall = frame[frame["kind"] == "overall"].iloc[0]
    assert (overall["pass_rate"], overall["median_pct"]) == (50.0, 70.0)


def test_compare_at_the_same_practice_day(tiny):
    db, ids, who = tiny
    frame = dashboard.compare_practical(db, who["m"], [ids["cohort_p"]], TODAY).set_index("day_no")
    assert frame.index.max() == 11  # 03-02 .. 03-16, working days
    assert frame.loc[5, "reflection_rate"] == 100.0
    assert frame.loc[10, "reflection_rate"] == pytest.approx(round(100 * 15 / 19, 1))
    assert frame.loc[8, "scored_pct"] == 0.0 and frame.loc[9, "scored_pct"] == 25.0  # released 03-12 JST


def test_at_risk_reasons(tiny):
    db, ids, who = tiny
    frame = risk.at_risk(db, who["m"], TODAY).set_index("enrolment_id")
    b = {rule: (n, detail) for rule, n, detail in frame.loc[ids["e_b"], "reasons"]}
    assert b == {"silent": (4, ""), "low_rate": (56, ""), "quiz_failed": (1, "1 科目1"), "overall_failed": (65, ""),
                 "overdue": (1, "A2"), "open_flag": (1, ""), "feedback_unread": (1, "")}
    assert frame.loc[ids["e_a"], "reasons"] == [("below_pass", 1, "C3")]
    assert list(frame.index) == [ids["e_b"], ids["e_a"]]  # most reasons first
    assert risk.counts_by_cohort(db, who["m"], TODAY, [ids["cohort_p"], ids["cohort_f"]]) == {ids["cohort_p"]: 2}
    english = risk.at_risk(db, who["m"], TODAY, lang="en").set_index("enrolment_id")
    assert ("quiz_failed", 1, "1 Module 1") in english.loc[ids["e_b"], "reasons"]


def test_a_failed_quiz_is_not_a_risk_while_the_online_stage_still_runs(tiny):
    """Retakes stay open until the online stage ends: a failed attempt then is not yet a reason."""
    db, ids, who = tiny
    online_end = db.value("SELECT ends_on FROM cohort_stage WHERE cohort_id = ? AND stage = 'online'",
                          [ids["cohort_p"]])
    during = risk.at_risk(db, who["m"], online_end, ids["cohort_p"])
    assert all(rule != "quiz_failed" for reasons in during["reasons"] for rule, _n, _d in reasons)
    after = risk.at_risk(db, who["m"], online_end + timedelta(days=1), ids["cohort_p"])
    assert any(rule == "quiz_failed" for reasons in after["reasons"] for rule, _n, _d in reasons)


def test_thresholds_change_the_list_and_are_audited(tiny):
    db, ids, who = tiny
    assert risk.thresholds(db, ids["programme"]) == risk.DEFAULTS
    risk.save_thresholds(db, who["m"], ids["programme"], {**risk.DEFAULTS, "silent_days": 5, "min_rate_pct": 50,
                                                          "overdue_grace_days": 7})
    rules = {r for r, _n, _d in risk.at_risk(db, who["m"], TODAY).set_index("enrolment_id").loc[ids["e_b"],
                                                                                                 "reasons"]}
    assert not rules & {"silent", "low_rate", "overdue"}
    assert db.value("SELECT count(*) FROM audit_log WHERE action = 'risk.thresholds'") == 1
    with pytest.raises(InvalidInput):
        risk.save_thresholds(db, who["m"], ids["programme"], {**risk.DEFAULTS, "min_rate_pct": 101})
    with pytest.raises(AccessDenied):
        risk.save_thresholds(db, who["s"], ids["programme"], risk.DEFAULTS)


def test_caseload_limits_a_manager_who_also_supervises(tiny):
    db, ids, who = tiny
    db.write(lambda tx: tx.execute("INSERT INTO user_role VALUES (?, 'supervisor')", [ids["m"]]))
    db.write(lambda tx: tx.execute("INSERT INTO supervision (enrolment_id, supervisor_id, is_lead) "
                                   "VALUES (?, ?, TRUE)", [ids["e_a"], ids["m"]]))
    both = actor_of(db, "m")
    assert len(risk.at_risk(db, both, TODAY)) == 2
    assert list(risk.at_risk(db, both, TODAY, caseload=True)["enrolment_id"]) == [ids["e_a"]]


def test_charts_carry_the_right_series(tiny):
    db, ids, who = tiny
    counts = dashboard.funnel_counts(dashboard.funnel(db, who["m"], ids["cohort_p"], TODAY))
    assert list(counts["reached"]) == [2, 1, 1, 1, 0, 0, 0, 0]
    grid = dashboard.reflection_grid(db, who["m"], ids["cohort_p"], TODAY)
    heat = charts.reflection_heatmap(grid, {s: s for s in dashboard.DAY_STATUSES}, "day")
    # each status its own shape as well as its colour: late and missing told apart without colour
    assert len({tr.marker.symbol for tr in heat.data}) == len(heat.data)
    assert {tr.name: len(tr.x) for tr in heat.data} == {"submitted": 14, "late": 1, "missing": 4, "off": 3,
                                                        "future": 18}
    comp = charts.competency_heatmap(dashboard.competency_grid(db, who["m"], ids["cohort_p"]), ["C1", "C2", "C3", "C4"],
                                     "t", "level")
    assert list(comp.data[0].x) == ["C1", "C3"] and list(comp.data[0].customdata[1]) == [ids["e_a"], "C3", 1]
    roster = dashboard.funnel(db, who["m"], ids["cohort_p"], TODAY)
    full = charts.competency_heatmap(dashboard.competency_grid(db, who["m"], ids["cohort_p"]), ["C1", "C2", "C3", "C4"],
                                     "t", "level", roster, "未採点")
    cells = set(zip(full.data[0].y, full.data[0].x, strict=True)) | set(zip(full.data[1].y, full.data[1].x,
                                                                            strict=True))
    assert len(cells) == len(roster) * 4  # every trainee, every competency: none hidden
    assert set(full.data[1].text) == {"未採点"} and "C4" in set(full.data[1].x)
    assert not any("#" in label for label in full.data[1].y)  # names only: no internal ids
    levels = charts.level_distribution(dashboard.competency_levels(db, who["m"], ids["cohort_p"]),
                                       {f"C{i}": "" for i in range(1, 5)}, {i: str(i) for i in range(1, 5)}, "t", "n")
    assert [list(tr.y) for tr in levels.data] == [[0, 0, 0, 0], [0, 0, 1, 0], [1, 0, 0, 0], [0, 0, 0, 0]]
    turn = charts.turnaround_boxes(dashboard.turnaround(db, who["m"], ids["cohort_p"]), "t", "h")
    assert list(turn.data[0].median) == [20, 24]
    compared = dashboard.compare_practical(db, who["m"], [ids["cohort_p"], ids["cohort_f"]], TODAY)
    lines = vega.cohort_comparison(compared, "reflection_rate", "t", "x", "y", "code")
    assert lines.series == ("F-1", "P-1") and (lines.data["code"] == "P-1").sum() == 11
    online = dashboard.online_results(db, who["m"], ids["cohort_p"])
    boxes = charts.online_boxes(online, ["01", "02", "all"], "t", "s", "bar")
    assert list(boxes.data[0].x) == ["01", "02", "all"] and list(boxes.data[1].y) == [80, 80, 70]
    calendars = dashboard.stage_calendars(db, who["m"], [ids["cohort_p"], ids["cohort_f"]])
    timeline = vega.cohort_timeline(calendars, {"online": "o", "practical": "p"}, TODAY, "today", ("c", "s", "d"))
    assert timeline.series == ("o", "p") and list(timeline.data["stage"]).count("o") == 2


def test_xlsx_cells_are_formula_safe():
    import io

    import pandas as pd
    from openpyxl import load_workbook

    data = exports.xlsx_bytes(pd.DataFrame({"名前": ["=HYPERLINK(\"x\")", "普通"], "率": [87.5, None]}), "t")
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet["A2"].value == "'=HYPERLINK(\"x\")" and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == 87.5 and sheet["B3"].value is None


def test_heatmap_rows_are_names_with_a_login_id_only_where_two_share_a_name():
    days = [pd.Timestamp(2026, 3, 2), pd.Timestamp(2026, 3, 3)]
    people = [(22, "渡辺 由美", "trainee-002-05"), (23, "渡辺 由美", "trainee-002-09"), (24, "森 翔", "mori")]
    grid = pd.DataFrame([(e, name, login, d, "submitted") for e, name, login in people for d in days],
                        columns=["enrolment_id", "trainee", "login_id", "day", "status"])
    heat = charts.reflection_heatmap(grid, {s: s for s in dashboard.DAY_STATUSES}, "day")
    rows = set(heat.data[0].y)
    assert rows == {"渡辺 由美 (trainee-002-05)", "渡辺 由美 (trainee-002-09)", "森 翔"}
    assert not any("#" in label for label in heat.layout.yaxis.categoryarray)
