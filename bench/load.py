"""Load benchmark: 1,000 distinct users send /start at once through the fake Bot API server.

The bot runs as its own process (`python -m bot`, as deployed) and the fake Telegram in this one, so the
two do not share a core. Prints updates per second and p50 / p95 / p99 time to first answer for Koldoo and,
in the same run, for a bare aiogram bot whose only handler answers "hi" (the ceiling of this machine).
A shared machine's speed drifts from one second to the next, so the two bots take turns for a few rounds and
the median of the per-round ratios is the result.

    python bench/load.py [--users 1000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.devtools.fake_telegram import FakeTelegram  # noqa: E402


async def measure(name: str, command: list[str], users: int) -> float:
    async with FakeTelegram() as tg:
        with tempfile.TemporaryDirectory() as workdir:
            env = {**os.environ, "PYTHONPATH": str(ROOT), "BOT_TOKEN": tg.token, "BOT_API_URL": tg.base_url,
                   "DATABASE_PATH": str(Path(workdir) / "load.sqlite3"), "LOG_LEVEL": "WARNING",
                   "WEB_LISTEN": ""}  # no console: no fixed port on a shared machine
            process = await asyncio.create_subprocess_exec(*command, cwd=workdir, env=env)
            fake_users = [tg.user(100_000 + n, language_code=("ky", "ru", "en")[n % 3]) for n in range(users)]
            await tg.wait_for(lambda: tg.calls_of("getUpdates"), timeout=60)  # started and polled once
            sent_at: dict[int, float] = {}
            started = time.monotonic()
            for user in fake_users:
                tg.push_update(user.message_update("/start"))
                sent_at[user.id] = time.monotonic()
            first_answer: dict[int, float] = {}
            seen_calls = 0

            def all_answered() -> bool:
                nonlocal seen_calls
                calls = tg.calls
                for call in calls[seen_calls:]:
                    chat = call.params.get("chat_id") if call.method == "sendMessage" else None
                    if chat in sent_at and chat not in first_answer:
                        first_answer[chat] = call.time
                seen_calls = len(calls)
                return len(first_answer) == users

            await tg.wait_for(all_answered, timeout=600)
            elapsed = max(first_answer.values()) - started
            process.terminate()
            await process.wait()
    latencies = sorted((first_answer[uid] - sent_at[uid]) * 1000 for uid in sent_at)
    q = statistics.quantiles(latencies, n=100)
    rate = users / elapsed
    print(f"{name:>8}: {rate:7.1f} updates/s   first answer p50 {q[49]:6.0f} ms  p95 {q[94]:6.0f} ms  p99 {q[98]:6.0f} ms")
    return rate


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(f"{args.users} distinct users send /start at once through the fake Bot API server, {args.rounds} rounds")
    ratios = []
    for _ in range(args.rounds):
        ceiling = await measure("bare", [sys.executable, str(ROOT / "bench" / "bare_bot.py")], args.users)
        koldoo = await measure("koldoo", [sys.executable, "-m", "bot"], args.users)
        ratios.append(koldoo / ceiling)
        print(f"   round: koldoo / bare = {ratios[-1]:.2f}")
    print(f"koldoo / bare = {statistics.median(ratios):.2f} median of {args.rounds} rounds "
          f"(min {min(ratios):.2f}, max {max(ratios):.2f}; goal >= 0.75)")


if __name__ == "__main__":
    asyncio.run(main())
