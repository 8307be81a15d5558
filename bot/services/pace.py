"""The one pace every outgoing Bot API call of this bot passes: replies, notifications and broadcasts alike.

Telegram limits a bot three ways: about 30 messages a second in all, about one a second to one chat (short
bursts allowed) and 20 a minute to one group; beyond them it answers 429 with a `retry_after` that holds
back every sender of the bot. So the pace is shared, and has a small interface that a store shared by
several replicas (Redis) can implement as well as this in-memory one:

- `acquire(chat_id, priority)` waits until a message to that chat may go: no 429 pause running, the chat
  and group under their limits, and, for work that can wait, a slot under the global rate with nobody more
  urgent waiting. `chat_id=None` is a call that sends no message (an edit, a callback answer): it only waits
  out a pause.
- `penalise(seconds)` is called after a 429: every sender waits that long.

Replies to people come first: they are not held to the global rate (their volume is what users send) but
take their slots from it, so broadcasts slow down to leave them room. Notifications (outbox) come next.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import deque
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Protocol


class Priority(IntEnum):
    REPLY = 0  # an answer to someone who is waiting for it
    NOTICE = 1  # a notification the bot owes someone (announcements, status changes, reminders)
    BULK = 2  # a broadcast


class Clock(Protocol):
    """Monotonic time in seconds, and a way to wait; tests pass a fake one."""

    def now(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class Pace(Protocol):
    async def acquire(self, chat_id: int | str | None, priority: Priority = Priority.REPLY) -> None: ...

    async def penalise(self, seconds: float) -> None: ...


@dataclass(frozen=True)
class Limits:
    """Telegram's documented limits (core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this)."""

    rate: float = 25.0  # messages a second in all, for work that can wait (BROADCAST_RATE)
    chat_rate: float = 1.0  # messages a second to one chat, sustained...
    chat_burst: int = 3  # ...after a short burst, which Telegram allows
    group_count: int = 20  # messages to one group...
    group_window: float = 60.0  # ...per this many seconds

    def __post_init__(self) -> None:
        if self.rate <= 0:
            raise ValueError("BROADCAST_RATE must be above zero")


def is_group(chat_id: int | str) -> bool:
    """Group, supergroup and channel ids are negative; a string is a @channel username."""
    return isinstance(chat_id, str) or chat_id < 0


@dataclass
class _Bucket:
    """One chat's token bucket: `chat_burst` at once, then `chat_rate` a second."""

    tokens: float
    at: float


@dataclass(frozen=True, order=True)
class _Ticket:
    priority: int
    seq: int
    chat_id: int | str | None = field(compare=False)


class MemoryPace:
    """The pace of one process. Correct for one replica only: several need a shared (Redis) implementation.

    Global slots are kept on an absolute schedule `1/rate` apart, so a timer that wakes a few milliseconds
    late is made up by the next slot (capped at a quarter slot), and no rolling second (a hair longer, for
    network jitter) ever holds more than `rate` messages, replies included.
    """

    WINDOW = 1.01  # seconds
    CHAT_MARGIN = 0.9  # a chat's bucket refills a tenth slower than Telegram's: network jitter bunches sends
    _PRUNE_AT = 10_000  # chats remembered before the idle ones are forgotten

    def __init__(self, limits: Limits | None = None, clock: Clock | None = None) -> None:
        self.limits = limits or Limits()
        self._interval = 1 / self.limits.rate
        self._slack = self._interval / 4
        self._clock = clock or SystemClock()
        self._next = self._clock.now()
        self._paused_until = self._next
        self._recent: deque[float] = deque(maxlen=max(1, int(self.limits.rate)))
        self._buckets: dict[int | str, _Bucket] = {}
        self._groups: dict[int | str, deque[float]] = {}
        self._waiting: set[_Ticket] = set()
        self._seq = itertools.count()
        self._changed = asyncio.Event()

    @property
    def paused_until(self) -> float:
        return self._paused_until

    async def penalise(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, self._clock.now() + seconds)
        self._notify()

    async def acquire(self, chat_id: int | str | None, priority: Priority = Priority.REPLY) -> None:
        ticket = _Ticket(int(priority), next(self._seq), chat_id)
        self._waiting.add(ticket)
        self._notify()  # a more urgent ticket may change who goes next
        try:
            while True:
                now = self._clock.now()
                ready = self._ready_at(ticket, now)
                if ready <= now and self._first_in_line(ticket, now):
                    self._take(ticket, now)
                    return
                await self._wait(max(ready - now, 0.0) if ready > now else None)
        finally:
            self._waiting.discard(ticket)
            self._notify()

    # -- the rules ------------------------------------------------------------------------------------------
    def _ready_at(self, ticket: _Ticket, now: float) -> float:
        at = self._paused_until
        if ticket.chat_id is None:
            return at
        bucket = self._bucket(ticket.chat_id, now)
        if bucket.tokens < 1:
            at = max(at, now + (1 - bucket.tokens) / (self.limits.chat_rate * self.CHAT_MARGIN))
        if is_group(ticket.chat_id):
            sent = self._group_window(ticket.chat_id, now)
            if len(sent) >= self.limits.group_count:
                at = max(at, sent[0] + self.limits.group_window)
        if ticket.priority > Priority.REPLY:
            at = max(at, self._next)
            if len(self._recent) == self._recent.maxlen:
                at = max(at, self._recent[0] + self.WINDOW)
        return at

    def _first_in_line(self, ticket: _Ticket, now: float) -> bool:
        """Nobody more urgent (or, at the same priority, earlier) could go now in its place."""
        if ticket.chat_id is None or ticket.priority == Priority.REPLY:
            return True
        return not any(
            other < ticket and other.chat_id is not None and self._ready_at(other, now) <= now
            for other in self._waiting
        )

    def _take(self, ticket: _Ticket, now: float) -> None:
        if ticket.chat_id is None:
            return
        self._next = max(self._next, now - self._slack) + self._interval
        self._recent.append(now)
        self._bucket(ticket.chat_id, now).tokens -= 1
        if is_group(ticket.chat_id):
            self._group_window(ticket.chat_id, now).append(now)
        if len(self._buckets) > self._PRUNE_AT:
            self._prune(now)

    def _bucket(self, chat_id: int | str, now: float) -> _Bucket:
        burst = self.limits.chat_burst
        bucket = self._buckets.get(chat_id)
        if bucket is None:
            bucket = self._buckets[chat_id] = _Bucket(burst, now)
        else:
            bucket.tokens = min(burst, bucket.tokens + (now - bucket.at) * self.limits.chat_rate * self.CHAT_MARGIN)
            bucket.at = now
        return bucket

    def _group_window(self, chat_id: int | str, now: float) -> deque[float]:
        sent = self._groups.setdefault(chat_id, deque())
        while sent and sent[0] <= now - self.limits.group_window:
            sent.popleft()
        return sent

    def _prune(self, now: float) -> None:
        """Forget chats whose bucket is full again and groups with nothing in their window."""
        for chat_id in [c for c in self._buckets if self._bucket(c, now).tokens >= self.limits.chat_burst]:
            del self._buckets[chat_id]
        for chat_id in [c for c in self._groups if not self._group_window(c, now)]:
            del self._groups[chat_id]

    # -- waiting --------------------------------------------------------------------------------------------
    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait(self, seconds: float | None) -> None:
        """Until `seconds` pass or anything changes (a send, a 429, a ticket coming or going)."""
        changed = asyncio.ensure_future(self._changed.wait())
        waiters = {changed}
        if seconds is not None:
            waiters.add(asyncio.ensure_future(self._clock.sleep(seconds)))
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
