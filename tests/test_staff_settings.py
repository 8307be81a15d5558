"""End to end: coordinators manage staff roles; subscribers choose region, topics and subscription."""

from __future__ import annotations

import pytest

from bot.db.staff import role_of
from bot.db.subscriptions import get_subscription
from bot.devtools.fake_telegram import FakeTelegram
from tests.conftest import COORDINATOR_ID, RunningApp

GRANT_USAGE = (
    "Usage: /grant @username volunteer|coordinator, /grant USER_ID volunteer|coordinator, or /grant "
    "volunteer|coordinator as a reply to a message forwarded from the person."
)


async def audit_actions(app: RunningApp) -> list[tuple[int, str, str]]:
    rows = await app.db.fetchall("SELECT actor_id, action, target FROM audit_log ORDER BY id")
    return [tuple(row) for row in rows]


async def test_coordinator_grants_lists_and_revokes_roles(tg: FakeTelegram, app: RunningApp) -> None:
    coordinator = tg.user(COORDINATOR_ID, language_code="en")
    [reply] = await coordinator.send("/grant 1234 volunteer")
    assert reply.text.startswith("Done: 1234 is now a volunteer.\n⚠️ 1234 has never used the bot")
    assert await role_of(app.db, 1234, []) == "volunteer"
    [reply] = await coordinator.send("/grant 1234 coordinator")
    assert reply.text.startswith("Done: 1234 is now a coordinator.")

    [listing] = await coordinator.send("/staff")
    assert f"{COORDINATOR_ID}: coordinator (ADMIN_IDS)" in listing.text
    assert "1234: coordinator" in listing.text

    [reply] = await coordinator.send("/revoke 1234")
    assert reply.text == "Done: 1234 is no longer a coordinator."
    assert await role_of(app.db, 1234, []) is None
    [reply] = await coordinator.send("/revoke 1234")
    assert reply.text == "1234 has no staff role."
    assert await audit_actions(app) == [
        (COORDINATOR_ID, "staff.grant", "1234"),
        (COORDINATOR_ID, "staff.grant", "1234"),
        (COORDINATOR_ID, "staff.revoke", "1234"),
    ]


@pytest.mark.parametrize(
    ("command", "usage"),
    [
        ("/grant", GRANT_USAGE),
        ("/grant 12", GRANT_USAGE),
        ("/grant abc volunteer", GRANT_USAGE),
        ("/grant 12 boss", GRANT_USAGE),
        ("/grant -5 volunteer", GRANT_USAGE),
        ("/revoke", "Usage: /revoke USER_ID"),
        ("/revoke 1 2", "Usage: /revoke USER_ID"),
        ("/grant ²³ volunteer", GRANT_USAGE),
        ("/grant ١٢٣ volunteer", GRANT_USAGE),
        ("/grant 1_000 volunteer", GRANT_USAGE),
        ("/grant 99999999999999999999 volunteer", GRANT_USAGE),
        ("/revoke ¹", "Usage: /revoke USER_ID"),
        ("/revoke 0", "Usage: /revoke USER_ID"),
    ],
)
async def test_malformed_arguments_get_the_usage_line(
    tg: FakeTelegram, app: RunningApp, command: str, usage: str
) -> None:
    [reply] = await tg.user(COORDINATOR_ID, language_code="en").send(command)
    assert reply.text == usage
    assert await audit_actions(app) == []


async def test_admin_ids_coordinators_are_not_changed_by_commands(tg: FakeTelegram, app: RunningApp) -> None:
    coordinator = tg.user(COORDINATOR_ID, language_code="ru")
    [reply] = await coordinator.send(f"/revoke {COORDINATOR_ID}")
    assert "ADMIN_IDS" in reply.text
    assert await role_of(app.db, COORDINATOR_ID, [COORDINATOR_ID]) == "coordinator"


async def test_only_coordinators_manage_staff(tg: FakeTelegram, app: RunningApp) -> None:
    coordinator = tg.user(COORDINATOR_ID, language_code="en")
    await coordinator.send("/grant 2002 volunteer")
    volunteer = tg.user(2002, language_code="en")
    [reply] = await volunteer.send("/grant 2002 coordinator")
    assert reply.text.startswith("I don't know this command")
    [reply] = await tg.user(2003, language_code="en").send("/staff")
    assert reply.text.startswith("I don't know this command")
    assert await role_of(app.db, 2002, []) == "volunteer"


