"""Who is writing: record the user, choose their language, know their role.

Runs as an outer middleware on every update that has a user, so handlers receive `locale` and `role` and
every `_()` call already speaks the user's language.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, User

from bot.config import Settings
from bot.db.staff import COORDINATOR
from bot.db.users import UserRecorder
from bot.i18n import Catalogues, pick_locale, telegram_locale

log = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class UserMiddleware(BaseMiddleware):
    def __init__(self, i18n: Catalogues, recorder: UserRecorder) -> None:
        self.i18n = i18n
        self.recorder = recorder

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        settings: Settings = data["settings"]
        user: User | None = data.get("event_from_user")
        if user is None:  # a channel post: nobody to answer, no dialogue to keep
            return None
        # The Telegram app's language first, so an error while reading the database is told in it too.
        locale = pick_locale(None, user.language_code, settings.default_locale)
        data["locale"] = locale
        data["role"] = None
        data["stored_locale"] = None  # an anonymous group admin (GroupAnonymousBot) has none
        if not user.is_bot:
            record = await self.recorder.touch(user.id, telegram_locale(user.language_code), user.username)
            if record.was_blocked:
                log.info("user.unblocked", extra={"user_id": user.id})
            locale = pick_locale(record.locale, user.language_code, settings.default_locale)
            data["role"] = COORDINATOR if user.id in settings.admin_ids else record.role
            data["stored_locale"] = record.locale
        data["locale"] = locale
        data["i18n"] = self.i18n
        with self.i18n.context(), self.i18n.use_locale(locale):
            return await handler(event, data)
