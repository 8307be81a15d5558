"""The handover: migrants' messages into their cases' forum topics, at the pace a group allows, nothing lost.

A migrant's message is stored first (bot/db/cases.py) and copied by this one worker afterwards, so a restart,
a 429 or the group's 20-messages-a-minute limit only delays it. The worker also owns the topics: it creates
a case's topic with its card, re-creates it when someone deleted it by hand ("message thread not found"),
renames, closes, reopens and deletes it.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import replace
from typing import TYPE_CHECKING

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, ReplyKeyboardRemove, ReplyParameters

from bot.config import Settings
from bot.content.loader import ContentStore
from bot.db import cases as db_cases
from bot.db.cases import Case
from bot.db.connection import Database
from bot.db.staff import coordinator_ids
from bot.db.users import get_user
from bot.handlers.case_texts import card_text
from bot.i18n import Catalogues, _
from bot.keyboards.callbacks import CaseCb, RateCb
from bot.middlewares.retry import retries_disabled
from bot.services.cases import Post, plan_posts, reference, topic_name
from bot.services.pace import Pace, Priority

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

IDLE_RECHECK = 5.0  # seconds between looks at the queue when nobody woke the worker
FAILURE_PAUSE = 2.0  # after a network or server error, before trying again


def thread_missing(error: TelegramBadRequest) -> bool:
    return "thread not found" in error.message.lower()


def rating_keyboard(case: Case) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=str(score), callback_data=RateCb(id=case.id, score=score).pack()) for score in range(1, 6)]
        ]
    )


class KeyedLocks:
    """One asyncio lock per key (a user, a case), dropped when nobody holds or waits for it, so a million
    users leave no million locks behind. Within one process; the database's unique index on open cases is
    what holds across replicas."""

    def __init__(self) -> None:
        self._locks: dict[int, asyncio.Lock] = {}
        self._holders: dict[int, int] = {}

    @asynccontextmanager
    async def hold(self, key: int) -> AsyncIterator[None]:
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._holders[key] = self._holders.get(key, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._holders[key] -= 1
            if not self._holders[key]:
                del self._holders[key], self._locks[key]

    def __len__(self) -> int:
        return len(self._locks)


class Handover:
    def __init__(
        self,
        bot: Bot,
        db: Database,
        settings: Settings,
        i18n: Catalogues,
        content: ContentStore,
        pace: Pace,
    ) -> None:
        self.bot = bot
        self.db = db
        self.settings = settings
        self.i18n = i18n
        self.content = content
        self.pace = pace  # the bot's one pace: the group's 20 a minute counts every message into it
        self._wake = asyncio.Event()
        self.case_locks = KeyedLocks()  # one topic per case, whoever asks for it
        self.user_locks = KeyedLocks()  # one case per migrant: find-or-create runs one at a time
        self.posts = 0  # messages sent into groups since start (bench/handover.py reports it)

    @property
    def enabled(self) -> bool:
        return self.settings.operator_chat_id is not None

    def wake(self) -> None:
        self._wake.set()

    def group_locale(self, chat_id: int) -> str:
        return self.settings.operator_chats.get(chat_id) or self.settings.default_locale

    # -- the worker ----------------------------------------------------------------------------------------
    async def run(self) -> None:
        while True:
            self._wake.clear()
            try:
                pause = await self.deliver_waiting()
            except (TelegramNetworkError, TelegramServerError) as error:
                log.warning("handover.telegram_unavailable", extra={"error": type(error).__name__})
                pause = FAILURE_PAUSE
            if pause == 0:
                continue
            with suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), pause if pause is not None else IDLE_RECHECK)

    async def deliver_waiting(self) -> float | None:
        """One pass over the queue; returns 0 to go on at once, a pause, or None when nothing waits."""
        pause: float | None = None
        for case_id in await db_cases.cases_waiting_delivery(self.db):
            case = await db_cases.get_case(self.db, case_id)
            if case is None:
                continue
            wait = await self.deliver_case(case)
            pause = wait if pause is None else min(pause, wait)
        return pause

    async def deliver_case(self, case: Case) -> float:
        """Post what the case has waiting, as far as the group's pace allows now; returns 0 when all went
        (or the next pass should come at once), else how long until this group may take more."""
        async with self.case_locks.hold(case.id):
            for post in plan_posts(await db_cases.waiting_messages(self.db, case.id)):
                try:
                    case = await self._ensure_topic(case)
                    wait = await self.pace.try_acquire(case.chat_id, Priority.NOTICE)
                    if wait > 0:
                        return wait
                    message_id = await self._send_post(case, post)
                except TelegramRetryAfter as error:
                    await self.pace.hold_chat(case.chat_id, math.ceil(error.retry_after))
                    log.info("handover.flood", extra={"case_id": case.id, "retry_after": error.retry_after})
                    return float(math.ceil(error.retry_after))
                except TelegramBadRequest as error:
                    if thread_missing(error):
                        log.warning("handover.topic_missing", extra={"case_id": case.id})
                        case = await self._forget_topic(case)
                        return 0.0  # the next pass re-creates the topic with its card, then posts
                    log.warning("handover.copy_refused", extra={"case_id": case.id, "error": error.message})
                    await db_cases.mark_failed(self.db, [message.id for message in post.messages])
                    continue
                except TelegramForbiddenError as error:  # the bot was removed from the group: keep waiting
                    log.error("handover.group_forbidden", extra={"case_id": case.id, "error": error.message})
                    await self.pace.hold_chat(case.chat_id, 60)
                    return 60.0
                await db_cases.mark_delivered(self.db, [message.id for message in post.messages], message_id)
        return 0.0

    async def _send_post(self, case: Case, post: Post) -> int:
        first = post.messages[0]
        reply = None
        if first.reply_to is not None:
            link = await db_cases.link_of_user_message(self.db, case.id, first.reply_to)
            if link is not None and link.group_message_id is not None:
                reply = ReplyParameters(message_id=link.group_message_id, allow_sending_without_reply=True)
        with retries_disabled():
            self._count(case.chat_id)
            if post.combined:
                sent = await self.bot.send_message(
                    case.chat_id, post.text_html, message_thread_id=case.thread_id, protect_content=True
                )
                return sent.message_id
            copied = await self.bot.copy_message(
                case.chat_id,
                from_chat_id=case.user_id,
                message_id=first.user_message_id,
                message_thread_id=case.thread_id,
                protect_content=True,
                reply_parameters=reply,
            )
            return copied.message_id

    def _count(self, chat_id: int) -> None:
        self.posts += 1

    # -- topics --------------------------------------------------------------------------------------------
    async def ensure_topic(self, case: Case) -> Case:
        """The case with a topic and a card in its group, creating them when missing."""
        async with self.case_locks.hold(case.id):
            return await self._ensure_topic(case)

    async def _ensure_topic(self, case: Case) -> Case:
        if case.thread_id is None:
            with retries_disabled():
                topic = await self.bot.create_forum_topic(
                    case.chat_id, topic_name(case.id, case.locale, case.topic, case.urgent)
                )
            case = replace(case, thread_id=topic.message_thread_id, card_message_id=None)
            await db_cases.set_topic(self.db, case.id, case.thread_id, None)
            log.info("case.topic_created", extra={"case_id": case.id, "thread_id": case.thread_id})
        if case.card_message_id is None:
            text, markup = await self.card(case)
            await self.pace.acquire(case.chat_id, Priority.NOTICE)  # the card comes before any post
            with retries_disabled():
                self._count(case.chat_id)
                card = await self.bot.send_message(
                    case.chat_id, text, message_thread_id=case.thread_id, reply_markup=markup
                )
            case = replace(case, card_message_id=card.message_id)
            await db_cases.set_topic(self.db, case.id, case.thread_id, card.message_id)
        return case

    async def _forget_topic(self, case: Case) -> Case:
        await db_cases.set_topic(self.db, case.id, None, None)
        return replace(case, thread_id=None, card_message_id=None)

    async def card(self, case: Case) -> tuple[str, InlineKeyboardMarkup | None]:
        locale = self.group_locale(case.chat_id)
        earlier = await db_cases.earlier_cases(self.db, case.user_id, case.id) if case.user_id else []
        referrals = await db_cases.referrals_of(self.db, case.user_id) if case.user_id else []
        with self.i18n.context(), self.i18n.use_locale(locale):
            text = card_text(case, earlier, referrals, locale)
            if not case.is_open:
                return text, None
            buttons = [InlineKeyboardButton(text=_("Take"), callback_data=CaseCb(action="take", id=case.id).pack())]
            if not case.urgent:
                buttons.append(
                    InlineKeyboardButton(text=_("Urgent"), callback_data=CaseCb(action="urgent", id=case.id).pack())
                )
            buttons.append(InlineKeyboardButton(text=_("Close"), callback_data=CaseCb(action="close", id=case.id).pack()))
            return text, InlineKeyboardMarkup(inline_keyboard=[buttons])

    async def refresh_card(self, case: Case) -> None:
        """Show the case as it is now on its card (taken, urgent, closed)."""
        if case.thread_id is None or case.card_message_id is None:
            return
        text, markup = await self.card(case)
        try:
            await self.bot.edit_message_text(
                text, chat_id=case.chat_id, message_id=case.card_message_id, reply_markup=markup
            )
        except TelegramBadRequest as error:
            if "not modified" not in error.message:
                log.info("case.card_not_updated", extra={"case_id": case.id, "error": error.message})

    async def post_note(self, case: Case, text: str) -> None:
        """A message of the bot in the case's topic (the migrant blocked the bot, a saved answer went...),
        re-creating the topic first when it was deleted. Never raises for a Telegram refusal: the note is
        for the team, and the action it reports already happened."""
        for _attempt in range(2):
            try:
                case = await self.ensure_topic(case)
                self._count(case.chat_id)
                await self.bot.send_message(case.chat_id, text, message_thread_id=case.thread_id)
                return
            except TelegramBadRequest as error:
                if not thread_missing(error):
                    log.warning("case.note_failed", extra={"case_id": case.id, "error": error.message})
                    return
                case = await self._forget_topic(case)
            except TelegramAPIError as error:
                log.warning("case.note_failed", extra={"case_id": case.id, "error": type(error).__name__})
                return

    async def set_topic_state(self, case: Case, closed: bool) -> None:
        if case.thread_id is None:
            return
        try:
            if closed:
                await self.bot.close_forum_topic(case.chat_id, case.thread_id)
            else:
                await self.bot.reopen_forum_topic(case.chat_id, case.thread_id)
        except TelegramBadRequest as error:  # already so, or deleted: either way nothing to do
            log.info("case.topic_state_unchanged", extra={"case_id": case.id, "error": error.message})

    async def rename_topic(self, case: Case) -> None:
        if case.thread_id is None:
            return
        with suppress(TelegramBadRequest):
            await self.bot.edit_forum_topic(
                case.chat_id, case.thread_id, name=topic_name(case.id, case.locale, case.topic, case.urgent)
            )

    async def delete_topics(self, topics: list[tuple[int, int]]) -> None:
        for chat_id, thread_id in topics:
            try:
                await self.bot.delete_forum_topic(chat_id, thread_id)
            except TelegramAPIError as error:
                log.info("case.topic_not_deleted", extra={"chat_id": chat_id, "error": type(error).__name__})

    def team_note(self, case: Case, event: str) -> str:
        """What `post_note` says in the case's topic when the migrant does something, in the group's language."""
        with self.i18n.use_locale(self.group_locale(case.chat_id)):
            notes = {
                "reopened": _("↩️ The migrant wrote again within 7 days: the case is open again."),
                "ended": _("✖️ The migrant ended the conversation. The case is closed."),
                "blocked": _("⛔ The migrant blocked the bot: nothing more can reach them. The case stays open."),
                "back": _("✅ The migrant is reachable again."),
            }
            return notes[event]

    # -- the migrant's side --------------------------------------------------------------------------------
    async def send_closing(self, case: Case) -> None:
        """Tell the migrant their case is closed, in their language, and ask for a rating. Never raises: the
        case is closed either way."""
        if case.user_id is None:
            return
        with self.i18n.use_locale(case.locale):
            closing = _(
                "✅ Conversation {reference} is closed. Thank you for writing to Koldoo. If you need more help "
                "within 7 days, just write here again: the same conversation opens, with the same case number."
            ).format(reference=reference(case.id))
            rate = _("How much did we help you? 1 is not at all, 5 is very much.")
        try:
            await self.bot.send_message(case.user_id, closing, reply_markup=ReplyKeyboardRemove())
            await self.bot.send_message(case.user_id, rate, reply_markup=rating_keyboard(case))
        except Exception as error:  # noqa: BLE001 - the case is closed either way
            log.info("case.closing_not_delivered", extra={"case_id": case.id, "error": type(error).__name__})

    # -- alarms --------------------------------------------------------------------------------------------
    async def alert_coordinators(self, case: Case) -> None:
        """Each coordinator, privately and in their language: an urgent case, by number only."""
        link = ""
        if case.thread_id is not None and str(case.chat_id).startswith("-100"):
            link = f"https://t.me/c/{str(case.chat_id)[4:]}/{case.thread_id}"
        for user_id in await coordinator_ids(self.db, self.settings.admin_ids):
            user = await get_user(self.db, user_id)
            locale = (user.language if user else None) or self.settings.default_locale
            with self.i18n.context(), self.i18n.use_locale(locale):
                text = _("🆘 Urgent case {reference}: a migrant may be in danger. Open its topic now.").format(
                    reference=reference(case.id)
                )
                markup = None
                if link:
                    markup = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text=_("Open topic"), url=link)]])
            try:
                await self.bot.send_message(user_id, text, reply_markup=markup)
            except TelegramAPIError as error:
                log.warning("case.alert_failed", extra={"case_id": case.id, "coordinator": user_id, "error": type(error).__name__})
        log.info("case.urgent_alerted", extra={"case_id": case.id})


async def handover_loop(app: App) -> None:
    handover: Handover = app.dp["handover"]
    if handover.enabled:
        await handover.run()
