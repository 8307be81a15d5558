"""Reminder rows: scheduling them from a dialogue, and claiming the due ones for the sender loop.

Claiming marks a reminder sent in the same transaction that selects it, so two loop ticks (or a restart in
the middle of one) can never send it twice; a send that fails for a passing reason gives it back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from bot.db.clock import now_iso
from bot.db.connection import Database
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


async def claim_due(db: Database, today: date, limit: int = 50) -> list[Reminder]:
    """The reminders due by `today` for users who have not blocked the bot, marked sent as they are taken."""
    async with db.transaction() as conn:
        cursor = await conn.execute(
            f"SELECT r.id, r.user_id, {USER_LANGUAGE_SQL} AS locale, r.kind, r.subject_date FROM reminders r"
            " JOIN users u ON u.id = r.user_id"
            " WHERE r.sent_at IS NULL AND r.due_on <= ? AND u.blocked = 0"
            " ORDER BY r.due_on, r.id LIMIT ?",
            (today.isoformat(), limit),
        )
        due = [
            Reminder(row[0], row[1], row[2], row[3], date.fromisoformat(row[4]))
            for row in await cursor.fetchall()
        ]
        await conn.executemany(
            "UPDATE reminders SET sent_at = ? WHERE id = ?", [(now_iso(), r.id) for r in due]
        )
    return due


async def release(db: Database, reminder_id: int) -> None:
    """Give a claimed reminder back after a send that failed for a passing reason (network, flood limit)."""
    await db.execute("UPDATE reminders SET sent_at = NULL WHERE id = ?", (reminder_id,))
