"""Dialogues and screens with personal data run in private chats only.

In a group every member reads the bot's answers, so a referral form there would post a name and phone to
all of them, a stay or ban check someone's dates in Russia, /my their requests. The bot answers such a
command or button in a group with a link that opens its private chat (`t.me/<bot>?start=...`), and does the
thing there. This router comes before the features, so they never see these updates from a group.
"""

from __future__ import annotations

import re

from aiogram import Bot, F, Router
from aiogram.enums import ChatType
from aiogram.filters import Command, or_f
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.i18n import _
from bot.keyboards.callbacks import ApplyCb, ForgetCb, FormCb, MenuCb, RemindCb, SettingsCb, StepCb
from bot.replies import answer

router = Router(name="private")
router.message.filter(F.chat.type != ChatType.PRIVATE)
router.callback_query.filter(~F.message.chat.type.in_({ChatType.PRIVATE}))

# Commands and menu sections whose answers or dialogues hold personal data (or staff exports of it).
PRIVATE_COMMANDS = ("ban", "stay", "my", "settings", "forget", "export", "broadcast")
PRIVATE_SECTIONS = ("ban", "stay", "my", "settings")
_PAYLOAD = re.compile(r"[A-Za-z0-9_-]{0,64}")


async def private_link(bot: Bot, payload: str = "") -> str:
    """The link that opens the bot's private chat and sends it `/start payload` (letters, digits, _ and -)."""
    me = await bot.me()
    return f"https://t.me/{me.username}" + (f"?start={payload}" if payload else "")


async def private_keyboard(bot: Bot, payload: str = "") -> InlineKeyboardMarkup:
    url = await private_link(bot, payload)
    return InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text=_("Open the private chat"), url=url)]])


def private_only_text() -> str:
    return _(
        "I work with personal details in a private chat only, so that nobody else in this group sees them. "
        "Open the private chat with me and continue there."
    )


@router.message(Command(*PRIVATE_COMMANDS))
async def private_command(message: Message, bot: Bot) -> None:
    await answer(message, private_only_text(), await private_keyboard(bot))


@router.callback_query(
    or_f(
        MenuCb.filter(F.section.in_(PRIVATE_SECTIONS)),
        ApplyCb.filter(),
        FormCb.filter(),
        StepCb.filter(),
        ForgetCb.filter(),
        RemindCb.filter(),
        SettingsCb.filter(),
    )
)
async def private_button(
    callback: CallbackQuery, callback_answer: CallbackAnswer, bot: Bot, callback_data: ApplyCb | None = None
) -> None:
    payload = f"ap-{callback_data.kind}-{callback_data.id}" if isinstance(callback_data, ApplyCb) else ""
    if not _PAYLOAD.fullmatch(payload):  # forged data does not become a link
        payload = ""
    callback_answer.text = _("This continues in a private chat with me.")
    if callback.message is not None:
        await bot.send_message(
            callback.message.chat.id, private_only_text(), reply_markup=await private_keyboard(bot, payload)
        )
