"""The running bot: settings, database, Telegram client, dispatcher and background loops, started and stopped
together so a restart always finds a consistent state."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

import asyncpg
from aiogram import Bot, Dispatcher
from aiogram.exceptions import (
    AiogramError,
    ClientDecodeError,
    TelegramAPIError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiohttp import web
from sqlalchemy.exc import DBAPIError

from bot.broadcasting import create_broadcaster, run_broadcasts
from bot.commands import register_commands
from bot.config import Settings
from bot.content.loader import ContentStore, load_content
from bot.db.connection import Database, describe_database_failure
from bot.errors import HttpListenError
from bot.factory import create_bot, create_dispatcher, outbox_renderers
from bot.handover import Handover, handover_loop
from bot.i18n import Catalogues
from bot.jobs.outbox import Outbox
from bot.jobs.reminders import reminder_loop
from bot.jobs.retention import dialogue_expiry_loop, retention_loop
from bot.middlewares.retry import retries_disabled
from bot.middlewares.throttling import ThrottlingMiddleware
from bot.services.broadcaster import Broadcaster
from bot.services.export import reset_export_dir
from bot.services.pace import Limits, MemoryPace
from bot.shared import Shared, SharedStateError
from bot.shared import connect as connect_shared
from bot.shared.updates import MemoryLedger, OnceRequestHandler
from bot.shared.webhook import set_webhook_once

log = logging.getLogger(__name__)

BackgroundLoop = Callable[["App"], Awaitable[None]]


async def broadcast_loop(app: App) -> None:
    await run_broadcasts(app.broadcaster)


async def outbox_loop(app: App) -> None:
    await app.outbox.run_forever()


# Loops that run beside the dispatcher (reminders, broadcasts); a feature adds its entry here.
BACKGROUND_LOOPS: list[BackgroundLoop] = [
    reminder_loop, retention_loop, broadcast_loop, outbox_loop, handover_loop, dialogue_expiry_loop
]

# How long a stopping bot lets handlers that are already running finish.
DRAIN_SECONDS = 10.0


class StartError(Exception):
    """Telegram refused the bot, or could not be reached, while it started; the message is one line."""


class App:
    def __init__(self, settings: Settings, db: Database, bot: Bot, dp: Dispatcher, i18n: Catalogues) -> None:
        self.settings = settings
        self.db = db
        self.bot = bot
        self.dp = dp
        self.i18n = i18n
        self.shared: Shared | None = dp.workflow_data.get("shared")
        self._tasks: list[asyncio.Task[None]] = []
        self.started = asyncio.Event()  # set once commands are registered and loops run
        self.web_addresses: list[Any] = []  # where the HTTP server listens, once it does
        dp["app"] = self
        self.broadcaster: Broadcaster = dp["broadcaster"]
        self.outbox: Outbox = dp["outbox"]
        if "handover" not in dp.workflow_data:  # talking to a person: the worker that fills the topics
            dp["handover"] = Handover(bot, db, settings, i18n, dp["content"], dp["pace"])
        dp.startup.register(self._on_startup)
        dp.shutdown.register(self._on_shutdown)

    @classmethod
    async def create(cls, settings: Settings, **services: Any) -> App:
        if "content" not in services:  # invalid content stops the start before anything is opened
            services["content"] = ContentStore(load_content(settings.content_dir))
        i18n = Catalogues(default_locale=settings.default_locale)
        limits = Limits(rate=settings.broadcast_rate, cap=settings.send_cap)
        try:
            shared = await connect_shared(settings.redis_url, bot_id_of(settings), limits) if settings.redis_url else None
        except SharedStateError as error:
            raise StartError(str(error)) from None
        # One pace for every call of this process; with REDIS_URL, one for every replica.
        pace = services.setdefault("pace", shared.pace if shared else MemoryPace(limits))
        bot = create_bot(settings, pace)
        try:
            await introduce(bot, i18n, settings)
            db = await open_database(settings)
        except BaseException:
            await bot.session.close()
            if shared is not None:
                await shared.close()
            raise
        services.setdefault(
            "broadcaster", create_broadcaster(db, bot, i18n, pace, settings.default_locale)
        )
        services.setdefault(
            "outbox",
            Outbox(db, bot, i18n, services["content"], pace, settings.default_locale, outbox_renderers()),
        )
        reset_export_dir(settings.exports_dir)
        dp = create_dispatcher(settings, db, i18n, shared=shared, **services)
        return cls(settings, db, bot, dp, i18n)

    # -- lifecycle -------------------------------------------------------------------------------------------
    async def _on_startup(self) -> None:
        for loop in BACKGROUND_LOOPS:
            self._tasks.append(asyncio.create_task(self._guard(loop), name=loop.__qualname__))
        self.started.set()
        log.info("bot.started", extra={"mode": "webhook" if self.settings.webhook_url else "polling"})

    async def _on_shutdown(self) -> None:
        """Updates stopped coming in: let running handlers finish (bounded), then stop the loops."""
        throttling = next(m for m in self.dp.update.outer_middleware if isinstance(m, ThrottlingMiddleware))
        if not await throttling.wait_idle(DRAIN_SECONDS):
            log.warning("bot.drain_timeout", extra={"seconds": DRAIN_SECONDS})
        await self.stop_background()
        log.info("bot.stopped")

    async def _guard(self, loop: BackgroundLoop) -> None:
        """A background loop that crashes is logged and restarted, never left dead. With several replicas
        each loop runs on the one replica that holds its lease, and moves when that replica goes."""
        while True:
            try:
                if self.shared is None:
                    await loop(self)
                else:
                    await self.shared.leases.run(loop.__qualname__, lambda: loop(self))
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                task = asyncio.current_task()
                if task is not None and task.cancelling():  # a library turned our cancellation into an error
                    raise asyncio.CancelledError from None
                log.exception("background.crashed", extra={"loop": loop.__qualname__})
                await asyncio.sleep(5)

    async def stop_background(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()

    async def shutdown(self) -> None:
        await self.stop_background()
        await self.bot.session.close()
        await self.db.close()
        if self.shared is not None:
            await self.shared.close()

    # -- running ---------------------------------------------------------------------------------------------
    async def run(self) -> None:
        """Long polling by default; a webhook server when WEBHOOK_URL is set. Returns on SIGTERM/SIGINT."""
        try:
            if self.settings.webhook_url:
                await self.run_webhook()
            else:
                await self.run_polling()
        except AiogramError as error:  # once polling or the webhook runs, aiogram handles Telegram's errors
            raise StartError(describe_start_failure(error, self.settings)) from None

    async def run_polling(self, **kwargs: Any) -> None:
        """Long polling; the console and /healthz are served beside it when WEB_LISTEN is set."""
        runner = await self.serve_http(required=False) if self.settings.console_enabled else None
        try:
            await self.bot.delete_webhook(drop_pending_updates=False)
            await self.dp.start_polling(
                self.bot, allowed_updates=self.dp.resolve_used_update_types(), close_bot_session=False, **kwargs
            )
        finally:
            if runner is not None:
                await runner.cleanup()

    def http_application(self) -> web.Application:
        """The one HTTP application of the process: /healthz, the webhook in webhook mode, the console."""
        settings = self.settings
        server = web.Application()
        if settings.webhook_url and settings.webhook_secret:
            OnceRequestHandler(
                dispatcher=self.dp,
                bot=self.bot,
                secret_token=settings.webhook_secret.get_secret_value(),
                ledger=self.dp.workflow_data.setdefault("update_ledger", MemoryLedger()),
            ).register(server, path=urlsplit(settings.webhook_url).path or "/")
        server.router.add_get("/healthz", self._healthz)
        if settings.console_enabled:
            from bot.web.app import setup_console

            setup_console(server, self)
        return server

    async def serve_http(self, required: bool) -> web.AppRunner | None:
        """Start the HTTP server. A port already in use is one log line: without `required` (polling mode)
        the bot goes on serving Telegram; the webhook cannot, so there it stops the start."""
        runner = web.AppRunner(self.http_application(), shutdown_timeout=DRAIN_SECONDS, access_log=None)
        await runner.setup()
        host, port = self.settings.listen_host_port
        try:
            await web.TCPSite(runner, host, port).start()
        except OSError as error:
            await runner.cleanup()
            if required:
                raise HttpListenError(f"WEB_LISTEN {host}:{port} cannot be used: {error.strerror}") from None
            log.error("web.listen_failed", extra={"address": f"{host}:{port}", "error": error.strerror})
            return None
        self.web_addresses = runner.addresses
        log.info("web.listening", extra={"address": f"{host}:{port}", "console": self.settings.console_enabled})
        return runner

    async def run_webhook(self, stop: asyncio.Event | None = None) -> None:
        """Serve Telegram's webhook, /healthz and the console until `stop` is set (or SIGTERM/SIGINT)."""
        settings = self.settings
        assert settings.webhook_url and settings.webhook_secret
        secret = settings.webhook_secret.get_secret_value()
        runner = await self.serve_http(required=True)
        assert runner is not None
        await self.dp.emit_startup(bot=self.bot, **self.dp.workflow_data)
        await set_webhook_once(
            self.bot,
            self.shared.redis if self.shared else None,
            self.shared.prefix if self.shared else "",
            settings.webhook_url,
            secret,
            self.dp.resolve_used_update_types(),
        )
        stop = stop or _signal_event()
        try:
            await stop.wait()
        finally:
            await runner.cleanup()  # stops accepting, waits for requests in flight
            await self.dp.emit_shutdown(bot=self.bot, **self.dp.workflow_data)

    @property
    def content(self) -> ContentStore:
        return self.dp.workflow_data["content"]

    async def _healthz(self, request: web.Request) -> web.Response:
        if not await self.db.ping():
            return web.json_response({"status": "database unavailable"}, status=503)
        if self.shared is not None and not await self.shared.ping():
            return web.json_response({"status": "redis unavailable"}, status=503)
        return web.json_response({"status": "ok"})


