"""Referral queries: create with the duplicate guard, filtered pages, status changes with their history,
and keyset-paged iteration so an export never holds the whole table in memory."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.db.connection import Database, Row, Transaction
from bot.db.outbox import Notice, enqueue
from bot.db.tables import as_datetime
from bot.db.users import USER_LANGUAGE_SQL
from bot.services.referrals import (
    DUPLICATE_WINDOW,
    DeclineReason,
    Kind,
    Referral,
    ReferralEvent,
    ReferralFilter,
    Status,
    can_move,
    can_undo,
    can_withdraw,
)

_COLUMNS = (
    "id, user_id, kind, item_id, name, phone, region, city, comment, status, created_at, updated_at,"
    " decline_reason"
)
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
        decline_reason=DeclineReason(row["decline_reason"]) if row["decline_reason"] else None,
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
    reason: DeclineReason | None = None,
) -> Referral | None:
    """Move a referral to `target` and record who did it and when; with `notify`, queue the migrant's
    notification in the same transaction (the outbox), so the change is always told. A decline keeps its
    `reason` (the notice says it and the next step).

    Returns the updated referral, or None when it does not exist or the move is not allowed from its
    current status (for instance, another coordinator moved it a moment ago).
    """
    moment = _now(now)
    async with db.transaction() as conn:
        cursor = await conn.execute("SELECT kind, status, user_id FROM referrals WHERE id = ?", (referral_id,))
        row = await cursor.fetchone()
        if row is None or not can_move(Kind(row["kind"]), Status(row["status"]), target):
            return None
        kept_reason = (reason or DeclineReason.OTHER).value if target == Status.DECLINED else None
        await _set_status(conn, referral_id, actor_id, moment, row["status"], target.value, kept_reason)
        if notify and row["user_id"] is not None:
            payload = {"status": target.value} | ({"reason": kept_reason} if kept_reason else {})
            await enqueue(conn, [Notice("referral.status", row["user_id"], payload=payload)], referral_id)
        details = {"from": row["status"], "to": target.value} | ({"reason": kept_reason} if kept_reason else {})
        await _audit(conn, actor_id, "referral.status", referral_id, details, moment)
        return await _fetch(conn, referral_id)


async def _set_status(
    conn: Transaction,
    referral_id: int,
    actor_id: int,
    moment: datetime,
    from_status: str,
    to_status: str,
    reason: str | None,
) -> None:
    """The status, its reason and the history line, inside the caller's transaction."""
    await conn.execute(
        "UPDATE referrals SET status = ?, decline_reason = ?, updated_at = ? WHERE id = ?",
        (to_status, reason, moment, referral_id),
    )
    await conn.execute(
        "INSERT INTO referral_events (referral_id, actor_id, at, from_status, to_status) VALUES (?, ?, ?, ?, ?)",
        (referral_id, actor_id, moment, from_status, to_status),
    )


async def _audit(
    conn: Transaction, actor_id: int, action: str, referral_id: int, details: dict | None, moment: datetime
) -> None:
    await conn.execute(
        "INSERT INTO audit_log (actor_id, action, target, details, at) VALUES (?, ?, ?, ?, ?)",
        (actor_id, action, str(referral_id), json.dumps(details) if details else None, moment),
    )


async def _fetch(conn: Transaction, referral_id: int) -> Referral:
    cursor = await conn.execute(f"SELECT {_COLUMNS} FROM referrals WHERE id = ?", (referral_id,))
    return _referral(await cursor.fetchone())


async def undo_move(
    db: Database, referral_id: int, actor_id: int, now: datetime | None = None
) -> tuple[Referral, str] | None:
    """Undo the actor's own last status move if it is under a minute old and nothing happened since.

    Only a move the rules allow is undone: an undo (or a withdrawal) is not, so undoing never ping-pongs.

    The previous status comes back (and is audited). The migrant's notice of the undone move is withdrawn
    while still pending; if it already left, a correction is queued. Returns the referral and "withdrawn",
    "corrected" or "silent" (no migrant to tell), or None when the move can no longer be undone.
    """
    moment = _now(now)
    async with db.transaction() as conn:
        cursor = await conn.execute(
            "SELECT e.actor_id, e.at, e.from_status, e.to_status, r.kind, r.status, r.user_id FROM referral_events e"
            " JOIN referrals r ON r.id = e.referral_id WHERE e.referral_id = ? ORDER BY e.id DESC LIMIT 1",
            (referral_id,),
        )
        last = await cursor.fetchone()
        if (
            last is None
            or last["to_status"] is None
            or last["from_status"] is None
            or last["actor_id"] != actor_id
            or last["to_status"] != last["status"]
            or not can_move(Kind(last["kind"]), Status(last["from_status"]), Status(last["to_status"]))
            or not can_undo(as_datetime(last["at"]), moment)
        ):
            return None
        at = moment
        await _set_status(conn, referral_id, actor_id, at, last["to_status"], last["from_status"], None)
        await _audit(
            conn, actor_id, "referral.undo", referral_id, {"from": last["to_status"], "to": last["from_status"]}, at
        )
        outcome = "silent"
        if last["user_id"] is not None:
            cursor = await conn.execute(
                "SELECT id FROM outbox WHERE kind = 'referral.status' AND subject_id = ? ORDER BY id DESC LIMIT 1",
                (referral_id,),
            )
            notice = await cursor.fetchone()
            deleted = 0
            if notice is not None:
                cursor = await conn.execute(
                    "DELETE FROM outbox WHERE id = ? AND state = 'pending'", (notice["id"],)
                )
                deleted = cursor.rowcount
            if deleted:
                outcome = "withdrawn"
            else:
                payload = {"status": last["from_status"], "correction": True}
                await enqueue(conn, [Notice("referral.status", last["user_id"], payload=payload)], referral_id)
                outcome = "corrected"
        return await _fetch(conn, referral_id), outcome


