"""End to end: broadcasts through a fake Telegram that enforces 30 messages/s (429) and has blocked users (403)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime, timedelta

import pytest

from bot.db import broadcasts as store
from bot.db.broadcasts import Content
from bot.db.clock import now_iso
from bot.db.subscriptions import set_region, set_subscribed
from bot.devtools.fake_telegram import FakeMessage, FakeTelegram
from bot.keyboards.callbacks import BroadcastCb
from bot.services.broadcaster import Broadcaster
from bot.services.schedule import format_local_time
from bot.services.subscriptions import Audience
from bot.services.telegram_html import utf16_len
from tests.conftest import COORDINATOR_ID, RunningApp

RU_TEXT = "Внимание: проверки в метро <24/7> & на вокзалах"
KY_TEXT = "Көңүл буруңуз: метродо текшерүү"
BOLD = [{"type": "bold", "offset": 0, "length": 8}]
HEADERS = {"ru": "📣 Колдоо · новости", "ky": "📣 Колдоо · жаңылыктар", "en": "📣 Koldoo · news"}


def dressed(text: str, entities=(), locale: str = "ru") -> tuple[str, list]:
    """A broadcast as a reader of `locale` gets it: the bold "Koldoo · news" line, then the sender's text."""
    header = HEADERS[locale]
    shift = utf16_len(header) + 2
    moved = [{**entity, "offset": entity["offset"] + shift} for entity in entities]
    return f"{header}\n\n{text}", [{"type": "bold", "offset": 0, "length": utf16_len(header)}, *moved]


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    """The conftest fake, with Telegram's global limit of 30 messages a second."""
    async with FakeTelegram(rate_limit=30) as fake:
        yield fake
        assert not fake.violations, f"the bot made invalid API calls: {fake.violations}"
        assert not fake.unanswered_callback_queries(), "the bot left callback queries unanswered"


async def add_subscribers(app: RunningApp, tg: FakeTelegram, ids: Iterable[int], locale: str) -> list[int]:
    ids = list(ids)
    now = now_iso()
    await app.db.executemany(
        "INSERT INTO users (id, locale, first_seen, last_seen) VALUES (?, ?, ?, ?)",
        [(user_id, locale, now, now) for user_id in ids],
    )
    for user_id in ids:
        tg.user(user_id, language_code=locale)
    return ids


def received(tg: FakeTelegram, user_id: int) -> list[FakeMessage]:
    return [message for message in tg.chat(user_id) if message.from_bot]


def engine(app: RunningApp) -> Broadcaster:
    return app.app.dp["broadcaster"]


async def last_broadcast(app: RunningApp) -> int:
    return await app.db.fetchval("SELECT MAX(id) FROM broadcasts")


async def send_now(coordinator, app: RunningApp) -> int:
    """Send now, confirmed, and wait until every recipient is served; the broadcast's id."""
    await coordinator.press("Send now")
    await coordinator.press("✅ Yes, send now")
    bid = await last_broadcast(app)
    await engine(app).wait(bid)
    return bid


async def sender(tg: FakeTelegram, locale: str = "ru"):
    """The coordinator, who does not subscribe to what they send."""
    coordinator = tg.user(COORDINATOR_ID, language_code=locale)
    await coordinator.send("/unsubscribe")
    return coordinator


async def write_draft(coordinator, text: str = RU_TEXT) -> list[FakeMessage]:
    await coordinator.send("/broadcast")
    return await coordinator._send_message("text", text=text, entities=BOLD)  # a formatted text


