"""The users table: who started the bot, in which language, and whether they blocked it."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.db.clock import utcnow
from bot.db.connection import Database

# The language a user reads, for what the bot sends outside a conversation (`u` is the users table):
# their choice, else their Telegram app's language; callers add the default last.
USER_LANGUAGE_SQL = "COALESCE(u.locale, u.telegram_locale)"


@dataclass(frozen=True)
class UserRecord:
    id: int
    locale: str | None  # chosen with the language buttons
    first_seen: str
    last_seen: str
    blocked: bool
    was_blocked: bool = False  # the user had blocked the bot and has just come back
    role: str | None = None  # from the staff table; ADMIN_IDS are applied by the caller
    telegram_locale: str | None = None  # their Telegram app's language, when it is one of ours

    @property
    def language(self) -> str | None:
        return self.locale or self.telegram_locale


async def touch_users(
    db: Database, users: Mapping[int, str | None], names: Mapping[int, str | None] | None = None
) -> dict[int, UserRecord]:
    """Record that these users wrote to us, in one statement: the hot path of every update.

    `users` maps each user id to their Telegram app's language (None when it is not one of ours, which keeps
    the one known before). `names` maps them to their Telegram @username (None: they have none now, so a
    dropped username is not kept); without it usernames stay as they are. Creates each user or updates
    last_seen, and returns their language and staff role. A user who had blocked the bot and writes again is unblocked (a second, rare statement).
    """
    now = utcnow()
    rows = await db.fetchall(
        f"""
        INSERT INTO users (id, first_seen, last_seen, telegram_locale, username)
        VALUES {", ".join("(?, ?, ?, ?, ?)" for _ in users)}
        ON CONFLICT (id) DO UPDATE SET last_seen = excluded.last_seen,
            telegram_locale = COALESCE(excluded.telegram_locale, users.telegram_locale),
            username = {"excluded.username" if names is not None else "users.username"}
        RETURNING id, locale, telegram_locale, first_seen, last_seen, blocked,
                  (SELECT role FROM staff WHERE staff.user_id = users.id) AS role
        """,
        [
            value
            for user_id, telegram_locale in users.items()
            for value in (user_id, now, now, telegram_locale, clean_username((names or {}).get(user_id)))
        ],
    )
    returning = [row["id"] for row in rows if row["blocked"]]
    if returning:
        await db.execute(
            f"UPDATE users SET blocked = 0 WHERE id IN ({', '.join('?' for _ in returning)})", returning
        )
    return {
        row["id"]: UserRecord(
            id=row["id"],
            locale=row["locale"],
            first_seen=row["first_seen"],
            last_seen=row["last_seen"],
            blocked=False,
            was_blocked=bool(row["blocked"]),
            role=row["role"],
            telegram_locale=row["telegram_locale"],
        )
        for row in rows
    }


async def touch_user(db: Database, user_id: int, telegram_locale: str | None = None) -> UserRecord:
    return (await touch_users(db, {user_id: telegram_locale}))[user_id]


def clean_username(username: str | None) -> str | None:
    """How usernames are stored and looked up: without "@", in lower case (Telegram ignores case)."""
    cleaned = (username or "").strip().lstrip("@").lower()
    return cleaned or None


class UserRecorder:
    """Group commit for `touch_users`: updates that arrive while a write is on its way share the next one.

    Under load a thousand updates need a handful of statements instead of a thousand (bench/load.py); when
    the bot is quiet, each update still has its own statement, with no added wait.
    """

    MAX_BATCH = 500  # SQLite allows 32,766 parameters; five a user

    def __init__(self, db: Database) -> None:
        self.db = db
        self._waiting: dict[int, list[asyncio.Future[UserRecord]]] = {}
        self._languages: dict[int, str | None] = {}
        self._names: dict[int, str | None] = {}
        self._writer: asyncio.Task[None] | None = None

    async def touch(
        self, user_id: int, telegram_locale: str | None = None, username: str | None = None
    ) -> UserRecord:
        future: asyncio.Future[UserRecord] = asyncio.get_running_loop().create_future()
        self._waiting.setdefault(user_id, []).append(future)
        self._languages[user_id] = telegram_locale
        self._names[user_id] = username
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_batches())
        return await future

    async def _write_batches(self) -> None:
        while self._waiting:
            batch = dict(list(self._waiting.items())[: self.MAX_BATCH])
            languages = {user_id: self._languages.pop(user_id) for user_id in batch}
            names = {user_id: self._names.pop(user_id, None) for user_id in batch}
            for user_id in batch:
                del self._waiting[user_id]
            try:
                records = await touch_users(self.db, languages, names)
            except Exception as error:  # noqa: BLE001 - handed to every waiting update: its error handler reports it
                for futures in batch.values():
                    for future in futures:
                        if not future.done():
                            future.set_exception(error)
                continue
            for user_id, futures in batch.items():
                for future in futures:
                    if not future.done():
                        future.set_result(records[user_id])


async def get_user(db: Database, user_id: int) -> UserRecord | None:
    row = await db.fetchone("SELECT * FROM users WHERE id = ?", (user_id,))
    if row is None:
        return None
    return UserRecord(
        row["id"],
        row["locale"],
        row["first_seen"],
        row["last_seen"],
        bool(row["blocked"]),
        telegram_locale=row["telegram_locale"],
    )


async def set_locale(db: Database, user_id: int, locale: str) -> None:
    await db.execute("UPDATE users SET locale = ? WHERE id = ?", (locale, user_id))


async def mark_privacy_seen(db: Database, user_id: int) -> None:
    await db.execute("UPDATE users SET privacy_seen_at = ? WHERE id = ?", (utcnow(), user_id))


async def mark_blocked(db: Database, user_id: int) -> None:
    await db.execute("UPDATE users SET blocked = 1 WHERE id = ?", (user_id,))


async def forget_user(db: Database, user_id: int) -> None:
    """Delete everything stored about a user.

    Feature tables reference `users(id)` with ON DELETE CASCADE, so deleting the row reaches them; dialogue
    state is keyed separately and is deleted here. Referrals stay for the counts (kind, item, region, status,
    dates) without anything the person typed or a coordinator wrote about them. Then the WAL is
    checkpointed, so the erased rows are not left readable in the `-wal` file.
    """
    async with db.transaction() as conn:
        await conn.execute("DELETE FROM fsm_state WHERE user_id = ?", (user_id,))
        await conn.execute("DELETE FROM outbox WHERE chat_id = ?", (user_id,))  # messages still owed to them
        await conn.execute(
            "UPDATE referral_events SET note = NULL"
            " WHERE referral_id IN (SELECT id FROM referrals WHERE user_id = ?)",
            (user_id,),
        )
        await conn.execute(
            "UPDATE referrals SET name = NULL, phone = NULL, city = NULL, comment = NULL WHERE user_id = ?",
            (user_id,),
        )
        await conn.execute("DELETE FROM users WHERE id = ?", (user_id,))
    await db.checkpoint()



async def usernames(db: Database, user_ids: Iterable[int]) -> dict[int, str]:
    """The Telegram @usernames known for these users (those who have one and have started the bot)."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    rows = await db.fetchall(
        f"SELECT id, username FROM users WHERE username IS NOT NULL AND id IN ({', '.join('?' for _ in ids)})", ids
    )
    return {row["id"]: "@" + row["username"] for row in rows}


async def find_by_username(db: Database, username: str) -> int | None:
    """The id of the user who has started the bot with this @username (the latest one seen, if two)."""
    cleaned = clean_username(username)
    if cleaned is None:
        return None
    return await db.fetchval(
        "SELECT id FROM users WHERE username = ? ORDER BY last_seen DESC LIMIT 1", (cleaned,)
    )


async def has_used_bot(db: Database, user_id: int) -> bool:
    return await db.fetchval("SELECT 1 FROM users WHERE id = ?", (user_id,)) is not None
