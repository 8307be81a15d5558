"""Operator tools: online backup, verified restore (refused while the bot runs), a user's data as JSON."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.db import ops
from bot.db.connection import Database
from bot.db.users import set_locale, touch_user

ROOT = Path(__file__).resolve().parent.parent


def cli(*args: str, database: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT), "DATABASE_PATH": str(database)}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=database.parent, env=env, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.fixture
async def database(tmp_path: Path) -> Path:
    path = tmp_path / "koldoo.sqlite3"
    db = await Database.open(path)
    for user_id in range(1, 51):
        await touch_user(db, user_id)
    await set_locale(db, 7, "ky")
    await db.execute(
        "INSERT INTO audit_log (actor_id, action, target, at) VALUES (7, 'test.action', 'x', '2026-01-01')"
    )
    await db.close()
    return path


async def test_backup_of_a_live_database_is_complete_and_verified(database: Path, tmp_path: Path) -> None:
    live = await Database.open(database)  # the bot keeps its connection open and writing
    await touch_user(live, 51)
    target = tmp_path / "backups" / "copy.sqlite3"
    result = cli("backup", str(target), database=database)
    assert result.returncode == 0, result.stderr
    assert "integrity ok" in result.stdout
    await live.close()
    with sqlite3.connect(target) as conn:
        assert conn.execute("SELECT count(*) FROM users").fetchone()[0] == 51
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_backup_without_a_database_says_so(tmp_path: Path) -> None:
    result = cli("backup", str(tmp_path / "b.sqlite3"), database=tmp_path / "missing.sqlite3")
    assert result.returncode == 1
    assert result.stderr.strip() == f"{tmp_path / 'missing.sqlite3'}: no database to back up"


async def test_restore_replaces_the_database_with_the_backup(database: Path, tmp_path: Path) -> None:
    target = tmp_path / "copy.sqlite3"
    ops.backup(database, target)
    db = await Database.open(database)
    await db.execute("DELETE FROM users")
    await db.close()
    result = cli("restore", str(target), database=database)
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT count(*) FROM users").fetchone()[0] == 50


async def test_restore_is_refused_while_the_bot_runs(database: Path, tmp_path: Path) -> None:
    target = tmp_path / "copy.sqlite3"
    ops.backup(database, target)
    with ops.running_lock(database):
        result = cli("restore", str(target), database=database)
    assert result.returncode == 1
    assert "another Koldoo process is using" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("content", [b"", b"not a database at all" * 100])
async def test_restore_verifies_the_backup_first(database: Path, tmp_path: Path, content: bytes) -> None:
    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(content)
    before = database.read_bytes()
    result = cli("restore", str(broken), database=database)
    assert result.returncode == 1
    assert str(broken) in result.stderr
    assert database.read_bytes() == before


def test_restore_refuses_a_database_of_another_program(database: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE things (x)")
    with pytest.raises(ops.OpsError, match="not a Koldoo database"):
        ops.restore(other, database)


def test_user_data_lists_every_row_about_the_user(database: Path) -> None:
    result = cli("user-data", "7", database=database)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["user_id"] == 7
    assert data["users"][0]["id"] == 7 and data["users"][0]["locale"] == "ky"
    assert data["audit_log"][0]["action"] == "test.action"
    assert "fsm_state" not in data  # nothing stored there for this user


async def test_user_data_includes_notes_and_audit_rows_about_the_user(database: Path) -> None:
    from bot.db.referrals import add_note, create_referral
    from bot.db.staff import grant
    from bot.services.referrals import Kind

    db = await Database.open(database)
    try:
        referral, _ = await create_referral(
            db, user_id=7, kind=Kind.TRAINING, item_id="vocational_lyceums", name="Aigul", phone="+996555123456",
            region="osh", city="Osh", comment=None,
        )
        await add_note(db, referral.id, actor_id=900, note="Called, comes on Monday")
        await grant(db, 900, 7, "volunteer")
        await grant(db, 900, 8, "volunteer")
    finally:
        await db.close()
    data = ops.user_data(database, 7)
    assert [event["note"] for event in data["referral_events"]] == ["Called, comes on Monday"]
    granted = [row for row in data["audit_log"] if row["action"] == "staff.grant"]
    assert [(row["actor_id"], row["target"]) for row in granted] == [(900, "7")]
    assert data["staff"][0]["role"] == "volunteer"


def test_user_data_of_an_unknown_user_is_empty(database: Path) -> None:
    assert ops.user_data(database, 999) == {"user_id": 999}


async def test_user_data_reads_either_database(db_url: str) -> None:
    """The same answer from SQLite and PostgreSQL, timestamps as ISO 8601."""
    db = await Database.open(db_url)
    try:
        await touch_user(db, 7)
        await set_locale(db, 7, "ru")
    finally:
        await db.close()
    data = ops.user_data(db_url, 7)
    assert data["users"][0]["id"] == 7 and data["users"][0]["locale"] == "ru"
    assert data["users"][0]["first_seen"].endswith("+00:00")
    assert data["user_interests"] == [{"user_id": 7, "topic": "safety"}]
    assert ops.user_data(db_url, 8) == {"user_id": 8}
