"""Memory benchmark: a broadcast to 1,000,000 subscribers, paced by the fake Telegram, with the bot's peak RSS.

    python -m bench.memory [--subscribers 1000000] [--sends 20000] [--rate 400] [--cap 400]

Three steps, and what each measures:

1. This process builds the database with the real schema (``Database.open`` applies every migration) and
   bulk-inserts the users in one INSERT ... SELECT; the migration's trigger gives each the default
   subscription and safety alerts, so they are exactly the subscribers a real bot would have.
2. It starts the fake Bot API server here, capped at ``--cap`` messages per second (429 with retry_after
   beyond it), and knowing every subscriber's chat.
3. The bot side runs as a separate process (this module with ``--bot-side``), so its RSS is its own: the real
   ``Broadcaster``, ``MemoryPace`` and ``TelegramDelivery`` with an aiogram ``Bot`` over HTTP. It creates a
   broadcast to everyone and starts it, which writes one recipient row per subscriber in one transaction
   (timed, with its memory), then sends through the fake until ``--sends`` messages went out (0: all of
   them) and cancels the rest. It reads its peak RSS from ``/proc/self/status`` (VmHWM) and counts the
   rows each paging query returned, to show the audience is never held in memory.

A full send to 1M at Telegram's 30 messages/s takes over 9 hours; the sends are bounded instead, and the
pace raised above ``BROADCAST_RATE``'s maximum of 30, so a run ends in minutes while still paging through a
1M-row recipient table (the memory of a run does not depend on how many rows are left after it).

It also prints the peak RSS of a process that only imports aiogram: with aiogram 3.31 and pydantic 2.13 that
alone is about 168 MiB (pydantic builds a validator and serializer for each of aiogram's ~900 types at import;
aiogram/aiogram#1513), above the 150 MiB goal before the bot does anything, so the figure to judge the engine
by is how much the broadcast adds to it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.db import broadcasts as store  # noqa: E402
from bot.db.broadcasts import Content, Recipient  # noqa: E402
from bot.db.connection import Database  # noqa: E402

FIRST_USER_ID = 10_000_000
TOKEN = "123456:TEST-token"
GOAL_MIB = 150


def memory_mib() -> dict[str, float]:
    """This process's resident memory now (VmRSS) and at its peak so far (VmHWM), in MiB."""
    status = Path("/proc/self/status").read_text().splitlines()
    fields = dict(line.split(":", 1) for line in status)
    return {name: int(fields[name].split()[0]) / 1024 for name in ("VmRSS", "VmHWM")}


async def build_database(path: Path, subscribers: int) -> float:
    """1M users in one statement; the 0004 trigger writes their subscriptions. Returns the seconds taken."""
    started = time.monotonic()
    db = await Database.open(path)
    await db.execute(
        """
        WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)
        INSERT INTO users (id, locale, first_seen, last_seen)
        SELECT ? + i, CASE i % 3 WHEN 0 THEN 'ky' WHEN 1 THEN 'ru' ELSE 'en' END,
               '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00'
        FROM n
        """,
        (subscribers, FIRST_USER_ID),
    )
    await db.close()
    return time.monotonic() - started


# --- the bot side (its own process) ----------------------------------------------------------------------


class PageLog:
    """Wraps the engine's paging query to count what it returns: the most recipients ever held at once."""

    def __init__(self) -> None:
        self.fetch = store.pending_page
        self.pages = 0
        self.rows = 0
        self.largest = 0

    async def __call__(
        self, db: Database, broadcast_id: int, after_user_id: int, limit: int
    ) -> list[Recipient]:
        page = await self.fetch(db, broadcast_id, after_user_id, limit)
        self.pages += 1
        self.rows += len(page)
        self.largest = max(self.largest, len(page))
        return page


async def bot_side(db_path: Path, api_url: str, rate: float, sends: int) -> dict[str, object]:
    from aiogram import Bot
    from aiogram.client.telegram import TelegramAPIServer

    from bot.broadcasting import TelegramDelivery
    from bot.runtime import settle_memory, tune_interpreter
    from bot.services.broadcaster import Broadcaster, Delivery, Outcome, Progress, Sent
    from bot.services.pace import Limits, MemoryPace
    from bot.services.subscriptions import Audience
    from bot.session import BotAPISession

    pages = PageLog()
    store.pending_page = pages  # type: ignore[assignment]  # the engine looks it up on the module
    db = await Database.open(db_path)
    bot = Bot(TOKEN, session=BotAPISession(api=TelegramAPIServer.from_base(api_url)))
    telegram = TelegramDelivery(bot)
    enough = asyncio.Event()
    sent = in_flight = most_in_flight = 0
    last_sent_at = 0.0
    reports: list[Progress] = []

    async def deliver(delivery: Delivery) -> Outcome:
        nonlocal sent, in_flight, most_in_flight, last_sent_at
        in_flight += 1
        most_in_flight = max(most_in_flight, in_flight)
        try:
            outcome = await telegram(delivery)
        finally:
            in_flight -= 1
        if isinstance(outcome, Sent):
            sent += 1
            last_sent_at = time.monotonic()
            if sends and sent >= sends:
                enough.set()
        return outcome

    async def on_progress(progress: Progress) -> None:
        reports.append(progress)

    broadcaster = Broadcaster(db, deliver, MemoryPace(Limits(rate=rate)), default_locale="ru", on_progress=on_progress)
    tune_interpreter()  # as `python -m bot` runs
    settle_memory()
    now = datetime.now(UTC)
    broadcast_id = await store.create_broadcast(
        db,
        sender_id=1,
        sender_locale="ru",
        versions={locale: Content("text", f"Benchmark ({locale})") for locale in ("ky", "ru", "en")},
        audience=Audience(),
        scheduled_at=now,
        now=now,
    )
    before = memory_mib()
    started = time.monotonic()
    await broadcaster.start(broadcast_id)  # the recipient rows, in one transaction; sending begins after it
    enqueue_seconds = time.monotonic() - started
    after_enqueue = memory_mib()
    info = await store.get_broadcast(db, broadcast_id)
    sending_started = time.monotonic()
    done = asyncio.create_task(broadcaster.wait(broadcast_id))
    stop = asyncio.create_task(enough.wait())
    await asyncio.wait({done, stop}, return_when=asyncio.FIRST_COMPLETED)
    if not done.done():
        await broadcaster.cancel(broadcast_id)
        await done
    stop.cancel()
    sending_seconds = last_sent_at - sending_started  # not the wait for the run's last progress report
    counts = await store.state_counts(db, broadcast_id)
    await bot.session.close()
    await db.close()
    return {
        "total": info.total if info else None,
        "enqueue_seconds": enqueue_seconds,
        "before": before,
        "after_enqueue": after_enqueue,
        "sending_seconds": sending_seconds,
        "sent": sent,
        "counts": {
            "sent": counts.sent,
            "failed": counts.failed,
            "blocked": counts.blocked,
            "left": counts.left,
        },
        "pages": pages.pages,
        "rows_paged": pages.rows,
        "largest_page": pages.largest,
        "most_in_flight": most_in_flight,
        "reports": len(reports),
        "end": memory_mib(),
    }


