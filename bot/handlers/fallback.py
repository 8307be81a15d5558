"""What nobody else handled: out-of-date buttons, unknown commands, stickers and photos, and errors.

This router is included last, so every feature had its chance first.
"""

from __future__ import annotations

import logging

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import CommandStart, ExceptionTypeFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, ErrorEvent, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.config import Settings
from bot.handlers.start import greet
from bot.i18n import Catalogues, _, pick_locale
from bot.keyboards.menu import main_menu_keyboard, menu_only_keyboard
from bot.replies import answer

log = logging.getLogger(__name__)
router = Router(name="fallback")

LONG_TEXT = 2000  # longer messages are not questions we can search for


@router.message(CommandStart(deep_link=True))
async def unknown_deep_link(message: Message, state: FSMContext, stored_locale: str | None) -> None:
    log.info("deeplink.unknown", extra={"user_id": message.from_user.id})
    await greet(message, state, stored_locale)


@router.callback_query()
async def stale_button(callback: CallbackQuery, callback_answer: CallbackAnswer, bot: Bot) -> None:
    log.info("callback.stale", extra={"user_id": callback.from_user.id})
    callback_answer.text = _("This button is out of date.")
    await bot.send_message(
        callback.from_user.id, _("This button is out of date. Here is the menu:"), reply_markup=main_menu_keyboard()
    )


@router.message(F.text.startswith("/"))
async def unknown_command(message: Message) -> None:
    await answer(message, _("I don't know this command. See /help for what I can do."), menu_only_keyboard())


@router.message(F.text)
async def free_text(message: Message, state: FSMContext) -> None:
    if await state.get_state() is not None:
        await answer(message, _("Please answer the question above, or send /cancel to stop."))
    elif len(message.text) > LONG_TEXT:
        await answer(message, _("Your message is too long for me. Please write a few words."), menu_only_keyboard())
    else:
        await answer(message, _("I understand buttons and short questions. Choose a section:"), main_menu_keyboard())


@router.message()
async def not_text(message: Message, state: FSMContext) -> None:
    if await state.get_state() is not None:
        await answer(message, _("Please answer the question above with text or a button, or send /cancel to stop."))
    else:
        await answer(
            message, _("I can only read text and buttons. Please choose a section:"), main_menu_keyboard()
        )


@router.error(ExceptionTypeFilter(Exception))
async def on_error(
    event: ErrorEvent,
    bot: Bot,
    i18n: Catalogues | None = None,
    locale: str | None = None,
    settings: Settings | None = None,
) -> bool:
    """Log the failure by ids only, and tell the user in their language; never let it escape.

    Errors surface outside the user middleware, so the user's language is set again here. When the failure
    came before the user middleware chose it (the database failed while reading the dialogue state), it is
    their Telegram app's language.
    """
    update = event.update
    user = None
    if update.message:
        user = update.message.from_user
    elif update.callback_query:
        user = update.callback_query.from_user
    log.exception(
        "update.failed",
        exc_info=event.exception,
        extra={"update_id": update.update_id, "user_id": user.id if user else None, "error": type(event.exception).__name__},
    )
    if user is None or i18n is None:
        return True
    if locale is None:
        locale = pick_locale(None, user.language_code, settings.default_locale if settings else "ru")
    with i18n.context(), i18n.use_locale(locale):
        await _tell_user(bot, update.update_id, user.id)
    return True


async def _tell_user(bot: Bot, update_id: int, user_id: int) -> None:
    """Callback queries need no answer here: CallbackAnswerMiddleware answers them even when a handler fails."""
    try:
        await bot.send_message(
            user_id, _("Sorry, something went wrong. Please try again."), reply_markup=menu_only_keyboard()
        )
    except TelegramAPIError as error:  # the user may have blocked us, or Telegram may be down
        log.warning("update.error_reply_failed", extra={"update_id": update_id, "error": type(error).__name__})
