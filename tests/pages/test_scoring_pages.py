"""Scoring, rubrics and moderation screens through AppTest: the queue, the scoring view (click a level, totals,
kept work, save and next, release), blind second marking, rubric and assignment settings, settling a
disagreement."""
from coordsupervise.i18n import translate
from coordsupervise.programme import auth
from coordsupervise.scoring import moderation, scoring
from coordsupervise.text import usertext
from coordsupervise.ui.diffview import diff_markdown
from coordsupervise.ui.runtime import database

JA = lambda key, **p: translate("ja", key, **p)  # noqa: E731


def actor(name):
    return auth.load_login_user(database(), name).actor()


def waiting(state, username="demo-supervisor", code=None):
    rows, _ = scoring.queue(database(), actor(username), scoring.QueueFilter(state=state, assignment_code=code))
    return [r["submission_id"] for r in rows]


def criteria(submission_id, username="demo-supervisor"):
    return [c["id"] for c in scoring.open_item(database(), actor(username), submission_id).criteria]


def open_item(app, submission_id, username="demo-supervisor"):
    at = app(username, script="pages/scoring.py")
    at.query_params["s"] = str(submission_id)
    return at.run()


def test_queue_shows_counts_items_and_filters_from_the_address(app):
    at = app("demo-supervisor", script="pages/scoring.py").run()
    assert not at.exception
    assert [m.label for m in at.metric][:2] == [JA("scoring.state.to_score"), JA("scoring.state.draft")]
    assert any(b.label == JA("scoring.open") for b in at.button)
    filtered = app("demo-supervisor", script="pages/scoring.py")
    filtered.query_params["state"] = "with_manager"
    filtered.run()
    assert not filtered.exception
    assert len([b for b in filtered.button if b.label == JA("scoring.open")]) == len(waiting("with_manager"))


def test_clicking_levels_updates_the_total_and_the_work_survives_a_new_session(app):
    target = waiting("to_score", code="A2")[0]
    [c1] = criteria(target)
    at = open_item(app, target)
    assert not at.exception
    assert at.metric[0].value == "—"
    at.radio(key=f"scoring_level_{target}_{c1}").set_value(4).run()
    assert at.metric[0].value == "4.00 / 4" and at.metric[2].value == JA("scoring.pass")
    again = open_item(app, target)  # a reload, or a login on another day
    assert again.radio(key=f"scoring_level_{target}_{c1}").value == 4


def test_save_and_next_moves_on_without_the_list(app):
    target = waiting("to_score", code="A3")[0]
    at = open_item(app, target)
    for cid in criteria(target):
        at.radio(key=f"scoring_level_{target}_{cid}").set_value(3)
    at.text_area(key=f"scoring_overall_{target}").input("主な問題を整理できています。")
    at.run()
    expected = scoring.next_item(database(), actor("demo-supervisor"), scoring.QueueFilter(), target)
    at.button(key=f"scoring_save_next_{target}").click().run()
    assert not at.exception
    assert at.query_params["s"] == str(expected) and expected != target
    assert database().value("SELECT status FROM score WHERE submission_id = ?", [target]) == "draft"


def test_release_from_the_scoring_view(app):
    target = waiting("to_score", code="A2")[-1]
    at = open_item(app, target)
    for cid in criteria(target):
        at.radio(key=f"scoring_level_{target}_{cid}").set_value(2)
    at.run()
    assert at.button(key=f"scoring_release_{target}").label == JA("scoring.release")
    expected = scoring.next_item(database(), actor("demo-supervisor"), scoring.QueueFilter(), target)
    at.button(key=f"scoring_release_{target}").click().run()
    assert not at.exception
    assert database().value("SELECT status FROM score WHERE submission_id = ?", [target]) is None  # asked first
    warnings = [w.value for w in at.warning]
    assert JA("scoring.confirm_release") in warnings and JA("scoring.confirm_no_comment") in warnings
    at.button(key=f"scoring_confirm_{target}").click().run()
    assert not at.exception
    assert database().value("SELECT status FROM score WHERE submission_id = ?", [target]) == "released"
    assert JA("scoring.outcome.released") in [s.value for s in at.success]
    assert at.query_params["s"] == str(expected)  # on to the next item, not left on the locked one


