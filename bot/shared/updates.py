"""Each update handled once, however many times Telegram delivers it and whichever replica it reaches.

Telegram delivers an update again when the webhook did not answer 200 in time, and with several replicas the
second delivery may reach another one. An update is claimed before it is handled (for `CLAIM_SECONDS`, so a
replica that dies mid-update frees it) and marked done after (for `DONE_SECONDS`). A delivery of an update that
is done gets 200 and is dropped; one that another replica is still handling gets 503, so Telegram delivers it
later instead of the two racing; one whose handling failed is released and handled again on the next
delivery. The webhook answers only once the update is handled (aiogram issue #1397: answered first, an update
is lost with the replica that was handling it).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from enum import Enum
from typing import Any, Protocol

from aiogram import Bot
from aiogram.methods import TelegramMethod
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web
from redis.asyncio import Redis

CLAIM_SECONDS = 120  # longer than a handler may run (the webhook waits 55 s, then aiogram answers anyway)
DONE_SECONDS = 24 * 3600  # Telegram gives up on an update within a day


class Claim(Enum):
    NEW = "new"
    BUSY = "busy"
    DONE = "done"


class UpdateLedger(Protocol):
    async def claim(self, update_id: int) -> Claim: ...

    async def done(self, update_id: int) -> None: ...

    async def release(self, update_id: int) -> None: ...


class MemoryLedger:
    """One process: the last `keep` updates, in memory."""

    def __init__(self, keep: int = 10_000) -> None:
        self.keep = keep
        self._seen: OrderedDict[int, tuple[bool, float]] = OrderedDict()  # update_id -> (done, claimed at)

    async def claim(self, update_id: int) -> Claim:
        seen = self._seen.get(update_id)
        if seen is not None:
            done, at = seen
            if done:
                return Claim.DONE
            if time.monotonic() - at < CLAIM_SECONDS:
                return Claim.BUSY
        self._seen[update_id] = (False, time.monotonic())
        while len(self._seen) > self.keep:
            self._seen.popitem(last=False)
        return Claim.NEW

    async def done(self, update_id: int) -> None:
        self._seen[update_id] = (True, time.monotonic())

    async def release(self, update_id: int) -> None:
        self._seen.pop(update_id, None)


class RedisLedger:
    """Several replicas: one key per update, `SET NX` to claim."""

    def __init__(self, redis: Redis, prefix: str) -> None:
        self.redis = redis
        self.prefix = prefix

    def _key(self, update_id: int) -> str:
        return f"{self.prefix}:update:{update_id}"

    async def claim(self, update_id: int) -> Claim:
        if await self.redis.set(self._key(update_id), "busy", nx=True, ex=CLAIM_SECONDS):
            return Claim.NEW
        state = await self.redis.get(self._key(update_id))
        if state is None:  # expired between the two calls: try once more
            return Claim.NEW if await self.redis.set(self._key(update_id), "busy", nx=True, ex=CLAIM_SECONDS) else Claim.BUSY
        return Claim.DONE if state in (b"done", "done") else Claim.BUSY

    async def done(self, update_id: int) -> None:
        await self.redis.set(self._key(update_id), "done", ex=DONE_SECONDS)

    async def release(self, update_id: int) -> None:
        await self.redis.delete(self._key(update_id))


class OnceRequestHandler(SimpleRequestHandler):
    """aiogram's webhook handler, answering after the update is handled and handling each update once."""

    def __init__(self, *args: Any, ledger: UpdateLedger, **kwargs: Any) -> None:
        super().__init__(*args, handle_in_background=False, **kwargs)
        self.ledger = ledger

    async def _handle_request(self, bot: Bot, request: web.Request) -> web.Response:
        update = await request.json(loads=bot.session.json_loads)
        update_id = update.get("update_id") if isinstance(update, dict) else None
        if not isinstance(update_id, int):
            return web.json_response({"ok": False, "description": "no update_id"}, status=400)
        claim = await self.ledger.claim(update_id)
        if claim is Claim.DONE:
            return web.json_response({})
        if claim is Claim.BUSY:
            return web.Response(status=503, text="this update is being handled")
        try:
            result: TelegramMethod[Any] | None = await self.dispatcher.feed_webhook_update(bot, update, **self.data)
        except BaseException:
            await self.ledger.release(update_id)
            raise
        await self.ledger.done(update_id)
        return web.Response(body=self._build_response_writer(bot=bot, result=result))
