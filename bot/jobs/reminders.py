"""The reminder loop: sends each due reminder once, in the user's language, and survives restarts.

Reminders are claimed (marked sent) in the same transaction that selects them, then sent; a send that fails
for a passing reason gives the reminder back for the next tick, and a user who blocked the bot is marked so.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date
from typing import TYPE_CHECKING

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.db import reminders
from bot.db.connection import Database
from bot.db.users import mark_blocked
from bot.handlers.ban import MVD_CHECK_URL, official_check_text
from bot.handlers.reminders import document_reminder_text
from bot.i18n import Catalogues, _, format_date
from bot.keyboards.menu import menu_button
from bot.services.dates import users_today

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 60


async def reminder_loop(app: App) -> None:
    """Runs beside polling: a first pass at start (reminders that fell due while the bot was down), then
    one pass a minute."""
    while True:
        await send_due_reminders(app.bot, app.db, app.i18n, app.settings.default_locale, users_today())
        await asyncio.sleep(INTERVAL_SECONDS)


def reminder_text(reminder: reminders.Reminder, locale: str, today: date | None = None) -> str:
    """The reminder in `locale`: what date is coming, in how many days, and what to do."""
    day = format_date(reminder.subject_date, locale)
    if reminder.kind == "check_before_travel":
        head = _(
            "⏰ <b>Reminder from Koldoo</b>\n{date} is two months away. If you plan to travel to Russia, "
            "check now whether you have an entry ban."
        ).format(date=day)
        return f"{head}\n\n{official_check_text()}"
    left = (reminder.subject_date - (today or users_today())).days
    text = document_reminder_text(reminder.kind, reminder.subject_date, max(0, left), locale)
    return f"{text}\n\n{official_check_text()}" if reminder.kind == "ban_end" else text


def reminder_keyboard(kind: str = "ban_end") -> InlineKeyboardMarkup:
    """The official check under reminders about a ban or a trip; only the menu under document reminders."""
    rows = [[menu_button()]]
    if kind in ("ban_end", "check_before_travel"):
        rows.insert(0, [InlineKeyboardButton(text=_("🔎 Official check"), url=MVD_CHECK_URL)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


async def send_due_reminders(
    bot: Bot, db: Database, i18n: Catalogues, default_locale: str, today: date
) -> int:
    """Send every reminder due by `today`; returns how many were delivered."""
    sent = 0
    while batch := await reminders.claim_due(db, today):
        for reminder in batch:
            locale = reminder.locale or default_locale
            with i18n.context(), i18n.use_locale(locale):
                text, markup = reminder_text(reminder, locale, today), reminder_keyboard(reminder.kind)
            try:
                await bot.send_message(reminder.user_id, text, reply_markup=markup)
            except TelegramForbiddenError:
                await mark_blocked(db, reminder.user_id)
                log.info(
                    "reminder.user_blocked", extra={"reminder_id": reminder.id, "user_id": reminder.user_id}
                )
            except TelegramBadRequest as error:
                log.warning("reminder.rejected", extra={"reminder_id": reminder.id, "error": error.message})
            except (TelegramNetworkError, TelegramServerError, TelegramRetryAfter) as error:
                await reminders.release(db, reminder.id)
                log.warning(
                    "reminder.deferred", extra={"reminder_id": reminder.id, "error": type(error).__name__}
                )
                return sent
            else:
                sent += 1
                log.info("reminder.sent", extra={"reminder_id": reminder.id, "user_id": reminder.user_id})
    return sent
