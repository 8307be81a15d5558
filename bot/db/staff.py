"""Staff roles. Coordinators named in ADMIN_IDS hold their role from the settings, not from this table."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.db.clock import utcnow
from bot.db.connection import Database

COORDINATOR = "coordinator"
VOLUNTEER = "volunteer"
ROLES = (VOLUNTEER, COORDINATOR)


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


@dataclass(frozen=True)
class StaffMember:
    user_id: int
    role: str
    granted_by: int | None
    granted_at: datetime


_AUDIT = "INSERT INTO audit_log (actor_id, action, target, details, at) VALUES (?, ?, ?, ?, ?)"


def _audit_row(actor_id: int, action: str, target: object, details: dict[str, Any] | None) -> tuple[Any, ...]:
    return (
        actor_id,
        action,
        None if target is None else str(target),
        json.dumps(details) if details else None,
        utcnow(),
    )


async def audit(
    db: Database, actor_id: int, action: str, target: object = None, details: dict[str, Any] | None = None
) -> None:
    """One line of the audit log: who did what to what, when. Details hold ids and counts, never texts."""
    await db.execute(_AUDIT, _audit_row(actor_id, action, target, details))


async def grant(db: Database, actor_id: int, user_id: int, role: str) -> None:
    """Give (or change) a staff role, and log it in the same transaction."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    now = utcnow()
    async with db.transaction() as conn:
        await conn.execute(
            """
            INSERT INTO staff (user_id, role, granted_by, granted_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (user_id) DO UPDATE SET
                role = excluded.role, granted_by = excluded.granted_by, granted_at = excluded.granted_at
            """,
            (user_id, role, actor_id, now),
        )
        await conn.execute(_AUDIT, _audit_row(actor_id, "staff.grant", user_id, {"role": role}))


async def revoke(db: Database, actor_id: int, user_id: int) -> str | None:
    """Take a staff role away; returns the role the user had (None: they had none, nothing is logged)."""
    async with db.transaction() as conn:
        cursor = await conn.execute("DELETE FROM staff WHERE user_id = ? RETURNING role", (user_id,))
        row = await cursor.fetchone()
        if row is None:
            return None
        await conn.execute(_AUDIT, _audit_row(actor_id, "staff.revoke", user_id, {"role": row["role"]}))
    return row["role"]


async def list_staff(db: Database) -> list[StaffMember]:
    """Everyone granted a role in the bot, coordinators first (ADMIN_IDS are not in the table)."""
    rows = await db.fetchall(
        "SELECT user_id, role, granted_by, granted_at FROM staff ORDER BY role = 'volunteer', user_id"
    )
    return [StaffMember(row["user_id"], row["role"], row["granted_by"], row["granted_at"]) for row in rows]


@dataclass(frozen=True)
class AuditEntry:
    id: int
    actor_id: int
    action: str
    target: str | None
    details: str | None
    at: datetime


async def list_audit(
    db: Database,
    *,
    actor_id: int | None = None,
    action: str | None = None,
    since: str | None = None,
    until: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[AuditEntry], int]:
    """A page of the audit log, newest first, and how many lines match; `since`/`until` are ISO bounds."""
    clauses, params = ["1 = 1"], []
    for clause, value in (("actor_id = ?", actor_id), ("action = ?", action), ("at >= ?", since), ("at < ?", until)):
        if value is not None:
            clauses.append(clause)
            params.append(value)
    where = " AND ".join(clauses)
    total = await db.fetchval(f"SELECT COUNT(*) FROM audit_log WHERE {where}", params)
    rows = await db.fetchall(
        f"SELECT id, actor_id, action, target, details, at FROM audit_log WHERE {where}"
        " ORDER BY id DESC LIMIT ? OFFSET ?",
        [*params, limit, offset],
    )
    return [AuditEntry(*(row[key] for key in ("id", "actor_id", "action", "target", "details", "at"))) for row in rows], total


async def audit_actions(db: Database) -> list[str]:
    """The kinds of lines the log holds, for the filter."""
    return [row[0] for row in await db.fetchall("SELECT DISTINCT action FROM audit_log ORDER BY action")]
