"""`setWebhook` once per configuration, not by every replica on every start (wakaree's template does the
same by a hash): the configuration's hash is kept in Redis, and a replica that finds the same hash there
leaves Telegram alone (after a `getWebhookInfo` that the webhook is still there). A changed URL, secret or
update list is set again by the first replica to start."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

from aiogram import Bot
from redis.asyncio import Redis


def configuration_hash(url: str, secret: str, allowed_updates: Sequence[str]) -> str:
    blob = json.dumps([url, secret, sorted(allowed_updates)]).encode()
    return hashlib.sha256(blob).hexdigest()


async def set_webhook_once(
    bot: Bot, redis: Redis | None, prefix: str, url: str, secret: str, allowed_updates: Sequence[str]
) -> bool:
    """Set the webhook unless this very configuration was set already; True when Telegram was called."""
    wanted = configuration_hash(url, secret, allowed_updates)
    key = f"{prefix}:webhook:{bot.id}"
    if redis is not None:
        current = await redis.get(key)
        if (current.decode() if isinstance(current, bytes) else current) == wanted:
            info = await bot.get_webhook_info()  # removed meanwhile (a polling run calls deleteWebhook)?
            if info.url == url:
                return False
    await bot.set_webhook(url, secret_token=secret, allowed_updates=list(allowed_updates), drop_pending_updates=False)
    if redis is not None:
        await redis.set(key, wanted)
    return True
