"""Every table of the bot, once, for SQLite and PostgreSQL: what Alembic migrates and copy-db copies.

The legacy SQL files (migrations/legacy/) built the same schema on SQLite; the baseline revision recreates it
from here, so the two must stay equal (tests/test_migrations.py compares them). Telegram ids are 64-bit;
row ids are `INTEGER PRIMARY KEY` on SQLite (the rowid) and BIGINT identities on PostgreSQL. Timestamps
are real `timestamptz` on PostgreSQL and ISO 8601 text in UTC on SQLite, where they sort as text; both
come back as aware datetimes (`UTCDateTime`). Calendar dates (a ban's end, a reminder's day) stay ISO text.
Flags are integers 0/1 on both, so the queries that test them are the same.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine


def to_utc(value: datetime) -> datetime:
    """The stored precision: UTC, to the millisecond."""
    return value.astimezone(UTC).replace(microsecond=value.microsecond // 1000 * 1000)


def iso(value: datetime) -> str:
    """ISO 8601 text in UTC as SQLite holds it: to the second, or the millisecond when there is one."""
    value = to_utc(value)
    return value.isoformat(timespec="milliseconds" if value.microsecond else "seconds")


def as_datetime(value: Any) -> datetime | None:
    """An aware datetime from what a query returned: a timestamp (PostgreSQL) or its ISO text (SQLite)."""
    if value is None or isinstance(value, datetime):
        return value
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """`timestamptz` on PostgreSQL, ISO 8601 text on SQLite; aware datetimes in Python on both."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(Text())
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if isinstance(value, str):
            value = as_datetime(value)
        return iso(value) if dialect.name == "sqlite" else to_utc(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        return as_datetime(value)


def Id() -> Any:
    """A row id: SQLite's rowid alias (`INTEGER PRIMARY KEY`), a 64-bit identity on PostgreSQL."""
    return BigInteger().with_variant(Integer(), "sqlite")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


metadata = MetaData(
    naming_convention={
        "ix": "%(table_name)s_%(column_0_N_name)s",
        "uq": "%(table_name)s_%(column_0_N_name)s_key",
        "ck": "%(table_name)s_%(constraint_name)s",
        "fk": "%(table_name)s_%(column_0_name)s_fkey",
        "pk": "%(table_name)s_pkey",
    }
)
TS = UTCDateTime

users = Table(
    "users", metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=False),  # Telegram user id
    Column("locale", Text),
    Column("first_seen", TS, nullable=False),
    Column("last_seen", TS, nullable=False),
    Column("blocked", Integer, nullable=False, server_default=text("0")),
    Column("privacy_seen_at", TS),
    Column("data_consent_at", TS),
    Column("telegram_locale", Text),
    Column("username", Text),  # Telegram @username, lower case, without "@" (0003)
    Index("users_username", "username"),
)

fsm_state = Table(
    "fsm_state", metadata,
    Column("key", Text, primary_key=True),
    Column("bot_id", BigInteger, nullable=False),
    Column("chat_id", BigInteger, nullable=False),
    Column("user_id", BigInteger, nullable=False),
    Column("thread_id", BigInteger),
    Column("business_connection_id", Text),
    Column("destiny", Text, nullable=False),
    Column("state", Text),
    Column("data", Text, nullable=False, server_default=text("'{}'")),
    Column("updated_at", TS, nullable=False),
    Index("fsm_state_user", "user_id"),
)

staff = Table(
    "staff", metadata,
    Column("user_id", BigInteger, primary_key=True, autoincrement=False),
    Column("role", Text, nullable=False),
    Column("granted_by", BigInteger),
    Column("granted_at", TS, nullable=False),
    CheckConstraint(_in("role", ("volunteer", "coordinator")), name="role"),
)

audit_log = Table(
    "audit_log", metadata,
    Column("id", Id(), primary_key=True),
    Column("actor_id", BigInteger, nullable=False),
    Column("action", Text, nullable=False),
    Column("target", Text),
    Column("details", Text),
    Column("at", TS, nullable=False),
    Index("audit_log_at", "at"),
)

REMINDER_KINDS = (
    "check_before_travel", "ban_end", "stay_end", "contract_end", "medical_expiry", "registration_expiry",
    "passport_expiry",
)
reminders = Table(
    "reminders", metadata,
    Column("id", Id(), primary_key=True),
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("kind", Text, nullable=False),
    Column("subject_date", Text, nullable=False),  # ISO date
    Column("due_on", Text, nullable=False),  # ISO date
    Column("created_at", TS, nullable=False),
    Column("sent_at", TS),
    CheckConstraint(_in("kind", REMINDER_KINDS), name="kind"),
    UniqueConstraint("user_id", "kind", "subject_date", "due_on"),
    Index("reminders_pending", "due_on", sqlite_where=text("sent_at IS NULL"),
          postgresql_where=text("sent_at IS NULL")),
    Index("reminders_by_user", "user_id", "kind", "subject_date"),
)

