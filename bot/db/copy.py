"""`python -m bot copy-db SOURCE_URL TARGET_URL`: move a deployment from SQLite to PostgreSQL.

Both are migrated to the newest revision first (the source as the bot would on its next start), so their
tables are the same. The target must be empty. Tables are copied parents first, in batches, in ONE target
transaction: a failed copy leaves the target as empty as it was. Triggers stay off while rows are copied
(the default subscription a new user gets is in the copied rows already); the id sequences are then moved
past the copied ids, and every table's row count is compared between the two databases.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, insert, select, text

from bot.db.connection import Database, Transaction
from bot.db.ops import OpsError
from bot.db.tables import metadata

BATCH = 5000
# Filled by a trigger on users in the target; on SQLite (no way to switch a trigger off) they are emptied first.
_TRIGGER_FILLED = ("subscriptions", "user_interests")


async def copy_database(source_url: str, target_url: str, say: Callable[[str], None] = print) -> dict[str, int]:
    """Copy every row; returns the row count per table (equal in both, or OpsError)."""
    source = await Database.open(source_url)
    try:
        target = await Database.open(target_url)
        try:
            await _refuse_rows(target)
            async with target.transaction() as tx:
                await _copy(source, tx, target.sqlite)
            counts = await _compare(source, target, say)
        finally:
            await target.close()
    finally:
        await source.close()
    return counts


async def _refuse_rows(target: Database) -> None:
    for table in metadata.sorted_tables:
        if await target.fetchval(select(func.count()).select_from(table)):
            raise OpsError(f"TARGET_URL: table {table.name} already has rows; copy-db needs an empty database")


async def _copy(source: Database, tx: Transaction, sqlite_target: bool) -> None:
    if not sqlite_target:
        for table in metadata.sorted_tables:
            await tx.conn.execute(text(f"ALTER TABLE {table.name} DISABLE TRIGGER USER"))
    for table in metadata.sorted_tables:
        if sqlite_target and table.name in _TRIGGER_FILLED:
            await tx.conn.execute(table.delete())
        order = list(table.primary_key.columns)
        last: tuple | None = None
        while True:
            query = select(table).order_by(*order).limit(BATCH)
            if last is not None:
                query = query.where(_after(order, last))
            rows = await source.fetchall(query)
            if not rows:
                break
            await tx.conn.execute(insert(table), [dict(row) for row in rows])
            last = tuple(rows[-1][column.name] for column in order)
    if not sqlite_target:
        for table in metadata.sorted_tables:
            await tx.conn.execute(text(f"ALTER TABLE {table.name} ENABLE TRIGGER USER"))
            if "id" in table.columns and table.columns["id"].autoincrement is not False and table.c.id.primary_key:
                await tx.conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), COALESCE(MAX(id), 1), "
                        f"MAX(id) IS NOT NULL) FROM {table.name}"
                    )
                )


def _after(order: list, last: tuple):
    """Keyset paging over a (possibly composite) primary key: rows after `last`, in key order."""
    from sqlalchemy import tuple_

    if len(order) == 1:
        return order[0] > last[0]
    return tuple_(*order) > tuple_(*last)


async def _compare(source: Database, target: Database, say: Callable[[str], None]) -> dict[str, int]:
    counts, wrong = {}, []
    for table in metadata.sorted_tables:
        query = select(func.count()).select_from(table)
        copied, kept = await source.fetchval(query), await target.fetchval(query)
        say(f"{table.name}: {copied} rows" + ("" if copied == kept else f", but {kept} in the target"))
        counts[table.name] = kept
        if copied != kept:
            wrong.append(table.name)
    if wrong:
        raise OpsError(f"row counts differ in {', '.join(wrong)}: the target is not a complete copy")
    return counts
