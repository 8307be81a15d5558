"""The fake Bot API enforces Telegram's flood limits when told to: per group a minute, per chat after a burst."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramRetryAfter

from bot.devtools.fake_telegram import FakeTelegram


@pytest.fixture
async def bot(tg: FakeTelegram) -> AsyncIterator[Bot]:
    bot = Bot(tg.token, session=AiohttpSession(api=TelegramAPIServer.from_base(tg.base_url)))
    yield bot
    await bot.session.close()


async def test_a_group_takes_20_a_minute_and_a_chat_a_burst_then_1_a_second(tg: FakeTelegram, bot: Bot) -> None:
    tg.known_chats.add(-100)
    tg.user(1)
    tg.limit(per_chat=1.0, chat_burst=3, per_group=20)
    for _ in range(20):
        await bot.send_message(-100, "hi")
    with pytest.raises(TelegramRetryAfter) as refused:
        await bot.send_message(-100, "hi")
    assert 1 <= refused.value.retry_after <= 60
    for _ in range(3):
        await bot.send_message(1, "hi")
    with pytest.raises(TelegramRetryAfter) as refused:
        await bot.send_message(1, "hi")
    assert refused.value.retry_after == 1
    assert len(tg.rate_limited) == 2 and len(tg.chat(-100)) == 20 and len(tg.chat(1)) == 3
