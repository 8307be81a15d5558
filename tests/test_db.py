"""The database layer: migrations, pragmas, transactions and deleting a user."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.db.connection import Database, migrations
from bot.db.users import forget_user, get_user, mark_blocked, set_locale, touch_user


@pytest.fixture
async def db(tmp_path: Path):
    database = await Database.open(tmp_path / "sub" / "koldoo.sqlite3")
    yield database
    await database.close()


async def test_opening_creates_the_folder_and_applies_every_migration(db: Database) -> None:
    assert db.path.parent.is_dir()
    assert await db.fetchval("PRAGMA user_version") == len(migrations())
    assert await db.fetchval("PRAGMA journal_mode") == "wal"
    assert await db.fetchval("PRAGMA foreign_keys") == 1
    assert await db.fetchval("PRAGMA busy_timeout") > 0


async def test_migrations_are_applied_once(tmp_path: Path) -> None:
    path = tmp_path / "k.sqlite3"
    first = await Database.open(path)
    await touch_user(first, 1)
    await first.close()
    second = await Database.open(path)
    assert await second.migrate() == len(migrations())
    assert await get_user(second, 1) is not None
    await second.close()


async def test_a_failed_transaction_leaves_nothing(db: Database) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO users (id, first_seen, last_seen) VALUES (1, 'a', 'a')")
            await conn.execute("INSERT INTO users (id, first_seen, last_seen) VALUES (1, 'a', 'a')")
    assert await db.fetchval("SELECT count(*) FROM users") == 0


async def test_touch_creates_then_updates_and_unblocks(db: Database) -> None:
    created = await touch_user(db, 5)
    assert created.locale is None and not created.was_blocked
    await set_locale(db, 5, "ky")
    await mark_blocked(db, 5)
    again = await touch_user(db, 5)
    assert again.locale == "ky"
    assert again.was_blocked
    assert not (await get_user(db, 5)).blocked


async def test_touch_keeps_the_telegram_language_we_speak(db: Database) -> None:
    assert (await touch_user(db, 6, "ky")).telegram_locale == "ky"
    again = await touch_user(db, 6, None)  # a client language we don't speak keeps the one known
    assert again.telegram_locale == "ky" and again.language == "ky" and again.locale is None
    await set_locale(db, 6, "ru")
    user = await get_user(db, 6)
    assert (user.locale, user.telegram_locale, user.language) == ("ru", "ky", "ru")  # a choice wins


async def test_forget_deletes_the_user_and_their_dialogues(db: Database) -> None:
    await touch_user(db, 9)
    await db.execute(
        "INSERT INTO fsm_state (key, bot_id, chat_id, user_id, destiny, state, updated_at) "
        "VALUES ('k', 1, 9, 9, 'default', 's', 'now')"
    )
    await forget_user(db, 9)
    assert await get_user(db, 9) is None
    assert await db.fetchval("SELECT count(*) FROM fsm_state WHERE user_id = 9") == 0


async def test_updates_arriving_together_share_one_statement(db: Database) -> None:
    import asyncio

    from bot.db.users import UserRecorder

    await touch_user(db, 1)
    await set_locale(db, 1, "ky")
    await mark_blocked(db, 1)
    recorder = UserRecorder(db)
    statements: list[str] = []
    await db.conn.set_trace_callback(statements.append)
    records = await asyncio.gather(*(recorder.touch(user_id) for user_id in (1, 2, 3, 2)))
    assert [r.id for r in records] == [1, 2, 3, 2]
    assert records[0].locale == "ky" and records[0].was_blocked  # the returning user is unblocked...
    assert not (await get_user(db, 1)).blocked
    # ...and all share one write (SQLite traces a statement again for each trigger it runs: count distinct ones)
    assert len({s for s in statements if s.lstrip().startswith("INSERT INTO users")}) == 1
    assert await db.fetchval("SELECT count(*) FROM users") == 3


async def test_a_failed_write_reaches_every_waiting_update(tmp_path: Path) -> None:
    from bot.db.users import UserRecorder

    database = await Database.open(tmp_path / "k.sqlite3")
    recorder = UserRecorder(database)
    await database.close()
    with pytest.raises(ValueError):
        await recorder.touch(5)
