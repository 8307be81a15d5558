"""End to end: /ban opens "Check my situation"; ban answers in all three languages, legal help, reminders."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.db import reminders
from bot.devtools.fake_telegram import FakeTelegram
from bot.handlers.ban import MVD_CHECK_URL
from bot.i18n import format_date
from bot.services.dates import add_months, add_years, users_today
from tests.check_helpers import BAN_QUESTIONS, LOCALES, RULES, check_russia, dmy, ground, no_times, plain, t
from tests.conftest import RunningApp


def test_the_official_check_button_uses_the_punycode_domain():
    assert MVD_CHECK_URL == "http://xn--b1afk4ade4e.xn--b1ab2a0a.xn--b1aew.xn--p1ai/info-service.htm?sid=3000"
    assert "сервисы.гувм.мвд.рф".encode("idna").decode() in MVD_CHECK_URL


@pytest.mark.parametrize("locale", LOCALES)
async def test_overstay_of_200_days_gives_the_five_year_clause(tg: FakeTelegram, app: RunningApp, locale: str):
    user = tg.user(3000 + LOCALES.index(locale), language_code=locale)
    year = users_today().year - 1
    entry = date(year, 1, 1)
    departure = date(year, 3, 31) + timedelta(days=200)  # may reach this year: a trip of last year all the same
    _photo, result = await check_russia(user, locale, last_year=[(entry, departure)], command="/ban")

    five = ground("overstay_180")
    end = add_years(departure, 5)
    assert five.clause.get(locale) in result.text and five.title.get(locale) in result.text
    assert plain(
        t("From {start}. Last day of the ban: <b>{end}</b>. You may enter from <b>{enter}</b>.", locale).format(
            start=format_date(departure, locale),
            end=format_date(end, locale),
            enter=format_date(end + timedelta(days=1), locale),
        )
    ) in result.text
    assert ground("overstay_30").clause.get(locale) not in result.text  # replaced by the harsher clause
    assert RULES.overstay_exceptions.get(locale) in result.text
    assert "xn--b1afk4ade4e" in str(result.reply_markup)
    assert t("Get legal help", locale) in result.button_texts()
    assert t("⏰ Remind me: ban end", locale) in result.button_texts()


async def test_get_legal_help_lists_legal_aid_and_leads_to_a_referral(tg: FakeTelegram, app: RunningApp):
    user = tg.user(3050, language_code="en")
    year = users_today().year - 1
    await check_russia(user, "en", last_year=[(date(year, 1, 1), date(year, 6, 1))], command="/ban")
    [services] = await user.press("Get legal help")
    assert services.text.startswith("Legal aid")
    [card] = await user.press(services.button_texts()[0])
    [consent] = await user.press("Ask for help")
    assert consent.button_texts() == ["Agree", "Cancel"]
    assert card.text


@pytest.mark.parametrize("locale", LOCALES)
async def test_two_fines_in_force_give_the_discretionary_three_year_ground(
    tg: FakeTelegram, app: RunningApp, locale: str
):
    user = tg.user(3100 + LOCALES.index(locale), language_code=locale)
    first, second = users_today() - timedelta(days=500), users_today() - timedelta(days=30)
    await user.send("/ban")
    await user.press(t("🇷🇺 Russia", locale))
    await no_times(user, locale, 2 + 1 + 1 + 2 + 1)  # no trips, older overstay, contract, removals, migration fines
    await user.press(t("Yes", locale))  # other fines
    await user.press(t("I know the in-force dates", locale))
    await user.send(dmy(first))
    [listing] = await user.send(dmy(second))
    assert format_date(first, locale) in listing.text and format_date(second, locale) in listing.text
    await user.press(t("Done", locale))
    photo, result = await no_times(user, locale, 3)  # a ban to draw: the picture comes first
    assert photo.kind == "photo"
    assert ground("admin_offences").clause.get(locale) in result.text
    assert t("entry may be refused (the authorities decide)", locale) in result.text
    assert format_date(add_years(second, 3), locale) in result.text


async def test_garbage_dates_are_explained_and_asked_again(tg: FakeTelegram, app: RunningApp):
    user = tg.user(3200, language_code="ru")
    await user.send("/ban")
    await user.press("🇷🇺 Россия")
    [date_question] = await user.press("Да")
    date_question = (await user.send(dmy(users_today() - timedelta(days=3))))[0]  # entry; now the exit
    cases = {
        "скоро": "I could not read a date. Please type it like this: 05.03.2024",
        "31.02.2024": "There is no such date. Please check the day and the month, for example: 05.03.2024",
        dmy(users_today() + timedelta(days=3)): (
            "This date is in the future. Please type a date that has already passed, for example: 05.03.2024"
        ),
    }
    for text, msgid in cases.items():
        [reply] = await user.send(text)
        assert reply.text == t(msgid, "ru") + "\n\n" + date_question.text
    [sticker_reply] = await user.send_sticker()
    assert sticker_reply.text.endswith(date_question.text)


async def test_remind_me_stores_the_ban_reminders(tg: FakeTelegram, app: RunningApp):
    user = tg.user(3500, language_code="en")
    year = users_today().year - 1
    departure = date(year, 5, 10)  # 40 days over: 3 years
    await check_russia(user, "en", last_year=[(date(year, 1, 1), departure)], command="/ban")
    [done] = await user.press("⏰ Remind me: ban end")
    enter = add_years(departure, 3) + timedelta(days=1)
    dues = [add_months(enter, -2), *(enter - timedelta(days=d) for d in (30, 7, 1, 0))]
    assert done.text == (
        f"Done. I will remind you on: {', '.join(format_date(d, 'en') for d in dues)}. /reminders lists them."
    )
    rows = await app.db.fetchall("SELECT kind, subject_date FROM reminders WHERE user_id = 3500 ORDER BY due_on")
    assert [tuple(row) for row in rows] == [("check_before_travel", enter.isoformat())] + [
        ("ban_end", enter.isoformat())
    ] * 4


async def test_remind_me_without_a_ban_asks_for_the_travel_date(tg: FakeTelegram, app: RunningApp):
    user = tg.user(3600, language_code="en")
    await user.send("/ban")
    await user.press("🇷🇺 Russia")
    [result] = await no_times(user, "en", 4 + BAN_QUESTIONS)
    assert "No ground for an entry ban was found" in result.text
    [question] = await user.press("⏰ Remind me before I travel")
    assert question.text.startswith("When do you plan to travel")
    [reply] = await user.send(dmy(users_today() - timedelta(days=1)))
    assert reply.text.startswith("Please type a date in the future.")
    travel = users_today() + timedelta(days=200)
    [done] = await user.send(dmy(travel))
    assert done.text.startswith("Done. I will remind you on:")
    assert await app.db.fetchval("SELECT subject_date FROM reminders WHERE user_id = 3600") == travel.isoformat()


async def test_the_ban_reminder_fires_on_the_first_day_of_entry_once(tg: FakeTelegram, app: RunningApp):
    """Defect 8: the day after the ban's last day, once, after a restart."""
    user = tg.user(3700, language_code="ky")
    await user.send("/start")
    await user.press("Кыргызча")
    today = users_today()
    await reminders.schedule(app.db, 3700, [("ban_end", today, today)])
    await app.restart()
    expected = plain(
        t(
            "⏰ <b>Reminder from Koldoo</b>\nBy your check, your entry ban has ended: you may enter from today, "
            "{date}. Before you travel, make sure with the official check that it has really ended.",
            "ky",
        ).format(date=format_date(today, "ky"))
    )

    def delivered() -> list:
        return [m for m in tg.chat(3700) if m.from_bot and m.text and m.text.startswith(expected)]

    await tg.wait_for(lambda: delivered(), timeout=5)
    await app.restart()
    await user.send("/menu")  # the bot has certainly run its first reminder pass by now
    assert len(delivered()) == 1
