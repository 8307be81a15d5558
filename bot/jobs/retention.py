"""The retention job: once a day, closed referrals older than RETENTION_DAYS are anonymised.

/privacy promises it; the counts stay, the name, phone, comment and notes go.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.db.clock import utcnow
from bot.db.referrals import anonymise_closed

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 24 * 3600


async def retention_loop(app: App) -> None:
    while True:
        cutoff = utcnow() - timedelta(days=app.settings.retention_days)
        count = await anonymise_closed(app.db, cutoff)
        if count:
            log.info("referral.retention", extra={"anonymised": count})
        await asyncio.sleep(INTERVAL_SECONDS)
