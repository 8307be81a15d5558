"""Per-user flood control and ordering, decided in memory before anything touches the database.

Each user's updates are handled one at a time, in order (so a double tap cannot race the dialogue state).
A user whose updates pile up faster than the bot answers them — more than `burst` waiting at once — gets
one "please slow down" and is ignored for `cooldown` seconds. Counting the backlog rather than a fixed rate
means a person (or a test) who waits for each answer is never throttled, however quick, while a flood is
cut off after a few messages. Ignored callback queries are still answered, so their buttons stop spinning.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update, User

from bot.config import Settings
from bot.i18n import Catalogues, _, pick_locale

log = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class FloodGate:
    """The pure bookkeeping: how many updates each user has waiting, and who is muted until when."""

    def __init__(self, burst: int = 4, cooldown: float = 5.0) -> None:
        self.burst = burst
        self.cooldown = cooldown
        self.pending: dict[int, int] = {}
        self.muted_until: dict[int, float] = {}

    def admit(self, user_id: int, now: float | None = None) -> str:
        """`allow` (and count it as pending), `warn` (mute now) or `drop` (already muted)."""
        now = time.monotonic() if now is None else now
        until = self.muted_until.get(user_id)
        if until is not None:
            if until > now:
                return "drop"
            del self.muted_until[user_id]
        if self.pending.get(user_id, 0) >= self.burst:
            self.muted_until[user_id] = now + self.cooldown
            return "warn"
        self.pending[user_id] = self.pending.get(user_id, 0) + 1
        return "allow"

    def done(self, user_id: int) -> None:
        left = self.pending.get(user_id, 1) - 1
        if left:
            self.pending[user_id] = left
        else:
            self.pending.pop(user_id, None)


class ThrottlingMiddleware(BaseMiddleware):
    def __init__(self, i18n: Catalogues, gate: FloodGate | None = None) -> None:
        self.i18n = i18n
        self.gate = gate or FloodGate()
        self._locks: dict[int, asyncio.Lock] = {}

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None:
            return await handler(event, data)
        verdict = self.gate.admit(user.id)
        if verdict == "allow":
            lock = self._locks.setdefault(user.id, asyncio.Lock())
            try:
                async with lock:
                    return await handler(event, data)
            finally:
                self.gate.done(user.id)
                if user.id not in self.gate.pending:
                    self._locks.pop(user.id, None)
        if isinstance(event, Update) and event.callback_query is not None:
            await event.callback_query.answer()
        if verdict == "warn":
            log.info("user.throttled", extra={"user_id": user.id})
            settings: Settings = data["settings"]
            locale = pick_locale(None, user.language_code, settings.default_locale)
            with self.i18n.context(), self.i18n.use_locale(locale):
                text = _("You are sending messages too fast. Please wait a few seconds.")
            await data["bot"].send_message(user.id, text)
        return None
