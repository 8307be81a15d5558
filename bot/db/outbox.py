"""Outbox rows: queued in the transaction of the change that causes them, claimed one at a time to be sent.

See 0007_outbox.sql for the life of a row. `enqueue` takes the open connection of the caller's transaction;
everything else is its own short statement, as for broadcast recipients.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.db.clock import utcnow
from bot.db.connection import Database, Transaction
from bot.db.tables import as_datetime

MAX_AGE_DAYS = 3  # a message still undelivered after this long (Telegram down for days) is given up


@dataclass(frozen=True)
class Notice:
    """A message to queue: its kind, where, in which language (None: the recipient's), and what it needs."""

    kind: str
    chat_id: int
    locale: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class OutboxRow:
    id: int
    kind: str
    chat_id: int
    locale: str | None
    subject_id: int
    payload: dict[str, Any]
    attempts: int
    created_at: datetime


async def enqueue(
    conn: Transaction, notices: Sequence[Notice], subject_id: int, now: datetime | None = None
) -> None:
    """Queue `notices` about `subject_id` inside the caller's open transaction."""
    moment = now or utcnow()
    await conn.executemany(
        "INSERT INTO outbox (kind, chat_id, locale, subject_id, payload, not_before, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (n.kind, n.chat_id, n.locale, subject_id, json.dumps(n.payload), moment, moment, moment)
            for n in notices
        ],
    )


async def due(db: Database, now: datetime, limit: int = 50) -> list[OutboxRow]:
    rows = await db.fetchall(
        "SELECT id, kind, chat_id, locale, subject_id, payload, attempts, created_at FROM outbox"
        " WHERE state = 'pending' AND not_before <= ? ORDER BY id LIMIT ?",
        (now, limit),
    )
    return [
        OutboxRow(
            row["id"],
            row["kind"],
            row["chat_id"],
            row["locale"],
            row["subject_id"],
            json.loads(row["payload"]),
            row["attempts"],
            as_datetime(row["created_at"]),
        )
        for row in rows
    ]


async def next_wake(db: Database) -> datetime | None:
    """When the earliest pending row falls due (None: nothing is pending)."""
    value = await db.fetchval("SELECT MIN(not_before) FROM outbox WHERE state = 'pending'")
    return None if value is None else as_datetime(value)


async def mark_sending(db: Database, row_id: int) -> bool:
    """Committed just before the API call; False if someone else took the row (never send it then)."""
    return bool(
        await db.execute_count(
            "UPDATE outbox SET state = 'sending', attempts = attempts + 1, updated_at = ?"
            " WHERE id = ? AND state = 'pending'",
            (utcnow(), row_id),
        )
    )


async def _move(db: Database, row_id: int, target: str, error: str | None = None) -> None:
    await db.execute(
        "UPDATE outbox SET state = ?, error = ?, updated_at = ? WHERE id = ? AND state = 'sending'",
        (target, error, utcnow(), row_id),
    )


async def mark_sent(db: Database, row_id: int) -> None:
    await _move(db, row_id, "sent")


async def mark_failed(db: Database, row_id: int, error: str) -> None:
    await _move(db, row_id, "failed", error)


async def mark_lost(db: Database, row_id: int, error: str) -> None:
    """The answer was lost (a timeout): maybe delivered, so never sent again."""
    await _move(db, row_id, "ambiguous", error)


async def mark_retry(db: Database, row_id: int, error: str, not_before: datetime) -> None:
    """Back to pending after a passing failure, not to be tried before `not_before`."""
    await db.execute(
        "UPDATE outbox SET state = 'pending', error = ?, not_before = ?, updated_at = ?"
        " WHERE id = ? AND state = 'sending'",
        (error, not_before, utcnow(), row_id),
    )


async def mark_ambiguous(db: Database) -> int:
    """At start-up: rows still `sending` were in flight at a crash; they are never resent."""
    return await db.execute_count(
        "UPDATE outbox SET state = 'ambiguous', updated_at = ? WHERE state = 'sending'", (utcnow(),)
    )


async def counts(db: Database) -> dict[str, int]:
    rows = await db.fetchall("SELECT state, COUNT(*) AS n FROM outbox GROUP BY state")
    return {row["state"]: row["n"] for row in rows}
