"""The know-how library (/library) and the partner directory (/partners) through AppTest: every reader's role sees
content, the search by reading and the filters live in the address and survive a reload, a case goes from a
reflection to the library only through the trainee's answer and a manager, the guard holds back a publication, and
the workshop's groups get a case set."""
import pytest

from coordsupervise.certification import workshop
from coordsupervise.errors import InvalidInput
from coordsupervise.i18n import translate
from coordsupervise.library import cases
from coordsupervise.programme.auth import load_login_user
from coordsupervise.ui.runtime import database

JA = lambda key, **p: translate("ja", key, **p)  # noqa: E731
READERS = ("demo-trainee", "demo-supervisor", "demo-manager", "demo-graduate")


def texts(at) -> str:
    return " ".join([m.value for m in at.markdown] + [c.value for c in at.caption] + [e.value for e in at.error]
                    + [i.value for i in at.info] + [s.value for s in at.success] + [w.value for w in at.warning]
                    + [h.value for h in at.header])


def open_page(app, username, page, **params):
    at = app(username, script=f"pages/{page}.py")
    for name, value in params.items():
        at.query_params[name] = str(value)
    return at.run()


def case_id(status: str, title_part: str = "") -> int:
    return database().value("SELECT min(id) FROM library_case WHERE status = ? AND title LIKE ?",
                            [status, f"%{title_part}%"])


@pytest.mark.parametrize("username", READERS)
def test_every_reader_opens_the_library_and_the_directory_with_content(app, username):
    at = open_page(app, username, "library")
    assert not at.exception, at.exception
    assert at.title[0].value == JA("nav.library")
    assert JA("library.found", count=22) in texts(at)
    at = open_page(app, username, "partners")
    assert not at.exception, at.exception
    assert JA("partners.found", count=30) in texts(at)


def test_the_programme_office_is_not_a_reader(app):
    at = open_page(app, "demo-admin", "library")
    assert [e.value for e in at.error] == [JA("guard.forbidden")]


def test_a_graduate_sees_their_certificate_and_may_write(app):
    at = open_page(app, "demo-graduate", "library")
    number = database().value("SELECT k.certificate_no FROM certificate k JOIN enrolment e ON e.id = k.enrolment_id "
                              "JOIN app_user u ON u.id = e.trainee_id WHERE u.username = 'demo-graduate'")
    assert number in texts(at).replace("\\", "")
    assert JA("library.view.write") in at.segmented_control(key="library_view").options


def test_kana_in_the_address_finds_kanji_cases(app):
    at = open_page(app, "demo-trainee", "library", q="ざいりゅう")
    assert not at.exception
    found = database().value("SELECT count(*) FROM library_case WHERE status = 'published' AND "
                             "(title || situation || actions || outcome || lessons || partners_note) LIKE '%在留%'")
    assert found >= 5
    assert JA("library.found", count=found) in texts(at)
    assert at.text_input(key="library_q").value == "ざいりゅう"


def test_filters_set_on_screen_go_to_the_address_and_survive_a_reload(app):
    at = open_page(app, "demo-supervisor", "library")
    at.text_input(key="library_q").input("ざいりゅう").run()
    at.selectbox(key="library_c").set_value("C1").run()
    at.selectbox(key="library_domain").set_value("labour").run()
    assert not at.exception
    address = {k: at.query_params[k] for k in ("q", "c", "domain")}
    assert address == {"q": ["ざいりゅう"], "c": ["C1"], "domain": ["labour"]} or \
        address == {"q": "ざいりゅう", "c": "C1", "domain": "labour"}
    shown = [c.value for c in at.caption if "件の事例" in c.value]
    # a reload: a new session opened on the same address shows the same filters and the same cases
    again = open_page(app, "demo-supervisor", "library", q="ざいりゅう", c="C1", domain="labour")
    assert not again.exception
    assert again.text_input(key="library_q").value == "ざいりゅう"
    assert again.selectbox(key="library_c").value == "C1"
    assert again.selectbox(key="library_domain").value == "labour"
    assert [c.value for c in again.caption if "件の事例" in c.value] == shown != []


def test_a_case_page_has_its_tags_partners_related_cases_and_a_printable_page(app):
    published = case_id("published", "雇い止め")
    at = open_page(app, "demo-trainee", "library", case=published)
    assert not at.exception, at.exception
    shown = texts(at)
    assert "雇い止め" in " ".join(h.value for h in at.header)
    assert JA("library.field.partners") in shown and JA("library.related") in shown
    assert "ぐんま定住外国人支援協会" in shown.replace("\\", "")
    assert [b for b in at.get("download_button") if b.proto.label == JA("library.print")]


def test_a_trainee_cannot_open_a_draft_by_its_address(app):
    waiting = case_id("proposed")
    at = open_page(app, "demo-trainee", "library", case=waiting)
    assert not at.exception
    assert JA("error.not_found") in [e.value for e in at.error]


