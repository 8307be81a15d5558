"""/web: a staff member asks for a one-time link into the staff console."""

from __future__ import annotations

import logging

from aiogram import Router, html
from aiogram.filters import Command
from aiogram.types import Message

from bot.config import Settings
from bot.db.clock import utcnow
from bot.db.connection import Database
from bot.filters.roles import IsStaff
from bot.i18n import _
from bot.replies import answer
from bot.web.auth import LINK_TTL, issue_link

log = logging.getLogger(__name__)
router = Router(name="web")


@router.message(Command("web"), IsStaff())
async def web_command(message: Message, db: Database, settings: Settings) -> None:
    if not settings.console_enabled:
        await answer(message, _("The staff console is turned off on this bot (WEB_LISTEN is empty)."))
        return
    link = await issue_link(db, message.from_user.id, settings.web_base_url, utcnow())
    log.info("web.link_issued", extra={"user_id": message.from_user.id})
    await answer(
        message,
        _(
            "Your login link to the Koldoo console:\n{link}\n\nIt works once, for {minutes} minutes, and only for "
            "you: do not forward it. A new /web replaces it."
        ).format(link=html.quote(link), minutes=int(LINK_TTL.total_seconds() // 60)),
    )


@router.message(Command("web"))
async def web_refused(message: Message) -> None:
    await answer(message, _("Sorry, the console is only for Koldoo staff."))
