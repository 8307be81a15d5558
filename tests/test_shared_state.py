"""What several replicas share through Redis, each with two instances standing for two replicas: the send
pace, the job leases and the ledger of handled updates (the ledger's contract also on the one-process one)."""

from __future__ import annotations

import asyncio
import time

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.fsm.storage.base import StorageKey
from redis.asyncio import Redis

from bot.db.storage import DIALOGUE_TTL
from bot.devtools.fake_telegram import FakeTelegram
from bot.services.pace import Limits, Priority
from bot.shared.leases import Leases
from bot.shared.pace import RedisPace
from bot.shared.storage import KEY_BUILDER, SharedStorage
from bot.shared.updates import Claim, MemoryLedger, RedisLedger
from bot.shared.webhook import set_webhook_once


def busiest_second(times: list[float]) -> int:
    times = sorted(times)
    return max(sum(1 for t in times[i:] if t < start + 1.0) for i, start in enumerate(times))


async def stamp(pace: RedisPace, chat: int, priority: Priority = Priority.REPLY) -> float:
    await pace.acquire(chat, priority)
    return time.monotonic()


async def test_two_replicas_together_stay_under_telegrams_cap(redis: Redis, prefix: str) -> None:
    one, two = (RedisPace(redis, Limits(rate=5, cap=10), prefix=prefix) for _ in range(2))
    started = time.monotonic()
    times = await asyncio.gather(*(stamp(one if n % 2 else two, 1000 + n) for n in range(35)))
    assert busiest_second(times) <= 10
    assert time.monotonic() - started == pytest.approx(3 * 1.01, abs=0.6)  # 35 at 10 a second: four windows


async def test_broadcasts_of_two_replicas_keep_the_broadcast_rate_and_leave_replies_room(redis: Redis, prefix: str) -> None:
    one, two = (RedisPace(redis, Limits(rate=5, cap=10), prefix=prefix) for _ in range(2))
    bulk = [stamp(one if n % 2 else two, 2000 + n, Priority.BULK) for n in range(12)]
    bulk_done = asyncio.gather(*bulk)
    await asyncio.sleep(0.3)
    replies = await asyncio.gather(*(stamp(one, 3000 + n) for n in range(5)))
    bulk_times = await bulk_done
    assert busiest_second(bulk_times) <= 5
    assert busiest_second(bulk_times + replies) <= 10
    assert max(replies) < max(bulk_times)


async def test_a_429_on_one_replica_holds_the_other(redis: Redis, prefix: str) -> None:
    one, two = (RedisPace(redis, Limits(), prefix=prefix) for _ in range(2))
    await one.penalise(1.0)
    started = time.monotonic()
    await two.acquire(42)
    await two.acquire(None)  # an edit waits out the pause too (it is over by now)
    assert time.monotonic() - started >= 0.95


async def test_one_chat_gets_a_burst_then_about_one_a_second_across_replicas(redis: Redis, prefix: str) -> None:
    one, two = (RedisPace(redis, Limits(chat_burst=2), prefix=prefix) for _ in range(2))
    started = time.monotonic()
    times = [await stamp(one if n % 2 else two, 55) - started for n in range(4)]
    assert times[1] < 0.2  # the burst
    assert times[2] >= 0.9 and times[3] >= 1.9  # then one a second (a tenth slower, for jitter)


async def test_a_job_runs_on_one_replica_and_moves_when_its_holder_dies(redis: Redis, prefix: str) -> None:
    running: list[str] = []

    async def job(name: str) -> None:
        running.append(name)
        await asyncio.sleep(3600)

    one, two = Leases(redis, prefix, ttl=0.6, owner="one"), Leases(redis, prefix, ttl=0.6, owner="two")
    first = asyncio.create_task(one.run("reminders", lambda: job("one")))
    await asyncio.sleep(0.1)
    second = asyncio.create_task(two.run("reminders", lambda: job("two")))
    await asyncio.sleep(1.0)
    assert running == ["one"]  # the second replica waits while the first renews
    await redis.set(f"{prefix}:lease:reminders", "one", px=300)  # replica one freezes: no more renewals...
    first.cancel()
    await asyncio.gather(first, return_exceptions=True)
    await redis.set(f"{prefix}:lease:reminders", "one", px=300)  # ...and its key is left behind, expiring
    await asyncio.sleep(1.0)
    assert running == ["one", "two"]
    assert await two.holder("reminders") == "two"
    second.cancel()
    await asyncio.gather(second, return_exceptions=True)
    assert await two.holder("reminders") is None  # released on the way out


