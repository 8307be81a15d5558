"""The delivery engine with an in-memory deliver function: pace, outcomes, cancel, resume, schedule."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from bot.db import broadcasts as store
from bot.db.broadcasts import Content, Counts
from bot.db.connection import Database
from bot.services.broadcaster import (
    Blocked,
    Broadcaster,
    Delivery,
    EngineSettings,
    Outcome,
    PermanentError,
    Progress,
    RetryAfter,
    Sent,
    TransientError,
)
from bot.services.pace import Limits, MemoryPace
from tests.broadcast_helpers import add_users, new_broadcast

FAST = EngineSettings(
    page_size=7, concurrency=3, backoff_base=0.001, progress_interval=0.05, schedule_poll=0.01
)


class Telegram:
    """A scripted deliver function: records what reached whom, with per-user behaviour."""

    def __init__(self, script: dict[int, list[Outcome]] | None = None, delay: float = 0.0) -> None:
        self.script = script or {}
        self.delay = delay
        self.delivered: list[tuple[int, int, str]] = []  # (broadcast, user, text) of every Sent
        self.calls: Counter[int] = Counter()
        self.in_flight = 0
        self.peak = 0

    async def __call__(self, delivery: Delivery) -> Outcome:
        self.calls[delivery.user_id] += 1
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            await asyncio.sleep(self.delay)
        finally:
            self.in_flight -= 1
        steps = self.script.get(delivery.user_id)
        outcome = steps.pop(0) if steps else Sent()
        if isinstance(outcome, Sent):
            self.delivered.append((delivery.broadcast_id, delivery.user_id, delivery.content.text))
        return outcome


@pytest.fixture
async def db(database):
    return database


def engine(db: Database, telegram: Telegram, rate: float = 2000, **kwargs) -> Broadcaster:
    return Broadcaster(db, telegram, MemoryPace(Limits(rate=rate)), default_locale="ru", settings=FAST, **kwargs)


async def test_every_outcome_is_recorded_and_each_subscriber_gets_one_copy(db):
    await add_users(db, range(1, 41))
    telegram = Telegram(
        {
            3: [Blocked()],
            4: [PermanentError("Bad Request: chat not found")],
            5: [RetryAfter(0.05), Sent()],
            6: [TransientError("502"), TransientError("timeout"), Sent()],
            7: [TransientError("502")] * 10,
        }
    )
    broadcaster = engine(db, telegram)
    bid = await new_broadcast(db)
    started = time.monotonic()
    assert await broadcaster.start(bid) is True
    await broadcaster.wait(bid)

    sent_to = [user for _, user, _ in telegram.delivered]
    assert sorted(sent_to) == sorted(set(range(1, 41)) - {3, 4, 7})
    assert telegram.calls[5] == 2 and telegram.calls[6] == 3 and telegram.calls[7] == FAST.max_attempts
    assert time.monotonic() - started >= 0.05  # the 429 paused sending
    info = await store.get_broadcast(db, bid)
    assert info.status == "done"
    assert info.counts == Counts(sent=37, blocked=1, failed=2)
    assert await db.fetchval("SELECT blocked FROM users WHERE id = 3") == 1
    errors = dict(await db.fetchall("SELECT user_id, error FROM broadcast_recipients WHERE state = 'failed'"))
    assert errors == {4: "Bad Request: chat not found", 7: "502"}
    assert telegram.peak <= FAST.concurrency


async def test_an_exception_in_deliver_is_retried_not_fatal(db):
    await add_users(db, [1, 2])
    calls = Counter()

    async def flaky(delivery: Delivery) -> Outcome:
        calls[delivery.user_id] += 1
        if delivery.user_id == 1 and calls[1] == 1:
            raise ConnectionResetError
        return Sent()

    broadcaster = Broadcaster(db, flaky, MemoryPace(Limits(rate=2000)), default_locale="ru", settings=FAST)
    bid = await new_broadcast(db)
    await broadcaster.start(bid)
    await broadcaster.wait(bid)
    assert (await store.state_counts(db, bid)).sent == 2 and calls[1] == 2


async def test_each_language_gets_its_version_and_others_the_senders(db):
    await add_users(db, [1, 2], locale="ky")
    await add_users(db, [3], locale="ru")
    await add_users(db, [4], locale="en")
    telegram = Telegram()
    broadcaster = engine(db, telegram)
    bid = await new_broadcast(
        db, versions={"ru": Content("text", "Внимание"), "ky": Content("text", "Көңүл буруңуз")}
    )
    await broadcaster.start(bid)
    await broadcaster.wait(bid)
    by_user = {user: text for _, user, text in telegram.delivered}
    assert by_user == {1: "Көңүл буруңуз", 2: "Көңүл буруңуз", 3: "Внимание", 4: "Внимание"}


async def test_two_broadcasts_share_one_pace(db):
    await add_users(db, range(1, 31))
    telegram = Telegram()
    broadcaster = engine(db, telegram, rate=200)
    first, second = await new_broadcast(db), await new_broadcast(db)
    started = time.monotonic()
    await broadcaster.start(first)
    await broadcaster.start(second)
    await asyncio.gather(broadcaster.wait(first), broadcaster.wait(second))
    assert len(telegram.delivered) == 60
    assert time.monotonic() - started >= 59 / 200


async def test_cancel_stops_sending(db):
    await add_users(db, range(1, 101))
    telegram = Telegram(delay=0.005)
    broadcaster = engine(db, telegram, rate=200)
    bid = await new_broadcast(db)
    await broadcaster.start(bid)
    await asyncio.sleep(0.1)
    assert await broadcaster.cancel(bid) is True
    await broadcaster.wait(bid)
    sent_at_cancel = len(telegram.delivered)
    await asyncio.sleep(0.05)
    assert len(telegram.delivered) == sent_at_cancel < 100
    info = await store.get_broadcast(db, bid)
    assert info.status == "cancelled"
    assert info.counts.sent == sent_at_cancel and info.counts.sending == 0
    assert info.counts.pending == 100 - sent_at_cancel
    assert await broadcaster.cancel(bid) is False


async def test_a_restart_resends_nothing_confirmed_and_reports_rows_in_flight(db):
    await add_users(db, range(1, 21))
    bid = await new_broadcast(db)
    await store.start_broadcast(db, bid, datetime.now(UTC), "ru")
    for user_id in range(1, 9):  # the crashed process had confirmed 8 rows and was sending 2 more
        await store.mark_sending(db, bid, user_id)
        await store.mark_sent(db, bid, user_id)
    await store.mark_sending(db, bid, 9)
    await store.mark_sending(db, bid, 10)

    telegram = Telegram()
    reports: list[Progress] = []

    async def on_progress(progress: Progress) -> None:
        reports.append(progress)

    broadcaster = engine(db, telegram, on_progress=on_progress)
    assert await broadcaster.resume() == 2
    await broadcaster.wait(bid)
    assert sorted(user for _, user, _ in telegram.delivered) == list(range(11, 21))
    assert reports[-1].status == "done"
    assert reports[-1].counts == Counts(sent=18, ambiguous=2)
    assert reports[-1].eta == 0.0


async def test_a_scheduled_broadcast_fires_once_when_due(db):
    await add_users(db, range(1, 4))
    telegram = Telegram()
    broadcaster = engine(db, telegram)
    due = await new_broadcast(db, scheduled_at=datetime.now(UTC) - timedelta(seconds=1))
    later = await new_broadcast(db, scheduled_at=datetime.now(UTC) + timedelta(hours=1))
    runner = asyncio.create_task(broadcaster.run_forever())
    try:
        await asyncio.sleep(0.2)
        await broadcaster.wait(due)
        assert await broadcaster.start_due() == []
    finally:
        runner.cancel()
    assert sorted(user for _, user, _ in telegram.delivered) == [1, 2, 3]
    assert (await store.get_broadcast(db, later)).status == "scheduled"
    assert await broadcaster.start(due) is False


async def test_progress_reports_are_spaced_and_complete(db):
    await add_users(db, range(1, 61))
    reports: list[tuple[float, Progress]] = []

    async def on_progress(progress: Progress) -> None:
        reports.append((time.monotonic(), progress))

    broadcaster = engine(db, Telegram(), rate=200, on_progress=on_progress)
    bid = await new_broadcast(db)
    await broadcaster.start(bid)
    await broadcaster.wait(bid)
    assert len(reports) >= 3
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(reports)]
    assert min(gaps) >= FAST.progress_interval * 0.9
    assert reports[0][1].counts.left > 50  # the first report comes at once
    middle = reports[1][1]
    assert middle.status == "running" and middle.total == 60 and 0 < middle.counts.left < 60
    assert 0 < middle.rate <= 240  # 200/s, plus the first send, which goes at once
    assert middle.eta == pytest.approx(middle.counts.left / middle.rate)
    last = reports[-1][1]
    assert last.status == "done" and last.counts.sent == 60 and last.counts.left == 0


async def test_shutdown_lets_rows_in_flight_finish_and_leaves_the_broadcast_running(db):
    await add_users(db, range(1, 51))
    telegram = Telegram(delay=0.01)
    broadcaster = engine(db, telegram, rate=200)
    bid = await new_broadcast(db)
    await broadcaster.start(bid)
    await asyncio.sleep(0.05)
    await broadcaster.shutdown()
    counts = await store.state_counts(db, bid)
    assert counts.sending == 0 and counts.sent == len(telegram.delivered) and counts.pending > 0
    assert (await store.get_broadcast(db, bid)).status == "running"
    assert broadcaster.active == []

    again = engine(db, telegram)
    assert await again.resume() == 0
    await again.wait(bid)
    assert sorted(user for _, user, _ in telegram.delivered) == list(range(1, 51))
