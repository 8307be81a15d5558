"""`/my`: a migrant's own requests, each with what they can still do to it: withdraw it (asked once) or add
information for the coordinators (a short text that joins the request's history).

Kept apart from the catalogue (`training.py`) because these screens change a stored request.
"""

from __future__ import annotations

import logging

from aiogram import F, Router, html
from aiogram.enums import ChatType
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.config import Settings
from bot.content.loader import ContentStore
from bot.db.connection import Database
from bot.db.referrals import add_note, get_referral, list_user_referrals, withdraw
from bot.handlers.referral_texts import next_step_text, reason_label, status_label
from bot.handlers.referrals import announcements, updated_notices
from bot.i18n import _, format_date
from bot.jobs.outbox import Outbox
from bot.keyboards.callbacks import MenuCb, MyRefCb
from bot.keyboards.menu import menu_button, nav_row
from bot.replies import answer, edit_or_send
from bot.services.referrals import COMMENT_MAX, Referral, Status, can_withdraw, clean_comment

log = logging.getLogger(__name__)
router = Router(name="my_requests")


class InfoForm(StatesGroup):
    text = State()


async def _list_screen(
    db: Database, content: ContentStore, user_id: int, locale: str
) -> tuple[str, InlineKeyboardMarkup]:
    """The user's requests, newest first, each with its reference, date, programme and status."""
    referrals = await list_user_referrals(db, user_id)
    builder = InlineKeyboardBuilder()
    if not referrals:
        builder.row(menu_button())
        return _("You have no requests yet. Find a programme or a service in /training."), builder.as_markup()
    titles = content.current.catalogue.titles(locale)
    lines = [_("<b>My requests</b>")]
    for referral in referrals:
        title = titles.get((referral.kind, referral.item_id), referral.item_id)
        day = format_date(referral.created_at.date(), locale)
        lines.append(f"\n<b>{referral.reference}</b> · {day}\n{html.quote(title)}\n{status_label(referral.status)}")
        if referral.status != Status.WITHDRAWN:
            builder.button(text=referral.reference, callback_data=MyRefCb(action="open", id=referral.id))
    builder.adjust(2)
    builder.row(menu_button())
    return "\n".join(lines), builder.as_markup()


def _request_screen(referral: Referral, title: str, locale: str) -> tuple[str, InlineKeyboardMarkup]:
    lines = [
        f"<b>{referral.reference}</b> · {status_label(referral.status)}",
        html.quote(title),
        _("Sent: {date}").format(date=format_date(referral.created_at.date(), locale)),
    ]
    if referral.decline_reason is not None:
        lines.append(_("Reason: {reason}").format(reason=reason_label(referral.decline_reason)))
        lines.append(_("What you can do: {step}").format(step=next_step_text(referral.decline_reason)))
    builder = InlineKeyboardBuilder()
    if referral.status != Status.WITHDRAWN:
        builder.button(text=_("✏️ Add information"), callback_data=MyRefCb(action="info", id=referral.id))
    if can_withdraw(referral.status):
        builder.button(text=_("Withdraw the request"), callback_data=MyRefCb(action="withdraw", id=referral.id))
    builder.adjust(1)
    builder.row(*nav_row(MenuCb(section="my")))
    return "\n".join(lines), builder.as_markup()


async def _own(db: Database, referral_id: int, user_id: int, callback_answer: CallbackAnswer) -> Referral | None:
    """The pressed request if it is the user's own; otherwise a pop-up (it is gone, or someone else's)."""
    referral = await get_referral(db, referral_id)
    if referral is None or referral.user_id != user_id:
        callback_answer.text = _("This request no longer exists.")
        callback_answer.show_alert = True
        return None
    return referral


def _title(content: ContentStore, referral: Referral, locale: str) -> str:
    item = content.current.catalogue.item(referral.kind, referral.item_id)
    return item.title.get(locale) if item else referral.item_id


@router.message(Command("my"))
async def my_command(message: Message, db: Database, content: ContentStore, locale: str) -> None:
    await answer(message, *await _list_screen(db, content, message.from_user.id, locale))