def test_cancelling_the_release_keeps_the_marking_and_releases_nothing(app):
    target = waiting("to_score", code="A2")[-1]
    at = open_item(app, target)
    for cid in criteria(target):
        at.radio(key=f"scoring_level_{target}_{cid}").set_value(3)
    at.text_area(key=f"scoring_overall_{target}").input("具体的な記録です。")
    at.run()
    at.button(key=f"scoring_release_{target}").click().run()
    assert JA("scoring.confirm_no_comment") not in [w.value for w in at.warning]
    at.button(key=f"scoring_confirm_cancel_{target}").click().run()
    assert not at.exception
    assert database().value("SELECT status FROM score WHERE submission_id = ?", [target]) is None
    assert all(r.value == 3 for r in at.radio)


def test_save_and_next_with_nothing_entered_makes_no_draft(app):
    target = waiting("to_score", code="A3")[0]
    drafts = len(waiting("draft"))
    at = open_item(app, target)
    assert at.button(key="scoring_skip").label == JA("scoring.skip") == "スキップ"
    at.button(key=f"scoring_save_next_{target}").click().run()
    assert not at.exception
    assert at.query_params["s"] != str(target)
    assert database().value("SELECT count(*) FROM score WHERE submission_id = ?", [target]) == 0
    assert len(waiting("draft")) == drafts


def test_work_that_goes_to_a_second_marker_says_so_before_the_click(app):
    supervisor = actor("demo-supervisor")
    sampled = [sid for sid in waiting("to_score") + waiting("draft")
               if scoring.open_item(database(), supervisor, sid).goes_to_second_marking]
    plain = [sid for sid in waiting("to_score") if sid not in sampled]
    assert sampled and plain
    at = open_item(app, sampled[0])
    assert JA("scoring.goes_to_second") in [i.value for i in at.info]
    assert at.button(key=f"scoring_release_{sampled[0]}").label == JA("scoring.release_to_second")
    other = open_item(app, plain[0])
    assert JA("scoring.goes_to_second") not in [i.value for i in other.info]


def test_a_score_waiting_for_its_second_marker_names_them_and_the_lock(app):
    target = waiting("second_marking")[0]
    view = scoring.open_item(database(), actor("demo-supervisor"), target)
    at = open_item(app, target)
    assert not at.exception
    assert view.second_marker_name
    assert any(view.second_marker_name in c.value for c in at.caption)
    assert JA("scoring.frozen.second_marking", name=view.second_marker_name) in [i.value for i in at.info]


def test_queue_labels_the_two_second_marking_counts_apart(app):
    at = app("demo-supervisor", script="pages/scoring.py").run()
    assert JA("scoring.count.to_second_mark") in [m.label for m in at.metric]


def test_a_second_marker_scores_blind(app):
    target = waiting("to_second_mark", username="demo-manager")[0]
    at = open_item(app, target, "demo-manager")
    assert not at.exception
    assert JA("scoring.blind") in [i.value for i in at.info]
    assert all(r.value is None for r in at.radio)  # the first marker's levels are not there
    assert not [e for e in at.expander if e.label.startswith(JA("scoring.evidence"))]


def test_someone_elses_submission_is_refused(app):
    target = waiting("released")[0]
    at = open_item(app, target, "supervisor-01")
    assert not at.exception
    assert JA("error.access_denied") in [e.value for e in at.error]


def test_rubrics_screen_for_admin_changes_an_assignment_rule(app):
    at = app("demo-admin", script="pages/rubrics.py").run()
    assert not at.exception
    assert len(at.dataframe) >= 2
    at.selectbox(key="rubrics_assignment").set_value("A5").run()
    form_rule = next(s for s in at.selectbox if s.label == JA("rubrics.col_rule"))
    form_rule.set_value("all")
    next(b for b in at.button if b.label == JA("rubrics.save_assignment")).click().run()
    assert not at.exception
    assert JA("rubrics.assignment_saved", code="A5") in [s.value for s in at.success]


