"""The database layer: migrations, pragmas, transactions and deleting a user."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.db.connection import Database
from bot.db.errors import IntegrityError
from bot.db.legacy import BASELINE_LEGACY
from bot.db.migrate import head
from bot.db.users import forget_user, get_user, mark_blocked, set_locale, touch_user
from tests.databases import trace


@pytest.fixture
async def db(database: Database) -> Database:
    return database


async def test_opening_creates_the_folder_and_sets_the_pragmas(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "sub" / "koldoo.sqlite3")
    try:
        assert db.path.parent.is_dir()
        assert await db.fetchval("SELECT version_num FROM alembic_version") == head()
        assert await db.fetchval("PRAGMA user_version") == BASELINE_LEGACY  # what older Koldoo versions read
        assert await db.fetchval("PRAGMA journal_mode") == "wal"
        assert await db.fetchval("PRAGMA foreign_keys") == 1
        assert await db.fetchval("PRAGMA busy_timeout") > 0
        assert await db.fetchval("PRAGMA secure_delete") == 1
    finally:
        await db.close()


async def test_migrations_are_applied_once(db_url: str) -> None:
    first = await Database.open(db_url)
    await touch_user(first, 1)
    await first.close()
    second = await Database.open(db_url)
    assert await second.migrate() == head()
    assert await get_user(second, 1) is not None
    await second.close()


async def test_a_failed_transaction_leaves_nothing(db: Database) -> None:
    now = datetime.now(UTC)
    with pytest.raises(IntegrityError):
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO users (id, first_seen, last_seen) VALUES (1, ?, ?)", (now, now))
            await conn.execute("INSERT INTO users (id, first_seen, last_seen) VALUES (1, ?, ?)", (now, now))
    assert await db.fetchval("SELECT count(*) FROM users") == 0


async def test_timestamps_and_telegram_ids_round_trip(db: Database) -> None:
    """64-bit ids, and aware datetimes back from a timestamp column, whatever went in."""
    big = 7_000_000_000  # beyond 32 bits: newer Telegram ids
    moment = datetime(2026, 3, 1, 12, 30, 15, 250_000, tzinfo=UTC)
    await db.execute("INSERT INTO users (id, first_seen, last_seen) VALUES (?, ?, ?)", (big, moment, moment))
    row = await db.fetchone("SELECT id, first_seen FROM users WHERE first_seen >= ?", (moment,))
    assert row["id"] == big and row["first_seen"] == moment and row["first_seen"].tzinfo is not None
    assert dict(row) == {"id": big, "first_seen": moment}
    # the default subscription a new user gets (a trigger on both databases)
    assert await db.fetchval("SELECT topic FROM user_interests WHERE user_id = ?", (big,)) == "safety"


async def test_transactions_of_concurrent_tasks_do_not_mix(db: Database) -> None:
    """A task's transaction never swallows another task's statement, and writers never see "locked"."""
    now = datetime.now(UTC)

    async def add(user_id: int) -> None:
        async with db.transaction() as conn:
            await conn.execute("INSERT INTO users (id, first_seen, last_seen) VALUES (?, ?, ?)", (user_id, now, now))
            await asyncio.sleep(0)
            if user_id % 2:
                raise RuntimeError("rolled back")

    results = await asyncio.gather(*(add(user_id) for user_id in range(1, 21)), return_exceptions=True)
    assert sum(isinstance(result, RuntimeError) for result in results) == 10
    assert [row[0] for row in await db.fetchall("SELECT id FROM users ORDER BY id")] == list(range(2, 21, 2))


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
        "VALUES ('k', 1, 9, 9, 'default', 's', ?)",
        (datetime.now(UTC),),
    )
    await forget_user(db, 9)
    assert await get_user(db, 9) is None
    assert await db.fetchval("SELECT count(*) FROM fsm_state WHERE user_id = 9") == 0


async def test_updates_arriving_together_share_one_statement(db: Database) -> None:
    from bot.db.users import UserRecorder

    await touch_user(db, 1)
    await set_locale(db, 1, "ky")
    await mark_blocked(db, 1)
    recorder = UserRecorder(db)
    statements = trace(db)
    records = await asyncio.gather(*(recorder.touch(user_id) for user_id in (1, 2, 3, 2)))
    assert [r.id for r in records] == [1, 2, 3, 2]
    assert records[0].locale == "ky" and records[0].was_blocked  # the returning user is unblocked...
    assert not (await get_user(db, 1)).blocked
    # ...and all share one write
    assert len([s for s in statements if s.lstrip().startswith("INSERT INTO users")]) == 1
    assert await db.fetchval("SELECT count(*) FROM users") == 3


async def test_a_failed_write_reaches_every_waiting_update(db_url: str) -> None:
    from bot.db.users import UserRecorder

    database = await Database.open(db_url)
    recorder = UserRecorder(database)
    await database.close()
    with pytest.raises(ValueError):
        await recorder.touch(5)