# --- the orchestrator (fake server, database, report) ----------------------------------------------------


async def import_floor() -> float:
    """Peak RSS of a process that only imports aiogram: the least any aiogram bot can take, in MiB."""
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "import aiogram, pathlib; print(pathlib.Path('/proc/self/status').read_text())",
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    output, _ = await child.communicate()
    peak = next(line for line in output.decode().splitlines() if line.startswith("VmHWM:"))
    return int(peak.split()[1]) / 1024


async def main(subscribers: int, sends: int, rate: float, cap: float) -> int:
    from bot.devtools.fake_telegram import FakeTelegram  # here: the bot side must not carry the fake server

    floor = await import_floor()
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "memory.sqlite3"
        build_seconds = await build_database(db_path, subscribers)
        print(f"database           {subscribers} subscribers built in {build_seconds:.1f} s")
        async with FakeTelegram(token=TOKEN, rate_limit=cap) as tg:
            tg.known_chats.update(range(FIRST_USER_ID, FIRST_USER_ID + subscribers))
            child = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bench.memory",
                "--bot-side",
                str(db_path),
                tg.base_url,
                "--rate",
                str(rate),
                "--sends",
                str(sends),
                cwd=ROOT,
                stdout=asyncio.subprocess.PIPE,
            )
            output, _ = await child.communicate()
            if child.returncode != 0:
                print(f"the bot side failed (exit {child.returncode})")
                return 1
            delivered = sum(1 for call in tg.calls if call.method == "sendMessage" and call.ok)
            throttled = sum(1 for call in tg.calls if call.status == 429)
    figures = json.loads(output.decode().splitlines()[-1])
    peak = figures["end"]["VmHWM"]
    print(
        f"recipients written {figures['total']} rows in one transaction in {figures['enqueue_seconds']:.1f} s"
    )
    print(
        f"  bot RSS          {figures['before']['VmRSS']:.0f} MiB before, {figures['after_enqueue']['VmRSS']:.0f}"
        f" MiB after (peak so far {figures['after_enqueue']['VmHWM']:.0f} MiB)"
    )
    print(f"pace               engine {rate}/s   fake cap {cap}/s   429s {throttled}")
    print(
        f"sent               {figures['sent']} in {figures['sending_seconds']:.1f} s"
        f" ({figures['sent'] / figures['sending_seconds']:.1f} msg/s); fake delivered {delivered};"
        f" rows now {figures['counts']}"
    )
    print(
        f"paging             {figures['pages']} queries returned {figures['rows_paged']} rows,"
        f" at most {figures['largest_page']} per page; at most {figures['most_in_flight']} sends in flight"
    )
    print(f"progress reports   {figures['reports']} (each counts all {figures['total']} rows)")
    print(f"bot peak RSS       {peak:.0f} MiB (VmHWM of the bot process; goal <= {GOAL_MIB} MiB)")
    print(
        f"  of which          {floor:.0f} MiB is `import aiogram` alone; the engine, {figures['total']} recipient"
        f" rows and the sends added {peak - figures['before']['VmHWM']:.0f} MiB to the"
        f" {figures['before']['VmHWM']:.0f} MiB the process had before the broadcast"
    )
    complete = figures["sent"] == delivered and figures["largest_page"] < figures["total"]
    return 0 if complete and peak <= GOAL_MIB else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--subscribers", type=int, default=1_000_000)
    parser.add_argument(
        "--sends", type=int, default=20_000, help="stop after this many sent (0: send to all)"
    )
    parser.add_argument("--rate", type=float, default=400.0, help="the engine's pace (messages per second)")
    parser.add_argument("--cap", type=float, default=400.0, help="the fake server's messages per second")
    parser.add_argument("--bot-side", nargs=2, metavar=("DATABASE", "API_URL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bot_side:
        result = asyncio.run(bot_side(Path(args.bot_side[0]), args.bot_side[1], args.rate, args.sends))
        print(json.dumps(result))
        sys.exit(0)
    sys.exit(asyncio.run(main(args.subscribers, args.sends, args.rate, args.cap)))
