"""Figures for /stats: subscribers, broadcasts and their deliveries, referrals when that feature is installed.

Referrals belong to another feature; their table is read only when it exists, so /stats works before and after.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from bot.db.broadcasts import delivery_totals
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


async def _table_columns(db: Database, table: str) -> set[str]:
    return {row["name"] for row in await db.fetchall(f"PRAGMA table_info({table})")}


def _weekly_sql(table: str, column: str) -> str:
    """Counts per week (keyed by its Monday) over the last WEEKS weeks."""
    week = f"date({column}, '-6 days', 'weekday 1')"
    return (
        f"SELECT {week} AS week, COUNT(*) FROM {table} "
        f"WHERE {column} >= date('now', '-{WEEKS * 7} days') GROUP BY week ORDER BY week"
    )


async def collect(db: Database, default_locale: str) -> Stats:
    active = "s.subscribed = 1 AND u.blocked = 0"
    joined = "FROM users u JOIN subscriptions s ON s.user_id = u.id"
    counts = await db.fetchone(
        f"""
        SELECT COUNT(*) AS users,
               COALESCE(SUM({active}), 0) AS active,
               COALESCE(SUM(s.subscribed = 0), 0) AS unsubscribed,
               COALESCE(SUM(u.blocked), 0) AS blocked
        {joined}
        """
    )
    referral_columns = await _table_columns(db, "referrals")
    referrals = referrals_weekly = None
    referrals_by_region = {}
    if "region" in referral_columns:
        referrals_by_region = await _pairs(
            db, "SELECT region, COUNT(*) FROM referrals GROUP BY region ORDER BY 2 DESC, region"
        )
    if "status" in referral_columns:
        referrals = await _pairs(db, "SELECT status, COUNT(*) FROM referrals GROUP BY status ORDER BY status")
    if "created_at" in referral_columns:
        referrals_weekly = await _pairs(db, _weekly_sql("referrals", "created_at"))
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
        new_users_weekly={
            date.fromisoformat(week): n
            for week, n in (await _pairs(db, _weekly_sql("users", "first_seen"))).items()
        },
        referrals_weekly={date.fromisoformat(week): n for week, n in (referrals_weekly or {}).items()},
        referrals_by_region=referrals_by_region,
    )
