"""Two replicas in one test: two bots in webhook mode on one database and one Redis, the fake Telegram
posting each update to them in turn, as a load balancer in front of replicas would."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from redis.asyncio import Redis

from bot.app import BACKGROUND_LOOPS, App, StartError
from bot.devtools.fake_telegram import FakeTelegram
from tests.check_helpers import stay_check_in_kazakhstan
from tests.conftest import test_settings
from tests.redis_helpers import REDIS_URL
from tests.web_helpers import free_port

SECRET = "replica-secret_123"
# The loops that run for as long as the bot does (the handover's and the dialogue sweep's end at once when
# there is no operator group or when Redis keeps the dialogues).
ALWAYS_RUNNING = [loop.__qualname__ for loop in BACKGROUND_LOOPS if loop.__qualname__ in
                  {"reminder_loop", "retention_loop", "broadcast_loop", "outbox_loop"}]
HOOK = "https://bot.example.org/telegram/hook"



class Replica:
    def __init__(self, app: App, port: int) -> None:
        self.app, self.port = app, port
        self.stop = asyncio.Event()
        self.task = asyncio.create_task(app.run_webhook(self.stop))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/telegram/hook"

    async def close(self) -> None:
        if not self.task.done():
            self.stop.set()
            await asyncio.wait_for(self.task, 20)
            await self.app.shutdown()


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    """A bot of its own (its id is in every Redis key), so parallel tests never share a lease or a pace."""
    async with FakeTelegram(token=f"{random.randint(10**8, 10**9)}:TEST-replicas") as tg:
        yield tg
        tg.assert_clean()


@pytest.fixture
async def replicas(fake: FakeTelegram, tmp_path: Path, redis: Redis) -> AsyncIterator[list[Replica]]:
    started: list[Replica] = []
    for _ in range(2):
        port = free_port()
        settings = test_settings(
            fake, tmp_path, webhook_url=HOOK, webhook_secret=SECRET, web_listen=f"127.0.0.1:{port}",
            redis_url=REDIS_URL,
        )
        replica = Replica(await App.create(settings), port)
        await asyncio.wait_for(replica.app.started.wait(), 20)
        started.append(replica)
    fake.deliver_to([replica.url for replica in started], SECRET)
    yield started
    for replica in started:
        await replica.close()
    keys = [key async for key in redis.scan_iter(match=f"koldoo:*{fake.bot_id}:*")]
    if keys:
        await redis.delete(*keys)


async def test_a_dialogue_begun_on_one_replica_finishes_on_the_other(fake: FakeTelegram, replicas: list[Replica]) -> None:
    user = fake.user(6100, language_code="en")
    await stay_check_in_kazakhstan(user)
    handled_by = {target for _, target, status in fake.webhook_deliveries if status == 200}
    assert handled_by == {replica.url for replica in replicas}  # every other step went to the other replica
    assert len(fake.calls_of("setWebhook")) == 1  # the second replica found the same configuration set


async def test_an_update_delivered_twice_is_answered_once(fake: FakeTelegram, replicas: list[Replica]) -> None:
    user = fake.user(6101, language_code="en")
    update = user.message_update("/menu")
    update_id = fake.push_update(update)
    await fake.wait_handled(update_id)
    await fake.deliver_again({**update, "update_id": update_id})  # to the other replica this time
    await asyncio.sleep(0.3)
    assert len([c for c in fake.calls_of("sendMessage") if c.params["chat_id"] == 6101]) == 1
    targets = [target for uid, target, _ in fake.webhook_deliveries if uid == update_id]
    assert len(set(targets)) == 2


async def test_each_background_loop_runs_on_one_replica_and_moves_when_it_stops(
    replicas: list[Replica], redis: Redis
) -> None:
    one, two = replicas

    async def holders() -> dict[str, str | None]:
        return {name: await one.app.shared.leases.holder(name) for name in ALWAYS_RUNNING}

    assert len(ALWAYS_RUNNING) == 4
    owners = {one.app.shared.leases.owner, two.app.shared.leases.owner}
    held = await holders()
    assert set(held.values()) <= owners and None not in held.values()
    await one.close()
    deadline = asyncio.get_running_loop().time() + 15
    while set((await holders()).values()) != {two.app.shared.leases.owner}:
        assert asyncio.get_running_loop().time() < deadline, await holders()
        await asyncio.sleep(0.2)


async def test_healthz_checks_redis(replicas: list[Replica]) -> None:
    one, _ = replicas
    async with aiohttp.ClientSession() as http:
        response = await http.get(f"http://127.0.0.1:{one.port}/healthz")
        assert response.status == 200
        await one.app.shared.redis.aclose()
        one.app.shared.redis.connection_pool.reset()
        one.app.shared.redis.connection_pool.connection_kwargs["port"] = 1  # Redis gone for this replica
        response = await http.get(f"http://127.0.0.1:{one.port}/healthz")
        assert response.status == 503
        assert (await response.json())["status"] == "redis unavailable"


async def test_an_unreachable_redis_is_one_line_at_start(fake: FakeTelegram, tmp_path: Path) -> None:
    settings = test_settings(fake, tmp_path, redis_url="redis://127.0.0.1:1/0")
    with pytest.raises(StartError) as error:
        await App.create(settings)
    assert str(error.value).startswith("REDIS_URL: Redis does not answer")
    assert "\n" not in str(error.value)
