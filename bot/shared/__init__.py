"""State that several replicas of the bot must agree on, kept in Redis (REDIS_URL): dialogue state and the
per-user lock, the send pace, which replica runs each background job, which updates were already handled and
which webhook configuration is set. With no REDIS_URL the bot is one process and keeps all of it in memory
or in SQLite."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from aiogram.fsm.storage.redis import RedisEventIsolation
from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.services.pace import Limits
from bot.shared.leases import Leases
from bot.shared.pace import RedisPace
from bot.shared.storage import SharedStorage, shared_isolation
from bot.shared.updates import RedisLedger


class SharedStateError(Exception):
    """REDIS_URL is set but Redis does not answer; the message is one line."""


@dataclass
class Shared:
    redis: Redis
    prefix: str  # one Redis may serve several bots: every key carries the bot's id
    pace: RedisPace
    storage: SharedStorage
    isolation: RedisEventIsolation
    leases: Leases
    ledger: RedisLedger

    async def ping(self) -> bool:
        try:
            return bool(await asyncio.wait_for(self.redis.ping(), timeout=2))
        except (RedisError, OSError, TimeoutError):
            return False

    async def close(self) -> None:
        await self.redis.aclose()


async def connect(redis_url: str, bot_id: int, limits: Limits) -> Shared:
    """Connect and check that Redis answers, before anything else starts."""
    redis = Redis.from_url(redis_url, socket_connect_timeout=5, health_check_interval=30)
    try:
        await asyncio.wait_for(redis.ping(), timeout=5)
    except (RedisError, OSError, TimeoutError) as error:
        await redis.aclose()
        reason = " ".join(str(error).split()) or type(error).__name__
        raise SharedStateError(f"REDIS_URL: Redis does not answer ({reason})") from None
    prefix = f"koldoo:{bot_id}"
    return Shared(
        redis=redis,
        prefix=prefix,
        pace=RedisPace(redis, limits, prefix=f"{prefix}:pace"),
        storage=SharedStorage(redis),
        isolation=shared_isolation(redis),
        leases=Leases(redis, prefix),
        ledger=RedisLedger(redis, prefix),
    )
