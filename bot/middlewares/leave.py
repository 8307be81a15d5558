"""Leaving a dialogue by a command or a main-menu button ends it.

Without this, a user who started /ban, went to /guide and then typed a question got "I could not read a
date": the dialogue still listened although the user thought they had left it. Clearing the state before
the handlers run lets the command (or the section) answer as it does outside any dialogue.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, ReplyKeyboardRemove, TelegramObject

from bot.i18n import _
from bot.keyboards.callbacks import MenuCb

log = logging.getLogger(__name__)

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]

# /cancel says itself whether there was something to stop, so it must still see the dialogue.
KEEPS_DIALOGUE = frozenset({"cancel"})
# Questions that show a reply keyboard ("Share my number"): leaving them must take the keyboard away too.
REPLY_KEYBOARD_STATES = frozenset({"ReferralForm:phone"})


def command_of(text: str | None) -> str | None:
    """`/ban@KoldooBot 12` -> `ban`; None for text that is not a command."""
    if not text or not text.startswith("/") or len(text) < 2:
        return None
    return text[1:].split(maxsplit=1)[0].split("@", 1)[0].lower() or None


def leaves_dialogue(event: TelegramObject) -> bool:
    if isinstance(event, Message):
        if event.chat.type != "private":
            return False
        command = command_of(event.text)
        return command is not None and command not in KEEPS_DIALOGUE
    if isinstance(event, CallbackQuery) and event.data:
        return event.data.split(":", 1)[0] == MenuCb.__prefix__
    return False


class LeaveDialogueMiddleware(BaseMiddleware):
    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        state: FSMContext | None = data.get("state")
        if state is not None and leaves_dialogue(event):
            left = await state.get_state()
            if left is not None:
                await state.clear()
                data["raw_state"] = None  # the handlers' state filters see the dialogue gone
                log.info("dialog.left", extra={"user_id": event.from_user.id, "state": left})
                if left in REPLY_KEYBOARD_STATES:
                    await data["bot"].send_message(
                        event.from_user.id, _("The request form was stopped."), reply_markup=ReplyKeyboardRemove()
                    )
        return await handler(event, data)
