"""The main menu and the navigation rows every screen shares."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n.lazy_proxy import LazyProxy
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.i18n import LANGUAGE_NAMES, __, _
from bot.keyboards.callbacks import LangCb, MenuCb


@dataclass(frozen=True)
class MenuSection:
    key: str
    label: LazyProxy
    command: str


# The main menu shows exactly these sections, in this order; a feature adds its entry here.
SECTIONS: list[MenuSection] = [
    MenuSection("language", __("🌐 Language"), "language"),
    MenuSection("settings", __("⚙️ Settings"), "settings"),
    MenuSection("privacy", __("🔒 My data"), "privacy"),
    MenuSection("help", __("❓ Help"), "help"),
]


def main_menu_keyboard() -> InlineKeyboardMarkup:
    builder = InlineKeyboardBuilder()
    for section in SECTIONS:
        builder.button(text=str(section.label), callback_data=MenuCb(section=section.key))
    builder.adjust(1)
    return builder.as_markup()


def menu_button() -> InlineKeyboardButton:
    return InlineKeyboardButton(text=_("🏠 Menu"), callback_data=MenuCb(section="main").pack())


def nav_row(back: CallbackData | None = None) -> list[InlineKeyboardButton]:
    """Back (when there is somewhere to go back to) and Menu, for the bottom of every screen."""
    row = []
    if back is not None:
        row.append(InlineKeyboardButton(text=_("⬅️ Back"), callback_data=back.pack()))
    row.append(menu_button())
    return row


def menu_only_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[menu_button()]])


def language_keyboard() -> InlineKeyboardMarkup:
    """Language names are written in their own language, whatever the current locale."""
    builder = InlineKeyboardBuilder()
    for code, name in LANGUAGE_NAMES.items():
        builder.button(text=name, callback_data=LangCb(code=code))
    builder.adjust(3)
    return builder.as_markup()
