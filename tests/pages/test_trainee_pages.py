"""The trainee's three screens, driven as a person would through AppTest."""
import re
from datetime import date

from coordsupervise.i18n import translate
from coordsupervise.programme import auth
from coordsupervise.routes import BY_PATH
from coordsupervise.ui.runtime import database
from tests.conftest import DEMO_TODAY

KEY_LIKE = re.compile(r"\b(?:reflection|assignment|progress|cert|calendar|nav|stage|level|off)\.[a-z_.]+\b")

JA = lambda key, **p: translate("ja", key, **p)  # noqa: E731


def status_line(at) -> str:
    """The reflection's status line: the first Markdown of the screen after the link a waiting library case puts
    above it (drawn as Markdown when the page runs outside the router)."""
    return next(m.value for m in at.markdown if "](/account)" not in m.value)


def area(at, key):
    """The text box whose label is that field's (required ones carry a mark after it)."""
    return next(a for a in at.text_area if a.label.startswith(JA(key)))


def open_reflection(app, day=None):
    at = app("demo-trainee", script="pages/reflection.py")
    if day:
        at.query_params["day"] = day
    return at.run()


def test_reflection_draft_survives_a_new_session(app):
    at = open_reflection(app)
    assert not at.exception
    day = at.date_input[0].value.isoformat()
    area(at, "reflection.field.event").input("AppTest で書いた下書き K-555").run()
    assert not at.exception
    assert any(JA("reflection.draft_saved", at="")[:8] in c.value for c in at.caption)
    again = open_reflection(app, day)  # a refresh, a new tab, or after logging in again
    assert area(again, "reflection.field.event").value == "AppTest で書いた下書き K-555"


def test_privacy_guard_asks_before_submitting(app):
    at = open_reflection(app)
    day = at.date_input[0].value.isoformat()
    area(at, "reflection.field.event").input("相談者の電話 090-1111-2222 に折り返し").run()
    area(at, "reflection.field.try_text").input("明日は記録を見直す").run()
    at.segmented_control[0].set_value(3).run()
    at.button(key="reflection_submit").click().run()
    assert not at.exception
    assert JA("reflection.privacy_intro") in [w.value for w in at.warning]
    confirm = [c for c in at.checkbox if "090-1111-2222" in c.label]  # not a module box of the day's form
    assert len(confirm) == 1
    confirm[0].check().run()
    at.button(key="reflection_submit").click().run()
    assert not at.exception
    again = open_reflection(app, day)
    assert JA("reflection.status_submitted", version=1, at="")[:4] in status_line(again)


def test_assignments_page_lists_everything_and_shows_the_rubric(app):
    at = app("demo-trainee", script="pages/assignments.py")
    at.query_params["a"] = "A4"
    at.run()
    assert not at.exception
    assert at.selectbox[0].value == "A4"
    assert any(e.label == JA("assignment.rubric") for e in at.expander)
    # every criterion shows all four levels, each descriptor in full (not a cell cut off in a grid)
    markdown = [m.value for m in at.markdown]
    for level in (4, 3, 2, 1):
        assert sum(JA(f"level.{level}") in m for m in markdown) >= 2
    assert any(len(x.value) > 20 for x in at.text)


def test_submit_button_is_visible_before_anything_is_written(app):
    at = app("demo-trainee", script="pages/assignments.py")
    at.query_params["a"] = "A7"
    at.run()
    assert not at.exception
    waiting = at.button(key="assignments_submit_waiting")
    assert waiting.disabled
    assert JA("firsthour.submit_needs_text") in [c.value for c in at.caption]


