"""The console's login links, sessions and failed logins. Callers pass hashes, never the tokens themselves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.db.connection import Database
from bot.db.tables import as_datetime


@dataclass(frozen=True)
class WebSession:
    token_hash: str
    user_id: int
    csrf_token: str
    locale: str | None
    created_at: datetime
    seen_at: datetime


async def issue_login_token(db: Database, user_id: int, token_hash: str, now: datetime, ttl: timedelta) -> None:
    """Store a new link for `user_id`; it replaces the user's unused ones, so only the newest link works."""
    async with db.transaction() as conn:
        await conn.execute(
            "DELETE FROM web_login_tokens WHERE (user_id = ? AND used_at IS NULL) OR expires_at < ?",
            (user_id, now),
        )
        await conn.execute(
            "INSERT INTO web_login_tokens (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
            (token_hash, user_id, now, now + ttl),
        )


async def redeem_login_token(db: Database, token_hash: str, now: datetime) -> int | None:
    """The user a valid link belongs to, marking it used in the same statement: a second use finds nothing."""
    return await db.fetchval(
        "UPDATE web_login_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?"
        " RETURNING user_id",
        (now, token_hash, now),
    )


async def create_session(
    db: Database, token_hash: str, user_id: int, csrf_token: str, locale: str | None, now: datetime
) -> None:
    await db.execute(
        "INSERT INTO web_sessions (token_hash, user_id, csrf_token, locale, created_at, seen_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (token_hash, user_id, csrf_token, locale, now, now),
    )


async def get_session(db: Database, token_hash: str) -> WebSession | None:
    row = await db.fetchone(
        "SELECT token_hash, user_id, csrf_token, locale, created_at, seen_at FROM web_sessions"
        " WHERE token_hash = ?",
        (token_hash,),
    )
    if row is None:
        return None
    return WebSession(
        row["token_hash"],
        row["user_id"],
        row["csrf_token"],
        row["locale"],
        as_datetime(row["created_at"]),
        as_datetime(row["seen_at"]),
    )


async def touch_session(db: Database, token_hash: str, now: datetime) -> None:
    await db.execute("UPDATE web_sessions SET seen_at = ? WHERE token_hash = ?", (now, token_hash))


async def set_session_locale(db: Database, token_hash: str, locale: str) -> None:
    await db.execute("UPDATE web_sessions SET locale = ? WHERE token_hash = ?", (locale, token_hash))


async def delete_session(db: Database, token_hash: str) -> None:
    await db.execute("DELETE FROM web_sessions WHERE token_hash = ?", (token_hash,))


async def record_failure(db: Database, client: str, now: datetime) -> None:
    await db.execute("INSERT INTO web_login_failures (client, at) VALUES (?, ?)", (client, now))


async def count_failures(db: Database, client: str, since: datetime) -> int:
    return await db.fetchval(
        "SELECT COUNT(*) FROM web_login_failures WHERE client = ? AND at >= ?", (client, since)
    )


async def prune(db: Database, now: datetime, idle: timedelta, failures_kept: timedelta) -> None:
    """Forget expired links, idle sessions and old failures: nothing here is worth keeping."""
    async with db.transaction() as conn:
        await conn.execute("DELETE FROM web_login_tokens WHERE expires_at < ?", (now,))
        await conn.execute("DELETE FROM web_sessions WHERE seen_at < ?", (now - idle,))
        await conn.execute("DELETE FROM web_login_failures WHERE at < ?", (now - failures_kept,))