def test_from_a_reflection_to_the_library_through_consent_and_a_manager(app):
    db = database()
    supervisor = load_login_user(db, "demo-supervisor").actor()
    source = cases.reflection_sources(db, supervisor)[0]
    at = open_page(app, "demo-supervisor", "library", view="write", **{"from": source["id"]})
    assert not at.exception, at.exception
    assert JA("library.drawn_from_reflection", marker="［伏せ字］") in texts(at)
    form = "from" + str(source["id"])
    at.text_input(key=f"library_{form}_title").input("在留カードの期限から始めた相談")
    at.text_area(key=f"library_{form}_outcome").input("相談者は更新の手続を終えた。")
    at.text_area(key=f"library_{form}_situation").input("在留期間の更新を控えた相談者から相談を受けた。")
    at.text_area(key=f"library_{form}_actions").input("期限を確かめ、手続の順序を決めた。")
    at.text_area(key=f"library_{form}_lessons").input("最初に在留カードを確かめる。")
    at.multiselect(key=f"library_{form}_domains").set_value(["residence"])
    next(b for b in at.button if b.label == JA("library.save_and_propose")).click().run()
    assert not at.exception, at.exception
    new = db.value("SELECT max(id) FROM library_case")
    assert db.value("SELECT status FROM library_case WHERE id = ?", [new]) == "proposed"
    # the notice is at the top of the case, above its title, and says what comes next: the trainee, then a manager
    order = [(node.type, node.value) for node in at.main if node.type in ("success", "header", "markdown")]
    notice = ("success", JA("library.proposed_from_reflection"))
    assert notice in order and order.index(notice) < [kind for kind, _ in order].index("header")
    trainee = db.value("SELECT u.username FROM library_consent k JOIN app_user u ON u.id = k.trainee_id "
                       "WHERE k.case_id = ?", [new])
    # the manager cannot publish before the trainee answers: the button is greyed out and says why
    at = open_page(app, "demo-manager", "library", case=new)
    assert at.button(key="library_publish").disabled
    assert JA("library.publish_needs_consent") in [c.value for c in at.caption]
    with pytest.raises(InvalidInput) as refused:  # and the service refuses it all the same
        cases.publish_case(db, load_login_user(db, "demo-manager").actor(), new,
                           db.value("SELECT row_version FROM library_case WHERE id = ?", [new]))
    assert refused.value.key == "library.error_consent_pending"
    # the trainee reads it on /account and agrees
    at = open_page(app, trainee, "account")
    assert not at.exception, at.exception
    assert "在留カードの期限から始めた相談" in texts(at)
    at.button(key=f"account_consent_yes_{new}").click().run()
    assert db.value("SELECT status FROM library_consent WHERE case_id = ?", [new]) == "accepted"
    at = open_page(app, "demo-manager", "library", case=new)
    assert not at.button(key="library_publish").disabled
    at.button(key="library_publish").click().run()
    assert not at.exception
    assert db.value("SELECT status FROM library_case WHERE id = ?", [new]) == "published"


def test_a_declined_case_cannot_be_published_and_the_manager_is_told_why(app):
    db = database()
    waiting = db.value("SELECT case_id FROM library_consent WHERE status = 'pending'")
    db.write(lambda tx: tx.execute("UPDATE library_consent SET status = 'declined' WHERE case_id = ?", [waiting]))
    at = open_page(app, "demo-manager", "library", case=waiting)
    assert at.button(key="library_publish").disabled
    assert JA("library.publish_consent_declined") in [c.value for c in at.caption]


def test_the_trainees_notice_links_to_the_account_page(app):
    at = open_page(app, "demo-trainee", "reflection")
    assert not at.exception, at.exception
    assert JA("library.consent_waiting", count=1) in [i.value for i in at.info]
    assert f"[{JA('library.consent_open_account')}](/account)" in [m.value for m in at.markdown]


def test_a_client_code_in_a_proposal_is_named_with_its_field(app):
    db = database()
    written = case_id("proposed", "住所変更")
    db.write(lambda tx: tx.execute("UPDATE library_case SET actions = actions || ' 相談者コード K-798 に説明した。' "
                                   "WHERE id = ?", [written]))
    at = open_page(app, "demo-manager", "library", case=written)
    at.button(key="library_publish").click().run()
    assert db.value("SELECT status FROM library_case WHERE id = ?", [written]) == "proposed"
    assert JA("library.privacy_item", kind=JA("library.client_code"), field=JA("library.field.actions"),
              text="`相談者コード K-798`") in texts(at)
    at.button(key="library_redact_case").click().run()
    assert "相談者A に説明した。" in db.value("SELECT actions FROM library_case WHERE id = ?", [written])


