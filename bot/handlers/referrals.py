"""The coordinators' side of referrals: announcements, the filtered list, the card, status changes with the
migrant told in their language, notes, and `/export` as CSV and XLSX.

Only coordinators see names and phones; everyone else asking for these screens gets a polite refusal.
"""

from __future__ import annotations

import logging
import re

from aiogram import Bot, F, Router, html
from aiogram.enums import ChatType
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from aiogram.filters import Command, CommandObject, CommandStart, or_f
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import StorageKey
from aiogram.types import CallbackQuery, FSInputFile, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.config import Settings
from bot.content.catalogue import PLACES, Catalogue
from bot.content.loader import ContentStore
from bot.db.connection import Database
from bot.db.outbox import Notice, OutboxRow
from bot.db.referrals import (
    add_note,
    get_referral,
    list_events,
    page_referrals,
)
from bot.db.staff import COORDINATOR, coordinator_ids
from bot.filters.roles import IsCoordinator
from bot.handlers.private import private_keyboard
from bot.handlers.referral_texts import (
    coordinator_card,
    history_pages,
    next_step_text,
    public_line,
    reason_label,
    status_label,
)
from bot.handlers.regions import region_label
from bot.i18n import _
from bot.jobs.outbox import Outbox
from bot.keyboards.callbacks import (
    RefCardCb,
    RefDeclineCb,
    RefHistCb,
    RefListCb,
    RefMoveCb,
    RefNoteCb,
    RefPickCb,
    RefUndoCb,
)
from bot.keyboards.menu import nav_row, pager_row
from bot.referral_actions import exported, move_referral, people, undo_referral
from bot.replies import answer, edit_or_send, send_to
from bot.services.export import FilterError, parse_filters
from bot.services.referrals import (
    COMMENT_MAX,
    DeclineReason,
    Referral,
    ReferralFilter,
    Status,
    allowed_moves,
    clean_comment,
)
from bot.services.text import MESSAGE_LIMIT

log = logging.getLogger(__name__)
router = Router(name="referrals")

PAGE_SIZE = 8


class NoteForm(StatesGroup):
    text = State()


# -- announcing a new referral ---------------------------------------------------------------------------
async def announcements(db: Database, settings: Settings) -> list[Notice]:
    """Who hears of a new referral: the coordinators' group, or else each coordinator in their language.

    The announcement holds the reference, programme and status only; the person's details are behind the
    Open button, which only a coordinator can use and which opens the card in their private chat. They are
    queued with the referral itself (the outbox), so a saved request is always announced.
    """
    if settings.coordinator_chat_id is not None:
        return [Notice("referral.new", settings.coordinator_chat_id, settings.default_locale)]
    return [Notice("referral.new", user_id) for user_id in await coordinator_ids(db, settings.admin_ids)]


def _item_title(catalogue: Catalogue, referral: Referral, locale: str) -> str:
    item = catalogue.item(referral.kind, referral.item_id)
    return item.title.get(locale) if item else referral.item_id


def _open_keyboard(referral: Referral) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Open"), callback_data=RefCardCb(id=referral.id))
    return builder.as_markup()


async def render_announcement(
    db: Database, content: ContentStore, row: OutboxRow, locale: str
) -> tuple[str, InlineKeyboardMarkup] | None:
    """What the coordinators (or their group) see of a new referral: reference, programme and status."""
    referral = await get_referral(db, row.subject_id)
    if referral is None:
        return None
    return public_line(referral, _item_title(content.current.catalogue, referral, locale)), _open_keyboard(referral)


def updated_notices(notices: list[Notice], what: str) -> list[Notice]:
    """The coordinators told that the applicant changed their request (`what`: info or withdrawn): the same
    people and chats as for a new one, with the same Open button and nothing about the person."""
    return [Notice("referral.update", n.chat_id, n.locale, {"what": what}) for n in notices]