async def withdraw(
    db: Database, referral_id: int, user_id: int, now: datetime | None = None, notices: Sequence[Notice] = ()
) -> Referral | None:
    """The migrant withdraws their own open request (from /my); None when it is not theirs or not open.
    `notices` (the coordinators told) are queued in the same transaction."""
    moment = _now(now)
    async with db.transaction() as conn:
        cursor = await conn.execute("SELECT status, user_id FROM referrals WHERE id = ?", (referral_id,))
        row = await cursor.fetchone()
        if row is None or row["user_id"] != user_id or not can_withdraw(Status(row["status"])):
            return None
        await _set_status(conn, referral_id, user_id, moment, row["status"], Status.WITHDRAWN.value, None)
        await _audit(conn, user_id, "referral.withdraw", referral_id, None, moment)
        await enqueue(conn, notices, referral_id)
        return await _fetch(conn, referral_id)


async def add_note(
    db: Database,
    referral_id: int,
    actor_id: int,
    note: str,
    now: datetime | None = None,
    *,
    owner_only: bool = False,
    notices: Sequence[Notice] = (),
) -> bool:
    """Attach a coordinator's note, or with `owner_only` the migrant's own added information (only to their
    request); False when the referral does not exist (or is not theirs)."""
    moment = _now(now)
    async with db.transaction() as conn:
        cursor = await conn.execute("SELECT user_id FROM referrals WHERE id = ?", (referral_id,))
        found = await cursor.fetchone()
        if found is None or (owner_only and found["user_id"] != actor_id):
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
        await enqueue(conn, notices, referral_id)
    return True


async def list_events(db: Database, referral_id: int) -> list[ReferralEvent]:
    """The referral's history, oldest first."""
    rows = await db.fetchall(
        "SELECT id, referral_id, actor_id, at, from_status, to_status, note FROM referral_events"
        " WHERE referral_id = ? ORDER BY id",
        (referral_id,),
    )
    return _events(rows)


async def export_details(
    db: Database, referral_ids: Sequence[int]
) -> tuple[dict[int, list[ReferralEvent]], dict[int, str | None]]:
    """For one export batch: each referral's history (oldest first) and its migrant's language, in two
    queries, so an export costs two statements per batch, not two per row."""
    if not referral_ids:
        return {}, {}
    marks = ", ".join("?" for _ in referral_ids)
    rows = await db.fetchall(
        "SELECT id, referral_id, actor_id, at, from_status, to_status, note FROM referral_events"
        f" WHERE referral_id IN ({marks}) ORDER BY referral_id, id",
        list(referral_ids),
    )
    events: dict[int, list[ReferralEvent]] = {}
    for event in _events(rows):
        events.setdefault(event.referral_id, []).append(event)
    languages = await db.fetchall(
        f"SELECT r.id, {USER_LANGUAGE_SQL} AS language FROM referrals r LEFT JOIN users u ON u.id = r.user_id"
        f" WHERE r.id IN ({marks})",
        list(referral_ids),
    )
    return events, {row["id"]: row["language"] for row in languages}


def _events(rows: Sequence[Row]) -> list[ReferralEvent]:
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
    """Erase the personal data of referrals closed (completed, resolved, declined or withdrawn) and untouched since `before`.

    What /privacy promises: closed requests do not keep a name and phone for ever. The rows, statuses and
    dates stay for the counts. Returns how many referrals were anonymised.
    """
    closed = (
        "SELECT id FROM referrals WHERE status IN ('completed', 'resolved', 'declined', 'withdrawn') AND updated_at < ?"
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
