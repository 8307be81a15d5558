"""The users table: who started the bot, in which language, and whether they blocked it."""

from __future__ import annotations

from dataclasses import dataclass

from bot.db.clock import now_iso
from bot.db.connection import Database


@dataclass(frozen=True)
class UserRecord:
    id: int
    locale: str | None
    first_seen: str
    last_seen: str
    blocked: bool
    was_blocked: bool  # the user had blocked the bot and has just come back


async def touch_user(db: Database, user_id: int) -> UserRecord:
    """Record that the user wrote to us: create them, update last_seen, and unblock a returning user."""
    now = now_iso()
    async with db.transaction() as conn:
        cursor = await conn.execute("SELECT blocked FROM users WHERE id = ?", (user_id,))
        before = await cursor.fetchone()
        cursor = await conn.execute(
            """
            INSERT INTO users (id, first_seen, last_seen) VALUES (?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET last_seen = excluded.last_seen, blocked = 0
            RETURNING id, locale, first_seen, last_seen
            """,
            (user_id, now, now),
        )
        row = await cursor.fetchone()
    return UserRecord(
        id=row["id"],
        locale=row["locale"],
        first_seen=row["first_seen"],
        last_seen=row["last_seen"],
        blocked=False,
        was_blocked=bool(before and before["blocked"]),
    )


async def get_user(db: Database, user_id: int) -> UserRecord | None:
    row = await db.fetchone("SELECT * FROM users WHERE id = ?", (user_id,))
    if row is None:
        return None
    return UserRecord(row["id"], row["locale"], row["first_seen"], row["last_seen"], bool(row["blocked"]), False)


async def set_locale(db: Database, user_id: int, locale: str) -> None:
    await db.execute("UPDATE users SET locale = ? WHERE id = ?", (locale, user_id))


async def mark_privacy_seen(db: Database, user_id: int) -> None:
    await db.execute("UPDATE users SET privacy_seen_at = ? WHERE id = ?", (now_iso(), user_id))


async def mark_blocked(db: Database, user_id: int) -> None:
    await db.execute("UPDATE users SET blocked = 1 WHERE id = ?", (user_id,))


async def forget_user(db: Database, user_id: int) -> None:
    """Delete everything stored about a user.

    Feature tables reference `users(id)` with ON DELETE CASCADE (or an anonymising trigger), so deleting the
    row reaches them; dialogue state is keyed separately and is deleted here.
    """
    async with db.transaction() as conn:
        await conn.execute("DELETE FROM fsm_state WHERE user_id = ?", (user_id,))
        await conn.execute("DELETE FROM users WHERE id = ?", (user_id,))
