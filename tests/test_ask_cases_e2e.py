"""Talk to a person, the hard parts: several migrants, media, urgency, reopening, restarts, deleted topics,
blocked migrants, strangers in the group, forged buttons and /forget."""

from __future__ import annotations

from datetime import timedelta

from bot.db import cases as db_cases
from bot.db.clock import utcnow
from bot.db.staff import revoke
from bot.db.subscriptions import set_region
from tests.ask_helpers import GROUP, case_of, eventually, open_case, volunteer, wait_in_topic
from tests.conftest import COORDINATOR_ID

WORK = "Work and wages"
AGREE = "I agree, continue"


async def test_two_migrants_never_receive_each_others_answers(tg, make_app) -> None:
    tg.forum(GROUP)
    app = await make_app(operator_chat_id=GROUP, default_locale="en")
    staff = await volunteer(tg, app, language="en")
    alice, bob = tg.user(1001), tg.user(1002)
    await open_case(alice, WORK, AGREE)
    await open_case(bob, "Documents", AGREE)
    await alice.send("my employer does not pay")
    await bob.send("I lost my passport")
    case_a = await wait_in_topic(tg, app, alice, 1)
    case_b = await wait_in_topic(tg, app, bob, 1)
    assert case_a.thread_id != case_b.thread_id

    await staff.send("answer for the wages case", thread=case_a.thread_id)
    await staff.send("answer for the passport case", thread=case_b.thread_id)
    texts_a = [m.text for m in alice.messages]
    texts_b = [m.text for m in bob.messages]
    assert any("answer for the wages case" in (t or "") for t in texts_a)
    assert not any("passport case" in (t or "") for t in texts_a)
    assert any("answer for the passport case" in (t or "") for t in texts_b)
    assert not any("wages case" in (t or "") for t in texts_b)
    assert [m.text for m in tg.thread(GROUP, case_a.thread_id)][1] == "my employer does not pay"


async def test_media_both_ways_and_a_clear_reply_for_what_cannot_go(tg, make_app) -> None:
    tg.forum(GROUP)
    app = await make_app(operator_chat_id=GROUP, default_locale="en")
    staff = await volunteer(tg, app)
    migrant = tg.user(1001)
    await open_case(migrant, WORK, AGREE)
    await migrant.send_photo(caption="my contract")
    await migrant.send_document("payslip.pdf")
    await migrant.send_voice()
    await migrant.send_video()
    await migrant.send_location()
    await migrant.share_contact("+79001234567", user_id=0, first_name="Boss")
    [refused] = await migrant.send_sticker()
    assert "cannot pass this kind of message on" in refused.text

    case = await wait_in_topic(tg, app, migrant, 6)
    copies = tg.thread(GROUP, case.thread_id)[1:]
    assert [m.kind for m in copies] == ["photo", "document", "voice", "video", "location", "contact"]
    assert copies[0].text == "my contract" and all(m.protected for m in copies)

    await staff.send_photo(case.thread_id, caption="fill in this form")
    photo = migrant.last
    assert photo.kind == "photo" and photo.text == "Koldoo volunteer:\nfill in this form"
    await staff.send_document(case.thread_id, "form.pdf")
    assert migrant.last.kind == "document" and migrant.last.filename == "form.pdf"
    await staff.send_voice(case.thread_id)
    assert migrant.last.kind == "voice" and migrant.last.text == "Koldoo volunteer:"


async def test_the_safety_topic_sends_emergency_numbers_and_alerts_coordinators(tg, make_app) -> None:
    tg.forum(GROUP)
    app = await make_app(operator_chat_id=GROUP, default_locale="en")
    coordinator = tg.user(COORDINATOR_ID)
    migrant = tg.user(1001)
    await migrant.send("/start")
    await set_region(app.db, migrant.id, "russia")
    await migrant.send("/ask")
    await migrant.press("🆘 Safety: trafficking, violence, detention")
    replies = await migrant.press(AGREE)
    numbers = next(m for m in replies if "emergency number" in (m.text or ""))
    assert "Single emergency number" in numbers.text and "☎️ 112" in numbers.text
    assert "Emergency services" not in numbers.text  # Kazakhstan's and Kyrgyzstan's: not where the migrant is
    case = await case_of(app, migrant)
    assert case.urgent and case.thread_id is not None
    assert tg.topic(GROUP, case.thread_id).name.startswith("🆘 #C-")
    alert = tg.chat(coordinator.id)[-1]
    assert f"#C-{case.id}" in alert.text and "Urgent" in alert.text


