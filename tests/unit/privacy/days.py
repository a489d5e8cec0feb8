"""A practice day a demo enrolment has not written yet, for the privacy tests' own reflections."""
from datetime import timedelta

from tests.conftest import DEMO_TODAY


def free_day(db, enrolment):
    """The latest working day before the suite's today with no reflection of `enrolment`."""
    taken = {d for (d,) in db.rows("SELECT practice_date FROM reflection WHERE enrolment_id = ?", [enrolment.id])}
    day = DEMO_TODAY - timedelta(days=1)
    while day in taken or day.weekday() >= 5:
        day -= timedelta(days=1)
    return day
