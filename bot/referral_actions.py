"""What a coordinator does to a referral, the same from the bot and from the console: the status change
(its rules, audit line and the migrant's queued notice are in `db.referrals.change_status`), the log event
and the outbox woken; and the export of a filtered set."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.db.clock import utcnow
from bot.db.connection import Database
from bot.db.referrals import change_status, iter_referrals, log_export
from bot.jobs.outbox import Outbox
from bot.services.export import ExportFiles, Titles, write_exports
from bot.services.referrals import Referral, ReferralFilter, Status

log = logging.getLogger(__name__)


@asynccontextmanager
async def exported(
    db: Database, flt: ReferralFilter, titles: Titles, actor_id: int, folder: Path
) -> AsyncIterator[ExportFiles]:
    """The CSV and XLSX of the filtered referrals, in a folder removed afterwards inside the bot's private export folder (`services.export.export_dir`); the export is audited
    once the caller has sent them on (/export in the chat, a download in the console)."""
    with tempfile.TemporaryDirectory(prefix="export-", dir=folder) as tmp:
        files = await write_exports(iter_referrals(db, flt), Path(tmp), utcnow().date(), titles)
        yield files
    await log_export(db, actor_id, flt, files.rows)


async def move_referral(
    db: Database, outbox: Outbox, referral_id: int, target: Status, actor_id: int
) -> Referral | None:
    """Move the referral; the migrant's notice is queued in the same transaction (the outbox) and the outbox
    is woken to send it. None when the move is not allowed (any more)."""
    referral = await change_status(db, referral_id, target, actor_id, notify=True)
    if referral is None:
        return None
    log.info(
        "referral.status",
        extra={"referral_id": referral.id, "status": referral.status.value, "actor_id": actor_id},
    )
    outbox.wake()
    return referral