def test_progress_page_draws_where_the_trainee_stands_as_text(app):
    """Stages, calendar and competencies are text tables (no chart: ui/progress.py says why)."""
    at = app("demo-trainee", script="pages/progress.py").run()
    assert not at.exception
    assert not at.get("plotly_chart")
    tables = [m.value for m in at.markdown if m.value.startswith("| ")]
    assert [table.splitlines()[0].split(" | ")[0] for table in tables] == \
        ["| " + JA("progress.col_stage"), "| " + JA("weekday.0"), "| " + JA("progress.col_competency")]
    assert f"**{JA('stage.practical')}**" in tables[0]  # the demo trainee is in the practical stage
    assert at.get("progress")  # and how far into it
    legend = " ".join(c.value for c in at.caption)
    assert JA("calendar.submitted") in legend and JA("calendar.missing") in legend
    markdown = " ".join(m.value for m in at.markdown)
    assert JA("cert.modules", bar=80) in markdown and JA("cert.certification_test", bar=70) in markdown


def test_english_is_complete_on_trainee_pages(app):
    """With the account set to English, the screens speak English and no catalogue key shows through."""
    db = database()
    trainee = auth.load_login_user(db, "demo-trainee").actor()
    auth.set_language(db, trainee, "en")
    try:
        for route in ("reflection", "assignments", "progress"):
            at = app("demo-trainee", script=BY_PATH[route].file).run()
            assert not at.exception
            assert at.title[0].value == translate("en", BY_PATH[route].title_key)
            shown = [m.value for m in at.markdown] + [c.value for c in at.caption] + \
                [w.label for w in at.text_area] + [w.label for w in at.text_input]
            leaks = [text for text in shown if KEY_LIKE.search(text)]
            assert leaks == []
    finally:
        auth.set_language(db, trainee, "ja")


def test_logout_leaves_nothing_of_the_person_in_the_session(app):
    """On a shared desk PC the next person must not inherit typed text or privacy findings."""
    at = app("demo-trainee").run()  # through the router, which draws the logout button
    area(at, "reflection.field.event").input("共有PCで書いた文章").run()
    assert any(k.startswith("reflection_") for k in at.session_state.keys())
    at.button(key="app_logout").click().run()
    assert not at.exception
    assert not any(k.startswith("reflection_") for k in at.session_state.keys())
    assert at.session_state["authentication_status"] is None
    assert JA("login.username") in [t.label for t in at.text_input]


def trainee_days(status):
    """Days of demo-trainee's calendar with that status, oldest first (the page tests share one database)."""
    from coordsupervise import clock
    from coordsupervise.practice import reflections
    from coordsupervise.programme import enrolments

    db = database()
    actor = auth.load_login_user(db, "demo-trainee").actor()
    enrolment = enrolments.current_for_trainee(db, actor)
    today = clock.today()
    return db, actor, enrolment, [d for d, s in sorted(reflections.calendar(db, actor, enrolment, today).items())
                                  if s == status and d < today]


def test_a_draft_stays_listed_among_unsubmitted_days(app):
    from coordsupervise import clock
    from coordsupervise.practice import reflections

    db, actor, enrolment, missing = trainee_days("missing")
    first, other = missing[0], missing[-1]
    reflections.save_draft(db, actor, enrolment, first, reflections.ReflectionBody(event="書きかけ"), clock.today())
    at = open_reflection(app, other.isoformat())
    assert not at.exception
    jump = next(b for b in at.button_group if b.label == JA("reflection.missing_days"))
    labels = [o.content for o in jump.proto.options]
    assert labels[0] == first.strftime("%m/%d") + " " + JA("reflection.draft_mark")  # oldest first, marked
    assert other.strftime("%m/%d") in labels


def test_every_missing_required_field_is_marked_at_once(app):
    _, _, _, free = trainee_days("weekend")  # a day nobody wrote on: weekends may be written too
    at = open_reflection(app, free[-1].isoformat())
    at.text_input[0].input("目標だけ書いた").run()
    at.button(key="reflection_submit").click().run()
    assert not at.exception
    marks = [m for m in at.markdown if JA("firsthour.required_here") in m.value]
    assert len(marks) == 3  # 出来事, 明日の行動, 自己評価: all at once, not one per submit
    summary = " ".join(e.value for e in at.error)
    for name in ("event", "try_text", "self_rating"):
        assert JA(f"reflection.field.{name}") in summary


