"""Reminder rows: scheduling them from a dialogue, and handing the due ones to the outbox.

A due reminder is marked sent and its outbox row written in one transaction, so two loop ticks (or a
restart in the middle of one) can never queue it twice, and a queued one is delivered by the outbox loop
whatever happens next (a crash, Telegram down).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from bot.db.clock import now_iso
from bot.db.connection import Database
from bot.db.outbox import Notice, enqueue
from bot.db.users import USER_LANGUAGE_SQL

KINDS = ("check_before_travel", "ban_end")


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
    rows = [(user_id, kind, subject.isoformat(), due.isoformat(), now_iso()) for kind, subject, due in items]
    if any(row[1] not in KINDS for row in rows):
        raise ValueError(f"reminder kind must be one of {KINDS}")
    stored = 0
    async with db.transaction() as conn:
        for row in rows:
            cursor = await conn.execute(
                "INSERT INTO reminders (user_id, kind, subject_date, due_on, created_at)"
                " VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT (user_id, kind, subject_date) DO NOTHING",
                row,
            )
            stored += cursor.rowcount
    return stored


async def queue_due(db: Database, today: date, limit: int = 500) -> int:
    """Move the reminders due by `today` (for users who have not blocked the bot) into the outbox, marked
    sent as they go; returns how many were queued."""
    queued = 0
    while True:
        async with db.transaction() as conn:
            cursor = await conn.execute(
                "SELECT r.id, r.user_id FROM reminders r JOIN users u ON u.id = r.user_id"
                " WHERE r.sent_at IS NULL AND r.due_on <= ? AND u.blocked = 0 ORDER BY r.due_on, r.id LIMIT ?",
                (today.isoformat(), limit),
            )
            due = list(await cursor.fetchall())
            for row in due:
                await conn.execute("UPDATE reminders SET sent_at = ? WHERE id = ?", (now_iso(), row[0]))
                await enqueue(conn, [Notice("reminder", row[1])], row[0])
        queued += len(due)
        if len(due) < limit:
            return queued


async def get(db: Database, reminder_id: int) -> Reminder | None:
    row = await db.fetchone(
        f"SELECT r.id, r.user_id, {USER_LANGUAGE_SQL} AS locale, r.kind, r.subject_date FROM reminders r"
        " JOIN users u ON u.id = r.user_id WHERE r.id = ?",
        (reminder_id,),
    )
    return None if row is None else Reminder(row[0], row[1], row[2], row[3], date.fromisoformat(row[4]))
