"""The one pace every outgoing Bot API call of this bot passes: replies, notifications and broadcasts alike.

Telegram limits a bot three ways: about 30 messages a second in all, about one a second to one chat (short
bursts allowed) and 20 a minute to one group; beyond them it answers 429 with a `retry_after` that holds
back every sender of the bot. So the pace is shared, and has a small interface that a store shared by
several replicas (Redis) can implement as well as this in-memory one:

- `acquire(chat_id, priority)` waits until a message to that chat may go: no 429 pause running, the chat
  and group under their limits, and, for work that can wait, a slot under the global rate with nobody more
  urgent waiting. `chat_id=None` is a call that sends no message (an edit, a callback answer): it only waits
  out a pause.
- `penalise(seconds)` is called after a 429: every sender waits that long; `hold_chat(chat_id, seconds)`
  after a 429 that concerns one chat only (a group's minute is full), so the rest of the bot goes on.
- `try_acquire(chat_id, priority)` takes a slot only if one is free now, else says how long until one may
  be: for a worker with other chats to serve meanwhile (the handover posts into several groups).

Replies to people come first: they are not held to BROADCAST_RATE (their volume is what users send) but
take their slots from it, so broadcasts slow down to leave them room; only Telegram's own cap of about 30 a
second holds them, so a thousand people writing at once are answered in turn instead of meeting 429s.
Notifications (outbox) come next.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import deque
from dataclasses import dataclass
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

    async def try_acquire(self, chat_id: int | str, priority: Priority = Priority.NOTICE) -> float: ...

    async def penalise(self, seconds: float) -> None: ...

    async def hold_chat(self, chat_id: int | str, seconds: float) -> None: ...


@dataclass(frozen=True)
class Limits:
    """Telegram's documented limits (core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this)."""

    rate: float = 25.0  # messages a second in all, for work that can wait (BROADCAST_RATE)
    cap: float = 30.0  # messages a second in all, replies included: Telegram's own limit
    chat_rate: float = 1.0  # messages a second to one chat, sustained...
    chat_burst: int = 3  # ...after a short burst, which Telegram allows
    group_count: int = 20  # messages to one group...
    group_window: float = 61.0  # ...per this many seconds: a second over Telegram's minute, which starts
    #                             counting when a request lands, ours before it is sent

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


@dataclass(eq=False)
class _Ticket:
    priority: int
    seq: int
    chat_id: int | str
    granted: asyncio.Future[None] | None  # None: a `try_acquire`, which never waits


class MemoryPace:
    """The pace of one process. Correct for one replica only: several need a shared (Redis) implementation.

    One grant loop hands out every slot, most urgent ticket first and, at the same priority, in arrival
    order: a thousand replies waiting for the global cap are served first come, first served, and nobody
    polls. Global slots are kept on an absolute schedule `1/rate` apart, so a timer that wakes a few
    milliseconds late is made up by the next slot (capped at a quarter slot), and no rolling second (a hair
    longer, for network jitter) ever holds more than `rate` messages that can wait, nor more than Telegram's
    cap of messages in all.
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
        self._all: deque[float] = deque(maxlen=max(1, int(max(self.limits.cap, self.limits.rate))))
        self._buckets: dict[int | str, _Bucket] = {}
        self._groups: dict[int | str, deque[float]] = {}
        self._held: dict[int | str, float] = {}  # chats told to wait by a 429 of their own
        self._queues: tuple[deque[_Ticket], ...] = tuple(deque() for _ in Priority)
        self._seq = itertools.count()
        self._changed = asyncio.Event()
        self._granting: asyncio.Task[None] | None = None

    @property
    def paused_until(self) -> float:
        return self._paused_until

    async def penalise(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, self._clock.now() + seconds)
        self._notify()

    async def hold_chat(self, chat_id: int | str, seconds: float) -> None:
        self._held[chat_id] = max(self._held.get(chat_id, 0.0), self._clock.now() + seconds)
        self._notify()

    async def try_acquire(self, chat_id: int | str, priority: Priority = Priority.NOTICE) -> float:
        now = self._clock.now()
        if any(self._queues[level] for level in Priority if level <= priority):
            return self._interval  # those who wait go first
        ticket = _Ticket(int(priority), next(self._seq), chat_id, None)
        gate = self._gate(now)
        ready = max(gate, self._ready_at(ticket, now))
        if ready > now:
            return ready - now
        self._take(ticket, now)
        return 0.0

    async def acquire(self, chat_id: int | str | None, priority: Priority = Priority.REPLY) -> None:
        if chat_id is None:  # sends no message: only a 429 pause holds it
            while (now := self._clock.now()) < self._paused_until:
                await self._wait(self._paused_until - now)
            return
        ticket = _Ticket(int(priority), next(self._seq), chat_id, asyncio.get_running_loop().create_future())
        ticket.granted.add_done_callback(self._on_given_up)
        self._queues[ticket.priority].append(ticket)
        if self._granting is None or self._granting.done():
            self._granting = asyncio.ensure_future(self._grant_loop())
        self._notify()
        await ticket.granted  # cancelled with the caller: the loop skips a ticket whose future is done

    # -- the grant loop -------------------------------------------------------------------------------------
    async def _grant_loop(self) -> None:
        while any(self._queues):
            now = self._clock.now()
            ticket, wake_at = self._next_ready(now)
            if ticket is not None:
                self._take(ticket, now)
                ticket.granted.set_result(None)
                continue
            if wake_at is None and not any(self._queues):
                return  # everyone waiting gave up
            await self._wait(None if wake_at is None else max(wake_at - now, 0.0))

    def _gate(self, now: float) -> float:
        """When anything may go: after a 429's pause, and with Telegram's cap not reached."""
        gate = self._paused_until
        if len(self._all) == self._all.maxlen:
            gate = max(gate, self._all[0] + self.WINDOW)
        return gate

    def _on_given_up(self, granted: asyncio.Future[None]) -> None:
        if granted.cancelled():
            self._notify()  # the loop drops the ticket, and stops if it was the last

    def _next_ready(self, now: float) -> tuple[_Ticket | None, float | None]:
        """The ticket to grant now, or none and the earliest moment one could be."""
        gate = self._gate(now)
        if gate > now:
            return None, gate
        wake_at: float | None = None
        can_wait_gate = self._next
        if len(self._recent) == self._recent.maxlen:
            can_wait_gate = max(can_wait_gate, self._recent[0] + self.WINDOW)
        for priority, queue in zip(Priority, self._queues, strict=True):
            if priority > Priority.REPLY and can_wait_gate > now and queue:
                wake_at = can_wait_gate if wake_at is None else min(wake_at, can_wait_gate)
                continue  # no slot for work that can wait yet: no need to look at each ticket
            for ticket in list(queue):
                assert ticket.granted is not None
                if ticket.granted.done():  # its caller gave up
                    queue.remove(ticket)
                    continue
                ready = self._ready_at(ticket, now)
                if ready <= now:
                    queue.remove(ticket)
                    return ticket, None
                wake_at = ready if wake_at is None else min(wake_at, ready)
        return None, wake_at

    # -- the rules ------------------------------------------------------------------------------------------
    def _ready_at(self, ticket: _Ticket, now: float) -> float:
        """When this ticket's own limits let it go (the pause and Telegram's cap are checked before)."""
        at = max(now, self._held.get(ticket.chat_id, now))
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

    def _take(self, ticket: _Ticket, now: float) -> None:
        self._next = max(self._next, now - self._slack) + self._interval
        self._recent.append(now)
        self._all.append(now)
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
        for chat_id in [c for c, until in self._held.items() if until <= now]:
            del self._held[chat_id]

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
