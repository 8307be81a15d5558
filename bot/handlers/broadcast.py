"""/broadcast for volunteers and coordinators: write, add languages, pick the audience, preview, send or
schedule; /broadcasts lists them with their counts and a cancel button.

The draft lives in the FSM data (so it survives a restart) until it is confirmed; then the engine takes over.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import get_i18n
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.broadcasting import (
    broadcast_info_text,
    cancel_as,
    dressing,
    header_room,
    may_cancel,
    send_content,
    stop_keyboard,
)
from bot.config import Settings
from bot.content.common import LOCALES
from bot.db import broadcasts as store
from bot.db.broadcasts import Content
from bot.db.connection import Database
from bot.db.staff import audit
from bot.db.tables import iso
from bot.filters.roles import IsStaff
from bot.handlers.regions import target_label
from bot.handlers.settings import interest_label
from bot.i18n import LANGUAGE_NAMES, _
from bot.keyboards.callbacks import AudienceCb, BroadcastCb, BroadcastStopCb, BroadcastStopYesCb
from bot.replies import answer, edit_or_send
from bot.services.broadcaster import Broadcaster
from bot.services.schedule import ScheduleError, example_time, format_local_time, parse_local_time
from bot.services.subscriptions import INTERESTS, REGIONS, Audience
from bot.services.telegram_html import utf16_len
from bot.services.text import MESSAGE_LIMIT

log = logging.getLogger(__name__)
router = Router(name="broadcast")
router.message.filter(IsStaff())
router.callback_query.filter(IsStaff())

MEDIA_KINDS = ("photo", "video", "document")
CAPTION_LIMIT = 1024  # Telegram's, in UTF-16 units; a Premium sender may write a longer one than we may send


class Compose(StatesGroup):
    writing = State()  # the message in the sender's language
    version = State()  # a version in the language data["adding"]
    panel = State()  # the draft panel's buttons decide what comes next
    schedule = State()  # the date and time, typed


# --- the draft -------------------------------------------------------------------------------------------


def content_of(message: Message) -> Content | None:
    """The broadcastable part of a message: text with its entities, or a file id with its caption."""
    if message.text is not None:
        return Content("text", message.text, _entities(message.entities))
    for kind in MEDIA_KINDS:
        media = getattr(message, kind)
        if media:
            file_id = media[-1].file_id if kind == "photo" else media.file_id
            return Content(kind, message.caption or "", _entities(message.caption_entities), file_id)
    return None


def _entities(entities: list[Any] | None) -> tuple[dict[str, Any], ...]:
    return tuple(entity.model_dump(mode="json", exclude_none=True) for entity in entities or ())


def _versions(data: dict[str, Any]) -> dict[str, Content]:
    return {
        locale: Content(raw["kind"], raw["text"], tuple(raw["entities"]), raw["file_id"])
        for locale, raw in data.get("versions", {}).items()
    }


def _audience(data: dict[str, Any]) -> Audience:
    return Audience(**data.get("audience", {}))


def audience_label(audience: Audience) -> str:
    if audience.locale:
        return _("language: {language}").format(language=LANGUAGE_NAMES[audience.locale])
    if audience.region:
        return _("region: {region}").format(region=target_label(audience.region))
    if audience.interest:
        return _("topic: {topic}").format(topic=interest_label(audience.interest))
    return _("all subscribers")


async def panel(data: dict[str, Any], db: Database, settings: Settings) -> tuple[str, InlineKeyboardMarkup]:
    """The draft's control panel: languages written, audience and its size, and what can be done next."""
    versions, sender_locale, audience = _versions(data), data["sender_locale"], _audience(data)
    count = await store.audience_count(db, audience, settings.default_locale)
    languages = " · ".join(f"{LANGUAGE_NAMES[loc]} {'✅' if loc in versions else '—'}" for loc in LOCALES)
    text = "\n".join(
        [
            _("📣 <b>New broadcast</b>"),
            _("Languages: {languages}").format(languages=languages),
            _("Subscribers without their language get the {language} version.").format(
                language=LANGUAGE_NAMES[sender_locale]
            ),
            _("Audience: {audience}: {count} subscribers").format(
                audience=audience_label(audience), count=count
            ),
        ]
    )
    builder = InlineKeyboardBuilder()
    for locale in LOCALES:
        if locale not in versions:
            label = _("➕ {language} version").format(language=LANGUAGE_NAMES[locale])
        else:  # a version can be written again: the new one replaces it
            label = _("✏️ Replace the {language} version").format(language=LANGUAGE_NAMES[locale])
        builder.button(text=label, callback_data=BroadcastCb(action="lang", value=locale))
    builder.button(text=_("👥 Audience"), callback_data=BroadcastCb(action="aud"))
    builder.button(text=_("👁 Preview"), callback_data=BroadcastCb(action="preview"))
    builder.button(text=_("Send now"), callback_data=BroadcastCb(action="send"))
    builder.button(text=_("Schedule"), callback_data=BroadcastCb(action="schedule"))
    builder.button(text=_("Cancel"), callback_data=BroadcastCb(action="drop"))
    builder.adjust(1)
    return text, builder.as_markup()


