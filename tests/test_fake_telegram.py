"""The fake Bot API server, driven by a real aiogram Bot: it must work like Telegram and be as strict."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, F, html
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.filters import CommandStart
from aiogram.methods import SendMessage
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot.devtools.fake_faults import RateWindow
from bot.devtools.fake_telegram import FakeTelegram, FakeUser
from bot.devtools.fake_users import TINY_PNG

USER = 1001
OTHER = 1002


class _QuickCloseSession(AiohttpSession):
    """aiogram's session sleeps 250 ms on close (for TLS); there is no TLS here and tests must stay fast."""

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


def _user_text(tg: FakeTelegram, text: str = "hi") -> dict:
    """A valid message update from USER."""
    return {"message": tg.add_message(USER, from_bot=False, kind="text", text=text).to_api()}


def _keyboard(*buttons: InlineKeyboardButton) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[list(buttons)])


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        yield fake


@pytest.fixture
async def bot(tg: FakeTelegram) -> AsyncIterator[Bot]:
    session = _QuickCloseSession(api=TelegramAPIServer.from_base(tg.base_url))
    bot = Bot(tg.token, session=session, default=DefaultBotProperties(parse_mode="HTML"))
    yield bot
    await bot.session.close()


@pytest.fixture
def user(tg: FakeTelegram) -> FakeUser:
    tg.user(OTHER, first_name="Bakyt")
    return tg.user(USER, first_name="Aigul", language_code="ky")


@pytest.fixture
async def polling(tg: FakeTelegram, bot: Bot, user: FakeUser) -> AsyncIterator[Dispatcher]:
    """A tiny bot: /start sends then edits a menu, buttons edit it, contacts and texts are echoed."""
    dp = Dispatcher()

    @dp.message(CommandStart())
    async def start(message: Message) -> None:
        sent = await message.answer("Loading…")
        await sent.edit_text(
            "<b>Choose</b> a language",
            reply_markup=_keyboard(
                InlineKeyboardButton(text="English", callback_data="lang:en"),
                InlineKeyboardButton(text="Site", url="https://example.org"),
            ),
        )

    @dp.callback_query(F.data == "lang:en")
    async def english(callback: CallbackQuery) -> None:
        await callback.message.edit_text("Language: <i>English</i>")
        await callback.answer()

    @dp.callback_query(F.data == "silent")
    async def silent(callback: CallbackQuery) -> None:
        """Forgets to answer the query, on purpose."""

    @dp.callback_query()
    async def stale(callback: CallbackQuery) -> None:
        await callback.answer("This button is out of date", show_alert=True)

    @dp.message(F.contact)
    async def contact(message: Message) -> None:
        await message.answer(f"Phone {html.quote(message.contact.phone_number)} of {message.contact.user_id}")

    @dp.message(F.text)
    async def echo(message: Message) -> None:
        await message.answer(html.quote(message.text))

    task = asyncio.create_task(
        dp.start_polling(
            bot, handle_as_tasks=False, handle_signals=False, close_bot_session=False, polling_timeout=5
        )
    )
    yield dp
    await dp.stop_polling()
    await task


async def _raw_call(tg: FakeTelegram, method: str, **params: object) -> dict:
    """Call the fake without aiogram, for requests aiogram's types would not let through."""
    form = {key: str(value) for key, value in params.items()}
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{tg.base_url}/bot{tg.token}/{method}", data=form) as response,
    ):
        return await response.json()


# -- transport -----------------------------------------------------------------------------------------------


async def test_get_me_and_wrong_token_and_unknown_method(tg: FakeTelegram, bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (123456, "koldoo_test_bot", True)

    intruder = Bot("654321:other", session=_QuickCloseSession(api=TelegramAPIServer.from_base(tg.base_url)))
    with pytest.raises(TelegramUnauthorizedError):
        await intruder.get_me()
    await intruder.session.close()

    url = f"{tg.base_url}/bot{tg.token}/sendTelepathy"
    async with aiohttp.ClientSession() as http, http.post(url) as response:
        assert response.status == 404
        assert await response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}


