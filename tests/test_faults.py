"""Faults: a database held by another process, and a Bot API that fails and times out for a while."""

from __future__ import annotations

import asyncio
import sys
import time

from bot.devtools.fake_telegram import FakeTelegram
from tests.conftest import RunningApp

HOLD_WRITE_LOCK = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("UPDATE users SET last_seen = last_seen")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.execute("COMMIT")
"""


async def test_requests_wait_for_another_process_holding_the_write_lock(tg: FakeTelegram, app: RunningApp) -> None:
    user = tg.user(6001, language_code="en")
    await user.send("/start")
    holder = await asyncio.create_subprocess_exec(
        sys.executable, "-c", HOLD_WRITE_LOCK, str(app.settings.database_path), "1.5",
        stdout=asyncio.subprocess.PIPE,
    )
    assert (await holder.stdout.readline()).strip() == b"locked"
    started = time.monotonic()
    [reply] = await user.send("/menu")  # the user row is written: it waits for the lock (SQLITE_BUSY)
    assert reply.text.startswith("Main menu")
    assert time.monotonic() - started >= 1.0
    assert await holder.wait() == 0


async def test_answers_survive_a_bot_api_outage(tg: FakeTelegram, app: RunningApp) -> None:
    user = tg.user(6002, language_code="en")
    tg.outage(1.5, status=500)
    [reply] = await user.send("/menu")
    assert reply.text.startswith("Main menu")
    assert [c.status for c in tg.calls_of("sendMessage")][:1] == [500]


async def test_answers_survive_429_with_retry_after(tg: FakeTelegram, app: RunningApp) -> None:
    user = tg.user(6003, language_code="en")
    tg.fail("sendMessage", status=429, retry_after=1, times=2)
    started = time.monotonic()
    [reply] = await user.send("/help")
    assert reply.text.startswith("What Koldoo does")
    assert time.monotonic() - started >= 2.0  # it waited as Telegram asked, twice


async def test_answers_survive_timeouts(tg: FakeTelegram, make_app) -> None:
    await make_app(request_timeout=0.5)
    user = tg.user(6004, language_code="en")
    tg.fail("sendMessage", status=200, delay=1.0, times=2)  # answered too late: the bot gives up and retries
    replies = await user.send("/menu")
    assert replies and all(r.text.startswith("Main menu") for r in replies)
    # A call that timed out may still have been delivered: at most those are duplicates, none is lost.
    assert 1 <= len(replies) <= 3