async def render_update(
    db: Database, content: ContentStore, row: OutboxRow, locale: str
) -> tuple[str, InlineKeyboardMarkup] | None:
    referral = await get_referral(db, row.subject_id)
    if referral is None:
        return None
    line = public_line(referral, _item_title(content.current.catalogue, referral, locale))
    said = {
        "info": _("The applicant added information."),
        "withdrawn": _("The applicant withdrew the request."),
    }.get(row.payload.get("what"), "")
    return line + "\n" + said, _open_keyboard(referral)


async def render_status(
    db: Database, content: ContentStore, row: OutboxRow, locale: str
) -> tuple[str, None] | None:
    """The migrant hears of each status change, with the status it changed to (not the latest one)."""
    referral = await get_referral(db, row.subject_id)
    if referral is None:
        return None
    item = content.current.catalogue.item(referral.kind, referral.item_id)
    values = {
        "reference": referral.reference,
        "title": html.quote(item.title.get(locale) if item else referral.item_id),
        "status": status_label(Status(row.payload["status"])),
    }
    if row.payload.get("correction"):
        text = _(
            "Correction: your request <b>{reference}</b> ({title}) is {status} again; the last change was a "
            "mistake."
        ).format(**values)
        return text, None
    text = _("Your request <b>{reference}</b> ({title}) has a new status: {status}").format(**values)
    if row.payload.get("reason") in set(DeclineReason):
        reason = DeclineReason(row.payload["reason"])
        text += "\n" + _("Reason: {reason}").format(reason=reason_label(reason))
        text += "\n" + _("What you can do: {step}").format(step=next_step_text(reason))
    return text, None


# -- the list --------------------------------------------------------------------------------------------
def _filter_of(data: RefListCb | RefPickCb) -> ReferralFilter:
    return ReferralFilter(
        status=Status(data.status) if data.status in set(Status) else None,
        region=data.region or None,
        item_id=data.item or None,
    )


def _list_cb(flt: ReferralFilter, page: int = 0, **change: str) -> RefListCb:
    values = {
        "status": flt.status.value if flt.status else "",
        "region": flt.region or "",
        "item": flt.item_id or "",
    }
    return RefListCb(page=page, **(values | change))