async def test_every_subscriber_gets_one_copy_in_their_language(tg: FakeTelegram, app: RunningApp) -> None:
    ru = await add_subscribers(app, tg, range(5000, 5040), "ru")
    ky = await add_subscribers(app, tg, range(6000, 6025), "ky")
    en = await add_subscribers(app, tg, range(7000, 7015), "en")
    blocked = {ru[0], ru[1], ru[2], ky[0], ky[1]}
    tg.blocked.update(blocked)
    for user_id in en[:2]:
        await set_subscribed(app.db, user_id, False)
    coordinator = await sender(tg)

    label, preview, draft = await write_draft(coordinator)
    assert "Предпросмотр" in label.text
    assert (preview.text, preview.entities) == dressed(RU_TEXT, BOLD)
    assert "Получатели: все подписчики: подписчиков 78" in draft.text
    [prompt] = await coordinator.press("➕ Версия: Кыргызча")
    assert prompt.text == "Пришлите версию сообщения: Кыргызча."
    *_, draft = await coordinator._send_message("text", text=KY_TEXT, entities=BOLD)
    assert "Кыргызча ✅" in draft.text and "➕ Версия: Кыргызча" not in draft.button_texts()

    tg.fail("sendMessage", status=429, retry_after=1)  # the first broadcast message meets a flood wait
    await coordinator.press("Отправить сейчас")
    await coordinator.press("✅ Да, отправить сейчас")  # the draft panel becomes the progress message
    bid = await last_broadcast(app)
    await engine(app).wait(bid)

    for user_id in ru + en[2:]:
        expected = [] if user_id in blocked else [dressed(RU_TEXT, BOLD, "en" if user_id in en else "ru")]
        assert [(m.text, m.entities) for m in received(tg, user_id)] == expected
    for user_id in ky:
        expected = [] if user_id in blocked else [dressed(KY_TEXT, BOLD, "ky")]
        assert [(m.text, m.entities) for m in received(tg, user_id)] == expected
    assert all(received(tg, user_id) == [] for user_id in en[:2])

    info = await store.get_broadcast(app.db, bid)
    assert info.status == "done" and info.total == 78
    assert (info.counts.sent, info.counts.blocked, info.counts.left) == (73, 5, 0)
    marked = await app.db.fetchall("SELECT id FROM users WHERE blocked = 1 ORDER BY id")
    assert {row["id"] for row in marked} == blocked
    assert any(call.status == 429 for call in tg.calls_of("sendMessage"))
    final = next(m for m in received(tg, COORDINATOR_ID) if m.message_id == draft.message_id)
    assert final.text.startswith(f"📣 Рассылка #{bid}: завершена")
    assert "Отправлено: 73 · 🚫 Заблокировали: 5" in final.text and final.buttons == []
    edits = [
        c.time for c in tg.calls_of("editMessageText") if c.ok and c.params["message_id"] == draft.message_id
    ][1:]  # the first edit is the "send now?" question; then the progress reports, paced
    assert len(edits) >= 2 and all(later - earlier >= 4.9 for earlier, later in itertools.pairwise(edits))


async def test_a_photo_for_one_language_goes_to_that_language_only(tg: FakeTelegram, app: RunningApp) -> None:
    ky = await add_subscribers(app, tg, range(6100, 6106), "ky")
    ru = await add_subscribers(app, tg, range(5100, 5104), "ru")
    coordinator = await sender(tg, "en")
    await coordinator.send("/broadcast")
    _label, preview, draft = await coordinator.send_photo(caption="Job fair on Friday")
    assert preview.kind == "photo" and preview.text == dressed("Job fair on Friday", locale="en")[0]
    await coordinator.press("👥 Audience")
    await coordinator.press("By language")
    [draft] = await coordinator.press("Кыргызча")
    assert "Audience: language: Кыргызча: 6 subscribers" in draft.text
    await send_now(coordinator, app)
    for user_id in ky:
        [message] = received(tg, user_id)
        assert (message.kind, message.text, message.file.file_id) == (
            "photo",
            dressed("Job fair on Friday", locale="ky")[0],
            preview.file.file_id,
        )
    assert all(received(tg, user_id) == [] for user_id in ru)


async def test_a_caption_too_long_for_telegram_is_refused_where_it_is_typed(
    tg: FakeTelegram, app: RunningApp
) -> None:
    await add_subscribers(app, tg, range(6200, 6202), "ru")
    coordinator = await sender(tg, "en")
    await coordinator.send("/broadcast")
    [refusal] = await coordinator.send_photo(caption="📣" * 600)  # 600 characters, 1,200 UTF-16 units
    # the longest header (Kyrgyz, 22 units) and its blank line leave 1000 of Telegram's 1024
    assert refusal.text.startswith(
        "This caption is 1200 characters long; with the Koldoo header above it, 1000 fit under a photo"
    )
    _label, preview, panel = await coordinator.send_photo(caption="Job fair on Friday")  # the retry
    assert preview.text == dressed("Job fair on Friday", locale="en")[0] and panel.text.startswith("📣 New broadcast")


