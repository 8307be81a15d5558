"""The screens every user meets: welcome, language, main menu, help, privacy, and deleting one's data."""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.filters import Command, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message, ReplyKeyboardRemove
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.commands import COORDINATOR_COMMANDS, USER_COMMANDS, VOLUNTEER_COMMANDS
from bot.config import Settings
from bot.content.common import LOCALES
from bot.db import cases as db_cases
from bot.db.connection import Database
from bot.db.staff import COORDINATOR, VOLUNTEER
from bot.db.storage import SQLiteStorage
from bot.db.users import forget_user, mark_privacy_seen, set_locale
from bot.handlers.case_texts import conversation_facts
from bot.handlers.privacy_texts import data_kind_bullets, data_kind_line
from bot.handover import Handover
from bot.i18n import Catalogues, _
from bot.keyboards.callbacks import ForgetCb, LangCb, MenuCb
from bot.keyboards.menu import language_keyboard, main_menu_keyboard, menu_only_keyboard
from bot.replies import answer, edit_or_send
from bot.services.personal_data import KINDS, DataKind
from bot.shared.storage import SharedStorage

log = logging.getLogger(__name__)
router = Router(name="start")


def welcome_text() -> str:
    return _(
        "Salam! I am <b>Koldoo</b>, a helper for safe labour migration.\n\n"
        "I explain the rules of Russia and Kazakhstan, help you check whether you may have an entry ban, "
        "and connect you with training and support organisations."
    )


def menu_text() -> str:
    return _("<b>Main menu</b>\nChoose a section:")


def help_text(role: str | None) -> str:
    lines = [_("<b>What Koldoo does</b>"), welcome_text().split("\n\n", 1)[1], "", _("<b>Commands</b>")]
    lines += [f"/{name} — {description}" for name, description in USER_COMMANDS]
    staff_commands = {COORDINATOR: COORDINATOR_COMMANDS, VOLUNTEER: VOLUNTEER_COMMANDS}.get(role or "", [])
    if staff_commands:
        lines += ["", _("<b>Staff commands</b>")]
        lines += [f"/{name} — {description}" for name, description in staff_commands]
    lines += ["", _("You can also type a question, for example: <i>patent</i> or <i>registration</i>.")]
    return "\n".join(lines)


def privacy_text(retention_days: int) -> str:
    """Built from the one list of what is kept (services/personal_data.py), as the consent screen and
    user-data are; conversations with a person in the words of their consent screen."""
    return "\n\n".join(
        [
            _("<b>What Koldoo keeps about you</b>"),
            data_kind_bullets(kind for kind in KINDS if kind != DataKind.CONVERSATION),
            _(
                "<b>Who sees these details:</b> only Koldoo coordinators; never volunteers or other users.\n"
                "<b>How long:</b> until you delete them; closed referrals are anonymised after a year.\n"
                "We never ask for your passport number."
            ),
            data_kind_line(DataKind.CONVERSATION) + "\n" + conversation_facts(retention_days),
            _("To delete everything, your conversations and their messages included: /forget"),
        ]
    )


def broadcasts_note() -> str:
    """What /start does about news (the users trigger of migration 0004 subscribes every new user)."""
    return _(
        "<b>News:</b> from your first /start you are subscribed to Koldoo's broadcasts, with safety alerts on. "
        "Turn them off with /unsubscribe, or choose topics in /settings."
    )


def privacy_screen(retention_days: int) -> str:
    return privacy_text(retention_days) + "\n\n" + broadcasts_note()


async def show_menu(target: Message | CallbackQuery) -> None:
    if isinstance(target, CallbackQuery):
        await edit_or_send(target, menu_text(), main_menu_keyboard())
    else:
        await answer(target, menu_text(), main_menu_keyboard())


@router.message(CommandStart(magic=~F.args))
async def start(message: Message, state: FSMContext, stored_locale: str | None) -> None:
    """Plain /start. A /start with a payload is a deep link: features claim theirs, the fallback the rest."""
    await greet(message, state, stored_locale)


async def greet(message: Message, state: FSMContext, stored_locale: str | None) -> None:
    """One message: the welcome and the main menu, with the language buttons on top on a first visit.

    Any unfinished dialogue is left.
    """
    await state.clear()
    if stored_locale is None:
        text = welcome_text() + "\n\n" + _("Choose your language:")
        markup = main_menu_keyboard(with_languages=True)
    else:
        text = welcome_text() + "\n\n" + menu_text()
        markup = main_menu_keyboard()
    await answer(message, text, markup)