async def test_json_and_query_string_requests_are_accepted(tg: FakeTelegram, user: FakeUser) -> None:
    async with aiohttp.ClientSession() as http:
        url = f"{tg.base_url}/bot{tg.token}/sendMessage"
        async with http.post(
            url, json={"chat_id": USER, "text": "<b>json</b>", "parse_mode": "HTML"}
        ) as response:
            body = await response.json()
        async with http.get(url, params={"chat_id": str(USER), "text": "query"}) as response:
            assert (await response.json())["result"]["text"] == "query"
    assert body["ok"] is True
    assert body["result"]["entities"] == [{"offset": 0, "length": 4, "type": "bold"}]
    assert [message.text for message in tg.chat(USER)] == ["json", "query"]


async def test_get_updates_long_polls_and_confirms_by_offset(tg: FakeTelegram, bot: Bot, user) -> None:
    first = tg.push_update(_user_text(tg))
    second = tg.push_update(_user_text(tg))
    assert second == first + 1

    updates = await bot.get_updates(timeout=0)
    assert [update.update_id for update in updates] == [first, second]
    assert [update.update_id for update in await bot.get_updates(offset=second, timeout=0)] == [second]
    assert await bot.get_updates(offset=second + 1, timeout=0) == []
    assert await bot.get_updates(timeout=0) == []  # confirmed updates are gone for good

    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(offset=second + 1, timeout=5))
    await asyncio.sleep(0.05)
    third = tg.push_update(_user_text(tg))
    assert [update.update_id for update in await poll] == [third]
    assert time.monotonic() - started < 1


async def test_a_second_poller_terminates_the_first_with_conflict(tg: FakeTelegram, bot: Bot, user) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    second = asyncio.create_task(bot.get_updates(timeout=5))
    with pytest.raises(Exception, match="terminated by other getUpdates request"):
        await first
    tg.push_update(_user_text(tg))
    assert len(await second) == 1
    assert [call.status for call in tg.violations] == [409]
    with pytest.raises(AssertionError, match="getUpdates: 409 Conflict"):
        tg.assert_clean()


async def test_an_abandoned_poll_is_no_conflict(tg: FakeTelegram, bot: Bot, user) -> None:
    """A stopped bot's pending long poll must not count as a second instance when a new bot polls."""
    abandoned = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    abandoned.cancel()
    await asyncio.sleep(0)
    tg.push_update(_user_text(tg))
    assert len(await bot.get_updates(timeout=1)) == 1
    await asyncio.sleep(0.2)
    assert tg.violations == []


# -- sending and its strictness ------------------------------------------------------------------------------


async def test_send_message_returns_complete_message_with_parsed_entities(
    tg: FakeTelegram, bot: Bot, user
) -> None:
    sent = await bot.send_message(
        USER, "😀 <b>Салам</b>", reply_markup=_keyboard(InlineKeyboardButton(text="Ok", callback_data="ok"))
    )
    again = await bot.send_message(USER, "second", parse_mode=None)
    assert sent.text == "😀 Салам"
    assert [(entity.type, entity.offset, entity.length) for entity in sent.entities] == [("bold", 3, 5)]
    assert (sent.chat.id, sent.chat.type, sent.from_user.id, sent.from_user.is_bot) == (
        USER,
        "private",
        123456,
        True,
    )
    assert again.message_id == sent.message_id + 1
    stored = tg.chat(USER)
    assert [(message.text, message.from_bot, message.parse_mode) for message in stored] == [
        ("😀 Салам", True, "HTML"),
        ("second", True, None),
    ]
    assert stored[0].button_texts() == ["Ok"]
    assert tg.violations == []


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("a <br> b", 'can\'t parse entities: Unsupported start tag "br" at byte offset 2'),
        ("<b>bold", "can't parse entities: Can't find end tag corresponding to start tag \"b\""),
        ("bold</b>", "can't parse entities: Unexpected end tag at byte offset 4"),
        ("1 < 2", 'can\'t parse entities: Unsupported start tag "" at byte offset 2'),
        ("AT&T", 'can\'t parse entities: Unescaped "&" (use &amp;) at byte offset 2'),
        ("   ", "message text is empty"),
        ("<b></b>", "message text is empty"),
        ("a" * 4097, "message is too long"),
        ("😀" * 2049, "message is too long"),  # 4098 UTF-16 code units
    ],
)
async def test_invalid_texts_are_refused_and_recorded(
    tg: FakeTelegram, bot: Bot, user, text: str, error: str
) -> None:
    with pytest.raises(
        TelegramBadRequest, match="Bad Request: " + error.replace("(", r"\(").replace(")", r"\)")
    ):
        await bot.send_message(USER, text)
    assert [call.method for call in tg.violations] == ["sendMessage"]
    assert tg.chat(USER) == []


