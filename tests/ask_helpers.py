"""Shared steps of the talk-to-a-person tests: an operator forum, staff in it, a migrant opening a case."""

from __future__ import annotations

import asyncio

from bot.db.cases import Case, open_case_of
from bot.db.staff import grant
from bot.devtools.fake_forum import FakeMember
from bot.devtools.fake_telegram import FakeTelegram, FakeUser
from tests.conftest import COORDINATOR_ID, RunningApp

GROUP = -1001234567890


async def volunteer(tg: FakeTelegram, app: RunningApp, user_id: int = 700, language: str = "en") -> FakeMember:
    """A volunteer (role in the database) who is a member of the operator group."""
    user = tg.user(user_id, first_name="Volunteer", language_code=language)
    await grant(app.db, COORDINATOR_ID, user_id, "volunteer")
    return tg.member(user, GROUP)


async def open_case(user: FakeUser, topic_label: str, agree: str) -> None:
    """/ask, the topic, the consent: the case is open and the migrant may write."""
    await user.send("/ask")
    await user.press(topic_label)
    await user.press(agree)


async def case_of(app: RunningApp, user: FakeUser) -> Case:
    case = await open_case_of(app.db, user.id)
    assert case is not None, f"user {user.id} has no open case"
    return case


async def wait_in_topic(tg: FakeTelegram, app: RunningApp, user: FakeUser, count: int) -> Case:
    """Wait until the migrant's open case has a topic holding its card and `count` more posts."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while loop.time() < deadline:
        case = await open_case_of(app.db, user.id)
        if case and case.thread_id and tg.topic(case.chat_id, case.thread_id):
            if len(tg.thread(case.chat_id, case.thread_id)) >= count + 1:
                return case
        await asyncio.sleep(0.02)
    raise AssertionError(f"the topic of user {user.id} did not get {count} posts besides its card")


async def eventually(check, timeout: float = 10.0, message: str = "condition") -> None:
    """Wait until the async `check()` is true (the handover works in the background)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await check():
        if loop.time() > deadline:
            raise AssertionError(f"{message} not met within {timeout}s")
        await asyncio.sleep(0.02)
