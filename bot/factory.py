"""The one place where the bot, the dispatcher, middlewares and routers are wired together."""

from __future__ import annotations

from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.state import State, StatesGroup
from aiogram.utils.callback_answer import CallbackAnswerMiddleware

from bot.config import Settings
from bot.db.connection import Database
from bot.db.storage import SQLiteStorage
from bot.db.users import UserRecorder
from bot.handlers import get_routers
from bot.handlers.referrals import render_announcement, render_status, render_update
from bot.i18n import Catalogues
from bot.jobs.outbox import Renderer
from bot.jobs.reminders import render_reminder
from bot.keyboards.menu import set_hidden_sections
from bot.middlewares.leave import LeaveDialogueMiddleware
from bot.middlewares.retry import RetryMiddleware
from bot.middlewares.throttling import ThrottlingMiddleware
from bot.middlewares.user import UserMiddleware
from bot.services.pace import Pace
from bot.session import BotAPISession
from bot.shared import Shared


def create_bot(settings: Settings, pace: Pace) -> Bot:
    """Every call of this bot passes `pace`, the one shared by replies, notifications and broadcasts."""
    session = BotAPISession(api=TelegramAPIServer.from_base(settings.bot_api_url), timeout=settings.request_timeout)
    session.middleware(RetryMiddleware(pace))
    return Bot(
        token=settings.bot_token.get_secret_value(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )


def create_dispatcher(
    settings: Settings, db: Database, i18n: Catalogues, shared: Shared | None = None, **services: Any
) -> Dispatcher:
    """Every keyword service becomes workflow data: handlers receive it as an argument of that name.
    With `shared` (REDIS_URL), dialogue state and the per-user lock live in Redis, for several replicas."""
    set_hidden_sections(frozenset() if settings.operator_chat_id is not None else frozenset({"ask"}))
    if shared is None:
        dp = Dispatcher(storage=SQLiteStorage(db), settings=settings, db=db, i18n=i18n, shared=None, **services)
    else:
        services.setdefault("update_ledger", shared.ledger)
        dp = Dispatcher(
            storage=shared.storage, events_isolation=shared.isolation,
            settings=settings, db=db, i18n=i18n, shared=shared, **services,
        )
    dp.update.outer_middleware(ThrottlingMiddleware(i18n))
    dp.update.outer_middleware(UserMiddleware(i18n, UserRecorder(db)))
    dp.message.outer_middleware(LeaveDialogueMiddleware())
    dp.callback_query.outer_middleware(LeaveDialogueMiddleware())
    dp.callback_query.middleware(CallbackAnswerMiddleware())
    dp.include_routers(*get_routers())
    run_pure_filters_inline(dp)
    return dp


def run_pure_filters_inline(root: Router) -> None:
    """aiogram runs every synchronous filter in a worker thread (`asyncio.to_thread` in CallableObject.call), so
    each `F....` or `SomeState` guarding a handler cost a thread hop on every update that passed it: a /start
    crossing the routers made dozens, which halved the load benchmark. Magic filters and states only read the
    event, so they run on the loop; any other synchronous filter keeps aiogram's thread."""
    for router in root.chain_tail:
        for observer in router.observers.values():
            for handler in (observer._handler, *observer.handlers):  # _handler holds the router-wide filters
                for event_filter in handler.filters or ():
                    if not event_filter.awaitable and _is_pure(event_filter):
                        event_filter.callback = _on_the_loop(event_filter.callback)
                        event_filter.awaitable = True


def _is_pure(event_filter: Any) -> bool:
    return event_filter.magic is not None or isinstance(event_filter.callback, (State, StatesGroup))


def _on_the_loop(check: Any) -> Any:
    async def run(*args: Any, **kwargs: Any) -> Any:
        return check(*args, **kwargs)

    return run


def outbox_renderers() -> dict[str, Renderer]:
    """What each kind of outbox row says (bot/jobs/outbox.py); a feature that queues messages adds its own."""
    return {
        "referral.new": render_announcement,
        "referral.status": render_status,
        "referral.update": render_update,
        "reminder": render_reminder,
    }
