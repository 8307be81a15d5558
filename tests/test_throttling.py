"""Flood control: the pure gate, and a flood through the real dispatcher."""

from __future__ import annotations

import asyncio

from bot.devtools.fake_telegram import FakeTelegram
from bot.middlewares.throttling import FloodGate

SLOW_DOWN = "You are sending messages too fast. Please wait a few seconds."


def test_a_user_who_waits_for_answers_is_never_throttled() -> None:
    gate = FloodGate(burst=3, cooldown=5)
    for step in range(100):
        assert gate.admit(1, now=step * 0.001) == "allow"
        gate.done(1)


def test_a_backlog_beyond_the_burst_warns_once_then_drops_until_the_cooldown_ends() -> None:
    gate = FloodGate(burst=3, cooldown=5)
    assert [gate.admit(1, now=0) for _ in range(3)] == ["allow"] * 3
    assert gate.admit(1, now=0.1) == "warn"
    assert gate.admit(1, now=0.2) == "drop"
    assert gate.admit(2, now=0.2) == "allow"  # other users are not affected
    for _ in range(3):
        gate.done(1)
    assert gate.admit(1, now=4.9) == "drop"
    assert gate.admit(1, now=5.2) == "allow"
    assert gate.pending == {1: 1, 2: 1}


async def test_a_flood_gets_one_warning_and_is_cut_off(tg: FakeTelegram, make_app) -> None:
    await make_app(handle_as_tasks=True)
    user = tg.user(3001, language_code="en")
    flood = [asyncio.create_task(user.send("/menu")) for _ in range(30)]
    await tg.wait_for(lambda: any(m.text == SLOW_DOWN for m in user.messages))
    await asyncio.sleep(0.5)
    texts = [m.text for m in user.messages]
    assert texts.count(SLOW_DOWN) == 1
    answered = sum(1 for text in texts if text.startswith("Main menu"))
    assert 1 <= answered <= 6
    for task in flood:
        task.cancel()
    # after the cooldown the user is answered again
    await asyncio.sleep(5.0)  # FloodGate's default cooldown
    before = len(user.messages)
    await user.send("/menu")
    await tg.wait_for(lambda: len(user.messages) > before)
    assert user.messages[-1].text.startswith("Main menu")