async def test_a_volunteer_sees_cancel_buttons_for_their_own_broadcasts_only(
    tg: FakeTelegram, app: RunningApp
) -> None:
    await add_subscribers(app, tg, range(6300, 6302), "ru")
    coordinator = await sender(tg, "en")
    tomorrow = format_local_time(datetime.now(UTC) + timedelta(days=1))
    await write_draft(coordinator)
    await coordinator.press("Schedule")
    await coordinator.send(tomorrow)
    await coordinator.send("/grant 6399 volunteer")
    volunteer = tg.user(6399, language_code="en")
    await volunteer.send("/unsubscribe")
    await write_draft(volunteer)
    await volunteer.press("Schedule")
    await volunteer.send(tomorrow)

    [listing] = await volunteer.send("/broadcasts")
    assert "#1 · scheduled" in listing.text and listing.button_texts() == ["✖️ Cancel #2"]
    await volunteer.press_data("bcs:1:1", message_id=listing.message_id)  # forged: another's broadcast
    answers = tg.calls_of("answerCallbackQuery")
    assert answers[-1].params.get("text") == "Only its sender or a coordinator can cancel this broadcast."
    assert (await store.get_broadcast(app.db, 1)).status == "scheduled"
    [listing] = await coordinator.send("/broadcasts")
    assert sorted(listing.button_texts()) == ["✖️ Cancel #1", "✖️ Cancel #2"]


async def test_revoking_a_volunteer_cancels_their_scheduled_broadcasts(tg: FakeTelegram, app: RunningApp) -> None:
    await add_subscribers(app, tg, range(6400, 6402), "ru")
    coordinator = await sender(tg, "en")
    await coordinator.send("/grant 6499 volunteer")
    volunteer = tg.user(6499, language_code="en")
    await volunteer.send("/unsubscribe")
    for days in (1, 2):
        await write_draft(volunteer)
        await volunteer.press("Schedule")
        await volunteer.send(format_local_time(datetime.now(UTC) + timedelta(days=days)))
    [reply] = await coordinator.send("/revoke 6499")
    assert reply.text == "Done: 6499 is no longer a volunteer.\nTheir scheduled broadcasts were cancelled: #1, #2."
    assert [(await store.get_broadcast(app.db, n)).status for n in (1, 2)] == ["cancelled", "cancelled"]
    assert await store.due_broadcasts(app.db, datetime.now(UTC) + timedelta(days=3)) == []
    cancels = await app.db.fetchall("SELECT actor_id, target FROM audit_log WHERE action = 'broadcast.cancel'")
    assert [(row["actor_id"], row["target"]) for row in cancels] == [(COORDINATOR_ID, "1"), (COORDINATOR_ID, "2")]


async def test_who_never_chose_a_language_reads_the_one_the_bot_speaks_to_them(tg: FakeTelegram, app: RunningApp) -> None:
    kyrgyz_phone, german_phone = tg.user(6200, language_code="ky"), tg.user(6201, language_code="de")
    for user in (kyrgyz_phone, german_phone):
        await user.send("/start")  # and never press a language button
    coordinator = await sender(tg)
    await write_draft(coordinator)
    await coordinator.press("➕ Версия: Кыргызча")
    await coordinator._send_message("text", text=KY_TEXT, entities=BOLD)
    await coordinator.press("Отправить сейчас")
    await coordinator.press("✅ Да, отправить сейчас")
    await engine(app).wait(await last_broadcast(app))
    assert [m.text for m in received(tg, 6200)][-1] == dressed(KY_TEXT, locale="ky")[0]
    assert [m.text for m in received(tg, 6201)][-1] == dressed(RU_TEXT)[0]  # German is not ours: the default language


async def test_a_scheduled_broadcast_fires_once(tg: FakeTelegram, app: RunningApp) -> None:
    users = await add_subscribers(app, tg, range(5200, 5210), "ru")
    coordinator = await sender(tg, "en")
    await write_draft(coordinator)
    [prompt] = await coordinator.press("Schedule")
    assert "Bishkek time" in prompt.text
    [reply] = await coordinator.send("31.02.2026 10:00")
    assert reply.text.startswith("I did not understand the time.")
    [reply] = await coordinator.send("01.01.2020 10:00")
    assert reply.text.startswith("This time has already passed.")
    when = format_local_time(datetime.now(UTC) + timedelta(hours=2))
    [confirmation] = await coordinator.send(when)
    assert confirmation.text.startswith("🕒 Broadcast #1 is scheduled for " + when)
    assert all(received(tg, user_id) == [] for user_id in users)

    # Two hours pass: the background loop notices within its poll interval.
    past = datetime.now(UTC) - timedelta(seconds=1)
    await app.db.execute("UPDATE broadcasts SET scheduled_at = ? WHERE id = 1", (past,))
    for _ in range(150):
        if (await store.get_broadcast(app.db, 1)).status == "done":
            break
        await asyncio.sleep(0.1)
    assert await engine(app).start_due() == []
    await app.restart()
    await asyncio.sleep(0.5)
    assert all(len(received(tg, user_id)) == 1 for user_id in users)
    assert (await store.get_broadcast(app.db, 1)).counts.sent == 10


