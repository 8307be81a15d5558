"""Benchmark: one broadcast to N subscribers through the fake Telegram capped at 30 messages/s.

    python -m bench.broadcast [--users 10000] [--rate 29.5] [--cap 30]

The real engine, the real Telegram adapter and a real aiogram Bot talk HTTP to the fake server (in this
process). Prints the achieved rate, its ratio to the cap (goal >= 0.95), 429s met, and peak memory.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from aiogram import Bot
from aiogram.client.telegram import TelegramAPIServer

from bot.broadcasting import TelegramDelivery
from bot.db import broadcasts as store
from bot.db.broadcasts import Content
from bot.db.clock import now_iso
from bot.db.connection import Database
from bot.devtools.fake_telegram import FakeTelegram
from bot.services.broadcaster import Broadcaster
from bot.services.pace import Limits, MemoryPace
from bot.services.subscriptions import Audience
from bot.session import BotAPISession


def rss_mib() -> float:
    """Peak resident memory of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


async def main(users: int, rate: float, cap: float) -> int:
    async with FakeTelegram(rate_limit=cap) as tg:
        with tempfile.TemporaryDirectory() as tmp:
            db = await Database.open(Path(tmp) / "bench.sqlite3")
            now = now_iso()
            await db.executemany(
                "INSERT INTO users (id, locale, first_seen, last_seen) VALUES (?, 'ru', ?, ?)",
                [(10_000 + i, now, now) for i in range(users)],
            )
            for i in range(users):
                tg.user(10_000 + i)
            bot = Bot(
                "123456:TEST-token", session=BotAPISession(api=TelegramAPIServer.from_base(tg.base_url))
            )
            broadcaster = Broadcaster(db, TelegramDelivery(bot), MemoryPace(Limits(rate=rate)), default_locale="ru")
            broadcast_id = await store.create_broadcast(
                db,
                sender_id=1,
                sender_locale="ru",
                versions={"ru": Content("text", "Проверка рассылки")},
                audience=Audience(),
                scheduled_at=datetime.now(UTC),
                now=datetime.now(UTC),
            )
            rss_before = rss_mib()
            started = time.monotonic()
            await broadcaster.start(broadcast_id)
            await broadcaster.wait(broadcast_id)
            elapsed = time.monotonic() - started
            counts = await store.state_counts(db, broadcast_id)
            await bot.session.close()
            await db.close()
        throttled = sum(1 for call in tg.calls if call.status == 429)
        delivered = sum(1 for call in tg.calls if call.method == "sendMessage" and call.ok)
    achieved = counts.sent / elapsed
    print(f"subscribers        {users}")
    print(f"BROADCAST_RATE     {rate}/s   fake cap {cap}/s")
    print(f"sent / delivered   {counts.sent} / {delivered}   failed {counts.failed}   429s {throttled}")
    print(f"elapsed            {elapsed:.1f} s")
    print(f"achieved rate      {achieved:.2f} msg/s")
    print(f"ratio to cap       {achieved / cap:.3f}   (goal >= 0.95)")
    print(
        f"peak RSS           {rss_mib():.0f} MiB (before sending {rss_before:.0f} MiB; fake server included)"
    )
    return 0 if counts.sent == users == delivered else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=29.5, help="BROADCAST_RATE")
    parser.add_argument("--cap", type=float, default=30.0, help="the fake server's messages per second")
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.users, args.rate, args.cap)))