async def preview(bot: Bot, chat_id: int, locale: str, content: Content) -> None:
    await bot.send_message(
        chat_id,
        _("👁 Preview, {language} version, exactly as subscribers will see it:").format(
            language=LANGUAGE_NAMES[locale]
        ),
    )
    await send_content(bot, chat_id, content, **dressing(get_i18n(), locale))  # the header and buttons too


# --- writing ---------------------------------------------------------------------------------------------


@router.message(Command("broadcast"))
async def broadcast_command(message: Message, state: FSMContext, locale: str) -> None:
    await state.set_state(Compose.writing)
    await state.set_data({"sender_locale": locale, "versions": {}, "audience": {}})
    await answer(
        message,
        _(
            "📣 Send me the message for subscribers: a text (its formatting is kept), or a photo, video or "
            "document with a caption.\nSend /cancel to stop."
        ),
    )


@router.message(Compose.writing, ~F.text.startswith("/"))
@router.message(Compose.version, ~F.text.startswith("/"))
async def version_written(
    message: Message, state: FSMContext, bot: Bot, db: Database, settings: Settings
) -> None:
    content = content_of(message)
    if content is None:
        await answer(
            message, _("I can only send a text, a photo, a video or a document. Please send one of them.")
        )
        return
    room = CAPTION_LIMIT if content.kind != "text" else MESSAGE_LIMIT
    room -= header_room(get_i18n())  # every reader gets the "Koldoo · news" header above it
    if utf16_len(content.text) > room:
        if content.kind == "text":
            problem = _(
                "This message is {length} characters long; with the Koldoo header above it, {limit} fit in "
                "one message. Please send a shorter text."
            )
        else:
            problem = _(
                "This caption is {length} characters long; with the Koldoo header above it, {limit} fit "
                "under a photo, video or document. Please send the file again with a shorter caption."
            )
        await answer(message, problem.format(length=utf16_len(content.text), limit=room))
        return
    data = await state.get_data()
    locale = data.pop("adding", data["sender_locale"])
    data["versions"][locale] = asdict(content)
    await state.set_data(data)
    await state.set_state(Compose.panel)
    await preview(bot, message.chat.id, locale, content)
    text, markup = await panel(data, db, settings)
    await answer(message, text, markup)


# --- the panel's buttons ---------------------------------------------------------------------------------


async def draft_or_explain(callback: CallbackQuery, state: FSMContext) -> dict[str, Any] | None:
    """The draft, or None after telling the sender it is gone (sent, cancelled, or another draft begun).

    Said in a new message: the pressed one may have become a progress message since."""
    data = await state.get_data()
    if await state.get_state() is None or not data.get("versions"):
        await callback.bot.send_message(
            callback.from_user.id, _("This draft is no longer open. Start a new one with /broadcast.")
        )
        return None
    return data


@router.callback_query(BroadcastCb.filter((F.action == "lang") & F.value.in_(LOCALES)))
async def add_version(callback: CallbackQuery, callback_data: BroadcastCb, state: FSMContext) -> None:
    data = await draft_or_explain(callback, state)
    if data is None:
        return
    await state.update_data(adding=callback_data.value)
    await state.set_state(Compose.version)
    await edit_or_send(
        callback,
        _("Send the {language} version of the message.").format(language=LANGUAGE_NAMES[callback_data.value]),
    )


