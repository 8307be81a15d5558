"""End to end: the /ban self-check in all three languages, re-asked bad dates, restarts, reminders."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.db import reminders
from bot.devtools.fake_telegram import FakeTelegram
from bot.handlers.ban import MVD_CHECK_URL
from bot.i18n import Catalogues, format_date
from bot.services.dates import add_months, add_years, users_today
from tests.conftest import RunningApp
from tests.content_helpers import shipped_content

I18N = Catalogues()
RULES = shipped_content().ban_rules
LOCALES = ["ky", "ru", "en"]


def t(msgid: str, locale: str) -> str:
    with I18N.context():
        return I18N.gettext(msgid, locale=locale)


def dmy(day: date) -> str:
    return day.strftime("%d.%m.%Y")


async def answer_no_to_the_rest(user, locale: str, count: int):
    replies = []
    for _ in range(count):
        replies = await user.press(t("No", locale))
    return replies


def test_the_official_check_button_uses_the_punycode_domain():
    assert MVD_CHECK_URL == "http://xn--b1afk4ade4e.xn--b1ab2a0a.xn--b1aew.xn--p1ai/info-service.htm?sid=3000"
    assert "сервисы.гувм.мвд.рф".encode("idna").decode() in MVD_CHECK_URL


@pytest.mark.parametrize("locale", LOCALES)
async def test_overstay_of_200_days_gives_the_five_year_clause(
    tg: FakeTelegram, app: RunningApp, locale: str
):
    user = tg.user(3000 + LOCALES.index(locale), language_code=locale)
    allowed_until = users_today() - timedelta(days=400)
    departure = allowed_until + timedelta(days=200)

    [question] = await user.send("/ban")
    assert question.button_texts() == [
        t("Yes", locale),
        t("No", locale),
        t("Back", locale),
        t("Cancel", locale),
    ]
    await user.press(t("Yes", locale))
    await user.send(dmy(allowed_until))
    await user.send(dmy(departure))
    [result] = await answer_no_to_the_rest(user, locale, 5)

    ground = next(g for g in RULES.grounds if g.id == "overstay_180")
    end = format_date(add_years(departure, 5), locale)
    assert ground.clause.get(locale) in result.text and ground.title.get(locale) in result.text
    assert (
        t("From {start} to {end}.", locale).format(start=format_date(departure, locale), end=end)
        in result.text
    )
    assert (
        t("<b>Latest end of a ban: {date}</b>", locale)
        .format(date=end)
        .replace("<b>", "")
        .replace("</b>", "")
        in result.text
    )
    three_years = next(g for g in RULES.grounds if g.id == "overstay_30")
    assert three_years.clause.get(locale) not in result.text  # replaced by the harsher clause
    assert RULES.overstay_exceptions.get(locale) in result.text
    assert "xn--b1afk4ade4e" in str(result.reply_markup)
    assert result.button_texts()[1:3] == [t("Get legal help", locale), t("Remind me", locale)]


async def test_get_legal_help_lists_legal_aid_and_leads_to_a_referral(tg: FakeTelegram, app: RunningApp):
    user = tg.user(3050, language_code="en")
    await user.send("/ban")
    await user.press("Yes")
    departure = users_today() - timedelta(days=10)
    await user.send(dmy(departure - timedelta(days=300)))
    await user.send(dmy(departure))
    await answer_no_to_the_rest(user, "en", 5)
    [services] = await user.press("Get legal help")
    assert services.text.startswith("Legal aid")
    [card] = await user.press(services.button_texts()[0])
    [consent] = await user.press("Ask for help")
    assert consent.button_texts() == ["Agree", "Cancel"]
    assert card.text


@pytest.mark.parametrize("locale", LOCALES)
async def test_two_fines_give_the_discretionary_three_year_ground(
    tg: FakeTelegram, app: RunningApp, locale: str
):
    user = tg.user(3100 + LOCALES.index(locale), language_code=locale)
    first, second = users_today() - timedelta(days=500), users_today() - timedelta(days=30)
    await user.send("/ban")
    await user.press(t("No", locale))
    await user.press(t("Yes", locale))
    await user.send(dmy(first))
    [listing] = await user.send(dmy(second))
    assert format_date(first, locale) in listing.text and format_date(second, locale) in listing.text
    await user.press(t("Done", locale))
    [result] = await answer_no_to_the_rest(user, locale, 4)

    assert next(g for g in RULES.grounds if g.id == "admin_offences").clause.get(locale) in result.text
    assert t("entry may be refused (the authorities decide)", locale) in result.text
    assert format_date(add_years(second, 3), locale) in result.text


@pytest.mark.parametrize("locale", LOCALES)
async def test_garbage_dates_are_explained_and_asked_again(tg: FakeTelegram, app: RunningApp, locale: str):
    user = tg.user(3200 + LOCALES.index(locale), language_code=locale)
    await user.send("/ban")
    [nudge] = await user.send("maybe")
    assert nudge.text.startswith(t("Please answer with one of the buttons below.", locale))
    [date_question] = await user.press(t("Yes", locale))
    cases = {
        "soon": "I could not read a date. Please type it like this: 05.03.2024",
        "31.02.2024": "There is no such date. Please check the day and the month, for example: 05.03.2024",
        dmy(
            users_today() + timedelta(days=3)
        ): "This date is in the future. Please type a date that has already passed, for example: 05.03.2024",
    }
    for text, msgid in cases.items():
        [reply] = await user.send(text)
        assert reply.text == t(msgid, locale) + "\n\n" + date_question.text
    [sticker_reply] = await user.send_sticker()
    assert sticker_reply.text.endswith(date_question.text)

    allowed_until = users_today() - timedelta(days=100)
    await user.send(dmy(allowed_until))
    [reply] = await user.send(dmy(allowed_until - timedelta(days=1)))
    assert reply.text.startswith(
        t(
            "This day is before your allowed stay ended, so there was no overstay. Please "
            "check the date, or press Back to correct the end of your stay.",
            locale,
        )
    )


async def test_back_and_cancel(tg: FakeTelegram, app: RunningApp):
    user = tg.user(3300, language_code="en")
    [first] = await user.send("/ban")
    await user.press("No")
    await user.press("Yes")
    await user.send("01.02.2024")
    [listing] = await user.send("01.03.2024")
    assert "1 February 2024, 1 March 2024" in listing.text
    [undone] = await user.press("Back")
    assert "Added so far: 1 February 2024." in undone.text
    await user.press("Back")
    [admin_again] = await user.press("Back")
    assert admin_again.text.startswith("Were you punished")
    [back_to_first] = await user.press("Back")
    assert back_to_first.text == first.text
    [stopped] = await user.press("Cancel")
    assert stopped.text == "Stopped. Nothing was saved."
    [menu_reply] = await user.send("01.03.2024")
    assert (
        menu_reply.text == "I understand buttons and short questions. Choose a section:"
    )  # dialogue is over


async def test_a_restart_in_the_middle_resumes_the_dialogue(tg: FakeTelegram, app: RunningApp):
    user = tg.user(3400, language_code="ru")
    allowed_until = users_today() - timedelta(days=60)
    await user.send("/ban")
    await user.press("Да")
    await user.send(dmy(allowed_until))
    await app.restart()
    [admin_question] = await user.press("Я всё ещё в России")
    assert admin_question.text.startswith("Вас наказывали в России")
    [result] = await answer_no_to_the_rest(user, "ru", 5)
    assert "подп. 12 п. 1 ст. 27" in result.text  # 60 days of overstay: the 3-year clause
    assert format_date(add_years(users_today(), 3), "ru") in result.text
    assert "Вы всё ещё в России" in result.text


async def test_remind_me_stores_two_reminders(tg: FakeTelegram, app: RunningApp):
    user = tg.user(3500, language_code="en")
    departure = users_today() - timedelta(days=10)
    await user.send("/ban")
    await user.press("Yes")
    await user.send(dmy(departure - timedelta(days=40)))
    await user.send(dmy(departure))
    await answer_no_to_the_rest(user, "en", 5)
    [done] = await user.press("Remind me")
    end = add_years(departure, 3)
    assert (
        done.text
        == f"Done. I will remind you on: {format_date(add_months(end, -2), 'en')}, {format_date(end, 'en')}."
    )
    rows = await app.db.fetchall(
        "SELECT kind, subject_date FROM reminders WHERE user_id = 3500 ORDER BY due_on"
    )
    assert [tuple(row) for row in rows] == [
        ("check_before_travel", end.isoformat()),
        ("ban_end", end.isoformat()),
    ]


async def test_remind_me_without_a_ban_asks_for_the_travel_date(tg: FakeTelegram, app: RunningApp):
    user = tg.user(3600, language_code="en")
    await user.send("/ban")
    [result] = await answer_no_to_the_rest(user, "en", 6)
    assert "No ground for an entry ban was found" in result.text
    [question] = await user.press("Remind me")
    assert question.text.startswith("When do you plan to travel")
    [reply] = await user.send(dmy(users_today() - timedelta(days=1)))
    assert reply.text.startswith("Please type a date in the future.")
    travel = users_today() + timedelta(days=200)
    [done] = await user.send(dmy(travel))
    assert done.text.startswith("Done. I will remind you on:")
    assert (
        await app.db.fetchval("SELECT subject_date FROM reminders WHERE user_id = 3600") == travel.isoformat()
    )


async def test_a_reminder_due_in_the_past_is_sent_once_after_start(tg: FakeTelegram, app: RunningApp):
    user = tg.user(3700, language_code="ky")
    await user.send("/start")
    await user.press("Кыргызча")
    yesterday = users_today() - timedelta(days=1)
    await reminders.schedule(app.db, 3700, [("ban_end", yesterday, yesterday)])
    await app.restart()
    header = t(
        "⏰ <b>Reminder from Koldoo</b>\nBy your self-check, your entry ban ends on {date}. "
        "Before you travel, make sure with the official check that it has really ended.",
        "ky",
    )
    expected = header.replace("<b>", "").replace("</b>", "").format(date=format_date(yesterday, "ky"))

    def delivered() -> list:
        return [m for m in tg.chat(3700) if m.from_bot and m.text and m.text.startswith(expected)]

    await tg.wait_for(lambda: delivered(), timeout=5)
    await app.restart()
    await user.send("/menu")  # the bot has certainly run its first reminder pass by now
    assert len(delivered()) == 1
