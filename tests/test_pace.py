"""The shared pace and the reply retries, in virtual time: rates, priorities, limits and long 429 pauses."""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Awaitable
from typing import Any

import pytest
from aiogram.exceptions import TelegramRetryAfter, TelegramServerError
from aiogram.methods import EditMessageText, SendMessage

from bot.middlewares.retry import REPLY_MAX_AGE, RetryMiddleware
from bot.services.pace import Limits, MemoryPace, Priority


class VirtualClock:
    """Time moves only when every task is waiting: then it jumps to the earliest sleeper's wake-up."""

    def __init__(self) -> None:
        self.t = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (self.t + max(0.0, seconds), next(self._seq), future))
        await future

    async def run(self, *work: Awaitable[Any]) -> list[Any]:
        tasks = [asyncio.ensure_future(w) for w in work]
        while not all(task.done() for task in tasks):
            for _ in range(50):  # let everything runnable run
                await asyncio.sleep(0)
            if all(task.done() for task in tasks):
                break
            while self._sleepers and self._sleepers[0][2].done():
                heapq.heappop(self._sleepers)
            if not self._sleepers:
                raise AssertionError("deadlock: nothing is runnable and nobody sleeps")
            wake, _, future = heapq.heappop(self._sleepers)
            self.t = max(self.t, wake)
            future.set_result(None)
        return [task.result() for task in tasks]


def pace(clock: VirtualClock, **limits: Any) -> MemoryPace:
    return MemoryPace(Limits(**limits), clock)


async def timed(clock: VirtualClock, acquiring: Awaitable[None]) -> float:
    await acquiring
    return clock.now()


async def test_bulk_keeps_the_rate() -> None:
    clock = VirtualClock()
    p = pace(clock, rate=10)
    times = await clock.run(*(timed(clock, p.acquire(user, Priority.BULK)) for user in range(1, 32)))
    assert max(times) == pytest.approx(3 * MemoryPace.WINDOW)  # 10 a second, each rolling second a hair long


async def test_bulk_never_puts_more_than_rate_sends_in_a_rolling_second() -> None:
    clock = VirtualClock()
    p = pace(clock, rate=30)
    times = await clock.run(*(timed(clock, p.acquire(user, Priority.BULK)) for user in range(1, 301)))
    times.sort()
    for index, start in enumerate(times):
        assert sum(1 for t in times[index:] if t < start + 1.0) <= 30
    assert len(times) / (times[-1] - times[0]) >= 0.95 * 30


async def test_a_429_holds_everyone_even_for_120_seconds() -> None:
    clock = VirtualClock()
    p = pace(clock)
    await clock.run(p.acquire(1))
    await p.penalise(120)
    times = await clock.run(
        timed(clock, p.acquire(2, Priority.REPLY)),
        timed(clock, p.acquire(3, Priority.BULK)),
        timed(clock, p.acquire(None)),  # an edit sends no message but still waits out the pause
    )
    assert times[0] == pytest.approx(120) and times[2] == pytest.approx(120)
    assert 120 <= times[1] <= 120.1


async def test_replies_go_before_waiting_broadcasts_and_are_not_held_to_the_global_rate() -> None:
    clock = VirtualClock()
    p = pace(clock, rate=1)
    order: list[str] = []

    async def send(name: str, chat: int, priority: Priority) -> None:
        await p.acquire(chat, priority)
        order.append(name)

    async def later_replies() -> None:
        await clock.sleep(0.5)  # broadcasts are queued by now, waiting for the next global slot
        await asyncio.gather(*(send(f"reply{n}", 100 + n, Priority.REPLY) for n in range(3)))
        await send("notice", 200, Priority.NOTICE)

    await clock.run(*(send(f"bulk{n}", n, Priority.BULK) for n in range(1, 4)), later_replies())
    assert order[0] == "bulk1"
    assert order[1:4] == ["reply0", "reply1", "reply2"]  # at 0.5 s, at once
    assert order[4] == "notice"  # the next global slot goes to the notification, then broadcasts resume
    assert order[5:] == ["bulk2", "bulk3"]


def busiest_second(times: list[float]) -> int:
    times = sorted(times)
    return max(sum(1 for t in times[index:] if t < start + 1.0) for index, start in enumerate(times))


