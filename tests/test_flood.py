"""Replies under flood: every outgoing call passes one shared pace, so answers survive Telegram's limits."""

from __future__ import annotations

from bot.devtools.fake_telegram import FakeTelegram

HELP = "What Koldoo does"


async def test_39_users_all_get_their_help_while_telegram_allows_5_a_second(tg: FakeTelegram, make_app) -> None:
    await make_app(handle_as_tasks=True)
    tg.limit(rate=5)
    users = [tg.user(7000 + n, language_code="en") for n in range(39)]
    for user in users:
        tg.push_update(user.message_update("/help"))

    def answered() -> int:
        return sum(1 for user in users if any(m.text.startswith(HELP) for m in user.messages))

    await tg.wait_for(lambda: answered() == 39, timeout=60, message="every user got /help")
    assert tg.rate_limited, "the fake did push back"
    for user in users:
        assert [m.text.startswith(HELP) for m in user.messages].count(True) == 1
