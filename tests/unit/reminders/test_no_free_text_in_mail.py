"""Property: whatever people write (a reflection, a reply, a flag's reason, a private note, a submission), none of it
reaches a mail: subjects and bodies (text and HTML) carry counts, dates, programme data and trainees' names only."""
from __future__ import annotations

import html
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coordsupervise.access import COMMAND_LINE
from coordsupervise.clock import now_utc
from coordsupervise.reminders import due
from coordsupervise.reminders.compose import compose
from tests.conftest import DEMO_TODAY

# text as people type it: Japanese, Latin letters, digits, punctuation and Markdown; long enough to be their own
WRITTEN = st.text(alphabet=st.sampled_from("あいうえお相談在留資格外国人支援ABCxyz0123456789 。、!?*_#[]()<>&\"'"),
                  min_size=12, max_size=60).filter(lambda s: len(set(s)) >= 4)


def _plant(db, texts: dict[str, str]) -> None:
    """Put the texts where people write, on demo-trainee's and demo-supervisor's records that the mails are about."""
    def write(tx):
        enrolment = tx.value("SELECT e.id FROM enrolment e JOIN app_user u ON u.id = e.trainee_id "
                             "WHERE u.username = 'demo-trainee'")
        tx.execute("UPDATE reflection SET event = ?, feelings = ?, insight = ?, goal = ? WHERE enrolment_id = ?",
                   [texts["event"], texts["event"], texts["event"], texts["event"], enrolment])
        tx.execute("UPDATE feedback SET body_md = ? WHERE reflection_id IN "
                   "(SELECT id FROM reflection WHERE enrolment_id = ?)", [texts["feedback"], enrolment])
        tx.execute("UPDATE flag SET reason = ?", [texts["flag"]])
        tx.execute("UPDATE submission SET body_md = ?", [texts["submission"]])
        tx.execute("UPDATE private_note SET body_md = ?", [texts["note"]])
        tx.execute("UPDATE reflection_version SET body_json = ? WHERE reflection_id IN "
                   "(SELECT id FROM reflection WHERE enrolment_id = ?)", [f'{{"event": "{texts["event"]}"}}',
                                                                        enrolment])

    db.write(write)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.fixed_dictionaries({k: WRITTEN for k in ("event", "feedback", "flag", "submission", "note")}))
def test_no_mail_carries_what_people_wrote(demo_db, texts):
    _plant(demo_db, texts)
    dues = due.collect(demo_db, COMMAND_LINE, DEMO_TODAY, now_utc() + timedelta(days=3))
    assert {d.kind for d in dues} == {"trainee", "supervisor", "manager"}
    for one in dues:
        mail = compose(one, "https://coordsupervise.example.jp")
        for written in texts.values():
            for part in (mail.subject, mail.text):
                assert written not in part
            assert html.escape(written) not in mail.html and written not in mail.html
