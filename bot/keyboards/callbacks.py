"""Every CallbackData of the bot, in one place: short prefixes, ids only (64 bytes at most)."""

from aiogram.filters.callback_data import CallbackData


class MenuCb(CallbackData, prefix="m"):
    """Open a main-menu section; `main` is the menu itself."""

    section: str


class LangCb(CallbackData, prefix="lang"):
    code: str


class ForgetCb(CallbackData, prefix="fgt"):
    confirm: bool


class SettingsCb(CallbackData, prefix="set"):
    """Subscriber settings: `regions` opens the picker, `region`/`topic` set one, `sub` is 1 or 0."""

    action: str
    value: str = ""


class BroadcastCb(CallbackData, prefix="bc"):
    """The broadcast draft panel: `lang` adds a version, `aud` opens the audience picker, `preview`, `send`,
    `schedule`, `drop`."""

    action: str
    value: str = ""


class AudienceCb(CallbackData, prefix="bca"):
    """Audience picker: `kind` is all, locale, region or interest; no value opens that kind's choices."""

    kind: str
    value: str = ""


class BroadcastStopCb(CallbackData, prefix="bcs"):
    """Cancel a broadcast, from its progress message or (`from_list`) from the /broadcasts list."""

    broadcast_id: int
    from_list: bool = False
