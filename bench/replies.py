"""Benchmark: replies under flood. 1,000 users each send three messages while a broadcast runs at the cap.

    python bench/replies.py [--users 1000] [--messages 3] [--gap 5] [--subscribers 2000] [--cap 30]

The bot runs as its own process (`python -m bot`, BROADCAST_RATE at the cap) against the fake Bot API
server in this one, which enforces Telegram's limits as Telegram does: `--cap` messages a second in all
(beyond it, 429 and a penalty), one a second to a chat after a burst of three. A broadcast to
`--subscribers` other users is due when the bot starts; once it is sending, each user sends `--messages`
messages `--gap` seconds apart (all users at once). Prints answers delivered, time from a message to its
answer (p50 / p95 / max), the 429s the bot met, and how far the broadcast got meanwhile.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.db import broadcasts as store  # noqa: E402
from bot.db.broadcasts import Content  # noqa: E402
from bot.db.clock import now_iso  # noqa: E402
from bot.db.connection import Database  # noqa: E402
from bot.devtools.fake_telegram import FakeTelegram  # noqa: E402
from bot.services.pace import Limits  # noqa: E402
from bot.services.subscriptions import Audience  # noqa: E402

BROADCAST_TEXT = "Проверка рассылки"
MESSAGES = ("/start", "/help", "/menu")  # one answer each
USERS_FROM, SUBSCRIBERS_FROM = 100_000, 500_000


async def prepare(database: Path, subscribers: int) -> None:
    """Subscribers in the database and a broadcast to them, due at once: the bot starts it on start-up."""
    db = await Database.open(database)
    now = now_iso()
    await db.executemany(
        "INSERT INTO users (id, locale, first_seen, last_seen) VALUES (?, 'ru', ?, ?)",
        [(SUBSCRIBERS_FROM + n, now, now) for n in range(subscribers)],
    )
    await store.create_broadcast(
        db,
        sender_id=1,
        sender_locale="ru",
        versions={"ru": Content("text", BROADCAST_TEXT)},
        audience=Audience(),
        scheduled_at=datetime.now(UTC),
        now=datetime.now(UTC),
    )
    await db.close()


async def main(users: int, messages: int, gap: float, subscribers: int, cap: float) -> int:
    limits = Limits()
    async with FakeTelegram(
        rate_limit=cap, per_chat_rate_limit=limits.chat_rate, per_chat_burst=limits.chat_burst
    ) as tg:
        with tempfile.TemporaryDirectory() as workdir:
            database = Path(workdir) / "replies.sqlite3"
            await prepare(database, subscribers)
            for n in range(subscribers):
                tg.user(SUBSCRIBERS_FROM + n, language_code="ru")
            fake_users = [tg.user(USERS_FROM + n, language_code=("ky", "ru", "en")[n % 3]) for n in range(users)]
            env = {**os.environ, "PYTHONPATH": str(ROOT), "BOT_TOKEN": tg.token, "BOT_API_URL": tg.base_url,
                   "DATABASE_PATH": str(database), "LOG_LEVEL": "ERROR", "BROADCAST_RATE": str(cap)}
            process = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", cwd=workdir, env=env)

            def broadcast_sent() -> int:
                return sum(1 for c in tg.calls_of("sendMessage") if c.ok and BROADCAST_TEXT in (c.params.get("text") or ""))

            await tg.wait_for(lambda: broadcast_sent() >= 3 * cap, timeout=180)  # sending at full pace
            throttled_before = len(tg.rate_limited)
            sent_at: dict[int, list[float]] = {user.id: [] for user in fake_users}
            started = time.monotonic()
            for step in range(messages):
                if step:
                    await asyncio.sleep(gap)
                for user in fake_users:
                    tg.push_update(user.message_update(MESSAGES[step % len(MESSAGES)]))
                    sent_at[user.id].append(time.monotonic())
            answers: dict[int, list[float]] = {}

            def all_answered() -> bool:
                answers.clear()
                for call in tg.calls_of("sendMessage"):
                    chat = call.params.get("chat_id")
                    if call.ok and chat in sent_at:
                        answers.setdefault(chat, []).append(call.time)
                return sum(min(len(a), messages) for a in answers.values()) == users * messages

            try:
                await tg.wait_for(all_answered, timeout=900)
            except AssertionError:
                pass  # report what arrived
            elapsed = time.monotonic() - started
            throttled = len(tg.rate_limited) - throttled_before
            during = broadcast_sent()
            process.terminate()
            await process.wait()
    latencies = sorted(
        answer - asked
        for chat, asked_times in sent_at.items()
        for asked, answer in zip(asked_times, answers.get(chat, []), strict=False)
    )
    delivered = len(latencies)
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    print(f"{users} users x {messages} messages, {gap:g} s apart, during a broadcast to {subscribers} at the cap "
          f"({cap:g}/s; per chat {limits.chat_rate:g}/s after a burst of {limits.chat_burst})")
    print(f"answers delivered  {delivered} / {users * messages}")
    print(f"time to answer     p50 {q[49]:.1f} s   p95 {q[94]:.1f} s   max {latencies[-1] if latencies else 0:.1f} s")
    print(f"429s seen          {throttled}")
    print(f"broadcast          {during} / {subscribers} sent by the end ({elapsed:.0f} s of replies)")
    return 0 if delivered == users * messages else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=3)
    parser.add_argument("--gap", type=float, default=5.0, help="seconds between a user's messages")
    parser.add_argument("--subscribers", type=int, default=2000)
    parser.add_argument("--cap", type=float, default=30.0, help="the fake server's messages per second")
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.users, args.messages, args.gap, args.subscribers, args.cap)))
