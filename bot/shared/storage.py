"""Dialogue state for several replicas: aiogram's RedisStorage and RedisEventIsolation, keyed by bot and
destiny, so one user's updates never run at once on two replicas and a dialogue begun on one finishes on
another. A dialogue left untouched for `DIALOGUE_TTL` expires in Redis itself, as the SQLite storage's
hourly sweep does for one process."""

from __future__ import annotations

from aiogram.fsm.storage.redis import DefaultKeyBuilder, RedisEventIsolation, RedisStorage
from redis.asyncio import Redis

from bot.db.storage import DIALOGUE_TTL


def key_builder(prefix: str = "koldoo:fsm") -> DefaultKeyBuilder:
    return DefaultKeyBuilder(prefix=prefix, with_bot_id=True, with_business_connection_id=True, with_destiny=True)


KEY_BUILDER = key_builder()


class SharedStorage(RedisStorage):
    def __init__(self, redis: Redis, keys: DefaultKeyBuilder = KEY_BUILDER) -> None:
        super().__init__(redis, key_builder=keys, state_ttl=DIALOGUE_TTL, data_ttl=DIALOGUE_TTL)

    async def forget_user(self, user_id: int) -> int:
        """Delete every dialogue of a user, in any chat, of any bot (/forget); returns how many keys."""
        # prefix:bot[:business]:chat[:thread]:user:destiny:part -- the user is third from the end
        pattern = f"{self.key_builder.prefix}:*:{user_id}:*"
        keys = [key async for key in self.redis.scan_iter(match=pattern, count=500)]
        mine = [key for key in keys if _user_of(key) == user_id]
        if mine:
            await self.redis.delete(*mine)
        return len(mine)


def _user_of(key: bytes | str) -> int | None:
    parts = (key.decode() if isinstance(key, bytes) else key).split(":")
    try:
        return int(parts[-3])
    except (IndexError, ValueError):
        return None


def shared_isolation(redis: Redis) -> RedisEventIsolation:
    return RedisEventIsolation(redis, key_builder=KEY_BUILDER)

