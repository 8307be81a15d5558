"""The send pace shared by every replica, in Redis: Telegram counts a bot's messages, not a process's.

Each replica keeps its own queue of waiting senders, most urgent first and in arrival order (as
`services.pace.MemoryPace` does), and asks Redis for the slot of the one at the head: one Lua script checks
and takes it atomically, on Redis's clock, so replicas on machines whose clocks differ still agree.

- every message, replies included, counts in one rolling window; replies may fill it up to Telegram's cap,
  work that can wait (notifications, broadcasts) only up to `rate` (BROADCAST_RATE), so broadcasts on one
  replica leave room for replies on another;
- each chat has a token bucket (a short burst, then about one a second) and each group 20 a minute;
- a 429 seen by any replica pauses all of them for its `retry_after`.
"""

from __future__ import annotations

import asyncio
import itertools
import uuid
from dataclasses import dataclass

from redis.asyncio import Redis

from bot.services.pace import Limits, MemoryPace, Priority, is_group

# KEYS: window (zset), pause (string), chat bucket (hash), group window (zset), chat held (string)
# ARGV: threshold, window ms, chat rate per s, chat burst, is group, group count, group window ms, member
# Returns {0, 0} when the slot was taken, else {ms to wait, 1 (everyone waits) or 2 (this chat waits)}.
_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
if paused > now then return {paused - now, 1} end
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
local threshold = tonumber(ARGV[1])
if count >= threshold then
  local index = count - threshold
  local entry = redis.call('ZRANGE', KEYS[1], index, index, 'WITHSCORES')
  return {math.max(1, tonumber(entry[2]) + window - now), 1}
end
local held = tonumber(redis.call('GET', KEYS[5]) or '0')
if held > now then return {held - now, 2} end
local rate = tonumber(ARGV[3])
local burst = tonumber(ARGV[4])
local bucket = redis.call('HMGET', KEYS[3], 'tokens', 'at')
local tokens = tonumber(bucket[1]) or burst
local at = tonumber(bucket[2]) or now
tokens = math.min(burst, tokens + (now - at) * rate / 1000)
if tokens < 1 then return {math.max(1, math.ceil((1 - tokens) * 1000 / rate)), 2} end
local group_window = tonumber(ARGV[7])
if ARGV[5] == '1' then
  redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now - group_window)
  if redis.call('ZCARD', KEYS[4]) >= tonumber(ARGV[6]) then
    local first = redis.call('ZRANGE', KEYS[4], 0, 0, 'WITHSCORES')
    return {math.max(1, tonumber(first[2]) + group_window - now), 2}
  end
  redis.call('ZADD', KEYS[4], now, ARGV[8])
  redis.call('PEXPIRE', KEYS[4], group_window * 2)
end
redis.call('ZADD', KEYS[1], now, ARGV[8])
redis.call('PEXPIRE', KEYS[1], window * 2)
redis.call('HSET', KEYS[3], 'tokens', tostring(tokens - 1), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[3], math.ceil(burst * 1000 / rate) + 1000)
return {0, 0}
"""

# KEYS: pause (or one chat's hold); ARGV: seconds. The pause only ever grows: a shorter retry_after never shortens a longer one.
_PAUSE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local until_ms = now + math.ceil(tonumber(ARGV[1]) * 1000)
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if until_ms > current then redis.call('SET', KEYS[1], until_ms, 'PX', until_ms - now + 1000) end
return until_ms - now
"""

