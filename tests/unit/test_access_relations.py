"""access.remembering_relations: within one run of a screen a trainee's relation to the reader is read once, and a
write through the same database object since then makes it read again (a caseload changed in the same run)."""
from __future__ import annotations

from coordsupervise import access
from coordsupervise.programme.enrolments import current_for_trainee
from tests.conftest import actor_of


def _counting(db, monkeypatch) -> list:
    asked = []
    real = db.one

    def one(sql, params=None):
        if "FROM supervision s WHERE s.enrolment_id" in sql:
            asked.append(params)
        return real(sql, params)

    monkeypatch.setattr(db, "one", one)
    return asked


def test_a_relation_is_read_once_per_block_and_again_after_a_write(demo_db, monkeypatch):
    supervisor = actor_of(demo_db, "demo-supervisor")
    enrolment = current_for_trainee(demo_db, actor_of(demo_db, "demo-trainee")).id
    asked = _counting(demo_db, monkeypatch)

    assert access.enrolment_relation(demo_db, supervisor, enrolment) == {"supervised"}
    assert access.enrolment_relation(demo_db, supervisor, enrolment) == {"supervised"}
    assert len(asked) == 2  # outside a block: asked every time

    with access.remembering_relations():
        for _ in range(3):
            assert access.enrolment_relation(demo_db, supervisor, enrolment) == {"supervised"}
        assert len(asked) == 3
        demo_db.write(lambda tx: tx.execute("DELETE FROM supervision WHERE enrolment_id = ? AND supervisor_id = ?",
                                            [enrolment, supervisor.id]))
        assert access.enrolment_relation(demo_db, supervisor, enrolment) == set()  # read again after the write
        assert len(asked) == 4
    assert access.enrolment_relation(demo_db, supervisor, enrolment) == set()
    assert len(asked) == 5  # nothing kept beyond the block


def test_an_answer_handed_out_cannot_change_the_remembered_one(demo_db):
    supervisor = actor_of(demo_db, "demo-supervisor")
    enrolment = current_for_trainee(demo_db, actor_of(demo_db, "demo-trainee")).id
    with access.remembering_relations():
        access.enrolment_relation(demo_db, supervisor, enrolment).add("managed")
        assert access.enrolment_relation(demo_db, supervisor, enrolment) == {"supervised"}
