"""The SQLite FSM storage beyond the contract (tests/test_storage_contract.py): persistence, its cache, expiry."""

from __future__ import annotations

import pytest
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import StorageKey

from bot.db.connection import Database
from bot.db.storage import SQLiteStorage
from tests.databases import trace

KEY = StorageKey(bot_id=42, chat_id=-100, user_id=7)


class Form(StatesGroup):
    name = State()


@pytest.fixture
async def storage(database: Database):
    return SQLiteStorage(database)


async def test_survives_reopening_the_database(db_url: str) -> None:
    path = db_url
    db = await Database.open(path)
    await SQLiteStorage(db).set_state(KEY, "waiting")
    await SQLiteStorage(db).set_data(KEY, {"entry": "2024-03-05", "name": "Айгүл"})
    await db.close()

    db = await Database.open(path)
    storage = SQLiteStorage(db)
    assert await storage.get_state(KEY) == "waiting"
    assert await storage.get_data(KEY) == {"entry": "2024-03-05", "name": "Айгүл"}
    await db.close()


async def test_reads_are_cached_and_unchanged_writes_cost_nothing(storage: SQLiteStorage) -> None:
    queries = trace(storage.db)
    assert await storage.get_state(KEY) is None  # one read
    await storage.set_state(KEY, None)  # no change: no write
    await storage.set_data(KEY, {})
    assert await storage.get_state(KEY) is None
    assert len(queries) == 1
    await storage.set_state(KEY, "asked")
    assert len(queries) == 2


async def test_data_handed_out_cannot_change_the_stored_data(storage: SQLiteStorage) -> None:
    await storage.set_data(KEY, {"trips": [["2024-01-01", None]]})
    data = await storage.get_data(KEY)
    data["trips"].append(["2025-01-01", None])
    assert await storage.get_data(KEY) == {"trips": [["2024-01-01", None]]}


async def test_forget_user_drops_cached_dialogues(db_url: str) -> None:
    db = await Database.open(db_url)
    storage = SQLiteStorage(db)
    await storage.set_state(KEY, "asked")
    await db.execute("DELETE FROM fsm_state WHERE user_id = ?", (KEY.user_id,))
    await storage.forget_user(KEY.user_id)
    assert await storage.get_state(KEY) is None
    await db.close()


async def test_the_cache_is_bounded(db_url: str) -> None:
    db = await Database.open(db_url)
    storage = SQLiteStorage(db, cached_keys=3)
    for user_id in range(10):
        await storage.set_state(StorageKey(bot_id=1, chat_id=user_id, user_id=user_id), "s")
    assert len(storage._cache) == 3
    assert await storage.get_state(StorageKey(bot_id=1, chat_id=0, user_id=0)) == "s"  # read back from disk
    await db.close()


async def test_keys_without_a_dialogue_are_answered_without_a_query(db_url: str) -> None:
    db = await Database.open(db_url)
    await SQLiteStorage(db).set_state(KEY, "open")  # a dialogue left open before a restart
    storage = SQLiteStorage(db)
    queries = trace(db)
    for user_id in range(100, 150):
        assert await storage.get_state(StorageKey(bot_id=42, chat_id=user_id, user_id=user_id)) is None
    assert len(queries) == 1  # the one load of the keys that have a dialogue
    assert await storage.get_state(KEY) == "open"
    await storage.set_state(KEY, None)
    await storage.set_data(KEY, {})
    assert await db.fetchval("SELECT count(*) FROM fsm_state") == 0  # leaving the dialogue deletes its row
    await db.close()


async def test_dialogues_untouched_for_a_day_are_dropped(storage: SQLiteStorage) -> None:
    from datetime import timedelta

    from bot.db.clock import utcnow

    fresh = StorageKey(bot_id=42, chat_id=8, user_id=8)
    await storage.set_state(KEY, "Form:phone")
    await storage.set_data(KEY, {"name": "Aigul", "phone": "+996555123456"})
    await storage.set_state(fresh, "Form:name")
    assert await storage.expire() == 0
    assert await storage.expire(utcnow() + timedelta(days=1, minutes=1)) == 2
    assert (await storage.get_state(KEY), await storage.get_data(KEY)) == (None, {})
    assert await storage.db.fetchval("SELECT COUNT(*) FROM fsm_state") == 0


async def test_a_dialogue_read_after_a_day_is_gone(db_url: str) -> None:
    db = await Database.open(db_url)
    try:
        await SQLiteStorage(db).set_data(KEY, {"phone": "+996555123456"})
        await db.execute("UPDATE fsm_state SET updated_at = '2020-01-01T00:00:00+00:00'")
        restarted = SQLiteStorage(db)  # a new process: nothing cached
        assert await restarted.get_data(KEY) == {}
        assert await db.fetchval("SELECT COUNT(*) FROM fsm_state") == 0
    finally:
        await db.close()
