"""The programme office's screens through AppTest: people (edit, reset, deactivate with confirmation), cohort
set-up, caseloads, days off, imports (preview, rejected rows, commit, one-time passwords), and the forced password
change after a reset (the backup and the one-time downloads: test_download_pages.py). They write to the shared
page database, so they use the oldest (finished) cohort and people no other page test reads."""
import csv
import io
from datetime import date, timedelta

from coordsupervise import clock
from coordsupervise.i18n import translate
from coordsupervise.programme import auth, cohorts
from coordsupervise.ui.runtime import database
from tests.conftest import actor_of

JA = lambda key, **p: translate("ja", key, **p)  # noqa: E731


def oldest_cohort():
    return database().dicts("SELECT c.id, c.code FROM cohort c JOIN cohort_stage s ON s.cohort_id = c.id "
                            "AND s.stage = 'online' ORDER BY s.starts_on LIMIT 1")[0]


def a_trainee_of_the_oldest_cohort(offset: int) -> str:
    return database().value("SELECT u.username FROM enrolment e JOIN app_user u ON u.id = e.trainee_id "
                            "WHERE e.cohort_id = ? ORDER BY u.username LIMIT 1 OFFSET ?",
                            [oldest_cohort()["id"], offset])


def texts(at) -> str:
    return " ".join([str(e.value) for e in (*at.success, *at.warning, *at.error, *at.info, *at.markdown)])


def test_edit_a_person_and_deactivate_after_a_confirmation_naming_them(app):
    username = a_trainee_of_the_oldest_cohort(0)
    user = auth.load_login_user(database(), username)
    at = app("demo-admin", script="pages/admin.py").run()
    assert not at.exception and len(at.dataframe) >= 1
    at.selectbox(key="admin_person").set_value(username).run()
    base = f"admin_edit_{user.id}"
    at.text_input(key=f"{base}_kana").input("てすと かな")  # typed into the form, sent with its button
    at.button(key=f"{base}_save").click().run()
    assert not at.exception
    assert auth.load_login_user(database(), username).display_name == user.display_name
    assert database().value("SELECT display_name_kana FROM app_user WHERE id = ?", [user.id]) == "てすと かな"

    at.button(key=f"{base}_activation").click().run()
    assert JA("admin.confirm_deactivate", name=user.display_name, username=username) in texts(at)
    assert auth.load_login_user(database(), username).active  # nothing happens before the confirmation
    at.button(key=f"{base}_confirm_yes").click().run()
    assert not at.exception
    assert not auth.load_login_user(database(), username).active
    assert JA("admin.deactivated", name=user.display_name, username=username) in texts(at)
    at.button(key=f"{base}_activation").click().run()
    at.button(key=f"{base}_confirm_yes").click().run()
    assert auth.load_login_user(database(), username).active


def test_reset_shows_a_one_time_password_once_and_the_login_then_demands_a_change(app):
    username = a_trainee_of_the_oldest_cohort(1)
    user = auth.load_login_user(database(), username)
    at = app("demo-admin", script="pages/admin.py").run()
    at.selectbox(key="admin_person").set_value(username).run()
    at.button(key=f"admin_edit_{user.id}_reset").click().run()
    assert not at.exception and not at.code  # nothing happens before the confirmation naming the person
    assert JA("admin.confirm_reset", name=user.display_name, username=username) in texts(at)
    assert auth.load_login_user(database(), username).password_hash == user.password_hash
    at.button(key=f"admin_edit_{user.id}_reset_yes").click().run()
    assert not at.exception
    assert JA("admin.reset_done", name=user.display_name) in texts(at)
    (code,) = at.code
    assert auth.verify_password(code.value, auth.load_login_user(database(), username).password_hash)
    assert not at.run().code  # the next view of the page no longer shows it

    blocked = app(username, script="pages/progress.py").run()
    assert not blocked.exception
    assert [w.value for w in blocked.warning] == [JA("people.change_password_first")]
    assert len(blocked.dataframe) == 0 and len(blocked.metric) == 0
    account = app(username, script="pages/account.py").run()
    assert JA("people.must_change_now") in [w.value for w in account.warning]


def test_a_deactivated_account_says_so_and_offers_no_reset(app):
    username = a_trainee_of_the_oldest_cohort(2)
    user = auth.load_login_user(database(), username)
    admin = auth.load_login_user(database(), "demo-admin").actor()
    auth.set_active(database(), admin, user.id, False)
    try:
        at = app("demo-admin", script="pages/admin.py").run()
        at.selectbox(key="admin_person").set_value(username).run()
        assert JA("admin.reset_inactive") in texts(at)
        assert at.button(key=f"admin_edit_{user.id}_reset").disabled
    finally:
        auth.set_active(database(), admin, user.id, True)


