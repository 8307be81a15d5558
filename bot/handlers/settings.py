"""/settings: a subscriber's region and topics of interest, and /subscribe, /unsubscribe for broadcasts."""

from __future__ import annotations

import logging

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.db.connection import Database
from bot.db.subscriptions import Subscription, get_subscription, set_region, set_subscribed, toggle_interest
from bot.handlers.regions import place_options, region_label
from bot.i18n import _
from bot.keyboards.callbacks import MenuCb, SettingsCb
from bot.keyboards.menu import nav_row
from bot.replies import answer, edit_or_send
from bot.services.subscriptions import INTERESTS, REGIONS

log = logging.getLogger(__name__)
router = Router(name="settings")


def interest_label(topic: str) -> str:
    return {
        "rules": _("Rules and documents"),
        "jobs": _("Jobs and training"),
        "safety": _("Safety alerts"),
        "events": _("Events"),
    }[topic]


def settings_text(sub: Subscription) -> str:
    status = _("🔔 You receive broadcasts.") if sub.subscribed else _("🔕 You do not receive broadcasts.")
    region = region_label(sub.region) if sub.region else _("not chosen")
    return "\n".join(
        [
            _("<b>Settings</b>"),
            status,
            _("📍 Region: {region}").format(region=region),
            "",
            _("Choose the topics you want to hear about:"),
        ]
    )


def settings_keyboard(sub: Subscription) -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for topic in INTERESTS:
        mark = "✅" if topic in sub.interests else "⬜"
        builder.button(
            text=f"{mark} {interest_label(topic)}", callback_data=SettingsCb(action="topic", value=topic)
        )
    builder.button(text=_("📍 Choose region"), callback_data=SettingsCb(action="regions"))
    if sub.subscribed:
        builder.button(
            text=_("🔕 Unsubscribe from broadcasts"), callback_data=SettingsCb(action="sub", value="0")
        )
    else:
        builder.button(
            text=_("🔔 Subscribe to broadcasts"), callback_data=SettingsCb(action="sub", value="1")
        )
    builder.adjust(1)
    builder.row(*nav_row())
    return builder.as_markup()


def regions_keyboard(current: str | None, locale: str) -> InlineKeyboardMarkup:
    """The referral form's places (bot/handlers/regions.py): broadcasts for a country reach its cities."""
    builder = InlineKeyboardBuilder()
    for label, region in place_options(locale):
        mark = "✅ " if region == current else ""
        builder.button(text=mark + label, callback_data=SettingsCb(action="region", value=region))
    builder.adjust(2)
    builder.row(*nav_row(MenuCb(section="settings")))
    return builder.as_markup()


async def show_settings(target: Message | CallbackQuery, db: Database, user_id: int) -> None:
    sub = await get_subscription(db, user_id)
    if isinstance(target, CallbackQuery):
        await edit_or_send(target, settings_text(sub), settings_keyboard(sub))
    else:
        await answer(target, settings_text(sub), settings_keyboard(sub))


@router.message(Command("settings"))
async def settings_command(message: Message, db: Database) -> None:
    await show_settings(message, db, message.from_user.id)


@router.callback_query(MenuCb.filter(F.section == "settings"))
async def settings_section(callback: CallbackQuery, db: Database) -> None:
    await show_settings(callback, db, callback.from_user.id)


@router.callback_query(SettingsCb.filter((F.action == "topic") & F.value.in_(INTERESTS)))
async def topic_toggled(callback: CallbackQuery, callback_data: SettingsCb, db: Database) -> None:
    await toggle_interest(db, callback.from_user.id, callback_data.value)
    await show_settings(callback, db, callback.from_user.id)


@router.callback_query(SettingsCb.filter(F.action == "regions"))
async def regions_opened(callback: CallbackQuery, db: Database, locale: str) -> None:
    sub = await get_subscription(db, callback.from_user.id)
    await edit_or_send(
        callback, _("📍 Where are you from, or where do you work now?"), regions_keyboard(sub.region, locale)
    )


@router.callback_query(SettingsCb.filter((F.action == "region") & F.value.in_(REGIONS)))
async def region_chosen(callback: CallbackQuery, callback_data: SettingsCb, db: Database) -> None:
    await set_region(db, callback.from_user.id, callback_data.value)
    await show_settings(callback, db, callback.from_user.id)


@router.callback_query(SettingsCb.filter((F.action == "sub") & F.value.in_({"0", "1"})))
async def subscription_toggled(callback: CallbackQuery, callback_data: SettingsCb, db: Database) -> None:
    await set_subscribed(db, callback.from_user.id, callback_data.value == "1")
    await show_settings(callback, db, callback.from_user.id)


@router.message(Command("subscribe"))
async def subscribe_command(message: Message, db: Database) -> None:
    await set_subscribed(db, message.from_user.id, True)
    log.info("subscription.on", extra={"user_id": message.from_user.id})
    await answer(message, _("🔔 Done: you will receive broadcasts. Choose topics and region in /settings."))


@router.message(Command("unsubscribe"))
async def unsubscribe_command(message: Message, db: Database) -> None:
    await set_subscribed(db, message.from_user.id, False)
    log.info("subscription.off", extra={"user_id": message.from_user.id})
    await answer(message, _("🔕 Done: you will not receive broadcasts. Send /subscribe to get them again."))


# -- the buttons under every broadcast (bot/broadcasting.py): the broadcast itself stays as it was --------
def resubscribe_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    builder.button(text=_("🔔 Subscribe again"), callback_data=SettingsCb(action="on"))
    builder.button(text=_("⚙️ Settings"), callback_data=SettingsCb(action="open"))
    builder.adjust(1)
    return builder.as_markup()


@router.callback_query(SettingsCb.filter(F.action == "open"))
async def settings_from_broadcast(callback: CallbackQuery, db: Database, bot: Bot) -> None:
    sub = await get_subscription(db, callback.from_user.id)
    await bot.send_message(callback.from_user.id, settings_text(sub), reply_markup=settings_keyboard(sub))


@router.callback_query(SettingsCb.filter(F.action == "off"))
async def unsubscribed_from_broadcast(callback: CallbackQuery, db: Database, bot: Bot) -> None:
    await set_subscribed(db, callback.from_user.id, False)
    log.info("subscription.off", extra={"user_id": callback.from_user.id, "from": "broadcast"})
    await bot.send_message(
        callback.from_user.id,
        _("🔕 Done: you will not receive broadcasts, safety alerts included. Changed your mind?"),
        reply_markup=resubscribe_keyboard(),
    )


@router.callback_query(SettingsCb.filter(F.action == "on"))
async def resubscribed(callback: CallbackQuery, db: Database) -> None:
    await set_subscribed(db, callback.from_user.id, True)
    log.info("subscription.on", extra={"user_id": callback.from_user.id, "from": "broadcast"})
    await edit_or_send(
        callback, _("🔔 Done: you will receive broadcasts again. Choose topics and region in /settings.")
    )
