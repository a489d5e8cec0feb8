"""What is due for whom, today: the reminders of each trainee, the daily digest of each supervisor and the weekly
digest of each manager, less what the outbox says each was already told and what each person turned off.

Counts are aggregated in SQL, one query per kind of reminder over every person at once; what a digest shows of
trainees (their work to score, their at-risk reasons, a cohort's figures) comes from the services the screens use,
called as the person the digest is for, so a mail never shows more than that person's own screens would.

Only trainees still in training count (enrolment active, today inside the cohort's calendar), only active accounts
with an address get anything, and nothing in here reads free text: an Item holds counts, dates, programme data
(assignment codes and titles, cohort codes and names, risk rules) and a trainee's name, never a reflection, a
message, a note or a flag's reason.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from ..access import Actor, require_role
from ..clock import now_utc
from ..dashboards import dashboard, risk
from ..dashboards.cohort_scope import day_status_cte, query_frame
from ..errors import InvalidInput
from ..scoring import scoring
from ..store import cache_stamp
from ..store.db import Database
from .subscriptions import frequency_sql

KINDS = ("trainee", "supervisor", "manager")
# reminder thresholds, per programme in table reminder_setting; these when a programme has no row
DEFAULTS = {"silent_days": 2, "feedback_days": 2, "due_soon_days": 3, "workshop_days": 7, "reply_hours": 24}
LIMITS = {"silent_days": (1, 30), "feedback_days": (1, 30), "due_soon_days": (0, 30), "workshop_days": (1, 60),
          "reply_hours": (1, 240)}
ONCE = "-"  # the period of a reminder sent once ever


@dataclass(frozen=True)
class Item:
    """One thing a person is told, as the outbox keys it (topic = the outbox's kind), with what the mail says of it
    (`fields`: counts, dates, codes, titles, a trainee's name) and the screen that answers it (route, query)."""

    topic: str
    subject: str
    period: str
    fields: dict = field(default_factory=dict, hash=False, compare=False)
    route: str = ""
    query: dict = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Recipient:
    id: int
    username: str
    display_name: str
    email: str
    language: str
    roles: frozenset[str]

    def actor(self) -> Actor:
        return Actor(self.id, self.username, self.display_name, self.roles, self.language)


@dataclass
class Due:
    """One mail to be: a person, the kind of mail, and what it carries."""

    recipient: Recipient
    kind: str
    items: list[Item]


def as_date(value) -> date | None:
    """A day as a frame holds it (a pandas Timestamp, NaT, a date or None) as a date or None."""
    if value is None or value != value:
        return None
    return value.date() if isinstance(value, datetime) else value


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def thresholds(db: Database, programme_id: int) -> dict[str, int]:
    saved = dict(db.rows("SELECT key, value FROM reminder_setting WHERE programme_id = ?", [programme_id]))
    return {key: int(saved.get(key, default)) for key, default in DEFAULTS.items()}


def save_thresholds(db: Database, actor: Actor, programme_id: int, values: dict[str, int]) -> dict[str, int]:
    """The programme office sets the reminders' thresholds for a programme."""
    require_role(actor, "admin", db=db)
    clean = {}
    for key, (low, high) in LIMITS.items():
        value = values.get(key, DEFAULTS[key])
        if not isinstance(value, int) or not low <= value <= high:
            raise InvalidInput("reminders.bad_threshold", name=f"reminders.setting.{key}", low=low, high=high)
        clean[key] = value

    def write(tx):
        for key, value in clean.items():
            tx.execute("DELETE FROM reminder_setting WHERE programme_id = ? AND key = ?", [programme_id, key])
            tx.execute("INSERT INTO reminder_setting (programme_id, key, value, updated_by, updated_at) "
                       "VALUES (?, ?, ?, ?, ?)", [programme_id, key, value, actor.id, now_utc()])
        cache_stamp.bump(tx)

    db.write(write)
    return clean


def programme_thresholds(db: Database, actor: Actor) -> tuple[int | None, dict[str, int]]:
    """The programme's id and its reminder thresholds, for the office's form (None and the defaults before a
    programme is loaded)."""
    require_role(actor, "admin", db=db)
    programme_id = db.value("SELECT min(id) FROM programme")
    return programme_id, (thresholds(db, programme_id) if programme_id else dict(DEFAULTS))


def _threshold(key: str, cohort: str = "e.cohort_id") -> str:
    """SQL for a threshold of the programme of `cohort` (a column), its default when unset. Keys are constants."""
    return (f"coalesce((SELECT rs.value FROM reminder_setting rs JOIN cohort cx ON cx.programme_id = rs.programme_id "
            f"WHERE cx.id = {cohort} AND rs.key = '{key}'), {int(DEFAULTS[key])})")


def _wants(user: str, topic: str, role: str) -> str:
    """SQL: the person (column `user`) is active, has an address and the role, and has not turned `topic` off; for
    a trainee topic chosen weekly, nothing of it went to them in the last seven days."""
    frequency = frequency_sql(user, topic)
    weekly = (f"NOT ({frequency} = 'weekly' AND EXISTS (SELECT 1 FROM outbox ow WHERE ow.person_id = {user} "
              f"AND ow.kind = '{topic}' AND ow.created_at > CAST($now AS TIMESTAMP) - INTERVAL 7 DAY))")
    return (f"EXISTS (SELECT 1 FROM app_user wu WHERE wu.id = {user} AND wu.active AND coalesce(wu.email, '') <> '' "
            f"AND EXISTS (SELECT 1 FROM user_role wr WHERE wr.user_id = wu.id AND wr.role = '{role}') "
            f"AND {frequency} <> 'off' AND {weekly})")


_IN_TRAINING = ("e.status = 'active' AND CAST($today AS DATE) BETWEEN "
                "(SELECT min(s.starts_on) FROM cohort_stage s WHERE s.cohort_id = e.cohort_id) AND "
                "(SELECT max(s.ends_on) FROM cohort_stage s WHERE s.cohort_id = e.cohort_id)")


def _not_told(person: str, topic: str, subject: str) -> str:
    return (f"NOT EXISTS (SELECT 1 FROM outbox o WHERE o.person_id = {person} AND o.kind = '{topic}' "
            f"AND o.subject = {subject} AND o.period = '{ONCE}')")


# -- trainees ---------------------------------------------------------------------------------------------------------
def _trainee_items(db: Database, today: date, now: datetime) -> dict[int, list[Item]]:
    params = {"today": today, "until": today, "now": now}
    found: dict[int, list[Item]] = {}

    def add(person, item):
        found.setdefault(int(person), []).append(item)

    where = f"{_IN_TRAINING} AND {_wants('e.trainee_id', 'reflection_missing', 'trainee')} " \
            "AND CAST($today AS DATE) BETWEEN p.starts_on AND p.ends_on"
    silent = query_frame(db, f"""
        WITH {day_status_cte(where)},
        per AS (SELECT enrolment_id, max(day) FILTER (WHERE status IN ('submitted', 'late')) AS last_day
                FROM day_status GROUP BY enrolment_id),
        gap AS (SELECT ds.enrolment_id, min(ds.trainee_id) AS trainee_id, min(ds.cohort_id) AS cohort_id,
                       count(*) AS n, min(ds.day) AS first_day, max(pt.last_day) AS last_day
                FROM day_status ds JOIN per pt ON pt.enrolment_id = ds.enrolment_id
                WHERE ds.status = 'missing' AND (pt.last_day IS NULL OR ds.day > pt.last_day)
                GROUP BY ds.enrolment_id)
        SELECT g.trainee_id, g.enrolment_id, g.n, g.first_day, g.last_day FROM gap g
        WHERE g.n >= {_threshold('silent_days', 'g.cohort_id')}""", params)
    for row in silent.itertuples():
        last, first = as_date(row.last_day), as_date(row.first_day)
        subject = f"enrolment:{row.enrolment_id}:after:{last.isoformat() if last else 'start'}"
        if not _told(db, row.trainee_id, "reflection_missing", subject):
            add(row.trainee_id, Item("reflection_missing", subject, ONCE, {"n": int(row.n), "day": first},
                                     "reflection", {"day": first.isoformat()}))

    unread = query_frame(db, f"""
        SELECT e.trainee_id, count(*) AS n, max(r.practice_date) AS day, list(f.id ORDER BY f.id) AS ids
        FROM feedback f JOIN reflection r ON r.id = f.reflection_id JOIN enrolment e ON e.id = r.enrolment_id
        WHERE {_IN_TRAINING} AND {_wants('e.trainee_id', 'feedback_unread', 'trainee')}
          AND f.author_id <> e.trainee_id
          AND f.created_at <= CAST($now AS TIMESTAMP) - {_threshold('feedback_days')} * INTERVAL 1 DAY
          AND NOT EXISTS (SELECT 1 FROM feedback_read fr WHERE fr.feedback_id = f.id AND fr.reader_id = e.trainee_id)
          AND {_not_told('e.trainee_id', 'feedback_unread', "'feedback:' || CAST(f.id AS VARCHAR)")}
        GROUP BY e.trainee_id""", params)
    for row in unread.itertuples():
        day = as_date(row.day)
        for n, feedback_id in enumerate(row.ids):
            # one outbox row per message (each is reminded of once); the first carries what the mail says
            add(row.trainee_id, Item("feedback_unread", f"feedback:{int(feedback_id)}", ONCE,
                                     {"n": int(row.n), "day": day, "shown": n == 0},
                                     "reflection", {"day": day.isoformat()}))

    revisions = query_frame(db, f"""
        SELECT e.trainee_id, s.id AS submission_id, a.code, a.title_ja, a.title_en
        FROM submission s JOIN assignment a ON a.id = s.assignment_id JOIN enrolment e ON e.id = s.enrolment_id
        WHERE {_IN_TRAINING} AND {_wants('e.trainee_id', 'revision_requested', 'trainee')}
          AND s.status = 'revision_requested'
          AND s.version = (SELECT max(x.version) FROM submission x WHERE x.assignment_id = s.assignment_id
                           AND x.enrolment_id = s.enrolment_id)
          AND {_not_told('e.trainee_id', 'revision_requested', "'submission:' || CAST(s.id AS VARCHAR)")}
        ORDER BY a.seq""", params)
    for row in revisions.itertuples():
        add(row.trainee_id, Item("revision_requested", f"submission:{row.submission_id}", ONCE,
                                 {"code": row.code, "title_ja": row.title_ja, "title_en": row.title_en},
                                 "assignments", {"a": row.code}))

    deadlines = query_frame(db, f"""
        WITH open_work AS (
            SELECT e.trainee_id, a.id AS assignment_id, a.seq, a.code, a.title_ja, a.title_en, a.due_on,
                   CASE WHEN a.due_on < CAST($today AS DATE) THEN 'overdue' ELSE 'soon' END AS state
            FROM enrolment e JOIN assignment a ON a.cohort_id = e.cohort_id
            WHERE {_IN_TRAINING} AND {_wants('e.trainee_id', 'assignment_due', 'trainee')}
              AND a.due_on <= CAST($today AS DATE) + {_threshold('due_soon_days')}
              AND NOT EXISTS (SELECT 1 FROM submission s WHERE s.assignment_id = a.id AND s.enrolment_id = e.id
                              AND s.status <> 'draft'))
        SELECT * FROM open_work w WHERE {_not_told(
            'w.trainee_id', 'assignment_due', "'assignment:' || CAST(w.assignment_id AS VARCHAR) || ':' || w.state")}
        ORDER BY w.due_on, w.seq""", params)
    for row in deadlines.itertuples():
        add(row.trainee_id, Item("assignment_due", f"assignment:{row.assignment_id}:{row.state}", ONCE,
                                 {"code": row.code, "title_ja": row.title_ja, "title_en": row.title_en,
                                  "day": as_date(row.due_on), "overdue": row.state == "overdue"},
                                 "assignments", {"a": row.code}))

    workshops = query_frame(db, f"""
        SELECT e.trainee_id, e.cohort_id, w.starts_on FROM enrolment e
        JOIN cohort_stage w ON w.cohort_id = e.cohort_id AND w.stage = 'workshop_day1'
        WHERE {_IN_TRAINING} AND {_wants('e.trainee_id', 'workshop_soon', 'trainee')}
          AND w.starts_on > CAST($today AS DATE)
          AND w.starts_on <= CAST($today AS DATE) + {_threshold('workshop_days')}
          AND {_not_told('e.trainee_id', 'workshop_soon', "'cohort:' || CAST(e.cohort_id AS VARCHAR)")}""",
                            params)
    for row in workshops.itertuples():
        add(row.trainee_id, Item("workshop_soon", f"cohort:{row.cohort_id}", ONCE, {"day": as_date(row.starts_on)},
                                 "progress", {}))
    return found


def _told(db: Database, person_id: int, topic: str, subject: str) -> bool:
    return bool(db.value("SELECT count(*) FROM outbox WHERE person_id = ? AND kind = ? AND subject = ? AND period = ?",
                         [int(person_id), topic, subject, ONCE]))


# -- recipients -------------------------------------------------------------------------------------------------------
def _recipients(db: Database, ids: list[int]) -> dict[int, Recipient]:
    if not ids:
        return {}
    rows = db.rows("SELECT u.id, u.username, u.display_name, u.email, u.language, "
                   "(SELECT string_agg(r.role, ',') FROM user_role r WHERE r.user_id = u.id) "
                   "FROM app_user u WHERE u.id IN (SELECT unnest(?))", [[int(i) for i in ids]])
    return {uid: Recipient(uid, name, display, email, language, frozenset((roles or "").split(",")))
            for uid, name, display, email, language, roles in rows}


def _digest_recipients(db: Database, role: str, topic: str, today: date, now: datetime, extra: str = "TRUE"):
    """(person, period) of everyone with `role` who wants `topic` and has no digest for this period yet."""
    frequency = frequency_sql("u.id", topic)
    rows = query_frame(db, f"""
        SELECT u.id, CASE WHEN {frequency} = 'weekly' THEN $week ELSE $day END AS period FROM app_user u
        WHERE {_wants('u.id', topic, role)} AND {extra}""",
                       {"week": iso_week(today), "day": today.isoformat(), "today": today, "now": now})
    return [(int(r.id), r.period) for r in rows.itertuples()]


# -- supervisors ------------------------------------------------------------------------------------------------------
def _supervisor_dues(db: Database, today: date, now: datetime) -> list[Due]:
    caseload = ("EXISTS (SELECT 1 FROM supervision sv JOIN enrolment e ON e.id = sv.enrolment_id "
                f"WHERE sv.supervisor_id = u.id AND {_IN_TRAINING})")
    wanted = _digest_recipients(db, "supervisor", "supervisor_digest", today, now, caseload)
    wanted = [(pid, period) for pid, period in wanted if not _digest_told(db, pid, "supervisor_digest", period)]
    if not wanted:
        return []
    waiting = dict(query_frame(db, f"""
        SELECT sv.supervisor_id, count(*) AS n FROM reflection r JOIN enrolment e ON e.id = r.enrolment_id
        JOIN supervision sv ON sv.enrolment_id = e.id
        WHERE r.status = 'submitted' AND {_IN_TRAINING}
          AND r.submitted_at < CAST($now AS TIMESTAMP) - {_threshold('reply_hours')} * INTERVAL 1 HOUR
          AND NOT EXISTS (SELECT 1 FROM feedback f WHERE f.reflection_id = r.id AND f.author_id <> e.trainee_id)
          AND sv.supervisor_id IN (SELECT unnest($ids))
        GROUP BY sv.supervisor_id""", {"today": today, "now": now, "ids": [p for p, _ in wanted]}).itertuples(
        index=False, name=None))
    people = _recipients(db, [p for p, _ in wanted])
    dues = []
    for person_id, period in wanted:
        recipient = people[person_id]
        actor = recipient.actor()
        states = scoring.queue_counts(db, actor, scoring.QueueFilter())["state"]
        to_score = states["to_score"] + states["draft"]
        second = states["to_second_mark"]
        told = {s for (s,) in db.rows("SELECT subject FROM outbox WHERE person_id = ? AND kind = 'supervisor_at_risk'",
                                      [person_id])}
        at_risk = risk.at_risk(db, actor, today, caseload=True, lang=recipient.language)
        markers = []  # every fresh (trainee, rule) pair is remembered, so a reason is reported once
        for row in at_risk.itertuples():
            fresh = [(rule, n, detail) for rule, n, detail in row.reasons if f"{row.enrolment_id}:{rule}" not in told]
            markers += [Item("supervisor_at_risk", f"{row.enrolment_id}:{rule}", ONCE,
                             {"name": row.trainee, "fresh": fresh, "shown": k == 0},
                             "trainee", {"e": str(row.enrolment_id)}) for k, (rule, _n, _d) in enumerate(fresh)]
        newly = sum(1 for item in markers if item.fields["shown"])
        replies = int(waiting.get(person_id, 0))
        if not (replies or to_score or second or newly):
            continue
        digest = Item("supervisor_digest", "digest", period,
                      {"replies": replies, "to_score": to_score, "second": second, "at_risk": newly, "day": today},
                      "inbox", {"noreply": "1"})
        dues.append(Due(recipient, "supervisor", [digest, *markers]))
    return dues


def _digest_told(db: Database, person_id: int, topic: str, period: str) -> bool:
    return bool(db.value("SELECT count(*) FROM outbox WHERE person_id = ? AND kind = ? AND period = ?",
                         [person_id, topic, period]))


# -- managers ---------------------------------------------------------------------------------------------------------
def _cohorts_in_training(db: Database, today: date) -> list[dict]:
    return db.dicts(
        "SELECT c.id, c.code, c.name_ja, c.name_en, c.programme_id, p.starts_on AS practical_start, "
        "p.ends_on AS practical_end FROM cohort c "
        "JOIN cohort_stage p ON p.cohort_id = c.id AND p.stage = 'practical' "
        "WHERE ? BETWEEN (SELECT min(s.starts_on) FROM cohort_stage s WHERE s.cohort_id = c.id) "
        "AND (SELECT max(s.ends_on) FROM cohort_stage s WHERE s.cohort_id = c.id) ORDER BY c.code", [today])


def _previous_cohort(db: Database, cohort: dict) -> dict | None:
    rows = db.dicts("SELECT c.id, c.code FROM cohort c JOIN cohort_stage p ON p.cohort_id = c.id "
                    "AND p.stage = 'practical' WHERE c.programme_id = ? AND p.starts_on < ? "
                    "ORDER BY p.starts_on DESC LIMIT 1", [cohort["programme_id"], cohort["practical_start"]])
    return rows[0] if rows else None


def _rates(db: Database, actor: Actor, cohort: dict, today: date) -> dict:
    """The cohort's reflection rate so far and the previous cohort's at the same day of practice."""
    if today < cohort["practical_start"]:
        return {}
    previous = _previous_cohort(db, cohort)
    ids = [cohort["id"]] + ([previous["id"]] if previous else [])
    frame = dashboard.compare_practical(db, actor, ids, today)
    own = frame[frame["cohort_id"] == cohort["id"]]
    if own.empty:
        return {}
    last = own.iloc[-1]
    out = {"rate": None if last["reflection_rate"] != last["reflection_rate"] else float(last["reflection_rate"]),
           "day_no": int(last["day_no"])}
    if previous is not None:
        theirs = frame[(frame["cohort_id"] == previous["id"]) & (frame["day_no"] == last["day_no"])]
        if not theirs.empty and theirs.iloc[0]["reflection_rate"] == theirs.iloc[0]["reflection_rate"]:
            out.update(previous_code=previous["code"], previous_rate=float(theirs.iloc[0]["reflection_rate"]))
    return out


def _manager_dues(db: Database, today: date, now: datetime) -> list[Due]:
    cohorts = _cohorts_in_training(db, today)
    if not cohorts:
        return []
    wanted = _digest_recipients(db, "manager", "manager_digest", today, now)
    if not wanted:
        return []
    disagreements = dict(db.rows(
        "SELECT a.cohort_id, count(*) FROM moderation m JOIN score sc ON sc.id = m.score_id "
        "JOIN submission s ON s.id = sc.submission_id JOIN assignment a ON a.id = s.assignment_id "
        "WHERE m.status = 'disagreed' AND a.cohort_id IN (SELECT unnest(?)) GROUP BY a.cohort_id",
        [[c["id"] for c in cohorts]]))
    people = _recipients(db, [p for p, _ in wanted])
    dues = []
    for person_id, period in wanted:
        recipient = people[person_id]
        actor = recipient.actor()
        done = {s for (s,) in db.rows("SELECT subject FROM outbox WHERE person_id = ? AND kind = 'manager_digest' "
                                      "AND period = ?", [person_id, period])}
        items = []
        for cohort in cohorts:
            subject = f"cohort:{cohort['id']}"
            if subject in done:
                continue
            at_risk = risk.at_risk(db, actor, today, cohort["id"], lang=recipient.language)
            items.append(Item("manager_digest", subject, period, {
                "code": cohort["code"], "name_ja": cohort["name_ja"], "name_en": cohort["name_en"],
                "at_risk": [(r.trainee, list(r.reasons), int(r.enrolment_id)) for r in at_risk.itertuples()],
                "disagreements": int(disagreements.get(cohort["id"], 0)), "day": today,
                **_rates(db, actor, cohort, today)}, "cohort", {"cohort": cohort["code"]}))
        if items:
            dues.append(Due(recipient, "manager", items))
    return dues


def collect(db: Database, actor: Actor, today: date, now: datetime, only: str | None = None) -> list[Due]:
    """Everything due now, one Due per person and kind of mail (the trainee's reminders bundled into one mail, a
    digest for supervisors and managers). Writes nothing. The programme office (and the command line) may ask."""
    require_role(actor, "admin", db=db)
    dues: list[Due] = []
    if only in (None, "trainee"):
        found = _trainee_items(db, today, now)
        people = _recipients(db, list(found))
        dues += [Due(people[pid], "trainee", items) for pid, items in sorted(found.items())]
    if only in (None, "supervisor"):
        dues += _supervisor_dues(db, today, now)
    if only in (None, "manager"):
        dues += _manager_dues(db, today, now)
    return dues

