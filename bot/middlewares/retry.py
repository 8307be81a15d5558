"""Outgoing requests that Telegram pushed back are tried again, so a user's answer is not lost.

429 waits the `retry_after` Telegram asked for; 5xx and network errors back off exponentially. Both are
bounded. Broadcasts pace themselves and handle 429 for all their sending at once, so they turn this off for
their own calls with `retries_disabled()`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING

from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.methods import GetUpdates, TelegramMethod
from aiogram.methods.base import Response, TelegramType

if TYPE_CHECKING:
    from aiogram import Bot

log = logging.getLogger(__name__)

_disabled: ContextVar[bool] = ContextVar("koldoo_retries_disabled", default=False)


@contextmanager
def retries_disabled() -> Iterator[None]:
    token = _disabled.set(True)
    try:
        yield
    finally:
        _disabled.reset(token)


class RetryMiddleware(BaseRequestMiddleware):
    def __init__(self, attempts: int = 4, base_delay: float = 0.5, max_retry_after: float = 60.0) -> None:
        self.attempts = attempts
        self.base_delay = base_delay
        self.max_retry_after = max_retry_after

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if _disabled.get() or isinstance(method, GetUpdates):  # polling has its own backoff
            return await make_request(bot, method)
        for attempt in range(1, self.attempts + 1):
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as error:
                if attempt == self.attempts or error.retry_after > self.max_retry_after:
                    raise
                delay = float(error.retry_after)
                reason = "flood"
            except (TelegramServerError, TelegramNetworkError) as error:
                if attempt == self.attempts:
                    raise
                delay = self.base_delay * 2 ** (attempt - 1)
                reason = type(error).__name__
            log.warning(
                "api.retry",
                extra={"method": method.__api_method__, "attempt": attempt, "delay": delay, "reason": reason},
            )
            await asyncio.sleep(delay)
        raise AssertionError("unreachable")
