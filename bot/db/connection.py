"""The one SQLite connection of the bot, and the numbered migrations that shape it.

SQLite allows one writer at a time, and aiosqlite runs every statement on one thread, so the bot keeps a
single connection and serialises its use with an asyncio lock: a transaction opened by one task never
swallows a statement of another.
"""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

log = logging.getLogger(__name__)
# aiosqlite logs every statement with its parameters at DEBUG: names and phones would reach the logs.
logging.getLogger("aiosqlite").setLevel(logging.INFO)

BUSY_TIMEOUT_MS = 15_000
_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")

Params = Sequence[Any] | dict[str, Any]


def migrations() -> list[tuple[int, str, str]]:
    """The shipped migrations as (number, file name, SQL), in order."""
    found = []
    for entry in resources.files("bot.db").joinpath("migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [number for number, _, _ in found]
    if numbers != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migrations are not numbered 1..N without gaps: {numbers}")
    return found


class Database:
    """A thin async wrapper: short statements, explicit transactions, one lock."""

    def __init__(self, conn: aiosqlite.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path | str) -> Database:
        path = Path(path)
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        conn.row_factory = aiosqlite.Row
        db = cls(conn, path)
        try:
            await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            await conn.execute("PRAGMA journal_mode = WAL")
            await conn.execute("PRAGMA foreign_keys = ON")
            await conn.execute("PRAGMA synchronous = NORMAL")
            # Deleted rows are overwritten with zeros, so personal data erased by /forget or retention cannot
            # be read back from free space in the file (`checkpoint` below does the same for the WAL).
            await conn.execute("PRAGMA secure_delete = ON")
            await db.migrate()
        except BaseException:
            await conn.close()  # aiosqlite's thread would otherwise keep a failed start from ever exiting
            raise
        return db

    async def close(self) -> None:
        async with self._lock:
            await self.conn.close()

    async def migrate(self) -> int:
        """Apply every migration newer than `PRAGMA user_version`; returns the version reached."""
        async with self._lock:
            cursor = await self.conn.execute("PRAGMA user_version")
            (current,) = await cursor.fetchone()
            for number, name, sql in migrations():
                if number <= current:
                    continue
                log.info("db.migrate", extra={"migration": name})
                try:
                    await self.conn.executescript(f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {number};\nCOMMIT;")
                except Exception:
                    if self.conn.in_transaction:
                        await self.conn.rollback()
                    raise
                current = number
            return current

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement in its own transaction; returns the last row id (0 when none)."""
        async with self._lock:
            cursor = await self.conn.execute(sql, params)
            return cursor.lastrowid or 0

    async def execute_count(self, sql: str, params: Params = ()) -> int:
        """Run one statement; returns how many rows it changed."""
        async with self._lock:
            cursor = await self.conn.execute(sql, params)
            return cursor.rowcount

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        async with self.transaction() as conn:
            await conn.executemany(sql, rows)

    async def fetchone(self, sql: str, params: Params = ()) -> aiosqlite.Row | None:
        """The first row (for queries that return at most one); one trip to the database thread."""
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def fetchall(self, sql: str, params: Params = ()) -> list[aiosqlite.Row]:
        async with self._lock:
            return list(await self.conn.execute_fetchall(sql, params))

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """`BEGIN IMMEDIATE` ... `COMMIT`, rolled back on any error; other tasks wait meanwhile."""
        async with self._lock:
            await self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                await self.conn.rollback()
                raise
            else:
                await self.conn.commit()

    async def checkpoint(self) -> None:
        """Copy the WAL into the database file and empty it: after an erasure, the old versions of the
        erased rows are otherwise readable in the `-wal` file until SQLite checkpoints on its own."""
        async with self._lock:
            await self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    async def ping(self) -> bool:
        """True when the database answers a trivial query (used by health checks)."""
        try:
            return await asyncio.wait_for(self.fetchval("SELECT 1"), timeout=2) == 1
        except (sqlite3.Error, ValueError, TimeoutError):  # ValueError: the connection is closed
            return False
