"""Sending and editing screens the way every handler should: long texts split, unchanged edits skipped."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardMarkup,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot.services.text import split_html

log = logging.getLogger(__name__)

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None


async def answer(message: Message, text: str, markup: Markup = None) -> Message:
    """Send `text` (HTML) to the message's chat, split under Telegram's limit; the markup goes on the last part."""
    parts = split_html(text)
    for part in parts[:-1]:
        await message.answer(part)
    return await message.answer(parts[-1], reply_markup=markup)


async def edit_or_send(callback: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Show a screen in place of the message whose button was pressed.

    Skips the edit when nothing changed (Telegram rejects it), and sends a new message when the old one can't
    be edited: too long, a photo, or no longer accessible.
    """
    message = callback.message
    if not isinstance(message, Message) or message.text is None or len(split_html(text)) > 1:
        if message is not None and isinstance(message, Message):
            await answer(message, text, markup)
        elif callback.from_user:
            await callback.bot.send_message(callback.from_user.id, text, reply_markup=markup)
        return
    if message.html_text == text and _same_markup(message.reply_markup, markup):
        return
    try:
        await message.edit_text(text, reply_markup=markup)
    except TelegramBadRequest as error:
        if "message is not modified" in error.message:
            return
        log.info("edit.fallback_to_send", extra={"chat_id": message.chat.id, "error": error.message})
        await message.answer(text, reply_markup=markup)


def _same_markup(shown: InlineKeyboardMarkup | None, new: InlineKeyboardMarkup | None) -> bool:
    """Compared by content: a markup parsed from Telegram carries its bot, so `==` never holds."""
    if shown is None or new is None:
        return shown is new
    return shown.model_dump(exclude_none=True) == new.model_dump(exclude_none=True)


async def send_to(bot: Bot, chat_id: int, text: str, markup: Markup = None) -> Message:
    """`answer` for a chat other than the one being talked in (a coordinator's private chat)."""
    parts = split_html(text)
    for part in parts[:-1]:
        await bot.send_message(chat_id, part)
    return await bot.send_message(chat_id, parts[-1], reply_markup=markup)
