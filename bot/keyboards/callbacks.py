"""Every CallbackData of the bot, in one place: short prefixes, ids only (64 bytes at most)."""

from aiogram.filters.callback_data import CallbackData


class MenuCb(CallbackData, prefix="m"):
    """Open a main-menu section; `main` is the menu itself."""

    section: str


class LangCb(CallbackData, prefix="lang"):
    code: str


class ForgetCb(CallbackData, prefix="fgt"):
    confirm: bool


class StepCb(CallbackData, prefix="dq"):
    """A button of a guided dialogue (ban, stay): the question it belongs to, what it does, its value."""

    dialog: str
    step: str
    action: str  # pick | none | done | back | cancel
    value: str = ""


class RemindCb(CallbackData, prefix="rmd"):
    """"Remind me" under a ban result: the estimated ban end (ISO date), empty when there is none."""

    ban_end: str = ""


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
