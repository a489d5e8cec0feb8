"""A client's desk code (相談者コード K-798) is anonymous inside one desk only: a case drawn from a reflection gets a
neutral 相談者A in its place, title included, and a case still holding one is refused at proposal and publication."""
from dataclasses import replace

import pytest

from coordsupervise.library import cases, client_codes
from coordsupervise.privacy.guard import PrivacyFindings
from tests.conftest import actor_of
from tests.unit.library.test_cases import READY, own_reflection, status


@pytest.mark.parametrize("text", [
    "相談者コード K-798:在留カードの期限", "相談者コードＫ－７９８から", "相談者 A12 が来所", "相談者(C-0042)さん",
    "相談者K-798と話した", "client code K-798 asked", "Client A12 came back", "相談者コード 798"])
def test_every_shape_of_a_client_code_is_found(text):
    assert len(client_codes.codes(text)) == 1


@pytest.mark.parametrize("text", ["相談者(20代・女性)が来所", "相談者Aと相談者B", "Client A asked", "相談者2名",
                                  "clients came", "在留カード K-798 の"])
def test_neutral_names_and_ordinary_words_are_not_codes(text):
    assert client_codes.codes(text) == []


def test_the_same_code_gets_the_same_letter_and_a_used_letter_is_skipped():
    out = client_codes.neutralise({"a": "相談者コード K-798と相談者コードＫ－７９８、相談者A12。",
                                   "b": "相談者Aの件で K-798", "c": "client code K798 said"})
    assert out == {"a": "相談者Bと相談者B、相談者C。", "b": "相談者Aの件で K-798", "c": "Client B said"}


def test_a_case_drawn_from_a_reflection_carries_no_client_code(demo_db):
    supervisor = actor_of(demo_db, "demo-supervisor")
    reflection = own_reflection(demo_db)
    event = demo_db.value("SELECT event FROM reflection WHERE id = ?", [reflection])
    assert client_codes.codes(event)  # the demo's reflections name clients by their desk code
    started = cases.from_reflection(demo_db, supervisor, reflection)
    for name, text in started.texts().items():
        assert client_codes.codes(text) == [], name
    assert started.title.startswith("相談者A") and started.situation.startswith("相談者A")
    assert "K-" not in started.title


def test_proposing_and_publishing_refuse_a_client_code_naming_the_field(demo_db):
    graduate, manager = actor_of(demo_db, "demo-graduate"), actor_of(demo_db, "demo-manager")
    coded = replace(READY, actions="相談者コード K-798 の在留期限を確かめた。")
    case_id = cases.new_case(demo_db, graduate, coded)
    with pytest.raises(PrivacyFindings) as held:
        cases.propose_case(demo_db, graduate, case_id, 1)
    assert [(f.field, f.kind) for f in held.value.findings] == [("actions", client_codes.KIND)]
    demo_db.write(lambda tx: tx.execute("UPDATE library_case SET status = 'proposed' WHERE id = ?", [case_id]))
    with pytest.raises(PrivacyFindings):
        cases.publish_case(demo_db, manager, case_id, 1)
    assert [r["flagged"] for r in cases.review_queue(demo_db, manager) if r["id"] == case_id] == [1]
    cleaned = cases.redacted(cases.case(demo_db, manager, case_id).content)
    assert cleaned.actions == "相談者A の在留期限を確かめた。"
    version = cases.save_case(demo_db, manager, case_id, cleaned, 1)
    cases.publish_case(demo_db, manager, case_id, version)
    assert status(demo_db, case_id) == "published"
