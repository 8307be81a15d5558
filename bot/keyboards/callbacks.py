"""Every CallbackData of the bot, in one place: short prefixes, ids only (64 bytes at most)."""

from aiogram.filters.callback_data import CallbackData


class MenuCb(CallbackData, prefix="m"):
    """Open a main-menu section; `main` is the menu itself."""

    section: str


class LangCb(CallbackData, prefix="lang"):
    code: str


class ForgetCb(CallbackData, prefix="fgt"):
    confirm: bool


class TopicCb(CallbackData, prefix="gt"):
    """A level of the guide: a topic page with its children, or the root when `id` is empty."""

    id: str = ""
    page: int = 0


class ShareCb(CallbackData, prefix="gs"):
    id: str


class ContactsCb(CallbackData, prefix="ct"):
    """The help directory: countries, a country's cities, or a page of contacts (city "*": all of them)."""

    country: str = ""
    city: str = ""
    page: int = 0
