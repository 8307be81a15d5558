"""End to end: the /stay calculator from the main menu, in all three languages, with its checks."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.devtools.fake_telegram import FakeTelegram
from bot.i18n import Catalogues, format_date
from bot.services.dates import users_today
from tests.conftest import RunningApp

I18N = Catalogues()
LOCALES = ["ky", "ru", "en"]


def t(msgid: str, locale: str) -> str:
    with I18N.context():
        return I18N.gettext(msgid, locale=locale)


def dmy(day: date) -> str:
    return day.strftime("%d.%m.%Y")


@pytest.mark.parametrize("locale", LOCALES)
async def test_kazakhstan_stay_from_the_menu(tg: FakeTelegram, app: RunningApp, locale: str):
    user = tg.user(4000 + LOCALES.index(locale), language_code=locale)
    [menu] = await user.send("/menu")
    assert (
        t("Stay calculator", locale) in menu.button_texts()
        and t("Ban self-check", locale) in menu.button_texts()
    )
    await user.press(t("Stay calculator", locale))
    await user.press(t("🇰🇿 Kazakhstan", locale))
    entry = users_today() - timedelta(days=10)
    await user.send(dmy(entry))
    await user.press(t("I am still there", locale))
    [result] = await user.press(t("No", locale))  # no earlier trips; Kazakhstan has no contract question

    last_day = format_date(entry + timedelta(days=89), locale)
    plain = t("You may stay until <b>{date}</b> (your last legal day).", locale).format(date=last_day)
    assert plain.replace("<b>", "").replace("</b>", "") in result.text
    assert t("Rule: {limit} days in any {window} days.", locale).format(limit=90, window=180) in result.text
    assert t("Kazakhstan", locale) in result.text


async def test_russia_with_an_earlier_trip_and_a_contract(tg: FakeTelegram, app: RunningApp):
    user = tg.user(4100, language_code="en")
    today = users_today()
    await user.send("/stay")
    await user.press("🇷🇺 Russia")
    entry = today - timedelta(days=100)
    await user.send(dmy(entry))
    [exit_question] = await user.press("I am still there")
    assert exit_question.text.startswith("Were you in the country")
    await user.press("Yes")
    [reply] = await user.send(dmy(entry))
    assert reply.text.startswith(f"Trips cannot overlap: this trip must be before {format_date(entry, 'en')}")
    await user.send(dmy(entry - timedelta(days=30)))
    [reply] = await user.send(dmy(entry - timedelta(days=31)))
    assert reply.text.startswith("The date of leaving is before the date of entry.")
    [another] = await user.send(dmy(entry - timedelta(days=20)))
    assert another.text.startswith("Added. Was there another trip")
    await user.press("No")
    await user.press("Yes")
    contract_end = today + timedelta(days=200)
    [result] = await user.send(dmy(contract_end))  # a future end: "ended early?" is not asked

    assert f"You may stay until {format_date(contract_end, 'en')}" in result.text
    assert "Your employment contract counts" in result.text and "15 days more" in result.text
    assert "not legal advice" in result.text
    assert "Ban self-check" in result.button_texts()


async def test_an_overstay_in_russia_points_to_the_ban_check(tg: FakeTelegram, app: RunningApp):
    user = tg.user(4200, language_code="ru")
    today = users_today()
    entry, exit_ = date(today.year - 1, 1, 1), date(today.year - 1, 4, 10)
    last_legal = entry + timedelta(days=89)  # day 90 of a calendar year
    await user.send("/stay")
    await user.press("🇷🇺 Россия")
    await user.send(dmy(entry))
    [reply] = await user.send(dmy(entry - timedelta(days=1)))
    assert reply.text.startswith("Дата выезда раньше даты въезда.")
    await user.send(dmy(exit_))
    await user.press("Нет")
    [result] = await user.press("Нет")
    assert f"закончился {format_date(last_legal, 'ru')}" in result.text
    assert f"Дней сверх срока: {(exit_ - last_legal).days}." in result.text
    assert "реестр контролируемых лиц" not in result.text  # the person has left Russia


async def test_still_in_russia_after_the_stay_ran_out(tg: FakeTelegram, app: RunningApp):
    user = tg.user(4300, language_code="en")
    entry = date(
        users_today().year - 1, 9, 1
    )  # day 90 is 29 November; 1 January does not make it legal again
    await user.send("/stay")
    await user.press("🇷🇺 Russia")
    await user.send(dmy(entry))
    await user.press("I am still there")
    await user.press("No")
    [result] = await user.press("No")
    assert f"⚠️ Your allowed stay ended on {format_date(date(entry.year, 11, 29), 'en')}." in result.text
    assert "register of controlled persons" in result.text