REFERRAL_STATUSES = ("new", "contacted", "enrolled", "completed", "passed", "resolved", "declined", "withdrawn")
referrals = Table(
    "referrals", metadata,
    Column("id", Id(), primary_key=True),
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="SET NULL")),
    Column("kind", Text, nullable=False),
    Column("item_id", Text, nullable=False),
    Column("name", Text),
    Column("phone", Text),
    Column("region", Text, nullable=False),
    Column("city", Text),
    Column("comment", Text),
    Column("status", Text, nullable=False, server_default=text("'new'")),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
    Column("decline_reason", Text),  # a code (services/referrals.py)
    CheckConstraint(_in("kind", ("training", "service")), name="kind"),
    CheckConstraint(_in("status", REFERRAL_STATUSES), name="status"),
    Index("referrals_created", "created_at"),
    Index("referrals_status", "status", "created_at"),
    Index("referrals_region", "region", "created_at"),
    Index("referrals_item", "item_id", "created_at"),
    Index("referrals_user", "user_id", "item_id", "created_at"),
)

referral_events = Table(
    "referral_events", metadata,
    Column("id", Id(), primary_key=True),
    Column("referral_id", BigInteger().with_variant(Integer(), "sqlite"),
           ForeignKey("referrals.id", ondelete="CASCADE"), nullable=False),
    Column("actor_id", BigInteger, nullable=False),
    Column("at", TS, nullable=False),
    Column("from_status", Text),
    Column("to_status", Text),
    Column("note", Text),
    Index("referral_events_referral", "referral_id", "id"),
)

subscriptions = Table(
    "subscriptions", metadata,
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True,
           autoincrement=False),
    Column("subscribed", Integer, nullable=False, server_default=text("1")),
    Column("region", Text),
    Column("updated_at", TS, nullable=False),
)

user_interests = Table(
    "user_interests", metadata,
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("topic", Text, nullable=False),
    PrimaryKeyConstraint("user_id", "topic"),
    Index("user_interests_topic", "topic", "user_id"),
    sqlite_with_rowid=False,
)

broadcasts = Table(
    "broadcasts", metadata,
    Column("id", Id(), primary_key=True),
    Column("sender_id", BigInteger, nullable=False),
    Column("sender_locale", Text, nullable=False),
    Column("audience", Text, nullable=False),
    Column("status", Text, nullable=False, server_default=text("'scheduled'")),
    Column("scheduled_at", TS, nullable=False),
    Column("total", Integer),
    Column("progress_chat_id", BigInteger),
    Column("progress_message_id", BigInteger),
    Column("created_at", TS, nullable=False),
    Column("started_at", TS),
    Column("finished_at", TS),
    CheckConstraint(_in("status", ("scheduled", "running", "done", "cancelled")), name="status"),
    Index("broadcasts_status", "status", "scheduled_at"),
)

