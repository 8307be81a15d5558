"""The "Ask a person" offer at the end of other screens (a ban result, an empty search, a programme or
service card): shown only when talking to a person is switched on."""

from __future__ import annotations

from aiogram.types import InlineKeyboardButton

from bot.i18n import _
from bot.keyboards.callbacks import AskCb
from bot.keyboards.menu import section_shown


def ask_rows(source: str) -> list[list[InlineKeyboardButton]]:
    if not section_shown("ask"):
        return []
    return [[InlineKeyboardButton(text=_("💬 Ask a person"), callback_data=AskCb(action="start", src=source).pack())]]
