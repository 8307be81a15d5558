"""End to end, issue 14: typed distress inside a dialogue gets the emergency numbers and the same question
again, never taken as the answer; and /settings offers the referral form's places, which broadcasts for a
country reach."""

from __future__ import annotations

import logging

import pytest

from bot.db.referrals import get_referral
from bot.db.subscriptions import get_subscription, set_region
from bot.devtools.fake_telegram import FakeTelegram
from bot.keyboards.callbacks import RemListCb
from tests.check_helpers import LOCALES, plain, t
from tests.conftest import COORDINATOR_ID, RunningApp
from tests.test_broadcast_e2e import add_subscribers, received, send_now, sender, write_draft
from tests.test_training_e2e import OSH_CENTRE, REFERENCE, open_osh_centre, referral_id

NOT_AN_ANSWER = (
    "Your message was not taken as an answer. When you can, answer the question below, or send /cancel to stop."
)
EMERGENCY = "🆘 <b>Emergency</b>\nIf your life or health is in danger, <b>call 112 now</b>. Tap a number to call."


def assert_numbers_then_again(replies, question, locale: str) -> None:
    """The emergency screen first, then the note and the very question that was waiting, its buttons too."""
    assert len(replies) == 2, [m.text for m in replies]
    numbers, again = replies
    assert numbers.text.startswith(plain(t(EMERGENCY, locale))) and "112" in numbers.text
    assert again.text == t(NOT_AN_ANSWER, locale) + "\n\n" + question.text
    assert again.button_texts() == question.button_texts()


def assert_not_logged(caplog: pytest.LogCaptureFixture, words: str) -> None:
    assert caplog.records and all(words not in str(record.__dict__) for record in caplog.records)


@pytest.mark.parametrize(
    ("locale", "words"),
    [("ru", "помогите, задержали"), ("ky", "паспортумду алып алышты"), ("en", "help, I was detained")],
)
async def test_distress_as_the_name_is_not_the_name(
    tg: FakeTelegram, app: RunningApp, caplog: pytest.LogCaptureFixture, locale: str, words: str
):
    caplog.set_level(logging.DEBUG)
    user = tg.user(14_700 + LOCALES.index(locale), language_code=locale)
    await open_osh_centre(user, locale)
    await user.press(OSH_CENTRE[locale][4])
    [question] = await user.press(t("Agree", locale))
    assert_numbers_then_again(await user.send(words), question, locale)
    [phone] = await user.send("Aigul Toktogulova")  # the form goes on from where it was
    assert "🆘" not in phone.text and user.keyboard == [t("Share my number", locale), t("Cancel", locale)]
    await user.send("/cancel")
    assert await app.db.fetchval("SELECT COUNT(*) FROM referrals") == 0
    assert_not_logged(caplog, words)


async def test_distress_as_the_city_or_the_comment_is_not_stored(
    tg: FakeTelegram, app: RunningApp, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.DEBUG)
    tg.user(COORDINATOR_ID, language_code="en")
    user = tg.user(14_710, language_code="en")
    await open_osh_centre(user, "en")
    await user.press("Apply")
    await user.press("Agree")
    await user.send("Aigul Toktogulova")
    await user.send("0555 123 456")
    *_, city = await user.press("🇷🇺 Moscow")  # "Region: Moscow", then the question
    assert_numbers_then_again(await user.send("паспорт забрали"), city, "en")
    [comment] = await user.send("Moscow")
    assert_numbers_then_again(await user.send("police took me"), comment, "en")
    summary = (await user.press("Skip"))[-1]
    assert "паспорт" not in summary.text and "police" not in summary.text
    [done] = await user.press("Confirm")
    referral = await get_referral(app.db, referral_id(REFERENCE.search(done.text).group(0)))
    assert (referral.name, referral.city, referral.comment) == ("Aigul Toktogulova", "Moscow", None)
    assert_not_logged(caplog, "паспорт забрали")


