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
    for _ in range(30):
        tg.push_update(user.message_update("/menu"))
    await tg.wait_for(lambda: any(m.text == SLOW_DOWN for m in user.messages))
    await asyncio.sleep(0.5)
    texts = [m.text for m in user.messages]
    assert texts.count(SLOW_DOWN) == 1
    answered = sum(1 for text in texts if text.startswith("Main menu"))
    assert 1 <= answered <= 6
    # after the cooldown the user is answered again
    gate_cooldown = 5.0
    await asyncio.sleep(gate_cooldown)
    [reply] = await user.send("/menu")
    assert reply.text.startswith("Main menu")
