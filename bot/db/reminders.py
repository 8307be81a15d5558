"""Reminder rows: scheduling them from a dialogue, listing and cancelling them, handing the due ones to the outbox.

A due reminder is marked sent and its outbox row written in one transaction, so two loop ticks (or a
restart in the middle of one) can never queue it twice, and a queued one is delivered by the outbox loop
whatever happens next (a crash, Telegram down). When several reminders of one date are due at once (the bot
was down), only the latest is queued: the others are marked sent with it, so the migrant gets one message,
not three.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from bot.db.clock import utcnow
from bot.db.connection import Database
from bot.db.outbox import Notice, enqueue
from bot.db.users import USER_LANGUAGE_SQL

KINDS = (
    "check_before_travel",
    "ban_end",
    "stay_end",
    "contract_end",
    "medical_expiry",
    "registration_expiry",
    "passport_expiry",
)


@dataclass(frozen=True)
class Reminder:
    """What the sender needs: who, in which language (None: not chosen yet), what about."""

    id: int
    user_id: int
    locale: str | None
    kind: str
    subject_date: date


async def schedule(db: Database, user_id: int, items: Iterable[tuple[str, date, date]]) -> int:
    """Store (kind, subject_date, due_on) reminders for a user; a repeat of a pending one is ignored.

    Returns how many new reminders were stored.
    """
    rows = [(user_id, kind, subject.isoformat(), due.isoformat(), utcnow()) for kind, subject, due in items]
    if any(row[1] not in KINDS for row in rows):
        raise ValueError(f"reminder kind must be one of {KINDS}")
    stored = 0
    async with db.transaction() as conn:
        for row in rows:
            cursor = await conn.execute(
                "INSERT INTO reminders (user_id, kind, subject_date, due_on, created_at)"
                " VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (user_id, kind, subject_date, due_on) DO NOTHING",
                row,
            )
            stored += cursor.rowcount
    return stored


async def queue_due(db: Database, today: date, limit: int = 500) -> int:
    """Move the reminders due by `today` (for users who have not blocked the bot) into the outbox, marked
    sent as they go; of several due for the same date only the latest is queued. Returns how many were queued."""
    queued = 0
    while True:
        async with db.transaction() as conn:
            cursor = await conn.execute(
                "SELECT r.id, r.user_id, r.kind, r.subject_date FROM reminders r JOIN users u ON u.id = r.user_id"
                " WHERE r.sent_at IS NULL AND r.due_on <= ? AND u.blocked = 0 ORDER BY r.due_on, r.id LIMIT ?",
                (today.isoformat(), limit),
            )
            due = list(await cursor.fetchall())
            latest: dict[tuple[int, str, str], tuple[int, int]] = {}
            for row in due:  # ordered by due_on: a later one of the same date replaces an earlier one
                await conn.execute("UPDATE reminders SET sent_at = ? WHERE id = ?", (utcnow(), row[0]))
                latest[(row[1], row[2], row[3])] = (row[0], row[1])
            for reminder_id, user_id in latest.values():
                await enqueue(conn, [Notice("reminder", user_id)], reminder_id)
        queued += len(latest)
        if len(due) < limit:
            return queued


@dataclass(frozen=True)
class Pending:
    """A date a user asked to be reminded of, with the next reminder still to come."""

    kind: str
    subject_date: date
    next_due: date


async def pending_for(db: Database, user_id: int) -> list[Pending]:
    """The user's dates with reminders still to send, soonest first."""
    rows = await db.fetchall(
        "SELECT kind, subject_date, MIN(due_on) FROM reminders WHERE user_id = ? AND sent_at IS NULL"
        " GROUP BY kind, subject_date ORDER BY MIN(due_on), kind",
        (user_id,),
    )
    return [Pending(row[0], date.fromisoformat(row[1]), date.fromisoformat(row[2])) for row in rows]


async def cancel(db: Database, user_id: int, kind: str, subject_date: date) -> int:
    """Drop the reminders still to send for one date; returns how many were dropped."""
    return await db.execute_count(
        "DELETE FROM reminders WHERE user_id = ? AND kind = ? AND subject_date = ? AND sent_at IS NULL",
        (user_id, kind, subject_date.isoformat()),
    )


async def get(db: Database, reminder_id: int) -> Reminder | None:
    row = await db.fetchone(
        f"SELECT r.id, r.user_id, {USER_LANGUAGE_SQL} AS locale, r.kind, r.subject_date FROM reminders r"
        " JOIN users u ON u.id = r.user_id WHERE r.id = ?",
        (reminder_id,),
    )
    return None if row is None else Reminder(row[0], row[1], row[2], row[3], date.fromisoformat(row[4]))