@router.message(Command("menu"))
async def menu_command(message: Message) -> None:
    await show_menu(message)


@router.callback_query(MenuCb.filter(F.section == "main"))
async def menu_callback(callback: CallbackQuery) -> None:
    await show_menu(callback)


@router.message(Command("cancel"))
async def cancel(message: Message, state: FSMContext) -> None:
    had_dialogue = await state.get_state() is not None
    await state.clear()
    if had_dialogue:  # a question may have brought a reply keyboard ("Share my number"): it goes too
        await answer(message, _("Stopped. Nothing was saved."), ReplyKeyboardRemove())
    else:
        await answer(message, _("There is nothing to stop."))
    await show_menu(message)


@router.message(Command("language"))
async def language_command(message: Message) -> None:
    await answer(message, _("Choose your language:"), language_keyboard())


@router.callback_query(MenuCb.filter(F.section == "language"))
async def language_callback(callback: CallbackQuery) -> None:
    await edit_or_send(callback, _("Choose your language:"), language_keyboard())


@router.callback_query(LangCb.filter(F.code.in_(LOCALES)))
async def language_chosen(
    callback: CallbackQuery, callback_data: LangCb, db: Database, i18n: Catalogues
) -> None:
    await set_locale(db, callback.from_user.id, callback_data.code)
    log.info("user.locale_set", extra={"user_id": callback.from_user.id, "locale": callback_data.code})
    with i18n.use_locale(callback_data.code):
        await edit_or_send(callback, _("Done: I will speak English.") + "\n\n" + menu_text(), main_menu_keyboard())


@router.message(Command("help"))
async def help_command(message: Message, role: str | None) -> None:
    await answer(message, help_text(role), menu_only_keyboard())


@router.callback_query(MenuCb.filter(F.section == "help"))
async def help_callback(callback: CallbackQuery, role: str | None) -> None:
    await edit_or_send(callback, help_text(role), menu_only_keyboard())


@router.message(Command("privacy"))
async def privacy_command(message: Message, db: Database, settings: Settings) -> None:
    await mark_privacy_seen(db, message.from_user.id)
    await answer(message, privacy_screen(settings.retention_days), menu_only_keyboard())


@router.callback_query(MenuCb.filter(F.section == "privacy"))
async def privacy_callback(callback: CallbackQuery, db: Database, settings: Settings) -> None:
    await mark_privacy_seen(db, callback.from_user.id)
    await edit_or_send(callback, privacy_screen(settings.retention_days), menu_only_keyboard())


def forget_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Yes, delete everything"), callback_data=ForgetCb(confirm=True))
    builder.button(text=_("No, keep it"), callback_data=ForgetCb(confirm=False))
    return builder.as_markup()


@router.message(Command("forget"))
async def forget_command(message: Message) -> None:
    await answer(
        message,
        _(
            "Delete everything Koldoo keeps about you: your language, unfinished dialogues, reminders, your "
            "conversations with volunteers (their messages and topics) and the personal details of your "
            "requests? This cannot be undone."
        ),
        forget_keyboard(),
    )


@router.callback_query(ForgetCb.filter())
async def forget_confirmed(
    callback: CallbackQuery,
    callback_data: ForgetCb,
    db: Database,
    state: FSMContext,
    handover: Handover | None = None,
) -> None:
    if not callback_data.confirm:
        await edit_or_send(callback, _("Nothing was deleted.") + "\n\n" + menu_text(), main_menu_keyboard())
        return
    await state.clear()
    topics = await db_cases.topics_of_user(db, callback.from_user.id)  # conversations with volunteers go too
    await db_cases.forget_cases(db, callback.from_user.id)
    if handover is not None:
        await handover.delete_topics(topics)
    await forget_user(db, callback.from_user.id)
    if isinstance(state.storage, (SQLiteStorage, SharedStorage)):  # the bot's two storages
        await state.storage.forget_user(callback.from_user.id)
    log.info("user.forgotten", extra={"user_id": callback.from_user.id})
    await edit_or_send(
        callback,
        _("Done: everything Koldoo kept about you is deleted. Send /start if you want to use the bot again."),
    )