@pytest.mark.parametrize(
    ("locale", "done"),
    [
        ("ky", "Даяр: 77 эми ыктыярчы."),
        ("ru", "Готово: 77 теперь волонтёр."),
        ("en", "Done: 77 is now a volunteer."),
    ],
)
async def test_grant_speaks_the_coordinators_language(
    tg: FakeTelegram, app: RunningApp, locale: str, done: str
) -> None:
    [reply] = await tg.user(COORDINATOR_ID, language_code=locale).send("/grant 77 volunteer")
    assert reply.text.split("\n")[0] == done  # then the warning: 77 never used the bot


async def test_settings_region_topics_and_subscription(tg: FakeTelegram, app: RunningApp) -> None:
    user = tg.user(3001, language_code="ru")
    [screen] = await user.send("/settings")
    assert screen.text.startswith("Настройки")
    assert "🔔 Вы получаете рассылки." in screen.text
    assert "✅ Предупреждения о безопасности" in screen.button_texts()
    assert "⬜ Работа и обучение" in screen.button_texts()

    [screen] = await user.press("⬜ Работа и обучение")
    assert "✅ Работа и обучение" in screen.button_texts()
    [screen] = await user.press("✅ Предупреждения о безопасности")
    assert "⬜ Предупреждения о безопасности" in screen.button_texts()

    [picker] = await user.press("📍 Выбрать регион")
    # the referral form's places: a region at home, a city abroad, or anywhere else in a country
    assert {"Нарынская обл.", "🇷🇺 Москва", "🇷🇺 Россия (другой город)"} <= set(picker.button_texts())
    [screen] = await user.press("Нарынская обл.")
    assert "📍 Регион: Нарынская обл." in screen.text

    [screen] = await user.press("🔕 Отписаться от рассылок")
    assert "🔕 Вы не получаете рассылки." in screen.text
    sub = await get_subscription(app.db, 3001)
    assert (sub.subscribed, sub.region, sub.interests) == (False, "naryn", {"jobs"})


@pytest.mark.parametrize(
    ("locale", "off", "on"),
    [
        ("ky", "🔕 Даяр: сиз жалпы билдирүүлөрдү албайсыз.", "🔔 Даяр: сиз жалпы билдирүүлөрдү аласыз."),
        ("ru", "🔕 Готово: вы не будете получать рассылки.", "🔔 Готово: вы будете получать рассылки."),
        ("en", "🔕 Done: you will not receive broadcasts.", "🔔 Done: you will receive broadcasts."),
    ],
)
async def test_unsubscribe_and_subscribe(
    tg: FakeTelegram, app: RunningApp, locale: str, off: str, on: str
) -> None:
    user = tg.user(3002, language_code=locale)
    [reply] = await user.send("/unsubscribe")
    assert reply.text.startswith(off)
    assert not (await get_subscription(app.db, 3002)).subscribed
    [reply] = await user.send("/subscribe")
    assert reply.text.startswith(on)
    assert (await get_subscription(app.db, 3002)).subscribed


async def test_settings_is_a_menu_section_with_a_way_back(tg: FakeTelegram, app: RunningApp) -> None:
    user = tg.user(3003, language_code="ky")
    [menu] = await user.send("/menu")
    assert "Жөндөөлөр" in menu.button_texts()
    [screen] = await user.press("Жөндөөлөр")
    assert screen.text.startswith("Жөндөөлөр")
    [picker] = await user.press("📍 Аймакты тандоо")
    assert "Ош облусу" in picker.button_texts()
    [screen] = await user.press("Артка")
    assert screen.text.startswith("Жөндөөлөр")


@pytest.mark.parametrize("data", ["set:topic:gossip", "set:region:mars", "set:sub:2", "set:nope"])
async def test_forged_settings_buttons_change_nothing(tg: FakeTelegram, app: RunningApp, data: str) -> None:
    user = tg.user(3004, language_code="en")
    await user.send("/settings")
    await user.press_data(data)
    sub = await get_subscription(app.db, 3004)
    assert (sub.subscribed, sub.region, sub.interests) == (True, None, {"safety"})
