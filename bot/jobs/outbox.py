"""The outbox loop: delivers what the bot owes people (bot/db/outbox.py), once, whatever crashes meanwhile.

Rows are queued in the transaction of the change that causes them; this loop sends them at notification
priority through the shared pace, in the recipient's language, written at send time by the renderer of
their kind (the wiring in bot/factory.py names them). Each row is claimed (`sending`) just before its one API call and settled right after it:
- delivered: `sent`; refused for good (blocked, chat gone, bad request): `failed` with the reason;
- a passing failure (5xx, network, 429): back to `pending`, tried again after a backoff, given up after
  MAX_AGE_DAYS; a 429 also pauses every sender of the bot;
- no answer (a timeout, or a crash while in flight): `ambiguous`, never sent blindly a second time.
Handlers `wake()` the loop after their commit, so the message goes out at once in the normal case.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from aiogram import Bot
from aiogram.types import InlineKeyboardMarkup

from bot.broadcasting import attempt
from bot.content.loader import ContentStore
from bot.db import outbox as store
from bot.db.clock import utcnow
from bot.db.connection import Database
from bot.db.errors import STORAGE_ERRORS
from bot.db.outbox import MAX_AGE_DAYS, OutboxRow
from bot.db.users import get_user, mark_blocked
from bot.i18n import Catalogues
from bot.services.broadcaster import Blocked, PermanentError, RetryAfter, Sent, TransientError, Unknown
from bot.services.pace import Pace, Priority

log = logging.getLogger(__name__)

Rendered = tuple[str, InlineKeyboardMarkup | None]
# What a kind of row says: (db, content, row, locale) -> text and buttons, or None when its subject is gone.
Renderer = Callable[[Database, ContentStore, OutboxRow, str], Awaitable[Rendered | None]]

POLL_SECONDS = 30.0  # the loop looks again at least this often (and at once when woken)
BACKOFF_BASE = 0.5  # seconds before the second try after a passing failure; doubled each time
BACKOFF_MAX = 60.0


class Outbox:
    def __init__(
        self,
        db: Database,
        bot: Bot,
        i18n: Catalogues,
        content: ContentStore,
        pace: Pace,
        default_locale: str,
        renderers: dict[str, Renderer],
    ) -> None:
        self.renderers = renderers
        self.db = db
        self.bot = bot
        self.i18n = i18n
        self.content = content
        self.pace = pace
        self.default_locale = default_locale
        self._wake = asyncio.Event()
        self._busy = asyncio.Lock()  # one pass at a time; claims alone already prevent double sends

    def wake(self) -> None:
        """Something was queued: deliver it now rather than at the next poll."""
        self._wake.set()

    async def run_forever(self) -> None:
        ambiguous = await store.mark_ambiguous(self.db)
        if ambiguous:
            log.warning("outbox.ambiguous", extra={"rows": ambiguous})
        while True:
            self._wake.clear()
            wait = POLL_SECONDS
            try:
                await self.deliver_due()
                upcoming = await store.next_wake(self.db)
                if upcoming is not None:
                    wait = min(wait, max(0.0, (upcoming - utcnow()).total_seconds()) + 0.05)
            except STORAGE_ERRORS:  # the database is failing (a full disk): rows wait, nothing is lost
                log.exception("outbox.database_failed")
            try:
                await asyncio.wait_for(self._wake.wait(), wait)
            except TimeoutError:
                pass

    async def deliver_due(self) -> int:
        """Send every row that is due; returns how many were delivered."""
        delivered = 0
        async with self._busy:
            while rows := await store.due(self.db, utcnow()):
                for row in rows:
                    delivered += await self._deliver(row)
        return delivered

    async def _deliver(self, row: OutboxRow) -> bool:
        rendered = await self._render(row)
        await self.pace.acquire(row.chat_id if rendered else None, Priority.NOTICE)
        if not await store.mark_sending(self.db, row.id):
            return False
        if rendered is None:
            await store.mark_failed(self.db, row.id, "subject gone")
            return False
        text, markup = rendered
        outcome = await attempt(self.bot.send_message(row.chat_id, text, reply_markup=markup))
        event = {"outbox_id": row.id, "kind": row.kind, "chat_id": row.chat_id}
        match outcome:
            case Sent():
                await store.mark_sent(self.db, row.id)
                log.info("outbox.sent", extra=event)
                return True
            case Blocked():
                await store.mark_failed(self.db, row.id, "blocked")
                if row.chat_id > 0:
                    await mark_blocked(self.db, row.chat_id)
                log.info("outbox.blocked", extra=event)
            case PermanentError(reason):
                await store.mark_failed(self.db, row.id, reason)
                log.warning("outbox.refused", extra=event | {"error": reason})
            case Unknown(reason):
                await store.mark_lost(self.db, row.id, reason)
                log.warning("outbox.answer_lost", extra=event)
            case RetryAfter(seconds):
                await self.pace.penalise(seconds)
                await store.mark_retry(self.db, row.id, "flood", utcnow() + timedelta(seconds=seconds))
            case TransientError(reason):
                await self._retry_later(row, reason, event)
        return False

    async def _retry_later(self, row: OutboxRow, reason: str, event: dict[str, object]) -> None:
        if utcnow() - row.created_at > timedelta(days=MAX_AGE_DAYS):
            await store.mark_failed(self.db, row.id, f"expired: {reason}")
            log.error("outbox.expired", extra=event)
            return
        delay = min(BACKOFF_MAX, BACKOFF_BASE * 2**row.attempts)  # attempts as read, before this one
        await store.mark_retry(self.db, row.id, reason, utcnow() + timedelta(seconds=delay))
        log.warning("outbox.retry", extra=event | {"error": reason, "delay": delay})

    async def _render(self, row: OutboxRow) -> Rendered | None:
        renderer = self.renderers.get(row.kind)
        if renderer is None:
            log.error("outbox.unknown_kind", extra={"outbox_id": row.id, "kind": row.kind})
            return None
        locale = row.locale
        if locale is None:
            user = await get_user(self.db, row.chat_id)
            locale = (user.language if user else None) or self.default_locale
        with self.i18n.context(), self.i18n.use_locale(locale):
            return await renderer(self.db, self.content, row, locale)
