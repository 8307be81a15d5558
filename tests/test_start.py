"""End to end: a migrant opens the bot, picks a language, reads help and privacy, deletes their data."""

from __future__ import annotations

import asyncio

import pytest
from aiogram.fsm.storage.base import StorageKey

from bot.db.storage import SQLiteStorage
from bot.db.users import get_user
from bot.devtools.fake_telegram import FakeTelegram
from bot.services.personal_data import KINDS
from tests.conftest import COORDINATOR_ID, RunningApp

LANGUAGE_BUTTONS = ["Кыргызча", "Русский", "English"]
MENU_TITLE = {"ky": "Башкы меню", "ru": "Главное меню", "en": "Main menu"}
LANGUAGE_NAME = {"ky": "Кыргызча", "ru": "Русский", "en": "English"}


async def test_new_kyrgyz_user_is_greeted_in_kyrgyz_with_language_buttons(tg: FakeTelegram, app: RunningApp) -> None:
    user = tg.user(1001, language_code="ky")
    [welcome] = await user.send("/start")
    assert welcome.text.startswith("Салам! Мен Колдоо")
    assert welcome.text.endswith("Тилди тандаңыз:")
    assert welcome.button_texts()[:3] == LANGUAGE_BUTTONS
    assert welcome.reply_markup["inline_keyboard"][0] == welcome.buttons[:3]  # one row of languages on top
    assert "Тил" in welcome.button_texts()  # then the main menu


async def test_choosing_english_switches_everything_to_english(tg: FakeTelegram, app: RunningApp) -> None:
    user = tg.user(1002, language_code="ky")
    await user.send("/start")
    [menu] = await user.press("English")
    assert menu.text.startswith("Done: I will speak English.")
    assert "Main menu" in menu.text
    assert "Language" in menu.button_texts()
    [help_reply] = await user.send("/help")
    assert "What Koldoo does" in help_reply.text
    assert "/forget" in help_reply.text
    assert (await get_user(app.db, 1002)).locale == "en"


async def test_language_command_changes_a_stored_choice(tg: FakeTelegram, app: RunningApp) -> None:
    user = tg.user(1003, language_code="en")
    await user.send("/start")
    await user.press("English")
    [picker] = await user.send("/language")
    assert picker.button_texts() == LANGUAGE_BUTTONS
    [menu] = await user.press("Русский")
    assert menu.text.startswith("Готово")
    [reply] = await user.send("/menu")
    assert reply.text.startswith("Главное меню")


async def test_telegram_language_is_used_until_a_choice_is_made(tg: FakeTelegram, app: RunningApp) -> None:
    [reply] = await tg.user(1004, language_code="en-GB").send("/menu")
    assert reply.text.startswith("Main menu")
    [reply] = await tg.user(1005, language_code="de").send("/menu")
    assert reply.text.startswith("Главное меню")  # DEFAULT_LOCALE


async def test_returning_user_goes_straight_to_the_menu(tg: FakeTelegram, app: RunningApp) -> None:
    user = tg.user(1006, language_code="ru")
    await user.send("/start")
    await user.press("Русский")
    [reply] = await user.send("/start")
    assert reply.text.startswith("Салам! Я Колдоо")
    assert "Главное меню" in reply.text
    assert "Кыргызча" not in reply.button_texts()


async def test_commands_are_registered_in_each_language(tg: FakeTelegram, app: RunningApp) -> None:
    descriptions = {}
    for call in tg.calls_of("setMyCommands"):
        commands = {c["command"]: c["description"] for c in call.params["commands"]}
        descriptions[call.params.get("language_code")] = commands
    assert set(descriptions) == {"ky", "ru", "en", None}
    assert descriptions["ky"]["forget"] == "Менин маалыматымды өчүрүү"
    assert descriptions["ru"]["forget"] == "Удалить мои данные"
    assert descriptions["en"]["forget"] == "Delete my data"
    assert descriptions[None] == descriptions["ru"]
    assert {"start", "menu", "help", "language", "privacy", "forget"} <= set(descriptions["en"])


@pytest.mark.parametrize(
    ("locale", "help_title", "privacy_title"),
    [
        ("ky", "Колдоо эмне кылат", "Колдоо сиз тууралуу эмнени сактайт"),
        ("ru", "Что умеет Колдоо", "Что Колдоо хранит о вас"),
        ("en", "What Koldoo does", "What Koldoo keeps about you"),
    ],
)
async def test_help_and_privacy_in_every_language(
    tg: FakeTelegram, app: RunningApp, locale: str, help_title: str, privacy_title: str
) -> None:
    user = tg.user(1100, language_code=locale)
    [help_reply] = await user.send("/help")
    assert help_reply.text.startswith(help_title)
    assert "/privacy" in help_reply.text and "/language" in help_reply.text
    [privacy] = await user.send("/privacy")
    assert privacy.text.startswith(privacy_title)
    assert "/forget" in privacy.text
    assert "Telegram" in privacy.text.split("\n")[2]  # the language kept may be the Telegram app's
    # one bullet per kind of data kept (services/personal_data.py); conversations have their own section
    assert privacy.text.count("• ") == len(KINDS) - 1
    [menu] = await user.press("Меню" if locale != "en" else "Menu")
    assert menu.text.startswith(MENU_TITLE[locale])


async def test_menu_buttons_open_their_sections(tg: FakeTelegram, app: RunningApp) -> None:
    user = tg.user(1007, language_code="en")
    await user.send("/menu")
    [screen] = await user.press("My data")
    assert screen.text.startswith("What Koldoo keeps about you")
    [screen] = await user.press("Menu")
    [screen] = await user.press("Help")
    assert screen.text.startswith("What Koldoo does")
    await user.press("Menu")
    [screen] = await user.press("Language")
    assert screen.button_texts() == LANGUAGE_BUTTONS


