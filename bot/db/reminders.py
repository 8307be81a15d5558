"""Reminder rows: scheduling them from a dialogue, listing and cancelling them, claiming the due ones.

Claiming marks a reminder sent in the same transaction that selects it, so two loop ticks (or a restart in
the middle of one) can never send it twice; a send that fails for a passing reason gives it back. When
several reminders of one date are due at once (the bot was down), only the latest is returned: the others
are marked sent with it, so the migrant gets one message, not three.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from bot.db.clock import now_iso
from bot.db.connection import Database
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
    rows = [(user_id, kind, subject.isoformat(), due.isoformat(), now_iso()) for kind, subject, due in items]
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
        claimed = [
            Reminder(row[0], row[1], row[2], row[3], date.fromisoformat(row[4]))
            for row in await cursor.fetchall()
        ]
        await conn.executemany(
            "UPDATE reminders SET sent_at = ? WHERE id = ?", [(now_iso(), r.id) for r in claimed]
        )
    latest: dict[tuple[int, str, date], Reminder] = {}
    for reminder in claimed:  # ordered by due_on: a later one of the same date replaces an earlier one
        latest[(reminder.user_id, reminder.kind, reminder.subject_date)] = reminder
    return list(latest.values())


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


async def release(db: Database, reminder_id: int) -> None:
    """Give a claimed reminder back after a send that failed for a passing reason (network, flood limit)."""
    await db.execute("UPDATE reminders SET sent_at = NULL WHERE id = ?", (reminder_id,))
