"""The bot's database, SQLite or PostgreSQL, through SQLAlchemy Core's async engine.

Queries are portable SQL text or Core expressions, the same for both databases. Text uses `?` or `:name`
parameters; datetimes are bound as the column stores them (ISO text in UTC on SQLite, `timestamptz` on
PostgreSQL), and the timestamp columns come back as aware datetimes on both (see `bot.db.tables`).

SQLite allows one writer at a time, and aiosqlite runs every statement on one thread, so on SQLite the bot
keeps a single connection and serialises its use with an asyncio lock: a transaction opened by one task never
swallows a statement of another, and "database is locked" cannot happen. PostgreSQL gets a pool: single
statements run in autocommit, `transaction()` holds one pooled connection and an advisory lock, so
transactions still run one at a time, as they did on SQLite.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import BigInteger, bindparam, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.sql import Executable

from bot.db.tables import TIMESTAMP_COLUMNS, UTCDateTime, as_datetime, iso, to_utc

log = logging.getLogger(__name__)
# aiosqlite logs every statement with its parameters at DEBUG, SQLAlchemy at INFO: names and phones would
# reach the logs.
logging.getLogger("aiosqlite").setLevel(logging.INFO)
logging.getLogger("sqlalchemy").setLevel(logging.WARNING)

BUSY_TIMEOUT_MS = 15_000
TRANSACTION_LOCK = 4_246_071_924  # PostgreSQL advisory lock held by every `Database.transaction()`
POOL_SIZE = 10

Params = Sequence[Any] | dict[str, Any]


class Row(tuple):
    """A result row read by position or by column name, like `sqlite3.Row`; `dict(row)` works too."""

    __slots__ = ()
    _index: ClassVar[dict[str, int]] = {}

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            key = self._index[key]
        return tuple.__getitem__(self, key)

    def keys(self) -> Any:
        return self._index.keys()


@lru_cache(maxsize=512)
def _row_class(keys: tuple[str, ...]) -> type[Row]:
    return type("Row", (Row,), {"__slots__": (), "_index": {key: i for i, key in enumerate(keys)}})


@lru_cache(maxsize=2048)
def _translate(sql: str) -> str:
    """`?` placeholders become `:p0, :p1...`; colons inside string literals are escaped for `text()`."""
    out, n, quote = [], 0, None
    for char in sql:
        if quote:
            out.append("\\:" if char == ":" else char)
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
            out.append(char)
        elif char == "?":
            out.append(f":p{n}")
            n += 1
        else:
            out.append(char)
    return "".join(out)


@lru_cache(maxsize=4096)
def _clause(sql: str, typed: tuple[tuple[str, str], ...]) -> Any:
    clause = text(_translate(sql))
    typed = tuple((name, kind) for name, kind in typed if name in clause._bindparams)
    if typed:
        types = {"int": BigInteger(), "ts": UTCDateTime()}
        clause = clause.bindparams(*(bindparam(name, type_=types[kind]) for name, kind in typed))
    return clause


def _bind_value(value: Any, sqlite: bool) -> Any:
    if isinstance(value, datetime):
        return iso(value) if sqlite else to_utc(value)
    if isinstance(value, bool):
        return int(value)
    return value


def _statement(sql: str | Executable, params: Params | None, sqlite: bool) -> tuple[Any, Any]:
    """The executable and its parameters (a dict, or a list of dicts for executemany)."""
    if not isinstance(sql, str):
        return sql, params
    if params is None:
        values: dict[str, Any] = {}
    elif isinstance(params, dict):
        values = {key: _bind_value(value, sqlite) for key, value in params.items()}
    else:
        values = {f"p{i}": _bind_value(value, sqlite) for i, value in enumerate(params)}
    typed: tuple[tuple[str, str], ...] = ()
    if not sqlite:
        # asyncpg types each parameter from the server's guess, which is `text` for a bare `$1` in a SELECT
        # list (INSERT ... SELECT $1): integers and timestamps are cast explicitly instead.
        typed = tuple(
            (key, "int" if isinstance(value, int) else "ts")
            for key, value in values.items()
            if isinstance(value, (int, datetime))
        )
    return _clause(sql, typed), values


def _rows(result: Any, sqlite: bool) -> list[Row]:
    if not result.returns_rows:
        return []
    keys = tuple(result.keys())
    cls = _row_class(keys)
    raw = result.fetchall()
    stamps = [i for i, key in enumerate(keys) if key in TIMESTAMP_COLUMNS] if sqlite else []
    if not stamps:
        return [cls(row) for row in raw]
    rows = []
    for row in raw:
        values = list(row)
        for i in stamps:
            if type(values[i]) is str:
                values[i] = as_datetime(values[i])
        rows.append(cls(values))
    return rows


class Cursor:
    """What a statement inside a transaction returns: its rows, how many it changed, the new row id."""

    __slots__ = ("_rows", "lastrowid", "rowcount")

    def __init__(self, rows: list[Row], rowcount: int, lastrowid: int | None) -> None:
        self._rows, self.rowcount, self.lastrowid = rows, rowcount, lastrowid

    async def fetchone(self) -> Row | None:
        return self._rows[0] if self._rows else None

    async def fetchall(self) -> list[Row]:
        return self._rows


class Transaction:
    """The statements of one `Database.transaction()`; the same methods as `Database`."""

    def __init__(self, conn: AsyncConnection, sqlite: bool) -> None:
        self.conn = conn
        self.sqlite = sqlite

    async def execute(self, sql: str | Executable, params: Params | None = None) -> Cursor:
        statement, values = _statement(sql, params, self.sqlite)
        result = await self.conn.execute(statement, values)
        rows = _rows(result, self.sqlite)
        return Cursor(rows, result.rowcount, getattr(result, "lastrowid", None) if self.sqlite else None)

    async def executemany(self, sql: str | Executable, rows: Iterable[Params]) -> None:
        batch = [_statement(sql, row, self.sqlite) for row in rows]
        if batch:
            await self.conn.execute(batch[0][0], [values for _, values in batch])

    async def fetchall(self, sql: str | Executable, params: Params | None = None) -> list[Row]:
        return await (await self.execute(sql, params)).fetchall()

    async def fetchone(self, sql: str | Executable, params: Params | None = None) -> Row | None:
        return await (await self.execute(sql, params)).fetchone()

    async def fetchval(self, sql: str | Executable, params: Params | None = None) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    async def execute_count(self, sql: str | Executable, params: Params | None = None) -> int:
        return (await self.execute(sql, params)).rowcount


def sqlite_path(url: str) -> Path | None:
    """The file a `sqlite://` URL names (None for another database)."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite"):
        return None
    return Path(parsed.database or ":memory:")


