"""The dialogue-state contract, after aiogram's own storage tests, for both storages the bot runs on: SQLite
(one process) and Redis (several replicas, REDIS_URL)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiogram.exceptions import DataNotDictLikeError
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import BaseStorage, StorageKey

from bot.db.connection import Database
from bot.db.storage import SQLiteStorage
from bot.shared.storage import SharedStorage, key_builder
from tests.redis_helpers import clear, connect, new_prefix

KEY = StorageKey(bot_id=42, chat_id=-100, user_id=7)


class Form(StatesGroup):
    name = State()


@pytest.fixture(params=["sqlite", "redis"])
async def storage(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[BaseStorage]:
    if request.param == "sqlite":
        db = await Database.open(tmp_path / "fsm.sqlite3")
        yield SQLiteStorage(db)
        await db.close()
    else:
        client, prefix = await connect(), new_prefix()  # this test's own keys, removed afterwards
        yield SharedStorage(client, key_builder(f"{prefix}:fsm"))
        await clear(client, prefix)
        await client.aclose()


async def test_set_and_get_state(storage: BaseStorage) -> None:
    assert await storage.get_state(KEY) is None
    await storage.set_state(KEY, "state")
    assert await storage.get_state(KEY) == "state"
    await storage.set_state(KEY, None)
    assert await storage.get_state(KEY) is None


async def test_state_object_is_stored_by_name(storage: BaseStorage) -> None:
    await storage.set_state(KEY, Form.name)
    assert await storage.get_state(KEY) == "Form:name"


async def test_set_and_get_data(storage: BaseStorage) -> None:
    assert await storage.get_data(KEY) == {}
    await storage.set_data(KEY, {"foo": "bar", "n": [1, 2]})
    assert await storage.get_data(KEY) == {"foo": "bar", "n": [1, 2]}
    await storage.set_data(KEY, {})
    assert await storage.get_data(KEY) == {}


async def test_update_data(storage: BaseStorage) -> None:
    assert await storage.update_data(KEY, {"foo": "bar"}) == {"foo": "bar"}
    assert await storage.update_data(KEY, {"baz": "spam"}) == {"foo": "bar", "baz": "spam"}
    assert await storage.get_data(KEY) == {"foo": "bar", "baz": "spam"}


async def test_get_value(storage: BaseStorage) -> None:
    await storage.set_data(KEY, {"hello": "world"})
    assert await storage.get_value(KEY, "hello") == "world"
    assert await storage.get_value(KEY, "missing") is None
    assert await storage.get_value(KEY, "missing", "default") == "default"


async def test_state_and_data_are_independent(storage: BaseStorage) -> None:
    await storage.set_data(KEY, {"a": 1})
    await storage.set_state(KEY, "s")
    await storage.set_state(KEY, None)
    assert await storage.get_data(KEY) == {"a": 1}


@pytest.mark.parametrize(
    "other",
    [
        StorageKey(bot_id=43, chat_id=-100, user_id=7),
        StorageKey(bot_id=42, chat_id=-101, user_id=7),
        StorageKey(bot_id=42, chat_id=-100, user_id=8),
        StorageKey(bot_id=42, chat_id=-100, user_id=7, thread_id=5),
        StorageKey(bot_id=42, chat_id=-100, user_id=7, business_connection_id="bc1"),
        StorageKey(bot_id=42, chat_id=-100, user_id=7, destiny="other"),
    ],
    ids=["bot", "chat", "user", "thread", "business", "destiny"],
)
async def test_every_key_part_separates_records(storage: BaseStorage, other: StorageKey) -> None:
    await storage.set_state(KEY, "mine")
    await storage.set_data(KEY, {"who": "mine"})
    assert await storage.get_state(other) is None
    assert await storage.get_data(other) == {}
    await storage.set_state(other, "theirs")
    assert await storage.get_state(KEY) == "mine"


async def test_non_mapping_data_is_refused(storage: BaseStorage) -> None:
    with pytest.raises(DataNotDictLikeError):
        await storage.set_data(KEY, ["not", "a", "dict"])  # type: ignore[arg-type]
