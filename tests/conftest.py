"""The end-to-end harness: the real dispatcher, in-process, polling a strict fake Telegram.

The bot polls with `handle_as_tasks=False`, so it asks for the next update only when it has finished the
previous one; the fake uses that to know when a user's message has been fully handled.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.app import App
from bot.config import Settings, load_settings
from bot.db.connection import Database
from bot.devtools.fake_telegram import FakeTelegram
from tests.databases import BACKENDS, E2E_BACKEND, database_url, postgres_url
from tests.privacy import CapturingHandler, leaks, personal_data

pytest_plugins = ["tests.redis_helpers"]  # `redis` and `prefix` for the tests of shared state

COORDINATOR_ID = 900


class RunningApp:
    """One bot process, in-process: start, stop and restart it over the same database."""

    def __init__(self, tg: FakeTelegram, settings: Settings, handle_as_tasks: bool = False) -> None:
        self.tg = tg
        self.settings = settings
        self.handle_as_tasks = handle_as_tasks
        self.app: App | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def db(self):
        assert self.app is not None
        return self.app.db

    async def start(self) -> None:
        me_before = len(self.tg.calls_of("getMe"))
        self.app = await App.create(self.settings)
        self._task = asyncio.create_task(
            self.app.run_polling(handle_as_tasks=self.handle_as_tasks, handle_signals=False, polling_timeout=1)
        )
        # started: commands registered, loops running, and polling asked who it is (its last step before polling)
        await self.tg.wait_for(
            lambda: (self.app.started.is_set() and len(self.tg.calls_of("getMe")) > me_before) or self._task.done(),
            timeout=10,
        )
        if self._task.done():
            self._task.result()

    async def stop(self) -> None:
        if self.app is None:
            return
        if self._task is not None and not self._task.done():
            await self.app.dp.stop_polling()
            await asyncio.wait_for(self._task, timeout=10)
        await self.app.shutdown()
        self.app = None

    async def restart(self) -> None:
        await self.stop()
        await self.start()


def test_settings(tg: FakeTelegram, tmp_path: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "_env_file": None,
        "bot_token": tg.token,
        "bot_api_url": tg.base_url,
        "database_path": tmp_path / "koldoo.sqlite3",
        "admin_ids": [COORDINATOR_ID],
        "web_listen": "",  # no console, no fixed port: a test that wants the console asks for it
    }
    values.update(overrides)
    return load_settings(**values)


test_settings.__test__ = False  # a helper, not a test


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    """A strict fake Telegram; after the test it checks that the bot made no invalid call and that no log
    line (at any level, any logger) carried a user's name, phone number or message text."""
    capture = CapturingHandler()
    root = logging.getLogger()
    previous_level = root.level
    root.addHandler(capture)
    root.setLevel(logging.DEBUG)
    try:
        async with FakeTelegram() as fake:
            yield fake
            fake.assert_clean()
            leaked = leaks(capture.text, personal_data(fake))
            assert not leaked, f"personal data in the logs: {leaked}"
    finally:
        root.removeHandler(capture)
        root.setLevel(previous_level)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The database a storage test runs on: every such test runs on SQLite and on PostgreSQL."""
    return request.param


@pytest.fixture
async def db_url(backend: str, tmp_path: Path) -> str:
    """An empty database of `backend`, as a URL (reopen it with `Database.open(db_url)`)."""
    return await database_url(backend, tmp_path)


@pytest.fixture
async def database(db_url: str) -> AsyncIterator[Database]:
    """An open, migrated, empty database: SQLite, then PostgreSQL."""
    db = await Database.open(db_url)
    yield db
    await db.close()


@pytest.fixture
async def e2e_database_url() -> str | None:
    """The PostgreSQL database the harness uses with KOLDOO_TEST_DATABASE=postgresql (else None: SQLite)."""
    return await postgres_url() if E2E_BACKEND == "postgresql" else None


@pytest.fixture
async def make_app(
    tg: FakeTelegram, tmp_path: Path, e2e_database_url: str | None
) -> AsyncIterator[Callable[..., Awaitable[RunningApp]]]:
    running: list[RunningApp] = []

    async def factory(handle_as_tasks: bool = False, **overrides: Any) -> RunningApp:
        """`handle_as_tasks=True` runs updates concurrently, as in production; `send()` then can't wait."""
        if e2e_database_url and "database_path" not in overrides and "database_url" not in overrides:
            overrides["database_url"] = e2e_database_url
            overrides.setdefault("export_dir", tmp_path / "exports")  # not the shared data/koldoo.exports
        app = RunningApp(tg, test_settings(tg, tmp_path, **overrides), handle_as_tasks)
        await app.start()
        running.append(app)
        return app

    yield factory
    for app in running:
        await app.stop()


@pytest.fixture
async def app(make_app: Callable[..., Awaitable[RunningApp]]) -> RunningApp:
    return await make_app()
