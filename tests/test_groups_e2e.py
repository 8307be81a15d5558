"""End to end in group chats: the coordinators' group holds references, programmes and statuses only; cards
open in the pressing coordinator's private chat; dialogues with personal data run in private chats only."""

from __future__ import annotations

import time

import pytest

from bot.devtools.fake_telegram import FakeTelegram
from bot.devtools.fake_users import command_entities
from tests.conftest import COORDINATOR_ID, RunningApp
from tests.test_training_e2e import OSH_CENTRE, apply, fill_form

GROUP = -100500
SECRETS = ("Aigul", "+996", "555", "Call after 18:00", "Osh\n", "City or village")


def group_texts(tg: FakeTelegram, chat_id: int = GROUP) -> str:
    return "\n".join(
        (message.text or "") + " " + " ".join(str(button) for button in message.buttons) for message in tg.chat(chat_id)
    )


def assert_no_personal_data(tg: FakeTelegram, chat_id: int = GROUP) -> None:
    texts = group_texts(tg, chat_id)
    assert not [secret for secret in SECRETS if secret in texts], texts


@pytest.fixture
async def group_app(tg: FakeTelegram, make_app) -> RunningApp:
    tg.known_chats.add(GROUP)
    return await make_app(coordinator_chat_id=GROUP, default_locale="en")  # the group reads English


async def test_open_in_the_group_sends_the_card_to_the_coordinator_privately(
    tg: FakeTelegram, group_app: RunningApp
) -> None:
    reference = await apply(tg, 3001)
    coordinator = tg.user(COORDINATOR_ID, language_code="en")
    in_group = coordinator.in_group(GROUP)
    [announcement] = tg.chat(GROUP)
    assert announcement.text == f"📥 Request {reference} · New\nCentre of Excellence, OshSU"

    before = len(coordinator.messages)
    await in_group.press("Open")
    [card] = coordinator.messages[before:]
    assert reference in card.text and "Aigul Toktogulova" in card.text and "+996555123456" in card.text
    assert "Call after 18:00" in card.text
    assert tg.callback_answers[tg.calls_of("answerCallbackQuery")[-1].params["callback_query_id"]]["text"] == (
        "I sent it to you in a private chat."
    )
    assert_no_personal_data(tg)

    await coordinator.press("Contacted")  # on the private card
    await coordinator.press("Add note")
    await coordinator.send("Aigul will come on Monday")
    assert "Aigul will come on Monday" in coordinator.last.text
    [announcement] = await in_group.press("Open")  # the group line catches up with the status, nothing more
    assert announcement.text == f"📥 Request {reference} · Contacted\nCentre of Excellence, OshSU"
    assert_no_personal_data(tg)


async def test_a_member_who_is_not_a_coordinator_sees_nothing_more(tg: FakeTelegram, group_app: RunningApp) -> None:
    await apply(tg, 3002)
    stranger = tg.user(3999, language_code="en").in_group(GROUP)
    replies = await stranger.press("Open")
    assert replies == []
    assert tg.callback_answers[tg.calls_of("answerCallbackQuery")[-1].params["callback_query_id"]]["text"] == (
        "Sorry, this is only for Koldoo coordinators."
    )
    assert tg.chat(3999) == []
    assert_no_personal_data(tg)


async def test_a_coordinator_the_bot_cannot_write_to_is_sent_to_the_private_chat(
    tg: FakeTelegram, group_app: RunningApp
) -> None:
    reference = await apply(tg, 3003)
    tg.not_started.add(COORDINATOR_ID)
    coordinator = tg.user(COORDINATOR_ID, first_name="Bakyt", language_code="en")
    in_group = coordinator.in_group(GROUP)
    [notice] = await in_group.press("Open")
    assert notice.text.startswith("Bakyt, I cannot write to you in private yet.")
    [button] = notice.buttons
    assert button["url"] == f"https://t.me/{tg.bot_username}?start=card-{reference.rsplit('-', 1)[1].lstrip('0')}"
    assert_no_personal_data(tg)

    [card] = await coordinator.send(f"/start {button['url'].split('start=')[1]}")
    assert reference in card.text and "Aigul Toktogulova" in card.text


