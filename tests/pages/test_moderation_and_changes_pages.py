"""/moderation reads as /scoring does and says what kappa is good enough; a resubmission (and a reflection revised
after it was read) shows what changed as marked lines, not as a patch, with the writer's text escaped."""
from markdown_it import MarkdownIt

from coordsupervise.i18n import translate
from coordsupervise.practice import reflections, supervision
from coordsupervise.practice.reflections import ReflectionBody
from coordsupervise.programme import auth, enrolments
from coordsupervise.scoring import moderation, scoring
from coordsupervise.ui.runtime import database
from tests.conftest import DEMO_TODAY

JA = lambda key, **p: translate("ja", key, **p)  # noqa: E731
# how a renderer would read what the app hands to Streamlit's Markdown, raw HTML on: none may be there at all
READER = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
HOSTILE = "<script>alert(1)</script> [見る](javascript:alert(1)) ![x](http://evil.example/i.png) :red[赤]"


def actor(name):
    return auth.load_login_user(database(), name).actor()


def markup_in(text: str) -> set[str]:
    """The kinds of raw HTML, link and image a CommonMark renderer would find in `text`."""
    found = set()
    for token in READER.parse(text):
        for child in [token, *(token.children or [])]:
            if child.type.startswith(("html", "link", "image")):
                found.add(child.type)
    return found


# -- /moderation --------------------------------------------------------------------------------------------------
def test_the_agreed_levels_read_as_the_criterions_own_descriptors_with_who_chose_which(app):
    manager = actor("demo-manager")
    item = moderation.open_disagreements(database(), manager)[0]
    pair = moderation.side_by_side(database(), manager, item.moderation_id)
    at = app("demo-manager", script="pages/moderation.py")
    at.query_params["m"] = str(item.moderation_id)
    at.run()
    assert not at.exception
    for criterion in pair["criteria"]:
        radio = at.radio(key=f"moderation_level_{item.moderation_id}_{criterion['id']}")
        descriptors = {level: ja for level, ja, _ in criterion["levels"]}
        assert len(radio.options) == 4 and radio.value is None  # nothing preselected
        for level, option in zip([4, 3, 2, 1], radio.options, strict=True):
            assert option.startswith(f"**{level}** {descriptors[level]}"), option  # not 「3 概ね自立してできる」
        first = next(o for o in radio.options if o.startswith(f"**{criterion['first_level']}**"))
        second = next(o for o in radio.options if o.startswith(f"**{criterion['second_level']}**"))
        assert JA("moderation.first") in first and JA("moderation.second") in second


def test_the_agreement_figures_say_what_kappa_is_good_enough_and_each_kappas_band(app):
    at = app("demo-manager", script="pages/moderation.py").run()
    assert not at.exception
    guidance = JA("flow.kappa.guidance", good=moderation.KAPPA_GOOD_ENOUGH)
    assert guidance in [c.value for c in at.caption] and "Landis & Koch" in guidance and "0.61" in guidance
    bands = next(e for e in at.expander if e.label == JA("flow.kappa.bands_title"))
    listed = bands.markdown[0].value
    for band in ("poor", "slight", "fair", "moderate", "substantial", "almost_perfect"):
        assert JA(f"flow.kappa.band.{band}") in listed and JA(f"flow.kappa.range.{band}") in listed
    tables = []
    for number, name in enumerate(("by_assignment", "by_criterion", "by_pair")):  # only the open tab is drawn
        at.session_state["moderation_tab"] = JA(f"moderation.{name}")
        tables.append(at.run().tabs[number].dataframe[0].value)
    for table in tables:
        kappas, named = table[JA("moderation.kappa")], table[JA("flow.kappa.band_column")]
        for kappa, name in zip(kappas, named, strict=True):
            band = moderation.kappa_band(None if kappa != kappa else kappa)  # NaN: no kappa
            assert name == (JA(f"flow.kappa.band.{band}") if band else "—")
    assert any(n == JA("flow.kappa.band.substantial") for t in tables for n in t[JA("flow.kappa.band_column")])


def test_only_the_open_figure_tab_is_drawn_and_each_draws_when_opened(app):
    at = app("demo-manager", script="pages/moderation.py").run()
    assert not at.exception
    drawn = [len(tab.get("vega_lite_chart")) for tab in at.tabs]
    assert drawn == [2, 0, 0, 0]  # the agreement and the kappa chart of the first tab; the others wait
    for number, name in enumerate(("by_assignment", "by_criterion", "by_pair", "severity")):
        at.session_state["moderation_tab"] = JA(f"moderation.{name}")
        at.run()
        assert not at.exception
        assert [bool(tab.get("vega_lite_chart")) for tab in at.tabs] == [n == number for n in range(4)], name
        assert at.tabs[number].dataframe, name


