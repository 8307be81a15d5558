"""Every CallbackData of the bot, in one place: short prefixes, ids only (64 bytes at most)."""

from aiogram.filters.callback_data import CallbackData


class MenuCb(CallbackData, prefix="m"):
    """Open a main-menu section; `main` is the menu itself."""

    section: str


class LangCb(CallbackData, prefix="lang"):
    code: str


class ForgetCb(CallbackData, prefix="fgt"):
    confirm: bool