async def test_the_urgent_button_alerts_once(tg, make_app) -> None:
    tg.forum(GROUP)
    app = await make_app(operator_chat_id=GROUP, default_locale="en")
    tg.user(COORDINATOR_ID)
    staff = await volunteer(tg, app)
    migrant = tg.user(1001)
    await open_case(migrant, WORK, AGREE)
    await migrant.send("they took my passport and lock me in")
    case = await wait_in_topic(tg, app, migrant, 1)
    await staff.press("Urgent", thread=case.thread_id)
    assert (await db_cases.get_case(app.db, case.id)).urgent
    assert any("emergency number" in (m.text or "") for m in migrant.messages)
    assert len([m for m in tg.chat(COORDINATOR_ID) if "#C-" in (m.text or "")]) == 1
    card = tg.thread(GROUP, case.thread_id)[0]
    assert "Urgent" not in card.button_texts() and "Urgent" in card.text


async def test_writing_again_within_7_days_reopens_the_case_later_a_new_one(tg, make_app) -> None:
    tg.forum(GROUP)
    app = await make_app(operator_chat_id=GROUP, default_locale="en")
    staff = await volunteer(tg, app)
    migrant = tg.user(1001)
    await open_case(migrant, WORK, AGREE)
    await migrant.send("first question")
    case = await wait_in_topic(tg, app, migrant, 1)
    await staff.send("/close", thread=case.thread_id)
    assert migrant.keyboard == []

    [screen] = await migrant.send("/ask")
    assert f"#C-{case.id}" in screen.text and "is open" in screen.text
    again = await case_of(app, migrant)
    assert again.id == case.id and not tg.topic(GROUP, case.thread_id).closed
    assert "wrote again within 7 days" in tg.thread(GROUP, case.thread_id)[-1].text

    await migrant.send("/end")
    assert tg.topic(GROUP, case.thread_id).closed
    await app.db.execute(
        "UPDATE cases SET closed_at = ? WHERE id = ?", ((utcnow() - timedelta(days=8)).isoformat(), case.id)
    )
    [screen] = await migrant.send("/ask")
    assert "What is your question about?" in screen.text
    await migrant.press("Documents")
    await migrant.press(AGREE)
    assert (await case_of(app, migrant)).id != case.id


async def test_a_restart_and_a_429_delay_copies_and_waiting_texts_go_as_one_post(tg, make_app) -> None:
    tg.forum(GROUP)
    app = await make_app(operator_chat_id=GROUP, default_locale="en")
    migrant = tg.user(1001)
    await open_case(migrant, WORK, AGREE)
    tg.fail("createForumTopic", status=429, retry_after=30)
    await migrant.send("one")
    await eventually(lambda: _called(tg, "createForumTopic"), message="a first try")
    await migrant.send("two")
    await migrant.send("three")
    await app.restart()
    case = await wait_in_topic(tg, app, migrant, 1)
    posts = tg.thread(GROUP, case.thread_id)
    assert [m.text for m in posts[1:]] == ["one\n\ntwo\n\nthree"] and posts[1].protected


async def _called(tg, method: str) -> bool:
    return bool(tg.calls_of(method))


async def test_two_quick_first_messages_open_one_case_and_one_topic(tg, make_app) -> None:
    tg.forum(GROUP)
    app = await make_app(handle_as_tasks=True, operator_chat_id=GROUP, default_locale="en")
    migrant = tg.user(1001)
    migrant_updates = [migrant.message_update("/ask")]
    tg.push_update(migrant_updates[0])
    await tg.wait_for(lambda: migrant.messages)
    consent_topic = migrant.last
    topic_data = next(b["callback_data"] for b in consent_topic.buttons if b["text"] == WORK)
    tg.push_update({"callback_query": _query(tg, migrant, consent_topic, topic_data)})
    await tg.wait_for(lambda: AGREE in migrant.last.button_texts())
    agree = next(b["callback_data"] for b in migrant.last.buttons if b["text"] == AGREE)
    for _ in range(2):
        tg.push_update({"callback_query": _query(tg, migrant, migrant.last, agree)})
    await eventually(lambda: _open(app, migrant), message="a case")
    tg.push_update(migrant.message_update("first"))
    tg.push_update(migrant.message_update("second"))
    await eventually(lambda: _all_sent(app), message="both copies")
    rows = await app.db.fetchall("SELECT id FROM cases")
    assert len(rows) == 1 and len(tg.topics(GROUP)) == 1 and len(tg.calls_of("createForumTopic")) == 1


