"""Plain text outside a dialogue is a question: search the guide and offer the best pages as buttons.

Included after every dialogue router (their text answers win) and before the fallback router.
"""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.types import InlineKeyboardMarkup, Message

from bot.content.loader import ContentStore
from bot.handlers.fallback import LONG_TEXT
from bot.i18n import _
from bot.keyboards.ask import ask_rows
from bot.keyboards.guide import results_keyboard
from bot.keyboards.menu import main_menu_keyboard
from bot.replies import answer
from bot.services.search import has_words

log = logging.getLogger(__name__)
router = Router(name="search")


@router.message(
    StateFilter(None),
    F.text,
    ~F.text.startswith("/"),
    F.text.len() <= LONG_TEXT,
    F.text.func(has_words),  # a bare date or number is not a question: the fallback explains
)
async def search(message: Message, content: ContentStore, locale: str) -> None:
    guide = content.current
    found = [guide.topics[key] for key in guide.search.search(message.text, locale)]
    log.info("search.done", extra={"user_id": message.from_user.id, "results": len(found)})
    if not found:
        hint = _(
            "I found nothing for these words. Try one or two simple words, for example "
            "<i>patent</i>, <i>registration</i> or <i>ban</i>, or choose a section:"
        )
        menu = main_menu_keyboard()
        offer = ask_rows("search")  # a person may know what the guide does not
        await answer(message, hint, InlineKeyboardMarkup(inline_keyboard=[*offer, *menu.inline_keyboard]) if offer else menu)
        return
    await answer(message, _("Here is what I found in the guide:"), results_keyboard(found, locale))
