"""Alembic, run from the bot: `Database.migrate` hands over its connection, already in a transaction.

A SQLite database of the legacy schema (see bot.db.legacy) has no `alembic_version` table: it is stamped at
the baseline, since that revision builds exactly what the legacy files built, and keeps every row.
"""

from __future__ import annotations

from functools import cache

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from bot.db.legacy import STAMPS

BASELINE = "0001_baseline"
_LOCK_KEY = 4_246_071_923  # pg_advisory_xact_lock: two replicas starting at once migrate one after the other


def config(connection: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", "bot.db:migrations")
    cfg.attributes["connection"] = connection
    return cfg


@cache
def scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(config())


def head() -> str:
    return scripts().get_current_head()


def known_revisions() -> frozenset[str]:
    return frozenset(script.revision for script in scripts().walk_revisions())


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(connection: Connection) -> str:
    """Stamp a legacy database at the baseline, then apply every newer revision; returns the head."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_LOCK_KEY})")
    names = set(inspect(connection).get_table_names())
    if "alembic_version" not in names and "users" in names and connection.dialect.name == "sqlite":
        legacy = connection.exec_driver_sql("PRAGMA user_version").scalar()
        command.stamp(config(connection), STAMPS.get(legacy, BASELINE))
    if current_revision(connection) != head():
        command.upgrade(config(connection), "head")
    return head()
