"""The faster request encoding sends exactly what aiogram's own session sends, field by field."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.enums import ParseMode
from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageText,
    SendDocument,
    SendMessage,
    SendPhoto,
    SetMyCommands,
    TelegramMethod,
)
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BufferedInputFile,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    MessageEntity,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from aiohttp import FormData
from aiohttp.payload import BytesPayload

from bot.session import BotAPISession

MENU = InlineKeyboardMarkup(
    inline_keyboard=[
        [InlineKeyboardButton(text="Кыргызча", callback_data="lang:ky"), InlineKeyboardButton(text="English", callback_data="lang:en")],
        [InlineKeyboardButton(text="Маалымат & «кеңеш» = 100% + ?", callback_data="menu:guide")],
        [InlineKeyboardButton(text="MVD", url="https://xn--b1aew.xn--p1ai/?a=1&b=2#x")],
    ]
)
PHONE = ReplyKeyboardMarkup(
    keyboard=[[KeyboardButton(text="Номеримди жөнөтүү", request_contact=True)], [KeyboardButton(text="Cancel")]],
    resize_keyboard=True,
    one_time_keyboard=True,
)
TEXT = "<b>Салам!</b> Koldoo — көмөкчү; 50% & 5+5=10; ?x=1#y; emoji 🇰🇬\nnew line"

METHODS: list[TelegramMethod[Any]] = [
    SendMessage(chat_id=123, text=TEXT, reply_markup=MENU),
    SendMessage(chat_id=-100123, text=TEXT, reply_markup=PHONE, disable_notification=True),
    SendMessage(chat_id=123, text="x", reply_markup=ReplyKeyboardRemove()),
    SendMessage(chat_id=123, text="x", reply_markup=ForceReply(input_field_placeholder="+996")),
    SendMessage(chat_id=123, text="plain", parse_mode=None, entities=[MessageEntity(type="bold", offset=0, length=5)]),
    SendMessage(chat_id=123, text="", reply_markup=None),
    EditMessageText(chat_id=123, message_id=7, text=TEXT, reply_markup=MENU),
    AnswerCallbackQuery(callback_query_id="abc", text="Эскирген баскыч", show_alert=False),
    SetMyCommands(
        commands=[BotCommand(command="start", description="Баштоо"), BotCommand(command="ban", description="Тыюу")],
        scope=BotCommandScopeChat(chat_id=900),
        language_code="ky",
    ),
    SendPhoto(chat_id=123, photo="AgACAgIAAxkBAAI", caption=TEXT, reply_markup=MENU),
]


@pytest.fixture
def bot() -> Bot:
    return Bot("123:abc", default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True))


def decoded(body: bytes) -> dict[str, Any]:
    """Form fields as a receiver sees them, with JSON-encoded fields parsed (their spacing may differ)."""
    fields: dict[str, Any] = {}
    for name, value in parse_qsl(body.decode(), keep_blank_values=True, strict_parsing=True):
        try:
            fields[name] = json.loads(value) if value[:1] in "[{" else value
        except ValueError:
            fields[name] = value
    return fields


def aiogram_body(bot: Bot, method: TelegramMethod[Any]) -> bytes:
    payload = AiohttpSession().build_form_data(bot, method)()
    assert isinstance(payload, BytesPayload)
    return payload.decode().encode()


@pytest.mark.parametrize("method", METHODS, ids=lambda method: type(method).__name__)
def test_the_form_decodes_to_what_aiogram_sends(bot: Bot, method: TelegramMethod[Any]) -> None:
    payload = BotAPISession().build_form_data(bot, method)
    assert isinstance(payload, BytesPayload)
    assert payload.content_type == "application/x-www-form-urlencoded"
    ours, theirs = decoded(payload.decode().encode()), decoded(aiogram_body(bot, method))
    assert ours == theirs
    assert ours  # something was sent: chat ids, texts, keyboards


def test_bot_defaults_are_sent_as_values(bot: Bot) -> None:
    fields = decoded(BotAPISession().build_form_data(bot, SendMessage(chat_id=1, text="hi")).decode().encode())
    assert fields["parse_mode"] == "HTML"
    assert fields["link_preview_options"] == {"is_disabled": True}
    assert fields["text"] == "hi" and fields["chat_id"] == "1"


def test_uploads_keep_aiogram_multipart_form(bot: Bot) -> None:
    method = SendDocument(chat_id=1, document=BufferedInputFile(b"id,name\n", filename="referrals.csv"), caption="CSV")
    form = BotAPISession().build_form_data(bot, method)
    assert isinstance(form, FormData)
    assert form.is_multipart