def test_moderation_screen_settles_a_disagreement(app):
    manager = actor("demo-manager")
    before = len(moderation.open_disagreements(database(), manager))
    at = app("demo-manager", script="pages/moderation.py").run()
    assert not at.exception
    # per group: percentages and kappa apart, drawn when its tab is open (the first, here); severity one chart
    assert len(at.tabs) == 4 and len(at.get("vega_lite_chart")) == 2
    levels = [r for r in at.radio if r.key.startswith("moderation_level_")]
    assert levels and all(r.value is None for r in levels)  # no rubber stamp: nothing preselected
    # demo-manager second-marked this one and is the only manager: warned, not refused
    assert JA("moderation.own_marking_alone") in [w.value for w in at.warning]
    next(a for a in at.text_area if a.label == JA("moderation.reason")).input("記録の具体性を重視して合意した")
    next(b for b in at.button if b.label == JA("moderation.resolve")).click().run()
    assert JA("scoring.incomplete") in [e.value for e in at.error]
    assert len(moderation.open_disagreements(database(), manager)) == before
    for radio in levels:
        at.radio(key=radio.key).set_value(3)
    next(b for b in at.button if b.label == JA("moderation.resolve")).click().run()
    assert not at.exception
    assert len(moderation.open_disagreements(database(), manager)) == before - 1


def test_a_stale_tab_is_refused_and_keeps_its_marking(app):
    target = waiting("to_score", code="A3")[-1]
    first_tab, second_tab = open_item(app, target), open_item(app, target)
    for tab, level in ((first_tab, 3), (second_tab, 2)):
        for cid in criteria(target):
            tab.radio(key=f"scoring_level_{target}_{cid}").set_value(level)
        tab.run()
    first_tab.button(key=f"scoring_save_{target}").click().run()
    second_tab.button(key=f"scoring_save_{target}").click().run()
    assert not second_tab.exception
    assert JA("scoring.stale") in [e.value for e in second_tab.error]
    assert all(r.value == 2 for r in second_tab.radio)  # nothing typed is lost
    assert {lvl for (lvl,) in database().rows("SELECT x.level FROM score_criterion x JOIN score s ON s.id = x.score_id "
                                              "WHERE s.submission_id = ?", [target])} == {3}


def test_a_resubmission_shows_what_changed_and_its_headings_stay_small(app):
    supervisor = actor("demo-supervisor")
    rows, _ = scoring.queue(database(), supervisor, scoring.QueueFilter(), limit=500)
    target = next(r["submission_id"] for r in rows if r["version"] > 1)
    view = scoring.open_item(database(), supervisor, target)
    at = open_item(app, target)
    assert not at.exception
    label = JA("scoring.changes", old=view.earlier[0]["version"], new=view.version)
    assert any(e.label == label for e in at.expander)
    changes = scoring.resubmission_diff(view.earlier[0]["body_md"], view.body_md)
    assert changes and diff_markdown(changes) in [m.value for m in at.markdown]
    shown = [m.value for m in at.markdown]
    assert usertext.markdown(view.body_md) in shown  # demoted once, by user_markdown
    assert not any(line.startswith(("# ", "## ", "### ")) for m in shown for line in m.splitlines())


def test_the_sheet_buttons_are_stacked_at_full_width(app):
    supervisor = actor("demo-supervisor")
    rows, _ = scoring.queue(database(), supervisor, scoring.QueueFilter(), limit=500)
    sheet = next(r["submission_id"] for r in rows
                 if scoring.open_item(database(), supervisor, r["submission_id"]).kind == "approval")
    at = open_item(app, sheet)
    assert not at.exception
    buttons = [b for b in at.button if b.label in (JA("scoring.approve"), JA("scoring.return_sheet"))]
    assert len(buttons) == 2
    # each sits in the right panel only, not in a half-width column inside it (that cut the labels off)
    for label in (JA("scoring.approve"), JA("scoring.return_sheet")):
        assert sum(label in [b.label for b in column.button] for column in at.columns) == 1