def test_submit_is_confirmed_beside_the_button_with_its_version(app):
    _, _, _, free = trainee_days("weekend")
    at = open_reflection(app, free[-2].isoformat())
    area(at, "reflection.field.event").input("相談者コード K-321 の在留手続を確認した").run()
    area(at, "reflection.field.try_text").input("明日は書類の一覧を作る").run()
    at.segmented_control[0].set_value(3).run()
    at.button(key="reflection_submit").click().run()
    assert not at.exception
    assert any(JA("reflection.submitted", version=1) in s.value for s in at.success)


def test_competency_tags_use_short_names_and_privacy_findings_stay_plain_text(app):
    _, _, _, free = trainee_days("weekend")
    at = open_reflection(app, free[-3].isoformat())
    tags = next(b for b in at.button_group if b.label == JA("reflection.field.competencies"))
    assert [o.content for o in tags.proto.options][0] == f"C1 {JA('competency.short.C1')}"
    area(at, "reflection.field.event").input("連絡先 taro.yamada@example.com を聞いた").run()
    area(at, "reflection.field.try_text").input("記録を見直す").run()
    at.segmented_control[0].set_value(2).run()
    at.button(key="reflection_submit").click().run()
    assert not at.exception
    label = next(c.label for c in at.checkbox if "taro.yamada@example.com" in c.label)
    assert "`taro.yamada@example.com`" in label  # code, so Markdown never turns it into a mailto link


def test_modules_are_grouped_checkboxes_not_a_multiselect(app):
    db, actor, enrolment, free = trainee_days("weekend")
    day = free[-4]
    at = open_reflection(app, day.isoformat())
    assert len(at.multiselect) == 0
    boxes = [c for c in at.checkbox if c.label[:2].isdigit()]
    assert len(boxes) == 15
    boxes[4].check().run()
    assert not at.exception
    from coordsupervise.practice import reflections

    saved = reflections.open_day(db, actor, enrolment, day)
    assert len(saved.body.module_ids) == 1
    assert JA("firsthour.modules_chosen", count=1) in " ".join(c.value for c in at.caption)


def test_progress_says_not_yet_scored(app):
    """A competency without a released rubric score says so instead of showing an empty slot."""
    at = app("demo-trainee", script="pages/progress.py").run()
    assert not at.exception
    assert any(JA("firsthour.not_yet_scored") in m.value for m in at.markdown if m.value.startswith("| "))
    assert any(JA("firsthour.not_yet_scored") in c.value for c in at.caption)


def test_assignment_body_is_kept_while_typing(app, monkeypatch):
    """The body box autosaves after each pause in typing (keep_typing), like the reflection, not only on leaving it."""
    mounted = []
    monkeypatch.setattr("coordsupervise.ui.keep_typing.keep_typing", mounted.append)
    at = app("demo-trainee", script="pages/assignments.py")
    at.query_params["a"] = "A8"
    at.run()
    assert not at.exception
    assert at.text_area, "an open assignment shows its body box"
    assert mounted == ["assignments_keep_typing"]


def test_certificate_is_shown_on_the_page_in_both_languages(app):
    """The certificate is on /progress itself (printable with the browser), not only a file download: Japanese with
    the English below, naming the issuing programme, its number unbreakable on a phone."""
    at = app("demo-graduate", script="pages/progress.py").run()
    assert not at.exception
    number, programme_ja, programme_en = database().one(
        "SELECT k.certificate_no, p.name_ja, p.name_en FROM certificate k JOIN enrolment e ON e.id = k.enrolment_id "
        "JOIN cohort c ON c.id = e.cohort_id JOIN programme p ON p.id = c.programme_id "
        "JOIN app_user u ON u.id = e.trainee_id WHERE u.username = 'demo-graduate'")
    card = " ".join(m.value for m in at.markdown)
    assert "\u2060".join(number) in card  # word joiners: no line break inside the number
    assert translate("ja", "certification.cert_title") in card and translate("en", "certification.cert_title") in \
        " ".join(c.value for c in at.caption)
    assert JA("firsthour.cert_issued_by", programme=programme_ja) in card
    assert translate("en", "firsthour.cert_issued_by", programme=programme_en) in [c.value for c in at.caption]
    assert JA("firsthour.cert_print_hint") in [c.value for c in at.caption]


