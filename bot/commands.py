"""The bot's commands: the one list that feeds setMyCommands (per language) and /help."""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import BotCommand, BotCommandScopeDefault
from aiogram.utils.i18n.lazy_proxy import LazyProxy

from bot.content.common import LOCALES
from bot.i18n import Catalogues, __

USER_COMMANDS: list[tuple[str, LazyProxy]] = [
    ("start", __("Start and main menu")),
    ("menu", __("Main menu")),
    ("emergency", __("Emergency numbers, and what to do if detained")),
    ("guide", __("Safe migration guide")),
    ("ban", __("Check for a Russian entry ban")),
    ("stay", __("Count the days you may stay")),
    ("reminders", __("Your reminders for documents and dates")),
    ("contacts", __("Help contacts")),
    ("training", __("Training and help")),
    ("ask", __("Ask a person: a volunteer answers")),
    ("end", __("End the conversation with a volunteer")),
    ("my", __("My requests")),
    ("settings", __("Region and topics of broadcasts")),
    ("subscribe", __("Receive broadcasts")),
    ("unsubscribe", __("Stop receiving broadcasts")),
    ("language", __("Change language")),
    ("privacy", __("What we keep about you")),
    ("forget", __("Delete my data")),
    ("cancel", __("Stop the current dialogue")),
    ("help", __("What this bot does")),
]

# Shown in /help to staff only; not registered with Telegram, so migrants never see them.
VOLUNTEER_COMMANDS: list[tuple[str, LazyProxy]] = [
    ("broadcast", __("Write a broadcast to subscribers")),
    ("broadcasts", __("Recent and scheduled broadcasts")),
    ("web", __("A login link to the staff console")),
    ("cases", __("Open cases, longest waiting first")),
]
COORDINATOR_COMMANDS: list[tuple[str, LazyProxy]] = [
    *VOLUNTEER_COMMANDS,
    ("referrals", __("Requests from migrants")),
    ("export", __("Export requests as CSV and XLSX")),
    ("stats", __("Statistics (coordinators)")),
    ("staff", __("Staff list (coordinators)")),
    ("grant", __("Give a staff role (coordinators)")),
    ("revoke", __("Take a staff role away (coordinators)")),
    ("reload", __("Reload the content files: guide, contacts, entry-ban rules, training")),
]


async def register_commands(bot: Bot, i18n: Catalogues, default_locale: str) -> None:
    """One command list per language, and the default language's list for everyone else."""
    for locale in (*LOCALES, None):
        with i18n.context(), i18n.use_locale(locale or default_locale):
            commands = [BotCommand(command=name, description=str(text)) for name, text in USER_COMMANDS]
        await bot.set_my_commands(commands, scope=BotCommandScopeDefault(), language_code=locale)
