"""`python -m bot migrate` and `python -m bot copy-db`: the real commands, on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bot.db.connection import Database
from bot.db.migrate import head
from bot.db.tables import metadata
from tests.databases import postgres_url
from tests.test_migrations import ROWS, legacy_database

ROOT = Path(__file__).resolve().parent.parent


def cli(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), **env},
    )


async def test_migrate_applies_the_migrations_and_says_the_revision(db_url: str, tmp_path: Path) -> None:
    result = cli("migrate", cwd=tmp_path, DATABASE_URL=db_url)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"database at revision {head()}"


def test_migrate_upgrades_a_legacy_sqlite_file_given_by_database_path(tmp_path: Path) -> None:
    legacy_database(tmp_path / "old.sqlite3")
    result = cli("migrate", cwd=tmp_path, DATABASE_PATH="old.sqlite3")
    assert (result.returncode, result.stdout.strip()) == (0, f"database at revision {head()}"), result.stderr


def test_migrate_names_an_unreachable_postgresql_in_one_line(tmp_path: Path) -> None:
    result = cli("migrate", cwd=tmp_path, DATABASE_URL="postgresql://koldoo:secret@127.0.0.1:1/koldoo")
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert line.startswith("DATABASE_URL: cannot reach PostgreSQL at 127.0.0.1:1 (")
    assert "secret" not in line


def test_a_wrong_database_url_is_one_line(tmp_path: Path) -> None:
    result = cli("migrate", cwd=tmp_path, DATABASE_URL="mysql://localhost/koldoo")
    assert (result.returncode, result.stderr.splitlines()) == (2, [
        "DATABASE_URL is invalid: must start with sqlite:/// (a file) or postgresql:// (user:password@host/database)"
    ])


async def test_copy_db_moves_every_row_from_sqlite_to_postgresql(tmp_path: Path) -> None:
    target = await postgres_url()
    legacy_database(tmp_path / "koldoo.sqlite3")  # what the current code wrote: a row in every table
    source = f"sqlite:///{tmp_path / 'koldoo.sqlite3'}"
    result = cli("copy-db", source, target, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1] == f"copied {len(ROWS) + 2} rows in {len(metadata.tables)} tables; row counts match"
    assert "users: 1 rows" in lines and "subscriptions: 1 rows" in lines  # the trigger added no second one
    db = await Database.open(target)
    try:
        assert await db.fetchval("SELECT first_seen FROM users") == (await _first_seen(source))
        # the sequences start after the copied ids
        new_id = await db.fetchval(
            "INSERT INTO web_login_failures (client, at) VALUES ('x', ?) RETURNING id", ("2026-03-02T00:00:00+00:00",)
        )
        assert new_id == 2
    finally:
        await db.close()
    again = cli("copy-db", source, target, cwd=tmp_path)
    assert again.returncode == 1
    assert again.stderr.splitlines() == [
        "TARGET_URL: table audit_log already has rows; copy-db needs an empty database"
    ]


async def _first_seen(url: str):
    db = await Database.open(url)
    try:
        return await db.fetchval("SELECT first_seen FROM users")
    finally:
        await db.close()
