"""The reminder loop: hands each due reminder to the outbox once, which sends it in the user's language.

A due reminder is marked sent and queued in the outbox in one transaction (bot/db/reminders.py); the outbox
loop delivers it, retries passing failures, marks a user who blocked the bot, and never sends one twice.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date
from typing import TYPE_CHECKING

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.content.loader import ContentStore
from bot.db import reminders
from bot.db.connection import Database
from bot.db.outbox import OutboxRow
from bot.handlers.ban import MVD_CHECK_URL, official_check_text
from bot.handlers.reminders import document_reminder_text
from bot.i18n import _, format_date
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
        if await reminders.queue_due(app.db, users_today()):
            app.outbox.wake()
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


async def render_reminder(
    db: Database, content: ContentStore, row: OutboxRow, locale: str
) -> tuple[str, InlineKeyboardMarkup] | None:
    """An outbox row of kind "reminder": written at send time, in the user's language."""
    reminder = await reminders.get(db, row.subject_id)
    if reminder is None:  # deleted meanwhile (/forget)
        return None
    return reminder_text(reminder, locale), reminder_keyboard(reminder.kind)
