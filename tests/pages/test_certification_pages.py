"""The closing stage's screens through AppTest: /certification (board, evidence, decision), /workshop (groups),
/register (search, exports) and the trainee's result on /progress."""
from coordsupervise.i18n import translate
from coordsupervise.ui.runtime import database

JA = lambda key, **p: translate("ja", key, **p)  # noqa: E731


def finished(db) -> tuple[str, int]:
    """(cohort code, id) of the finished demo cohort."""
    return db.one("SELECT c.code, c.id FROM cohort c JOIN enrolment e ON e.cohort_id = c.id "
                  "JOIN app_user u ON u.id = e.trainee_id WHERE u.username = 'demo-graduate'")


def open_board(app, username, enrolment_id=None):
    at = app(username, script="pages/certification.py")
    at.query_params["cohort"] = finished(database())[0]
    if enrolment_id:
        at.query_params["e"] = str(enrolment_id)
    return at.run()


def test_board_counts_and_marks_of_the_finished_cohort(app):
    at = open_board(app, "demo-manager")
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    code, cohort_id = finished(database())
    size = database().value("SELECT count(*) FROM enrolment WHERE cohort_id = ?", [cohort_id])
    assert metrics[JA("certification.count_trainees")] == str(size)
    assert int(metrics[JA("certification.count_certified")]) >= 1
    board = at.dataframe[0].value
    assert len(board) == size
    assert set(board[JA("cert.workshop.short")]) <= {"○", "×"}  # nothing is still open in a finished cohort


def test_manager_records_a_decision_with_a_reason_and_sees_it(app):
    db = database()
    _, cohort_id = finished(db)
    enrolment_id, name = db.one(
        "SELECT e.id, u.display_name FROM enrolment e JOIN app_user u ON u.id = e.trainee_id "
        "JOIN certification_decision d ON d.enrolment_id = e.id WHERE e.cohort_id = ? AND d.decision = 'deferred' "
        "ORDER BY e.id LIMIT 1", [cohort_id])
    at = open_board(app, "demo-manager", enrolment_id)
    assert not at.exception
    assert name in [s.value for s in at.subheader]
    # the form opens on the decision in force, with its reason, and says a new one replaces it
    assert at.radio(key="certification_decision").value == "deferred"
    reason = db.value("SELECT reason FROM certification_decision WHERE enrolment_id = ? ORDER BY decided_at DESC "
                      "LIMIT 1", [enrolment_id])
    shown = " ".join(i.value for i in at.info)
    assert JA("certification.replacing") in shown and reason in shown
    at.radio(key="certification_decision").set_value("not_certified")
    at.text_area(key="certification_reason").input("再提出の期限を過ぎたため")
    next(b for b in at.button if b.label == JA("certification.record")).click()
    at.run()
    assert not at.exception
    assert JA("certification.recorded", name=name, decision=JA("certification.decision.not_certified")) in \
        [s.value for s in at.success]
    assert db.value("SELECT decision FROM certification_decision WHERE enrolment_id = ? ORDER BY decided_at DESC "
                    "LIMIT 1", [enrolment_id]) == "not_certified"


def test_certifying_an_unmet_trainee_without_an_override_is_refused_on_screen(app):
    db = database()
    _, cohort_id = finished(db)
    enrolment_id = db.value(
        "SELECT e.id FROM enrolment e JOIN certification_decision d ON d.enrolment_id = e.id WHERE e.cohort_id = ? "
        "AND d.decision <> 'certified' AND NOT EXISTS (SELECT 1 FROM certificate k WHERE k.enrolment_id = e.id) "
        "ORDER BY e.id DESC LIMIT 1", [cohort_id])
    at = open_board(app, "demo-manager", enrolment_id)
    at.radio(key="certification_decision").set_value("certified")
    at.text_area(key="certification_reason").input("面談で確認")
    next(b for b in at.button if b.label == JA("certification.record")).click()
    at.run()
    assert not at.exception
    assert any(e.value.startswith(JA("certification.error_override_required", count=1)[:10]) for e in at.error)
    assert not db.value("SELECT count(*) FROM certificate WHERE enrolment_id = ?", [enrolment_id])


def test_supervisor_sees_the_board_read_only(app):
    at = app("demo-supervisor", script="pages/certification.py").run()
    assert not at.exception
    assert JA("certification.read_only") in [c.value for c in at.caption]
    assert len(at.dataframe) == 1
    assert not [r for r in at.radio if r.key == "certification_decision"]


