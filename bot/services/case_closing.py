"""Closing a case, the same from every side: the topic's /close and its Close button, the console's Close, and
the migrant's /end or End button.

The database decides once (a second close, from anywhere, does nothing) and a staff member's close goes to
the audit log; what Telegram must show (the team's note, the card, the closed topic, the migrant's closing
message and rating) is done by the handover, so this module imports no aiogram.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.db import cases as db_cases
from bot.db.cases import Case
from bot.db.connection import Database
from bot.db.staff import audit
from bot.services.cases import reference

if TYPE_CHECKING:
    from bot.handover import Handover

log = logging.getLogger(__name__)


async def close_case(case: Case, db: Database, handover: Handover, closed_by: int | None = None) -> bool:
    """Close `case`; `closed_by` is the staff member, None when the migrant ended it. False when it was
    closed already (nothing is sent or logged again)."""
    if not await db_cases.close(db, case.id):
        return False
    case = await db_cases.get_case(db, case.id) or case
    by_migrant = closed_by is None
    log.info("case.closed", extra={"case_id": case.id, "by_migrant": by_migrant})
    if closed_by is not None:
        await audit(db, closed_by, "case.close", reference(case.id), {"case_id": case.id})
    if by_migrant:
        await handover.post_note(case, handover.team_note(case, "ended"))
    await handover.refresh_card(case)
    await handover.set_topic_state(case, closed=True)
    if case.user_id is not None and not case.unreachable:
        await handover.send_closing(case)
    return True
