"""The first hour on the daily screens, below the pages: search by reading and by name in any form, replied /
not yet replied, mark unread, required fields all at once, export file names, the login title's word joins."""
from datetime import date

from coordsupervise.office.exports import file_name
from coordsupervise.practice import inbox, reflections, supervision
from coordsupervise.practice.inbox import InboxFilter
from coordsupervise.programme import enrolments
from coordsupervise.text import readings
from coordsupervise.text.textnorm import name_matches
from coordsupervise.ui.firsthour import WORD_JOINER, keep_words, plain
from tests.conftest import actor_of


def test_readings_make_kanji_findable_in_kana():
    text = readings.searchable("相談者の在留期限を確認した。")
    assert "在留期限" in text and "ざいりゅう" in text and "そうだんしゃ" in text
    assert readings.searchable("かなとカナ") == "かなとかな"  # no kanji, no readings added
    assert readings.reading("ひらがなとカタカナだけ") == ""  # nothing to read: no kanji


def test_inbox_finds_a_kanji_word_by_its_reading(demo_db):
    supervisor = actor_of(demo_db, "demo-supervisor")
    _, by_kanji = inbox.page(demo_db, supervisor, InboxFilter(query="在留"))
    _, by_reading = inbox.page(demo_db, supervisor, InboxFilter(query="ざいりゅう"))
    _, by_katakana = inbox.page(demo_db, supervisor, InboxFilter(query="ザイリュウ"))
    assert by_kanji > 0
    assert by_reading >= by_kanji and by_katakana == by_reading


def test_a_name_is_found_in_kanji_or_kana_with_or_without_the_space(demo_db):
    supervisor = actor_of(demo_db, "demo-supervisor")
    person = next(p for p in inbox.caseload(demo_db, supervisor)  # someone with reflections in the inbox
                  if inbox.page(demo_db, supervisor, InboxFilter(enrolment_id=p["enrolment_id"]))[1])
    kanji, kana = person["display_name"], person["display_name_kana"]
    assert " " in kanji and " " in kana
    katakana = "".join(chr(ord(c) + 0x60) if "ぁ" <= c <= "ゖ" else c for c in kana)
    for query in (kanji, kanji.replace(" ", ""), kana, kana.replace(" ", ""), katakana.replace(" ", "　")):
        assert name_matches(query, kanji, kana), query
        assert person["enrolment_id"] in [c["enrolment_id"] for c in inbox.caseload(demo_db, supervisor, query)]
        frame, total = inbox.page(demo_db, supervisor, InboxFilter(query=query))
        assert total > 0 and set(frame["trainee"]) == {kanji}, query
    manager = actor_of(demo_db, "demo-manager")
    assert person["enrolment_id"] in [r["enrolment_id"] for r in enrolments.directory(
        demo_db, manager, kana.replace(" ", ""))]


def test_manager_directory_spans_every_cohort_and_narrows_to_one(demo_db):
    manager = actor_of(demo_db, "demo-manager")
    cohorts = enrolments.visible_cohorts(demo_db, manager)
    assert len(cohorts) == 3
    everyone = enrolments.directory(demo_db, manager)
    assert {r["cohort_id"] for r in everyone} == {c["cohort_id"] for c in cohorts}
    last = cohorts[-1]["cohort_id"]
    assert {r["cohort_id"] for r in enrolments.directory(demo_db, manager, cohort_id=last)} == {last}


def test_replied_is_its_own_state_apart_from_read(demo_db):
    supervisor = actor_of(demo_db, "demo-supervisor")
    frame, total = inbox.page(demo_db, supervisor, InboxFilter(not_replied=True), page_size=500)
    assert total > 0 and not frame["replied"].any()
    target = int(frame.iloc[0]["id"])
    supervision.mark_read(demo_db, supervisor, target)  # opened and read ...
    still, _ = inbox.page(demo_db, supervisor, InboxFilter(not_replied=True), page_size=500)
    assert target in set(still["id"])  # ... is not answered
    before = inbox.counts(demo_db, supervisor)["not_replied"]
    view = supervision.open_reflection(demo_db, supervisor, target)
    supervision.send_reply(demo_db, supervisor, target, "読みました。", view.version, view.thread_length)
    after, _ = inbox.page(demo_db, supervisor, InboxFilter(not_replied=True), page_size=500)
    assert target not in set(after["id"])
    assert inbox.counts(demo_db, supervisor)["not_replied"] == before - 1


def test_mark_unread_puts_it_back_among_the_unread(demo_db):
    supervisor = actor_of(demo_db, "demo-supervisor")
    target = inbox.next_unread(demo_db, supervisor, InboxFilter())
    supervision.mark_read(demo_db, supervisor, target)
    unread = inbox.counts(demo_db, supervisor)["unread"]
    supervision.mark_unread(demo_db, supervisor, target)
    assert inbox.counts(demo_db, supervisor)["unread"] == unread + 1
    frame, _ = inbox.page(demo_db, supervisor, InboxFilter(unread=True), page_size=500)
    assert target in set(frame["id"])


def test_every_missing_required_field_is_named_at_once():
    body = reflections.ReflectionBody(goal="目標だけ書いた")
    assert reflections.missing_required(body) == ("event", "try_text", "self_rating")
    assert reflections.missing_required(reflections.ReflectionBody(event="a", try_text="b", self_rating=3)) == ()


def test_export_file_name_carries_the_trainee_and_the_day():
    assert file_name("振り返り", "池田 恵", date(2026, 11, 28), "csv") == "振り返り_池田恵_20261128.csv"
    assert file_name("reflections", 'a/b:c*"d', date(2026, 1, 2), "html") == "reflections_abcd_20260102.html"


def test_findings_shown_as_literal_text_and_titles_kept_whole():
    assert plain("taro@example.com") == "`taro@example.com`"
    assert plain("a`b") == "``a`b``"
    title = keep_words("外国人支援 コーディネーター")
    assert title.replace(WORD_JOINER, "") == "外国人支援 コーディネーター"
    assert f"援{WORD_JOINER} " not in title and f"外{WORD_JOINER}国" in title
