"""End to end: "Check my situation" (/stay, /ban, the menu) in ky, ru and en, the defects' worked cases
through the dialogue, the timeline picture, and the reminders it offers."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.devtools.fake_telegram import FakeTelegram
from bot.i18n import format_date
from bot.services.dates import add_years, users_today
from bot.services.stay import Trip, calculate_stay
from tests.check_helpers import (
    BAN_QUESTIONS,
    LOCALES,
    RULES,
    assert_timeline,
    check_russia,
    dmy,
    give_trips,
    ground,
    no_times,
    plain,
    t,
)
from tests.conftest import RunningApp


@pytest.mark.parametrize("locale", LOCALES)
async def test_the_menu_offers_one_check(tg: FakeTelegram, app: RunningApp, locale: str):
    user = tg.user(5000 + LOCALES.index(locale), language_code=locale)
    [menu] = await user.send("/menu")
    assert t("Check my situation", locale) in menu.button_texts()
    assert t("Ban self-check", locale) not in menu.button_texts()
    [question] = await user.press(t("Check my situation", locale))
    assert plain(question.text) == plain(
        t(
            "<b>Check my situation</b>\nI will count the days you may stay and check whether an entry ban is "
            "likely, from your own dates. Your answers are kept only until the result.\n\nWhich country?",
            locale,
        )
    )
    assert question.button_texts()[:2] == [t("🇷🇺 Russia", locale), t("🇰🇿 Kazakhstan", locale)]


@pytest.mark.parametrize("locale", LOCALES)
async def test_defect_1_trips_early_last_year_count_for_the_ban(
    tg: FakeTelegram, app: RunningApp, locale: str
):
    """Jan-Mar and late Nov-Dec of last year: 41 days over, two 3-year clauses, asked by year."""
    user = tg.user(5100 + LOCALES.index(locale), language_code=locale)
    year = users_today().year - 1
    await user.send("/ban")
    [this_year] = await user.press(t("🇷🇺 Russia", locale))
    assert str(users_today().year) in this_year.text
    [last_year] = await user.press(t("No", locale))
    assert str(year) in last_year.text
    await give_trips(
        user, locale, [(date(year, 1, 1), date(year, 3, 31)), (date(year, 11, 21), date(year, 12, 31))]
    )
    photo, result = await no_times(user, locale, 2 + BAN_QUESTIONS)

    assert_timeline(photo)
    text = result.text
    for clause in ("overstay_30", "overstay_30_refusal"):
        assert ground(clause).clause.get(locale) in text
    last_day, enter = date(year + 3, 12, 31), date(year + 4, 1, 1)
    assert (
        plain(
            t(
                "From {start}. Last day of the ban: <b>{end}</b>. You may enter from <b>{enter}</b>.", locale
            ).format(
                start=format_date(date(year, 12, 31), locale),
                end=format_date(add_years(date(year, 12, 31), 3), locale),
                enter=format_date(add_years(date(year, 12, 31), 3) + timedelta(days=1), locale),
            )
        )
        in text
    )
    assert (last_day, enter) == (
        add_years(date(year, 12, 31), 3),
        add_years(date(year, 12, 31), 3) + timedelta(1),
    )
    assert (
        plain(
            t(
                "⚠️ On your last trip the allowed stay ended on <b>{date}</b>. Days over the limit: <b>{days}</b>.",
                locale,
            )
        ).format(date=format_date(date(year, 11, 20), locale), days=41)
        in text
    )
    assert t("⚠️ Not yet checked by a lawyer.", locale) in text
    assert format_date(ground("overstay_30").verified_on, locale) in text
    assert (
        t("Days used {period}: <b>{used}</b> of {limit}. Days left: {left}.", locale).split("<b>")[0]
        not in text
    )
    assert t("⏰ Remind me: ban end", locale) in result.button_texts()


@pytest.mark.parametrize("locale", LOCALES)
async def test_defect_5_still_in_russia_gets_the_dates_of_each_threshold(
    tg: FakeTelegram, app: RunningApp, locale: str
):
    user = tg.user(5200 + LOCALES.index(locale), language_code=locale)
    today = users_today()
    entry = today - timedelta(days=99)  # day 100 today: 10 days over
    last_legal = entry + timedelta(days=89)
    if entry.year < today.year:  # early in the year: the days of last year do not count; skip the case
        pytest.skip("the worked case needs 100 days of this year")
    photo, result = await check_russia(user, locale, this_year=[(entry, None)])
    assert_timeline(photo)
    text = result.text
    assert (
        plain(
            t(
                "⚠️ Your allowed stay ended on <b>{date}</b>. Days over the limit so far: <b>{days}</b>. Leave as soon "
                "as you can or get legal help.",
                locale,
            ).format(date=format_date(last_legal, locale), days=10)
        )
        in text
    )
    three = t("a {years}-year entry ban", locale).format(years=3)
    assert (
        t("Leave by {date}: no mandatory ban.", locale).format(
            date=format_date(last_legal + timedelta(30), locale)
        )
        in text
    )
    assert (
        t("From {date}: {ban}.", locale).format(
            date=format_date(last_legal + timedelta(31), locale), ban=three
        )
        in text
    )
    for years, days in ((5, 181), (10, 271)):
        words = t("a {years}-year entry ban", locale).format(years=years)
        line = t("From {date}: {ban}.", locale).format(
            date=format_date(last_legal + timedelta(days), locale), ban=words
        )
        assert line in text
    assert "Days left" not in text  # defect 6
    assert RULES.minor_overstay.text.get(locale) in text  # 10 days over: never "no ground" (defect 10)
    assert plain(t("<b>No ground for an entry ban was found in your answers.</b>", locale)) not in text


@pytest.mark.parametrize("locale", LOCALES)
async def test_defect_3_contract_ended_early_on_day_89(tg: FakeTelegram, app: RunningApp, locale: str):
    user = tg.user(5300 + LOCALES.index(locale), language_code=locale)
    year = users_today().year - 1
    entry, ended, left = date(year, 1, 1), date(year, 3, 30), date(year, 5, 2)  # day 89, day 122
    await user.send("/stay")
    await user.press(t("🇷🇺 Russia", locale))
    await user.press(t("No", locale))
    await give_trips(user, locale, [(entry, left)])
    await user.press(t("No", locale))  # no older overstay
    [contract_end] = await user.press(t("Yes", locale))
    assert contract_end.text == t(
        "On what date does (or did) the contract end? For example: 31.12.2026", locale
    )
    await user.send(dmy(ended))
    await user.press(t("Yes", locale))  # ended early
    photo, result = await no_times(user, locale, BAN_QUESTIONS)
    assert_timeline(photo)
    text = result.text
    last_legal = date(year, 3, 31)
    assert (
        plain(
            t(
                "⚠️ On your last trip the allowed stay ended on <b>{date}</b>. Days over the limit: <b>{days}</b>.",
                locale,
            )
        ).format(date=format_date(last_legal, locale), days=32)
        in text
    )
    assert (
        t(
            "The contract ended early within {after} days of your entry, so the {days} extra days to sign a new one do not "
            "apply: your stay is counted by the usual rule.",
            locale,
        ).format(after=90, days=15)
        in text
    )
    assert ground("overstay_30").clause.get(locale) in text
    assert RULES.stay.russia.contract.source in text


@pytest.mark.parametrize("locale", LOCALES)
async def test_defect_4_kazakhstan_overstay_is_answered(tg: FakeTelegram, app: RunningApp, locale: str):
    user = tg.user(5400 + LOCALES.index(locale), language_code=locale)
    today = users_today()
    entry, left = today - timedelta(days=100), today - timedelta(days=5)  # 96 days: 6 over
    await user.send("/stay")
    [recent] = await user.press(t("🇰🇿 Kazakhstan", locale))
    assert format_date(today - timedelta(days=179), locale) in recent.text
    await give_trips(user, locale, [(entry, left)])
    await user.press(t("No", locale))  # the 180 days before that trip: none
    await user.press(t("No", locale))  # no older overstay
    photo, result = await user.press(t("No", locale))  # no contract: the result (no Russian ban questions)
    assert_timeline(photo)
    text = result.text
    refusal = ground("kz_overstay")
    assert refusal.clause.get(locale) in text and refusal.title.get(locale) in text
    assert (
        t("From {start}; for how long is not known.", locale).format(start=format_date(left, locale)) in text
    )
    assert refusal.source in text and t("⚠️ Not yet checked by a lawyer.", locale) in text
    assert RULES.stay.kazakhstan.source in text
    assert RULES.stay.kazakhstan.contract.source in text  # what is known of a contract there, flagged
    assert "xn--b1afk4ade4e" not in str(result.reply_markup)  # the MVD check is Russia's


@pytest.mark.parametrize("locale", LOCALES)
async def test_defect_7_fines_known_only_by_their_date(tg: FakeTelegram, app: RunningApp, locale: str):
    user = tg.user(5500 + LOCALES.index(locale), language_code=locale)
    today = users_today()
    first, second = today - timedelta(days=200), today - timedelta(days=40)
    await user.send("/ban")
    await user.press(t("🇷🇺 Russia", locale))
    await no_times(user, locale, 2 + 1 + 1 + 2)  # no trips, no older overstay, no contract, no removals
    [basis] = await user.press(t("Yes", locale))  # migration-rule fines
    assert basis.button_texts()[:2] == [
        t("I know the in-force dates", locale),
        t("Only the fine's date", locale),
    ]
    [dates] = await user.press(t("Only the fine's date", locale))
    assert t("Type the day each fine was imposed; I will add 10 days.", locale) in dates.text
    await user.send(dmy(first))
    await user.send(dmy(second))
    [other] = await user.press(t("Done", locale))
    assert other.text == t(
        "Any other administrative fines in Russia (for example from the traffic police)? Do not count the ones you "
        "have already typed.",
        locale,
    )
    result = (await no_times(user, locale, 4))[-1]
    text = result.text
    in_force = second + timedelta(days=10)
    assert ground("migration_offences").clause.get(locale) in text
    assert ground("admin_offences").clause.get(locale) in text
    assert format_date(add_years(in_force, 5), locale) in text
    assert (
        t(
            "You knew only the days the fines were imposed: I counted each from 10 days later, when a ruling usually comes "
            "into force. The date on the ruling is more exact.",
            locale,
        )
        in text
    )


@pytest.mark.parametrize("locale", LOCALES)
async def test_a_lawful_stay_shows_days_left_and_offers_a_reminder(
    tg: FakeTelegram, app: RunningApp, locale: str
):
    user = tg.user(5600 + LOCALES.index(locale), language_code=locale)
    today = users_today()
    entry = today - timedelta(days=min(9, today.timetuple().tm_yday - 1))
    photo, result = await check_russia(user, locale, this_year=[(entry, None)])
    used = (today - entry).days + 1
    text = result.text
    assert (
        plain(t("Days used {period}: <b>{used}</b> of {limit}. Days left: {left}.", locale)).format(
            period=t("in {year}", locale).format(year=today.year), used=used, limit=90, left=90 - used
        )
        in text
    )
    assert RULES.stay.russia.source in text
    assert plain(t("<b>No ground for an entry ban was found in your answers.</b>", locale)) in text
    [done] = await user.press(t("⏰ Remind me: end of stay", locale))
    # late in the year the stay runs into next year's fresh 90 days: the calculator's own answer
    last_legal = calculate_stay([Trip(entry)], today, RULES.stay.russia).last_legal_day
    assert (
        plain(t("You may stay until <b>{date}</b> (your last legal day).", locale)).format(
            date=format_date(last_legal, locale)
        )
        in text
    )
    dues = [last_legal - timedelta(days=d) for d in (30, 7, 1) if last_legal - timedelta(days=d) > today]
    assert done.text.startswith(
        t("Done. I will remind you on: {dates}. /reminders lists them.", locale).split("{")[0]
    )
    rows = await app.db.fetchall(
        "SELECT kind, subject_date, due_on FROM reminders WHERE user_id = ? ORDER BY due_on", (user.id,)
    )
    assert [tuple(r) for r in rows] == [("stay_end", last_legal.isoformat(), due.isoformat()) for due in dues]
    assert photo.kind == "photo"


async def test_a_date_printed_in_english_can_be_typed_back(tg: FakeTelegram, app: RunningApp):
    user = tg.user(5700, language_code="en")
    year = users_today().year - 1
    await user.send("/stay")
    await user.press("🇷🇺 Russia")
    await user.press("No")
    await user.press("Yes")
    await user.send(format_date(date(year, 2, 1), "en"))  # "1 February 2025"
    [more] = await user.send(format_date(date(year, 2, 28), "en"))
    assert (
        f"Trips so far: {format_date(date(year, 2, 1), 'en')} – {format_date(date(year, 2, 28), 'en')}."
        in more.text
    )


async def test_bad_answers_back_cancel_and_a_restart(tg: FakeTelegram, app: RunningApp):
    user = tg.user(5800, language_code="en")
    year = users_today().year - 1
    [first] = await user.send("/stay")
    [nudge] = await user.send("maybe")
    assert nudge.text.startswith("Please answer with one of the buttons below.")
    await user.press("🇷🇺 Russia")
    await user.press("No")
    await user.press("Yes")
    [reply] = await user.send(dmy(date(year + 1, 12, 31) + timedelta(days=400)))
    assert "future" in reply.text
    [reply] = await user.send("31.02.2025")
    assert reply.text.startswith("There is no such date.")
    await user.send(dmy(date(year, 3, 1)))
    [reply] = await user.send(dmy(date(year, 2, 1)))
    assert reply.text.startswith("The date of leaving is before the date of entry.")
    await user.send(dmy(date(year, 3, 10)))
    await user.press("Yes")  # another trip last year
    [reply] = await user.send(dmy(date(year, 3, 5)))
    assert reply.text.startswith(f"Trips cannot overlap. Trips so far: {format_date(date(year, 3, 1), 'en')}")
    await user.send(dmy(date(year, 4, 1)))
    [more] = await user.press("I am still there")  # the latest trip may still be going on
    assert more.text.startswith("Trips so far:") and "still there" in more.text
    await app.restart()
    [undone] = await user.press("Back")
    assert undone.text.startswith("On what date did you leave?")
    [confirm] = await user.press("Cancel")  # nine questions in: asked once before they are lost
    assert confirm.text == "Stop the check? Your answers so far will be lost."
    [stopped] = await user.press("Yes, stop")
    assert stopped.text == "Stopped. Nothing was saved."
    assert first.text.startswith("Check my situation")


async def test_reminders_are_listed_cancelled_and_added(tg: FakeTelegram, app: RunningApp):
    user = tg.user(5900, language_code="en")
    [empty] = await user.send("/reminders")
    assert empty.text.startswith("Your reminders\nYou have no reminders yet.")
    [question] = await user.press("➕ Passport")
    assert question.text == "On what date does your passport expire? For example: 05.03.2027"
    [reply] = await user.send(dmy(users_today()))
    assert reply.text.startswith("Please type a date in the future.")
    expiry = users_today() + timedelta(days=100)
    [done] = await user.send(format_date(expiry, "en"))
    assert done.text.startswith("Done. I will remind you on:")
    [listing] = await user.send("/reminders")
    assert (
        f"1. Passport expires: {format_date(expiry, 'en')}. Next reminder: {format_date(expiry - timedelta(30), 'en')}."
        in listing.text
    )
    [edited] = await user.press("✖ Cancel 1")
    assert edited.message_id == listing.message_id and "You have no reminders yet." in edited.text
    assert await app.db.fetchval("SELECT count(*) FROM reminders WHERE user_id = 5900") == 0


async def test_a_document_reminder_is_sent_once_in_the_users_language(tg: FakeTelegram, app: RunningApp):
    from bot.db import reminders

    user = tg.user(5950, language_code="ky")
    await user.send("/start")
    await user.press("Кыргызча")
    subject = users_today() + timedelta(days=7)
    await reminders.schedule(app.db, 5950, [("passport_expiry", subject, users_today() - timedelta(days=1))])
    await app.restart()
    expected = plain(
        t(
            "⏰ <b>Reminder from Koldoo</b>\nYour passport expires on {date} (days left: {days}). Apply for a new one "
            "in time: at an embassy or consulate of Kyrgyzstan, or at home before you travel.",
            "ky",
        ).format(date=format_date(subject, "ky"), days=7)
    )

    def delivered() -> list:
        return [m for m in tg.chat(5950) if m.from_bot and m.text and m.text.startswith(expected)]

    await tg.wait_for(lambda: delivered(), timeout=5)
    await app.restart()
    await user.send("/menu")
    assert len(delivered()) == 1


@pytest.mark.parametrize("locale", LOCALES)
async def test_defect_2_an_older_overstay_is_asked_and_still_bans(tg: FakeTelegram, app: RunningApp, locale: str):
    user = tg.user(6000 + LOCALES.index(locale), language_code=locale)
    year = users_today().year - 4  # a trip before last year, judged by 90 in any 180 days before 2025
    entry = date(year, 1, 1)
    left = entry + timedelta(days=89 + 200)  # 200 days over: 5 years from the exit
    await user.send("/ban")
    await user.press(t("🇷🇺 Russia", locale))
    await user.press(t("No", locale))
    [old] = await user.press(t("No", locale))
    assert format_date(date(users_today().year - 1, 1, 1), locale) in old.text
    await user.press(t("Yes", locale))
    await user.send(dmy(entry))
    await user.send(dmy(left))
    await user.press(t("No", locale))  # no other older overstay
    photo, result = await no_times(user, locale, 1 + BAN_QUESTIONS)  # no contract, no ban answers
    assert_timeline(photo)
    five = ground("overstay_180")
    end = add_years(left, 5)
    assert five.clause.get(locale) in result.text
    if end >= users_today():
        assert plain(
            t("<b>Last day of the longest ban: {end}. You may enter from {date}.</b>", locale).format(
                end=format_date(end, locale), date=format_date(end + timedelta(days=1), locale)
            )
        ) in result.text


@pytest.mark.parametrize("locale", LOCALES)
async def test_defect_9_two_readmissions_and_the_medical_exam(tg: FakeTelegram, app: RunningApp, locale: str):
    user = tg.user(6100 + LOCALES.index(locale), language_code=locale)
    first, second = users_today() - timedelta(days=900), users_today() - timedelta(days=100)
    await user.send("/ban")
    await user.press(t("🇷🇺 Russia", locale))
    await no_times(user, locale, 2 + 1 + 1 + 1)  # no trips, no older overstay, no contract, not expelled
    [dates] = await user.press(t("Yes", locale))  # readmitted
    assert dates.text.startswith(t("Type the date of each readmission, one date per message.", locale))
    await user.send(dmy(first))
    await user.send(dmy(second))
    await user.press(t("Done", locale))
    await no_times(user, locale, 4)  # fines (2), debts, conviction
    photo, result = await user.press(t("Yes", locale))  # the medical examination
    assert photo.kind == "photo"
    assert ground("removal").clause.get(locale) in result.text
    assert ground("repeated_removal").clause.get(locale) not in result.text
    assert ground("medical_exam").title.get(locale) in result.text
    assert format_date(add_years(second, 5), locale) in result.text
