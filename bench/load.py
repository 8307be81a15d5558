"""Load benchmark: 1,000 distinct users send /start at once through the fake Bot API server.

The bot runs as its own process (`python -m bot`, as deployed) and the fake Telegram in this one, so the
two do not share a core. Prints updates per second and p50 / p95 / p99 time to first answer for Koldoo and,
in the same run, for a bare aiogram bot whose only handler answers "hi" (the ceiling of this machine).
A shared machine's speed drifts from one second to the next, so the two bots take turns for a few rounds and
the median of the per-round ratios is the result.

    python bench/load.py [--users 1000] [--rounds 5] [--replicas 2]

With `--replicas N`, a last run puts N Koldoo processes in webhook mode on one PostgreSQL and one Redis
(KOLDOO_BENCH_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/test, where it creates the database
koldoo_bench; KOLDOO_BENCH_REDIS_URL, default redis://127.0.0.1:6379/14), the fake posting the updates to
them in turn, and prints it beside the single SQLite process of the last round.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import asyncpg
from redis.asyncio import Redis
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.devtools.fake_telegram import FakeTelegram  # noqa: E402


async def measure(name: str, command: list[str], users: int) -> float:
    async with FakeTelegram() as tg:
        with tempfile.TemporaryDirectory() as workdir:
            env = {**os.environ, "PYTHONPATH": str(ROOT), "BOT_TOKEN": tg.token, "BOT_API_URL": tg.base_url,
                   "DATABASE_PATH": str(Path(workdir) / "load.sqlite3"), "LOG_LEVEL": "WARNING",
                   "WEB_LISTEN": "",  # no console: no fixed port on a shared machine
                   # the fake sets no limit and the bare bot keeps none: measure the bot, not Telegram's cap
                   "SEND_CAP": "100000"}
            process = await asyncio.create_subprocess_exec(*command, cwd=workdir, env=env)
            await tg.wait_for(lambda: tg.calls_of("getUpdates"), timeout=60)  # started and polled once
            elapsed, latencies = await flood(tg, users)
            process.terminate()
            await process.wait()
    return report(name, users, elapsed, latencies)


async def measure_replicas(replicas: int, users: int) -> float:
    """N processes in webhook mode on PostgreSQL and Redis, the fake posting updates to them in turn."""
    base = make_url(os.environ.get("KOLDOO_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"))
    conn = await asyncpg.connect(host=base.host, port=base.port or 5432, user=base.username,
                                 password=base.password, database=base.database)
    await conn.execute('DROP DATABASE IF EXISTS "koldoo_bench" WITH (FORCE)')
    await conn.execute('CREATE DATABASE "koldoo_bench"')
    await conn.close()
    database_url = base.set(database="koldoo_bench").render_as_string(hide_password=False)
    redis_url = os.environ.get("KOLDOO_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
    redis = Redis.from_url(redis_url)
    await redis.flushdb()
    secret = "bench-secret"
    async with FakeTelegram() as tg:
        with tempfile.TemporaryDirectory() as workdir:
            processes, urls = [], []
            for _ in range(replicas):
                port = free_port()
                env = {**os.environ, "PYTHONPATH": str(ROOT), "BOT_TOKEN": tg.token, "BOT_API_URL": tg.base_url,
                       "DATABASE_URL": database_url, "REDIS_URL": redis_url, "LOG_LEVEL": "WARNING", "SEND_CAP": "100000",
                       "WEBHOOK_URL": "https://bench.example.org/hook", "WEBHOOK_SECRET": secret,
                       "WEB_LISTEN": f"127.0.0.1:{port}"}
                processes.append(await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "bot", cwd=workdir, env=env))
                urls.append(f"http://127.0.0.1:{port}/hook")
                await wait_healthy(port)  # one at a time: the first migrates the database
            tg.deliver_to(urls, secret)
            elapsed, latencies = await flood(tg, users)
            for process in processes:
                process.terminate()
            for process in processes:
                await process.wait()
    await redis.flushdb()
    await redis.aclose()
    return report(f"{replicas} repl.", users, elapsed, latencies)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def wait_healthy(port: int, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            try:
                async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.5)
    raise RuntimeError(f"the replica on port {port} did not become healthy")


async def flood(tg: FakeTelegram, users: int) -> tuple[float, list[float]]:
    """Every user sends /start at once; the time until all have their first answer, and each one's wait."""
    fake_users = [tg.user(100_000 + n, language_code=("ky", "ru", "en")[n % 3]) for n in range(users)]
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
    return elapsed, sorted((first_answer[uid] - sent_at[uid]) * 1000 for uid in sent_at)


def report(name: str, users: int, elapsed: float, latencies: list[float]) -> float:
    q = statistics.quantiles(latencies, n=100)
    rate = users / elapsed
    print(f"{name:>8}: {rate:7.1f} updates/s   first answer p50 {q[49]:6.0f} ms  p95 {q[94]:6.0f} ms  p99 {q[98]:6.0f} ms")
    return rate


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--replicas", type=int, default=0, help="then N replicas on PostgreSQL and Redis")
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
    if args.replicas:
        single = await measure("koldoo", [sys.executable, "-m", "bot"], args.users)
        shared = await measure_replicas(args.replicas, args.users)
        print(f"{args.replicas} replicas on PostgreSQL + Redis / one SQLite process = {shared / single:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
