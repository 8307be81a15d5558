"""Disk full during a broadcast, on a real small filesystem (an 8 MiB tmpfs): the broadcast pauses instead of
finishing with recipients never sent, tells the sender why, and goes on once there is room, sending each
recipient exactly once."""

from __future__ import annotations

import asyncio
import errno
import subprocess
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from bot.broadcasting import progress_text
from bot.db import broadcasts as store
from bot.db.connection import Database
from bot.i18n import Catalogues
from bot.services.broadcaster import Broadcaster, Delivery, Outcome, Progress, Sent
from bot.services.pace import Limits, MemoryPace
from tests.broadcast_helpers import add_users, new_broadcast
from tests.test_broadcaster import FAST

USERS = range(1, 303)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here (needs root): {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(disk: Path) -> Path:
    """Take every free byte of the filesystem."""
    filler = disk / "filler"
    with filler.open("wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError as error:
            assert error.errno == errno.ENOSPC
    return filler


async def test_disk_full_pauses_the_broadcast_and_it_resumes_without_loss(small_disk: Path) -> None:
    db = await Database.open(small_disk / "koldoo.sqlite3")
    try:
        await add_users(db, USERS)
        bid = await new_broadcast(db)
        delivered: Counter[int] = Counter()
        filler: list[Path] = []

        async def deliver(delivery: Delivery) -> Outcome:
            delivered[delivery.user_id] += 1
            if sum(delivered.values()) == 60 and not filler:
                filler.append(fill(small_disk))  # the disk fills up mid-broadcast
            await asyncio.sleep(0)
            return Sent()

        reports: list[Progress] = []

        async def on_progress(progress: Progress) -> None:
            reports.append(progress)

        settings = replace(FAST, pause_retry=0.2)
        engine = Broadcaster(
            db, deliver, MemoryPace(Limits(rate=2000)), default_locale="ru", settings=settings,
            on_progress=on_progress,
        )
        loop = asyncio.create_task(engine.run_forever())
        try:
            for _ in range(200):
                if engine.paused and any(r.paused for r in reports):
                    break
                await asyncio.sleep(0.05)
            assert engine.paused == [bid], "a failed write pauses the broadcast"
            info = await store.get_broadcast(db, bid)
            assert info.status == "running" and info.counts.pending > 0  # not finished, nobody skipped
            assert any(r.paused == "disk_full" for r in reports), "the sender is told why"
            paused_at = sum(delivered.values())
            await asyncio.sleep(0.5)  # while the disk is full, retries change nothing and send nothing
            assert sum(delivered.values()) == paused_at and engine.paused == [bid]

            filler[0].unlink()  # room again
            for _ in range(400):
                info = await store.get_broadcast(db, bid)
                if info.status == "done":
                    break
                await asyncio.sleep(0.05)
        finally:
            loop.cancel()
            await asyncio.gather(loop, return_exceptions=True)
            await engine.shutdown()
        assert info.status == "done"
        assert info.counts.sent == len(USERS) and info.counts.ambiguous == 0
        assert set(delivered) == set(USERS) and set(delivered.values()) == {1}
    finally:
        await db.close()


def test_the_pause_is_explained_in_the_senders_language() -> None:
    i18n = Catalogues(default_locale="en")
    paused = Progress(7, "running", 302, store.Counts(pending=242, sent=60), 0.0, None, "disk_full")
    with i18n.context(), i18n.use_locale("en"):
        text = progress_text(paused, "en")
    assert text.startswith("📣 <b>Broadcast #7</b>: paused")
    assert "disk is full" in text and "Nobody is skipped" in text