def test_a_revision_request_moves_on_and_the_item_then_says_why_it_is_locked(app):
    target = waiting("to_score", code="A3")[0]
    at = open_item(app, target)
    at.text_area(key=f"scoring_overall_{target}").input("事例の背景をもう少し具体的に書いてください。")
    at.run()
    at.button(key=f"scoring_revision_{target}").click().run()
    assert JA("scoring.confirm_revision") in [w.value for w in at.warning]  # asked first, as a release is
    at.button(key=f"scoring_revision_confirm_{target}").click().run()
    assert not at.exception
    assert JA("scoring.revision_sent") in [s.value for s in at.success]
    assert at.query_params["s"] != str(target)
    again = open_item(app, target)
    assert JA("scoring.frozen.revision_requested") in [i.value for i in again.info]


def _actionable_in_order(username):
    rows, _ = scoring.queue(database(), actor(username), scoring.QueueFilter(), limit=200)
    return [(r["submission_id"], r["state"]) for r in rows if r["state"] in scoring.ACTIONABLE]


def test_at_the_end_of_the_queue_what_is_left_is_said_and_offered(app):
    order = _actionable_in_order("demo-supervisor")
    last = order[-1][0]
    assert scoring.next_item(database(), actor("demo-supervisor"), scoring.QueueFilter(), last) is None
    at = open_item(app, last)
    at.button(key="scoring_skip").click().run()
    assert not at.exception
    notices = [s.value for s in at.success]
    assert JA("scoring.queue_done") not in notices  # items are left: it was not the last
    counts = scoring.queue_counts(database(), actor("demo-supervisor"), scoring.QueueFilter())["state"]
    [said] = [n for n in notices if n.startswith(JA("scoring.queue_end_left", left="", start="")[:8])]
    for state in scoring.ACTIONABLE:
        if counts[state]:
            assert JA("scoring.left_item", label=JA(f"scoring.state.{state}"), count=counts[state]) in said
    assert JA("scoring.start") in said and at.button(key="scoring_start")  # and offered on the queue


def test_a_handed_in_second_marking_says_how_it_came_out_and_who_settles_it(app):
    manager = actor("demo-manager")
    order = _actionable_in_order("demo-manager")
    # the last item of the queue: the outcome must survive the end-of-queue notice (it was overwritten)
    target = [sid for sid, state in order if state == "to_second_mark"][-1]
    at = open_item(app, target, "demo-manager")
    for cid in criteria(target, "demo-manager"):
        at.radio(key=f"scoring_level_{target}_{cid}").set_value(1)
    at.run()
    expected_next = scoring.next_item(database(), manager, scoring.QueueFilter(), target)
    at.button(key=f"scoring_second_{target}").click().run()
    assert not at.exception
    outcome = database().value("SELECT m.status FROM moderation m JOIN score s ON s.id = m.score_id "
                               "WHERE s.submission_id = ?", [target])
    assert outcome in ("agreed", "disagreed")
    said = JA(f"scoring.second_{outcome}", screen=JA("nav.moderation"))
    assert said in [s.value for s in at.success]
    if outcome == "disagreed":
        assert JA("nav.moderation") in said and JA("role.manager") in said
    assert expected_next is None and len(at.success) == 2  # the outcome, then what is left in the queue


def test_a_handed_in_second_marking_is_no_longer_called_blind_and_says_where_to_compare(app):
    manager = actor("demo-manager")
    target = waiting("to_second_mark", username="demo-manager")[0]
    view = scoring.open_item(database(), manager, target)
    outcome = scoring.second_mark(database(), manager, target, {cid: 1 for cid in criteria(target, "demo-manager")},
                                  {}, "", view.row_version)
    at = open_item(app, target, "demo-manager")
    assert not at.exception
    infos = [i.value for i in at.info]
    assert JA("scoring.blind") not in infos
    assert JA(f"flow.second_handed_in.{outcome}", screen=JA("nav.moderation")) in infos
    assert any(JA("nav.moderation") in m.value for m in at.markdown)  # the way there, as a link
    audit = next(e for e in at.expander if e.label == JA("scoring.audit"))
    assert JA("scoring.audit_withheld") not in [i.value for i in audit.info]