def test_checklist_says_each_status_in_words_with_the_value_against_the_bar(app):
    at = app("demo-trainee", script="pages/progress.py").run()
    assert not at.exception
    words = {JA(f"cert.status.{s}") for s in ("met", "unmet", "open", "on_track")}
    lines = [m.value for m in at.markdown if "-badge[" in m.value and "**" in m.value and not m.value.startswith("| ")]
    assert len(lines) == 8
    assert all(any(f"[{w}]" in line for w in words) for line in lines)
    reflections = next(line for line in lines if JA("cert.reflections", bar=80)[:6] in line)
    assert re.search(r"\d+% / " + re.escape(JA("cert.value_bar", value="", bar=80)[3:]), reflections)
    # mid-practical: a rate above the bar is on track, not done; below it, not met yet is not final either
    assert f"[{JA('cert.status.met')}]" not in reflections
    if f"[{JA('cert.status.on_track')}]" in reflections:
        assert JA("cert.during_practical") in reflections


def test_status_line_counts_the_comments_and_links_to_the_conversation(app):
    day = database().value(
        "SELECT r.practice_date FROM reflection r JOIN enrolment e ON e.id = r.enrolment_id JOIN app_user u "
        "ON u.id = e.trainee_id JOIN feedback f ON f.reflection_id = r.id WHERE u.username = 'demo-trainee' "
        "AND r.status = 'submitted' GROUP BY r.practice_date ORDER BY count(*) DESC, r.practice_date LIMIT 1")
    at = open_reflection(app, day.isoformat())
    assert not at.exception
    count = database().value("SELECT count(*) FROM feedback f JOIN reflection r ON r.id = f.reflection_id JOIN "
                             "enrolment e ON e.id = r.enrolment_id JOIN app_user u ON u.id = e.trainee_id "
                             "WHERE u.username = 'demo-trainee' AND r.practice_date = ?", [day])
    status = status_line(at)
    assert JA(f"polish.comments.{'one' if count == 1 else 'other'}", count=count) in status
    assert "(#reflection-thread)" in status
    assert any(h.proto.anchor == "reflection-thread" for h in at.subheader)


def test_a_missed_day_past_its_cut_off_says_it_will_be_late(app):
    at = open_reflection(app)
    picker = next(p for p in at.get("button_group") if p.proto.label == JA("reflection.missing_days"))
    month, day = map(int, next(o for o in picker.options if JA("reflection.draft_mark") not in o).split("/"))
    missed = date(DEMO_TODAY.year, month, day)
    if missed > DEMO_TODAY:  # the practical stage began in the previous year
        missed = missed.replace(year=missed.year - 1)
    at = open_reflection(app, missed.isoformat())
    assert not at.exception
    status = status_line(at)
    assert JA("reflection.status_past_cutoff", cutoff="")[:5] in status
    assert JA("reflection.day_off_after_cutoff") in [c.value for c in at.caption]
    assert not [e for e in at.expander if e.label == JA("reflection.off_title")]