async def test_a_thousand_replies_at_once_are_held_to_telegrams_cap_in_arrival_order() -> None:
    clock = VirtualClock()
    p = pace(clock, rate=25, cap=30)
    order: list[int] = []

    async def reply(chat: int) -> float:
        await p.acquire(chat, Priority.REPLY)
        order.append(chat)
        return clock.now()

    times = await clock.run(*(reply(chat) for chat in range(1, 1001)))
    assert busiest_second(times) <= 30
    assert max(times) == pytest.approx((1000 // 30 - 1 + (1000 % 30 > 0)) * MemoryPace.WINDOW)
    assert order == list(range(1, 1001))  # first come, first served


async def test_replies_and_broadcasts_together_stay_under_the_cap() -> None:
    clock = VirtualClock()
    p = pace(clock, rate=25, cap=30)
    bulk = [timed(clock, p.acquire(chat, Priority.BULK)) for chat in range(1, 201)]
    replies = [timed(clock, p.acquire(chat, Priority.REPLY)) for chat in range(1001, 1201)]
    times = await clock.run(*bulk, *replies)
    assert busiest_second(times) <= 30
    assert max(times[200:]) < max(times[:200])  # replies are done long before the broadcast


async def test_a_caller_that_gives_up_takes_no_slot() -> None:
    clock = VirtualClock()
    p = pace(clock, rate=2, cap=2)
    first = [timed(clock, p.acquire(chat)) for chat in (1, 2)]
    assert await clock.run(*first) == [0, 0]
    gave_up = asyncio.ensure_future(p.acquire(3))
    await asyncio.sleep(0)
    gave_up.cancel()
    [at] = await clock.run(timed(clock, p.acquire(4)))
    assert at == pytest.approx(MemoryPace.WINDOW)  # chat 4 got the slot chat 3 left
    assert gave_up.cancelled()


async def test_one_chat_gets_a_short_burst_then_one_a_second() -> None:
    clock = VirtualClock()
    p = pace(clock, chat_rate=1.0, chat_burst=3)
    times = []
    for _ in range(6):
        [at] = await clock.run(timed(clock, p.acquire(42)))
        times.append(at)
    step = 1 / MemoryPace.CHAT_MARGIN  # a hair over a second, for jitter on the way to Telegram
    assert times == pytest.approx([0, 0, 0, step, 2 * step, 3 * step])
    # other chats are not held up by this one
    assert await clock.run(timed(clock, p.acquire(43))) == [pytest.approx(3 * step)]


async def test_a_group_gets_at_most_20_a_minute() -> None:
    clock = VirtualClock()
    p = pace(clock, chat_burst=100)  # only the group rule here
    times = await clock.run(*(timed(clock, p.acquire(-1001)) for _ in range(25)))
    assert sorted(times)[:20] == pytest.approx([0] * 20)
    assert all(t >= 60 for t in sorted(times)[20:])


class Api:
    """A make_request that fails as scripted, then answers."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self, bot: Any, method: Any) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


async def test_a_reply_told_to_wait_120_seconds_waits_and_is_delivered() -> None:
    clock = VirtualClock()
    p = pace(clock)
    middleware = RetryMiddleware(p, clock)
    method = SendMessage(chat_id=1, text="hi")
    api = Api(TelegramRetryAfter(method, "Too Many Requests: retry after 120", 120))
    [result] = await clock.run(middleware(api, None, method))
    assert result == "ok" and api.calls == 2
    assert clock.now() == pytest.approx(120)
    assert p.paused_until == pytest.approx(120)  # and everyone else waited with it


async def test_a_reply_is_retried_for_minutes_then_given_up() -> None:
    clock = VirtualClock()
    middleware = RetryMiddleware(pace(clock), clock)
    method = EditMessageText(chat_id=1, message_id=1, text="hi")
    api = Api(*(TelegramServerError(method, "Bad Gateway") for _ in range(100)))
    with pytest.raises(TelegramServerError):
        await clock.run(middleware(api, None, method))
    assert REPLY_MAX_AGE - 30 <= clock.now() <= REPLY_MAX_AGE
    assert api.calls > 10  # minutes of tries, not a fixed four


async def test_a_call_to_no_chat_is_tried_a_few_times_only() -> None:
    from aiogram.methods import SetMyCommands

    from bot.middlewares.retry import SETUP_ATTEMPTS

    clock = VirtualClock()
    middleware = RetryMiddleware(pace(clock), clock)
    method = SetMyCommands(commands=[])
    api = Api(*(TelegramServerError(method, "Bad Gateway") for _ in range(10)))
    with pytest.raises(TelegramServerError):
        await clock.run(middleware(api, None, method))
    assert api.calls == SETUP_ATTEMPTS and clock.now() < 10


async def test_try_acquire_takes_a_free_slot_or_says_how_long_to_wait() -> None:
    clock = VirtualClock()
    p = pace(clock, rate=10, chat_burst=100, group_count=2, group_window=60)
    assert await p.try_acquire(-100) == 0
    assert await p.try_acquire(-100) == pytest.approx(0.1)  # notices keep the broadcast rate's spacing
    clock.t = 1.0
    assert await p.try_acquire(-100) == 0
    clock.t = 2.0
    assert await p.try_acquire(-100) == pytest.approx(58)  # the group's window is full...
    assert await p.try_acquire(-200) == 0  # ...another group is not held up
    await p.acquire(-300, Priority.REPLY)  # and the slots it took count for everyone


async def test_a_chat_held_by_its_own_429_waits_while_others_go() -> None:
    clock = VirtualClock()
    p = pace(clock)
    await p.hold_chat(-100, 30)
    assert await p.try_acquire(-100) == pytest.approx(30)
    assert await p.try_acquire(-200) == 0
    times = await clock.run(timed(clock, p.acquire(-100)), timed(clock, p.acquire(7)))
    assert times == [pytest.approx(30), 0]
