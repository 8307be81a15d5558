"""Broadcasts meet Telegram: the deliver adapter, the progress message, and the background loop.

The engine (`bot.services.broadcaster`) knows nothing of aiogram; this module maps aiogram's errors to its
outcomes, sends a stored version exactly as the preview showed it, edits the sender's progress message, and
runs the engine beside polling so unfinished broadcasts resume after a restart.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from datetime import timedelta
from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message, MessageEntity
from aiohttp import ClientConnectorError
from babel.dates import format_timedelta

from bot.content.common import LOCALES
from bot.db import broadcasts as store
from bot.db.broadcasts import BroadcastInfo, Content, Counts
from bot.db.connection import Database
from bot.db.staff import COORDINATOR, VOLUNTEER, audit
from bot.i18n import Catalogues, _
from bot.keyboards.callbacks import BroadcastStopCb, SettingsCb
from bot.middlewares.retry import retries_disabled
from bot.services.broadcaster import (
    Blocked,
    Broadcaster,
    Delivery,
    Outcome,
    Pace,
    PermanentError,
    Progress,
    RetryAfter,
    Sent,
    TransientError,
    Unknown,
)
from bot.services.schedule import format_local_time
from bot.services.telegram_html import utf16_len

log = logging.getLogger(__name__)

REQUEST_TIMEOUT = 20  # seconds; a slower answer may still have been delivered: the row becomes ambiguous


HEADER_GAP = "\n\n"


def broadcast_header() -> str:
    """Who is writing, above every broadcast: a message from a bot is otherwise easy to take for spam."""
    return _("📣 Koldoo · news")


def header_room(i18n: Catalogues) -> int:
    """The UTF-16 units the header takes in its longest language: a caption or text must leave room."""
    with i18n.context():
        return max(utf16_len(i18n.gettext("📣 Koldoo · news", locale=locale)) for locale in LOCALES) + len(HEADER_GAP)


def with_header(content: Content, header: str) -> Content:
    """The content under a bold header line; the sender's formatting moves down with the text."""
    if not header:
        return content
    shift = utf16_len(header + HEADER_GAP)
    moved = tuple({**entity, "offset": entity["offset"] + shift} for entity in content.entities)
    bold = {"type": "bold", "offset": 0, "length": utf16_len(header)}
    text = header + HEADER_GAP + content.text if content.text else header
    return Content(content.kind, text, (bold, *moved), content.file_id)


def receiver_keyboard() -> InlineKeyboardMarkup:
    """Under each broadcast: the settings, and leaving in one tap."""
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text=_("⚙️ Settings"), callback_data=SettingsCb(action="open").pack()),
                InlineKeyboardButton(text=_("🔕 Unsubscribe"), callback_data=SettingsCb(action="off").pack()),
            ]
        ]
    )


def dressing(i18n: Catalogues | None, locale: str) -> dict[str, Any]:
    """The header and buttons of a broadcast as a reader of `locale` gets it (none without catalogues)."""
    if i18n is None:
        return {}
    with i18n.context(), i18n.use_locale(locale or i18n.default_locale):
        return {"header": broadcast_header(), "reply_markup": receiver_keyboard()}


async def send_content(bot: Bot, chat_id: int, content: Content, header: str = "", **extra: Any) -> Message:
    """Send one stored version. The preview uses this too, so the sender sees what subscribers will see."""
    content = with_header(content, header)
    entities = [MessageEntity(**entity) for entity in content.entities] or None
    caption = {"caption": content.text or None, "caption_entities": entities, "parse_mode": None}
    match content.kind:
        case "photo":
            return await bot.send_photo(chat_id, content.file_id, **caption, **extra)
        case "video":
            return await bot.send_video(chat_id, content.file_id, **caption, **extra)
        case "document":
            return await bot.send_document(chat_id, content.file_id, **caption, **extra)
        case _:
            return await bot.send_message(chat_id, content.text, entities=entities, parse_mode=None, **extra)


class TelegramDelivery:
    """The engine's `deliver`: one send, its result or error as an Outcome. Retries are the engine's job."""

    def __init__(self, bot: Bot, request_timeout: float = REQUEST_TIMEOUT, i18n: Catalogues | None = None) -> None:
        self.bot = bot
        self.request_timeout = request_timeout
        self.i18n = i18n

    async def __call__(self, delivery: Delivery) -> Outcome:
        extra = dressing(self.i18n, delivery.locale)
        return await attempt(
            send_content(self.bot, delivery.user_id, delivery.content, request_timeout=self.request_timeout, **extra)
        )


async def attempt(sending: Awaitable[Any]) -> Outcome:
    """Make one call, for a caller that has taken its pace slot and retries on its own (the broadcast
    engine, the outbox): its result, or its error, as an Outcome."""
    try:
        with retries_disabled():
            await sending
    except TelegramRetryAfter as error:
        return RetryAfter(error.retry_after)
    except TelegramForbiddenError:
        return Blocked()
    except TelegramBadRequest as error:
        return PermanentError(error.message)
    except TelegramNetworkError as error:
        return outcome_of_network_error(error)
    except TelegramServerError as error:
        return TransientError(type(error).__name__)
    except TelegramAPIError as error:  # 404, 409...: Telegram will refuse this again
        return PermanentError(error.message)
    return Sent()


def answer_lost(error: TelegramNetworkError) -> bool:
    """True when the request may have reached Telegram: anything but a connection that never opened."""
    return not isinstance(error.__cause__, ClientConnectorError)