async def _list_screen(
    db: Database, catalogue: Catalogue, flt: ReferralFilter, page: int, locale: str
) -> tuple[str, InlineKeyboardMarkup]:
    referrals, total = await page_referrals(db, flt, page, PAGE_SIZE)
    titles = catalogue.titles(locale)
    any_label = _("any")
    item_title = next((title for (_kind, item), title in titles.items() if item == flt.item_id), flt.item_id)
    lines = [
        _("<b>Requests</b>: {total}").format(total=total),
        _("Status: {status} · Region: {region} · Programme: {item}").format(
            status=status_label(flt.status) if flt.status else any_label,
            region=html.quote(region_label(flt.region, locale)) if flt.region else any_label,
            item=html.quote(item_title) if item_title else any_label,
        ),
        "",
    ]
    builder = InlineKeyboardBuilder()
    for referral in referrals:
        title = titles.get((referral.kind, referral.item_id), referral.item_id)
        lines.append(
            f"<b>{referral.reference}</b> · {status_label(referral.status)} · "
            f"{html.quote(region_label(referral.region, locale))}\n{html.quote(title)}"
        )
        builder.button(text=referral.reference, callback_data=RefCardCb(id=referral.id))
    if not referrals:
        lines.append(_("Nothing found."))
    builder.adjust(2)
    pager = pager_row(page, -(-total // PAGE_SIZE), lambda number: _list_cb(flt, number))
    if pager:
        builder.row(*pager)
    current = _list_cb(flt)
    builder.row(
        *(
            _button(
                f"🔎 {label}",
                RefPickCb(field=field, status=current.status, region=current.region, item=current.item),
            )
            for field, label in (("status", _("Status")), ("region", _("Region")), ("item", _("Programme")))
        )
    )
    return "\n".join(lines), builder.as_markup()


def _button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def _usage() -> str:
    return _(
        "Usage: <code>/export status=new region=osh programme=ID from=2026-01-01 to=2026-12-31</code> "
        "(every filter is optional).\nStatuses: {statuses}.\nRegions: {regions}."
    ).format(statuses=", ".join(s.value for s in Status), regions=", ".join(PLACES))


async def _filters_or_usage(message: Message, command: CommandObject) -> ReferralFilter | None:
    """The filters typed after /referrals or /export; a malformed one gets the usage line and None."""
    try:
        return parse_filters(command.args)
    except FilterError as error:
        reason = _("I could not read <code>{token}</code>.").format(token=html.quote(error.token))
        await answer(message, reason + "\n" + _usage())
        return None


@router.message(Command("referrals"), IsCoordinator())
async def referrals_command(
    message: Message, command: CommandObject, db: Database, content: ContentStore, locale: str
) -> None:
    flt = await _filters_or_usage(message, command)
    if flt is None:
        return
    if flt.date_from or flt.date_to:
        await answer(message, _("Dates filter the export only: use /export.") + "\n" + _usage())
        return
    await answer(message, *await _list_screen(db, content.current.catalogue, flt, 0, locale))


@router.callback_query(RefListCb.filter(), IsCoordinator())
async def list_page(
    callback: CallbackQuery, callback_data: RefListCb, db: Database, content: ContentStore, locale: str
) -> None:
    flt, page = _filter_of(callback_data), max(callback_data.page, 0)
    screen = await _list_screen(db, content.current.catalogue, flt, page, locale)
    await edit_or_send(callback, *screen)


@router.callback_query(RefPickCb.filter(F.field.in_({"status", "region", "item"})), IsCoordinator())
async def pick_filter(
    callback: CallbackQuery, callback_data: RefPickCb, content: ContentStore, locale: str
) -> None:
    flt = _filter_of(callback_data)
    field = callback_data.field
    if field == "status":
        options = [(status_label(status), status.value) for status in Status]
    elif field == "region":
        options = [(region_label(rid, locale), rid) for rid in PLACES]
    else:
        options = [(title, key[1]) for key, title in content.current.catalogue.titles(locale).items()]
    builder = InlineKeyboardBuilder()
    builder.button(text=_("Any"), callback_data=_list_cb(flt, **{field: ""}))
    for text, value in options:
        builder.button(text=text, callback_data=_list_cb(flt, **{field: value}))
    builder.adjust(1 if field == "item" else 2)
    await edit_or_send(callback, _("Show requests with:"), builder.as_markup())


def _alert(callback_answer: CallbackAnswer, text: str) -> None:
    """Answer the button press with a pop-up (the callback middleware sends it after the handler)."""
    callback_answer.text = text
    callback_answer.show_alert = True


async def _pressed_referral(db: Database, referral_id: int, callback_answer: CallbackAnswer) -> Referral | None:
    """The referral a button names, or None after a pop-up saying it is gone (deleted since the button)."""
    referral = await get_referral(db, referral_id)
    if referral is None:
        _alert(callback_answer, _("This request no longer exists."))
    return referral


# -- the card --------------------------------------------------------------------------------------------
CARD_DEEP_LINK = re.compile(r"card-([0-9]{1,15})")


async def _card(
    db: Database, catalogue: Catalogue, referral: Referral, locale: str, *, undo: bool = False
) -> tuple[str, InlineKeyboardMarkup]:
    """The card; `undo` adds the Undo button, right after the coordinator's own status move."""
    title = _item_title(catalogue, referral, locale)
    events = await list_events(db, referral.id)
    text, hidden = coordinator_card(referral, title, events, locale, await people(db, referral, events))
    builder = InlineKeyboardBuilder()
    for target in allowed_moves(referral.kind, referral.status):
        builder.button(text=status_label(target), callback_data=RefMoveCb(id=referral.id, to=target.value))
    builder.button(text=_("Add note"), callback_data=RefNoteCb(id=referral.id))
    if hidden:
        builder.button(text=_("📜 History"), callback_data=RefHistCb(id=referral.id))
    builder.adjust(2)
    if undo:
        builder.row(_button(_("↩️ Undo (1 minute)"), RefUndoCb(id=referral.id)))
    builder.row(*nav_row(RefListCb()))
    return text, builder.as_markup()


def _in_private(callback: CallbackQuery) -> bool:
    return callback.message is not None and callback.message.chat.type == ChatType.PRIVATE


async def _show_privately(
    callback: CallbackQuery,
    callback_answer: CallbackAnswer,
    bot: Bot,
    screen: tuple[str, InlineKeyboardMarkup],
    referral: Referral,
    catalogue: Catalogue,
    locale: str,
) -> None:
    """Show a screen with personal data where only the coordinator who pressed sees it.

    Pressed in a private chat, the screen replaces the message. Pressed in a group, it goes to the
    coordinator's private chat, and the group message shows no more than the reference, programme and
    status. When the bot may not write to them yet (they never started it), the group is told so, with a
    link to the private chat and nothing about the person.
    """
    if _in_private(callback):
        await edit_or_send(callback, *screen)
        return
    try:
        await send_to(bot, callback.from_user.id, *screen)
    except (TelegramForbiddenError, TelegramBadRequest) as error:
        log.info("referral.card_not_private", extra={"actor_id": callback.from_user.id, "error": type(error).__name__})
        _alert(callback_answer, _("I cannot write to you in private yet. Start a private chat with me first."))
        if callback.message is not None:
            await bot.send_message(
                callback.message.chat.id,
                _(
                    "{name}, I cannot write to you in private yet. Open the private chat with me and press "
                    "Start: the request opens there."
                ).format(name=html.quote(callback.from_user.first_name)),
                reply_markup=await private_keyboard(bot, f"card-{referral.id}"),
            )
        return
    callback_answer.text = _("I sent it to you in a private chat.")
    if isinstance(callback.message, Message):  # keep the group's line current, still without the person
        public = public_line(referral, _item_title(catalogue, referral, locale))
        await edit_or_send(callback, public, _open_keyboard(referral))


async def _show_card(
    callback: CallbackQuery,
    callback_answer: CallbackAnswer,
    bot: Bot,
    db: Database,
    catalogue: Catalogue,
    locale: str,
    referral: Referral,
    undo: bool = False,
) -> None:
    """The request's card, shown privately to the coordinator who pressed."""
    screen = await _card(db, catalogue, referral, locale, undo=undo)
    await _show_privately(callback, callback_answer, bot, screen, referral, catalogue, locale)


@router.callback_query(RefCardCb.filter(), IsCoordinator())
async def open_card(
    callback: CallbackQuery,
    callback_data: RefCardCb,
    callback_answer: CallbackAnswer,
    db: Database,
    content: ContentStore,
    bot: Bot,
    locale: str,
) -> None:
    referral = await _pressed_referral(db, callback_data.id, callback_answer)
    if referral is None:
        return
    catalogue = content.current.catalogue
    await _show_card(callback, callback_answer, bot, db, catalogue, locale, referral)


@router.message(
    CommandStart(deep_link=True, magic=F.args.regexp(CARD_DEEP_LINK)), F.chat.type == ChatType.PRIVATE
)
async def card_deep_link(
    message: Message, command: CommandObject, db: Database, content: ContentStore, role: str | None, locale: str
) -> None:
    """`/start card-ID`: the link a group gives a coordinator the bot could not write to yet."""
    if role != COORDINATOR:
        await answer(message, _("Sorry, this is only for Koldoo coordinators."))
        return
    referral = await get_referral(db, int(CARD_DEEP_LINK.fullmatch(command.args).group(1)))
    if referral is None:
        await answer(message, _("This request no longer exists."))
        return
    await answer(message, *await _card(db, content.current.catalogue, referral, locale))


@router.callback_query(RefHistCb.filter(), IsCoordinator())
async def history(
    callback: CallbackQuery,
    callback_data: RefHistCb,
    callback_answer: CallbackAnswer,
    db: Database,
    content: ContentStore,
    bot: Bot,
    locale: str,
) -> None:
    referral = await _pressed_referral(db, callback_data.id, callback_answer)
    if referral is None:
        return
    events = await list_events(db, referral.id)
    pages = history_pages(events, locale, MESSAGE_LIMIT - 200, await people(db, referral, events))
    page = min(callback_data.page, len(pages) - 1)
    heading = _("<b>{reference}</b> · History, page {page} of {pages} (newest first, times in Bishkek time)").format(
        reference=referral.reference, page=page + 1, pages=len(pages)
    )
    builder = InlineKeyboardBuilder()
    pager = pager_row(page, len(pages), lambda number: RefHistCb(id=referral.id, page=number))
    if pager:
        builder.row(*pager)
    builder.row(*nav_row(RefCardCb(id=referral.id)))
    screen = ("\n".join([heading, "", *pages[page]]), builder.as_markup())
    await _show_privately(callback, callback_answer, bot, screen, referral, content.current.catalogue, locale)


@router.callback_query(RefMoveCb.filter(F.to.in_({s.value for s in Status})), IsCoordinator())
async def move(
    callback: CallbackQuery,
    callback_data: RefMoveCb,
    callback_answer: CallbackAnswer,
    bot: Bot,
    db: Database,
    settings: Settings,
    content: ContentStore,
    outbox: Outbox,
    locale: str,
) -> None:
    catalogue = content.current.catalogue
    target = Status(callback_data.to)
    if target == Status.DECLINED:
        current = await _pressed_referral(db, callback_data.id, callback_answer)
        if current is not None:
            screen = _reasons_screen(current)
            await _show_privately(callback, callback_answer, bot, screen, current, catalogue, locale)
        return
    await _move_and_show(callback, callback_answer, bot, db, outbox, catalogue, locale, callback_data.id, target)


@router.callback_query(RefDeclineCb.filter(F.reason.in_({r.value for r in DeclineReason})), IsCoordinator())
async def decline(
    callback: CallbackQuery,
    callback_data: RefDeclineCb,
    callback_answer: CallbackAnswer,
    bot: Bot,
    db: Database,
    content: ContentStore,
    outbox: Outbox,
    locale: str,
) -> None:
    catalogue = content.current.catalogue
    await _move_and_show(
        callback, callback_answer, bot, db, outbox, catalogue, locale, callback_data.id, Status.DECLINED,
        DeclineReason(callback_data.reason),
    )


async def _move_and_show(
    callback: CallbackQuery,
    callback_answer: CallbackAnswer,
    bot: Bot,
    db: Database,
    outbox: Outbox,
    catalogue: Catalogue,
    locale: str,
    referral_id: int,
    target: Status,
    reason: DeclineReason | None = None,
) -> None:
    """Move, then show the card with Undo; if the request moved meanwhile, show it as it is now."""
    referral = await move_referral(db, outbox, referral_id, target, callback.from_user.id, reason)
    if referral is None:
        current = await get_referral(db, referral_id)
        if current is not None:
            await _show_card(callback, callback_answer, bot, db, catalogue, locale, current)
        _alert(callback_answer, _("This request has changed meanwhile; here it is as it is now."))
        return
    await _show_card(callback, callback_answer, bot, db, catalogue, locale, referral, undo=True)


def _reasons_screen(referral: Referral) -> tuple[str, InlineKeyboardMarkup]:
    """Why decline: the migrant's notice says the reason and what they can do next."""
    builder = InlineKeyboardBuilder()
    for reason in DeclineReason:
        builder.button(
            text=reason_label(reason),
            callback_data=RefDeclineCb(id=referral.id, reason=reason.value),
        )
    builder.adjust(1)
    builder.row(*nav_row(RefCardCb(id=referral.id)))
    text = _("<b>{reference}</b> · Why is it declined? The applicant is told the reason and what to do next.")
    return text.format(reference=referral.reference), builder.as_markup()


@router.callback_query(RefUndoCb.filter(), IsCoordinator())
async def undo(
    callback: CallbackQuery,
    callback_data: RefUndoCb,
    callback_answer: CallbackAnswer,
    bot: Bot,
    db: Database,
    content: ContentStore,
    outbox: Outbox,
    locale: str,
) -> None:
    catalogue = content.current.catalogue
    undone = await undo_referral(db, outbox, callback_data.id, callback.from_user.id)
    if undone is None:
        _alert(callback_answer, _("Too late to undo (a minute has passed, or the request changed since)."))
        current = await get_referral(db, callback_data.id)
        if current is not None:
            await _show_card(callback, callback_answer, bot, db, catalogue, locale, current)
        return
    referral, outcome = undone
    callback_answer.text = {
        "withdrawn": _("Undone. The applicant's notice was withdrawn before it was sent."),
        "corrected": _("Undone. The applicant already had the notice: a correction is on its way."),
    }.get(outcome, _("Undone."))
    await _show_card(callback, callback_answer, bot, db, catalogue, locale, referral)


@router.callback_query(RefNoteCb.filter(), IsCoordinator())
async def ask_note(
    callback: CallbackQuery, callback_data: RefNoteCb, callback_answer: CallbackAnswer, state: FSMContext, bot: Bot
) -> None:
    """The note is written in the coordinator's private chat (it may name the person), wherever pressed."""
    user_id = callback.from_user.id
    if not _in_private(callback):
        state = FSMContext(state.storage, StorageKey(bot_id=bot.id, chat_id=user_id, user_id=user_id))
    prompt = _("Send the note (up to {limit} characters), or /cancel.").format(limit=COMMENT_MAX)
    try:
        await bot.send_message(user_id, prompt)
    except (TelegramForbiddenError, TelegramBadRequest):
        _alert(callback_answer, _("I cannot write to you in private yet. Start a private chat with me first."))
        return
    await state.set_state(NoteForm.text)
    await state.set_data({"referral": callback_data.id})


@router.message(NoteForm.text, F.text, ~F.text.startswith("/"), F.chat.type == ChatType.PRIVATE, IsCoordinator())
async def got_note(
    message: Message, state: FSMContext, db: Database, content: ContentStore, locale: str
) -> None:
    note = clean_comment(message.text)
    if not note:
        await answer(
            message,
            _("A note must have 1 to {limit} characters. Send it again, or /cancel.").format(
                limit=COMMENT_MAX
            ),
        )
        return
    referral_id = (await state.get_data())["referral"]
    await state.clear()
    if not await add_note(db, referral_id, message.from_user.id, note):
        await answer(message, _("This request no longer exists."))
        return
    await answer(message, _("Note saved."))
    referral = await get_referral(db, referral_id)
    await answer(message, *await _card(db, content.current.catalogue, referral, locale))


# -- export ----------------------------------------------------------------------------------------------
@router.message(Command("export"), IsCoordinator())
async def export(
    message: Message, command: CommandObject, db: Database, settings: Settings, content: ContentStore, locale: str
) -> None:
    flt = await _filters_or_usage(message, command)
    if flt is None:
        return
    titles = content.current.catalogue.titles(locale)
    async with exported(db, flt, titles, message.from_user.id, settings.exports_dir) as files:
        caption = _("Requests: {rows}").format(rows=files.rows)
        await message.answer_document(FSInputFile(files.csv_path), caption=caption)
        await message.answer_document(FSInputFile(files.xlsx_path))
    log.info("referral.export", extra={"actor_id": message.from_user.id, "rows": files.rows})


# -- everyone else ---------------------------------------------------------------------------------------
@router.message(Command("referrals", "export"))
async def refuse_command(message: Message) -> None:
    await answer(message, _("Sorry, this is only for Koldoo coordinators."))


@router.callback_query(
    or_f(
        RefListCb.filter(),
        RefPickCb.filter(),
        RefCardCb.filter(),
        RefMoveCb.filter(),
        RefNoteCb.filter(),
        RefHistCb.filter(),
        RefUndoCb.filter(),
        RefDeclineCb.filter(),
    )
)
async def refuse_button(callback: CallbackQuery, callback_answer: CallbackAnswer) -> None:
    _alert(callback_answer, _("Sorry, this is only for Koldoo coordinators."))
