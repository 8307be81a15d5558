"""A start that cannot succeed ends at once, non-zero, with one line naming the cause: never a hang, never a
traceback, and never a change to a file that is not ours. Each case runs the real `python -m bot`."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest

from bot.db.connection import Database
from bot.db.migrate import head
from bot.db.preflight import newest_known_migration
from bot.devtools.fake_telegram import FakeTelegram
from tests.content_helpers import SHIPPED
from tests.process import ROOT, BotProcess
from tests.test_migrations import legacy_database

DB = Path("data/koldoo.sqlite3")  # the default DATABASE_PATH, relative to the bot's working folder
DAMAGED = f"{DB} is damaged (database disk image is malformed); restore a backup (python -m bot restore)"


async def fails_to_start(tg: FakeTelegram, workdir: Path, **env: str) -> tuple[int, list[str]]:
    return await BotProcess(tg, workdir, **env).run_to_exit()


async def koldoo_database(path: Path, users: int = 20_000) -> None:
    """A database as the bot leaves it, with enough rows to span a few hundred pages."""
    db = await Database.open(path)
    await db.close()
    with closing(sqlite3.connect(path)) as conn:
        conn.executemany(
            "INSERT INTO users (id, first_seen, last_seen) VALUES (?, ?, ?)",
            [(n, "2026-11-01T00:00:00", "2026-11-01T00:00:00") for n in range(users)],
        )
        conn.commit()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def overwrite(path: Path, offset: int, data: bytes) -> None:
    with path.open("r+b") as file:
        file.seek(offset)
        file.write(data)


def tables(path: Path) -> set[str]:
    with closing(sqlite3.connect(path)) as conn:
        return {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


@contextmanager
def mode(path: Path, bits: int) -> Iterator[None]:
    """`path` with other permission bits for the test, restored after so it can be cleaned up."""
    before = path.stat().st_mode
    path.chmod(bits)
    try:
        yield
    finally:
        path.chmod(before)


# -- the database ------------------------------------------------------------------------------------------


async def test_a_corrupt_database_is_refused(tg: FakeTelegram, tmp_path: Path) -> None:
    await koldoo_database(tmp_path / DB)
    overwrite(tmp_path / DB, 4096 * 20, os.urandom(4096 * 5))  # pages in the middle, the header intact
    code, [line] = await fails_to_start(tg, tmp_path)
    assert code == 1
    assert line.startswith(f"{DB} is damaged (")  # what SQLite found depends on the random bytes
    assert line.endswith("); restore a backup (python -m bot restore)")


async def test_a_truncated_database_is_refused(tg: FakeTelegram, tmp_path: Path) -> None:
    await koldoo_database(tmp_path / DB)
    os.truncate(tmp_path / DB, (tmp_path / DB).stat().st_size // 2)
    assert await fails_to_start(tg, tmp_path) == (1, [DAMAGED])


async def test_a_file_that_is_not_sqlite_is_refused(tg: FakeTelegram, tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / DB).write_text("notes of another program\n" * 100)
    assert await fails_to_start(tg, tmp_path) == (
        1, [f"{DB} is not a SQLite database; point DATABASE_PATH at the bot's database"]
    )


async def test_a_read_only_database_file_is_refused(tg: FakeTelegram, tmp_path: Path) -> None:
    await koldoo_database(tmp_path / DB, users=10)
    with mode(tmp_path / DB, 0o444):
        result = await fails_to_start(tg, tmp_path)
    assert result == (1, [f"{DB} is read-only for this user: every update would fail to be recorded"])


async def test_a_database_in_a_read_only_folder_is_refused(tg: FakeTelegram, tmp_path: Path) -> None:
    await koldoo_database(tmp_path / DB, users=10)
    with mode(tmp_path / "data", 0o555):
        result = await fails_to_start(tg, tmp_path)
    assert result == (1, [
        f"DATABASE_PATH {DB}: the folder data is not writable for this user "
        "(SQLite writes its -wal and -shm files there)"
    ])


async def test_another_applications_database_is_refused_and_left_alone(tg: FakeTelegram, tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    with closing(sqlite3.connect(tmp_path / DB)) as conn:
        conn.executescript("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); CREATE TABLE tags (name TEXT);")
    before = (tmp_path / DB).read_bytes()
    assert await fails_to_start(tg, tmp_path) == (1, [
        f"{DB} is not a Koldoo database (tables notes, tags, and no Koldoo schema version): "
        "point DATABASE_PATH at another file"
    ])
    assert tables(tmp_path / DB) == {"notes", "tags"}  # none of ours added
    assert (tmp_path / DB).read_bytes() == before


async def test_a_claimed_schema_version_without_its_tables_is_not_ours(tg: FakeTelegram, tmp_path: Path) -> None:
    """Other programs use `user_version` too: a version number alone does not make a database ours."""
    (tmp_path / "data").mkdir()
    with closing(sqlite3.connect(tmp_path / DB)) as conn:
        conn.executescript("CREATE TABLE users (name TEXT); PRAGMA user_version = 2;")
    code, lines = await fails_to_start(tg, tmp_path)
    assert (code, lines) == (1, [
        f"{DB} is not a Koldoo database (schema version 2, but without its tables audit_log, fsm_state, "
        "reminders, staff): "
        "point DATABASE_PATH at another file"
    ])
    assert tables(tmp_path / DB) == {"users"}


async def test_a_database_of_a_newer_revision_is_refused(tg: FakeTelegram, tmp_path: Path) -> None:
    await koldoo_database(tmp_path / DB, users=10)
    with closing(sqlite3.connect(tmp_path / DB)) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0999_from_the_future'")
        conn.commit()
    assert await fails_to_start(tg, tmp_path) == (1, [
        f"{DB} has schema revision 0999_from_the_future, newer than this code knows ({head()}): "
        "run the Koldoo version that wrote it, or restore a backup"
    ])


async def test_a_pre_alembic_database_of_a_newer_schema_is_refused(tg: FakeTelegram, tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    legacy_database(tmp_path / DB)
    newer = newest_known_migration() + 1
    with closing(sqlite3.connect(tmp_path / DB)) as conn:
        conn.execute(f"PRAGMA user_version = {newer}")
    assert await fails_to_start(tg, tmp_path) == (1, [
        f"{DB} has schema version {newer}, newer than this code knows ({newest_known_migration()}): "
        "run the Koldoo version that wrote it, or restore a backup"
    ])
    with closing(sqlite3.connect(tmp_path / DB)) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == newer


async def test_an_unreachable_postgresql_is_one_line(tg: FakeTelegram, tmp_path: Path) -> None:
    code, [line] = await fails_to_start(tg, tmp_path, DATABASE_URL="postgresql://koldoo:secret@127.0.0.1:1/koldoo")
    assert code == 1
    assert line.startswith("DATABASE_URL: cannot reach PostgreSQL at 127.0.0.1:1 (") and "secret" not in line
    assert not (tmp_path / "data").exists()  # no SQLite file, no lock file


async def test_a_database_url_of_another_kind_is_refused(tg: FakeTelegram, tmp_path: Path) -> None:
    assert await fails_to_start(tg, tmp_path, DATABASE_URL="mysql://localhost/koldoo") == (2, [
        "DATABASE_URL is invalid: must start with sqlite:/// (a file) or postgresql:// (user:password@host/database)"
    ])


async def test_a_wrong_redis_url_is_refused(tg: FakeTelegram, tmp_path: Path) -> None:
    assert await fails_to_start(tg, tmp_path, REDIS_URL="localhost:6379") == (2, [
        "REDIS_URL is invalid: must be a redis:// (or rediss://, unix://) URL, e.g. redis://127.0.0.1:6379/0"
    ])


async def test_database_path_naming_a_folder_is_refused(tg: FakeTelegram, tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    assert await fails_to_start(tg, tmp_path, DATABASE_PATH="data") == (
        1, ["DATABASE_PATH data is a folder; name a file in it, e.g. data/koldoo.sqlite3"]
    )


async def test_database_path_under_a_file_is_refused(tg: FakeTelegram, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a folder")
    assert await fails_to_start(tg, tmp_path, DATABASE_PATH="notes.txt/koldoo.sqlite3") == (
        1, ["DATABASE_PATH notes.txt/koldoo.sqlite3: notes.txt is a file, not a folder"]
    )


async def test_database_path_in_a_place_the_bot_cannot_write_is_refused(tg: FakeTelegram, tmp_path: Path) -> None:
    (tmp_path / "locked").mkdir()
    with mode(tmp_path / "locked", 0o555):
        result = await fails_to_start(tg, tmp_path, DATABASE_PATH="locked/bot/koldoo.sqlite3")
    assert result == (
        1, ["DATABASE_PATH locked/bot/koldoo.sqlite3: cannot create the folder locked/bot (Permission denied)"]
    )


async def test_a_sound_database_still_starts_after_the_checks(tg: FakeTelegram, tmp_path: Path) -> None:
    """The checks refuse what is wrong, not what is merely old: a database of the current schema starts."""
    await koldoo_database(tmp_path / DB, users=10)
    process = BotProcess(tg, tmp_path)
    await process.start()
    try:
        code = await process.stop()
    except TimeoutError:
        raise AssertionError(process.log()) from None
    assert code == 0


# -- content and settings ----------------------------------------------------------------------------------


async def test_an_unreadable_content_file_is_one_line(tg: FakeTelegram, tmp_path: Path) -> None:
    content = tmp_path / "content"
    shutil.copytree(SHIPPED, content)
    with mode(content / "contacts.yaml", 0o000):
        result = await fails_to_start(tg, tmp_path, CONTENT_DIR=str(content))
    assert result == (2, [f"{content / 'contacts.yaml'}:1: (file): cannot read the file (Permission denied)"])
    assert not (tmp_path / DB).exists()


async def test_a_missing_content_folder_is_one_line(tg: FakeTelegram, tmp_path: Path) -> None:
    missing = tmp_path / "no-content"
    assert await fails_to_start(tg, tmp_path, CONTENT_DIR=str(missing)) == (
        2, [f"{missing}: no such folder: set CONTENT_DIR to the content folder"]
    )


async def test_a_dotenv_that_is_not_utf8_is_one_line(tg: FakeTelegram, tmp_path: Path) -> None:
    (tmp_path / ".env").write_bytes("DEFAULT_LOCALE=ky\n# Токен бота\n".encode("cp1251"))
    assert await fails_to_start(tg, tmp_path) == (
        2, [".env is not UTF-8 text (byte 0xd2 on line 2): save it as UTF-8"]
    )


async def test_the_placeholder_token_of_env_example_is_refused(tg: FakeTelegram, tmp_path: Path) -> None:
    """`cp .env.example .env` and start, without putting a token in: one line says what to do."""
    shutil.copy(ROOT / ".env.example", tmp_path / ".env")
    process = BotProcess(tg, tmp_path)
    del process.env["BOT_TOKEN"], process.env["BOT_API_URL"]  # as on a fresh machine: all from .env
    assert await process.run_to_exit() == (
        2, ["BOT_TOKEN is invalid: the placeholder from .env.example; put your bot's token from @BotFather in .env"]
    )
    assert not tg.calls  # Telegram was never asked


# -- Telegram at start -------------------------------------------------------------------------------------


async def test_a_token_telegram_refuses_is_one_line(tg: FakeTelegram, tmp_path: Path) -> None:
    tg.fail("getMe", status=401, description="Unauthorized")
    assert await fails_to_start(tg, tmp_path) == (
        1, ["Telegram refused BOT_TOKEN (getMe: 401 Unauthorized): copy the bot's token from @BotFather again"]
    )
    assert not (tmp_path / DB).exists()  # nothing was opened before Telegram said no


@pytest.mark.parametrize("method", ["getMe", "setMyCommands"])
async def test_a_server_error_at_start_is_one_line(tg: FakeTelegram, tmp_path: Path, method: str) -> None:
    tg.fail(method, status=502)
    assert await fails_to_start(tg, tmp_path) == (
        1, [f"the Bot API at {tg.base_url} failed {method} with a server error (Bad Gateway): try again later"]
    )


async def test_a_bot_api_that_cannot_be_reached_is_one_line(tg: FakeTelegram, tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    code, lines = await fails_to_start(tg, tmp_path, BOT_API_URL=f"http://127.0.0.1:{port}")
    assert code == 1
    assert len(lines) == 1
    assert lines[0].startswith(f"cannot reach the Bot API at http://127.0.0.1:{port} (ClientConnectorError: ")
    assert lines[0].endswith("): check BOT_API_URL and the network")


async def test_a_request_timeout_every_call_exceeds_is_one_line(tg: FakeTelegram, tmp_path: Path) -> None:
    tg.fail("getMe", status=200, delay=1.0)  # however fast the machine, slower than 1 ms
    assert await fails_to_start(tg, tmp_path, REQUEST_TIMEOUT="0.001") == (
        1, [f"the Bot API at {tg.base_url} did not answer getMe within REQUEST_TIMEOUT=0.001 s"]
    )
    await asyncio.sleep(1.1)  # the fake finishes its delayed answer before it stops


async def test_a_bot_api_url_that_is_not_a_bot_api_is_one_line(tg: FakeTelegram, tmp_path: Path) -> None:
    url = f"{tg.base_url}/elsewhere"  # a web server, but not the Bot API: its answers are not Bot API JSON
    assert await fails_to_start(tg, tmp_path, BOT_API_URL=url) == (
        1, [f"{url} did not answer as a Bot API (Failed to decode object): check BOT_API_URL"]
    )
