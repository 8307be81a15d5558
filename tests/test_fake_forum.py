"""The fake Bot API's forums behave like Telegram's: topics, thread ids, closing, deleting, the group limit."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest, TelegramRetryAfter

from bot.devtools.fake_telegram import FakeTelegram

GROUP = -1001000000001


@pytest.fixture
async def bot(tg: FakeTelegram):
    session = AiohttpSession(api=TelegramAPIServer.from_base(tg.base_url))
    bot = Bot(tg.token, session=session)
    yield bot
    await session.close()


async def test_topics_are_created_written_in_closed_reopened_and_deleted(tg: FakeTelegram, bot: Bot) -> None:
    tg.forum(GROUP)
    topic = await bot.create_forum_topic(GROUP, "#C-1 · ky · ban")
    sent = await bot.send_message(GROUP, "card", message_thread_id=topic.message_thread_id)
    assert sent.message_thread_id == topic.message_thread_id and sent.is_topic_message
    assert [m.text for m in tg.thread(GROUP, topic.message_thread_id)] == ["card"]
    await bot.close_forum_topic(GROUP, topic.message_thread_id)
    assert tg.topic(GROUP, topic.message_thread_id).closed
    with pytest.raises(TelegramBadRequest, match="TOPIC_NOT_MODIFIED"):
        await bot.close_forum_topic(GROUP, topic.message_thread_id)
    await bot.reopen_forum_topic(GROUP, topic.message_thread_id)
    await bot.edit_forum_topic(GROUP, topic.message_thread_id, name="🆘 #C-1 · ky · ban")
    assert tg.topic(GROUP, topic.message_thread_id).name == "🆘 #C-1 · ky · ban"
    await bot.delete_forum_topic(GROUP, topic.message_thread_id)
    assert tg.chat(GROUP) == []
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.send_message(GROUP, "again", message_thread_id=topic.message_thread_id)
    tg.violations.clear()


async def test_a_member_writes_in_a_topic_and_copies_go_both_ways(tg: FakeTelegram, bot: Bot) -> None:
    tg.forum(GROUP)
    user = tg.user(5)
    member = tg.member(tg.user(6), GROUP)
    topic = await bot.create_forum_topic(GROUP, "t")
    tg.known_chats.add(5)
    update = member.message_update("hi", thread=topic.message_thread_id)["message"]
    written = tg.thread(GROUP, topic.message_thread_id)[-1]
    assert update["is_topic_message"] and update["reply_to_message"]["forum_topic_created"]["name"] == "t"
    copied = await bot.copy_message(user.id, GROUP, written.message_id, protect_content=True)
    assert tg.chat(user.id)[-1].text == "hi" and tg.chat(user.id)[-1].protected and copied.message_id
    location = tg.add_message(user.id, from_bot=False, kind="location", location={"latitude": 1.5, "longitude": 2.5})
    await bot.copy_message(GROUP, user.id, location.message_id, message_thread_id=topic.message_thread_id)
    assert tg.thread(GROUP, topic.message_thread_id)[-1].location == location.location


async def test_not_a_forum_and_the_20_a_minute_group_limit(tg: FakeTelegram, bot: Bot) -> None:
    tg.known_chats.add(-100555)
    with pytest.raises(TelegramBadRequest, match="the chat is not a forum"):
        await bot.create_forum_topic(-100555, "t")
    tg.forum(GROUP, per_minute=3)
    for n in range(3):
        await bot.send_message(GROUP, f"m{n}")
    with pytest.raises(TelegramRetryAfter) as refused:
        await bot.send_message(GROUP, "m3")
    assert 1 <= refused.value.retry_after <= 60
    tg.violations.clear()