async def test_forget_deletes_everything_after_confirmation(tg: FakeTelegram, app: RunningApp) -> None:
    user = tg.user(1008, language_code="en")
    await user.send("/start")
    await user.press("English")
    [question] = await user.send("/forget")
    assert question.button_texts() == ["Yes, delete everything", "No, keep it"]
    [kept] = await user.press("No, keep it")
    assert kept.text.startswith("Nothing was deleted.")
    assert await get_user(app.db, 1008) is not None

    await user.send("/forget")
    [done] = await user.press("Yes, delete everything")
    assert done.text.startswith("Done: everything Koldoo kept about you is deleted.")
    assert await get_user(app.db, 1008) is None
    # Coming back, the user is new again: asked for a language.
    [welcome] = await user.send("/start")
    assert welcome.button_texts()[:3] == LANGUAGE_BUTTONS


async def test_deep_link_with_an_unknown_payload_opens_the_menu(tg: FakeTelegram, app: RunningApp) -> None:
    [reply] = await tg.user(1009, language_code="en").send("/start no-such-thing")
    assert reply.text.startswith("Salam! I am Koldoo")
    assert "Language" in reply.button_texts()


@pytest.mark.parametrize("data", ["m:nope", "lang:de", "totally-forged", "fgt:maybe"])
async def test_forged_or_stale_buttons_are_answered_and_show_the_menu(
    tg: FakeTelegram, app: RunningApp, data: str
) -> None:
    user = tg.user(1010, language_code="en")
    await user.send("/menu")
    replies = await user.press_data(data)
    assert replies[-1].text.startswith("This button is out of date.")
    assert "Language" in replies[-1].button_texts()
    answers = [c for c in tg.calls_of("answerCallbackQuery")]
    assert answers[-1].params.get("text") == "This button is out of date."


@pytest.mark.parametrize("locale", ["ky", "ru", "en"])
async def test_stickers_photos_documents_and_huge_texts_get_a_hint(
    tg: FakeTelegram, app: RunningApp, locale: str
) -> None:
    user = tg.user(1011, language_code=locale)
    for send in (user.send_sticker, user.send_photo, user.send_document):
        [reply] = await send()
        assert reply.text.split("\n")[0] in {
            "Мен текстти жана баскычтарды гана түшүнөм. Бөлүмдү тандаңыз:",
            "Я понимаю только текст и кнопки. Выберите раздел:",
            "I can only read text and buttons. Please choose a section:",
        }
    [reply] = await user.send("x" * 4000)
    assert reply.text in {
        "Билдирүүңүз өтө узун. Бир нече сөз менен жазыңыз.",
        "Ваше сообщение слишком длинное. Напишите, пожалуйста, в нескольких словах.",
        "Your message is too long for me. Please write a few words.",
    }
    [reply] = await user.send("/nonsense")
    assert "/help" in reply.text


async def test_user_text_is_never_interpreted_as_html(tg: FakeTelegram, app: RunningApp) -> None:
    user = tg.user(1012, language_code="en")
    await user.send("<b>hi</b> & <script>")  # must not produce an invalid API call (checked by the fake)
    assert not tg.violations


async def test_a_dialogue_survives_a_restart(tg: FakeTelegram, app: RunningApp) -> None:
    user = tg.user(1013, language_code="en")
    await user.send("/start")
    key = StorageKey(bot_id=tg.bot_id, chat_id=1013, user_id=1013)
    await SQLiteStorage(app.db).set_state(key, "SomeDialogue:question")
    await app.restart()
    [reply] = await user.send("hello")
    assert reply.text == "Please answer the question above, or send /cancel to stop."
    replies = await user.send("/cancel")
    assert replies[0].text == "Stopped. Nothing was saved."
    replies = await user.send("/cancel")
    assert replies[0].text == "There is nothing to stop."
    assert replies[1].text.startswith("Main menu")


async def test_updates_sent_while_the_bot_is_down_are_handled_after_restart(
    tg: FakeTelegram, app: RunningApp
) -> None:
    user = tg.user(1014, language_code="en")
    await app.stop()
    sent_while_down = asyncio.create_task(user.send("/menu"))
    await asyncio.sleep(0.2)
    assert not user.messages
    await app.start()
    [reply] = await sent_while_down
    assert reply.text.startswith("Main menu")


async def test_an_api_error_in_a_handler_is_reported_to_the_user(tg: FakeTelegram, app: RunningApp) -> None:
    user = tg.user(1015, language_code="en")
    tg.fail("sendMessage", status=400, description="Bad Request: injected", times=1)
    replies = await user.send("/menu")
    assert replies[-1].text == "Sorry, something went wrong. Please try again."


async def test_help_lists_staff_commands_by_role(tg: FakeTelegram, app: RunningApp) -> None:
    from bot.db.staff import grant

    [coordinator_help] = await tg.user(COORDINATOR_ID, language_code="en").send("/help")
    assert "Staff commands" in coordinator_help.text
    assert all(f"/{command}" in coordinator_help.text for command in ("broadcast", "export", "grant", "reload"))

    volunteer = tg.user(1017, language_code="en")
    await volunteer.send("/start")
    await grant(app.db, COORDINATOR_ID, 1017, "volunteer")
    [volunteer_help] = await volunteer.send("/help")
    assert "/broadcast " in volunteer_help.text and "/export" not in volunteer_help.text

    [migrant_help] = await tg.user(1018, language_code="en").send("/help")
    assert "Staff commands" not in migrant_help.text and "/broadcast" not in migrant_help.text