async def introduce(bot: Bot, i18n: Catalogues, settings: Settings) -> None:
    """Ask Telegram who the bot is and give it the command lists, before the database is touched.

    Each call is tried once: a bad token, a wrong BOT_API_URL or an outage stops the start at once with one
    line (a process manager starts the bot again), instead of retries, a traceback or a start that hangs.
    `bot.me()` keeps the answer, so polling does not ask again.
    """
    try:
        with retries_disabled():
            await bot.me()
            await register_commands(bot, i18n, settings.default_locale)
    except AiogramError as error:
        raise StartError(describe_start_failure(error, settings)) from None


async def open_database(settings: Settings) -> Database:
    """The database, migrated; an unreachable or refusing PostgreSQL stops the start with one line."""
    try:
        return await Database.open(settings.database_url)
    except (OSError, DBAPIError, asyncpg.PostgresError) as error:
        if settings.is_sqlite:
            raise
        raise StartError(f"DATABASE_URL: {describe_database_failure(error, settings.database_url)}") from None


def describe_start_failure(error: AiogramError, settings: Settings) -> str:
    """One line for the operator: what Telegram (or the network) said, and what to check."""
    api = settings.bot_api_url
    method = getattr(getattr(error, "method", None), "__api_method__", "a call")
    message = " ".join(str(getattr(error, "message", error)).split())
    if isinstance(error, TelegramUnauthorizedError):
        return f"Telegram refused BOT_TOKEN ({method}: 401 {message}): copy the bot's token from @BotFather again"
    if isinstance(error, TelegramNetworkError) and isinstance(error.__cause__, TimeoutError):
        return f"the Bot API at {api} did not answer {method} within REQUEST_TIMEOUT={settings.request_timeout:g} s"
    if isinstance(error, TelegramNetworkError):
        return f"cannot reach the Bot API at {api} ({message}): check BOT_API_URL and the network"
    if isinstance(error, TelegramServerError):
        return f"the Bot API at {api} failed {method} with a server error ({message}): try again later"
    if isinstance(error, TelegramNotFound):
        return f"the Bot API at {api} does not know {method} ({message}): check BOT_API_URL and BOT_TOKEN"
    if isinstance(error, ClientDecodeError):
        return f"{api} did not answer as a Bot API ({message}): check BOT_API_URL"
    if isinstance(error, TelegramAPIError):
        return f"the Bot API at {api} refused {method} at start: {message}"
    return f"the bot could not start: {message}"


def bot_id_of(settings: Settings) -> int:
    """The bot's id is the token's first part: Redis keys carry it before Telegram is asked anything."""
    return int(settings.bot_token.get_secret_value().split(":", 1)[0])


def _signal_event() -> asyncio.Event:
    event = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, event.set)
    return event
