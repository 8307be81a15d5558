"""Talk to a person after the close: writing again within 7 days continues the same case, later the message
is a search like anyone's and /ask opens a new case; /privacy says what the consent screen says; the
person's cases are in `user-data` and go with /forget."""

from __future__ import annotations

from datetime import timedelta

from bot.db import cases as db_cases
from bot.db import ops
from bot.db.clock import utcnow
from bot.db.users import touch_user
from tests.ask_helpers import GROUP, case_of, eventually, open_case, volunteer, wait_in_topic

WORK = "Work and wages"
AGREE = "I agree, continue"
END = "✖️ End conversation"


async def _closed_case(tg, app, migrant, staff):
    await open_case(migrant, WORK, AGREE)
    await migrant.send("my employer does not pay")
    case = await wait_in_topic(tg, app, migrant, 1)
    await staff.send("We will call the employer.", thread=case.thread_id)
    await staff.send("/close", thread=case.thread_id)
    await migrant.press("4")
    closed = await db_cases.get_case(app.db, case.id)
    assert closed.status == "closed" and closed.rating == 4 and tg.topic(GROUP, case.thread_id).closed
    return closed


async def _closed_days_ago(app, case_id: int, days: int) -> None:
    when = (utcnow() - timedelta(days=days)).isoformat(timespec="seconds")
    await app.db.execute("UPDATE cases SET closed_at = ? WHERE id = ?", (when, case_id))


async def test_a_plain_message_within_7_days_reopens_the_same_case(tg, make_app) -> None:
    tg.forum(GROUP)
    app = await make_app(operator_chat_id=GROUP, default_locale="en")
    staff = await volunteer(tg, app)
    migrant = tg.user(1001)
    case = await _closed_case(tg, app, migrant, staff)
    assert "just write here again" in [m.text for m in migrant.messages if "is closed" in (m.text or "")][-1]
    await _closed_days_ago(app, case.id, 6)

    replies = await migrant.send("he still does not pay")
    told = next(m for m in replies if "open again" in (m.text or ""))
    assert f"#C-{case.id}" in told.text and "/end" in told.text
    assert migrant.keyboard == [END]
    again = await case_of(app, migrant)
    assert again.id == case.id and again.reopened_at is not None and again.rating is None
    assert not tg.topic(GROUP, case.thread_id).closed

    await wait_in_topic(tg, app, migrant, 5)  # the first message, the answer, the reopening note, this one
    posts = tg.thread(GROUP, case.thread_id)
    card = posts[0]
    assert "Reopened" in card.text and card.button_texts() == ["Take", "Urgent", "Close"]
    assert any("wrote again within 7 days" in (p.text or "") for p in posts)
    assert posts[-1].text == "he still does not pay" and posts[-1].protected
    assert len(await db_cases.earlier_cases(app.db, migrant.id, case.id + 1)) == 1  # one case, not two

    await staff.send("Send us the contract, please.", thread=case.thread_id)
    assert migrant.last.text == "Koldoo volunteer:\nSend us the contract, please."


async def test_a_sticker_after_the_close_does_not_reopen(tg, make_app) -> None:
    tg.forum(GROUP)
    app = await make_app(operator_chat_id=GROUP, default_locale="en")
    staff = await volunteer(tg, app)
    migrant = tg.user(1001)
    case = await _closed_case(tg, app, migrant, staff)
    await migrant.send_sticker()
    assert (await db_cases.get_case(app.db, case.id)).status == "closed"


async def test_after_7_days_a_message_is_a_search_and_ask_opens_a_new_case(tg, make_app) -> None:
    """Later than 7 days the migrant is no longer "in a conversation": their text is a question for the
    guide as anyone's is, and a new case goes through the topic and consent again (another question, and
    the consent says how long it is kept)."""
    tg.forum(GROUP)
    app = await make_app(operator_chat_id=GROUP, default_locale="en")
    staff = await volunteer(tg, app)
    migrant = tg.user(1001)
    case = await _closed_case(tg, app, migrant, staff)
    await _closed_days_ago(app, case.id, 8)
    posts_before = len(tg.thread(GROUP, case.thread_id))

    [reply] = await migrant.send("patent")
    assert "Here is what I found in the guide" in reply.text
    assert await db_cases.open_case_of(app.db, migrant.id) is None
    assert tg.topic(GROUP, case.thread_id).closed and len(tg.thread(GROUP, case.thread_id)) == posts_before

    [screen] = await migrant.send("/ask")
    assert "What is your question about?" in screen.text
    await migrant.press("Documents")
    consent = migrant.last.text
    assert "Who reads it" in consent
    await migrant.press(AGREE)
    await migrant.send("I lost my passport")
    new = await wait_in_topic(tg, app, migrant, 1)
    assert new.id != case.id and new.thread_id != case.thread_id and new.reopened_at is None
    assert f"Earlier cases: #C-{case.id}" in tg.thread(GROUP, new.thread_id)[0].text


async def test_a_message_from_someone_without_a_case_goes_to_the_search(tg, make_app) -> None:
    tg.forum(GROUP)
    app = await make_app(operator_chat_id=GROUP, default_locale="en")
    migrant = tg.user(1001)
    await migrant.send("/start")
    [reply] = await migrant.send("patent")
    assert "Here is what I found in the guide" in reply.text
    [nothing] = await migrant.send("zzzqqq")
    assert "I found nothing" in nothing.text and "💬 Ask a person" in nothing.button_texts()
    assert await app.db.fetchval("SELECT COUNT(*) FROM cases") == 0


