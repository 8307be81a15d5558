"""Export benchmark: 100k referrals to CSV and XLSX, streamed from SQLite.

Run with `python -m bench.export [rows]`. Prints the time of one export (the target is under 10 s; the CPU time
tells what it would be on an idle machine when other processes share the cores) and,
from a second run under tracemalloc, the peak Python memory it used: it should stay flat as rows grow,
because rows are streamed in batches rather than loaded at once.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bot.content.catalogue import REGIONS
from bot.db.connection import Database
from bot.db.referrals import iter_referrals
from bot.services.export import write_exports
from bot.services.referrals import ReferralFilter, Status

STATUSES = [status.value for status in Status]
REGION_IDS = list(REGIONS)


async def seed(db: Database, rows: int) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    now = start.isoformat()
    await db.executemany(
        "INSERT INTO users (id, locale, first_seen, last_seen) VALUES (?, 'ky', ?, ?)",
        ((user_id, now, now) for user_id in range(1, rows // 3 + 2)),
    )
    await db.executemany(
        "INSERT INTO referrals (user_id, kind, item_id, name, phone, region, city, comment, status,"
        " created_at, updated_at) VALUES (?, 'training', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            (
                n // 3 + 1,
                f"programme_{n % 12}",
                f"Азамат Токтогулов {n}",
                f"+99655{n % 10_000_000:07d}",
                REGION_IDS[n % len(REGION_IDS)],
                "Ош",
                "Эртең кечинде чалыңыз, сураныч" if n % 4 == 0 else None,
                STATUSES[n % len(STATUSES)],
                (start + timedelta(minutes=n)).isoformat(timespec="seconds"),
                (start + timedelta(minutes=n + 30)).isoformat(timespec="seconds"),
            )
            for n in range(rows)
        ),
    )


async def export_once(db: Database, directory: Path) -> int:
    files = await write_exports(iter_referrals(db, ReferralFilter()), directory, date.today(), {})
    return files.rows


async def main(rows: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        db = await Database.open(tmp_path / "bench.sqlite3")
        started = time.perf_counter()
        await seed(db, rows)
        print(f"seeded {rows} referrals in {time.perf_counter() - started:.1f} s")

        started, cpu_started = time.perf_counter(), time.process_time()
        exported = await export_once(db, tmp_path)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        sizes = ", ".join(
            f"{p.suffix[1:]} {p.stat().st_size / 1e6:.1f} MB" for p in sorted(tmp_path.glob("referrals-*"))
        )
        print(f"exported {exported} rows to CSV and XLSX in {elapsed:.1f} s, {cpu:.1f} s of CPU ({sizes})")

        tracemalloc.start()
        await export_once(db, tmp_path)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"peak Python memory during an export: {peak / 1e6:.1f} MB")
        await db.close()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
