"""Operator tools on the database: backup, restore, a user's data, and the lock a running bot holds.

These run as short CLI commands beside (or instead of) the bot. Backup and restore are SQLite's, with the
standard `sqlite3` module: the backup API copies a live WAL database consistently, page by page, while the
bot keeps writing (PostgreSQL has pg_dump and its managed backups). A user's data works on both.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import sqlite3
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing, contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.db.connection import BUSY_TIMEOUT_MS
from bot.db.legacy import LAST_LEGACY
from bot.services.personal_data import kinds_found

# Columns that hold a Telegram user id, by table; `users.id` is the user itself.
_USER_COLUMNS = ("user_id", "actor_id", "sender_id", "granted_by")


class OpsError(Exception):
    """A one-line reason an operator tool refused or failed."""


def lock_path(database_path: Path) -> Path:
    return database_path.with_name(database_path.name + ".lock")


@contextmanager
def running_lock(database_path: Path) -> Iterator[None]:
    """Held by the running bot: a second bot, or a restore, on the same database is refused."""
    database_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path(database_path), os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OpsError(f"another Koldoo process is using {database_path}; stop it first") from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        yield
    finally:
        os.close(fd)


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
    conn.row_factory = sqlite3.Row
    return conn


def check_integrity(path: Path) -> None:
    """Raise OpsError unless `path` is a sound SQLite database of this bot's schema."""
    if not path.is_file():
        raise OpsError(f"{path}: no such file")
    try:
        with closing(_connect(path)) as conn:
            result = conn.execute("PRAGMA integrity_check").fetchone()[0]
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            has_users = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'users'").fetchone()
            if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'alembic_version'").fetchone():
                version = LAST_LEGACY  # migrated by Alembic: the legacy number stops where Alembic takes over
    except sqlite3.DatabaseError as error:
        raise OpsError(f"{path}: not a readable SQLite database ({error})") from None
    if result != "ok":
        raise OpsError(f"{path}: integrity check failed: {result}")
    if not has_users or not 1 <= version <= LAST_LEGACY:
        raise OpsError(f"{path}: not a Koldoo database (schema version {version})")


def backup(database_path: Path, target: Path) -> int:
    """Copy the live database to `target` and verify the copy; returns its size in bytes."""
    if not database_path.is_file():
        raise OpsError(f"{database_path}: no database to back up")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    with closing(_connect(database_path)) as source, closing(sqlite3.connect(partial)) as copy:
        source.backup(copy, pages=1024)
    check_integrity(partial)
    partial.replace(target)
    return target.stat().st_size


def restore(backup_path: Path, database_path: Path) -> None:
    """Replace the database with a verified backup; refused while a bot holds the database."""
    check_integrity(backup_path)
    with running_lock(database_path):
        database_path.parent.mkdir(parents=True, exist_ok=True)
        with closing(_connect(backup_path)) as source, closing(_connect(database_path)) as target:
            source.backup(target)
        check_integrity(database_path)


def user_data(database: Path | str, user_id: int) -> dict[str, Any]:
    """Every row that mentions the user, table by table: the answer to a data subject request.

    `database` is a SQLite file or a database URL. Runs on its own event loop in a thread, so it can be
    called from anywhere, a running loop included."""
    if database is None:
        raise OpsError("no database given")
    if isinstance(database, Path) and not database.is_file():
        raise OpsError(f"{database}: no such database")
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, _user_data(database, user_id)).result()


async def _user_data(database: Path | str, user_id: int) -> dict[str, Any]:
    from bot.db.connection import Database
    from bot.db.tables import metadata

    found: dict[str, Any] = {"user_id": user_id}
    db = await Database.open(database, migrate=False)
    try:
        for name in sorted(metadata.tables):
            columns = [column.name for column in metadata.tables[name].columns]
            keys = [c for c in columns if c in _USER_COLUMNS or (name == "users" and c == "id")]
            if not keys and name not in _ABOUT_USER:
                continue
            clauses = [f"{c} = ?" for c in keys]
            params: list[Any] = [user_id] * len(keys)
            if name in _ABOUT_USER:
                clause, extra = _ABOUT_USER[name]
                clauses.append(clause)
                params += [user_id if value is None else value for value in extra]
            rows = await db.fetchall(f"SELECT * FROM {name} WHERE {' OR '.join(clauses)}", params)
            if rows:
                found[name] = [_decode(dict(row)) for row in rows]
    finally:
        await db.close()
    held = kinds_found(set(found) - {"user_id"})
    if held:  # the same kinds /privacy names (services/personal_data.py)
        found["kinds"] = [kind.value for kind in held]
    return found


# Rows about a user that carry someone else's id or none: coordinators' notes and status changes on the
# user's referrals, the messages of the user's conversations with a person (theirs and the team's answers),
# and audit lines whose target is the user (a role granted to them). None stands for the user id.
_ABOUT_USER: dict[str, tuple[str, tuple[Any, ...]]] = {
    "referral_events": ("referral_id IN (SELECT id FROM referrals WHERE user_id = ?)", (None,)),
    "case_messages": ("case_id IN (SELECT id FROM cases WHERE user_id = ?)", (None,)),
    "outbox": ("chat_id = ?", (None,)),
    "audit_log": ("(target = CAST(? AS TEXT) AND action LIKE 'staff.%')", (None,)),
}


def _decode(row: dict[str, Any]) -> dict[str, Any]:
    """JSON columns (dialogue data, audit details) are shown as JSON, not as strings of JSON; timestamps
    as ISO 8601."""
    for key, value in row.items():
        if isinstance(value, datetime):
            row[key] = value.isoformat()
        elif isinstance(value, str) and value[:1] in "{[":
            try:
                row[key] = json.loads(value)
            except ValueError:
                pass
    return row
