"""Referral queries: create with the duplicate guard, filtered pages, status changes with their history,
and keyset-paged iteration so an export never holds the whole table in memory."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.db.connection import Database, Row
from bot.db.outbox import Notice, enqueue
from bot.db.tables import as_datetime
from bot.services.referrals import (
    DUPLICATE_WINDOW,
    Kind,
    Referral,
    ReferralEvent,
    ReferralFilter,
    Status,
    can_move,
)

_COLUMNS = "id, user_id, kind, item_id, name, phone, region, city, comment, status, created_at, updated_at"
_RECENT = (
    f"SELECT {_COLUMNS} FROM referrals WHERE user_id = ? AND kind = ? AND item_id = ? AND created_at >= ?"
    " ORDER BY id DESC LIMIT 1"
)
EXPORT_BATCH = 2000


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def _referral(row: Row) -> Referral:
    return Referral(
        id=row["id"],
        user_id=row["user_id"],
        kind=Kind(row["kind"]),
        item_id=row["item_id"],
        name=row["name"],
        phone=row["phone"],
        region=row["region"],
        city=row["city"],
        comment=row["comment"],
        status=Status(row["status"]),
        created_at=as_datetime(row["created_at"]),
        updated_at=as_datetime(row["updated_at"]),
    )


def _where(flt: ReferralFilter) -> tuple[str, list[Any]]:
    """The WHERE clause (always present, so callers can append `AND ...`) and its parameters."""
    clauses, params = ["1 = 1"], []
    if flt.status is not None:
        clauses.append("status = ?")
        params.append(flt.status.value)
    if flt.region is not None:
        clauses.append("region = ?")
        params.append(flt.region)
    if flt.item_id is not None:
        clauses.append("item_id = ?")
        params.append(flt.item_id)
    if flt.referral_id is not None:
        clauses.append("id = ?")
        params.append(flt.referral_id)
    if flt.date_from is not None:
        clauses.append("created_at >= ?")
        params.append(flt.date_from.isoformat())
    if flt.date_to is not None:
        clauses.append("created_at < ?")
        params.append((flt.date_to + timedelta(days=1)).isoformat())
    return "WHERE " + " AND ".join(clauses), params


async def find_recent(
    db: Database, user_id: int, kind: Kind, item_id: str, now: datetime | None = None
) -> Referral | None:
    """The user's referral for this item made within `DUPLICATE_WINDOW`, if any."""
    since = _now(now) - DUPLICATE_WINDOW
    row = await db.fetchone(_RECENT, (user_id, kind.value, item_id, since))
    return None if row is None else _referral(row)


async def create_referral(
    db: Database,
    *,
    user_id: int,
    kind: Kind,
    item_id: str,
    name: str,
    phone: str,
    region: str,
    city: str | None,
    comment: str | None,
    now: datetime | None = None,
    notices: Sequence[Notice] = (),
) -> tuple[Referral, bool]:
    """Save a referral, unless the user asked for the same item within 30 days.

    Returns the referral and True when it was created, or the existing one and False. The check and the
    insert share one transaction, so a double tap on Confirm cannot create two; `notices` (the
    announcements) are queued in it too, so a saved referral is always announced.
    """
    moment = _now(now)
    async with db.transaction() as conn:
        cursor = await conn.execute(_RECENT, (user_id, kind.value, item_id, moment - DUPLICATE_WINDOW))
        existing = await cursor.fetchone()
        if existing is not None:
            return _referral(existing), False
        cursor = await conn.execute(
            f"INSERT INTO referrals (user_id, kind, item_id, name, phone, region, city, comment, status,"
            f" created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'new', ?, ?) RETURNING {_COLUMNS}",
            (user_id, kind.value, item_id, name, phone, region, city, comment, moment, moment),
        )
        created = await cursor.fetchone()
        await enqueue(conn, notices, created["id"], moment)
    return _referral(created), True


async def get_referral(db: Database, referral_id: int) -> Referral | None:
    row = await db.fetchone(f"SELECT {_COLUMNS} FROM referrals WHERE id = ?", (referral_id,))
    return None if row is None else _referral(row)


async def list_user_referrals(db: Database, user_id: int, limit: int = 50) -> list[Referral]:
    """The user's referrals, newest first."""
    rows = await db.fetchall(
        f"SELECT {_COLUMNS} FROM referrals WHERE user_id = ? ORDER BY id DESC LIMIT ?", (user_id, limit)
    )
    return [_referral(row) for row in rows]


async def page_referrals(
    db: Database, flt: ReferralFilter, page: int, page_size: int
) -> tuple[list[Referral], int]:
    """One page (0-based) of matching referrals, newest first, and how many match in all."""
    where, params = _where(flt)
    total = await db.fetchval(f"SELECT COUNT(*) FROM referrals {where}", params)
    rows = await db.fetchall(
        f"SELECT {_COLUMNS} FROM referrals {where} ORDER BY id DESC LIMIT ? OFFSET ?",
        [*params, page_size, max(page, 0) * page_size],
    )
    return [_referral(row) for row in rows], total


async def count_by_status(db: Database, flt: ReferralFilter) -> dict[Status, int]:
    """How many referrals of each status match the filter, its own status aside (the counts beside a list)."""
    where, params = _where(replace(flt, status=None))
    rows = await db.fetchall(f"SELECT status, COUNT(*) FROM referrals {where} GROUP BY status", params)
    return {Status(row[0]): row[1] for row in rows}