def fill_new_person(at, username, name, roles):
    at.text_input(key="admin_create_user_0_username").input(username)
    at.text_input(key="admin_create_user_0_name").input(name)
    at.multiselect(key="admin_create_user_0_roles").set_value(roles)
    return at.button(key="admin_create_user_0_submit").click().run()


def test_a_login_id_with_a_space_or_kanji_is_refused_next_to_the_form(app):
    at = app("demo-admin", script="pages/admin.py").run()
    fill_new_person(at, "山田 太郎", "山田 太郎", ["supervisor"])
    assert not at.exception
    assert [e.value for e in at.error] == [JA("user.bad_login_id", username="山田 太郎")]
    assert database().value("SELECT count(*) FROM app_user WHERE username = '山田 太郎'") == 0
    assert at.text_input(key="admin_create_user_0_username").value == "山田 太郎"  # kept to be corrected


def test_adding_a_trainee_clears_the_form_lists_them_first_and_says_how_they_join_a_cohort(app):
    at = app("demo-admin", script="pages/admin.py").run()
    at.text_input(key="admin_search").input("no such person").run()
    _, before = auth.find_users(database(), auth.load_login_user(database(), "demo-admin").actor())
    fill_new_person(at, "ＰＡＧＥ.Ｎｅｗ", "頁 新人", ["trainee"])
    assert not at.exception
    assert JA("admin.created", username="page.new") in texts(at)
    assert JA("admin.trainee_needs_cohort") in texts(at)
    assert JA("admin.people_count", count=before + 1) in [c.value for c in at.caption]
    assert at.dataframe[0].value.iloc[0][JA("admin.col_username")] == "page.new"
    assert at.text_input(key="admin_create_user_1_username").value == ""  # a fresh form for the next person
    (code,) = at.code
    assert auth.verify_password(code.value, auth.load_login_user(database(), "page.new").password_hash)


def test_a_large_office_list_shows_a_page_and_the_picker_offers_what_the_search_finds(app):
    def many(tx):
        for n in range(600):
            auth.insert_user(tx, f"bulk-{n:04d}", f"一括 {n:04d}", "x", (), kana=f"いっかつ {n:04d}")
    database().write(many)
    _, total = auth.find_users(database(), auth.load_login_user(database(), "demo-admin").actor())
    at = app("demo-admin", script="pages/admin.py").run()
    assert not at.exception
    captions = [c.value for c in at.caption]
    assert JA("speed1.people_first", shown=500, total=total) in captions
    assert len(at.dataframe[0].value) == 500
    picker = at.selectbox(key="admin_person")
    assert len(picker.options) == 100 and JA("speed1.picker_first", shown=100) in captions
    at.text_input(key="admin_search").input("bulk-0599").run()
    assert list(at.dataframe[0].value[JA("admin.col_username")]) == ["bulk-0599"]
    assert JA("speed1.picker_first", shown=1) not in [c.value for c in at.caption]
    at.selectbox(key="admin_person").set_value("bulk-0599").run()
    user_id = auth.load_login_user(database(), "bulk-0599").id
    assert at.text_input(key=f"admin_edit_{user_id}_kana").value == "いっかつ 0599"


def test_search_ignores_the_space_between_family_and_given_name(app):
    name = database().value("SELECT display_name FROM app_user WHERE display_name LIKE '% %' ORDER BY id LIMIT 1")
    at = app("demo-admin", script="pages/admin.py").run()
    at.text_input(key="admin_search").input(name.replace(" ", "")).run()
    assert name in set(at.dataframe[0].value[JA("admin.col_name")])


