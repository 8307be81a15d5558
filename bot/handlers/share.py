"""Share Koldoo: a link a migrant forwards to a friend, opening the bot with `/start share`.

A plain url button to `t.me/share/url` lets the user pick the chat in Telegram itself; no inline mode is
needed, and the bot never learns who the friend is.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from aiogram import Bot, F, Router
from aiogram.filters import CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.handlers.start import greet
from bot.i18n import _
from bot.keyboards.callbacks import MenuCb
from bot.keyboards.menu import menu_button
from bot.replies import edit_or_send

log = logging.getLogger(__name__)
router = Router(name="share")

SHARE_PAYLOAD = "share"


def invite_text() -> str:
    return _(
        "Koldoo is a free Telegram helper for migrants from Kyrgyzstan: the rules of Russia and Kazakhstan, "
        "an entry-ban check, help contacts. In Kyrgyz, Russian and English."
    )


async def share_link(bot: Bot) -> str:
    me = await bot.me()
    return f"https://t.me/{me.username}?start={SHARE_PAYLOAD}"


def share_url(link: str, text: str) -> str:
    return f"https://t.me/share/url?url={quote(link, safe='')}&text={quote(text, safe='')}"


@router.callback_query(MenuCb.filter(F.section == "share"))
async def share_menu(callback: CallbackQuery, bot: Bot) -> None:
    link = await share_link(bot)
    text = _("<b>Share Koldoo</b>\nSend this to a friend who works abroad or is about to go:") + (
        f"\n\n{invite_text()}\n{link}"
    )
    markup = InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=_("📤 Send to a friend"), url=share_url(link, invite_text()))],
            [menu_button()],
        ]
    )
    await edit_or_send(callback, text, markup)


@router.message(CommandStart(deep_link=True, magic=F.args == SHARE_PAYLOAD))
async def arrived_by_share(message: Message, state: FSMContext, stored_locale: str | None) -> None:
    log.info("share.arrived", extra={"user_id": message.from_user.id})
    await greet(message, state, stored_locale)
