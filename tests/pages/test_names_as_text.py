"""Names are text. Trainees' and supervisors' names, organisations, regions and flag notes that carry Markdown (an
image on another host, links) and bidi overrides are put into the demo as they could already be stored; then
/trainee, /certification and /cohort are opened as the roles that see them. No Markdown the screens hand to the
browser (bodies, headings, captions, alerts, labels, tooltips, options) may render an image, a link elsewhere or raw
HTML, and the names still show, escaped."""
import pytest
from markdown_it import MarkdownIt

from coordsupervise.dashboards import dashboard
from coordsupervise.i18n import translate
from coordsupervise.programme import auth
from coordsupervise.text.textnorm import BIDI_CONTROLS
from coordsupervise.text.usertext import literal
from coordsupervise.ui.runtime import database

TRAINEE_MARK = "![n](http://evil.example/a.png)"
SUPERVISOR_MARK = "[s](http://evil.example/s)"
ORGANISATION = "\u202e" + "![o](http://evil.example/o.png)" + "\u202c"
REGION = "<img src=http://evil.example/r.png>"
FLAG_NOTE = "![f](http://evil.example/f.png) 対応済み"
READER = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
NOT_MARKDOWN = {"text", "code", "json", "exception", "selectbox", "multiselect", "text_input", "text_area"}


def _seed(db) -> None:
    """Every trainee and supervisor renamed, every organisation and region too, every flag resolved with a note:
    written past the services, as data stored before names were cleaned on their way in."""
    def run(tx):
        tx.execute("UPDATE app_user SET display_name = ? || display_name WHERE id IN "
                   "(SELECT user_id FROM user_role WHERE role = 'trainee')", [TRAINEE_MARK])
        tx.execute("UPDATE app_user SET display_name = ? || display_name WHERE id IN "
                   "(SELECT user_id FROM user_role WHERE role = 'supervisor')", [SUPERVISOR_MARK])
        tx.execute("UPDATE organisation SET name = ? || name, region = ? || region", [ORGANISATION, REGION])
        tx.execute("UPDATE flag SET resolved_by = raised_by, resolved_at = raised_at, resolution_note = ?",
                   [FLAG_NOTE])
    db.write(run)


def _markdown_shown(node) -> list[tuple[str, str]]:
    """(element type, text) of every string the frontend renders as Markdown, anywhere under `node`."""
    found = []
    proto = getattr(node, "proto", None)
    kind = getattr(node, "type", "")
    if proto is not None and kind not in NOT_MARKDOWN and hasattr(proto, "DESCRIPTOR"):
        for field in ("body", "label", "help", "placeholder"):
            if field in proto.DESCRIPTOR.fields_by_name:
                found.append((kind, getattr(proto, field)))
        if kind == "radio":
            found += [(kind, option) for option in proto.options]
    if proto is not None and kind in ("selectbox", "multiselect", "text_input", "text_area"):
        found.append((kind, proto.label))  # their labels are Markdown, their options and values are not
    for child in getattr(node, "children", {}).values():
        found += _markdown_shown(child)
    return found


def _problems(shown: list[tuple[str, str]]) -> list[str]:
    problems = []
    for kind, text in shown:
        if any(c in text for c in BIDI_CONTROLS):
            problems.append(f"{kind}: a bidi control in {text!r}")
        if "http://evil" in text:  # GFM links a bare address by itself; escaped, it reads http\://evil
            problems.append(f"{kind}: a live address in {text!r}")
        for token in READER.parse(text):
            for t in [token, *(token.children or [])]:
                if t.type == "image" or t.type.startswith("html"):
                    problems.append(f"{kind}: {t.type} in {text!r}")
                if t.type == "link_open" and not str(t.attrs.get("href", "")).startswith("/"):
                    problems.append(f"{kind}: a link to {t.attrs.get('href')} in {text!r}")
    return problems


