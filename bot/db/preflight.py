"""May the bot open, migrate and write the file DATABASE_PATH names? Asked once at start, before migrations.

Without it a wrong file is found out the hard way: a damaged one makes start-up fail half-way, a read-only one
starts and then fails every update, and another application's database silently gets our tables added. Each
is refused here in one line that names the cause, and nothing is written to the file.

The schema rule is "the newest migration this code knows": a database is ours when it is empty (migrations
will build it) or when its recorded migration is one we ship and it has the tables those migrations created;
a recorded migration beyond ours means a newer Koldoo wrote it. The record is the `alembic_version` row
(the known migrations are the revision scripts), or, in a database written before Alembic, `PRAGMA
user_version` (the legacy SQL files). These checks are SQLite's; PostgreSQL is checked by connecting to it.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from functools import cache
from pathlib import Path

from bot.db.legacy import LAST_LEGACY, legacy_migrations
from bot.db.migrate import head, known_revisions
from bot.db.ops import OpsError

SQLITE_HEADER = b"SQLite format 3\x00"


class PreflightError(OpsError):
    """The database cannot be used as it is; the message is one line naming the file and the cause."""


def check_database(path: Path) -> None:
    """Raise PreflightError unless `path` can hold this bot's database; creates its folder if missing."""
    if str(path) == ":memory:":
        return
    _check_location(path)
    if not path.exists():
        return  # a new database: migrations create it
    _check_access(path)
    if path.stat().st_size == 0:
        return  # SQLite treats an empty file as an empty database
    with path.open("rb") as file:
        if file.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise PreflightError(f"{path} is not a SQLite database; point DATABASE_PATH at the bot's database")
    try:
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as conn:
            problem = schema_problem(conn) or _damage(conn)
    except sqlite3.DatabaseError as error:
        raise PreflightError(f"{path} is damaged ({error}); restore a backup (python -m bot restore)") from None
    if problem:
        raise PreflightError(f"{path} {problem}")


def newest_known_migration() -> int:
    """The newest legacy migration: a pre-Alembic database recording a later one was written by newer code."""
    return LAST_LEGACY


def schema_problem(conn: sqlite3.Connection) -> str | None:
    """Why the database on `conn` is not a Koldoo database this code may migrate, or None when it is."""
    tables = _tables(conn)
    if "alembic_version" in tables:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        if row is not None and row[0] not in known_revisions():
            return (
                f"has schema revision {row[0]}, newer than this code knows ({head()}): "
                "run the Koldoo version that wrote it, or restore a backup"
            )
        return None
    applied = conn.execute("PRAGMA user_version").fetchone()[0]
    if not tables and applied == 0:
        return None
    if applied > newest_known_migration():
        return (
            f"has schema version {applied}, newer than this code knows ({newest_known_migration()}): "
            "run the Koldoo version that wrote it, or restore a backup"
        )
    if applied == 0:
        reason = f"tables {_names(tables)}, and no Koldoo schema version"
    elif missing := tables_created_by(applied) - tables:
        reason = f"schema version {applied}, but without its tables {_names(missing)}"
    else:
        return None
    return f"is not a Koldoo database ({reason}): point DATABASE_PATH at another file"


def _names(tables: set[str] | frozenset[str]) -> str:
    return ", ".join(sorted(tables)[:5]) + (", ..." if len(tables) > 5 else "")


@cache
def tables_created_by(applied: int) -> frozenset[str]:
    """The tables migrations 1..`applied` leave behind, found by running them on an empty database."""
    with closing(sqlite3.connect(":memory:")) as conn:
        for number, _, sql in legacy_migrations():
            if number <= applied:
                conn.executescript(sql)
        return frozenset(_tables(conn))


def _tables(conn: sqlite3.Connection) -> set[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    return {name for (name,) in rows}


def _damage(conn: sqlite3.Connection) -> str | None:
    """`quick_check` reads every page (without integrity_check's cross-checks of indexes), so a damaged page
    is found at start, not by the update that first reads it: about 2 s for 140 MB (a million users)."""
    result = conn.execute("PRAGMA quick_check(1)").fetchone()[0]
    if result == "ok":
        return None
    found = " ".join(result.replace("*** in database main ***", "").split())  # SQLite's report spans lines
    return f"is damaged ({found}); restore a backup (python -m bot restore)"


def _check_location(path: Path) -> None:
    """The path names a file in a folder the bot can write (SQLite keeps its -wal and -shm files beside it)."""
    if path.is_dir():
        raise PreflightError(f"DATABASE_PATH {path} is a folder; name a file in it, e.g. {path / 'koldoo.sqlite3'}")
    folder = path.parent
    for parent in (folder, *folder.parents):
        if parent.exists() and not parent.is_dir():
            raise PreflightError(f"DATABASE_PATH {path}: {parent} is a file, not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise PreflightError(f"DATABASE_PATH {path}: cannot create the folder {folder} ({error.strerror})") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PreflightError(
            f"DATABASE_PATH {path}: the folder {folder} is not writable for this user "
            "(SQLite writes its -wal and -shm files there)"
        )


def _check_access(path: Path) -> None:
    for file in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        if file.exists() and not os.access(file, os.R_OK | os.W_OK):
            raise PreflightError(f"{file} is read-only for this user: every update would fail to be recorded")