def test_the_cached_figures_count_a_settlement_at_the_next_rerun(app):
    """The figures are cached, keyed by the moderation rows' version: a disagreement settled (here, as if in
    another app process, straight through the service) moves the severity table at once, not minutes later."""
    manager = actor("demo-manager")
    at = app("demo-manager", script="pages/moderation.py")
    at.session_state["moderation_tab"] = JA("moderation.severity")
    at.run()
    before = at.tabs[3].dataframe[0].value
    item = moderation.open_disagreements(database(), manager)[0]
    pair = moderation.side_by_side(database(), manager, item.moderation_id)
    version = moderation.figures_version(database(), manager)
    agreed = {c["id"]: 4 if c["first_level"] != 4 else 1 for c in pair["criteria"]}  # far from both markers
    moderation.resolve(database(), manager, item.moderation_id, agreed, "協議の上で合意", pair["row_version"])
    assert moderation.figures_version(database(), manager) != version
    after = at.run().tabs[3].dataframe[0].value
    assert not at.exception
    assert not before.equals(after)
    assert after.equals(moderation_severity_table(manager))


def moderation_severity_table(manager):
    """The severity table as the page draws it, counted afresh."""
    import pandas as pd
    rows = moderation.agreement(database(), manager)["severity"]
    return pd.DataFrame([{JA("moderation.rater"): r["rater"], JA("moderation.marks"): r["marks"],
                          JA("moderation.mean_difference"): r["mean_difference"]} for r in rows])


# -- what changed -------------------------------------------------------------------------------------------------
def resubmission_with_a_rewritten_line():
    """demo-supervisor's resubmitted A3 (v2) with one line of v1 rewritten and a hostile line added."""
    supervisor = actor("demo-supervisor")
    rows, _ = scoring.queue(database(), supervisor, scoring.QueueFilter(assignment_code="A3"), limit=500)
    target = next(r["submission_id"] for r in rows if r["version"] > 1)
    old = scoring.open_item(database(), supervisor, target).earlier[0]["body_md"]
    line = old.splitlines()[1]
    new = old.replace(line, line.replace("緊急度で", "在留期限を最優先に")) + "\n" + HOSTILE
    assert new != old + "\n" + HOSTILE, "the demo's A3 should say 緊急度で"
    database().write(lambda tx: tx.execute("UPDATE submission SET body_md = ? WHERE id = ?", [new, target]))
    return target


def test_a_resubmission_shows_marked_lines_not_a_patch(app):
    target = resubmission_with_a_rewritten_line()
    at = app("demo-supervisor", script="pages/scoring.py")
    at.query_params["s"] = str(target)
    at.run()
    assert not at.exception
    assert not [c for c in at.code if "@@" in c.value or c.language == "diff"]  # no patch
    changes = next(e for e in at.expander if e.label.startswith(JA("scoring.changes", old=1, new=2)[:4]))
    assert JA("flow.diff.legend") in [c.value for c in changes.caption]
    shown = "\n".join(m.value for m in changes.markdown)
    # the old line and the new, each marked in words, the changed characters highlighted
    assert f":red-badge[{JA('flow.diff.removed')}]" in shown and f":green-badge[{JA('flow.diff.added')}]" in shown
    assert ":red-background[:red[緊急度で]]" in shown and ":green-background[:green[在留期限を最優先に]]" in shown
    # the writer's text stays text: no HTML, link or image, and no Streamlit directive of theirs
    assert "<script>" not in shown and markup_in(shown) == set()
    assert ":red[赤]" not in shown and "\\:red\\[赤\\]" in shown


def test_a_reflection_revised_after_reading_shows_marked_lines(app):
    db = database()
    supervisor = actor("demo-supervisor")
    rid = db.value("SELECT r.id FROM reflection r JOIN supervision s ON s.enrolment_id = r.enrolment_id "
                   "WHERE s.supervisor_id = ? AND r.status = 'submitted' ORDER BY r.practice_date DESC LIMIT 1",
                   [supervisor.id])
    supervision.mark_read(db, supervisor, rid)
    enrolment_id, day = db.one("SELECT enrolment_id, practice_date FROM reflection WHERE id = ?", [rid])
    trainee = actor(db.value("SELECT u.username FROM enrolment e JOIN app_user u ON u.id = e.trainee_id "
                             "WHERE e.id = ?", [enrolment_id]))
    enrolment = enrolments.load(db, trainee, enrolment_id)
    view = reflections.open_day(db, trainee, enrolment, day)
    revised = ReflectionBody(**{**view.body.__dict__, "insight": view.body.insight + "(読まれた後に追記)"})
    reflections.submit(db, trainee, enrolment, day, revised, view.version, set(), DEMO_TODAY)
    at = app("demo-supervisor", script="pages/inbox.py")
    at.query_params["r"] = str(rid)
    at.run()
    assert not at.exception
    assert not [c for c in at.code if c.language == "diff"]
    shown = "\n".join(m.value for m in at.markdown)
    assert ":green-background[:green[(読まれた後に追記)]]" in shown
    # opened again once this version is read: still what changed from the version before, not 「第2版→第2版」
    again = app("demo-supervisor", script="pages/inbox.py")
    again.query_params["r"] = str(rid)
    again.run()
    new = view.version + 1
    changes = next(e for e in again.expander if e.label == JA("inbox.changes", old=new - 1, new=new))
    assert ":green-background[:green[(読まれた後に追記)]]" in "\n".join(m.value for m in changes.markdown)
