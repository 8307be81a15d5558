"""The databases tests run on: a SQLite file per test, and a PostgreSQL database per xdist worker.

PostgreSQL is at KOLDOO_TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/test, trust auth).
Each worker creates and migrates its own database (`koldoo_test_gw0`...) once, and empties it before every
test with one TRUNCATE, which is much faster than migrating again. When PostgreSQL does not answer, the
PostgreSQL half of the tests is skipped with one line; in CI (the CI variable set) it fails instead.

`KOLDOO_TEST_DATABASE=postgresql` runs the end-to-end harness (tests/conftest.py) on PostgreSQL too.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import event
from sqlalchemy.engine import make_url

from bot.db.connection import Database
from bot.db.tables import metadata

POSTGRES_URL = os.environ.get("KOLDOO_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
BACKENDS = ("sqlite", "postgresql")
E2E_BACKEND = os.environ.get("KOLDOO_TEST_DATABASE", "sqlite")

_prepared: dict[str, str | None] = {}  # worker database URL, or None when PostgreSQL did not answer
_unavailable: list[str] = []


def _worker_database() -> str:
    return f"koldoo_test_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"


async def _prepare() -> str | None:
    base = make_url(POSTGRES_URL)
    name = _worker_database()
    try:
        conn = await asyncpg.connect(
            host=base.host, port=base.port or 5432, user=base.username, password=base.password,
            database=base.database, timeout=5,
        )
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        _unavailable.append(f"{type(error).__name__}: {error}")
        return None
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    url = base.set(database=name).render_as_string(hide_password=False)
    db = await Database.open(url)  # migrated once per worker
    await db.close()
    return url


async def postgres_url() -> str:
    """The worker's PostgreSQL database, emptied; skips (fails in CI) when PostgreSQL does not answer."""
    if "url" not in _prepared:
        _prepared["url"] = await _prepare()
    url = _prepared["url"]
    if url is None:
        reason = (
            f"PostgreSQL does not answer at KOLDOO_TEST_POSTGRES_URL={POSTGRES_URL} ({_unavailable[0]}): "
            "set KOLDOO_TEST_POSTGRES_URL to run these tests on PostgreSQL"
        )
        if os.environ.get("CI"):
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    await truncate(url)
    return url


async def truncate(url: str) -> None:
    parsed = make_url(url)
    conn = await asyncpg.connect(
        host=parsed.host, port=parsed.port or 5432, user=parsed.username, password=parsed.password,
        database=parsed.database,
    )
    try:
        await conn.execute(f"TRUNCATE {', '.join(metadata.tables)} RESTART IDENTITY CASCADE")
    finally:
        await conn.close()


async def database_url(backend: str, tmp_path: Path) -> str:
    """A URL `Database.open` accepts, for a database that is empty (or new) at the start of the test."""
    if backend == "postgresql":
        return await postgres_url()
    return f"sqlite:///{tmp_path / 'koldoo.sqlite3'}"


def trace(db: Database) -> list[str]:
    """Every statement the database is sent from now on (on SQLite, without those its triggers run)."""
    statements: list[str] = []

    def record(_conn, _cursor, statement: str, *_args) -> None:
        statements.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", record)
    return statements


def only(backend: str) -> Callable:
    """Mark a test that is about one database's own behaviour (PRAGMAs, the file on disk)."""
    return pytest.mark.parametrize("backend", [backend], indirect=True)
