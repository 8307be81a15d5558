"""End to end: /stay opens "Check my situation"; the stay answer from the menu, with a contract, overstays."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.devtools.fake_telegram import FakeTelegram
from bot.i18n import format_date
from bot.services.dates import users_today
from tests.check_helpers import BAN_QUESTIONS, LOCALES, RULES, check_russia, give_trips, no_times, plain, t
from tests.conftest import RunningApp


@pytest.mark.parametrize("locale", LOCALES)
async def test_kazakhstan_stay_from_the_menu(tg: FakeTelegram, app: RunningApp, locale: str):
    user = tg.user(4000 + LOCALES.index(locale), language_code=locale)
    await user.send("/menu")
    await user.press(t("Check my situation", locale))
    await user.press(t("🇰🇿 Kazakhstan", locale))
    entry = users_today() - timedelta(days=10)
    await give_trips(user, locale, [(entry, None)])
    await user.press(t("No", locale))  # the 180 days before that trip
    await user.press(t("No", locale))  # no older overstay
    _photo, result = await user.press(t("No", locale))  # no contract

    last_day = format_date(entry + timedelta(days=89), locale)
    plain_line = plain(t("You may stay until <b>{date}</b> (your last legal day).", locale).format(date=last_day))
    assert plain_line in result.text
    assert t("Rule: {limit} days in any {window} days.", locale).format(limit=90, window=180) in result.text
    assert t("Kazakhstan", locale) in result.text
    assert RULES.stay.kazakhstan.source in result.text
    assert t("⏰ Remind me: end of stay", locale) in result.button_texts()


async def test_russia_with_a_contract_in_force(tg: FakeTelegram, app: RunningApp):
    user = tg.user(4100, language_code="en")
    today = users_today()
    year = today.year - 1
    await user.send("/stay")
    await user.press("🇷🇺 Russia")
    await give_trips(user, "en", [(date(year, 6, 1), None)])  # still there since June last year
    await user.press("No")  # last year: no other trip
    await user.press("No")  # no older overstay
    await user.press("Yes")
    contract_end = today + timedelta(days=200)
    [asked] = await user.send(f"{contract_end.day}.{contract_end.month}.{contract_end.year}")  # no "ended early?"
    assert asked.text.startswith("Were you ever expelled")
    _photo, result = await no_times(user, "en", BAN_QUESTIONS)
    assert f"You may stay until {format_date(contract_end, 'en')}" in result.text
    assert "Your employment contract counts" in result.text
    assert "and your contract covers them" in result.text  # more than 90 days used, no "days left"
    assert "Days left" not in result.text
    assert RULES.stay.russia.contract.source in result.text
    assert "not legal advice" in result.text
    assert "⏰ Remind me: contract end" in result.button_texts()


async def test_an_overstay_in_russia_last_year(tg: FakeTelegram, app: RunningApp):
    user = tg.user(4200, language_code="ru")
    year = users_today().year - 1
    entry, exit_ = date(year, 1, 1), date(year, 4, 10)
    last_legal = entry + timedelta(days=89)  # day 90 of a calendar year
    _photo, result = await check_russia(user, "ru", last_year=[(entry, exit_)])
    assert f"закончился {format_date(last_legal, 'ru')}" in result.text
    assert f"Дней сверх срока: {(exit_ - last_legal).days}." in result.text
    assert "реестр контролируемых лиц" not in result.text  # the person has left Russia


async def test_still_in_russia_after_the_stay_ran_out(tg: FakeTelegram, app: RunningApp):
    user = tg.user(4300, language_code="en")
    entry = date(users_today().year - 1, 9, 1)  # day 90 is 29 November; 1 January does not make it legal again
    _photo, result = await check_russia(user, "en", this_year=[(entry, None)])
    assert f"⚠️ Your allowed stay ended on {format_date(date(entry.year, 11, 29), 'en')}." in result.text
    assert "register of controlled persons" in result.text