def test_create_a_cohort_copying_an_earlier_one(app):
    at = app("demo-admin", script="pages/setup.py").run()
    assert not at.exception
    at.selectbox(key="setup_cohort_edit").set_value(0).run()  # + new cohort
    base = "setup_new_0"
    at.text_input(key=f"{base}_code").input("2030-A-077")
    at.text_input(key=f"{base}_name_ja").input("2030年度前期 第77期")
    at.text_input(key=f"{base}_name_en").input("2030 spring cohort 77")
    at.selectbox(key=f"{base}_copy").set_value(oldest_cohort()["id"])
    at.button(key=f"{base}_submit").click().run()
    assert not at.exception, [e.value for e in at.error]
    assert JA("setup.created", code="2030-A-077") in texts(at)
    new_id = database().value("SELECT id FROM cohort WHERE code = '2030-A-077'")
    assert database().value("SELECT count(*) FROM assignment WHERE cohort_id = ?", [new_id]) == 8
    rules = [r for (r,) in database().rows("SELECT moderation_rule FROM assignment WHERE cohort_id = ?", [new_id])]
    copied = JA("setup.copied", source=oldest_cohort()["code"], count=8, all=rules.count("all"),
                sample=rules.count("sample"))
    assert copied in texts(at)
    # the new cohort is open, not a blank form
    assert at.selectbox(key="setup_cohort_edit").value == new_id
    assert at.text_input(key=f"setup_edit_{new_id}_name_ja").value == "2030年度前期 第77期"


def test_a_new_online_start_re_proposes_the_whole_calendar(app):
    at = app("demo-admin", script="pages/setup.py").run()
    at.selectbox(key="setup_cohort_edit").set_value(0).run()
    base = "setup_new_0"
    default_start = clock.today() + timedelta(days=60)
    start = date(default_start.year + 1, 4, 5)  # a Monday, a year later: every stage moves
    at.date_input(key=f"{base}_online_start").set_value(start).run()
    assert not at.exception
    proposed = cohorts.proposed_calendar(database(), start)
    for stage in cohorts.STAGE_ORDER:  # the calendar's fields show the proposal from the new start
        assert tuple(at.date_input(key=f"{base}_{start.isoformat()}_{stage}").value) in (
            proposed[stage], (proposed[stage][0],))
    at.text_input(key=f"{base}_code").input("2030-A-078")
    at.text_input(key=f"{base}_name_ja").input("第78期")
    at.text_input(key=f"{base}_name_en").input("Cohort 78")
    at.button(key=f"{base}_submit").click().run()
    assert not at.exception, [e.value for e in at.error]
    new_id = database().value("SELECT id FROM cohort WHERE code = '2030-A-078'")
    saved = cohorts.setup_of(database(), actor_of(database(), "demo-admin"), new_id).calendar
    assert saved == proposed
    assert (saved["online"][1] - saved["online"][0]).days > 50  # not the 5-day online stage of the report


def test_moving_the_practical_start_moves_the_later_stages_and_warns_of_late_due_dates(app):
    db, admin = database(), actor_of(database(), "demo-admin")
    calendar = cohorts.proposed_calendar(db, date(2031, 1, 6))
    cohort_id = cohorts.create_cohort(db, admin, cohorts.CohortSetup("2031-A-079", "第79期", "Cohort 79", calendar))
    at = app("demo-admin", script="pages/setup.py").run()
    at.selectbox(key="setup_cohort_edit").set_value(cohort_id).run()
    base = f"setup_edit_{cohort_id}"
    practical = calendar["practical"]
    new_start = cohorts.working_day_from(db, practical[0] + timedelta(days=20))[0]
    at.date_input(key=f"{base}_practical").set_value((new_start, practical[1]))  # only the start is moved
    at.button(key=f"{base}_submit").click().run()
    assert not at.exception, [e.value for e in at.error]
    assert JA("setup.later_stages_moved") in texts(at)
    proposal = cohorts.moved_calendar(db, calendar, "practical", new_start)
    assert proposal["practical"][1] > practical[1] and proposal["workshop_day1"][0] > calendar["workshop_day1"][0]
    assert not at.error  # the due dates move with it: none after the practical stage
    assert cohorts.setup_of(db, admin, cohort_id).calendar == calendar  # nothing saved before the confirmation
    at.button(key="setup_confirm_move").click().run()
    assert not at.exception
    assert cohorts.setup_of(db, admin, cohort_id).calendar == proposal
    due = {a["code"]: a["due_on"] for a in cohorts.assignment_list(db, admin, cohort_id)}
    assert all(d < proposal["workshop_day1"][0] for d in due.values())
    for stage in cohorts.STAGE_ORDER:  # the fields now show what was saved, not what was typed
        assert tuple(at.date_input(key=f"{base}_{stage}").value) == proposal[stage]

    # the practical stage cut short, its end before some due dates: said before anything is saved
    at.date_input(key=f"{base}_practical").set_value((proposal["practical"][0],
                                                      proposal["practical"][0] + timedelta(days=30)))
    at.button(key=f"{base}_submit").click().run()
    assert not at.exception
    short = {**proposal, "practical": (proposal["practical"][0], proposal["practical"][0] + timedelta(days=30))}
    late = [a["code"] for a in cohorts.due_after_practical(db, admin, cohort_id, short)]
    assert "A5" in late and len(at.error) == 1  # A5 is due 60 days into the stage
    assert all(code in at.error[0].value for code in late)
    assert at.error[0].value == JA("setup.due_after_practical", count=len(late), end=short["practical"][1].isoformat(),
                                   items="、".join(f"{a['code']}({a['due_on'].isoformat()})" for a in
                                                  cohorts.due_after_practical(db, admin, cohort_id, short)))
    assert cohorts.setup_of(db, admin, cohort_id).calendar == proposal
    at.button(key="setup_cancel_move").click().run()
    assert cohorts.setup_of(db, admin, cohort_id).calendar == proposal