@router.callback_query(BroadcastCb.filter(F.action == "panel"))
async def back_to_panel(callback: CallbackQuery, state: FSMContext, db: Database, settings: Settings) -> None:
    data = await draft_or_explain(callback, state)
    if data is not None:
        await edit_or_send(callback, *await panel(data, db, settings))


@router.callback_query(BroadcastCb.filter(F.action == "preview"))
async def preview_all(
    callback: CallbackQuery, state: FSMContext, bot: Bot, db: Database, settings: Settings
) -> None:
    data = await draft_or_explain(callback, state)
    if data is None:
        return
    for locale, content in _versions(data).items():
        await preview(bot, callback.from_user.id, locale, content)
    text, markup = await panel(data, db, settings)
    await bot.send_message(callback.from_user.id, text, reply_markup=markup)


@router.callback_query(BroadcastCb.filter(F.action == "drop"))
async def drop_draft(callback: CallbackQuery, state: FSMContext) -> None:
    await state.clear()
    await edit_or_send(callback, _("The broadcast is cancelled; nothing was sent."))


# --- audience --------------------------------------------------------------------------------------------


def audience_keyboard(kind: str | None) -> InlineKeyboardMarkup:
    """The kinds of audience, or the choices of one kind."""
    builder = InlineKeyboardBuilder()
    if kind == "locale":
        for code, name in LANGUAGE_NAMES.items():
            builder.button(text=name, callback_data=AudienceCb(kind="locale", value=code))
    elif kind == "region":
        for region in REGIONS:
            builder.button(text=target_label(region), callback_data=AudienceCb(kind="region", value=region))
    elif kind == "interest":
        for topic in INTERESTS:
            builder.button(text=interest_label(topic), callback_data=AudienceCb(kind="interest", value=topic))
    else:
        builder.button(text=_("Everyone"), callback_data=AudienceCb(kind="all", value="all"))
        builder.button(text=_("By language"), callback_data=AudienceCb(kind="locale"))
        builder.button(text=_("By region"), callback_data=AudienceCb(kind="region"))
        builder.button(text=_("By topic"), callback_data=AudienceCb(kind="interest"))
    builder.button(text=_("Back"), callback_data=BroadcastCb(action="panel" if kind is None else "aud"))
    builder.adjust(2 if kind == "region" else 1)
    return builder.as_markup()


@router.callback_query(BroadcastCb.filter(F.action == "aud"))
@router.callback_query(AudienceCb.filter(F.value == ""))
async def audience_picker(
    callback: CallbackQuery, state: FSMContext, callback_data: AudienceCb | BroadcastCb
) -> None:
    if await draft_or_explain(callback, state) is None:
        return
    kind = callback_data.kind if isinstance(callback_data, AudienceCb) else None
    await edit_or_send(callback, _("👥 Who should receive this broadcast?"), audience_keyboard(kind))


@router.callback_query(AudienceCb.filter(F.value != ""))
async def audience_chosen(
    callback: CallbackQuery, callback_data: AudienceCb, state: FSMContext, db: Database, settings: Settings
) -> None:
    data = await draft_or_explain(callback, state)
    if data is None:
        return
    chosen = {} if callback_data.kind == "all" else {callback_data.kind: callback_data.value}
    try:
        Audience(**chosen)
    except (TypeError, ValueError):  # forged callback data
        await edit_or_send(callback, _("👥 Who should receive this broadcast?"), audience_keyboard(None))
        return
    data["audience"] = chosen
    await state.set_data(data)
    await edit_or_send(callback, *await panel(data, db, settings))


# --- confirm ---------------------------------------------------------------------------------------------


async def confirm(
    state: FSMContext, db: Database, sender_id: int, scheduled_at: datetime | None
) -> int | None:
    """Store the draft as a broadcast (due now or at `scheduled_at`) and end the dialogue."""
    data = await state.get_data()
    versions = _versions(data)
    if not versions:
        return None
    now = datetime.now(UTC)
    broadcast_id = await store.create_broadcast(
        db,
        sender_id=sender_id,
        sender_locale=data["sender_locale"],
        versions=versions,
        audience=_audience(data),
        scheduled_at=scheduled_at or now,
        now=now,
    )
    await state.clear()
    details = {"languages": sorted(versions), "audience": data.get("audience", {})}
    if scheduled_at:
        details["scheduled_at"] = iso(scheduled_at)
    await audit(
        db, sender_id, "broadcast.schedule" if scheduled_at else "broadcast.send", broadcast_id, details
    )
    log.info("broadcast.confirmed", extra={"broadcast_id": broadcast_id, "user_id": sender_id})
    return broadcast_id


