"""aiogram FSM storage in SQLite, so a half-finished dialogue survives a restart.

The whole StorageKey (bot, chat, user, thread, business connection, destiny) is the primary key, serialised
as JSON; the user id is also a column so /forget can delete a user's dialogues.

aiogram reads the state of every update, and most updates come from people in no dialogue. A row exists only
while a dialogue is open (leaving one deletes it), so the storage keeps the set of keys that have a row, and a
write-through cache of recent records: a key without a row, or a recent one, is answered from memory, and a
write that changes nothing costs nothing. Only one bot process uses a database (see
`bot.db.ops.running_lock`), so memory cannot go stale behind its back.

A dialogue untouched for `DIALOGUE_TTL` is dropped (`expire`, run every hour, and on reading a row that old):
an abandoned referral form would otherwise keep a name and phone for ever.
"""

from __future__ import annotations

import copy
import json
from collections import OrderedDict
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from aiogram.exceptions import DataNotDictLikeError
from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StateType, StorageKey

from bot.db.clock import utcnow
from bot.db.connection import Database

CACHED_KEYS = 10_000
DIALOGUE_TTL = timedelta(days=1)

Record = tuple[str | None, dict[str, Any]]  # (state, data)


def _key(key: StorageKey) -> str:
    return json.dumps(
        [key.bot_id, key.chat_id, key.user_id, key.thread_id, key.business_connection_id, key.destiny]
    )


def _cutoff(now: datetime | None) -> datetime:
    return (now or utcnow()) - DIALOGUE_TTL


class SQLiteStorage(BaseStorage):
    def __init__(self, db: Database, cached_keys: int = CACHED_KEYS) -> None:
        self.db = db
        self.cached_keys = cached_keys
        self._cache: OrderedDict[str, Record] = OrderedDict()
        self._keys_with_rows: set[str] | None = None  # loaded on first use

    async def _record(self, key: str) -> Record:
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        if self._keys_with_rows is None:
            self._keys_with_rows = {row["key"] for row in await self.db.fetchall("SELECT key FROM fsm_state")}
        if key not in self._keys_with_rows:
            return (None, {})
        row = await self.db.fetchone("SELECT state, data, updated_at FROM fsm_state WHERE key = ?", (key,))
        if row is not None and row["updated_at"] < _cutoff(None):
            await self.db.execute("DELETE FROM fsm_state WHERE key = ? AND updated_at = ?", (key, row["updated_at"]))
            row = None
        record: Record = (row["state"], json.loads(row["data"])) if row else (None, {})
        self._remember(key, record)
        return record

    def _remember(self, key: str, record: Record) -> None:
        self._cache[key] = record
        self._cache.move_to_end(key)
        while len(self._cache) > self.cached_keys:
            self._cache.popitem(last=False)

    async def _write(self, key: StorageKey, state: str | None, data: dict[str, Any]) -> None:
        raw = _key(key)
        if state is None and not data:
            await self.db.execute("DELETE FROM fsm_state WHERE key = ?", (raw,))
            self._row_gone(raw)
        else:
            await self.db.execute(
                """
                INSERT INTO fsm_state (key, bot_id, chat_id, user_id, thread_id, business_connection_id,
                                       destiny, state, data, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (key) DO UPDATE SET state = excluded.state, data = excluded.data,
                                                updated_at = excluded.updated_at
                """,
                (
                    raw, key.bot_id, key.chat_id, key.user_id, key.thread_id, key.business_connection_id,
                    key.destiny, state, json.dumps(data, ensure_ascii=False, default=str), utcnow(),
                ),
            )
            if self._keys_with_rows is not None:
                self._keys_with_rows.add(raw)
        self._remember(raw, (state, data))

    def _row_gone(self, raw: str) -> None:
        self._cache.pop(raw, None)
        if self._keys_with_rows is not None:
            self._keys_with_rows.discard(raw)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        value = state.state if isinstance(state, State) else state
        current_state, data = await self._record(_key(key))
        if value != current_state:
            await self._write(key, value, data)

    async def get_state(self, key: StorageKey) -> str | None:
        return (await self._record(_key(key)))[0]

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        if not isinstance(data, Mapping):
            raise DataNotDictLikeError(f"FSM data must be a mapping, not {type(data).__name__}")  # as aiogram's storages
        state, current_data = await self._record(_key(key))
        # A round trip through JSON is what a restart would give back: keep the cache identical to it.
        new_data = json.loads(json.dumps(dict(data), ensure_ascii=False, default=str))
        if new_data != current_data:
            await self._write(key, state, new_data)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return copy.deepcopy((await self._record(_key(key)))[1])  # callers may change what they get

    async def forget_user(self, user_id: int) -> None:
        """Drop a user's cached dialogues after their rows were deleted (/forget); async like SharedStorage's."""
        for raw in [raw for raw in (*self._cache, *(self._keys_with_rows or ())) if json.loads(raw)[2] == user_id]:
            self._row_gone(raw)

    async def expire(self, now: datetime | None = None) -> int:
        """Delete the dialogues untouched for `DIALOGUE_TTL`; returns how many."""
        rows = await self.db.fetchall(
            "DELETE FROM fsm_state WHERE updated_at < ? RETURNING key", (_cutoff(now),)
        )
        for row in rows:
            self._row_gone(row["key"])
        return len(rows)

    async def close(self) -> None:
        """The database belongs to the app, which closes it."""
