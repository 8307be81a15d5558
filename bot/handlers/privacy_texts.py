"""The words for each kind of personal data (services/personal_data.py), shared by /privacy and the consent
screen before a referral."""

from __future__ import annotations

from collections.abc import Iterable

from bot.i18n import _
from bot.services.personal_data import DataKind


def data_kind_line(kind: DataKind) -> str:
    return {
        DataKind.ACCOUNT: _(
            "Your Telegram id and @username, your language (the one you chose, or else your Telegram app's) and "
            "when you last wrote to the bot: to answer you in your language."
        ),
        DataKind.SETTINGS: _("Your news settings (region, topics): to send you what you chose."),
        DataKind.REMINDERS: _("The reminders you asked for (dates only)."),
        DataKind.DIALOGUE: _(
            "The answers of a dialogue you have not finished: so you can continue later. They are deleted when "
            "the dialogue ends."
        ),
        DataKind.REFERRAL: _(
            "Only if you agree when asking for a referral: your name, phone, region, city and comment, so a "
            "coordinator can contact you."
        ),
        DataKind.REFERRAL_NOTES: _(
            "The coordinators' notes and status changes on your requests, and the information you add in /my."
        ),
        DataKind.CONVERSATION: _(
            "<b>Conversations with a person</b> (“Ask a person”): the messages you send and the answers you get."
        ),
        DataKind.DELIVERIES: _("Which broadcasts and notices were delivered to you."),
        DataKind.STAFF: _("For Koldoo staff only: your role, what you did in the bot and console logins."),
    }[kind]


def data_kind_bullets(kinds: Iterable[DataKind]) -> str:
    return "\n".join(f"• {data_kind_line(kind)}" for kind in kinds)
