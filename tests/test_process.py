"""`python -m bot` as a real process: it runs with only a token and an API URL, stops cleanly on SIGTERM,
refuses a second copy on the same database, and picks up after kill -9."""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.devtools.fake_telegram import FakeTelegram
from tests.privacy import leaks, personal_data
from tests.process import BotProcess


@pytest.fixture
async def bot_process(tg: FakeTelegram, tmp_path: Path) -> AsyncIterator[BotProcess]:
    process = BotProcess(tg, tmp_path)
    await process.start()
    yield process
    if process.process.returncode is None:
        await process.stop(signal.SIGKILL)
    assert leaks(process.log(), personal_data(tg)) == []


async def replies_to(tg: FakeTelegram, user, action, count: int = 1) -> list:
    """The messages the bot sent or edited for `user` after `action`; the bot handles updates as tasks here."""
    marker = tg.activity_marker()
    await action()
    await tg.wait_for(lambda: len(tg.bot_activity(user.id, since=marker)) >= count, timeout=10)
    await asyncio.sleep(0.1)
    return tg.bot_activity(user.id, since=marker)


async def test_runs_with_only_a_token_and_api_url(tg: FakeTelegram, bot_process: BotProcess, tmp_path: Path) -> None:
    user = tg.user(7001, language_code="ky")
    [welcome] = await replies_to(tg, user, lambda: user.send("/start"))
    assert welcome.text.startswith("Салам! Мен Колдоо")
    assert welcome.button_texts()[:3] == ["Кыргызча", "Русский", "English"]
    [switched] = await replies_to(tg, user, lambda: user.press("English"))
    assert switched.text.startswith("Done: I will speak English.")
    [reply] = await replies_to(tg, user, lambda: user.send("/help"))
    assert reply.text.startswith("What Koldoo does")
    assert (tmp_path / "data" / "koldoo.sqlite3").is_file()  # the default DATABASE_PATH


async def test_sigterm_stops_cleanly_and_a_restart_continues(
    tg: FakeTelegram, bot_process: BotProcess, tmp_path: Path
) -> None:
    user = tg.user(7002, language_code="en")
    await replies_to(tg, user, lambda: user.send("/start"))
    assert await bot_process.stop(signal.SIGTERM) == 0
    assert "bot.stopped" in bot_process.log()
    await bot_process.start()
    [reply] = await replies_to(tg, user, lambda: user.send("/menu"))
    assert reply.text.startswith("Main menu")


async def test_a_second_bot_on_the_same_database_is_refused(
    tg: FakeTelegram, bot_process: BotProcess, tmp_path: Path
) -> None:
    second = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=tmp_path, env=bot_process.env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(second.communicate(), 30)
    assert second.returncode == 1
    assert stderr.decode().strip().splitlines() == [
        f"another Koldoo process is using {Path('data/koldoo.sqlite3')}; stop it first"
    ]


async def test_kill_9_then_restart_handles_waiting_updates_once(
    tg: FakeTelegram, bot_process: BotProcess
) -> None:
    user = tg.user(7003, language_code="en")
    await replies_to(tg, user, lambda: user.send("/start"))
    await bot_process.stop(signal.SIGKILL)
    waiting = [asyncio.create_task(user.send("/menu")) for _ in range(3)]
    await asyncio.sleep(0.3)
    before = len(user.messages)
    await bot_process.start()
    await tg.wait_for(lambda: len(user.messages) >= before + 3, timeout=10)
    await asyncio.sleep(0.5)
    assert [m.text.split("\n")[0] for m in user.messages[before:]] == ["Main menu"] * 3
    await asyncio.gather(*waiting, return_exceptions=True)


async def test_kill_9_in_the_middle_of_a_dialogue_then_restart_resumes_it(
    tg: FakeTelegram, bot_process: BotProcess
) -> None:
    from datetime import timedelta

    from bot.services.dates import users_today

    user = tg.user(7004, language_code="en")
    entry = users_today() - timedelta(days=150)  # still there: about 60 days over, the 3-year clause
    await replies_to(tg, user, lambda: user.send("/ban"))
    await replies_to(tg, user, lambda: user.press("🇷🇺 Russia"))
    await replies_to(tg, user, lambda: user.press("Yes"))
    [question] = await replies_to(tg, user, lambda: user.send(entry.strftime("%d.%m.%Y")))
    await bot_process.stop(signal.SIGKILL)
    await bot_process.start()
    [next_question] = await replies_to(tg, user, lambda: user.press("I am still there"))
    assert next_question.text != question.text  # the dialogue went on from where it was
    for _ in range(4 + 6):  # no other trip, none last year, no older overstay, no contract; no ban answers
        await replies_to(tg, user, lambda: user.press("No"))
    result = await replies_to(tg, user, lambda: user.press("No"), count=2)  # the timeline, then the text
    assert "Federal Law 114-FZ, art. 27 p. 1 sub. 12" in result[-1].text  # 60 days over: the 3-year clause
