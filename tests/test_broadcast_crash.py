"""A real `python -m bot` process killed with SIGKILL mid-broadcast, then started again, finishes the rest and
sends no confirmed row twice; rows in flight at the kill are reported as ambiguous."""

from __future__ import annotations

import asyncio
import os
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from bot.db import broadcasts as store
from bot.db.broadcasts import Content
from bot.db.clock import now_iso
from bot.db.connection import Database
from bot.devtools.fake_telegram import FakeTelegram
from bot.services.broadcaster import EngineSettings
from bot.services.subscriptions import Audience

ROOT = Path(__file__).resolve().parent.parent
USERS = range(8000, 8120)
TEXT = "Проверка: рассылка после сбоя"


def copies(tg: FakeTelegram) -> Counter[int]:
    return Counter(
        call.params["chat_id"]
        for call in tg.calls_of("sendMessage")
        if call.ok and str(call.params.get("text", "")).endswith(TEXT)  # under the "Koldoo · news" header
    )


async def start_bot(tg: FakeTelegram, database: Path, log: Path) -> asyncio.subprocess.Process:
    env = os.environ | {
        "BOT_TOKEN": tg.token,
        "BOT_API_URL": tg.base_url,
        "DATABASE_PATH": str(database),
        "ADMIN_IDS": "900",
        "BROADCAST_RATE": "20",
        "WEB_LISTEN": "",  # no console, no fixed port
    }
    with log.open("ab") as sink:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", cwd=ROOT, env=env, stdout=sink, stderr=sink
        )


async def states(database: Path) -> dict[int, str]:
    db = await Database.open(database)
    try:
        rows = await db.fetchall("SELECT user_id, state FROM broadcast_recipients")
        return {row["user_id"]: row["state"] for row in rows}
    finally:
        await db.close()


async def test_sigkill_mid_broadcast_then_restart(tmp_path: Path) -> None:
    database, log = tmp_path / "koldoo.sqlite3", tmp_path / "bot.log"
    async with FakeTelegram(rate_limit=30) as tg:
        db = await Database.open(database)
        now = now_iso()
        await db.executemany(
            "INSERT INTO users (id, locale, first_seen, last_seen) VALUES (?, 'ru', ?, ?)",
            [(user_id, now, now) for user_id in USERS],
        )
        await store.create_broadcast(
            db,
            sender_id=900,
            sender_locale="ru",
            versions={"ru": Content("text", TEXT)},
            audience=Audience(),
            scheduled_at=datetime.now(UTC),
            now=datetime.now(UTC),
        )
        await db.close()
        for user_id in USERS:
            tg.user(user_id, language_code="ru")

        first = await start_bot(tg, database, log)
        await tg.wait_for(lambda: sum(copies(tg).values()) >= 30, timeout=30, message="the first run sends")
        first.kill()
        await first.wait()
        at_kill = await states(database)
        confirmed = {user for user, state in at_kill.items() if state == "sent"}
        in_flight = {user for user, state in at_kill.items() if state == "sending"}
        assert confirmed and len(confirmed) < len(USERS)
        assert len(in_flight) <= EngineSettings().concurrency

        second = await start_bot(tg, database, log)
        try:
            for _ in range(300):
                if set((await states(database)).values()) <= {"sent", "ambiguous"}:
                    break
                await asyncio.sleep(0.1)
        finally:
            second.terminate()
            await second.wait()

    final = await states(database)
    delivered = copies(tg)
    assert all(delivered[user] == 1 for user in confirmed), "a confirmed row was sent again"
    assert all(delivered[user] <= 1 for user in USERS)
    assert all(delivered[user] == 1 for user in USERS if user not in in_flight)
    assert {user for user, state in final.items() if state == "ambiguous"} == in_flight
    assert {user for user, state in final.items() if state == "sent"} == set(USERS) - in_flight