async def test_text_length_is_counted_after_entity_parsing(tg: FakeTelegram, bot: Bot, user) -> None:
    await bot.send_message(USER, "<b>" + "a" * 4090 + "</b>&lt;&gt;&amp;")  # 4093 characters once parsed
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(USER, "a" * 4097, parse_mode=None)


@pytest.mark.parametrize(
    ("params", "description"),
    [
        ({"text": "x"}, "Bad Request: chat_id is empty"),
        ({"chat_id": USER}, "Bad Request: message text is empty"),
        ({"chat_id": "@nobody", "text": "x"}, "Bad Request: chat not found"),
        (
            {"chat_id": USER, "text": "x", "reply_markup": "{oops"},
            "Bad Request: can't parse reply keyboard markup JSON object",
        ),
        (
            {"chat_id": USER, "text": "x", "reply_markup": "{}"},
            "Bad Request: can't parse reply keyboard markup JSON object",
        ),
        (
            {"chat_id": USER, "text": "x", "reply_markup": '{"inline_keyboard": [{"text": "a"}]}'},
            'Bad Request: field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays',
        ),
        (
            {"chat_id": USER, "text": "x", "reply_parameters": '{"message_id": 77}'},
            "Bad Request: message to be replied not found",
        ),
        (
            {"chat_id": USER, "text": "x", "disable_notification": "maybe"},
            'Bad Request: field "disable_notification" must be of type Boolean',
        ),
        (
            {"chat_id": USER, "text": "x", "parse_mode": "BBCode"},
            "Bad Request: unsupported parse_mode 'BBCode'",
        ),
    ],
)
async def test_malformed_requests(tg: FakeTelegram, user, params: dict, description: str) -> None:
    body = await _raw_call(tg, "sendMessage", **params)
    assert (body["ok"], body["error_code"], body["description"]) == (False, 400, description)
    assert len(tg.violations) == 1


async def test_surrounding_whitespace_is_trimmed_with_the_entities(tg: FakeTelegram, bot: Bot, user) -> None:
    sent = await bot.send_message(USER, "\n  <b> Bold</b> tail \n")
    assert sent.text == "Bold tail"
    assert [(entity.type, entity.offset, entity.length) for entity in sent.entities] == [("bold", 0, 4)]


def test_rate_window_slides_and_penalises() -> None:
    window = RateWindow(2)
    for now in (0.0, 0.4):
        assert window.retry_after(now) is None
        window.record(now)
    assert window.retry_after(0.5) == 1  # the first message leaves the window at 1.0
    assert window.retry_after(1.2) == 1  # still inside the penalty, which ends at 1.5
    assert window.retry_after(1.6) is None  # 0.0 and 0.4 have left the window
    slow = RateWindow(0.5)  # one message per two seconds
    slow.record(0.0)
    assert slow.retry_after(1.0) == 1
    assert slow.retry_after(2.1) is None


async def test_markdown_is_refused(bot: Bot, user) -> None:
    with pytest.raises(TelegramBadRequest, match="not supported by the fake server"):
        await bot.send_message(USER, "*bold*", parse_mode="MarkdownV2")


async def test_unknown_and_blocked_chats(tg: FakeTelegram, bot: Bot, user) -> None:
    with pytest.raises(TelegramBadRequest, match="Bad Request: chat not found"):
        await bot.send_message(999, "hi")
    tg.known_chats.update({999, -100123})
    await bot.send_message(999, "hi")
    await bot.send_message(-100123, "to the coordinators")
    group = await bot.get_chat(-100123)
    assert (group.type, group.title) == ("supergroup", "Group -100123")

    tg.blocked.add(USER)
    with pytest.raises(TelegramForbiddenError, match="Forbidden: bot was blocked by the user"):
        await bot.send_message(USER, "hi")
    assert [call.description for call in tg.violations] == ["Bad Request: chat not found"]


