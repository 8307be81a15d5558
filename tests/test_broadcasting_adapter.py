"""The Telegram adapter: each answer of the Bot API becomes the engine's outcome, sent as the preview shows."""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from bot.broadcasting import TelegramDelivery
from bot.db import broadcasts as store
from bot.db.broadcasts import Content
from bot.db.connection import Database
from bot.devtools.fake_telegram import FakeTelegram
from bot.services.broadcaster import (
    Blocked,
    Broadcaster,
    Delivery,
    EngineSettings,
    PermanentError,
    RetryAfter,
    Sent,
    TransientError,
    Unknown,
)
from bot.services.pace import Limits, MemoryPace
from tests.broadcast_helpers import add_users, new_broadcast

TEXT = Content("text", "Салам <b>", ({"type": "italic", "offset": 0, "length": 5},))


@pytest.fixture
async def bot(tg: FakeTelegram) -> AsyncIterator[Bot]:
    bot = Bot(tg.token, session=AiohttpSession(api=TelegramAPIServer.from_base(tg.base_url)))
    yield bot
    await bot.session.close()


async def test_outcomes(tg: FakeTelegram, bot: Bot) -> None:
    deliver = TelegramDelivery(bot)
    tg.user(1)
    tg.user(2)
    tg.blocked.add(2)
    assert await deliver(Delivery(1, 1, TEXT)) == Sent()
    [message] = tg.chat(1)
    assert (message.text, message.entities) == ("Салам <b>", list(TEXT.entities))
    assert await deliver(Delivery(1, 2, TEXT)) == Blocked()
    tg.fail("sendMessage", status=400, description="Bad Request: chat not found")
    assert await deliver(Delivery(1, 1, TEXT)) == PermanentError("Bad Request: chat not found")
    tg.fail("sendMessage", status=429, retry_after=7)
    assert await deliver(Delivery(1, 1, TEXT)) == RetryAfter(7)
    tg.fail("sendMessage", status=502)
    assert await deliver(Delivery(1, 1, TEXT)) == TransientError("TelegramServerError")
    tg.fail("sendMessage", status=404)
    assert isinstance(await deliver(Delivery(1, 1, TEXT)), PermanentError)
    assert len(tg.chat(1)) == 1  # nothing was retried behind the engine's back


async def test_a_file_goes_by_its_id(tg: FakeTelegram, bot: Bot) -> None:
    user = tg.user(1)
    stored = tg.store_file("document", "memo.pdf", b"%PDF-1.4\n")
    deliver = TelegramDelivery(bot)
    assert await deliver(Delivery(1, user.id, Content("document", "Памятка", (), stored.file_id))) == Sent()
    [message] = tg.chat(1)
    assert (message.kind, message.text, message.file.file_id) == ("document", "Памятка", stored.file_id)


async def test_a_lost_answer_is_unknown_and_the_broadcast_counts_it_ambiguous_instead_of_resending(
    tg: FakeTelegram, bot: Bot, tmp_path
) -> None:
    tg.user(1)
    tg.lose_answers("sendMessage", delay=1.0)  # delivered, but the answer comes after the client's timeout
    assert await TelegramDelivery(bot, request_timeout=0.3)(Delivery(1, 1, TEXT)) == Unknown("timeout")
    assert len(tg.chat(1)) == 1

    db = await Database.open(tmp_path / "t.sqlite3")
    try:
        users = range(10, 20)
        await add_users(db, users)
        for user_id in users:
            tg.user(user_id)
        tg.lose_answers("sendMessage", times=2, delay=1.0)
        engine = Broadcaster(
            db, TelegramDelivery(bot, request_timeout=0.3), MemoryPace(Limits(rate=200)),
            default_locale="ru", settings=EngineSettings(backoff_base=0.01),
        )
        bid = await new_broadcast(db)
        await engine.start(bid)
        await engine.wait(bid)
        counts = await store.state_counts(db, bid)
        assert (counts.sent, counts.ambiguous) == (8, 2)
        copies = Counter(c.params["chat_id"] for c in tg.calls_of("sendMessage") if c.ok)
        assert all(copies[user_id] == 1 for user_id in users)  # the two lost answers were not sent again
    finally:
        await db.close()