def test_a_programme_day_off_is_added_and_listed(app):
    at = app("demo-admin", script="pages/setup.py").run()
    base = "setup_day_off_0"
    at.text_input(key=f"{base}_name_ja").input("事務局休業日")
    at.button(key=f"{base}_submit").click().run()
    assert not at.exception
    assert database().value("SELECT count(*) FROM programme_day_off WHERE name_ja = '事務局休業日'") == 1
    assert "事務局休業日" in at.dataframe[-2].value.to_string()  # the programme's days off, above the holidays


def test_caseload_tab_lists_each_trainee_with_their_current_supervisors(app):
    at = app("demo-admin", script="pages/setup.py")
    at.query_params["cohort"] = oldest_cohort()["code"]
    at.run()
    assert not at.exception
    table = next(d for d in at.dataframe if d.key == f"setup_caseload_table_{oldest_cohort()['id']}").value
    expected = dict(database().rows(
        "SELECT u.username, string_agg(su.display_name, '・') FROM enrolment e JOIN app_user u ON u.id = e.trainee_id "
        "JOIN supervision s ON s.enrolment_id = e.id JOIN app_user su ON su.id = s.supervisor_id "
        "WHERE e.cohort_id = ? GROUP BY u.username", [oldest_cohort()["id"]]))
    assert dict(zip(table["username"], table["supervisors"], strict=True)) == expected
    assert JA("setup.selected", count=0, total=len(table)) in [c.value for c in at.caption]


def test_select_all_then_add_a_supervisor_to_every_trainee_of_the_cohort(app):
    cohort = oldest_cohort()
    at = app("demo-admin", script="pages/setup.py")
    at.query_params["cohort"] = cohort["code"]
    at.run()
    total = database().value("SELECT count(*) FROM enrolment WHERE cohort_id = ?", [cohort["id"]])
    at.checkbox(key=f"setup_caseload_all_{cohort['id']}").check().run()
    assert JA("setup.selected", count=total, total=total) in [c.value for c in at.caption]
    picker = at.multiselect(key=f"setup_assign_sups_{cohort['id']}")
    assert picker.placeholder == JA("setup.supervisors_hint")
    supervisor = database().value("SELECT id FROM app_user WHERE username = 'supervisor-02'")
    picker.set_value([supervisor])
    at.button(key=f"setup_apply_{cohort['id']}").click().run()
    assert not at.exception
    assert database().value("SELECT count(*) FROM supervision s JOIN enrolment e ON e.id = s.enrolment_id "
                            "WHERE e.cohort_id = ? AND s.supervisor_id = ?", [cohort["id"], supervisor]) == total


def test_a_supervisor_records_a_day_off_after_its_cut_off_on_the_trainee_page(app):
    enrolment_id, supervisor, start = database().one(
        "SELECT e.id, u.username, p.starts_on FROM enrolment e JOIN supervision s ON s.enrolment_id = e.id "
        "JOIN app_user u ON u.id = s.supervisor_id JOIN cohort_stage p ON p.cohort_id = e.cohort_id "
        "AND p.stage = 'practical' WHERE e.cohort_id = ? ORDER BY e.id DESC LIMIT 1", [oldest_cohort()["id"]])
    at = app(supervisor, script="pages/trainee.py")
    at.query_params["e"] = str(enrolment_id)
    at.run()
    assert not at.exception
    base = f"trainee_dayoff_{enrolment_id}"
    assert not [d for d in at.date_input if d.key == f"{base}_day"]  # folded: the form is drawn when opened
    at.session_state[f"trainee_dayoff_open_{enrolment_id}"] = True  # opening it, as a click does
    at.run()
    at.date_input(key=f"{base}_day").set_value(start)
    at.selectbox(key=f"{base}_reason").set_value("sick")
    at.text_input(key=f"{base}_note").input("入院(後日本人から連絡)")
    at.button(key=f"{base}_submit").click().run()
    assert not at.exception
    assert JA("dayoff.saved", day=start.isoformat()) in texts(at)
    assert database().one("SELECT reason, note FROM day_off WHERE enrolment_id = ? AND day = ?",
                          [enrolment_id, start]) == ("sick", "入院(後日本人から連絡)")


