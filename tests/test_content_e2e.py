"""End to end: the pages of issue 17 in every language, the volunteer sign-up, and /ban's way home."""

from __future__ import annotations

from datetime import date

import pytest

from bot.db.referrals import get_referral
from bot.devtools.fake_telegram import FakeTelegram
from bot.services.dates import users_today
from tests.check_helpers import LOCALES, check_russia, t
from tests.conftest import COORDINATOR_ID, RunningApp
from tests.content_helpers import shipped_content
from tests.test_training_e2e import REFERENCE, announced, english_coordinator

CONTENT = shipped_content()


def title(topic_id: str, locale: str) -> str:
    return CONTENT.topics[topic_id].title.get(locale)


async def open_path(user, locale: str, *topic_ids: str):
    """From /guide down the tree by the topics' titles; the last page."""
    await user.send("/guide")
    page = None
    for topic_id in topic_ids:
        [page] = await user.press(title(topic_id, locale))
    return page


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize(
    "path",
    [
        ("coming-home", "reintegration"),
        ("coming-home", "psychosocial"),
        ("coming-home", "settle-in-kyrgyzstan"),
        ("coming-home", "volunteering"),
        ("before-you-go", "trafficking"),
        ("before-you-go", "changes-2025-26"),
        ("russia", "eaeu-rights"),
    ],
)
async def test_the_new_pages_open_in_every_language(
    tg: FakeTelegram, app: RunningApp, locale: str, path: tuple[str, ...]
) -> None:
    user = tg.user(4000 + LOCALES.index(locale), language_code=locale)
    page = await open_path(user, locale, *path)
    topic = CONTENT.topics[path[-1]]
    assert page.text.startswith(topic.title.get(locale))
    assert topic.body.get(locale).split("\n")[0].replace("<b>", "").split("<")[0][:20] in page.text
    assert (t("not verified", locale) in page.text) is (not topic.verified)
    if topic.referral is not None:
        label = "✍️ Sign up" if topic.referral == "volunteer" else "🤝 Ask a coordinator"
        assert t(label, locale) in page.button_texts()


@pytest.mark.parametrize("locale", LOCALES)
async def test_flagged_facts_show_the_mark_inside_a_confirmed_page(
    tg: FakeTelegram, app: RunningApp, locale: str
) -> None:
    user = tg.user(4010 + LOCALES.index(locale), language_code=locale)
    page = await open_path(user, locale, "before-you-go", "changes-2025-26")
    assert "⚠️" in page.text and "1" in page.text  # the unconfirmed 1 July 2026 ruID rule is marked
    assert t("not verified", locale) not in page.text.split("\n")[1]  # the page itself is confirmed


async def test_reintegration_page_leads_into_the_referral_flow(tg: FakeTelegram, app: RunningApp) -> None:
    user = tg.user(4020, language_code="en")
    await open_path(user, "en", "coming-home", "reintegration")
    [services] = await user.press("🤝 Ask a coordinator")
    assert services.text.startswith("Reintegration and grants")
    assert '"Social contract" grant' in services.button_texts()


async def test_a_volunteer_sign_up_reaches_the_coordinator(tg: FakeTelegram, app: RunningApp) -> None:
    coordinator = await english_coordinator(tg)
    user = tg.user(4030, language_code="en")
    await open_path(user, "en", "coming-home", "volunteering")
    [services] = await user.press("✍️ Sign up")
    assert services.text.startswith("Become a volunteer")
    [card] = await user.press("Community volunteer")
    assert "Website:" not in card.text  # Koldoo runs it: there is no other site to send to
    await user.press("✍️ Sign up")
    await user.press("Agree")
    await user.send("Bakyt Asanov")
    await user.send("0555 123 456")
    await user.press("Osh city")
    await user.send("Kara-Suu")
    await user.press("Skip")
    [done] = await user.press("Confirm")
    reference = REFERENCE.search(done.text).group(0)

    await announced(tg, reference)
    notice = next(m for m in tg.chat(COORDINATOR_ID) if reference in (m.text or ""))
    assert "Community volunteer" in notice.text
    assert "Bakyt" not in notice.text  # the announcement holds the reference, not the person
    referral = await get_referral(app.db, int(reference.rsplit("-", 1)[1]))
    assert (referral.kind, referral.item_id, referral.region) == ("service", "community_volunteer", "osh_city")
    [card] = await coordinator.press("Open")
    assert reference in card.text and "Community volunteer" in card.text and "Bakyt Asanov" in card.text


@pytest.mark.parametrize("locale", LOCALES)
async def test_a_ban_result_links_to_coming_home(tg: FakeTelegram, app: RunningApp, locale: str) -> None:
    user = tg.user(4040 + LOCALES.index(locale), language_code=locale)
    year = users_today().year - 1
    await check_russia(user, locale, last_year=[(date(year, 1, 1), date(year, 10, 1))], command="/ban")
    button = t("🏠 Coming home: support", locale)
    assert button in user.last.button_texts()
    [page] = await user.press(button)
    assert page.text.startswith(title("coming-home", locale))
    assert title("reintegration", locale) in page.button_texts()


async def test_no_ban_no_coming_home_button(tg: FakeTelegram, app: RunningApp) -> None:
    user = tg.user(4050, language_code="en")
    today = users_today()
    await check_russia(user, "en", this_year=[(today.replace(day=1), today.replace(day=1))], command="/ban")
    assert "🏠 Coming home: support" not in user.last.button_texts()


@pytest.mark.parametrize(
    ("locale", "source"),
    [("ky", "ЭМУнун Борбор Азия боюнча отчету"), ("ru", "отчёт МОМ по Центральной Азии"), ("en", "IOM Central Asia report")],
)
async def test_a_source_reads_in_the_users_language(tg: FakeTelegram, app: RunningApp, locale: str, source: str) -> None:
    user = tg.user(4060 + LOCALES.index(locale), language_code=locale)
    page = await open_path(user, locale, "coming-home", "reintegration")
    assert source in page.text.rsplit("\n", 1)[-1]  # the source line ends the page