async def test_cancel_stops_a_running_broadcast(tg: FakeTelegram, make_app) -> None:
    app = await make_app(broadcast_rate=10)
    users = await add_subscribers(app, tg, range(5300, 5360), "ru")
    coordinator = await sender(tg, "en")
    await write_draft(coordinator)
    await coordinator.press("Send now")
    await coordinator.press("✅ Yes, send now")
    await asyncio.sleep(1.0)
    await coordinator.press("✖️ Cancel the broadcast")
    await coordinator.press("Yes, cancel it")
    await engine(app).wait(1)
    delivered = sum(len(received(tg, user_id)) for user_id in users)
    await asyncio.sleep(0.5)
    assert sum(len(received(tg, user_id)) for user_id in users) == delivered
    assert 0 < delivered < 60
    info = await store.get_broadcast(app.db, 1)
    assert (
        info.status == "cancelled" and info.counts.sent == delivered and info.counts.pending == 60 - delivered
    )
    progress = [m for m in received(tg, COORDINATOR_ID) if m.text and m.text.startswith("📣 Broadcast #1")]
    assert progress[-1].text.startswith("📣 Broadcast #1: cancelled")
    actions = [row["action"] for row in await app.db.fetchall("SELECT action FROM audit_log ORDER BY id")]
    assert actions == ["broadcast.send", "broadcast.cancel"]


async def test_broadcasts_list_and_cancel_a_scheduled_one(tg: FakeTelegram, app: RunningApp) -> None:
    await add_subscribers(app, tg, range(5400, 5403), "ru")
    coordinator = await sender(tg, "en")
    [empty] = await coordinator.send("/broadcasts")
    assert empty.text.startswith("No broadcasts yet.")
    await write_draft(coordinator)
    await coordinator.press("Schedule")
    await coordinator.send(format_local_time(datetime.now(UTC) + timedelta(days=1)))
    [listing] = await coordinator.send("/broadcasts")
    assert "#1 · scheduled" in listing.text and listing.button_texts() == ["✖️ Cancel #1"]
    [question] = await coordinator.press("✖️ Cancel #1")
    assert question.text == "Cancel broadcast #1?" and question.button_texts() == ["Yes, cancel it", "No, keep it"]
    assert (await store.get_broadcast(app.db, 1)).status == "scheduled"  # asked, not yet done
    [listing] = await coordinator.press("Yes, cancel it")
    assert "#1 · cancelled" in listing.text and listing.buttons == []
    assert (await store.get_broadcast(app.db, 1)).status == "cancelled"
    assert await store.due_broadcasts(app.db, datetime.now(UTC) + timedelta(days=2)) == []


async def test_who_may_broadcast(tg: FakeTelegram, app: RunningApp) -> None:
    [reply] = await tg.user(5500, language_code="en").send("/broadcast")
    assert reply.text.startswith("I don't know this command")
    await tg.user(COORDINATOR_ID, language_code="en").send("/grant 5501 volunteer")
    volunteer = tg.user(5501, language_code="ky")
    [reply] = await volunteer.send("/broadcast")
    assert reply.text.startswith("📣 Жазылуучулар үчүн билдирүүнү жөнөтүңүз")
    [reply] = await volunteer.send_sticker()
    assert reply.text.startswith("Мен текстти, сүрөттү, видеону же документти гана")
    await volunteer.send("/cancel")
    [reply] = await volunteer.send("/stats")  # their own broadcasts only, not the full statistics
    assert reply.text.startswith("📊 Сиздин билдирүүлөрүңүз") and "/help" not in reply.text
    assert "Колдонуучулар" not in reply.text