def async_url(url: str) -> str:
    """The async driver for a URL: `sqlite+aiosqlite`, `postgresql+asyncpg`."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    driver = {"sqlite": "aiosqlite", "postgresql": "asyncpg"}[backend]
    return parsed.set(drivername=f"{backend}+{driver}").render_as_string(hide_password=False)


async def _timestamps_as_text(conn: Any) -> None:
    """Timestamps pass asyncpg as text, so a parameter may be a datetime or its ISO text, like on SQLite."""

    def encode(value: Any) -> str:
        return value.isoformat() if isinstance(value, datetime) else str(value)

    await conn.set_type_codec(
        "timestamptz", schema="pg_catalog", encoder=encode, decoder=as_datetime, format="text"
    )


def make_engine(url: str) -> AsyncEngine:
    if sqlite_path(url) is not None:
        return create_async_engine(async_url(url), connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
    engine = create_async_engine(
        async_url(url),
        pool_size=POOL_SIZE,
        pool_pre_ping=False,
        connect_args={"server_settings": {"timezone": "UTC", "application_name": "koldoo"}, "timeout": 10},
    )

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.run_async(_timestamps_as_text)

    return engine


def describe_database_failure(error: BaseException, url: str) -> str:
    """One line on why PostgreSQL could not be used, without the password."""
    parsed = make_url(url)
    where = f"{parsed.host or 'localhost'}:{parsed.port or 5432}"
    cause = error.orig if isinstance(error, DBAPIError) and error.orig is not None else error
    cause = cause.__cause__ or cause if type(cause).__module__.startswith("sqlalchemy") else cause
    message = " ".join(str(cause).split()) or type(cause).__name__
    if isinstance(cause, TimeoutError):
        return f"PostgreSQL at {where} did not answer in time"
    if isinstance(cause, OSError):
        return f"cannot reach PostgreSQL at {where} ({message}): is it running, and is the host right?"
    return f"PostgreSQL at {where} refused database {parsed.database!r} for user {parsed.username!r}: {message}"


class Database:
    """Short statements, explicit transactions; one locked connection on SQLite, a pool on PostgreSQL."""

    def __init__(self, engine: AsyncEngine, url: str) -> None:
        self.engine = engine
        self.url = url
        self.path = sqlite_path(url)  # None on PostgreSQL
        self.sqlite = self.path is not None
        self.dialect = engine.dialect.name
        self._lock = asyncio.Lock()
        self._conn: AsyncConnection | None = None  # SQLite's one connection
        self._closed = False
        self._autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")

    @classmethod
    async def open(cls, target: Path | str, *, migrate: bool = True) -> Database:
        """Open a SQLite file (a path or `sqlite:///...`) or a PostgreSQL URL, and migrate it."""
        url = str(target) if isinstance(target, str) and "://" in target else f"sqlite:///{target}"
        path = sqlite_path(url)
        if path is not None and str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
            if migrate:
                from bot.db.legacy import upgrade_legacy

                await asyncio.to_thread(upgrade_legacy, path)
        db = cls(make_engine(url), url)
        try:
            if db.sqlite:
                db._conn = await db._autocommit.connect()
                for pragma in (
                    f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
                    "PRAGMA journal_mode = WAL",
                    "PRAGMA foreign_keys = ON",
                    "PRAGMA synchronous = NORMAL",
                    # Deleted rows are overwritten with zeros, so personal data erased by /forget or retention
                    # cannot be read back from free space in the file (`checkpoint` does the same for the WAL).
                    "PRAGMA secure_delete = ON",
                ):
                    await db._conn.exec_driver_sql(pragma)
            if migrate:
                await db.migrate()
        except BaseException:
            await db.close()  # aiosqlite's thread would otherwise keep a failed start from ever exiting
            raise
        return db

    async def close(self) -> None:
        self._closed = True
        async with self._lock:
            if self._conn is not None:
                await self._conn.close()
                self._conn = None
            await self.engine.dispose()

    async def migrate(self) -> str | None:
        """Apply every Alembic revision not applied yet; returns the revision reached."""
        from bot.db.migrate import upgrade

        if self.sqlite:
            async with self.transaction() as tx:
                return await tx.conn.run_sync(upgrade)
        async with self.engine.begin() as conn:
            return await conn.run_sync(upgrade)

    @asynccontextmanager
    async def _statement_conn(self) -> AsyncIterator[AsyncConnection]:
        if self._closed:
            raise ValueError("the database is closed")
        if self.sqlite:
            async with self._lock:
                if self._conn is None:
                    raise ValueError("the database is closed")
                try:
                    yield self._conn
                except BaseException:
                    # A statement cancelled half-way leaves SQLAlchemy's connection in an "invalid transaction"
                    # that refuses every later statement: reset it, or the one connection is lost for good.
                    if self._conn.invalidated or self._conn.in_transaction():
                        with contextlib.suppress(Exception):
                            await asyncio.shield(self._conn.rollback())
                    raise
        else:
            async with self._autocommit.connect() as conn:
                yield conn

    async def _run(self, sql: str | Executable, params: Params | None) -> Cursor:
        async with self._statement_conn() as conn:
            return await Transaction(conn, self.sqlite).execute(sql, params)

    async def execute(self, sql: str | Executable, params: Params | None = None) -> int:
        """Run one statement in its own transaction; returns how many rows it changed."""
        return (await self._run(sql, params)).rowcount

    async def execute_count(self, sql: str | Executable, params: Params | None = None) -> int:
        """Run one statement; returns how many rows it changed."""
        return (await self._run(sql, params)).rowcount

    async def executemany(self, sql: str | Executable, rows: Iterable[Params]) -> None:
        async with self.transaction() as tx:
            await tx.executemany(sql, rows)

    async def fetchone(self, sql: str | Executable, params: Params | None = None) -> Row | None:
        """The first row (for queries that return at most one)."""
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def fetchall(self, sql: str | Executable, params: Params | None = None) -> list[Row]:
        return await (await self._run(sql, params)).fetchall()

    async def fetchval(self, sql: str | Executable, params: Params | None = None) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Transaction]:
        """One transaction, rolled back on any error. On SQLite `BEGIN IMMEDIATE`: other tasks wait."""
        if self._closed:
            raise ValueError("the database is closed")
        if not self.sqlite:
            async with self.engine.begin() as conn:
                # The queries were written against SQLite, where a transaction has the database to itself
                # (BEGIN IMMEDIATE): a read-then-write, like "is there a recent referral? then insert one",
                # relies on it. One advisory lock keeps that true on PostgreSQL, across processes too;
                # single statements, the hot path, run beside transactions without it.
                await conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({TRANSACTION_LOCK})")
                yield Transaction(conn, False)
            return
        async with self._statement_conn() as conn:
            await conn.exec_driver_sql("BEGIN IMMEDIATE")
            try:
                yield Transaction(conn, True)
            except BaseException:
                await _rollback(conn)
                raise
            else:
                await conn.exec_driver_sql("COMMIT")

    async def checkpoint(self) -> None:
        """Copy the WAL into the database file and empty it: after an erasure, the old versions of the
        erased rows are otherwise readable in the `-wal` file until SQLite checkpoints on its own. PostgreSQL
        has no such file for a reader to look into: nothing to do."""
        if self.sqlite:
            async with self._statement_conn() as conn:
                await conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")

    async def ping(self) -> bool:
        """True when the database answers a trivial query (used by health checks)."""
        try:
            return await asyncio.wait_for(self.fetchval("SELECT 1"), timeout=2) == 1
        except (DBAPIError, sqlite3.Error, OSError, ValueError, TimeoutError):  # ValueError: closed
            return False


async def _rollback(conn: AsyncConnection) -> None:
    """ROLLBACK unless SQLite already ended the transaction itself (it does on some errors, e.g. a full disk)."""
    try:
        await conn.exec_driver_sql("ROLLBACK")
    except DBAPIError as error:
        if "no transaction is active" not in str(error):
            raise
