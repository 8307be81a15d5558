"""What Koldoo keeps about a person, as one list: /privacy, the referral consent screen and
`python -m bot user-data` are all derived from it, so none of them can name less than the others.

Each kind of data names the tables that hold it; a table that mentions a user and is in none of the kinds
is a gap (tests/test_personal_data.py fails on it).
"""

from __future__ import annotations

from enum import StrEnum


class DataKind(StrEnum):
    ACCOUNT = "account"  # Telegram id, @username, language, first and last visit
    SETTINGS = "settings"  # news region, topics, subscribed or not
    REMINDERS = "reminders"  # dates of the reminders asked for
    DIALOGUE = "dialogue"  # answers of an unfinished dialogue
    REFERRAL = "referral"  # name, phone, region, city, comment of a request
    REFERRAL_NOTES = "referral_notes"  # coordinators' notes, status history, information the person added
    CONVERSATION = "conversation"  # messages with a consultant (/ask)
    DELIVERIES = "deliveries"  # which broadcasts reached them
    STAFF = "staff"  # for staff only: their role, what they did, console logins


# In the order /privacy lists them.
KINDS: tuple[DataKind, ...] = tuple(DataKind)

# What the consent screen before a referral names: what is kept because of the request.
REFERRAL_KINDS: tuple[DataKind, ...] = (DataKind.REFERRAL, DataKind.REFERRAL_NOTES)

TABLES: dict[str, DataKind] = {
    "users": DataKind.ACCOUNT,
    "fsm_state": DataKind.DIALOGUE,
    "subscriptions": DataKind.SETTINGS,
    "user_interests": DataKind.SETTINGS,
    "reminders": DataKind.REMINDERS,
    "referrals": DataKind.REFERRAL,
    "referral_events": DataKind.REFERRAL_NOTES,
    "cases": DataKind.CONVERSATION,
    "case_messages": DataKind.CONVERSATION,
    "broadcast_recipients": DataKind.DELIVERIES,
    "outbox": DataKind.DELIVERIES,
    "staff": DataKind.STAFF,
    "audit_log": DataKind.STAFF,
    "broadcasts": DataKind.STAFF,
    "web_login_tokens": DataKind.STAFF,
    "web_sessions": DataKind.STAFF,
}


def kinds_found(tables: set[str]) -> list[DataKind]:
    """The kinds of data held, from the tables a user's rows were found in, in the /privacy order."""
    held = {TABLES[table] for table in tables if table in TABLES}
    return [kind for kind in KINDS if kind in held]
