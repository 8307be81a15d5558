"""Two `python -m bot` processes in webhook mode on one PostgreSQL and one Redis, the fake Telegram posting
updates to them in turn: a dialogue spans both, a duplicated update is answered once, and a broadcast to
1,000 subscribers survives `kill -9` of the replica sending it, reaching everyone exactly once (at most the
rows in flight ambiguous) without the fake ever seeing more than its cap in a second."""

from __future__ import annotations

import asyncio
import random
import signal
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from redis.asyncio import Redis

from bot.db import broadcasts as store
from bot.db.broadcasts import Content
from bot.db.connection import Database
from bot.devtools.fake_telegram import FakeTelegram
from bot.services.subscriptions import Audience
from tests.check_helpers import stay_check_in_kazakhstan
from tests.databases import postgres_url
from tests.process import BotProcess
from tests.redis_helpers import REDIS_URL
from tests.web_helpers import free_port

SECRET = "replica-secret_123"
CAP = 30  # the fake's messages a second in all, as Telegram's
BROADCAST_TEXT = "Проверка рассылки"
SUBSCRIBERS_FROM = 700_000



@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=f"{random.randint(10**8, 10**9)}:TEST-replicas", rate_limit=CAP) as tg:
        yield tg


@pytest.fixture
async def database() -> str:
    return await postgres_url()


@pytest.fixture
async def launch(fake: FakeTelegram, database: str, tmp_path: Path, redis: Redis) -> AsyncIterator:
    started: list[BotProcess] = []

    async def start(name: str) -> BotProcess:
        workdir = tmp_path / name
        workdir.mkdir()
        port = free_port()
        bot = BotProcess(
            fake, workdir, DATABASE_URL=database, REDIS_URL=REDIS_URL, WEB_LISTEN=f"127.0.0.1:{port}",
            WEBHOOK_URL="https://bot.example.org/telegram/hook", WEBHOOK_SECRET=SECRET,
            BROADCAST_RATE="25", LOG_LEVEL="INFO",  # the default: under the cap by a margin for jitter
        )
        bot.url = f"http://127.0.0.1:{port}/telegram/hook"
        await bot.start(timeout=90)
        started.append(bot)
        fake.deliver_to([b.url for b in started if b.process.returncode is None], SECRET)
        return bot

    yield start
    for bot in started:
        if bot.process.returncode is None:
            await bot.stop()
    keys = [key async for key in redis.scan_iter(match=f"koldoo:*{fake.bot_id}:*")]
    if keys:
        await redis.delete(*keys)


async def test_a_dialogue_spans_two_processes_and_a_duplicate_is_answered_once(fake: FakeTelegram, launch) -> None:
    one, two = await launch("one"), await launch("two")
    user = fake.user(6200, language_code="en")
    await stay_check_in_kazakhstan(user)
    assert {target for _, target, status in fake.webhook_deliveries if status == 200} == {one.url, two.url}
    assert len(fake.calls_of("setWebhook")) == 1

    update = user.message_update("/menu")
    update_id = fake.push_update(update)
    await fake.wait_handled(update_id)
    before = len(fake.calls_of("sendMessage"))
    await fake.deliver_again({**update, "update_id": update_id})
    await asyncio.sleep(0.5)
    assert len(fake.calls_of("sendMessage")) == before


async def seed_broadcast(database: str, fake: FakeTelegram, subscribers: int) -> None:
    db = await Database.open(database)
    now = datetime.now(UTC)
    await db.executemany(
        "INSERT INTO users (id, locale, first_seen, last_seen) VALUES (?, 'ru', ?, ?)",
        [(SUBSCRIBERS_FROM + n, now, now) for n in range(subscribers)],
    )
    await store.create_broadcast(
        db, sender_id=1, sender_locale="ru", versions={"ru": Content("text", BROADCAST_TEXT)},
        audience=Audience(), scheduled_at=now, now=now,
    )
    await db.close()
    for n in range(subscribers):
        fake.user(SUBSCRIBERS_FROM + n, language_code="ru")


async def test_a_broadcast_survives_kill_9_of_the_replica_sending_it(fake: FakeTelegram, database: str, launch) -> None:
    await seed_broadcast(database, fake, 1000)

    def delivered() -> list[int]:
        return [c.params["chat_id"] for c in fake.calls_of("sendMessage") if c.ok and BROADCAST_TEXT in (c.params.get("text") or "")]

    first = await launch("one")  # alone, so it takes the broadcast's lease
    await fake.wait_for(lambda: len(delivered()) >= 100, timeout=180)
    await launch("two")
    await fake.wait_for(lambda: len(delivered()) >= 450, timeout=180)
    first.process.send_signal(signal.SIGKILL)
    await first.process.wait()
    at_kill = len(delivered())
    db = await Database.open(database)
    try:
        ambiguous = 0
        deadline = asyncio.get_running_loop().time() + 240  # the other replica takes over within a lease
        while len(set(delivered())) + ambiguous < 1000:
            assert asyncio.get_running_loop().time() < deadline, (len(delivered()), ambiguous)
            await asyncio.sleep(0.5)
            ambiguous = await db.fetchval("SELECT COUNT(*) FROM broadcast_recipients WHERE state = 'ambiguous'")
    finally:
        await db.close()
    chats = delivered()
    assert len(chats) == len(set(chats)), "a subscriber got the broadcast twice"
    assert ambiguous <= CAP, f"{ambiguous} rows in flight when the replica was killed: more than a second's worth"
    assert len(chats) > at_kill
    assert not fake.rate_limited, f"{len(fake.rate_limited)} x 429: the replicas together went over the cap"
    times = sorted(c.time for c in fake.calls if c.method == "sendMessage")
    assert max(sum(1 for t in times[i:] if t < start + 1.0) for i, start in enumerate(times)) <= CAP
