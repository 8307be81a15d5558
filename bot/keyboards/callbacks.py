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