async def test_a_volunteer_sees_only_their_own_broadcasts_in_stats(tg: FakeTelegram, app: RunningApp) -> None:
    await tg.user(COORDINATOR_ID, language_code="en").send("/grant 5502 volunteer")
    volunteer = tg.user(5502, language_code="en")
    [reply] = await volunteer.send("/stats")
    assert reply.text == (
        "📊 Your broadcasts (times in Bishkek time)\n\nYou have sent no broadcasts yet. Start one with /broadcast."
    )
    now = datetime.now(UTC)
    for sender_id in (5502, COORDINATOR_ID):
        await store.create_broadcast(
            app.db, sender_id=sender_id, sender_locale="en", versions={"en": Content(kind="text", text="Hi")},
            audience=Audience(), scheduled_at=now + timedelta(days=1), now=now,
        )
    [reply] = await volunteer.send("/stats")
    assert "#1 · scheduled" in reply.text and "#2" not in reply.text
    assert "Users:" not in reply.text  # and no chart: the one reply above is all


async def test_an_empty_audience_cannot_be_sent(tg: FakeTelegram, app: RunningApp) -> None:
    coordinator = await sender(tg, "en")
    await write_draft(coordinator)
    await coordinator.press("👥 Audience")
    await coordinator.press("By region")
    [draft] = await coordinator.press("Talas region")
    assert "Audience: region: Talas region: 0 subscribers" in draft.text
    await coordinator.press("Send now")
    assert list(tg.callback_answers.values())[-1]["text"].startswith("Nobody is in this audience.")
    assert await last_broadcast(app) is None


async def test_a_restart_mid_broadcast_finishes_the_rest_once(tg: FakeTelegram, make_app) -> None:
    app = await make_app(broadcast_rate=15)
    users = await add_subscribers(app, tg, range(5600, 5660), "ru")
    coordinator = await sender(tg, "en")
    await write_draft(coordinator)
    await coordinator.press("Send now")
    await coordinator.press("✅ Yes, send now")
    await asyncio.sleep(1.5)
    await app.restart()
    for _ in range(100):
        if (await store.get_broadcast(app.db, 1)).status == "done":
            break
        await asyncio.sleep(0.1)
    assert [len(received(tg, user_id)) for user_id in users] == [1] * 60
    counts = (await store.get_broadcast(app.db, 1)).counts
    assert (counts.sent, counts.ambiguous) == (60, 0)


async def test_stats_for_coordinators(tg: FakeTelegram, app: RunningApp) -> None:
    await add_subscribers(app, tg, range(5700, 5705), "ky")
    await add_subscribers(app, tg, range(5710, 5712), "ru")
    await set_region(app.db, 5700, "osh")
    await app.db.execute("UPDATE users SET blocked = 1 WHERE id = 5711")
    coordinator = tg.user(COORDINATOR_ID, language_code="en")
    text, chart = await coordinator.send("/stats")
    assert text.text.startswith("📊 Statistics")
    assert "Users: 8 · receive broadcasts: 7 · unsubscribed: 0 · blocked the bot: 1" in text.text
    by_language = next(line for line in text.text.splitlines() if line.startswith("By language: "))
    # the coordinator chose no language, but their Telegram app speaks English
    assert by_language.startswith("By language: Кыргызча: 5, ")
    assert sorted(by_language.split(": ", 1)[1].split(", ")[1:]) == ["English: 1", "Русский: 1"]
    assert "Osh region: 1" in text.text
    assert chart.kind == "photo" and chart.file_bytes.startswith(b"\x89PNG")


async def test_a_user_who_blocked_the_bot_and_writes_again_is_back_in_the_audience(
    tg: FakeTelegram, app: RunningApp
) -> None:
    [user_id] = await add_subscribers(app, tg, [5800], "en")
    await app.db.execute("UPDATE users SET blocked = 1 WHERE id = ?", (user_id,))
    assert await store.audience_count(app.db, Audience(), "ru") == 0
    await tg.user(user_id, language_code="en").send("/menu")
    assert await app.db.fetchval("SELECT blocked FROM users WHERE id = ?", (user_id,)) == 0
    assert await store.audience_count(app.db, Audience(), "ru") == 1


async def test_pressing_send_twice_sends_once(tg: FakeTelegram, app: RunningApp) -> None:
    [user_id] = await add_subscribers(app, tg, [5900], "ru")
    coordinator = await sender(tg, "en")
    *_, draft = await write_draft(coordinator)
    await coordinator.press("Send now")
    await coordinator.press("✅ Yes, send now")
    replies = await coordinator.press_data(
        BroadcastCb(action="send").pack(), message_id=draft.message_id
    )  # a stale second press
    assert "This draft is no longer open. Start a new one with /broadcast." in [m.text for m in replies]
    await engine(app).wait(1)
    assert await last_broadcast(app) == 1
    assert len(received(tg, user_id)) == 1


