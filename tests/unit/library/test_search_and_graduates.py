"""Finding published cases (by reading, by filter, related ones) and the graduate's place: a role that follows from
a certificate, ends with its revocation at the next call, and never sees a draft."""
import pytest

from coordsupervise.certification import certification
from coordsupervise.clock import today
from coordsupervise.errors import AccessDenied, NotFound
from coordsupervise.library import audience, case_search, cases, partners
from coordsupervise.library.case_search import CaseFilter
from coordsupervise.programme.auth import load_login_user
from coordsupervise.routes import start_route
from tests.conftest import actor_of


def test_kana_finds_kanji_cases(demo_db):
    reader = actor_of(demo_db, "demo-trainee")
    by_reading, total = case_search.search_cases(demo_db, reader, CaseFilter(query="ざいりゅう"))
    by_kanji, same = case_search.search_cases(demo_db, reader, CaseFilter(query="在留"))
    assert total == same >= 5
    assert {r["id"] for r in by_reading} == {r["id"] for r in by_kanji}
    # katakana, full width and several words narrow it down alike
    narrowed, fewer = case_search.search_cases(demo_db, reader, CaseFilter(query="ザイリュウ　こうしん"))
    assert 0 < fewer < total


def test_filters_combine_and_drafts_never_appear(demo_db):
    reader = actor_of(demo_db, "demo-graduate")
    found, total = case_search.search_cases(demo_db, reader, CaseFilter(domain="labour", competency="C1"))
    assert total and all("labour" in r["domains"] and "C1" in r["competencies"] for r in found)
    found, _ = case_search.search_cases(demo_db, reader, CaseFilter(region="kyushu_okinawa"))
    assert found and {r["region"] for r in found} == {"kyushu_okinawa"}
    everything, _ = case_search.search_cases(demo_db, actor_of(demo_db, "demo-manager"), CaseFilter())
    drafts = {i for (i,) in demo_db.rows("SELECT id FROM library_case WHERE status <> 'published'")}
    assert drafts and not drafts & {r["id"] for r in everything}


def test_related_cases_share_domains_or_competencies(demo_db):
    reader = actor_of(demo_db, "demo-trainee")
    case_id = demo_db.value("SELECT min(id) FROM library_case WHERE status = 'published'")
    mine = cases.case(demo_db, reader, case_id).content
    related = case_search.related_cases(demo_db, reader, case_id)
    assert related and case_id not in [r["id"] for r in related]
    assert all(set(r["domains"]) & set(mine.domains) or set(r["competencies"]) & set(mine.competencies)
               for r in related)


def test_the_graduate_role_follows_the_certificate(demo_db):
    graduate = load_login_user(demo_db, "demo-graduate")
    assert "graduate" in graduate.roles and start_route(graduate.roles).path == "library"
    assert "graduate" not in load_login_user(demo_db, "demo-trainee").roles
    assert audience.certificates(demo_db, graduate.actor())[0]["certificate_no"]


def test_a_revoked_certificate_ends_the_graduates_access_at_the_next_call(demo_db):
    actor = actor_of(demo_db, "demo-graduate")
    demo_db.write(lambda tx: tx.execute("DELETE FROM user_role WHERE user_id = ? AND role = 'trainee'", [actor.id]))
    actor = actor_of(demo_db, "demo-graduate")  # a graduate and nothing else, as a tab holds them
    case_search.search_cases(demo_db, actor, CaseFilter())
    enrolment = demo_db.value("SELECT e.id FROM enrolment e WHERE e.trainee_id = ?", [actor.id])
    decision = demo_db.value("SELECT max(id) FROM certification_decision WHERE enrolment_id = ?", [enrolment])
    certification.decide(demo_db, actor_of(demo_db, "demo-manager"), enrolment, "not_certified", "不正が判明した",
                         today(), seen_decision_id=decision, confirmed_early=True)
    for call in (lambda: case_search.search_cases(demo_db, actor, CaseFilter()),
                 lambda: partners.search_partners(demo_db, actor, partners.PartnerFilter()),
                 lambda: cases.new_case(demo_db, actor, cases.CaseInput(title="x", domains=("other",)))):
        with pytest.raises(AccessDenied):
            call()
    assert load_login_user(demo_db, "demo-graduate").roles == ()


def test_a_graduate_reads_published_cases_and_their_own_proposal_only(demo_db):
    graduate = actor_of(demo_db, "demo-graduate")
    other_draft = demo_db.value("SELECT c.id FROM library_case c JOIN app_user u ON u.id = c.author_id "
                                "WHERE c.status = 'proposed' AND u.username = 'demo-supervisor'")
    with pytest.raises(NotFound):
        cases.case(demo_db, graduate, other_draft)
    own = [c for c in cases.my_cases(demo_db, graduate) if c["status"] == "proposed"]
    assert own and cases.case(demo_db, graduate, own[0]["id"]).may_edit