def test_workshop_groups_are_made_on_screen(app):
    at = app("demo-admin", script="pages/workshop.py")  # the cohort in its practical stage by default
    at.session_state["workshop_tab"] = JA("workshop.tab_groups")  # as a click on the tab would
    at.run()
    assert not at.exception
    at.button(key="workshop_make_1").click().run()
    assert not at.exception
    assert any(s.value.startswith(JA("workshop.groups_made", count=2)[:2]) for s in at.success)
    titles = [m.value for m in at.markdown if JA("workshop.group_title", seq=1, count=0)[:5] in m.value]
    assert len(titles) >= 2
    # the groups tab stays open after the click, kept by its key on the server (not the first tab again): the
    # attendance tab is not drawn
    assert at.session_state["workshop_tab"] == JA("workshop.tab_groups")
    assert not [c for c in at.caption if c.value.startswith(JA("workshop.attendance_hint", day1="", day2="")[:5])]
    # ... and 8 people are two groups of four, said once, not "outside 5-7" on each group
    assert JA("workshop.sizes_even", total=8, size=4, count=2) in [i.value for i in at.info]
    assert not [c for c in at.caption if JA("workshop.warn_size") in c.value]


def test_register_search_narrows_the_list_and_offers_both_exports(app):
    at = app("demo-manager", script="pages/register.py").run()
    assert not at.exception
    everyone = at.dataframe[0].value
    first_number = everyone[JA("register.col_number")].iloc[0]
    at.text_input(key="register_q").input(first_number).run()
    assert not at.exception
    found = at.dataframe[0].value
    assert list(found[JA("register.col_number")]) == [first_number]
    assert at.query_params["q"] in (first_number, [first_number])  # shareable: the search is in the address
    labels = [b.proto.label for b in at.get("download_button")]
    assert JA("register.csv") in labels and JA("register.xlsx") in labels
    # the figures are labelled as totals of the whole register, and the search says how names are searched
    assert JA("register.totals_note") in [c.value for c in at.caption]
    assert at.text_input(key="register_q").help == JA("register.search_help")


def test_graduate_sees_the_result_and_certificate_on_progress(app):
    at = app("demo-graduate", script="pages/progress.py").run()
    assert not at.exception
    number = database().value("SELECT k.certificate_no FROM certificate k JOIN enrolment e ON e.id = k.enrolment_id "
                              "JOIN app_user u ON u.id = e.trainee_id WHERE u.username = 'demo-graduate'")
    assert any(number in s.value for s in at.success)
    assert JA("firsthour.cert_save_file") in [b.proto.label for b in at.get("download_button")]


def test_certification_and_workshop_open_on_the_cohort_whose_date_is_nearest(app):
    from coordsupervise import clock
    db = database()
    today = clock.today()
    for script, stage, rule in (("pages/certification.py", "certification", "certification.default_rule"),
                                ("pages/workshop.py", "workshop_day1", "certification.default_rule_workshop")):
        nearest = db.value("SELECT c.code FROM cohort c JOIN cohort_stage s ON s.cohort_id = c.id AND s.stage = ? "
                           "ORDER BY abs(date_diff('day', s.starts_on, CAST(? AS DATE))), s.starts_on DESC LIMIT 1",
                           [stage, today])
        at = app("demo-manager", script=script).run()
        assert not at.exception
        key = "certification_cohort" if "certification" in script else "workshop_cohort"
        assert at.selectbox(key=key).value == nearest
        assert JA(rule) in [c.value for c in at.caption]


def test_workshop_attendance_cells_never_read_none_and_the_absent_sit_in_no_group(app, monkeypatch):
    from coordsupervise.certification import workshop
    from coordsupervise.programme import auth
    from coordsupervise.ui import runtime
    from coordsupervise.ui.workshop import _status_labels, attendance_view
    monkeypatch.setattr(runtime, "language", lambda: "ja")
    db = database()
    admin = auth.load_login_user(db, "demo-admin").actor()
    cohort_id = db.value("SELECT e.cohort_id FROM enrolment e JOIN app_user u ON u.id = e.trainee_id "
                         "WHERE u.username = 'demo-trainee'")
    roster = workshop.roster(db, admin, cohort_id)
    view = attendance_view(roster, _status_labels())
    assert not view.isna().any().any()
    assert set(view["day2"]) == {JA("workshop.status_unrecorded")}  # nothing recorded yet
    away = int(roster["enrolment_id"][0])
    workshop.record_attendance(db, admin, cohort_id, [workshop.Attendance(away, 2, "absent")], confirmed_early=True)
    workshop.make_groups(db, admin, cohort_id, 2, seed=5)
    placed = {int(e) for g in workshop.groups(db, admin, cohort_id, 2) for e in g.members["enrolment_id"]}
    assert away not in placed and len(placed) == len(roster) - 1
    at = app("demo-admin", script="pages/workshop.py")
    at.session_state["workshop_tab"] = JA("workshop.tab_groups")
    at.run()
    at.radio(key="workshop_group_day").set_value(2).run()
    assert not at.exception
    assert JA("workshop.groups_absent_left_out", count=1) in [c.value for c in at.caption]
