"""Misbehaviour the fake Bot API server can be told to show: injected faults and rate limits."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from http import HTTPStatus

from bot.devtools.fake_models import ApiError


@dataclass
class Fault:
    """Queued by ``FakeTelegram.fail``: the next ``remaining`` calls of ``method`` get this answer."""

    method: str | None
    status: int
    remaining: int
    retry_after: int | None
    description: str | None
    delay: float
    answer_late: bool = False  # handle the call, then hold its answer back `delay` seconds (a lost answer)

    def matches(self, method: str, answer_late: bool = False) -> bool:
        if self.answer_late != answer_late:
            return False
        return self.method == method or (self.method is None and method != "getUpdates")

    def error(self) -> ApiError:
        """The answer to give; a 429 gets Telegram's wording and a retry_after (1 s unless told)."""
        retry_after = self.retry_after or (1 if self.status == 429 else None)
        if self.status == 429:
            default = f"Too Many Requests: retry after {retry_after}"
        else:
            default = HTTPStatus(self.status).phrase
        parameters = {"retry_after": retry_after} if retry_after else None
        return ApiError(self.status, self.description or default, parameters)


def rate_limited(retry_after: int) -> ApiError:
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})


class RateWindow:
    """Sliding-window limiter: ``limit`` messages per second; going beyond starts a retry_after penalty."""

    def __init__(self, limit: float) -> None:
        self.window = max(1.0, 1.0 / limit)
        self.capacity = max(1, int(limit * self.window))
        self.times: deque[float] = deque()
        self.penalty_until = 0.0

    def retry_after(self, now: float) -> int | None:
        """Seconds to wait if a message now would exceed the limit (starting a penalty), else None."""
        if now < self.penalty_until:
            return max(1, math.ceil(self.penalty_until - now))
        while self.times and self.times[0] <= now - self.window:
            self.times.popleft()
        if len(self.times) < self.capacity:
            return None
        retry_after = max(1, math.ceil(self.times[0] + self.window - now))
        self.penalty_until = now + retry_after
        return retry_after

    def record(self, now: float) -> None:
        self.times.append(now)


class TokenBucket:
    """Per-chat limiter: ``burst`` messages at once, then ``rate`` a second; beyond it, 429 with the wait."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.burst = max(1, burst)
        self.tokens = float(self.burst)
        self.at: float | None = None

    def retry_after(self, now: float) -> int | None:
        if self.at is not None:
            self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            return None
        return max(1, math.ceil((1 - self.tokens) / self.rate))

    def record(self, now: float) -> None:
        self.tokens -= 1


class CountWindow:
    """``count`` messages per ``seconds`` (a group's 20 a minute); beyond it, 429 until the oldest ages out."""

    def __init__(self, count: int, seconds: float) -> None:
        self.count = count
        self.seconds = seconds
        self.times: deque[float] = deque()

    def retry_after(self, now: float) -> int | None:
        while self.times and self.times[0] <= now - self.seconds:
            self.times.popleft()
        if len(self.times) < self.count:
            return None
        return max(1, math.ceil(self.times[0] + self.seconds - now))

    def record(self, now: float) -> None:
        self.times.append(now)
