"""Every outgoing Bot API call passes the shared pace, and a reply Telegram pushed back is tried again until
it is delivered or too old to matter.

A 429 penalises the pace, so every sender of this bot (other replies, notifications, broadcasts) waits the
`retry_after` Telegram asked for, however long; the call then queues again with its priority. 5xx and network
errors back off exponentially. Either way a call to a chat (a message, an edit) is given up only once
REPLY_MAX_AGE has passed since it was first tried: an answer minutes late is still worth having, one an hour
late is not. Calls to no chat (start-up's getMe, setMyCommands, setWebhook) get SETUP_ATTEMPTS tries, so a
bot that cannot reach Telegram at start says so instead of waiting for minutes.

Callers that pace and retry on their own (the broadcast engine, the outbox) wrap their calls in
`retries_disabled()`: then this middleware neither waits nor retries, and only reports what Telegram said.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.methods import (
    AnswerCallbackQuery,
    CopyMessage,
    CopyMessages,
    ForwardMessage,
    ForwardMessages,
    GetUpdates,
    SendAnimation,
    SendAudio,
    SendContact,
    SendDocument,
    SendLocation,
    SendMediaGroup,
    SendMessage,
    SendPhoto,
    SendSticker,
    SendVideo,
    SendVoice,
    TelegramMethod,
)
from aiogram.methods.base import Response, TelegramType

from bot.services.pace import Clock, Pace, Priority, SystemClock

if TYPE_CHECKING:
    from aiogram import Bot

log = logging.getLogger(__name__)

REPLY_MAX_AGE = 300.0  # seconds after its first try that a reply is still worth delivering
BACKOFF_BASE = 0.5  # seconds before the second try after a 5xx or network error; doubled each time
BACKOFF_MAX = 30.0
SETUP_ATTEMPTS = 4  # tries of a call to no chat

# Calls that put a message in a chat: these count against the chat's and the bot's limits.
MESSAGE_METHODS = (
    SendMessage,
    SendPhoto,
    SendVideo,
    SendDocument,
    SendAnimation,
    SendAudio,
    SendVoice,
    SendSticker,
    SendContact,
    SendLocation,
    SendMediaGroup,
    CopyMessage,
    CopyMessages,
    ForwardMessage,
    ForwardMessages,
)

_disabled: ContextVar[bool] = ContextVar("koldoo_retries_disabled", default=False)


@contextmanager
def retries_disabled() -> Iterator[None]:
    token = _disabled.set(True)
    try:
        yield
    finally:
        _disabled.reset(token)


def message_chat(method: TelegramMethod[TelegramType]) -> int | str | None:
    """The chat a call writes a message to, or None for a call that sends no message."""
    if isinstance(method, MESSAGE_METHODS):
        return method.chat_id  # type: ignore[attr-defined]
    return None


class RetryMiddleware(BaseRequestMiddleware):
    def __init__(self, pace: Pace, clock: Clock | None = None, max_age: float = REPLY_MAX_AGE) -> None:
        self.pace = pace
        self.clock = clock or SystemClock()
        self.max_age = max_age

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if _disabled.get() or isinstance(method, GetUpdates):  # polling has its own backoff
            return await make_request(bot, method)
        if isinstance(method, AnswerCallbackQuery):  # only useful within seconds: never held by a pause
            return await make_request(bot, method)
        chat_id = message_chat(method)
        to_a_chat = "chat_id" in type(method).model_fields
        deadline = self.clock.now() + self.max_age
        failures = 0
        tries = 0
        while True:
            await self.pace.acquire(chat_id, Priority.REPLY)
            tries += 1
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as error:
                failed: Exception = error
                delay = float(error.retry_after)
                await self.pace.penalise(delay)
                reason = "flood"
            except (TelegramServerError, TelegramNetworkError) as error:
                failed = error
                failures += 1
                delay = min(BACKOFF_MAX, BACKOFF_BASE * 2 ** (failures - 1))
                reason = type(error).__name__
            if self.clock.now() + delay > deadline or (not to_a_chat and tries >= SETUP_ATTEMPTS):
                log.warning("api.gave_up", extra={"method": method.__api_method__, "reason": reason})
                raise failed
            log.warning(
                "api.retry", extra={"method": method.__api_method__, "delay": delay, "reason": reason}
            )
            if reason != "flood":  # a 429 waits inside the pace, with everyone else
                await self.clock.sleep(delay)