@pytest.mark.parametrize(
    ("button", "error"),
    [
        (InlineKeyboardButton(text="Бишкек", callback_data="шаар:" + "Бишкек" * 5), "BUTTON_DATA_INVALID"),
        (InlineKeyboardButton(text="Call", url="tel:+996555123456"), "BUTTON_URL_INVALID"),
        (InlineKeyboardButton(text="Bad", url="https://"), "BUTTON_URL_INVALID"),
        (InlineKeyboardButton(text="", callback_data="x"), "BUTTON_TEXT_INVALID"),
        (InlineKeyboardButton(text="Nothing"), "Text buttons are unallowed in the inline keyboard"),
    ],
)
async def test_invalid_inline_buttons_are_refused(
    tg: FakeTelegram, bot: Bot, user, button, error: str
) -> None:
    with pytest.raises(TelegramBadRequest, match=error):
        await bot.send_message(USER, "menu", reply_markup=_keyboard(button))
    assert len(tg.violations) == 1


async def test_valid_keyboards_are_accepted(tg: FakeTelegram, bot: Bot, user) -> None:
    data = "ш" * 32  # 64 bytes in UTF-8: the maximum
    await bot.send_message(
        USER,
        "a",
        reply_markup=_keyboard(
            InlineKeyboardButton(text="Data", callback_data=data),
            InlineKeyboardButton(text="Web", url="https://example.org/x"),
            InlineKeyboardButton(text="Tg", url="tg://resolve?domain=koldoo"),
        ),
    )
    contact_keyboard = ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text="Share my number", request_contact=True)]], resize_keyboard=True
    )
    sent = await bot.send_message(USER, "b", reply_markup=contact_keyboard)
    assert sent.reply_markup is None  # Telegram returns only inline keyboards in a Message
    assert tg.chat(USER)[-1].reply_markup == contact_keyboard.model_dump(exclude_none=True)
    assert tg.reply_keyboard(USER)["keyboard"] == [[{"text": "Share my number", "request_contact": True}]]
    assert tg.chat(USER)[0].buttons[0]["callback_data"] == data
    assert tg.violations == []


async def test_too_many_inline_buttons(bot: Bot, user) -> None:
    row = [InlineKeyboardButton(text=str(index), callback_data=str(index)) for index in range(9)]
    with pytest.raises(TelegramBadRequest, match="BUTTONS_TOO_MUCH"):
        await bot.send_message(USER, "a", reply_markup=InlineKeyboardMarkup(inline_keyboard=[row]))


# -- editing, deleting, callback answers ---------------------------------------------------------------------


async def test_edits_and_the_not_modified_rule(tg: FakeTelegram, bot: Bot, user) -> None:
    markup = _keyboard(InlineKeyboardButton(text="Ok", callback_data="ok"))
    sent = await bot.send_message(USER, "<b>Menu</b>", reply_markup=markup)

    with pytest.raises(TelegramBadRequest, match="message is not modified: specified new message content"):
        await bot.edit_message_text(
            "<b>Menu</b>", chat_id=USER, message_id=sent.message_id, reply_markup=markup
        )
    edited = await bot.edit_message_text(
        "<i>Menu</i>", chat_id=USER, message_id=sent.message_id, reply_markup=markup
    )
    assert edited.edit_date is not None and edited.entities[0].type == "italic"

    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_reply_markup(chat_id=USER, message_id=sent.message_id, reply_markup=markup)
    await bot.edit_message_reply_markup(chat_id=USER, message_id=sent.message_id)  # removes the keyboard

    [message] = tg.chat(USER)
    assert (message.text, message.buttons, message.edited) == ("Menu", [], 2)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("x", chat_id=USER, message_id=99)
    assert [call.method for call in tg.violations] == [
        "editMessageText",
        "editMessageReplyMarkup",
        "editMessageText",
    ]


