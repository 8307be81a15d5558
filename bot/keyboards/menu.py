"""The main menu and the navigation rows every screen shares."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n.lazy_proxy import LazyProxy

from bot.i18n import LANGUAGE_NAMES, _, __
from bot.keyboards.callbacks import LangCb, MenuCb


@dataclass(frozen=True)
class MenuSection:
    key: str
    label: LazyProxy


# The main menu shows exactly these sections, in this order; a feature adds its entry here.
SECTIONS: list[MenuSection] = [
    MenuSection("emergency", __("🆘 Emergency")),  # first: someone in trouble must not have to look for it
    MenuSection("guide", __("Safe migration guide")),
    MenuSection("check", __("Check my situation")),
    MenuSection("contacts", __("Help contacts")),
    MenuSection("training", __("Training and help")),
    MenuSection("ask", __("💬 Ask a person")),
    MenuSection("my", __("My requests")),
    MenuSection("settings", __("Settings")),
    MenuSection("language", __("Language")),
    MenuSection("privacy", __("My data")),
    MenuSection("share", __("📤 Share Koldoo")),
    MenuSection("help", __("Help")),
]


# Sections of features switched off by the settings (e.g. "ask" without OPERATOR_CHAT_ID); set at start.
_hidden: frozenset[str] = frozenset()


def set_hidden_sections(keys: frozenset[str]) -> None:
    global _hidden
    _hidden = keys
    _main_menu.cache_clear()


def section_shown(key: str) -> bool:
    return key not in _hidden


def main_menu_keyboard(with_languages: bool = False) -> InlineKeyboardMarkup:
    """One button per section; on a first visit the three languages come first, in one row.

    Built once per language: every /start and every Menu press shows it, so it is on the hot path.
    """
    return _main_menu(get_i18n().current_locale, with_languages)


@lru_cache(maxsize=16)
def _main_menu(locale: str, with_languages: bool) -> InlineKeyboardMarkup:
    rows = [
        [InlineKeyboardButton(text=str(section.label), callback_data=MenuCb(section=section.key).pack())]
        for section in SECTIONS
        if section.key not in _hidden
    ]
    if with_languages:
        rows.insert(0, language_keyboard().inline_keyboard[0])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def menu_button() -> InlineKeyboardButton:
    return InlineKeyboardButton(text=_("Menu"), callback_data=MenuCb(section="main").pack())


def nav_row(back: CallbackData | None = None) -> list[InlineKeyboardButton]:
    """Back (when there is somewhere to go back to) and Menu, for the bottom of every screen."""
    row = []
    if back is not None:
        row.append(InlineKeyboardButton(text=_("Back"), callback_data=back.pack()))
    row.append(menu_button())
    return row


def pager_row(page: int, pages: int, page_data: Callable[[int], CallbackData]) -> list[InlineKeyboardButton]:
    """Previous / Next buttons for a paged list (empty on a single page); `page_data(n)` opens page n."""
    row = []
    if page > 0:
        row.append(InlineKeyboardButton(text=_("◀️ Previous"), callback_data=page_data(page - 1).pack()))
    if page < pages - 1:
        row.append(InlineKeyboardButton(text=_("Next ▶️"), callback_data=page_data(page + 1).pack()))
    return row


def menu_only_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[[menu_button()]])


@lru_cache(maxsize=1)
def language_keyboard() -> InlineKeyboardMarkup:
    """Language names are written in their own language, whatever the current locale."""
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=name, callback_data=LangCb(code=code).pack()) for code, name in LANGUAGE_NAMES.items()]
        ]
    )