_BROADCAST_ID = BigInteger().with_variant(Integer(), "sqlite")
broadcast_versions = Table(
    "broadcast_versions", metadata,
    Column("broadcast_id", _BROADCAST_ID, ForeignKey("broadcasts.id", ondelete="CASCADE"), nullable=False),
    Column("locale", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("text", Text, nullable=False, server_default=text("''")),
    Column("entities", Text, nullable=False, server_default=text("'[]'")),
    Column("file_id", Text),
    PrimaryKeyConstraint("broadcast_id", "locale"),
    CheckConstraint(_in("kind", ("text", "photo", "video", "document")), name="kind"),
    sqlite_with_rowid=False,
)

RECIPIENT_STATES = ("pending", "sending", "sent", "blocked", "failed", "ambiguous")
broadcast_recipients = Table(
    "broadcast_recipients", metadata,
    Column("broadcast_id", _BROADCAST_ID, ForeignKey("broadcasts.id", ondelete="CASCADE"), nullable=False),
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("locale", Text, nullable=False),
    Column("state", Text, nullable=False, server_default=text("'pending'")),
    Column("error", Text),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("updated_at", TS, nullable=False),
    PrimaryKeyConstraint("broadcast_id", "user_id"),
    CheckConstraint(_in("state", RECIPIENT_STATES), name="state"),
    Index("broadcast_recipients_state", "broadcast_id", "state"),
    sqlite_with_rowid=False,
)

broadcast_summaries = Table(
    "broadcast_summaries", metadata,
    Column("broadcast_id", _BROADCAST_ID, ForeignKey("broadcasts.id", ondelete="CASCADE"), nullable=False),
    Column("state", Text, nullable=False),
    Column("n", Integer, nullable=False),
    PrimaryKeyConstraint("broadcast_id", "state"),
    sqlite_with_rowid=False,
)

CASE_TOPICS = ("ban", "work", "documents", "training", "health", "safety", "other")
cases = Table(
    "cases", metadata,
    Column("id", Id(), primary_key=True),
    Column("user_id", BigInteger, ForeignKey("users.id", ondelete="CASCADE")),
    Column("topic", Text, nullable=False),
    Column("locale", Text, nullable=False),
    Column("region", Text),
    Column("source", Text, nullable=False),
    Column("status", Text, nullable=False, server_default=text("'open'")),
    Column("urgent", Integer, nullable=False, server_default=text("0")),
    Column("chat_id", BigInteger, nullable=False),
    Column("thread_id", BigInteger),
    Column("card_message_id", BigInteger),
    Column("assignee_id", BigInteger),
    Column("unreachable", Integer, nullable=False, server_default=text("0")),
    Column("consent_at", TS, nullable=False),
    Column("opened_at", TS, nullable=False),
    Column("first_message_at", TS),
    Column("first_answer_at", TS),
    Column("waiting_since", TS),
    Column("closed_at", TS),
    Column("rating", Integer),
    Column("reopened_at", TS),  # the migrant wrote within 7 days of the close (0002)
    CheckConstraint(_in("topic", CASE_TOPICS), name="topic"),
    CheckConstraint(_in("status", ("open", "closed")), name="status"),
    CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),
    Index("cases_one_open", "user_id", unique=True, sqlite_where=text("status = 'open'"),
          postgresql_where=text("status = 'open'")),
    Index("cases_user", "user_id", "id"),
    Index("cases_thread", "chat_id", "thread_id"),
    Index("cases_status", "status", "closed_at"),
)

case_messages = Table(
    "case_messages", metadata,
    Column("id", Id(), primary_key=True),
    Column("case_id", BigInteger().with_variant(Integer(), "sqlite"), ForeignKey("cases.id", ondelete="CASCADE"),
           nullable=False),
    Column("direction", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("user_message_id", BigInteger, nullable=False),
    Column("group_message_id", BigInteger),
    Column("reply_to", BigInteger),
    Column("text_html", Text),
    Column("status", Text, nullable=False, server_default=text("'pending'")),
    Column("created_at", TS, nullable=False),
    Column("sent_at", TS),
    CheckConstraint(_in("direction", ("in", "out")), name="direction"),
    CheckConstraint(_in("status", ("pending", "sent", "failed")), name="status"),
    Index("case_messages_pending", "status", "case_id", "id"),
    Index("case_messages_user", "case_id", "user_message_id"),
    Index("case_messages_group", "case_id", "group_message_id"),
)

outbox = Table(
    "outbox", metadata,
    Column("id", Id(), primary_key=True),
    Column("kind", Text, nullable=False),
    Column("chat_id", BigInteger, nullable=False),
    Column("locale", Text),
    Column("subject_id", BigInteger, nullable=False),
    Column("payload", Text, nullable=False, server_default=text("'{}'")),
    Column("state", Text, nullable=False, server_default=text("'pending'")),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("error", Text),
    Column("not_before", TS, nullable=False),
    Column("created_at", TS, nullable=False),
    Column("updated_at", TS, nullable=False),
    CheckConstraint(_in("state", ("pending", "sending", "sent", "failed", "ambiguous")), name="state"),
    Index("outbox_due", "state", "not_before"),
)

web_login_tokens = Table(
    "web_login_tokens", metadata,
    Column("token_hash", Text, primary_key=True),
    Column("user_id", BigInteger, nullable=False),
    Column("created_at", TS, nullable=False),
    Column("expires_at", TS, nullable=False),
    Column("used_at", TS),
    Index("web_login_tokens_user", "user_id"),
)

web_sessions = Table(
    "web_sessions", metadata,
    Column("token_hash", Text, primary_key=True),
    Column("user_id", BigInteger, nullable=False),
    Column("csrf_token", Text, nullable=False),
    Column("locale", Text),
    Column("created_at", TS, nullable=False),
    Column("seen_at", TS, nullable=False),
    Index("web_sessions_user", "user_id"),
)

web_login_failures = Table(
    "web_login_failures", metadata,
    Column("id", Id(), primary_key=True),
    Column("client", Text, nullable=False),
    Column("at", TS, nullable=False),
    Index("web_login_failures_client", "client", "at"),
)

TIMESTAMP_COLUMNS = frozenset(
    column.name for table in metadata.tables.values() for column in table.columns if isinstance(column.type, UTCDateTime)
)