def test_the_guard_holds_back_a_publication_and_the_marker_replaces_what_it_found(app):
    db = database()
    written = case_id("proposed", "住所変更")
    db.write(lambda tx: tx.execute("UPDATE library_case SET situation = situation || ' 連絡先は 090-1234-5678。' "
                                   "WHERE id = ?", [written]))
    at = open_page(app, "demo-manager", "library", case=written)
    next(b for b in at.button if b.label == JA("library.publish")).click().run()
    assert not at.exception
    assert db.value("SELECT status FROM library_case WHERE id = ?", [written]) == "proposed"
    assert JA("library.privacy_blocked", count=1) in texts(at)
    at.button(key="library_redact_case").click().run()
    assert "［伏せ字］" in db.value("SELECT situation FROM library_case WHERE id = ?", [written])
    next(b for b in at.button if b.label == JA("library.publish")).click().run()
    assert db.value("SELECT status FROM library_case WHERE id = ?", [written]) == "published"


def test_partner_filters_live_in_the_address(app):
    at = open_page(app, "demo-graduate", "partners", region="kyushu_okinawa")
    assert not at.exception, at.exception
    assert at.selectbox(key="partners_region").value == "kyushu_okinawa"
    count = database().value("SELECT count(*) FROM partner WHERE status = 'published' AND region = 'kyushu_okinawa'")
    assert JA("partners.found", count=count) in texts(at)
    at.selectbox(key="partners_pref").set_value("47").run()
    assert at.query_params["pref"] in ("47", ["47"])
    assert JA("partners.found", count=1) in texts(at)


def test_a_partner_page_lists_the_cases_that_used_it(app):
    partner = database().value("SELECT id FROM partner WHERE name = 'ぐんま定住外国人支援協会'")
    at = open_page(app, "demo-supervisor", "partners", partner=partner)
    assert not at.exception, at.exception
    assert JA("partners.cases") in texts(at)


def test_a_manager_publishes_a_proposed_partner(app):
    db = database()
    waiting = db.value("SELECT id FROM partner WHERE status = 'proposed'")
    at = open_page(app, "demo-manager", "partners", view="review")
    assert "よこはま" in texts(at).replace("\\", "")
    at = open_page(app, "demo-manager", "partners", partner=waiting)
    next(b for b in at.button if b.label == JA("partners.publish")).click().run()
    assert db.value("SELECT status FROM partner WHERE id = ?", [waiting]) == "published"


@pytest.mark.parametrize("view", ["write", "mine", "review", "domains"])
def test_the_managers_views_open(app, view):
    at = open_page(app, "demo-manager", "library", view=view)
    assert not at.exception, at.exception


@pytest.mark.parametrize("view", ["propose", "mine", "review", "import"])
def test_the_managers_directory_views_open(app, view):
    at = open_page(app, "demo-manager", "partners", view=view)
    assert not at.exception, at.exception


def test_the_workshop_groups_get_a_case_set_from_the_library(app):
    db = database()
    code, cohort_id = db.one("SELECT c.code, c.id FROM cohort c JOIN enrolment e ON e.cohort_id = c.id "
                             "JOIN app_user u ON u.id = e.trainee_id WHERE u.username = 'demo-graduate'")
    manager = load_login_user(db, "demo-manager").actor()
    workshop.make_groups(db, manager, cohort_id, 1, 7)
    at = app("demo-manager", script="pages/workshop.py")
    at.query_params["cohort"] = code
    at.session_state["workshop_tab"] = JA("workshop.tab_groups")  # as a click on the tab would
    at.run()
    assert not at.exception, at.exception
    shown = [c["title"] for c in workshop.case_set(db, manager, cohort_id, 1)]
    assert len(shown) == 2 and all(title in texts(at).replace("\\", "") for title in shown)
    picker = at.multiselect(key="workshop_cases_pick_1")
    third = case_id("published", "孤立")
    picker.set_value([*picker.value, third])
    next(b for b in at.button if b.label == JA("library.case_set_save")).click().run()
    assert not at.exception, at.exception
    assert [c["id"] for c in workshop.case_set(db, manager, cohort_id, 1)][-1] == third


@pytest.mark.parametrize("page", ["library", "partners", "account"])
def test_a_graduate_and_nothing_else_opens_their_screens(app, page):
    """After the cohort the office may take the trainee role away: the certificate alone keeps the place."""
    db = database()
    db.write(lambda tx: tx.execute("DELETE FROM user_role WHERE role = 'trainee' AND user_id = "
                                   "(SELECT id FROM app_user WHERE username = 'demo-graduate')"))
    at = open_page(app, "demo-graduate", page)
    assert not at.exception, at.exception
    assert not [e.value for e in at.error]
    assert at.title[0].value == JA(f"nav.{page}")
