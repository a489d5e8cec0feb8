"""The inbox's counts and "next unread" are counted in one pass over the caseload (joins instead of a lookup per
reflection): they must say exactly what the list's own filters say, reflection by reflection. The reference below is
the definition written the plain way, one correlated lookup per reflection, as the list's filters are; each test
makes the cases that could tell the two apart (a revision after reading, two messages at the same instant, a
finished cohort, a supervisor with nothing) and compares them for every supervisor."""
from datetime import timedelta

import pytest

from coordsupervise.practice import inbox, supervision
from coordsupervise.practice.inbox import InboxFilter
from coordsupervise.programme.auth import insert_user
from tests.conftest import actor_of

REFERENCE = (
    "SELECT count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM reflection_read rr WHERE rr.reflection_id = r.id "
    "  AND rr.reader_id = $me AND rr.read_version >= r.version)), "
    "count(*) FILTER (WHERE e.status = 'active' AND coalesce((SELECT f.author_id FROM feedback f "
    "  WHERE f.reflection_id = r.id ORDER BY f.created_at DESC, f.id DESC LIMIT 1) = e.trainee_id, FALSE)), "
    "count(*) FILTER (WHERE e.status = 'active' AND NOT EXISTS (SELECT 1 FROM feedback f "
    "  WHERE f.reflection_id = r.id AND f.author_id <> e.trainee_id)) "
    "FROM reflection r JOIN enrolment e ON e.id = r.enrolment_id WHERE r.status = 'submitted' "
    "AND EXISTS (SELECT 1 FROM supervision s WHERE s.enrolment_id = e.id AND s.supervisor_id = $me)")
FLAGGED = ("SELECT count(DISTINCT fl.enrolment_id) FROM flag fl JOIN supervision s ON s.enrolment_id = fl.enrolment_id "
           "WHERE s.supervisor_id = ? AND fl.resolved_at IS NULL")


def supervisors(db):
    return [actor_of(db, name) for (name,) in db.rows(
        "SELECT u.username FROM app_user u JOIN user_role r ON r.user_id = u.id AND r.role = 'supervisor' "
        "ORDER BY u.username")]


def assert_counts_as_defined(db):
    for person in supervisors(db):
        found = inbox.counts(db, person)
        unread, awaiting, not_replied = db.one(REFERENCE, {"me": person.id})
        flagged = db.value(FLAGGED, [person.id])
        assert found == {"unread": unread, "awaiting_reply": awaiting, "not_replied": not_replied,
                         "flagged_trainees": flagged}, person.username


def message(db, reflection_id: int, author_id: int, at) -> None:
    db.write(lambda tx: tx.execute(
        "INSERT INTO feedback (reflection_id, author_id, body_md, created_at, search_text) VALUES (?, ?, ?, ?, ?)",
        [reflection_id, author_id, "テスト", at, "てすと"]))


def trainee_of(db, reflection_id: int) -> int:
    return db.value("SELECT e.trainee_id FROM reflection r JOIN enrolment e ON e.id = r.enrolment_id "
                    "WHERE r.id = ?", [reflection_id])


def caseload_reflections(db, person, active: bool) -> list[int]:
    return [rid for (rid,) in db.rows(
        "SELECT r.id FROM reflection r JOIN enrolment e ON e.id = r.enrolment_id JOIN supervision s "
        "ON s.enrolment_id = e.id AND s.supervisor_id = ? WHERE r.status = 'submitted' "
        "AND (e.status = 'active') = ? ORDER BY r.id", [person.id, active])]


def test_the_demo_counts_as_the_filters_define_them(demo_db):
    assert_counts_as_defined(demo_db)
    person = actor_of(demo_db, "demo-supervisor")
    counts = inbox.counts(demo_db, person)
    assert all(counts.values())  # the demo has some of each
    for flt, key in ((InboxFilter(unread=True), "unread"), (InboxFilter(awaiting_reply=True), "awaiting_reply")):
        assert inbox.page(demo_db, person, flt, 1, 1)[1] == counts[key]


def test_the_cases_that_could_tell_the_two_forms_apart(demo_db):
    db = demo_db
    person = actor_of(db, "demo-supervisor")
    mine = caseload_reflections(db, person, active=True)
    assert len(mine) > 6
    same, revised, read_now = mine[:3]
    at = db.value("SELECT max(created_at) FROM feedback") + timedelta(hours=1)  # after every message so far
    # two messages at the same instant: the later id is the newest (here the trainee's: awaiting a reply)
    message(db, same, person.id, at)
    message(db, same, trainee_of(db, same), at)
    # read, then revised by the trainee: unread again
    supervision.mark_read(db, person, revised)
    db.write(lambda tx: tx.execute("UPDATE reflection SET version = version + 1 WHERE id = ?", [revised]))
    supervision.mark_read(db, person, read_now)
    message(db, read_now, person.id, at)
    assert_counts_as_defined(db)
    # the trainee writes back after the supervisor: awaiting a reply once more, still answered
    before = inbox.counts(db, person)
    message(db, read_now, trainee_of(db, read_now), at + timedelta(seconds=1))
    after = inbox.counts(db, person)
    assert after["awaiting_reply"] == before["awaiting_reply"] + 1
    assert after["not_replied"] == before["not_replied"]
    assert_counts_as_defined(db)


def test_a_finished_cohort_counts_unread_but_never_awaits_a_reply(demo_db):
    db = demo_db
    person = actor_of(db, "demo-supervisor")
    db.write(lambda tx: tx.execute(
        "UPDATE enrolment SET status = 'completed' WHERE id IN (SELECT enrolment_id FROM supervision "
        "WHERE supervisor_id = ? ORDER BY enrolment_id LIMIT 3)", [person.id]))
    finished = caseload_reflections(db, person, active=False)
    assert finished
    message(db, finished[0], trainee_of(db, finished[0]), db.value("SELECT max(created_at) FROM feedback"))
    assert_counts_as_defined(db)


