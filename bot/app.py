"""The running bot: settings, database, Telegram client, dispatcher and background loops, started and stopped
together so a restart always finds a consistent state."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot, Dispatcher

from bot.broadcasting import run_broadcasts
from bot.commands import register_commands
from bot.config import Settings
from bot.db.connection import Database
from bot.factory import create_bot, create_dispatcher
from bot.i18n import Catalogues

log = logging.getLogger(__name__)

BackgroundLoop = Callable[["App"], Awaitable[None]]

# Loops that run beside polling (reminders, broadcasts); a feature adds its entry here.
BACKGROUND_LOOPS: list[BackgroundLoop] = [run_broadcasts]


class App:
    def __init__(self, settings: Settings, db: Database, bot: Bot, dp: Dispatcher, i18n: Catalogues) -> None:
        self.settings = settings
        self.db = db
        self.bot = bot
        self.dp = dp
        self.i18n = i18n
        self._tasks: list[asyncio.Task[None]] = []

    @classmethod
    async def create(cls, settings: Settings, **services: Any) -> App:
        db = await Database.open(settings.database_path)
        i18n = Catalogues(default_locale=settings.default_locale)
        bot = create_bot(settings)
        dp = create_dispatcher(settings, db, i18n, **services)
        app = cls(settings, db, bot, dp, i18n)
        dp["app"] = app
        return app

    async def _on_startup(self) -> None:
        await register_commands(self.bot, self.i18n, self.settings.default_locale)
        for loop in BACKGROUND_LOOPS:
            self._tasks.append(asyncio.create_task(self._guard(loop), name=loop.__qualname__))

    async def _guard(self, loop: BackgroundLoop) -> None:
        """A background loop that crashes is logged and restarted, never left dead."""
        while True:
            try:
                await loop(self)
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("background.crashed", extra={"loop": loop.__qualname__})
                await asyncio.sleep(5)

    async def stop_background(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()

    async def run_polling(self, **kwargs: Any) -> None:
        await self.bot.delete_webhook(drop_pending_updates=False)
        self.dp.startup.register(self._on_startup)
        try:
            await self.dp.start_polling(
                self.bot, allowed_updates=self.dp.resolve_used_update_types(), **kwargs
            )
        finally:
            await self.stop_background()

    async def shutdown(self) -> None:
        await self.stop_background()
        await self.bot.session.close()
        await self.db.close()
