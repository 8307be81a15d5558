"""Helpers for the end-to-end tests of "Check my situation": translated labels, answering the dialogue."""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot.i18n import Catalogues, format_date
from bot.services.dates import users_today
from tests.content_helpers import shipped_content

I18N = Catalogues()
RULES = shipped_content().ban_rules
LOCALES = ["ky", "ru", "en"]
BAN_QUESTIONS = 7  # expelled, readmitted, migration fines, other fines, debts, conviction, medical
PNG = b"\x89PNG\r\n\x1a\n"


def t(msgid: str, locale: str) -> str:
    with I18N.context():
        return I18N.gettext(msgid, locale=locale)


def plain(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def dmy(day: date) -> str:
    return day.strftime("%d.%m.%Y")


def ground(ground_id: str):
    return next(g for g in RULES.grounds if g.id == ground_id)


async def give_trips(user, locale: str, trips: list[tuple[date, date | None]]) -> list:
    """Answer "Yes" to the period, then each trip, then "No" to another one."""
    await user.press(t("Yes", locale))
    for number, (entry, exit_) in enumerate(trips):
        if number:
            await user.press(t("Yes", locale))
        await user.send(dmy(entry))
        await (user.press(t("I am still there", locale)) if exit_ is None else user.send(dmy(exit_)))
    return await user.press(t("No", locale))


async def stay_check_in_kazakhstan(user) -> None:
    """An English "Check my situation", ten days into a stay in Kazakhstan: several updates, so the replica tests
    can spread one dialogue over their replicas. The answer must name the stay's 90th day."""
    await user.send("/stay")
    await user.press("🇰🇿 Kazakhstan")
    entry = users_today() - timedelta(days=10)
    await give_trips(user, "en", [(entry, None)])
    await user.press("No")
    await user.press("No")
    replies = await user.press("No")
    assert any(format_date(entry + timedelta(days=89), "en") in (m.text or "") for m in replies)


async def no_times(user, locale: str, count: int) -> list:
    replies = []
    for _ in range(count):
        replies = await user.press(t("No", locale))
    return replies


async def check_russia(user, locale: str, this_year=(), last_year=(), *, command: str = "/stay") -> list:
    """The whole check for Russia with no contract and "No" to every ban question; the result's messages."""
    await user.send(command)
    await user.press(t("🇷🇺 Russia", locale))
    if this_year:
        await give_trips(user, locale, list(this_year))
    else:
        await user.press(t("No", locale))
    if last_year:
        await give_trips(user, locale, list(last_year))
    else:
        await user.press(t("No", locale))
    return await no_times(user, locale, 2 + BAN_QUESTIONS)  # no older overstay, no contract, no ban answers


def assert_timeline(photo) -> None:
    assert photo.kind == "photo" and photo.file.content.startswith(PNG)
    assert len(photo.file.content) < 100_000
    assert len(photo.text) <= 1024
