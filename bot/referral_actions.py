"""What a coordinator does to a referral, the same from the bot and from the console: the status change
(its rules and audit line are in `db.referrals.change_status`), the log event, and the migrant told in their
language; and the export of a filtered set. Telegram is needed to tell people, so this lives beside
`broadcasting.py`, not in `services/`."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from aiogram import Bot, html
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.types import InlineKeyboardMarkup

from bot.config import Settings
from bot.content.catalogue import Catalogue
from bot.db.clock import utcnow
from bot.db.connection import Database
from bot.db.referrals import change_status, iter_referrals, log_export
from bot.db.users import get_user
from bot.handlers.referral_texts import status_label
from bot.i18n import Catalogues, _
from bot.services.export import ExportFiles, Titles, write_exports
from bot.services.referrals import Referral, ReferralFilter, Status

log = logging.getLogger(__name__)


@asynccontextmanager
async def exported(
    db: Database, flt: ReferralFilter, titles: Titles, actor_id: int
) -> AsyncIterator[ExportFiles]:
    """The CSV and XLSX of the filtered referrals, in a folder removed afterwards; the export is audited
    once the caller has sent them on (/export in the chat, a download in the console)."""
    with tempfile.TemporaryDirectory(prefix="koldoo-export-") as tmp:
        files = await write_exports(iter_referrals(db, flt), Path(tmp), utcnow().date(), titles)
        yield files
    await log_export(db, actor_id, flt, files.rows)


async def deliver(bot: Bot, chat_id: int, text: str, markup: InlineKeyboardMarkup | None, event: str) -> None:
    """Send, and log instead of failing when the recipient blocked the bot or the chat is gone."""
    try:
        await bot.send_message(chat_id, text, reply_markup=markup)
    except (TelegramForbiddenError, TelegramBadRequest) as error:
        log.warning(event, extra={"chat_id": chat_id, "error": type(error).__name__})


async def move_referral(
    bot: Bot,
    db: Database,
    settings: Settings,
    i18n: Catalogues,
    catalogue: Catalogue,
    referral_id: int,
    target: Status,
    actor_id: int,
) -> Referral | None:
    """Move the referral and tell the migrant; None when the move is not allowed (any more)."""
    referral = await change_status(db, referral_id, target, actor_id)
    if referral is None:
        return None
    log.info(
        "referral.status",
        extra={"referral_id": referral.id, "status": referral.status.value, "actor_id": actor_id},
    )
    await notify_migrant(bot, db, settings, i18n, catalogue, referral)
    return referral


async def notify_migrant(
    bot: Bot, db: Database, settings: Settings, i18n: Catalogues, catalogue: Catalogue, referral: Referral
) -> None:
    if referral.user_id is None:
        return
    user = await get_user(db, referral.user_id)
    locale = (user.language if user else None) or settings.default_locale
    with i18n.context(), i18n.use_locale(locale):
        item = catalogue.item(referral.kind, referral.item_id)
        text = _("Your request <b>{reference}</b> ({title}) has a new status: {status}").format(
            reference=referral.reference,
            title=html.quote(item.title.get(locale) if item else referral.item_id),
            status=status_label(referral.status),
        )
        await deliver(bot, referral.user_id, text, None, "referral.notify_failed")