def _query(tg, user, message, data: str) -> dict:
    return {
        "id": tg.new_callback_query(),
        "from": user.to_api(),
        "chat_instance": "1",
        "data": data,
        "message": message.to_api(),
    }


async def _open(app, user) -> bool:
    return await db_cases.open_case_of(app.db, user.id) is not None


async def _all_sent(app) -> bool:
    pending = await app.db.fetchval("SELECT COUNT(*) FROM case_messages WHERE status <> 'sent'")
    total = await app.db.fetchval("SELECT COUNT(*) FROM case_messages")
    return total == 2 and pending == 0


async def test_a_topic_deleted_by_hand_is_recreated_with_its_card(tg, make_app) -> None:
    tg.forum(GROUP)
    app = await make_app(operator_chat_id=GROUP, default_locale="en")
    migrant = tg.user(1001)
    await open_case(migrant, WORK, AGREE)
    await migrant.send("hello")
    case = await wait_in_topic(tg, app, migrant, 1)
    tg.delete_topic_by_hand(GROUP, case.thread_id)
    await migrant.send("are you there?")

    async def recreated() -> bool:
        current = await case_of(app, migrant)
        return current.thread_id not in (None, case.thread_id) and len(tg.thread(GROUP, current.thread_id)) == 2

    await eventually(recreated, message="a new topic")
    current = await case_of(app, migrant)
    card, copy = tg.thread(GROUP, current.thread_id)
    assert card.button_texts() == ["Take", "Urgent", "Close"] and copy.text == "are you there?"
    assert any(c.description == "Bad Request: message thread not found" for c in tg.calls_of("copyMessage"))


async def test_a_migrant_who_blocked_the_bot_is_unreachable_and_the_topic_is_told(tg, make_app) -> None:
    tg.forum(GROUP)
    app = await make_app(operator_chat_id=GROUP, default_locale="en")
    staff = await volunteer(tg, app)
    migrant = tg.user(1001)
    await open_case(migrant, WORK, AGREE)
    await migrant.send("hello")
    case = await wait_in_topic(tg, app, migrant, 1)
    tg.blocked.add(migrant.id)
    [told] = await staff.send("we can help", thread=case.thread_id)
    assert "blocked the bot" in told.text
    assert (await case_of(app, migrant)).unreachable
    [refused] = await staff.send("hello?", thread=case.thread_id)
    assert "nothing was sent" in refused.text

    await migrant.send("sorry, I am back")  # writing unblocks the bot
    assert not (await case_of(app, migrant)).unreachable
    await eventually(
        lambda: _topic_has(tg, case.thread_id, "reachable again"), message="the topic told the migrant is back"
    )


async def _topic_has(tg, thread_id: int, text: str) -> bool:
    return any(text in (m.text or "") for m in tg.thread(GROUP, thread_id))


async def test_members_who_are_not_staff_are_ignored(tg, make_app) -> None:
    tg.forum(GROUP)
    app = await make_app(operator_chat_id=GROUP, default_locale="en")
    staff = await volunteer(tg, app)
    stranger = tg.member(tg.user(666, first_name="Stranger"), GROUP)
    migrant = tg.user(1001)
    await open_case(migrant, WORK, AGREE)
    await migrant.send("hello")
    case = await wait_in_topic(tg, app, migrant, 1)
    before = len(migrant.messages)
    assert await stranger.send("give me your address", thread=case.thread_id) == []
    assert await stranger.send("/close", thread=case.thread_id) == []
    assert len(migrant.messages) == before and (await case_of(app, migrant)).is_open

    await revoke(app.db, COORDINATOR_ID, staff.id)  # the role is read on every message
    await staff.send("still here", thread=case.thread_id)
    assert len(migrant.messages) == before