async def test_the_card_link_is_for_coordinators_only(tg: FakeTelegram, group_app: RunningApp) -> None:
    await apply(tg, 3004)
    [reply] = await tg.user(3005, language_code="en").send("/start card-1")
    assert reply.text == "Sorry, this is only for Koldoo coordinators."


async def test_the_referral_form_in_a_group_leads_to_the_private_chat(tg: FakeTelegram, app: RunningApp) -> None:
    migrant = tg.user(3010, language_code="en")
    in_group = migrant.in_group(-100777)
    section, region, trade, programme, _apply = OSH_CENTRE["en"]
    await in_group.send("/training")  # the catalogue is public knowledge: fine in a group
    for label in (section, region, trade, programme):
        await in_group.press(label)
    [pointer] = await in_group.press("Apply")
    assert pointer.text.startswith("I work with personal details in a private chat only")
    [button] = pointer.buttons
    assert button["url"] == f"https://t.me/{tg.bot_username}?start=ap-training-osh_centre_of_excellence"
    assert await app.db.fetchval("SELECT COUNT(*) FROM fsm_state") == 0

    [consent] = await migrant.send("/start ap-training-osh_centre_of_excellence")
    assert consent.text.startswith("Before you apply") and "Agree" in consent.button_texts()
    await migrant.press("Agree")
    [question] = await migrant.send("Aigul Toktogulova")
    assert question.text.startswith("Your phone number")
    assert "Aigul" not in group_texts(tg, -100777)


@pytest.mark.parametrize("command", ["/ban", "/stay", "/my", "/forget", "/settings", "/export"])
async def test_commands_with_personal_data_answer_in_a_group_with_a_private_link(
    tg: FakeTelegram, app: RunningApp, command: str
) -> None:
    member = tg.user(COORDINATOR_ID, language_code="en").in_group(-100777)
    [reply] = await member.send(command)
    assert reply.text.startswith("I work with personal details in a private chat only")
    assert reply.buttons[0]["url"] == f"https://t.me/{tg.bot_username}"
    assert await app.db.fetchval("SELECT COUNT(*) FROM fsm_state") == 0


async def test_menu_buttons_with_personal_data_lead_to_the_private_chat(tg: FakeTelegram, app: RunningApp) -> None:
    member = tg.user(3011, language_code="en").in_group(-100777)
    await member.send("/menu")
    replies = await member.press("My requests")
    assert replies[-1].text.startswith("I work with personal details in a private chat only")


async def test_a_form_started_privately_stays_private(tg: FakeTelegram, app: RunningApp) -> None:
    """The dialogue state is per chat: an answer typed in a group is not taken as the form's answer."""
    migrant = tg.user(3012, language_code="en")
    await fill_form(migrant)
    replies = await migrant.in_group(-100777).send("Aigul Toktogulova")
    assert all("Please check" not in reply.text for reply in replies)


async def test_start_from_an_anonymous_group_admin(tg: FakeTelegram, app: RunningApp) -> None:
    group = -100777
    tg.known_chats.add(group)
    anonymous = {"id": 1087968824, "is_bot": True, "first_name": "Group", "username": "GroupAnonymousBot"}
    message = tg.add_message(
        group, from_bot=False, kind="text", sender=anonymous, text="/start", entities=command_entities("/start")
    )
    update = message.to_api() | {"sender_chat": {"id": group, "type": "supergroup", "title": f"Group {group}"}}
    marker = tg.activity_marker()
    await tg.wait_handled(tg.push_update({"message": update}))
    [welcome] = tg.bot_activity(group, since=marker)
    assert welcome.text.startswith("Салам!")  # the default language: an anonymous admin has none


async def test_a_message_without_a_sender_is_ignored(tg: FakeTelegram, app: RunningApp) -> None:
    """A channel post has no `from`: nobody to answer, and nothing breaks."""
    group = -100778
    tg.known_chats.add(group)
    update = {
        "message_id": 1,
        "date": int(time.time()),
        "chat": {"id": group, "type": "supergroup", "title": "Channel chat"},
        "sender_chat": {"id": -100999, "type": "channel", "title": "A channel"},
        "text": "/start",
        "entities": command_entities("/start"),
    }
    marker = tg.activity_marker()
    await tg.wait_handled(tg.push_update({"message": update}))
    assert tg.bot_activity(group, since=marker) == []
