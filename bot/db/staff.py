"""Staff roles. Coordinators named in ADMIN_IDS hold their role from the settings, not from this table."""

from __future__ import annotations

from collections.abc import Iterable

from bot.db.connection import Database

COORDINATOR = "coordinator"
VOLUNTEER = "volunteer"


async def role_of(db: Database, user_id: int, admin_ids: Iterable[int]) -> str | None:
    if user_id in admin_ids:
        return COORDINATOR
    return await db.fetchval("SELECT role FROM staff WHERE user_id = ?", (user_id,))


async def coordinator_ids(db: Database, admin_ids: Iterable[int]) -> list[int]:
    """Every coordinator: ADMIN_IDS first, then those granted the role."""
    rows = await db.fetchall("SELECT user_id FROM staff WHERE role = ? ORDER BY user_id", (COORDINATOR,))
    ids = list(dict.fromkeys(admin_ids))
    ids += [row["user_id"] for row in rows if row["user_id"] not in ids]
    return ids