def roster(rows) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([["ログインID", "氏名", "担当指導者"], *rows])
    return out.getvalue().encode("cp932")


def test_import_a_roster_rejected_rows_are_listed_and_nothing_is_imported_then_the_fixed_file_imports(app):
    cohort = oldest_cohort()
    at = app("demo-admin", script="pages/imports.py")
    at.query_params["cohort"] = cohort["code"]
    at.run()
    assert not at.exception
    assert at.selectbox(key="imports_cohort_roster").value == cohort["code"]
    bad = roster([["page.one", "頁 一郎", "supervisor-01"], ["page.two", "", "supervisor-01"],
                  ["page.three", "頁 三郎", "nobody"]])
    at.file_uploader(key="imports_roster_file_0").set_value(("名簿.csv", bad, "text/csv")).run()
    assert not at.exception
    assert JA("tabular.rejected", count=2) in texts(at)
    assert at.button(key="imports_roster_commit").disabled
    assert database().value("SELECT count(*) FROM app_user WHERE username LIKE 'page.%'") == 0

    good = roster([["page.one", "頁 一郎", "supervisor-01"], ["page.two", "頁 二郎", "supervisor-01"]])
    at.file_uploader(key="imports_roster_file_0").set_value(("名簿.csv", good, "text/csv")).run()
    supervisor = database().value("SELECT display_name FROM app_user WHERE username = 'supervisor-01'")
    shown = at.dataframe[-1].value
    assert set(shown[JA("import.col_supervisors")]) == {supervisor}  # names, not login IDs
    assert JA("import.col_email") in shown.columns and JA("import.col_organisation") in shown.columns
    at.button(key="imports_roster_commit").click().run()
    assert not at.exception
    assert database().value("SELECT count(*) FROM app_user WHERE username LIKE 'page.%'") == 2
    assert JA("import.passwords_title", count=2) in texts(at)
    assert JA("import.committed_into", cohort=cohort["code"], created=2, updated=0, unchanged=0) in texts(at)
    # the uploader is emptied: no "nothing new" preview of the same file contradicts the success
    assert JA("import.nothing_to_change") not in texts(at)
    assert at.file_uploader(key="imports_roster_file_1").value is None
    at.button(key="imports_passwords_done").click().run()
    assert JA("import.passwords_title", count=2) not in texts(at)


def test_quiz_errors_repeated_on_many_lines_are_shown_once_and_a_better_fitting_cohort_is_named(app):
    cohort = oldest_cohort()
    trainees = [u for (u,) in database().rows(
        "SELECT u.username FROM enrolment e JOIN app_user u ON u.id = e.trainee_id WHERE e.cohort_id = ? "
        "ORDER BY u.username LIMIT 5", [cohort["id"]])]
    other = database().dicts("SELECT id, code FROM cohort WHERE id <> ? ORDER BY code LIMIT 1", [cohort["id"]])[0]
    out = io.StringIO()
    csv.writer(out).writerows([["ログインID", "モジュール", "得点", "受験回数", "受験日"],
                               *[[u, "1", "80", "1", "1999/01/01"] for u in trainees]])
    at = app("demo-admin", script="pages/imports.py")
    at.query_params["cohort"] = other["code"]
    at.query_params["kind"] = "quiz"
    at.run()
    at.file_uploader(key="imports_quiz_file_0").set_value(("quiz.csv", out.getvalue().encode(), "text/csv")).run()
    assert not at.exception
    (reasons,) = at.table
    lines = list(reasons.value.index)
    # each unknown login ID is its own reason; the date outside the online stage is one reason for all five lines
    assert lines.count(JA("import.lines", count=5, ranges="2〜6")) == 1 and len(lines) == 6
    name = database().value("SELECT name_ja FROM cohort WHERE id = ?", [cohort["id"]])
    assert [w.value for w in at.warning] == [JA("import.better_cohort", cohort=f"{cohort['code']} {name}",
                                                matched=5, rows=5, chosen=other["code"])]
