"""A subscriber's broadcast settings: subscribed or not, region, topics of interest.

Every user gets a subscription row (subscribed, safety alerts on) from a trigger when their users row is
created, and the migration gave one to every user already there; the writes are upserts all the same, so
they never depend on that having happened.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.db.clock import utcnow
from bot.db.connection import Database
from bot.services.subscriptions import INTERESTS, REGIONS, SAFETY


@dataclass(frozen=True)
class Subscription:
    user_id: int
    subscribed: bool
    region: str | None
    interests: frozenset[str]


async def get_subscription(db: Database, user_id: int) -> Subscription:
    """The user's settings; the defaults (subscribed, safety alerts) when nothing is stored."""
    row = await db.fetchone("SELECT subscribed, region FROM subscriptions WHERE user_id = ?", (user_id,))
    if row is None:
        return Subscription(user_id, True, None, frozenset({SAFETY}))
    topics = await db.fetchall("SELECT topic FROM user_interests WHERE user_id = ?", (user_id,))
    return Subscription(
        user_id, bool(row["subscribed"]), row["region"], frozenset(t["topic"] for t in topics)
    )


async def set_subscribed(db: Database, user_id: int, subscribed: bool) -> None:
    await db.execute(
        """
        INSERT INTO subscriptions (user_id, subscribed, updated_at) VALUES (?, ?, ?)
        ON CONFLICT (user_id) DO UPDATE SET subscribed = excluded.subscribed, updated_at = excluded.updated_at
        """,
        (user_id, int(subscribed), utcnow()),
    )


async def set_region(db: Database, user_id: int, region: str | None) -> None:
    if region is not None and region not in REGIONS:
        raise ValueError(f"unknown region {region!r}")
    await db.execute(
        """
        INSERT INTO subscriptions (user_id, region, updated_at) VALUES (?, ?, ?)
        ON CONFLICT (user_id) DO UPDATE SET region = excluded.region, updated_at = excluded.updated_at
        """,
        (user_id, region, utcnow()),
    )


async def toggle_interest(db: Database, user_id: int, topic: str) -> bool:
    """Switch one topic on or off; returns whether it is on now."""
    if topic not in INTERESTS:
        raise ValueError(f"unknown interest {topic!r}")
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "DELETE FROM user_interests WHERE user_id = ? AND topic = ?", (user_id, topic)
        )
        if cursor.rowcount:
            return False
        await conn.execute("INSERT INTO user_interests (user_id, topic) VALUES (?, ?)", (user_id, topic))
        return True
