"""A real `python -m bot` process and what it leaves on disk: export files only in the bot's private
folder (even after kill -9 mid-export), nothing in the system temp folder, and no trace of a forgotten user
in the database files."""

from __future__ import annotations

import os
import signal
import stat
from pathlib import Path

from bot.db.clock import now_iso
from bot.db.connection import Database
from bot.devtools.fake_telegram import FakeTelegram
from bot.services.export import export_dir
from tests.process import BotProcess

COORDINATOR = 900
PHONE = "+996555987654"


async def seed_referral(database: Path, user_id: int = 4242) -> None:
    db = await Database.open(database)
    try:
        now = now_iso()
        await db.execute("INSERT INTO users (id, first_seen, last_seen) VALUES (?, ?, ?)", (user_id, now, now))
        await db.execute(
            "INSERT INTO referrals (user_id, kind, item_id, name, phone, region, city, comment, created_at,"
            " updated_at) VALUES (?, 'training', 'osh_centre_of_excellence', 'Zarina Asanova', ?, 'osh_city',"
            " 'Kara-Suu', 'Call me', ?, ?)",
            (user_id, PHONE, now, now),
        )
    finally:
        await db.close()


def files_under(folder: Path) -> list[Path]:
    """Files below `folder`; os.walk skips folders that vanish while it looks (an export cleaning up)."""
    return sorted(Path(root) / name for root, _dirs, names in os.walk(folder) for name in names)


async def test_kill_9_during_export_leaves_nothing_in_the_system_temp_folder(
    tg: FakeTelegram, tmp_path: Path
) -> None:
    database, system_temp = tmp_path / "data" / "koldoo.sqlite3", tmp_path / "system-temp"
    system_temp.mkdir()
    database.parent.mkdir()
    await seed_referral(database)
    exports = export_dir(database)
    exports.mkdir(mode=0o755)
    (exports / "left-by-a-crash.csv").write_text(f"Zarina Asanova,{PHONE}\n")
    process = BotProcess(
        tg, tmp_path, DATABASE_PATH=str(database), ADMIN_IDS=str(COORDINATOR), TMPDIR=str(system_temp)
    )
    await process.start()
    try:
        assert stat.S_IMODE(exports.stat().st_mode) == 0o700
        assert files_under(exports) == []  # emptied at start

        coordinator = tg.user(COORDINATOR, language_code="en")
        tg.fail("sendDocument", status=200, delay=30)  # the upload hangs: the files are on disk meanwhile
        tg.push_update(coordinator.message_update("/export"))
        await tg.wait_for(lambda: any(path.suffix == ".xlsx" for path in files_under(exports)), timeout=20)
        assert files_under(system_temp) == []
        await process.stop(signal.SIGKILL)
        written = files_under(exports)
        assert written and PHONE in "".join(path.read_text(errors="replace") for path in written if path.suffix == ".csv")
        assert files_under(system_temp) == []

        await process.start()
        assert files_under(exports) == []  # what the killed export left is gone at the next start
        assert stat.S_IMODE(exports.stat().st_mode) == 0o700
    finally:
        if process.process.returncode is None:
            await process.stop(signal.SIGKILL)


async def test_a_finished_export_leaves_no_file_anywhere(tg: FakeTelegram, tmp_path: Path) -> None:
    database, system_temp = tmp_path / "koldoo.sqlite3", tmp_path / "system-temp"
    system_temp.mkdir()
    await seed_referral(database)
    process = BotProcess(
        tg, tmp_path, DATABASE_PATH=str(database), ADMIN_IDS=str(COORDINATOR), TMPDIR=str(system_temp)
    )
    await process.start()
    try:
        coordinator = tg.user(COORDINATOR, language_code="en")
        tg.push_update(coordinator.message_update("/export"))
        await tg.wait_for(lambda: len([m for m in coordinator.messages if m.kind == "document"]) == 2, timeout=20)
        await tg.wait_for(lambda: files_under(export_dir(database)) == [], timeout=5)
        assert files_under(system_temp) == []
    finally:
        await process.stop(signal.SIGKILL)
