"""Figures for /stats: subscribers, broadcasts and their deliveries, referrals when that feature is installed.

Only portable SQL: `date()` of a timestamp is the same on SQLite and PostgreSQL; sums count with CASE.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from bot.db.broadcasts import delivery_totals
from bot.db.clock import utcnow
from bot.db.connection import Database
from bot.db.users import USER_LANGUAGE_SQL

WEEKS = 12


@dataclass(frozen=True)
class Stats:
    users: int
    active: int  # subscribed and not blocked: who a broadcast to everyone reaches
    unsubscribed: int
    blocked: int
    by_locale: dict[str, int]
    by_region: dict[str | None, int]
    broadcasts: dict[str, int]  # by status
    deliveries: dict[str, int]  # by state, over every broadcast
    referrals: dict[str, int] | None  # by status; None when the referrals feature is not installed
    new_users_weekly: dict[date, int] = field(default_factory=dict)  # Monday of the week -> count
    referrals_weekly: dict[date, int] = field(default_factory=dict)
    referrals_by_region: dict[str, int] = field(default_factory=dict)  # where the migrants asking are


async def _pairs(db: Database, sql: str, params: tuple = ()) -> dict:
    return {row[0]: row[1] for row in await db.fetchall(sql, params)}


async def _weekly(db: Database, table: str, column: str) -> dict[date, int]:
    """Counts per week (keyed by its Monday) over the last WEEKS weeks; `date()` reads a timestamp's UTC day
    on both databases, and the days are folded into weeks here."""
    since = datetime.combine(utcnow().date() - timedelta(days=WEEKS * 7), time(), UTC)
    rows = await db.fetchall(
        f"SELECT date({column}) AS day, COUNT(*) FROM {table} WHERE {column} >= ? GROUP BY day", (since,)
    )
    weeks: dict[date, int] = {}
    for day, n in rows:
        day = day if isinstance(day, date) else date.fromisoformat(day)
        monday = day - timedelta(days=day.weekday())
        weeks[monday] = weeks.get(monday, 0) + n
    return dict(sorted(weeks.items()))


async def collect(db: Database, default_locale: str) -> Stats:
    active = "s.subscribed = 1 AND u.blocked = 0"
    joined = "FROM users u JOIN subscriptions s ON s.user_id = u.id"
    counts = await db.fetchone(
        f"""
        SELECT COUNT(*) AS users,
               COALESCE(SUM(CASE WHEN {active} THEN 1 ELSE 0 END), 0) AS active,
               COALESCE(SUM(CASE WHEN s.subscribed = 0 THEN 1 ELSE 0 END), 0) AS unsubscribed,
               COALESCE(SUM(u.blocked), 0) AS blocked
        {joined}
        """
    )
    referrals = await _pairs(db, "SELECT status, COUNT(*) FROM referrals GROUP BY status ORDER BY status")
    referrals_by_region = await _pairs(
        db, "SELECT region, COUNT(*) FROM referrals GROUP BY region ORDER BY 2 DESC, region"
    )
    return Stats(
        users=counts["users"],
        active=counts["active"],
        unsubscribed=counts["unsubscribed"],
        blocked=counts["blocked"],
        by_locale=await _pairs(
            db,
            f"SELECT COALESCE({USER_LANGUAGE_SQL}, ?) AS loc, COUNT(*) {joined} WHERE {active} GROUP BY loc ORDER BY 2 DESC",
            (default_locale,),
        ),
        by_region=await _pairs(
            db, f"SELECT s.region, COUNT(*) {joined} WHERE {active} GROUP BY s.region ORDER BY 2 DESC"
        ),
        broadcasts=await _pairs(db, "SELECT status, COUNT(*) FROM broadcasts GROUP BY status"),
        deliveries=await delivery_totals(db),
        referrals=referrals,
        new_users_weekly=await _weekly(db, "users", "first_seen"),
        referrals_weekly=await _weekly(db, "referrals", "created_at"),
        referrals_by_region=referrals_by_region,
    )