# KEYS: pause. Milliseconds left of the pause, 0 when none.
_PAUSE_LEFT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return math.max(0, tonumber(redis.call('GET', KEYS[1]) or '0') - now)
"""

EVERYONE, THIS_CHAT = 1, 2


@dataclass(eq=False)
class _Ticket:
    priority: Priority
    chat_id: int | str
    granted: asyncio.Future[None]


class RedisPace:
    """`services.pace.Pace` for several replicas; `prefix` names the bot (one Redis may serve several)."""

    POLL = 0.05  # seconds: the longest a replica waits before asking again (a slot freed by another replica)

    def __init__(self, redis: Redis, limits: Limits | None = None, prefix: str = "koldoo:pace") -> None:
        self.redis = redis
        self.limits = limits or Limits()
        self.prefix = prefix
        self._take = redis.register_script(_TAKE)
        self._pause = redis.register_script(_PAUSE)
        self._pause_left = redis.register_script(_PAUSE_LEFT)
        self._queues: dict[Priority, list[_Ticket]] = {priority: [] for priority in Priority}
        self._member = f"{uuid.uuid4().hex[:12]}:" + "{}"
        self._seq = itertools.count()
        self._changed = asyncio.Event()
        self._granting: asyncio.Task[None] | None = None

    async def penalise(self, seconds: float) -> None:
        await self._pause(keys=[self._key("pause")], args=[seconds])
        self._notify()

    async def hold_chat(self, chat_id: int | str, seconds: float) -> None:
        await self._pause(keys=[self._key(f"held:{chat_id}")], args=[seconds])
        self._notify()

    async def try_acquire(self, chat_id: int | str, priority: Priority = Priority.NOTICE) -> float:
        if any(self._queues[level] for level in Priority if level <= priority):
            return self.POLL  # those who wait here go first
        left_ms, _scope = await self._take(keys=self._keys(chat_id), args=self._args(chat_id, priority))
        return left_ms / 1000

    async def acquire(self, chat_id: int | str | None, priority: Priority = Priority.REPLY) -> None:
        if chat_id is None:  # sends no message: only a 429 pause holds it
            while left := int(await asyncio.shield(self._pause_left(keys=[self._key("pause")]))):  # noqa: ASYNC110 (set by another replica)
                await asyncio.sleep(left / 1000)
            return
        ticket = _Ticket(priority, chat_id, asyncio.get_running_loop().create_future())
        self._queues[priority].append(ticket)
        if self._granting is None or self._granting.done():
            self._granting = asyncio.ensure_future(self._grant_loop())
        self._notify()
        await ticket.granted

    async def _grant_loop(self) -> None:
        while any(self._queues.values()):
            wait = await self._grant_one()
            if wait is not None:
                await self._wait(min(wait, self.POLL))

    async def _grant_one(self) -> float | None:
        """Grant the most urgent ticket whose slot Redis gives: None when one was, else seconds to wait."""
        wait: float | None = None
        held: set[int | str] = set()  # chats told to wait in this pass: their later tickets wait too
        for queue in self._queues.values():
            queue[:] = [ticket for ticket in queue if not ticket.granted.done()]
            for ticket in list(queue):
                if ticket.chat_id in held:
                    continue
                left_ms, scope = await self._take(keys=self._keys(ticket.chat_id), args=self._args(ticket.chat_id, ticket.priority))
                if ticket.granted.done():  # gave up meanwhile; a slot it took is lost, which errs on the safe side
                    queue.remove(ticket)
                    continue
                if not left_ms:
                    queue.remove(ticket)
                    ticket.granted.set_result(None)
                    return None
                wait = left_ms / 1000 if wait is None else min(wait, left_ms / 1000)
                if scope == EVERYONE:  # a pause, or the window full even for replies: nobody less urgent goes
                    return wait
                held.add(ticket.chat_id)
        return wait if wait is not None else self.POLL

    def _keys(self, chat_id: int | str) -> list[str]:
        return [
            self._key("window"), self._key("pause"), self._key(f"chat:{chat_id}"), self._key(f"group:{chat_id}"),
            self._key(f"held:{chat_id}"),
        ]

    def _args(self, chat_id: int | str, priority: Priority) -> list[object]:
        limits = self.limits
        threshold = max(limits.cap, limits.rate) if priority == Priority.REPLY else limits.rate
        return [
            int(threshold), int(MemoryPace.WINDOW * 1000), limits.chat_rate * MemoryPace.CHAT_MARGIN,
            limits.chat_burst, "1" if is_group(chat_id) else "0", limits.group_count,
            int(limits.group_window * 1000), self._member.format(next(self._seq)),
        ]

    def _key(self, name: str) -> str:
        return f"{self.prefix}:{name}"

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._changed.wait(), timeout=seconds)
        except TimeoutError:
            pass