@router.callback_query(BroadcastCb.filter(F.action == "send"))
async def send_now(
    callback: CallbackQuery,
    callback_answer: CallbackAnswer,
    state: FSMContext,
    db: Database,
    settings: Settings,
    broadcaster: Broadcaster,
) -> None:
    data = await draft_or_explain(callback, state)
    if data is None:
        return
    readers = await store.audience_by_language(db, _audience(data), settings.default_locale)
    if not sum(readers.values()):
        callback_answer.text = _("Nobody is in this audience. Choose another one.")
        callback_answer.show_alert = True
        return
    await edit_or_send(callback, *send_question(data, readers))


def send_question(data: dict[str, Any], readers: dict[str, int]) -> tuple[str, InlineKeyboardMarkup]:
    """Asked once before sending: how many read each language, and who would get another language's text."""
    versions, fallback = _versions(data), data["sender_locale"]
    lines = [
        _("📣 Send this broadcast now to {count} subscribers?").format(count=sum(readers.values())),
        " · ".join(f"{LANGUAGE_NAMES.get(loc, loc)}: {n}" for loc, n in sorted(readers.items())),
    ]
    builder = InlineKeyboardBuilder()
    builder.button(text=_("✅ Yes, send now"), callback_data=BroadcastCb(action="send_yes"))
    for locale in LOCALES:
        if locale not in versions and readers.get(locale):
            lines.append(
                _("⚠️ {count} {language} readers will get the {fallback} text: add a {language} version?").format(
                    count=readers[locale], language=LANGUAGE_NAMES[locale], fallback=LANGUAGE_NAMES[fallback]
                )
            )
            label = _("➕ {language} version").format(language=LANGUAGE_NAMES[locale])
            builder.button(text=label, callback_data=BroadcastCb(action="lang", value=locale))
    builder.button(text=_("Back"), callback_data=BroadcastCb(action="panel"))
    builder.adjust(1)
    return "\n".join(lines), builder.as_markup()


@router.callback_query(BroadcastCb.filter(F.action == "send_yes"))
async def send_confirmed(
    callback: CallbackQuery,
    callback_answer: CallbackAnswer,
    state: FSMContext,
    db: Database,
    settings: Settings,
    broadcaster: Broadcaster,
) -> None:
    data = await draft_or_explain(callback, state)
    if data is None:
        return
    if not await store.audience_count(db, _audience(data), settings.default_locale):
        callback_answer.text = _("Nobody is in this audience. Choose another one.")
        callback_answer.show_alert = True
        return
    broadcast_id = await confirm(state, db, callback.from_user.id, None)
    # The panel becomes the progress message: the engine's first report, at once, replaces it.
    await store.set_progress_message(db, broadcast_id, callback.message.chat.id, callback.message.message_id)
    await broadcaster.start(broadcast_id)


@router.callback_query(BroadcastCb.filter(F.action == "schedule"))
async def ask_time(callback: CallbackQuery, state: FSMContext) -> None:
    if await draft_or_explain(callback, state) is None:
        return
    await state.set_state(Compose.schedule)
    await edit_or_send(
        callback,
        _("🕒 When should it go out? Type the date and time in Bishkek time, for example {example}.").format(
            example=example_time(datetime.now(UTC))
        ),
    )


@router.message(Compose.schedule, F.text, ~F.text.startswith("/"))
async def time_typed(message: Message, state: FSMContext, db: Database) -> None:
    now = datetime.now(UTC)
    try:
        when = parse_local_time(message.text, now)
    except ScheduleError as error:
        reasons = {
            "format": _("I did not understand the time. Type it like {example}.").format(
                example=example_time(now)
            ),
            "past": _("This time has already passed. Type a time in the future."),
            "too_far": _("That is more than a year ahead. Type a nearer time."),
        }
        await answer(message, reasons[str(error)])
        return
    broadcast_id = await confirm(state, db, message.from_user.id, when)
    sent = await answer(
        message,
        _("🕒 Broadcast #{id} is scheduled for {when} (Bishkek time). /broadcasts lists it.").format(
            id=broadcast_id, when=format_local_time(when)
        ),
        stop_keyboard(broadcast_id),
    )
    await store.set_progress_message(db, broadcast_id, sent.chat.id, sent.message_id)


