"""Every CallbackData of the bot, in one place: short prefixes, ids only (64 bytes at most)."""

import re
from typing import Annotated, Any

from aiogram.filters.callback_data import CallbackData
from pydantic import BeforeValidator, Field

_DIGITS = re.compile(r"[0-9]{1,16}")


def _digits(value: Any) -> Any:
    if isinstance(value, str) and not _DIGITS.fullmatch(value):
        raise ValueError("not a number")
    return value


# Numbers in callback data are ASCII digits and bounded, so forged data (`rc:99999999999999999999999`, `rc:1_0`)
# fails to unpack and reaches the "out of date" answer instead of overflowing a database integer.
Id = Annotated[int, BeforeValidator(_digits), Field(ge=0, lt=2**53)]
Page = Annotated[int, BeforeValidator(_digits), Field(ge=0, le=100_000)]


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
    action: str  # pick | none | done | back | cancel (| stop | resume, when Cancel asks first)
    value: str = ""


class RemindCb(CallbackData, prefix="rmd"):
    """"Remind me" under a ban result: the estimated ban end (ISO date), empty when there is none."""

    ban_end: str = ""


# Training catalogue and referrals (bot/handlers/training.py, referral_form.py, referrals.py)
class TrainCb(CallbackData, prefix="tr"):
    """Browse training: no region = the region list; a region = its trades; both = the programmes."""

    region: str = ""
    trade: str = ""


class ProgCb(CallbackData, prefix="tp"):
    """A programme card, remembering the list it was opened from."""

    id: str
    region: str
    trade: str


class ServCb(CallbackData, prefix="sv"):
    """Support services: no kind = the list of kinds."""

    kind: str = ""


class ServItemCb(CallbackData, prefix="si"):
    id: str


class ApplyCb(CallbackData, prefix="ap"):
    """Start a referral for a programme (`kind` training) or a service."""

    kind: str
    id: str


class FormCb(CallbackData, prefix="rf"):
    """A button of the referral dialogue: agree, cancel, skip, confirm, edit, field (value=name) or region."""

    action: str
    value: str = ""


class SettingsCb(CallbackData, prefix="set"):
    """Subscriber settings: `regions` opens the picker, `region`/`topic` set one, `sub` is 1 or 0."""

    action: str
    value: str = ""


class RefListCb(CallbackData, prefix="rl"):
    """A page of the coordinators' referral list with its filters ("" = any)."""

    page: Page = 0
    status: str = ""
    region: str = ""
    item: str = ""


class RefPickCb(CallbackData, prefix="rp"):
    """Choose the value of one filter (`field`: status, region or item) of the list."""

    field: str
    status: str = ""
    region: str = ""
    item: str = ""


class RefCardCb(CallbackData, prefix="rc"):
    id: Id


class RefMoveCb(CallbackData, prefix="rm"):
    """A status move; `declined` opens the list of reasons first (`RefDeclineCb`)."""

    id: Id
    to: str


class RefDeclineCb(CallbackData, prefix="rd"):
    """Decline for this reason (services.referrals.DeclineReason)."""

    id: Id
    reason: str


class RefUndoCb(CallbackData, prefix="ru"):
    """Undo the coordinator's last status move (a mis-tap), within a minute."""

    id: Id


class MyRefCb(CallbackData, prefix="my"):
    """The migrant's own request in /my: `open`, `withdraw` (asks), `withdraw_yes`, `info` (add information)."""

    action: str
    id: Id


class RefNoteCb(CallbackData, prefix="rn"):
    id: Id


class RefHistCb(CallbackData, prefix="rh"):
    """A page of a referral's history, newest first."""

    id: Id
    page: Page = 0


class TopicCb(CallbackData, prefix="gt"):
    """A level of the guide: a topic page with its children, or the root when `id` is empty."""

    id: str = ""
    page: Page = 0


class ShareCb(CallbackData, prefix="gs"):
    id: str


class ContactsCb(CallbackData, prefix="ct"):
    """The help directory: countries, a country's cities, or a page of contacts (city "*": all of them)."""

    country: str = ""
    city: str = ""
    page: Page = 0


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
    """Cancel a broadcast, from its progress message or (`from_list`) from the /broadcasts list: asks first."""

    broadcast_id: Id
    from_list: bool = False


class BroadcastStopYesCb(CallbackData, prefix="bcy"):
    """The answer to "cancel broadcast #N?": `yes` cancels it, else the question goes away."""

    broadcast_id: Id
    from_list: bool = False
    yes: bool = False


# Talk to a person (bot/handlers/ask.py, operators.py)
class AskCb(CallbackData, prefix="ak"):
    """The migrant's side: `start` (topics), `topic` (consent for it), `agree`, `end`, `back`; `src` is where
    the conversation was offered (menu, ban, search, referral)."""

    action: str
    topic: str = ""
    src: str = ""


class RateCb(CallbackData, prefix="ar"):
    """The migrant's 1-5 for a closed case."""

    id: int
    score: int


class CaseCb(CallbackData, prefix="cs"):
    """A case card's buttons in the operator group: take, urgent, close."""

    action: str
    id: int
# Reminders for documents (bot/handlers/reminders.py)
class DocRemindCb(CallbackData, prefix="drm"):
    """"Remind me" for a date a result names: the kind (bot.services.reminders.DOCUMENT_KINDS), the ISO date."""

    kind: str
    day: str


class RemListCb(CallbackData, prefix="rml"):
    """/reminders: `cancel` one date's reminders (kind and ISO day), or `add` a typed one (kind)."""

    action: str
    kind: str
    day: str = ""