@router.callback_query(MenuCb.filter(F.section == "my"))
async def my_menu(callback: CallbackQuery, db: Database, content: ContentStore, locale: str) -> None:
    await edit_or_send(callback, *await _list_screen(db, content, callback.from_user.id, locale))


@router.callback_query(MyRefCb.filter(F.action == "open"))
async def open_request(
    callback: CallbackQuery,
    callback_data: MyRefCb,
    callback_answer: CallbackAnswer,
    db: Database,
    content: ContentStore,
    locale: str,
) -> None:
    referral = await _own(db, callback_data.id, callback.from_user.id, callback_answer)
    if referral is not None:
        await edit_or_send(callback, *_request_screen(referral, _title(content, referral, locale), locale))


@router.callback_query(MyRefCb.filter(F.action == "withdraw"))
async def ask_withdraw(
    callback: CallbackQuery, callback_data: MyRefCb, callback_answer: CallbackAnswer, db: Database
) -> None:
    referral = await _own(db, callback_data.id, callback.from_user.id, callback_answer)
    if referral is None:
        return
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Yes, withdraw it"), callback_data=MyRefCb(action="withdraw_yes", id=referral.id))
    builder.button(text=_("No, keep it"), callback_data=MyRefCb(action="open", id=referral.id))
    text = _("Withdraw the request <b>{reference}</b>? The coordinators will stop working on it.")
    await edit_or_send(callback, text.format(reference=referral.reference), builder.as_markup())


@router.callback_query(MyRefCb.filter(F.action == "withdraw_yes"))
async def confirm_withdraw(
    callback: CallbackQuery,
    callback_data: MyRefCb,
    callback_answer: CallbackAnswer,
    db: Database,
    content: ContentStore,
    settings: Settings,
    outbox: Outbox,
    locale: str,
) -> None:
    referral = await _own(db, callback_data.id, callback.from_user.id, callback_answer)
    if referral is None:
        return
    told = updated_notices(await announcements(db, settings), "withdrawn")
    withdrawn = await withdraw(db, referral.id, callback.from_user.id, notices=told)
    if withdrawn is None:
        callback_answer.text = _("This request is already closed.")
        callback_answer.show_alert = True
    else:
        log.info("referral.withdrawn", extra={"referral_id": referral.id})
        outbox.wake()
        callback_answer.text = _("Your request is withdrawn.")
    await edit_or_send(callback, *_request_screen(withdrawn or referral, _title(content, referral, locale), locale))


@router.callback_query(MyRefCb.filter(F.action == "info"))
async def ask_info(
    callback: CallbackQuery, callback_data: MyRefCb, callback_answer: CallbackAnswer, db: Database, state: FSMContext
) -> None:
    referral = await _own(db, callback_data.id, callback.from_user.id, callback_answer)
    if referral is None:
        return
    await state.set_state(InfoForm.text)
    await state.set_data({"referral": referral.id})
    text = _("Write what you want to add to <b>{reference}</b> (up to {limit} characters), or /cancel.")
    await edit_or_send(callback, text.format(reference=referral.reference, limit=COMMENT_MAX), None)


@router.message(InfoForm.text, F.text, ~F.text.startswith("/"), F.chat.type == ChatType.PRIVATE)
async def got_info(
    message: Message,
    state: FSMContext,
    db: Database,
    content: ContentStore,
    settings: Settings,
    outbox: Outbox,
    locale: str,
) -> None:
    info = clean_comment(message.text)
    if not info:
        await answer(message, _("Please write 1 to {limit} characters, or /cancel.").format(limit=COMMENT_MAX))
        return
    referral_id = (await state.get_data())["referral"]
    await state.clear()
    told = updated_notices(await announcements(db, settings), "info")
    if not await add_note(db, referral_id, message.from_user.id, info, owner_only=True, notices=told):
        await answer(message, _("This request no longer exists."))
        return
    log.info("referral.info_added", extra={"referral_id": referral_id})
    outbox.wake()
    referral = await get_referral(db, referral_id)
    await answer(message, _("Added. The coordinators will see it with your request."))
    await answer(message, *_request_screen(referral, _title(content, referral, locale), locale))
