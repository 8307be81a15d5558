"""What a failing database raises, in one place, so callers that must survive it (the broadcast engine, the
outbox) catch exactly that, and can tell a full disk from other failures when they explain a pause."""

from __future__ import annotations

import errno
import sqlite3
from typing import TYPE_CHECKING

from sqlalchemy.exc import DBAPIError, IntegrityError

if TYPE_CHECKING:
    from bot.db.connection import Database

__all__ = ["STORAGE_ERRORS", "IntegrityError", "fault_kind", "make_room"]

# SQLAlchemy wraps the driver's errors in DBAPIError (`.orig` is the sqlite3 or asyncpg error): SQLITE_FULL
# ("database or disk is full"), SQLITE_IOERR, a locked or read-only file, a lost PostgreSQL connection.
STORAGE_ERRORS: tuple[type[Exception], ...] = (DBAPIError, sqlite3.Error, OSError)


def fault_kind(error: BaseException) -> str:
    """"disk_full" when the disk (or the database's size limit) is full, else "database"."""
    if isinstance(error, DBAPIError) and error.orig is not None:
        error = error.orig
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        return "disk_full"
    if isinstance(error, sqlite3.Error) and (
        getattr(error, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL or "is full" in str(error)
    ):
        return "disk_full"
    if getattr(error, "sqlstate", None) == "53100":  # PostgreSQL's disk_full
        return "disk_full"
    return "database"


async def make_room(db: Database) -> None:
    """After a full disk: fold the write-ahead log into the database file and truncate it. The log only grows
    between checkpoints, so on a nearly full disk it can hold the very space the next write needs."""
    await db.checkpoint()