async def iter_referrals(
    db: Database, flt: ReferralFilter, batch_size: int = EXPORT_BATCH
) -> AsyncIterator[list[Referral]]:
    """Matching referrals oldest first, in batches, each fetched by keyset (`id > last`), not OFFSET."""
    where, params = _where(flt)
    last_id = 0
    while True:
        rows = await db.fetchall(
            f"SELECT {_COLUMNS} FROM referrals {where} AND id > ? ORDER BY id LIMIT ?",
            [*params, last_id, batch_size],
        )
        if not rows:
            return
        yield [_referral(row) for row in rows]
        last_id = rows[-1]["id"]


async def change_status(
    db: Database,
    referral_id: int,
    target: Status,
    actor_id: int,
    now: datetime | None = None,
    *,
    notify: bool = False,
) -> Referral | None:
    """Move a referral to `target` and record who did it and when; with `notify`, queue the migrant's
    notification in the same transaction (the outbox), so the change is always told.

    Returns the updated referral, or None when it does not exist or the move is not allowed from its
    current status (for instance, another coordinator moved it a moment ago).
    """
    moment = _now(now)
    async with db.transaction() as conn:
        cursor = await conn.execute("SELECT status, user_id FROM referrals WHERE id = ?", (referral_id,))
        row = await cursor.fetchone()
        if row is None or not can_move(Status(row["status"]), target):
            return None
        await conn.execute(
            "UPDATE referrals SET status = ?, updated_at = ? WHERE id = ?",
            (target.value, moment, referral_id),
        )
        await conn.execute(
            "INSERT INTO referral_events (referral_id, actor_id, at, from_status, to_status)"
            " VALUES (?, ?, ?, ?, ?)",
            (referral_id, actor_id, moment, row["status"], target.value),
        )
        if notify and row["user_id"] is not None:
            status_notice = Notice("referral.status", row["user_id"], payload={"status": target.value})
            await enqueue(conn, [status_notice], referral_id)
        await conn.execute(
            "INSERT INTO audit_log (actor_id, action, target, details, at) VALUES (?, 'referral.status', ?, ?, ?)",
            (actor_id, str(referral_id), json.dumps({"from": row["status"], "to": target.value}), moment),
        )
        cursor = await conn.execute(f"SELECT {_COLUMNS} FROM referrals WHERE id = ?", (referral_id,))
        updated = await cursor.fetchone()
    return _referral(updated)


async def add_note(
    db: Database, referral_id: int, actor_id: int, note: str, now: datetime | None = None
) -> bool:
    """Attach a coordinator's note; False when the referral does not exist."""
    moment = _now(now)
    async with db.transaction() as conn:
        cursor = await conn.execute("SELECT 1 FROM referrals WHERE id = ?", (referral_id,))
        if await cursor.fetchone() is None:
            return False
        await conn.execute(
            "INSERT INTO referral_events (referral_id, actor_id, at, note) VALUES (?, ?, ?, ?)",
            (referral_id, actor_id, moment, note),
        )
        await conn.execute(
            "INSERT INTO audit_log (actor_id, action, target, details, at) VALUES (?, 'referral.note', ?, NULL, ?)",
            (actor_id, str(referral_id), moment),
        )
        await conn.execute("UPDATE referrals SET updated_at = ? WHERE id = ?", (moment, referral_id))
    return True


async def list_events(db: Database, referral_id: int) -> list[ReferralEvent]:
    """The referral's history, oldest first."""
    rows = await db.fetchall(
        "SELECT id, referral_id, actor_id, at, from_status, to_status, note FROM referral_events"
        " WHERE referral_id = ? ORDER BY id",
        (referral_id,),
    )
    return [
        ReferralEvent(
            id=row["id"],
            referral_id=row["referral_id"],
            actor_id=row["actor_id"],
            at=as_datetime(row["at"]),
            from_status=Status(row["from_status"]) if row["from_status"] else None,
            to_status=Status(row["to_status"]) if row["to_status"] else None,
            note=row["note"],
        )
        for row in rows
    ]


async def log_export(
    db: Database, actor_id: int, flt: ReferralFilter, rows: int, now: datetime | None = None
) -> None:
    """Record an export in the audit log: who, when, which filters and how many rows; no personal data."""
    filters = {
        "status": flt.status.value if flt.status else None,
        "region": flt.region,
        "programme": flt.item_id,
        "from": flt.date_from.isoformat() if flt.date_from else None,
        "to": flt.date_to.isoformat() if flt.date_to else None,
        "referral": flt.referral_id,
    }
    details = json.dumps({"filters": {k: v for k, v in filters.items() if v is not None}, "rows": rows})
    await db.execute(
        "INSERT INTO audit_log (actor_id, action, target, details, at) VALUES (?, 'referrals.export', NULL, ?, ?)",
        (actor_id, details, _now(now)),
    )


async def anonymise_closed(db: Database, before: datetime) -> int:
    """Erase the personal data of referrals closed (completed or declined) and untouched since `before`.

    What /privacy promises: closed requests do not keep a name and phone for ever. The rows, statuses and
    dates stay for the counts. Returns how many referrals were anonymised.
    """
    closed = (
        "SELECT id FROM referrals WHERE status IN ('completed', 'declined') AND updated_at < ?"
        " AND (name IS NOT NULL OR phone IS NOT NULL OR comment IS NOT NULL)"
    )
    cutoff = before
    async with db.transaction() as conn:
        await conn.execute(
            f"UPDATE referral_events SET note = NULL WHERE referral_id IN ({closed})", (cutoff,)
        )
        cursor = await conn.execute(
            f"UPDATE referrals SET name = NULL, phone = NULL, comment = NULL WHERE id IN ({closed})",
            (cutoff,),
        )
        return cursor.rowcount