def outcome_of_network_error(error: TelegramNetworkError) -> Outcome:
    if answer_lost(error):
        return Unknown("timeout" if isinstance(error.__cause__, asyncio.TimeoutError) else "lost")
    return TransientError(type(error).__name__)


# --- the sender's view -----------------------------------------------------------------------------------


def status_label(status: str) -> str:
    return {
        "scheduled": _("scheduled"),
        "running": _("sending"),
        "paused": _("paused"),
        "done": _("finished"),
        "cancelled": _("cancelled"),
    }[status]


def counts_line(counts: Counts) -> str:
    line = _("✅ Sent: {sent} · 🚫 Blocked: {blocked} · ⚠️ Failed: {failed} · ⏳ Left: {left}").format(
        sent=counts.sent, blocked=counts.blocked, failed=counts.failed, left=counts.left
    )
    if counts.ambiguous:
        line += "\n" + _(
            "❔ Unknown (Telegram did not answer, or the bot restarted while sending; not sent again): {count}"
        ).format(count=counts.ambiguous)
    return line


def pause_reason(reason: str) -> str:
    if reason == "disk_full":
        return _(
            "⏸ Paused: the server's disk is full, so the bot cannot record who got the message. Nobody is "
            "skipped: sending goes on by itself once there is room again."
        )
    return _(
        "⏸ Paused: the bot's database cannot be written. Nobody is skipped: sending goes on by itself once it "
        "works again."
    )


def progress_text(progress: Progress, locale: str) -> str:
    paused = progress.status == "running" and progress.paused is not None
    lines = [
        _("📣 <b>Broadcast #{id}</b>: {status}").format(
            id=progress.broadcast_id, status=status_label("paused" if paused else progress.status)
        ),
        counts_line(progress.counts),
    ]
    if paused:
        lines.append(pause_reason(progress.paused or ""))
    elif progress.status == "running":
        eta = (
            format_timedelta(timedelta(seconds=progress.eta), locale=locale, threshold=2)
            if progress.eta is not None
            else "—"
        )
        lines.append(
            _("Speed: {rate} messages/s · Time left: {eta}").format(rate=f"{progress.rate:.1f}", eta=eta)
        )
    return "\n".join(lines)


def stop_keyboard(broadcast_id: int) -> InlineKeyboardMarkup:
    button = InlineKeyboardButton(
        text=_("✖️ Cancel the broadcast"), callback_data=BroadcastStopCb(broadcast_id=broadcast_id).pack()
    )
    return InlineKeyboardMarkup(inline_keyboard=[[button]])


class ProgressEditor:
    """Edits the sender's progress message with each snapshot (the engine spaces them)."""

    def __init__(self, db: Database, bot: Bot, i18n: Catalogues) -> None:
        self.db = db
        self.bot = bot
        self.i18n = i18n
        self._shown: dict[int, str] = {}  # last text per broadcast: Telegram refuses an unchanged edit

    async def __call__(self, progress: Progress) -> None:
        info = await store.get_broadcast(self.db, progress.broadcast_id)
        if info is None or info.progress_message_id is None:
            return
        with self.i18n.context(), self.i18n.use_locale(info.sender_locale):
            text = progress_text(progress, info.sender_locale)
            markup = stop_keyboard(info.id) if progress.status == "running" else None
        if self._shown.get(info.id) == text:
            return
        try:
            await self.bot.edit_message_text(
                text=text,
                chat_id=info.progress_chat_id,
                message_id=info.progress_message_id,
                reply_markup=markup,
            )
        except TelegramBadRequest as error:  # the sender deleted it: the broadcast goes on regardless
            log.info("broadcast.progress_lost", extra={"broadcast_id": info.id, "error": error.message})
        if progress.status == "running":
            self._shown[info.id] = text
        else:
            self._shown.pop(info.id, None)


def create_broadcaster(db: Database, bot: Bot, i18n: Catalogues, pace: Pace, default_locale: str) -> Broadcaster:
    """The one engine of this bot process; the app hands it to handlers as dispatcher data."""
    return Broadcaster(
        db,
        TelegramDelivery(bot, i18n=i18n),
        pace,
        default_locale=default_locale,
        on_progress=ProgressEditor(db, bot, i18n),
    )


async def run_broadcasts(broadcaster: Broadcaster) -> None:
    """The background loop: resume what a restart interrupted, start what falls due; on stop, let the
    messages in flight finish so nothing is left ambiguous."""
    try:
        await broadcaster.run_forever()
    finally:
        await broadcaster.shutdown()


def may_cancel(info: BroadcastInfo, user_id: int, role: str | None) -> bool:
    """Its sender or any coordinator may cancel a broadcast; in the bot and the console alike."""
    return role == COORDINATOR or (role == VOLUNTEER and info.sender_id == user_id)


async def cancel_as(broadcaster: Broadcaster, db: Database, broadcast_id: int, actor_id: int) -> bool:
    """Cancel and write the audit line; False when the broadcast had already ended."""
    if not await broadcaster.cancel(broadcast_id):
        return False
    await audit(db, actor_id, "broadcast.cancel", broadcast_id)
    return True


def broadcast_info_text(info: BroadcastInfo) -> str:
    """One broadcast in the /broadcasts list."""
    when = info.scheduled_at if info.status == "scheduled" else (info.started_at or info.scheduled_at)
    head = _("#{id} · {status} · {when} (Bishkek)").format(
        id=info.id, status=status_label(info.status), when=format_local_time(when)
    )
    if info.status == "scheduled":
        return head
    return head + "\n" + counts_line(info.counts)