def _conversation_part(text: str, lang: str) -> str:
    start = text.index(WHO_READS[lang])
    end = text.index(DELETED[lang], start) + len(DELETED[lang])
    return text[start:end]


WHO_READS = {"en": "Who reads it:", "ru": "Кто читает:", "ky": "Ким окуйт:"}
DELETED = {"en": "the messages are deleted.", "ru": "сообщения удаляются.", "ky": "билдирүүлөр өчүрүлөт."}
TOPIC = {"en": "Work and wages", "ru": "Работа и зарплата", "ky": "Жумуш жана эмгек акы"}


async def test_privacy_says_about_conversations_what_the_consent_screen_says(tg, make_app) -> None:
    tg.forum(GROUP)
    await make_app(operator_chat_id=GROUP, retention_days=90)
    for number, lang in enumerate(("ky", "ru", "en")):
        migrant = tg.user(2001 + number, language_code=lang)
        [privacy] = await migrant.send("/privacy")
        assert "/forget" in privacy.text and "90" in privacy.text
        await migrant.send("/ask")
        await migrant.press(TOPIC[lang])
        consent = migrant.last.text
        assert _conversation_part(privacy.text, lang) == _conversation_part(consent, lang)
        assert privacy.text.index(WHO_READS[lang]) < privacy.text.rindex("/forget")
    [english] = await tg.user(2009, language_code="en").send("/privacy")
    assert "Conversations with a person" in english.text and "volunteers and partner lawyers" in english.text
    [prompt] = await tg.user(2009).send("/forget")
    assert "conversations with volunteers" in prompt.text


async def test_user_data_lists_cases_and_their_messages_and_forget_deletes_them(tg, make_app) -> None:
    tg.forum(GROUP)
    app = await make_app(operator_chat_id=GROUP, default_locale="en")
    staff = await volunteer(tg, app)
    migrant, other = tg.user(1001), tg.user(1002)
    await open_case(other, WORK, AGREE)
    await other.send("someone else's story")
    await open_case(migrant, WORK, AGREE)
    await migrant.send("my employer keeps my passport")
    case = await wait_in_topic(tg, app, migrant, 1)
    await staff.send("Which city are you in?", thread=case.thread_id)

    data = ops.user_data(app.settings.database_path or app.settings.database_url, migrant.id)
    assert [row["id"] for row in data["cases"]] == [case.id]
    assert data["cases"][0]["topic"] == "work" and data["cases"][0]["consent_at"]
    messages = data["case_messages"]
    assert [(row["direction"], row["text_html"]) for row in messages] == [
        ("in", "my employer keeps my passport"),
        ("out", "Which city are you in?"),  # the answer as the migrant got it, for the transcript
    ]
    assert all(row["case_id"] == case.id for row in messages)

    await migrant.send("/forget")
    await migrant.press("Yes, delete everything")
    after = ops.user_data(app.settings.database_path or app.settings.database_url, migrant.id)
    assert "cases" not in after and "case_messages" not in after
    assert tg.topic(GROUP, case.thread_id) is None
    kept = ops.user_data(app.settings.database_path or app.settings.database_url, other.id)  # someone else's conversation stays
    assert [row["text_html"] for row in kept["case_messages"]] == ["someone else's story"]


async def test_a_photo_whose_caption_starts_with_an_exclamation_mark_is_a_note(tg, make_app) -> None:
    tg.forum(GROUP)
    app = await make_app(operator_chat_id=GROUP, default_locale="en")
    staff = await volunteer(tg, app)
    migrant = tg.user(1001)
    await open_case(migrant, WORK, AGREE)
    await migrant.send("here is my contract")
    case = await wait_in_topic(tg, app, migrant, 1)
    before = len(migrant.messages)
    await staff.send_photo(case.thread_id, caption="! the employer's stamp is fake")
    await staff.send_photo(case.thread_id, caption="Is this your contract?")
    assert len(migrant.messages) == before + 1
    assert migrant.last.kind == "photo" and migrant.last.text == "Koldoo volunteer:\nIs this your contract?"


async def test_two_quick_messages_after_the_close_reopen_once(tg, make_app) -> None:
    tg.forum(GROUP)
    app = await make_app(handle_as_tasks=True, operator_chat_id=GROUP, default_locale="en")
    migrant = tg.user(1001)
    await touch_user(app.db, migrant.id)
    case, _new = await db_cases.open_case(app.db, migrant.id, "work", "en", None, "menu", GROUP)
    await db_cases.add_incoming(app.db, case.id, "text", 1, "earlier", None)
    await db_cases.close(app.db, case.id)
    tg.push_update(migrant.message_update("one more thing"))
    tg.push_update(migrant.message_update("and another"))

    async def both_stored() -> bool:
        return await app.db.fetchval("SELECT COUNT(*) FROM case_messages WHERE case_id = ?", (case.id,)) == 3

    await eventually(both_stored, message="both messages in the case")
    await tg.wait_for(lambda: any("open again" in (m.text or "") for m in migrant.messages))
    assert len([m for m in migrant.messages if "open again" in (m.text or "")]) == 1
    assert await app.db.fetchval("SELECT COUNT(*) FROM cases") == 1
    assert (await db_cases.get_case(app.db, case.id)).is_open
