"""Each person chooses which reminders they get and how often: daily, weekly or off, per topic. No row means the
default, so reminders are on for everyone who has an address until they say otherwise.

- daily: a topic's reminders may go out any day (at most one mail per person and kind a day, outbox.py);
- weekly: a trainee topic goes out at most once in seven days; a digest is one mail a week (the ISO week);
- off: nothing of that topic.

A person changes their own choices on /account; the programme office (admin) may change anyone's (someone asks
the office to stop the mails)."""
from __future__ import annotations

from ..access import Actor, require_active, require_role
from ..clock import now_utc
from ..errors import InvalidInput, NotFound
from ..store.db import Database

FREQUENCIES = ("daily", "weekly", "off")
TRAINEE_TOPICS = ("reflection_missing", "feedback_unread", "revision_requested", "assignment_due", "workshop_soon")
SUPERVISOR_TOPICS = ("supervisor_digest",)
MANAGER_TOPICS = ("manager_digest",)
TOPICS_BY_ROLE = {"trainee": TRAINEE_TOPICS, "supervisor": SUPERVISOR_TOPICS, "manager": MANAGER_TOPICS}
TOPICS = TRAINEE_TOPICS + SUPERVISOR_TOPICS + MANAGER_TOPICS
DEFAULTS = {**{topic: "daily" for topic in TRAINEE_TOPICS + SUPERVISOR_TOPICS}, "manager_digest": "weekly"}


def topics_for(roles) -> tuple[str, ...]:
    """The topics a person with these roles can receive, in the order /account lists them."""
    return tuple(topic for role in ("trainee", "supervisor", "manager") if role in roles
                 for topic in TOPICS_BY_ROLE[role])


def _require_self_or_admin(db: Database, actor: Actor, user_id: int) -> tuple[str, ...]:
    """The person themselves or the office; the roles of the person whose choices these are."""
    require_active(db, actor)
    if actor.id != user_id:
        require_role(actor, "admin", db=db)
    roles = tuple(r for (r,) in db.rows("SELECT role FROM user_role WHERE user_id = ? ORDER BY role", [user_id]))
    if not db.value("SELECT count(*) FROM app_user WHERE id = ?", [user_id]):
        raise NotFound()
    return roles


def preferences(db: Database, actor: Actor, user_id: int) -> dict[str, str]:
    """topic -> frequency for every topic the person can receive (their saved choice or the default)."""
    roles = _require_self_or_admin(db, actor, user_id)
    saved = dict(db.rows("SELECT topic, frequency FROM reminder_preference WHERE user_id = ?", [user_id]))
    return {topic: saved.get(topic, DEFAULTS[topic]) for topic in topics_for(roles)}


def save_preferences(db: Database, actor: Actor, user_id: int, choices: dict[str, str]) -> dict[str, str]:
    """Save the person's choices (topics they cannot receive and unknown frequencies are refused)."""
    roles = _require_self_or_admin(db, actor, user_id)
    allowed = topics_for(roles)
    for topic, frequency in choices.items():
        if topic not in allowed or frequency not in FREQUENCIES:
            raise InvalidInput("reminders.bad_choice")

    def write(tx):
        for topic, frequency in choices.items():
            tx.execute("DELETE FROM reminder_preference WHERE user_id = ? AND topic = ?", [user_id, topic])
            tx.execute("INSERT INTO reminder_preference (user_id, topic, frequency, updated_at) VALUES (?, ?, ?, ?)",
                       [user_id, topic, frequency, now_utc()])

    db.write(write)
    return preferences(db, actor, user_id)


def frequency_sql(user: str, topic: str) -> str:
    """SQL for the frequency a person (column `user`) chose for `topic` (a constant of this module)."""
    if topic not in TOPICS:
        raise ValueError(topic)
    return (f"coalesce((SELECT rp.frequency FROM reminder_preference rp WHERE rp.user_id = {user} "
            f"AND rp.topic = '{topic}'), '{DEFAULTS[topic]}')")


def address(db: Database, actor: Actor, user_id: int) -> str | None:
    """Where the person's reminders go (None: nowhere, no address on file)."""
    _require_self_or_admin(db, actor, user_id)
    return db.value("SELECT nullif(trim(coalesce(email, '')), '') FROM app_user WHERE id = ?", [user_id])
