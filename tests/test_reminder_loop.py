"""Reminders through the outbox against the fake Telegram: language, blocked users, passing failures,
/forget."""

from __future__ import annotations

from datetime import timedelta

from bot.db import reminders
from bot.db.users import get_user
from bot.devtools.fake_telegram import FakeTelegram
from bot.i18n import format_date
from bot.services.dates import users_today
from tests.conftest import RunningApp

# Due after today, so the bot's own loop leaves them alone and each test decides when they are due.
AHEAD = users_today() + timedelta(days=30)


async def send_due(app: RunningApp) -> int:
    """Queue what is due by AHEAD and deliver it; how many were delivered."""
    assert app.app is not None
    await reminders.queue_due(app.db, AHEAD)
    return await app.app.outbox.deliver_due()


async def known_user(tg: FakeTelegram, user_id: int, language: str | None = None, telegram_language: str = "en"):
    user = tg.user(user_id, language_code=telegram_language)
    await user.send("/start")
    if language:
        await user.press(language)
    return user


async def test_reminder_is_written_in_the_users_language(tg: FakeTelegram, app: RunningApp):
    await known_user(tg, 5000, "Русский")
    await known_user(tg, 5001, telegram_language="de")  # chose nothing, and we don't speak German: the default
    await known_user(tg, 5002, telegram_language="ky")  # chose nothing: the bot has been speaking Kyrgyz
    for user_id in (5000, 5001, 5002):
        await reminders.schedule(app.db, user_id, [("check_before_travel", AHEAD, AHEAD)])
    assert await send_due(app) == 3
    for user_id in (5000, 5001):
        text = tg.chat(user_id)[-1].text
        assert text.startswith(
            f"⏰ Напоминание от Колдоо\nДо {format_date(AHEAD, 'ru')} осталось два месяца."
        )
        assert "Как проверить официально" in text
    assert tg.chat(5002)[-1].text.startswith("⏰ Колдоодон эскертме")
    assert await send_due(app) == 0


async def test_blocked_user_is_marked_and_not_retried(tg: FakeTelegram, app: RunningApp):
    await known_user(tg, 5100, "English")
    await reminders.schedule(app.db, 5100, [("ban_end", AHEAD, AHEAD)])
    tg.blocked.add(5100)
    assert await send_due(app) == 0
    assert (await get_user(app.db, 5100)).blocked
    assert await app.db.fetchval("SELECT sent_at IS NOT NULL FROM reminders WHERE user_id = 5100") == 1
    assert await app.db.fetchval("SELECT state || ':' || error FROM outbox") == "failed:blocked"
    assert await send_due(app) == 0


async def test_a_passing_failure_keeps_the_reminder_for_the_next_pass(tg: FakeTelegram, app: RunningApp):
    await known_user(tg, 5200, "English")
    await reminders.schedule(app.db, 5200, [("ban_end", AHEAD, AHEAD)])
    tg.fail("sendMessage", status=502)
    assert await send_due(app) == 0
    await app.db.execute("UPDATE outbox SET not_before = '2000-01-01T00:00:00.000+00:00'")  # its retry is due
    assert await send_due(app) == 1
    # written when it is sent (today), thirty days before the day entry is allowed again
    text = tg.chat(5200)[-1].text
    assert text.startswith("⏰ Reminder from Koldoo\nBy your check, your entry ban's last day is")
    assert f"you may enter from {format_date(AHEAD, 'en')}" in text


async def test_forget_deletes_reminders(tg: FakeTelegram, app: RunningApp):
    user = await known_user(tg, 5300, "English")
    await reminders.schedule(app.db, 5300, [("ban_end", AHEAD, AHEAD)])
    await user.send("/forget")
    await user.press("Yes, delete everything")
    assert await app.db.fetchval("SELECT count(*) FROM reminders") == 0