async def test_distress_as_a_date_of_the_check_is_not_a_date(tg: FakeTelegram, app: RunningApp):
    user = tg.user(14_720, language_code="ru")
    await user.send("/stay")
    await user.press(t("🇷🇺 Russia", "ru"))
    [question] = await user.press(t("Yes", "ru"))  # a trip this year: the date of entry, typed
    replies = await user.send("задержали")
    assert_numbers_then_again(replies, question, "ru")
    assert t("I could not read a date. Please type it like this: 05.03.2024", "ru") not in replies[1].text
    [after] = await user.send("05.03.2025")  # the date is still welcome
    assert after.text != question.text and "🆘" not in after.text


async def test_distress_as_a_reminder_date_is_not_a_date(tg: FakeTelegram, app: RunningApp):
    user = tg.user(14_721, language_code="ky")
    [question] = await user.press_data(RemListCb(action="add", kind="passport_expiry").pack())
    replies = await user.send("жардам керек")
    assert_numbers_then_again(replies, question, "ky")
    stopped, _menu = await user.send("/cancel")  # and /cancel still stops it
    assert stopped.text == t("Stopped. Nothing was saved.", "ky")


# -- /settings: the same places as the referral form ---------------------------------------------------------
@pytest.mark.parametrize("locale", LOCALES)
async def test_settings_offer_the_forms_places(tg: FakeTelegram, app: RunningApp, locale: str):
    user = tg.user(14_730 + LOCALES.index(locale), language_code=locale)
    await user.send("/settings")
    [picker] = await user.press(t("📍 Choose region", locale))
    labels = picker.button_texts()
    if locale == "en":
        assert {"Osh city", "Naryn region", "🇷🇺 Moscow", "🇷🇺 Russia (another city)", "🇰🇿 Almaty",
                "🇰🇿 Kazakhstan (another city)"} <= set(labels)
    assert len([label for label in labels if label.startswith("🇷🇺 ")]) == 5  # four cities, anywhere else
    assert len([label for label in labels if label.startswith("🇰🇿 ")]) == 3
    assert len(labels) >= 9 + 8  # the Kyrgyz regions too, and the way back
    assert all(len(b["callback_data"].encode()) <= 64 for b in picker.buttons if "callback_data" in b)
    moscow = "🇷🇺 Moscow" if locale == "en" else "🇷🇺 Москва"
    [settings] = await user.press(moscow)
    assert (await get_subscription(app.db, user.id)).region == "moscow"
    assert t("📍 Region: {region}", locale).format(region=moscow.removeprefix("🇷🇺 ")) in settings.text


async def test_a_broadcast_for_russia_reaches_its_cities_and_one_for_a_city_only_it(
    tg: FakeTelegram, app: RunningApp
):
    moscow, other_russia, almaty, osh = await add_subscribers(app, tg, range(14_740, 14_744), "en")
    for user_id, region in ((moscow, "moscow"), (other_russia, "russia"), (almaty, "almaty"), (osh, "osh")):
        await set_region(app.db, user_id, region)
    coordinator = await sender(tg, "en")
    await write_draft(coordinator, "Checks in the metro")
    await coordinator.press("👥 Audience")
    [picker] = await coordinator.press("By region")
    assert {"🇷🇺 All of Russia", "🇷🇺 Moscow", "🇰🇿 All of Kazakhstan", "🇰🇿 Almaty", "Osh region"} <= set(
        picker.button_texts()
    )
    [draft] = await coordinator.press("🇷🇺 All of Russia")
    assert "Audience: region: 🇷🇺 All of Russia: 2 subscribers" in draft.text
    await coordinator.press("👥 Audience")
    await coordinator.press("By region")
    [draft] = await coordinator.press("🇰🇿 Almaty")
    assert "Audience: region: 🇰🇿 Almaty: 1 subscribers" in draft.text
    await coordinator.press("👥 Audience")
    await coordinator.press("By region")
    await coordinator.press("🇷🇺 All of Russia")
    await send_now(coordinator, app)
    got = {user_id: any("Checks in the metro" in (m.text or "") for m in received(tg, user_id))
           for user_id in (moscow, other_russia, almaty, osh)}
    assert got == {moscow: True, other_russia: True, almaty: False, osh: False}