async def test_forged_callbacks_do_nothing(tg, make_app) -> None:
    tg.forum(GROUP)
    app = await make_app(operator_chat_id=GROUP, default_locale="en")
    stranger = tg.member(tg.user(666), GROUP)
    migrant = tg.user(1001)
    other = tg.user(1002)
    await open_case(migrant, WORK, AGREE)
    await migrant.send("hello")
    case = await wait_in_topic(tg, app, migrant, 1)

    await migrant.press_data(f"cs:close:{case.id}")  # from the private chat, a case card button
    await stranger.press("Close", thread=case.thread_id)  # in the group, but not staff
    assert (await case_of(app, migrant)).is_open
    await migrant.send("/end")
    await other.send("/start")
    await other.press_data(f"ar:{case.id}:1")  # rating someone else's case
    await other.press_data("ak:agree:nosuchtopic:menu")
    assert (await db_cases.get_case(app.db, case.id)).rating is None
    assert await db_cases.open_case_of(app.db, other.id) is None


async def test_forget_deletes_cases_messages_and_the_topic(tg, make_app) -> None:
    tg.forum(GROUP)
    app = await make_app(operator_chat_id=GROUP, default_locale="en")
    migrant = tg.user(1001)
    await open_case(migrant, WORK, AGREE)
    await migrant.send("private story")
    case = await wait_in_topic(tg, app, migrant, 1)
    await migrant.send("/forget")
    await migrant.press("Yes, delete everything")
    assert tg.topic(GROUP, case.thread_id) is None
    assert await app.db.fetchval("SELECT COUNT(*) FROM cases") == 0
    assert await app.db.fetchval("SELECT COUNT(*) FROM case_messages") == 0


async def test_without_operator_chat_the_menu_hides_it_and_ask_shows_hotlines(tg, make_app) -> None:
    await make_app()
    migrant = tg.user(1001)
    [welcome] = await migrant.send("/start")
    assert "💬 Ask a person" not in welcome.button_texts()
    [hotlines] = await migrant.send("/ask")
    assert "hotlines" in hotlines.text and "112" in hotlines.text
    assert "1899" not in hotlines.text  # no public page confirms that hotline (issue 17): it is not printed


async def test_edits_and_replies_follow_both_ways(tg, make_app) -> None:
    tg.forum(GROUP)
    app = await make_app(operator_chat_id=GROUP, default_locale="en")
    staff = await volunteer(tg, app)
    migrant = tg.user(1001)
    await open_case(migrant, WORK, AGREE)
    await migrant.send("I worked 30 days")
    mine = [m for m in tg.chat(migrant.id) if not m.from_bot][-1]
    case = await wait_in_topic(tg, app, migrant, 1)
    copy = tg.thread(GROUP, case.thread_id)[1]
    await migrant.edit(mine.message_id, "I worked 40 days")
    await eventually(lambda: _text_is(tg, GROUP, copy.message_id, "I worked 40 days"), message="the edit")

    await staff.send("How much were you promised?", thread=case.thread_id, reply_to=copy.message_id)
    sent = tg.calls_of("sendMessage")[-1]
    assert sent.params["reply_parameters"]["message_id"] == mine.message_id
    question = next(m for m in tg.thread(GROUP, case.thread_id) if m.text == "How much were you promised?")
    await staff.edit(question.message_id, "How much were you paid?")
    assert migrant.last.text == "Koldoo volunteer:\nHow much were you paid?"


async def _text_is(tg, chat_id: int, message_id: int, text: str) -> bool:
    return any(m.message_id == message_id and m.text == text for m in tg.chat(chat_id))


async def test_cases_and_stats_for_staff(tg, make_app) -> None:
    tg.forum(GROUP)
    app = await make_app(operator_chat_id=GROUP, default_locale="en")
    staff = await volunteer(tg, app)
    coordinator = tg.user(COORDINATOR_ID)
    first, second = tg.user(1001), tg.user(1002)
    await open_case(first, WORK, AGREE)
    await first.send("waiting longest")
    await open_case(second, "Documents", AGREE)
    await second.send("waiting less")
    case_1 = await wait_in_topic(tg, app, first, 1)
    case_2 = await wait_in_topic(tg, app, second, 1)
    await staff.press("Take", thread=case_2.thread_id)
    [listing] = await staff.user.send("/cases")
    lines = listing.text.splitlines()
    assert f"#C-{case_1.id}" in lines[1] and f"#C-{case_2.id}" in lines[2] and str(staff.id) in lines[2]
    await staff.send("an answer", thread=case_1.thread_id)
    await staff.send("/close", thread=case_1.thread_id)
    await first.press("4")
    replies = await coordinator.send("/stats")
    text = replies[0].text
    assert "Cases: opened 2 · closed 1 · open 1" in text and "Average rating: 4.0 (1 ratings)" in text
    assert "Median time to first answer: 0 min" in text