def test_a_supervisor_with_no_trainees_counts_nothing(demo_db):
    demo_db.write(lambda tx: insert_user(tx, "supervisor-empty", "空 指導者", "x", ("supervisor",)))
    found = inbox.counts(demo_db, actor_of(demo_db, "supervisor-empty"))
    assert found == {"unread": 0, "awaiting_reply": 0, "not_replied": 0, "flagged_trainees": 0}


@pytest.mark.parametrize("flt", [InboxFilter(), InboxFilter(competency="C3"), InboxFilter(flagged=True),
                                 InboxFilter(awaiting_reply=True), InboxFilter(not_replied=True),
                                 InboxFilter(query="相談")])
def test_next_unread_is_the_first_unread_row_of_the_list(demo_db, flt):
    person = actor_of(demo_db, "demo-supervisor")
    listed, _ = inbox.page(demo_db, person, InboxFilter(**{**flt.__dict__, "unread": True}), 1, 500)
    ids = [int(i) for i in listed["id"]]
    assert inbox.next_unread(demo_db, person, flt) == (ids[0] if ids else None)
    if ids:
        assert inbox.next_unread(demo_db, person, flt, after_id=ids[0]) == (ids[1] if len(ids) > 1 else None)
    # a revision after reading puts the reflection back, in its place among the unread
    revised = demo_db.value("SELECT r.id FROM reflection r JOIN supervision s ON s.enrolment_id = r.enrolment_id "
                            "AND s.supervisor_id = ? WHERE r.status = 'submitted' ORDER BY r.practice_date DESC, "
                            "r.id DESC LIMIT 1", [person.id])
    supervision.mark_read(demo_db, person, revised)
    assert inbox.next_unread(demo_db, person, InboxFilter()) != revised
    demo_db.write(lambda tx: tx.execute("UPDATE reflection SET version = version + 1 WHERE id = ?", [revised]))
    assert inbox.next_unread(demo_db, person, InboxFilter()) == revised


def _page_as_defined(db, person, flt, page_no, page_size=inbox.PAGE_SIZE):
    """The inbox page written the plain way: every column computed for every row of the caseload, then sorted and
    cut (what inbox.page did before it picked the page's rows first)."""
    where, params = inbox._where(person, flt, inbox._named(db, person, flt.query))
    return db.frame(
        f"SELECT r.id, {inbox._UNREAD} AS unread, "
        f"EXISTS (SELECT 1 FROM reflection_read rr WHERE rr.reflection_id = r.id AND rr.reader_id = ? "
        f"  AND rr.read_version < r.version) AS revised, "
        f"{inbox._AWAITING} AS awaiting_reply, {inbox._REPLIED} AS replied, {inbox._FLAGGED} AS flagged, "
        f"(SELECT string_agg(rc.competency, ' ' ORDER BY rc.competency) FROM reflection_competency rc "
        f"  WHERE rc.reflection_id = r.id) AS competencies, "
        f"(SELECT count(*) FROM feedback f WHERE f.reflection_id = r.id) AS messages "
        f"FROM reflection r JOIN enrolment e ON e.id = r.enrolment_id WHERE {where} "
        f"ORDER BY unread DESC, r.practice_date DESC, r.id DESC LIMIT ? OFFSET ?",
        [person.id, person.id, *params, page_size, (page_no - 1) * page_size])


@pytest.mark.parametrize("flt", [InboxFilter(), InboxFilter(unread=True), InboxFilter(awaiting_reply=True),
                                 InboxFilter(not_replied=True), InboxFilter(flagged=True),
                                 InboxFilter(competency="C2")],
                         ids=["all", "unread", "awaiting", "not_replied", "flagged", "competency"])
def test_the_inbox_page_picks_and_describes_its_rows_as_defined(demo_db, flt):
    """inbox.page picks the page's rows first and describes only them: the same rows, in the same order, with the same
    marks as the plain form, on every page of every supervisor (a read and a revision among them)."""
    person = actor_of(demo_db, "demo-supervisor")
    first, _ = inbox.page(demo_db, person, InboxFilter(), 1, 5)
    supervision.mark_read(demo_db, person, int(first["id"].iloc[0]))
    columns = ["id", "unread", "revised", "awaiting_reply", "replied", "flagged", "competencies", "messages"]
    for someone in supervisors(demo_db):
        _, total = inbox.page(demo_db, someone, flt, 1, 7)
        for page_no in range(1, min(4, total // 7 + 2)):
            found, _ = inbox.page(demo_db, someone, flt, page_no, 7)
            wanted = _page_as_defined(demo_db, someone, flt, page_no, 7)
            assert found[columns].astype(str).values.tolist() == wanted[columns].astype(str).values.tolist(), \
                (someone.username, page_no)


def test_each_figure_above_the_list_is_the_number_its_filter_lists(demo_db):
    """未読 / 未返信 / 返信待ち above the inbox count what ticking the matching filter lists (未返信 counted only
    trainees still in training while its filter listed finished cohorts too: 125 against 190 on the demo)."""
    for person in supervisors(demo_db):
        found = inbox.counts(demo_db, person)
        for figure, flt in (("unread", InboxFilter(unread=True)), ("not_replied", InboxFilter(not_replied=True)),
                            ("awaiting_reply", InboxFilter(awaiting_reply=True))):
            assert inbox.page(demo_db, person, flt, 1, 1)[1] == found[figure], (person.username, figure)