async def test_edits_that_telegram_refuses(tg: FakeTelegram, bot: Bot, user) -> None:
    text = await bot.send_message(USER, "text")
    photo = await bot.send_photo(USER, BufferedInputFile(TINY_PNG, "p.png"), caption="old")
    from_user = tg.add_message(USER, from_bot=False, kind="text", text="mine")
    with pytest.raises(TelegramBadRequest, match="there is no caption in the message to edit"):
        await bot.edit_message_caption(chat_id=USER, message_id=text.message_id, caption="c")
    with pytest.raises(TelegramBadRequest, match="there is no text in the message to edit"):
        await bot.edit_message_text("t", chat_id=USER, message_id=photo.message_id)
    with pytest.raises(TelegramBadRequest, match="message can't be edited"):
        await bot.edit_message_text("t", chat_id=USER, message_id=from_user.message_id)
    reply_keyboard = json.dumps({"keyboard": [["Yes"]]})
    body = await _raw_call(
        tg, "editMessageText", chat_id=USER, message_id=text.message_id, text="t", reply_markup=reply_keyboard
    )
    assert body["description"] == "Bad Request: inline keyboard expected"

    edited = await bot.edit_message_caption(chat_id=USER, message_id=photo.message_id, caption="<b>new</b>")
    assert (edited.caption, edited.caption_entities[0].type) == ("new", "bold")
    assert len(tg.violations) == 4


async def test_delete_message(tg: FakeTelegram, bot: Bot, user) -> None:
    sent = await bot.send_message(USER, "bye")
    assert await bot.delete_message(USER, sent.message_id) is True
    assert tg.chat(USER) == []
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(USER, sent.message_id)


async def test_callback_queries_are_answered_once(tg: FakeTelegram, bot: Bot, user) -> None:
    query_id = tg.new_callback_query()
    assert tg.unanswered_callback_queries() == [query_id]
    with pytest.raises(TelegramBadRequest, match="MESSAGE_TOO_LONG"):
        await bot.answer_callback_query(query_id, text="x" * 201)
    await bot.answer_callback_query(query_id, text="Saved", show_alert=True)
    assert tg.callback_answers[query_id] == {"text": "Saved", "show_alert": True}
    assert tg.unanswered_callback_queries() == []
    too_old = "query is too old and response timeout expired or query ID is invalid"
    with pytest.raises(TelegramBadRequest, match=too_old):
        await bot.answer_callback_query(query_id)
    with pytest.raises(TelegramBadRequest, match=too_old):
        await bot.answer_callback_query("42")


# -- files and copies ----------------------------------------------------------------------------------------


async def test_document_upload_is_stored_and_reusable(tg: FakeTelegram, bot: Bot, user) -> None:
    sent = await bot.send_document(
        USER, BufferedInputFile(b"PK\x03\x04 sheet", "export.xlsx"), caption="<b>Export</b>"
    )
    stored = tg.chat(USER)[-1]
    assert (stored.kind, stored.filename, stored.file_bytes, stored.text) == (
        "document",
        "export.xlsx",
        b"PK\x03\x04 sheet",
        "Export",
    )
    assert sent.document.file_name == "export.xlsx" and sent.caption_entities[0].type == "bold"

    again = await bot.send_document(OTHER, sent.document.file_id)
    assert again.document.file_id == sent.document.file_id
    assert tg.chat(OTHER)[-1].file_bytes == b"PK\x03\x04 sheet"

    downloaded = await bot.download(sent.document.file_id)
    assert downloaded.read() == b"PK\x03\x04 sheet"

    with pytest.raises(TelegramBadRequest, match="wrong file identifier"):
        await bot.send_document(USER, "no-such-file")
    with pytest.raises(TelegramBadRequest, match="can't use file of type Document as Photo"):
        await bot.send_photo(USER, sent.document.file_id)


async def test_direct_file_part_and_unknown_attachment(tg: FakeTelegram, user) -> None:
    """Besides aiogram's attach://, Telegram takes a file part named like the parameter."""
    form = aiohttp.FormData()
    form.add_field("chat_id", str(USER))
    form.add_field("document", b"a;b\n1;2\n", filename="report.csv")
    url = f"{tg.base_url}/bot{tg.token}/sendDocument"
    async with aiohttp.ClientSession() as http, http.post(url, data=form) as response:
        body = await response.json()
    assert body["result"]["document"]["file_name"] == "report.csv"
    assert body["result"]["document"]["mime_type"] == "text/csv"
    assert tg.chat(USER)[-1].file_bytes == b"a;b\n1;2\n"
    assert tg.calls_of("sendDocument")[-1].ok

    missing = await _raw_call(tg, "sendDocument", chat_id=USER, document="attach://nothing")
    assert missing["description"] == "Bad Request: file attach://nothing not found in the request"