def _open(app, username, script, params):
    _seed(database())
    at = app(username, script=script)
    at.query_params.update(params)
    return at.run()


def _trainee_enrolment(db, username):
    return db.value("SELECT e.id FROM enrolment e JOIN app_user u ON u.id = e.trainee_id WHERE u.username = ? "
                    "ORDER BY e.id DESC LIMIT 1", [username])


def _check(at, must_show: list[str]):
    assert not at.exception, at.exception
    shown = _markdown_shown(at._tree)
    assert not _problems(shown), "\n".join(_problems(shown))
    texts = [text for _, text in shown]
    for piece in must_show:
        assert any(piece in text for text in texts), f"{piece!r} is not shown"


@pytest.mark.parametrize("username", ["demo-supervisor", "demo-manager"])
def test_the_trainee_profile_shows_names_as_text(app, username):
    db = database()
    enrolment_id = _trainee_enrolment(db, "demo-trainee")
    db.write(lambda tx: tx.execute(
        "INSERT INTO flag (enrolment_id, raised_by, severity, reason, raised_at) SELECT ?, s.supervisor_id, 'low', "
        "'見守り', now() FROM supervision s WHERE s.enrolment_id = ? LIMIT 1", [enrolment_id, enrolment_id]))
    at = _open(app, username, "pages/trainee.py", {"e": str(enrolment_id)})
    name = db.value("SELECT display_name FROM app_user WHERE username = 'demo-trainee'")
    assert name.startswith(TRAINEE_MARK)
    _check(at, [literal(name)])
    assert literal(name) in [s.value for s in at.subheader]
    for tab in ("flags", "results", "notes", "export"):  # only the open tab is drawn: each in turn
        at.session_state["trainee_tab"] = translate("ja", f"profile.tab_{tab}")
        _check(at.run(), [literal(name)] + ([literal(FLAG_NOTE)] if tab == "flags" else []))


def test_the_certification_board_shows_names_and_organisations_as_text(app):
    db = database()
    code, enrolment_id = db.one(
        "SELECT c.code, e.id FROM cohort c JOIN enrolment e ON e.cohort_id = c.id JOIN app_user u "
        "ON u.id = e.trainee_id WHERE u.username = 'demo-graduate'")
    at = _open(app, "demo-manager", "pages/certification.py", {"cohort": code, "e": str(enrolment_id)})
    name = db.value("SELECT display_name FROM app_user WHERE username = 'demo-graduate'")
    organisation = db.value("SELECT o.name FROM organisation o JOIN enrolment e ON e.organisation_id = o.id "
                            "WHERE e.id = ?", [enrolment_id])
    _check(at, [literal(name), literal(organisation), "\\<img src="])
    board = at.dataframe[0].value
    assert not board.astype(str).apply(lambda column: column.str.contains("\u202e")).any().any()


@pytest.mark.parametrize("tab", ["funnel", "competencies", "risk"])
def test_the_cohort_dashboard_shows_names_as_text(app, tab):
    db = database()
    code = db.value("SELECT c.code FROM cohort c JOIN enrolment e ON e.cohort_id = c.id JOIN app_user u "
                    "ON u.id = e.trainee_id WHERE u.username = 'demo-trainee'")
    params = {"cohort": code}
    if tab == "competencies":  # a square of the grid in the address: its evidence, under the trainee's name
        manager = auth.load_login_user(db, "demo-manager").actor()
        cell = dashboard.competency_grid(db, manager, dashboard.cohort_by_code(db, manager, code)["id"]).iloc[0]
        params.update({"e": str(cell["enrolment_id"]), "c": cell["competency"]})
    else:
        params["step"] = "practical"
    at = app("demo-manager", script="pages/cohort.py")
    at.session_state["cohort_tab"] = translate("ja", f"dash.tab_{tab}")
    _seed(db)
    at.query_params.update(params)
    at.run()
    _check(at, [literal(TRAINEE_MARK)] if tab in ("funnel", "competencies") else [])