async def test_a_replica_that_loses_its_lease_stops_the_job(redis: Redis, prefix: str) -> None:
    stopped = asyncio.Event()

    async def job() -> None:
        try:
            await asyncio.sleep(3600)
        finally:
            stopped.set()

    leases = Leases(redis, prefix, ttl=0.6, owner="one")
    task = asyncio.create_task(leases.run("retention", job))
    await asyncio.sleep(0.1)
    await redis.set(f"{prefix}:lease:retention", "someone-else", px=5000)
    await asyncio.wait_for(stopped.wait(), 2)
    assert not task.done()  # it waits to take the lease again
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)


async def test_a_job_result_is_returned(redis: Redis, prefix: str) -> None:
    async def job() -> int:
        return 7

    assert await Leases(redis, prefix, ttl=0.6).run("once", job) == 7


async def check_ledger(one: MemoryLedger | RedisLedger, two: MemoryLedger | RedisLedger) -> None:
    assert await one.claim(1) is Claim.NEW
    assert await two.claim(1) is Claim.BUSY
    await one.done(1)
    assert await two.claim(1) is Claim.DONE
    assert await two.claim(2) is Claim.NEW
    await two.release(2)  # handling failed: the next delivery handles it
    assert await one.claim(2) is Claim.NEW


async def test_the_update_ledger_of_one_process() -> None:
    ledger = MemoryLedger()
    await check_ledger(ledger, ledger)


async def test_the_update_ledger_shared_by_replicas(redis: Redis, prefix: str) -> None:
    await check_ledger(RedisLedger(redis, prefix), RedisLedger(redis, prefix))


async def test_the_webhook_is_set_once_per_configuration(tg: FakeTelegram, redis: Redis, prefix: str) -> None:
    bot = Bot(tg.token, session=AiohttpSession(api=TelegramAPIServer.from_base(tg.base_url)))
    try:
        url, updates = "https://bot.example.org/hook", ["message", "callback_query"]
        assert await set_webhook_once(bot, redis, prefix, url, "secret-1", updates)
        assert not await set_webhook_once(bot, redis, prefix, url, "secret-1", updates[::-1])  # replica two
        assert await set_webhook_once(bot, redis, prefix, url, "secret-2", updates)  # a new secret
        await bot.delete_webhook()  # someone ran the bot in polling mode meanwhile
        assert await set_webhook_once(bot, redis, prefix, url, "secret-2", updates)
        assert [c.params["secret_token"] for c in tg.calls_of("setWebhook")] == ["secret-1", "secret-2", "secret-2"]
    finally:
        await bot.session.close()


async def test_shared_dialogues_expire_and_are_forgotten_per_user(redis: Redis) -> None:
    storage = SharedStorage(redis)
    mine = StorageKey(bot_id=1, chat_id=7001, user_id=7001)
    in_group = StorageKey(bot_id=1, chat_id=-100, user_id=7001, thread_id=5)
    other = StorageKey(bot_id=1, chat_id=7002, user_id=7002)
    for key in (mine, in_group, other):
        await storage.set_state(key, "Form:name")
        await storage.set_data(key, {"name": "Айбек"})
    assert 0 < await redis.ttl(KEY_BUILDER.build(mine, "state")) <= DIALOGUE_TTL.total_seconds()
    assert await storage.forget_user(7001) == 4
    assert await storage.get_state(mine) is None and await storage.get_data(in_group) == {}
    assert await storage.get_state(other) == "Form:name"
    await storage.forget_user(7002)


async def test_try_acquire_and_a_held_group_across_replicas(redis: Redis, prefix: str) -> None:
    one, two = (RedisPace(redis, Limits(group_count=2), prefix=prefix) for _ in range(2))
    assert await one.try_acquire(-100) == 0
    assert await two.try_acquire(-100) == 0
    assert 55 < await one.try_acquire(-100) <= 61  # the group's minute is full, for both replicas
    await two.hold_chat(-200, 5)
    assert 4 < await one.try_acquire(-200) <= 5
    assert await one.try_acquire(-300) == 0