async def test_photo_must_be_an_image_and_caption_is_limited(tg: FakeTelegram, bot: Bot, user) -> None:
    sent = await bot.send_photo(USER, BufferedInputFile(TINY_PNG, "chart.png"), caption="c" * 1024)
    assert sent.photo[0].file_size == len(TINY_PNG)
    with pytest.raises(TelegramBadRequest, match="IMAGE_PROCESS_FAILED"):
        await bot.send_photo(USER, BufferedInputFile(b"not an image", "chart.png"))
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.send_photo(USER, BufferedInputFile(TINY_PNG, "chart.png"), caption="c" * 1025)


async def test_copy_message_copies_a_user_photo_with_its_caption(tg: FakeTelegram, bot: Bot, user) -> None:
    photo = tg.add_message(
        USER, from_bot=False, kind="photo", text="My permit", file=tg.store_file("photo", None, TINY_PNG)
    )
    copied = await bot.copy_message(OTHER, USER, photo.message_id)
    copy = tg.chat(OTHER)[-1]
    assert copy.message_id == copied.message_id
    assert (copy.kind, copy.text, copy.file_bytes, copy.from_bot) == ("photo", "My permit", TINY_PNG, True)

    await bot.copy_message(OTHER, USER, photo.message_id, caption="<i>Forwarded</i>")
    assert (tg.chat(OTHER)[-1].text, tg.chat(OTHER)[-1].entities[0]["type"]) == ("Forwarded", "italic")
    with pytest.raises(TelegramBadRequest, match="message to copy not found"):
        await bot.copy_message(OTHER, USER, 999)


# -- rate limits and faults ----------------------------------------------------------------------------------


async def test_global_rate_limit_answers_429_with_retry_after() -> None:
    async with FakeTelegram(rate_limit=2) as tg:
        tg.user(USER)
        bot = Bot(tg.token, session=_QuickCloseSession(api=TelegramAPIServer.from_base(tg.base_url)))
        await bot.send_message(USER, "1")
        await bot.send_message(USER, "2")
        with pytest.raises(TelegramRetryAfter) as error:
            await bot.send_message(USER, "3")
        assert error.value.retry_after >= 1
        with pytest.raises(TelegramRetryAfter):  # still inside the penalty
            await bot.send_message(USER, "4")
        await bot.session.close()
    assert [message.text for message in tg.chat(USER)] == ["1", "2"]
    assert tg.violations == []
    assert tg.calls_of("sendMessage")[-1].response["parameters"]["retry_after"] >= 1


async def test_per_chat_rate_limit_only_holds_back_that_chat() -> None:
    async with FakeTelegram(per_chat_rate_limit=1) as tg:
        tg.user(USER)
        tg.user(OTHER)
        bot = Bot(tg.token, session=_QuickCloseSession(api=TelegramAPIServer.from_base(tg.base_url)))
        await bot.send_message(USER, "1")
        with pytest.raises(TelegramRetryAfter):
            await bot.send_message(USER, "2")
        await bot.send_message(OTHER, "1")
        await bot.session.close()


async def test_injected_faults_and_outage(tg: FakeTelegram, bot: Bot, user) -> None:
    tg.fail("sendMessage", status=500, times=2)
    for _ in range(2):
        with pytest.raises(TelegramServerError):
            await bot.send_message(USER, "x")
    await bot.send_message(USER, "x")

    tg.fail(status=429, retry_after=3)
    with pytest.raises(TelegramRetryAfter) as error:
        await bot.get_me()
    assert error.value.retry_after == 3

    tg.fail(status=403, description="Forbidden: user is deactivated")
    with pytest.raises(TelegramForbiddenError, match="user is deactivated"):
        await bot.send_message(USER, "x")

    tg.outage(0.2)
    with pytest.raises(TelegramServerError, match="Bad Gateway"):
        await bot.send_message(USER, "x")
    assert await bot.get_updates(timeout=0) == []  # polling is not affected
    await asyncio.sleep(0.25)
    await bot.send_message(USER, "back")
    assert tg.violations == []
    assert [call.injected for call in tg.calls_of("sendMessage")] == [True, True, False, True, True, False]


