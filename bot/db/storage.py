"""aiogram FSM storage in SQLite, so a half-finished dialogue survives a restart.

The whole StorageKey (bot, chat, user, thread, business connection, destiny) is the primary key, serialised
as JSON; the user id is also a column so /forget can delete a user's dialogues.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey

from bot.db.clock import now_iso
from bot.db.connection import Database


def _key(key: StorageKey) -> str:
    return json.dumps(
        [key.bot_id, key.chat_id, key.user_id, key.thread_id, key.business_connection_id, key.destiny]
    )


class SQLiteStorage(BaseStorage):
    def __init__(self, db: Database) -> None:
        self.db = db

    async def _upsert(self, key: StorageKey, column: str, value: str | None) -> None:
        await self.db.execute(
            f"""
            INSERT INTO fsm_state (key, bot_id, chat_id, user_id, thread_id, business_connection_id, destiny,
                                   {column}, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (key) DO UPDATE SET {column} = excluded.{column}, updated_at = excluded.updated_at
            """,
            (
                _key(key), key.bot_id, key.chat_id, key.user_id, key.thread_id, key.business_connection_id,
                key.destiny, value, now_iso(),
            ),
        )

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        await self._upsert(key, "state", value)

    async def get_state(self, key: StorageKey) -> str | None:
        return await self.db.fetchval("SELECT state FROM fsm_state WHERE key = ?", (_key(key),))

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        if not isinstance(data, Mapping):
            raise TypeError(f"FSM data must be a mapping, not {type(data).__name__}")
        await self._upsert(key, "data", json.dumps(dict(data), ensure_ascii=False, default=str))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        raw = await self.db.fetchval("SELECT data FROM fsm_state WHERE key = ?", (_key(key),))
        return json.loads(raw) if raw else {}

    async def close(self) -> None:
        """The database belongs to the app, which closes it."""