# --- list and cancel -------------------------------------------------------------------------------------


async def list_view(db: Database, user_id: int, role: str | None) -> tuple[str, InlineKeyboardMarkup | None]:
    broadcasts = await store.recent_broadcasts(db)
    if not broadcasts:
        return _("No broadcasts yet. Start one with /broadcast."), None
    text = "\n\n".join([_("<b>Broadcasts</b>")] + [broadcast_info_text(info) for info in broadcasts])
    cancellable = [
        info.id
        for info in broadcasts
        if info.status in ("scheduled", "running") and may_cancel(info, user_id, role)
    ]
    if not cancellable:
        return text, None
    builder = InlineKeyboardBuilder()
    for broadcast_id in cancellable:
        builder.button(
            text=_("✖️ Cancel #{id}").format(id=broadcast_id),
            callback_data=BroadcastStopCb(broadcast_id=broadcast_id, from_list=True),
        )
    builder.adjust(2)
    return text, builder.as_markup()


@router.message(Command("broadcasts"))
async def broadcasts_command(message: Message, db: Database, role: str | None) -> None:
    await answer(message, *await list_view(db, message.from_user.id, role))


@router.callback_query(BroadcastStopCb.filter())
async def stop_broadcast(
    callback: CallbackQuery,
    callback_data: BroadcastStopCb,
    callback_answer: CallbackAnswer,
    db: Database,
    role: str | None,
    broadcaster: Broadcaster,
) -> None:
    """Asks once: the list becomes the question, or (under a progress message the engine keeps editing) the
    question comes as a new message."""
    info = await store.get_broadcast(db, callback_data.broadcast_id)
    if info is None or not may_cancel(info, callback.from_user.id, role):
        callback_answer.text = _("Only its sender or a coordinator can cancel this broadcast.")
        return
    left = info.counts.left if info.status == "running" else info.total
    question = _("Cancel broadcast #{id}?").format(id=info.id)
    if info.status == "running":
        question += " " + _("{left} subscribers have not got it yet.").format(left=left or 0)
    builder = InlineKeyboardBuilder()
    yes = BroadcastStopYesCb(broadcast_id=info.id, from_list=callback_data.from_list, yes=True)
    builder.button(text=_("Yes, cancel it"), callback_data=yes)
    builder.button(text=_("No, keep it"), callback_data=BroadcastStopYesCb(broadcast_id=info.id, from_list=callback_data.from_list))
    if callback_data.from_list:
        await edit_or_send(callback, question, builder.as_markup())
    else:
        await callback.bot.send_message(callback.from_user.id, question, reply_markup=builder.as_markup())


@router.callback_query(BroadcastStopYesCb.filter())
async def stop_answered(
    callback: CallbackQuery,
    callback_data: BroadcastStopYesCb,
    callback_answer: CallbackAnswer,
    db: Database,
    role: str | None,
    broadcaster: Broadcaster,
) -> None:
    info = await store.get_broadcast(db, callback_data.broadcast_id)
    if info is None or not may_cancel(info, callback.from_user.id, role):
        callback_answer.text = _("Only its sender or a coordinator can cancel this broadcast.")
        return
    if not callback_data.yes:
        if callback_data.from_list:
            await edit_or_send(callback, *await list_view(db, callback.from_user.id, role))
        else:
            await edit_or_send(callback, _("The broadcast goes on."))
        return
    running_here = info.id in broadcaster.active
    if await cancel_as(broadcaster, db, info.id, callback.from_user.id):
        callback_answer.text = _("Broadcast #{id} is cancelled.").format(id=info.id)
    else:
        callback_answer.text = _("Broadcast #{id} has already ended.").format(id=info.id)
    if callback_data.from_list:
        await edit_or_send(callback, *await list_view(db, callback.from_user.id, role))
    elif running_here:  # the progress message gets its final report from the engine
        await edit_or_send(callback, callback_answer.text)
    else:
        updated = await store.get_broadcast(db, info.id)
        await edit_or_send(callback, broadcast_info_text(updated))