async def test_delayed_answers(tg: FakeTelegram, bot: Bot, user) -> None:
    tg.fail("sendMessage", status=200, delay=0.2)
    started = time.monotonic()
    await bot.send_message(USER, "slow")
    assert time.monotonic() - started >= 0.2

    tg.fail("sendMessage", delay=0.5)
    with pytest.raises(TelegramNetworkError, match="timeout"):
        await bot(SendMessage(chat_id=USER, text="x"), request_timeout=0.1)  # type: ignore[arg-type]


# -- commands and chats --------------------------------------------------------------------------------------


async def test_commands_are_validated_and_stored_per_scope_and_language(tg: FakeTelegram, bot: Bot) -> None:
    await bot.set_my_commands([BotCommand(command="start", description="Баштоо")], language_code="ky")
    await bot.set_my_commands(
        [BotCommand(command="stats", description="Stats")], scope=BotCommandScopeChat(chat_id=USER)
    )
    assert tg.commands == {
        ("default", "ky"): [{"command": "start", "description": "Баштоо"}],
        (f"chat:{USER}", ""): [{"command": "stats", "description": "Stats"}],
    }
    assert [command.command for command in await bot.get_my_commands(language_code="ky")] == ["start"]
    await bot.delete_my_commands(language_code="ky")
    assert await bot.get_my_commands(language_code="ky") == []

    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Start", description="x")])
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_DESCRIPTION_INVALID"):
        await bot.set_my_commands([BotCommand(command="start", description="x" * 257)])
    too_many = [BotCommand(command=f"c{index}", description="x") for index in range(101)]
    with pytest.raises(TelegramBadRequest, match="BOT_COMMANDS_TOO_MUCH"):
        await bot.set_my_commands(too_many)


async def test_get_chat_chat_action_and_webhook(tg: FakeTelegram, bot: Bot, user) -> None:
    chat = await bot.get_chat(USER)
    assert (chat.id, chat.type, chat.first_name) == (USER, "private", "Aigul")
    assert await bot.send_chat_action(USER, "typing") is True
    with pytest.raises(TelegramBadRequest, match="wrong parameter action"):
        await bot.send_chat_action(USER, "dancing")

    tg.push_update(_user_text(tg))
    await bot.set_webhook("https://bot.example.org/hook")
    assert (await bot.get_webhook_info()).pending_update_count == 1
    with pytest.raises(Exception, match="webhook is active"):
        await bot.get_updates(timeout=0)
    await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates(timeout=0) == []


# -- playing users -------------------------------------------------------------------------------------------


async def test_send_returns_what_the_bot_sent_or_edited_once(
    tg: FakeTelegram, user: FakeUser, polling
) -> None:
    [menu] = await user.send("/start")
    assert (menu.text, menu.button_texts(), menu.edited) == ("Choose a language", ["English", "Site"], 1)
    command = tg.chat(USER)[0]
    assert (command.from_bot, command.entities) == (
        False,
        [{"type": "bot_command", "offset": 0, "length": 6}],
    )
    assert user.last is menu

    [echo] = await user.send("Tom & <Jerry>")
    assert echo.text == "Tom & <Jerry>"
    await user.send("see /help or /start@koldoo_test_bot, not a/b")
    assert tg.chat(USER)[-2].entities == [
        {"type": "bot_command", "offset": 4, "length": 5},
        {"type": "bot_command", "offset": 13, "length": 22},
    ]
    assert tg.violations == []


async def test_press_edits_and_answers(tg: FakeTelegram, user: FakeUser, polling) -> None:
    await user.send("/start")
    [edited] = await user.press("English")
    assert (edited.text, edited.buttons, edited.edited) == ("Language: English", [], 2)
    assert tg.unanswered_callback_queries() == []

    with pytest.raises(AssertionError, match="no inline button 'Русский'"):
        await user.press("Русский")


