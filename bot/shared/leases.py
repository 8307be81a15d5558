"""Background jobs (reminders, retention, broadcasts, the outbox, the handover) run on one replica at a time.

A job runs while its replica holds the job's lease in Redis: a key set with `NX` and a time to live,
renewed at a third of it. A replica that dies stops renewing, and another takes the job over when the key
expires; one that cannot renew in time (Redis away, the process frozen) stops the job first, so two
replicas never run it together for longer than a renewal's lateness. Each job's own rows stay safe across
the hand-over: the outbox and the broadcaster treat a row caught mid-send as ambiguous and never resend it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import TypeVar

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)
T = TypeVar("T")

# Renew only our own lease, and extend it: KEYS lease, ARGV owner, ttl ms.
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class Leases:
    """Redis calls are shielded: redis-py can swallow a cancellation that arrives mid-call, and a stopping
    bot must not find its job loop still waiting for a lease."""

    def __init__(self, redis: Redis, prefix: str, ttl: float = 15.0, owner: str | None = None) -> None:
        self.redis = redis
        self.prefix = prefix
        self.ttl = ttl
        self.owner = owner or uuid.uuid4().hex
        self._renew = redis.register_script(_RENEW)
        self._release = redis.register_script(_RELEASE)

    def _key(self, job: str) -> str:
        return f"{self.prefix}:lease:{job}"

    async def holder(self, job: str) -> str | None:
        value = await self.redis.get(self._key(job))
        return value.decode() if isinstance(value, bytes) else value

    async def run(self, job: str, body: Callable[[], Awaitable[T]]) -> T:
        """Wait for the lease, run `body` while it is held (again, if the lease was lost), return its result."""
        key, ttl_ms = self._key(job), int(self.ttl * 1000)
        while True:
            if not await self._take(key, ttl_ms):
                await asyncio.sleep(self.ttl / 3)
                continue
            log.info("lease.taken", extra={"job": job})
            work = asyncio.ensure_future(body())
            try:
                while True:
                    done, _ = await asyncio.wait({work}, timeout=self.ttl / 3)
                    if done:
                        return work.result()
                    if not await self._still_ours(key, ttl_ms):
                        log.warning("lease.lost", extra={"job": job})
                        break
            finally:
                if not work.done():
                    work.cancel()
                    await asyncio.wait({work})  # unlike `await work`, raises only if *this* task is cancelled
                with contextlib.suppress(RedisError):
                    await asyncio.shield(self._release(keys=[key], args=[self.owner]))

    async def _take(self, key: str, ttl_ms: int) -> bool:
        try:
            return bool(await asyncio.shield(self.redis.set(key, self.owner, nx=True, px=ttl_ms)))
        except RedisError as error:
            log.warning("lease.unreachable", extra={"error": type(error).__name__})
            return False

    async def _still_ours(self, key: str, ttl_ms: int) -> bool:
        try:
            renewal = asyncio.shield(self._renew(keys=[key], args=[self.owner, ttl_ms]))
            return bool(await asyncio.wait_for(renewal, self.ttl / 3))
        except (RedisError, TimeoutError):
            return False
