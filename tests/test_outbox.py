"""The outbox: what a committed change owes people goes out once, through a Bot API outage, a lost answer
and a kill -9 of the real process between the commit and the message."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

from bot.db.connection import Database
from bot.devtools.fake_telegram import FakeTelegram
from tests.conftest import COORDINATOR_ID, RunningApp
from tests.process import BotProcess
from tests.test_process import replies_to
from tests.test_training_e2e import REFERENCE, apply, english_coordinator, fill_form

SAVED = "Thank you! Your request is saved."
STARTUP = 120  # seconds; importing aiogram alone takes 20 s on a shared, busy machine


def announcements(tg: FakeTelegram, reference: str) -> list:
    return [
        call
        for call in tg.calls_of("sendMessage")
        if call.ok and call.params["chat_id"] == COORDINATOR_ID and reference in call.params["text"]
    ]


async def outbox_states(db: Database) -> list[str]:
    return [row["state"] for row in await db.fetchall("SELECT state FROM outbox ORDER BY id")]


async def test_an_announcement_the_bot_api_refused_goes_out_once_when_it_recovers(
    tg: FakeTelegram, app: RunningApp
) -> None:
    tg.user(COORDINATOR_ID, language_code="en")
    user = tg.user(2100, language_code="en")
    await fill_form(user)
    tg.fail("sendMessage", status=502, times=4)  # more than a reply's old four tries
    [done] = await user.press("Confirm")
    assert done.text.startswith(SAVED)  # the migrant is told the request is saved, whatever Telegram does
    reference = REFERENCE.search(done.text).group(0)
    await tg.wait_for(lambda: announcements(tg, reference), timeout=20, message="announced after the outage")
    await asyncio.sleep(0.3)
    assert len(announcements(tg, reference)) == 1
    assert await outbox_states(app.db) == ["sent"]
    assert len([c for c in tg.calls_of("sendMessage") if c.injected]) == 4


async def test_a_status_notice_whose_answer_was_lost_is_not_sent_again(tg: FakeTelegram, make_app) -> None:
    app = await make_app(request_timeout=0.5)
    coordinator = await english_coordinator(tg)
    reference = await apply(tg, 2101)
    migrant = tg.user(2101, language_code="en")
    await coordinator.press("Open")
    tg.lose_answers("sendMessage", delay=1.5)  # delivered, but the answer comes after the bot gave up
    await coordinator.press("Contacted")
    await tg.wait_for(lambda: any("new status" in (m.text or "") for m in migrant.messages))
    for _ in range(50):
        if (await outbox_states(app.db))[-1] != "sending":
            break
        await asyncio.sleep(0.05)
    assert (await outbox_states(app.db))[-1] == "ambiguous"
    await app.restart()
    await asyncio.sleep(0.5)
    assert [m.text for m in migrant.messages].count(
        f"Your request {reference} (Centre of Excellence, OshSU) has a new status: Contacted"
    ) == 1


async def test_kill_9_between_the_commit_and_the_announcement_then_it_goes_out_once(
    tg: FakeTelegram, tmp_path: Path
) -> None:
    bot = BotProcess(tg, tmp_path, ADMIN_IDS=str(COORDINATOR_ID))
    await bot.start(timeout=STARTUP)
    try:
        tg.user(COORDINATOR_ID, language_code="en")
        user = tg.user(2102, language_code="en")
        steps = [
            ("send", "/training"), ("press", "🎓 Training programmes"), ("press", "Osh city"),
            ("press", "Various trades"), ("press", "Centre of Excellence, OshSU"),
            ("press", "Apply"), ("press", "Agree"), ("send", "Aigul Toktogulova"), ("send", "0555 123 456"),
            ("press", "Osh city"), ("send", "Osh"), ("press", "Skip"),
        ]
        for action, text in steps:
            if action == "press":  # the bot handles updates as tasks: wait for the screen with the button
                await tg.wait_for(lambda t=text: any(t in m.button_texts() for m in user.messages), timeout=10)
            await replies_to(tg, user, lambda a=action, t=text: getattr(user, a)(t))
        await tg.wait_for(lambda: any("Confirm" in m.button_texts() for m in user.messages), timeout=10)
        tg.fail("sendMessage", status=502, times=10_000)  # the announcement cannot go out
        [done] = await replies_to(tg, user, lambda: user.press("Confirm"))
        assert done.text.startswith(SAVED)
        reference = REFERENCE.search(done.text).group(0)
        await tg.wait_for(
            lambda: any(c.injected for c in tg.calls_of("sendMessage")),
            timeout=10,
            message="the announcement was tried",
        )
        await bot.stop(signal.SIGKILL)
        assert not announcements(tg, reference)

        tg.heal()
        await bot.start(timeout=STARTUP)
        await tg.wait_for(lambda: announcements(tg, reference), timeout=20, message="announced after restart")
        await bot.stop()  # a clean stop, and one more start: nothing is sent twice
        await bot.start(timeout=STARTUP)
        await asyncio.sleep(1.0)
        assert len(announcements(tg, reference)) == 1
    finally:
        if bot.process is not None and bot.process.returncode is None:
            await bot.stop(signal.SIGKILL)