async def test_url_buttons_cannot_be_pressed(user: FakeUser, polling) -> None:
    await user.send("/start")
    with pytest.raises(AssertionError, match="'Site' is a url button"):
        await user.press("Site")


async def test_forged_callback_data_and_unanswered_queries(tg: FakeTelegram, user: FakeUser, polling) -> None:
    await user.send("/start")
    assert await user.press_data("forged:1") == []
    [answer] = tg.callback_answers.values()
    assert answer == {"text": "This button is out of date", "show_alert": True}

    tg.assert_clean()
    await user.press_data("silent", message_id=user.last.message_id)
    assert len(tg.unanswered_callback_queries()) == 1
    with pytest.raises(AssertionError, match="never answered"):
        tg.assert_clean()


async def test_share_contact(tg: FakeTelegram, user: FakeUser, polling) -> None:
    [reply] = await user.share_contact("+996555123456")
    assert reply.text == f"Phone +996555123456 of {USER}"
    [reply] = await user.share_contact("+996700000000", user_id=0, first_name="Mother")
    assert reply.text == "Phone +996700000000 of None"
    assert tg.chat(USER)[-2].contact == {"phone_number": "+996700000000", "first_name": "Mother"}


async def test_users_send_media(tg: FakeTelegram, user: FakeUser, polling) -> None:
    await user.send_photo(caption="permit")
    await user.send_document(filename="contract.pdf")
    await user.send_sticker()
    kinds = [(message.kind, message.text, message.filename) for message in tg.chat(USER)]
    assert kinds == [("photo", "permit", None), ("document", None, "contract.pdf"), ("sticker", None, None)]


async def test_writing_to_the_bot_unblocks_it(tg: FakeTelegram, user: FakeUser, polling) -> None:
    tg.blocked.add(USER)
    await user.send("hello")
    assert USER not in tg.blocked


async def test_updates_pushed_before_the_bot_polls_are_handled_later(
    tg: FakeTelegram, bot: Bot, user: FakeUser
) -> None:
    update_id = tg.push_update(user.message_update("/start"))
    assert tg.chat(USER)[-1].text == "/start"
    dp = Dispatcher()

    @dp.message(CommandStart())
    async def start(message: Message) -> None:
        await message.answer("Welcome back")

    task = asyncio.create_task(
        dp.start_polling(bot, handle_as_tasks=False, handle_signals=False, close_bot_session=False)
    )
    await tg.wait_handled(update_id, timeout=2)
    assert user.last.text == "Welcome back"
    await dp.stop_polling()
    await task


async def test_wait_handled_fails_clearly_when_nobody_polls(tg: FakeTelegram, user: FakeUser) -> None:
    tg.handle_timeout = 0.1
    with pytest.raises(AssertionError, match="the bot did not handle update 1"):
        await user.send("/start")


async def test_wait_for(tg: FakeTelegram, bot: Bot, user) -> None:
    async def later() -> None:
        await asyncio.sleep(0.05)
        await bot.send_message(USER, "done")

    task = asyncio.create_task(later())
    await tg.wait_for(lambda: tg.chat(USER), timeout=2)
    await task
    with pytest.raises(AssertionError, match="nothing for OTHER"):
        await tg.wait_for(lambda: tg.chat(OTHER), timeout=0.1, message="nothing for OTHER")


async def test_reply_keyboard_taps(tg: FakeTelegram, bot: Bot, user: FakeUser, polling) -> None:
    keyboard = ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text="Yes"), KeyboardButton(text="No")]])
    sent = await bot.send_message(USER, "Sure?", reply_markup=keyboard)
    await bot.delete_message(USER, sent.message_id)
    assert user.keyboard == ["Yes", "No"]  # the keyboard stays after its message is gone
    [echo] = await user.tap("Yes")
    assert echo.text == "Yes"
    with pytest.raises(AssertionError, match="no reply-keyboard button 'Maybe'"):
        await user.tap("Maybe")
    await bot.send_message(USER, "Thanks", reply_markup=ReplyKeyboardRemove())
    assert user.keyboard == []