def test_reply_privacy_warning_names_the_send_button(app):
    day = database().value(
        "SELECT r.practice_date FROM reflection r JOIN enrolment e ON e.id = r.enrolment_id JOIN app_user u "
        "ON u.id = e.trainee_id WHERE u.username = 'demo-trainee' AND r.status = 'submitted' LIMIT 1")
    at = open_reflection(app, day.isoformat())
    reply = next(a for a in at.text_area if a.label == JA("reflection.reply"))
    assert "Markdown" not in reply.label
    reply.input("折り返しは 090-3333-4444 にお願いします")  # in a form: sent with the button, in one run
    next(b for b in at.button if b.label == JA("reflection.send")).click().run()
    assert not at.exception
    assert JA("reflection.privacy_howto", button=JA("reflection.send")) in [c.value for c in at.caption]


def test_submitted_headings_stay_below_the_page_title():
    from coordsupervise.text.usertext import markdown
    assert markdown("# 報告\n## 背景\n本文 #タグ") == "#### 報告\n\n##### 背景\n\n本文 \\#タグ"
    assert markdown("#### 細目") == "###### 細目"  # never past the smallest level


def test_assignments_table_puts_status_first_and_explains_the_star(app):
    at = app("demo-trainee", script="pages/assignments.py")
    at.query_params["a"] = "A4"
    at.run()
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table.columns)[0] == JA("assignment.col_state")  # visible on a 390 px phone without scrolling
    assert JA("assignment.critical_explained") in [c.value for c in at.caption]
    assert any(v.startswith("★ A8") for v in table[JA("assignment.col_title")])


def test_rubric_shows_full_level_names_and_marks_the_pass_level(app):
    at = app("demo-trainee", script="pages/assignments.py")
    at.query_params["a"] = "A8"
    at.run()
    assert not at.exception
    markdown = [m.value for m in at.markdown]
    assert any(f"**1 {JA('level.1')}**" in m for m in markdown)  # the whole name, not a badge cut at its width
    passes = [m for m in markdown if JA("firsthour.rubric_pass_level") in m]
    assert passes and all(f"**3 {JA('level.3')}**" in m for m in passes)


def test_competency_chart_tells_self_ratings_from_rubric_levels(app):
    at = app("demo-trainee", script="pages/progress.py").run()
    assert not at.exception
    assert JA("progress.chart_explained") in [c.value for c in at.caption]
    table = next(m.value for m in at.markdown if m.value.startswith(f"| {JA('progress.col_competency')} |"))
    assert table.splitlines()[0].split(" | ")[1:] == [JA("progress.rubric_level"), JA("progress.self_rating") + " |"]


def test_a_trainee_behind_the_reflection_bar_is_told_what_it_still_takes(app):
    """Below the bar mid-practice, /progress says so above the calendar, with the reflections still needed; a
    trainee on track sees no warning."""
    from coordsupervise.practice import reflections
    from coordsupervise.programme import enrolments
    from coordsupervise.ui import progress as progress_view

    db = database()
    manager = auth.load_login_user(db, "demo-manager").actor()
    found = None
    for (username,) in db.rows("SELECT u.username FROM app_user u JOIN enrolment e ON e.trainee_id = u.id "
                               "WHERE e.status = 'active' ORDER BY u.username"):
        trainee = auth.load_login_user(db, username).actor()
        enrolment = enrolments.current_for_trainee(db, trainee)
        if enrolment is None or not enrolment.practical[0] <= DEMO_TODAY <= enrolment.practical[1]:
            continue
        short = progress_view.behind(reflections.calendar(db, manager, enrolment, DEMO_TODAY),
                                     enrolment.reflection_rate_pct)
        if short:
            found = (username, enrolment.reflection_rate_pct, *short)
            break
    assert found, "the demo has a trainee behind the bar mid-practice"
    username, bar, needed, left = found
    at = app(username, script="pages/progress.py").run()
    assert not at.exception
    said = JA("progress.behind", bar=bar, needed=needed, left=left) if needed <= left else \
        JA("progress.behind_out_of_reach", bar=bar)
    assert [w.value for w in at.warning] == [said]
    on_track = app("demo-trainee", script="pages/progress.py").run()
    assert not on_track.warning
