"""The retention job, once a day.

Closed referrals older than RETENTION_DAYS are anonymised: /privacy promises it; the counts stay, the name,
phone, comment and notes go. Closed cases (talk to a person) older than that lose their messages, their forum
topic and the link to the migrant; topic, language, dates and rating stay for the figures. Who received which broadcast is kept for a month after it ended (to report
it), or RETENTION_DAYS if shorter; then only its counts remain. Dialogues abandoned for a day are dropped
every hour (`dialogue_expiry_loop`).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.db import cases as db_cases
from bot.db.broadcasts import fold_recipients
from bot.db.clock import utcnow
from bot.db.referrals import anonymise_closed
from bot.db.storage import SQLiteStorage

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 24 * 3600
DIALOGUE_SWEEP_SECONDS = 3600
RECIPIENTS_KEPT_DAYS = 30


async def retention_loop(app: App) -> None:
    while True:
        cutoff = utcnow() - timedelta(days=app.settings.retention_days)
        count = await anonymise_closed(app.db, cutoff)
        if count:
            log.info("referral.retention", extra={"anonymised": count})
        await anonymise_cases(app, cutoff)
        kept_days = min(RECIPIENTS_KEPT_DAYS, app.settings.retention_days)
        folded = await fold_recipients(app.db, utcnow() - timedelta(days=kept_days))
        if folded:
            log.info("broadcast.retention", extra={"folded": folded})
        await asyncio.sleep(INTERVAL_SECONDS)


async def anonymise_cases(app: App, cutoff: datetime) -> int:
    """Closed cases older than the cutoff lose their messages, their topic and the link to the person."""
    old = await db_cases.closed_topics_before(app.db, cutoff)
    if not old:
        return 0
    await app.dp["handover"].delete_topics([(chat, thread) for _, chat, thread in old if thread is not None])
    await db_cases.anonymise_cases(app.db, [case_id for case_id, _, _ in old])
    log.info("case.retention", extra={"anonymised": len(old)})
    return len(old)


async def dialogue_expiry_loop(app: App) -> None:
    storage = app.dp.storage
    if not isinstance(storage, SQLiteStorage):
        return
    while True:
        expired = await storage.expire()
        if expired:
            log.info("dialogue.expired", extra={"dialogues": expired})
        await asyncio.sleep(DIALOGUE_SWEEP_SECONDS)
