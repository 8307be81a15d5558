"""End to end: staff are people, not ids (issue 14). /grant by @username or by a forwarded message, a warning
for an id that never used the bot, names and Bishkek time in /staff and in a request's history."""

from __future__ import annotations

from bot.db.staff import role_of
from bot.db.users import find_by_username
from bot.devtools.fake_telegram import FakeTelegram
from tests.conftest import COORDINATOR_ID, RunningApp
from tests.test_training_e2e import apply


async def test_grant_by_username_of_someone_who_started_the_bot(tg: FakeTelegram, app: RunningApp) -> None:
    coordinator = tg.user(COORDINATOR_ID, language_code="en")
    await tg.user(4001, language_code="en", username="Aida_K").send("/start")
    assert await find_by_username(app.db, "@aida_k") == 4001  # stored on each update, case ignored
    [reply] = await coordinator.send("/grant @aida_k volunteer")
    assert reply.text == "Done: @aida_k (4001) is now a volunteer."
    assert await role_of(app.db, 4001, []) == "volunteer"
    [reply] = await coordinator.send("/grant @nobody_here volunteer")
    assert reply.text.startswith("Nobody with the username @nobody_here has started the bot.")
    [listing] = await coordinator.send("/staff")
    assert listing.text.startswith("Staff (times in Bishkek time)")
    assert "• @aida_k (4001): volunteer, since " in listing.text


async def test_a_changed_username_replaces_the_old_one(tg: FakeTelegram, app: RunningApp) -> None:
    user = tg.user(4002, language_code="en", username="old_name")
    await user.send("/start")
    user.username = None  # removed in Telegram's settings: not kept
    await user.send("/menu")
    assert await find_by_username(app.db, "old_name") is None


async def test_grant_by_a_forwarded_message(tg: FakeTelegram, app: RunningApp) -> None:
    coordinator = tg.user(COORDINATOR_ID, language_code="en")
    volunteer = tg.user(4003, first_name="Nurlan", language_code="en")
    await volunteer.send("/start")
    [prompt] = await coordinator.send("/grant volunteer")
    assert prompt.text == "Forward me a message from the person who should become a volunteer, or /cancel."
    [wrong] = await coordinator.send("4003")
    assert wrong.text.startswith("That is not a forwarded message.")
    [reply] = await coordinator.forward("Hello, I want to help", author=volunteer)
    assert reply.text == "Done: 4003 is now a volunteer."
    assert await role_of(app.db, 4003, []) == "volunteer"


async def test_grant_as_a_reply_to_a_forwarded_message(tg: FakeTelegram, app: RunningApp) -> None:
    coordinator = tg.user(COORDINATOR_ID, language_code="en")
    helper = tg.user(4004, language_code="en", username="bakyt")
    await helper.send("/start")
    await coordinator.forward("I can translate", author=helper)
    forwarded_id = max(message_id for message_id in tg._chats[COORDINATOR_ID] if not tg._chats[COORDINATOR_ID][message_id].from_bot)
    [reply] = await coordinator.reply("/grant coordinator", forwarded_id)
    assert reply.text == "Done: @bakyt (4004) is now a coordinator."


async def test_a_hidden_forward_is_said_clearly(tg: FakeTelegram, app: RunningApp) -> None:
    coordinator = tg.user(COORDINATOR_ID, language_code="en")
    await coordinator.send("/grant volunteer")
    [reply] = await coordinator.forward("hi", hidden_name="Aigul")
    assert reply.text.startswith("Aigul hides their account in forwarded messages")
    assert "/grant @username volunteer" in reply.text
    assert await app.db.fetchval("SELECT COUNT(*) FROM staff") == 0


async def test_an_id_that_never_used_the_bot_gets_a_warning(tg: FakeTelegram, app: RunningApp) -> None:
    coordinator = tg.user(COORDINATOR_ID, language_code="en")
    [reply] = await coordinator.send("/grant 4999 volunteer")
    assert reply.text.split("\n")[1].startswith("⚠️ 4999 has never used the bot: check the id.")
    await tg.user(4005, language_code="en").send("/start")
    [reply] = await coordinator.send("/grant 4005 volunteer")
    assert "⚠️" not in reply.text


async def test_the_history_names_the_coordinator(tg: FakeTelegram, app: RunningApp) -> None:
    coordinator = tg.user(COORDINATOR_ID, language_code="en", username="coord_aida")
    await coordinator.send("/start")
    await coordinator.press("English")
    await apply(tg, 4006)
    await coordinator.press("Open")
    [card] = await coordinator.press("Contacted")
    assert "History (times in Bishkek time)" in card.text
    assert " · @coord_aida · New → Contacted" in card.text