@pytest.mark.parametrize("kind", ["video", "document"])
async def test_videos_and_documents_go_out_by_file_id_with_their_caption(
    tg: FakeTelegram, app: RunningApp, kind: str
) -> None:
    [user_id] = await add_subscribers(app, tg, [5950], "ru")
    coordinator = await sender(tg, "ru")
    await coordinator.send("/broadcast")
    send = coordinator.send_video if kind == "video" else coordinator.send_document
    _label, preview, _draft = await send(caption="Памятка мигранта")
    await coordinator.press("Отправить сейчас")
    await coordinator.press("✅ Да, отправить сейчас")
    await engine(app).wait(await last_broadcast(app))
    [message] = received(tg, user_id)
    assert (message.kind, message.text) == (kind, dressed("Памятка мигранта")[0])
    assert message.file.file_id == preview.file.file_id


async def test_a_month_after_a_broadcast_only_its_counts_remain(tg: FakeTelegram, make_app) -> None:
    app = await make_app()
    await add_subscribers(app, tg, range(5600, 5604), "en")
    tg.blocked.add(5600)
    coordinator = await sender(tg, "en")
    await write_draft(coordinator)
    bid = await send_now(coordinator, app)
    [before] = await coordinator.send("/broadcasts")
    assert "Sent: 3 · 🚫 Blocked: 1" in before.text

    month_ago = (datetime.now(UTC) - timedelta(days=31)).isoformat()
    await app.db.execute("UPDATE broadcasts SET finished_at = ? WHERE id = ?", (month_ago, bid))
    await app.restart()  # the daily retention job runs at start
    for _ in range(100):
        if not await app.db.fetchval("SELECT COUNT(*) FROM broadcast_recipients"):
            break
        await asyncio.sleep(0.05)
    assert await app.db.fetchval("SELECT COUNT(*) FROM broadcast_recipients") == 0
    [after] = await coordinator.send("/broadcasts")
    assert after.text == before.text


async def test_send_now_asks_once_with_counts_and_warns_of_a_missing_language(
    tg: FakeTelegram, app: RunningApp
) -> None:
    await add_subscribers(app, tg, range(6600, 6603), "ru")
    await add_subscribers(app, tg, range(6610, 6612), "ky")
    coordinator = await sender(tg, "en")
    await coordinator.send("/broadcast")
    await coordinator._send_message("text", text="English text")
    [question] = await coordinator.press("Send now")
    assert question.text.splitlines()[0] == "📣 Send this broadcast now to 5 subscribers?"
    assert "Кыргызча: 2 · Русский: 3" in question.text
    assert "⚠️ 3 Русский readers will get the English text: add a Русский version?" in question.text
    assert "⚠️ 2 Кыргызча readers will get the English text" in question.text
    assert await last_broadcast(app) is None  # asked, nothing stored yet
    [panel] = await coordinator.press("➕ Русский version")
    *_, panel = await coordinator._send_message("text", text="Русский текст")
    assert "✏️ Replace the Русский version" in panel.button_texts()
    [question] = await coordinator.press("Send now")
    assert "Русский readers" not in question.text and "Кыргызча readers" in question.text
    [panel] = await coordinator.press("Back")
    assert panel.text.startswith("📣 New broadcast")
    await send_now(coordinator, app)
    assert [m.text for m in received(tg, 6600)] == [dressed("Русский текст")[0]]
    assert [m.text for m in received(tg, 6610)] == [dressed("English text", locale="ky")[0]]  # header in their language


async def test_a_version_can_be_replaced(tg: FakeTelegram, app: RunningApp) -> None:
    await add_subscribers(app, tg, range(6620, 6622), "en")
    coordinator = await sender(tg, "en")
    await coordinator.send("/broadcast")
    await coordinator._send_message("text", text="Frist draft with a typo")
    [prompt] = await coordinator.press("✏️ Replace the English version")
    assert prompt.text == "Send the English version of the message."
    await coordinator._send_message("text", text="First draft, fixed")
    await send_now(coordinator, app)
    assert [m.text for m in received(tg, 6620)] == [dressed("First draft, fixed", locale="en")[0]]
