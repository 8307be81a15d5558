"""Shared set-up for the broadcast tests: a database with users in it, and a broadcast to them."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.db import broadcasts as store
from bot.db.broadcasts import Content
from bot.db.connection import Database
from bot.services.subscriptions import Audience

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


async def add_users(
    db: Database, ids: range | list[int], locale: str | None = "ru", blocked: bool = False
) -> None:
    await db.executemany(
        "INSERT INTO users (id, locale, first_seen, last_seen, blocked) VALUES (?, ?, ?, ?, ?)",
        [(user_id, locale, NOW.isoformat(), NOW.isoformat(), int(blocked)) for user_id in ids],
    )


async def new_broadcast(
    db: Database,
    versions: dict[str, Content] | None = None,
    audience: Audience | None = None,
    scheduled_at: datetime = NOW,
    sender_locale: str = "ru",
) -> int:
    return await store.create_broadcast(
        db,
        sender_id=1,
        sender_locale=sender_locale,
        versions=versions or {"ru": Content("text", "Привет")},
        audience=audience or Audience(),
        scheduled_at=scheduled_at,
        now=NOW,
    )
