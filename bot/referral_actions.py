"""What a coordinator does to a referral, the same from the bot and from the console: the status change
(its rules, audit line and the migrant's queued notice are in `db.referrals.change_status`), the log event
and the outbox woken; and the export of a filtered set."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from bot.db.clock import utcnow
from bot.db.connection import Database
from bot.db.referrals import change_status, export_details, iter_referrals, log_export, undo_move
from bot.db.users import usernames
from bot.handlers.referral_texts import plain_event_line, reason_label, status_label
from bot.i18n import _
from bot.jobs.outbox import Outbox
from bot.services.export import ExportFiles, RowDetails, Titles, write_exports
from bot.services.referrals import DeclineReason, Referral, ReferralEvent, ReferralFilter, Status

log = logging.getLogger(__name__)


@asynccontextmanager
async def exported(
    db: Database, flt: ReferralFilter, titles: Titles, actor_id: int, folder: Path
) -> AsyncIterator[ExportFiles]:
    """The CSV and XLSX of the filtered referrals, in a folder removed afterwards inside the bot's private export folder (`services.export.export_dir`); the export is audited
    once the caller has sent them on (/export in the chat, a download in the console)."""
    async def describe(batch: Sequence[Referral]) -> dict[int, RowDetails]:
        events, languages = await export_details(db, [referral.id for referral in batch])
        names = await usernames(db, {event.actor_id for history in events.values() for event in history})
        details = {}
        for referral in batch:
            who = names | ({referral.user_id: _("the applicant")} if referral.user_id is not None else {})
            history = [plain_event_line(event, who) for event in events.get(referral.id, [])]
            details[referral.id] = RowDetails(
                status=status_label(referral.status),
                reason=reason_label(referral.decline_reason) if referral.decline_reason else None,
                language=languages.get(referral.id),
                history="\n".join(history) or None,
            )
        return details

    with tempfile.TemporaryDirectory(prefix="export-", dir=folder) as tmp:
        files = await write_exports(iter_referrals(db, flt), Path(tmp), utcnow().date(), titles, describe)
        yield files
    await log_export(db, actor_id, flt, files.rows)


async def move_referral(
    db: Database,
    outbox: Outbox,
    referral_id: int,
    target: Status,
    actor_id: int,
    reason: DeclineReason | None = None,
) -> Referral | None:
    """Move the referral; the migrant's notice is queued in the same transaction (the outbox) and the outbox
    is woken to send it. None when the move is not allowed (any more)."""
    referral = await change_status(db, referral_id, target, actor_id, notify=True, reason=reason)
    if referral is None:
        return None
    log.info(
        "referral.status",
        extra={"referral_id": referral.id, "status": referral.status.value, "actor_id": actor_id},
    )
    outbox.wake()
    return referral


async def undo_referral(db: Database, outbox: Outbox, referral_id: int, actor_id: int) -> tuple[Referral, str] | None:
    """Undo a mis-tapped move (within `UNDO_WINDOW`): the previous status back, the notice withdrawn or
    corrected (`db.referrals.undo_move`). None when it is too late or someone changed the request since."""
    undone = await undo_move(db, referral_id, actor_id)
    if undone is None:
        return None
    referral, outcome = undone
    log.info("referral.undo", extra={"referral_id": referral.id, "status": referral.status.value, "outcome": outcome})
    if outcome == "corrected":
        outbox.wake()
    return undone


async def people(db: Database, referral: Referral, events: list[ReferralEvent]) -> dict[int, str]:
    """Names for the history: staff by their @username, and the migrant's own entries (withdrawn, added
    information) as "the applicant"."""
    names = await usernames(db, {event.actor_id for event in events})
    if referral.user_id is not None:
        names[referral.user_id] = _("the applicant")
    return names
