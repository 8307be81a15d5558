"""Broadcasts and their recipients: the durable half of the delivery engine.

Crash safety rests on the recipient rows (see 0004_broadcasts.sql): every state change is its own committed
statement, `sending` is written before the API call and the outcome after it. The audience is copied into
recipient rows by one INSERT ... SELECT when the broadcast starts, in the same transaction that marks it
running, so a broadcast fires once and never holds its audience in Python memory.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.db.clock import utcnow
from bot.db.connection import Database
from bot.db.tables import as_datetime
from bot.db.users import USER_LANGUAGE_SQL
from bot.services.subscriptions import Audience, places_of

STATES = ("pending", "sending", "sent", "blocked", "failed", "ambiguous")
CONTENT_KINDS = ("text", "photo", "video", "document")


@dataclass(frozen=True)
class Content:
    """One language version: a text with its formatting entities, or a file id with a caption."""

    kind: str
    text: str = ""
    entities: tuple[dict[str, Any], ...] = ()
    file_id: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in CONTENT_KINDS:
            raise ValueError(f"unknown content kind {self.kind!r}")
        if (self.kind == "text") != (self.file_id is None):
            raise ValueError("a text has no file id and a file needs one")


@dataclass(frozen=True)
class Recipient:
    user_id: int
    locale: str


@dataclass(frozen=True)
class Counts:
    pending: int = 0
    sending: int = 0
    sent: int = 0
    blocked: int = 0
    failed: int = 0
    ambiguous: int = 0

    @property
    def left(self) -> int:
        return self.pending + self.sending

    @property
    def done(self) -> int:
        return self.sent + self.blocked + self.failed + self.ambiguous


@dataclass(frozen=True)
class BroadcastInfo:
    id: int
    sender_id: int
    sender_locale: str
    audience: Audience
    status: str
    scheduled_at: datetime
    total: int | None
    progress_chat_id: int | None
    progress_message_id: int | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    counts: Counts = field(default_factory=Counts)


_parse = as_datetime


def _audience_filter(audience: Audience) -> tuple[str, dict[str, Any]]:
    """WHERE clause over `users u JOIN subscriptions s`; only set fields of the audience narrow it."""
    clauses = ["s.subscribed = 1", "u.blocked = 0"]
    if audience.locale is not None:
        clauses.append(f"COALESCE({USER_LANGUAGE_SQL}, :default_locale) = :locale")
    params: dict[str, Any] = {"locale": audience.locale, "interest": audience.interest}
    if audience.region is not None:  # a country's broadcast reaches its cities too
        places = {f"region_{n}": place for n, place in enumerate(places_of(audience.region))}
        clauses.append(f"s.region IN ({', '.join(':' + name for name in places)})")
        params |= places
    if audience.interest is not None:
        clauses.append(
            "EXISTS (SELECT 1 FROM user_interests i WHERE i.user_id = u.id AND i.topic = :interest)"
        )
    return " AND ".join(clauses), params


async def audience_count(db: Database, audience: Audience, default_locale: str) -> int:
    where, params = _audience_filter(audience)
    return await db.fetchval(
        f"SELECT COUNT(*) FROM users u JOIN subscriptions s ON s.user_id = u.id WHERE {where}",
        {**params, "default_locale": default_locale},
    )


async def audience_by_language(db: Database, audience: Audience, default_locale: str) -> dict[str, int]:
    """How many of the audience read each language (their choice, else their app's, else the default):
    the language each would be sent, were there a version in it."""
    where, params = _audience_filter(audience)
    rows = await db.fetchall(
        f"SELECT COALESCE({USER_LANGUAGE_SQL}, :default_locale) AS language, COUNT(*) AS n"
        f" FROM users u JOIN subscriptions s ON s.user_id = u.id WHERE {where}"
        f" GROUP BY COALESCE({USER_LANGUAGE_SQL}, :default_locale)",
        {**params, "default_locale": default_locale},
    )
    return {row["language"]: row["n"] for row in rows}


async def create_broadcast(
    db: Database,
    *,
    sender_id: int,
    sender_locale: str,
    versions: Mapping[str, Content],
    audience: Audience,
    scheduled_at: datetime,
    now: datetime,
) -> int:
    """Store a confirmed broadcast, due at `scheduled_at`; recipients are written when it starts."""
    if sender_locale not in versions:
        raise ValueError("the sender's own version is required: it is everyone's fallback")
    async with db.transaction() as conn:
        cursor = await conn.execute(
            """
            INSERT INTO broadcasts (sender_id, sender_locale, audience, scheduled_at, created_at)
            VALUES (?, ?, ?, ?, ?) RETURNING id
            """,
            (sender_id, sender_locale, audience.to_json(), scheduled_at, now),
        )
        broadcast_id = (await cursor.fetchone())[0]
        await conn.executemany(
            """
            INSERT INTO broadcast_versions (broadcast_id, locale, kind, text, entities, file_id)
            VALUES (?, ?, ?, ?, ?, ?)
            """,
            [
                (broadcast_id, locale, c.kind, c.text, json.dumps(list(c.entities)), c.file_id)
                for locale, c in versions.items()
            ],
        )
    return broadcast_id


async def start_broadcast(db: Database, broadcast_id: int, now: datetime, default_locale: str) -> int | None:
    """Claim a scheduled broadcast and write its recipients; the count, or None if it was not scheduled."""
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "SELECT audience FROM broadcasts WHERE id = ? AND status = 'scheduled'", (broadcast_id,)
        )
        row = await cursor.fetchone()
        if row is None:
            return None
        where, params = _audience_filter(Audience.from_json(row["audience"]))
        cursor = await conn.execute(
            f"""
            INSERT INTO broadcast_recipients (broadcast_id, user_id, locale, updated_at)
            SELECT :broadcast_id, u.id, COALESCE({USER_LANGUAGE_SQL}, :default_locale), :now
            FROM users u JOIN subscriptions s ON s.user_id = u.id
            WHERE {where}
            """,
            {**params, "broadcast_id": broadcast_id, "default_locale": default_locale, "now": now},
        )
        total = cursor.rowcount
        await conn.execute(
            "UPDATE broadcasts SET status = 'running', started_at = ?, total = ? WHERE id = ?",
            (now, total, broadcast_id),
        )
    return total


async def finish_broadcast(db: Database, broadcast_id: int, now: datetime) -> bool:
    return bool(
        await db.execute_count(
            "UPDATE broadcasts SET status = 'done', finished_at = ? WHERE id = ? AND status = 'running'",
            (now, broadcast_id),
        )
    )


async def cancel_broadcast(db: Database, broadcast_id: int, now: datetime) -> bool:
    """Stop a scheduled or running broadcast; False when it had already ended."""
    return bool(
        await db.execute_count(
            """
            UPDATE broadcasts SET status = 'cancelled', finished_at = ?
            WHERE id = ? AND status IN ('scheduled', 'running')
            """,
            (now, broadcast_id),
        )
    )


async def cancel_scheduled_by(db: Database, sender_id: int, now: datetime) -> list[int]:
    """Cancel the sender's broadcasts that have not started (their role was taken away); their ids."""
    rows = await db.fetchall(
        """
        UPDATE broadcasts SET status = 'cancelled', finished_at = ?
        WHERE sender_id = ? AND status = 'scheduled'
        RETURNING id
        """,
        (now, sender_id),
    )
    return sorted(row["id"] for row in rows)


async def set_progress_message(db: Database, broadcast_id: int, chat_id: int, message_id: int) -> None:
    await db.execute(
        "UPDATE broadcasts SET progress_chat_id = ?, progress_message_id = ? WHERE id = ?",
        (chat_id, message_id, broadcast_id),
    )


async def due_broadcasts(db: Database, now: datetime) -> list[int]:
    rows = await db.fetchall(
        "SELECT id FROM broadcasts WHERE status = 'scheduled' AND scheduled_at <= ? ORDER BY scheduled_at, id",
        (now,),
    )
    return [row["id"] for row in rows]


async def running_broadcasts(db: Database) -> list[int]:
    rows = await db.fetchall("SELECT id FROM broadcasts WHERE status = 'running' ORDER BY id")
    return [row["id"] for row in rows]


async def get_versions(db: Database, broadcast_id: int) -> dict[str, Content]:
    rows = await db.fetchall(
        "SELECT locale, kind, text, entities, file_id FROM broadcast_versions WHERE broadcast_id = ?",
        (broadcast_id,),
    )
    return {
        row["locale"]: Content(row["kind"], row["text"], tuple(json.loads(row["entities"])), row["file_id"])
        for row in rows
    }


def _info(row: Any, counts: Counts) -> BroadcastInfo:
    return BroadcastInfo(
        id=row["id"],
        sender_id=row["sender_id"],
        sender_locale=row["sender_locale"],
        audience=Audience.from_json(row["audience"]),
        status=row["status"],
        scheduled_at=as_datetime(row["scheduled_at"]),
        total=row["total"],
        progress_chat_id=row["progress_chat_id"],
        progress_message_id=row["progress_message_id"],
        created_at=as_datetime(row["created_at"]),
        started_at=_parse(row["started_at"]),
        finished_at=_parse(row["finished_at"]),
        counts=counts,
    )


async def get_broadcast(db: Database, broadcast_id: int) -> BroadcastInfo | None:
    row = await db.fetchone("SELECT * FROM broadcasts WHERE id = ?", (broadcast_id,))
    return None if row is None else _info(row, await state_counts(db, broadcast_id))


async def recent_broadcasts(db: Database, limit: int = 10, sender_id: int | None = None) -> list[BroadcastInfo]:
    """Scheduled ones first (soonest first), then the latest others, each with its counts; with `sender_id`,
    only that sender's."""
    mine = "" if sender_id is None else "WHERE sender_id = :sender"  # no untyped NULL parameter for PostgreSQL
    rows = await db.fetchall(
        f"""
        SELECT * FROM broadcasts {mine}
        ORDER BY status = 'scheduled' DESC,
                 CASE WHEN status = 'scheduled' THEN scheduled_at END ASC,
                 id DESC
        LIMIT :limit
        """,
        {"sender": sender_id, "limit": limit} if sender_id is not None else {"limit": limit},
    )
    counts = await _counts_for(db, [row["id"] for row in rows])
    return [_info(row, counts.get(row["id"], Counts())) for row in rows]


async def state_counts(db: Database, broadcast_id: int) -> Counts:
    return (await _counts_for(db, [broadcast_id])).get(broadcast_id, Counts())


async def _counts_for(db: Database, broadcast_ids: list[int]) -> dict[int, Counts]:
    """Counts by state: from the recipient rows, or from the summary that replaced them (`fold_recipients`)."""
    if not broadcast_ids:
        return {}
    marks = ",".join("?" * len(broadcast_ids))
    rows = await db.fetchall(
        f"""
        SELECT broadcast_id, state, n FROM broadcast_summaries WHERE broadcast_id IN ({marks})
        UNION ALL
        SELECT broadcast_id, state, COUNT(*) FROM broadcast_recipients
        WHERE broadcast_id IN ({marks}) AND broadcast_id NOT IN (SELECT broadcast_id FROM broadcast_summaries)
        GROUP BY broadcast_id, state
        """,
        broadcast_ids * 2,
    )
    grouped: dict[int, dict[str, int]] = {}
    for row in rows:
        grouped.setdefault(row["broadcast_id"], {})[row["state"]] = row["n"]
    return {broadcast_id: Counts(**by_state) for broadcast_id, by_state in grouped.items()}


async def delivery_totals(db: Database) -> dict[str, int]:
    """Deliveries by state over every broadcast, folded (`fold_recipients`) or not."""
    rows = await db.fetchall(
        """
        SELECT state, SUM(n) AS n FROM (
            SELECT state, n FROM broadcast_summaries
            UNION ALL
            SELECT state, COUNT(*) AS n FROM broadcast_recipients
            WHERE broadcast_id NOT IN (SELECT broadcast_id FROM broadcast_summaries) GROUP BY state
        ) AS counted GROUP BY state
        """
    )
    return {row["state"]: row["n"] for row in rows}


async def fold_recipients(db: Database, ended_before: datetime, batch: int = 10_000) -> int:
    """Replace the recipient rows of broadcasts that ended before `ended_before` by their counts per state.

    The counts are written first, in one statement; from then on readers use them and ignore any rows left.
    The rows go in batches, each its own short transaction, so a million of them never hold the database
    for long; an interrupted fold finishes on the next run. Returns how many broadcasts were folded.
    """
    rows = await db.fetchall(
        """
        SELECT id FROM broadcasts
        WHERE status IN ('done', 'cancelled') AND finished_at < ?
          AND EXISTS (SELECT 1 FROM broadcast_recipients WHERE broadcast_id = broadcasts.id)
        """,
        (ended_before,),
    )
    for row in rows:
        broadcast_id = row["id"]
        await db.execute(
            """
            INSERT INTO broadcast_summaries (broadcast_id, state, n)
            SELECT broadcast_id, state, COUNT(*) FROM broadcast_recipients
            WHERE broadcast_id = ? AND NOT EXISTS (SELECT 1 FROM broadcast_summaries WHERE broadcast_id = ?)
            GROUP BY broadcast_id, state
            """,
            (broadcast_id, broadcast_id),
        )
        while await db.execute_count(
            """
            DELETE FROM broadcast_recipients WHERE broadcast_id = ? AND user_id IN (
                SELECT user_id FROM broadcast_recipients WHERE broadcast_id = ? LIMIT ?)
            """,
            (broadcast_id, broadcast_id, batch),
        ):
            pass
    return len(rows)


async def pending_page(db: Database, broadcast_id: int, after_user_id: int, limit: int) -> list[Recipient]:
    """The next `limit` pending recipients after `after_user_id` (keyset paging over the state index)."""
    rows = await db.fetchall(
        """
        SELECT user_id, locale FROM broadcast_recipients
        WHERE broadcast_id = ? AND state = 'pending' AND user_id > ?
        ORDER BY user_id LIMIT ?
        """,
        (broadcast_id, after_user_id, limit),
    )
    return [Recipient(row["user_id"], row["locale"]) for row in rows]


async def _move(
    db: Database, broadcast_id: int, user_id: int, source: str, target: str, error: str | None = None
) -> bool:
    """One state step of one row, only from the state it is expected to be in."""
    return bool(
        await db.execute_count(
            """
            UPDATE broadcast_recipients SET state = ?, error = ?, updated_at = ?
            WHERE broadcast_id = ? AND user_id = ? AND state = ?
            """,
            (target, error, utcnow(), broadcast_id, user_id, source),
        )
    )


async def mark_sending(db: Database, broadcast_id: int, user_id: int) -> bool:
    """Committed just before the API call; False if the row is no longer pending (never send it then)."""
    return bool(
        await db.execute_count(
            """
            UPDATE broadcast_recipients SET state = 'sending', attempts = attempts + 1, updated_at = ?
            WHERE broadcast_id = ? AND user_id = ? AND state = 'pending'
            """,
            (utcnow(), broadcast_id, user_id),
        )
    )


async def mark_sent(db: Database, broadcast_id: int, user_id: int) -> None:
    await _move(db, broadcast_id, user_id, "sending", "sent")


async def mark_failed(db: Database, broadcast_id: int, user_id: int, error: str) -> None:
    await _move(db, broadcast_id, user_id, "sending", "failed", error)


async def mark_retry(db: Database, broadcast_id: int, user_id: int, error: str) -> None:
    """Back to pending after a transient error: a crash while waiting to retry then resends, not loses, it."""
    await _move(db, broadcast_id, user_id, "sending", "pending", error)


async def mark_lost(db: Database, broadcast_id: int, user_id: int, error: str) -> None:
    """The request went out but its answer was lost (a timeout): maybe delivered, so never sent again."""
    await _move(db, broadcast_id, user_id, "sending", "ambiguous", error)


async def mark_blocked(db: Database, broadcast_id: int, user_id: int) -> None:
    """The user blocked the bot (or is gone): mark the row, and the user so no broadcast picks them again."""
    async with db.transaction() as conn:
        await conn.execute(
            """
            UPDATE broadcast_recipients SET state = 'blocked', updated_at = ?
            WHERE broadcast_id = ? AND user_id = ? AND state = 'sending'
            """,
            (utcnow(), broadcast_id, user_id),
        )
        await conn.execute("UPDATE users SET blocked = 1 WHERE id = ?", (user_id,))


async def mark_ambiguous(db: Database) -> int:
    """At process start: rows still `sending` were in flight at a crash. They become `ambiguous` and are
    never resent, because Telegram may already have delivered them. Returns how many there were."""
    return await db.execute_count(
        """
        UPDATE broadcast_recipients SET state = 'ambiguous', updated_at = ?
        WHERE state = 'sending'
          AND broadcast_id IN (SELECT id FROM broadcasts WHERE status IN ('running', 'cancelled'))
        """,
        (utcnow(),),
    )
