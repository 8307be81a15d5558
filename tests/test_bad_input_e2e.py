"""End to end: odd input and stuck screens. Strict ids and dates, forged callbacks, invisible names, cards
longer than Telegram allows, a programme removed mid-form, and errors told in the user's language."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from pathlib import Path

import pytest

from bot.db.referrals import add_note, get_referral
from bot.devtools.fake_telegram import FakeTelegram
from bot.services.telegram_html import utf16_len
from tests.conftest import COORDINATOR_ID, RunningApp
from tests.content_helpers import content_with, edit_entry
from tests.test_training_e2e import apply, english_coordinator, fill_form, referral_id

NOTE = re.compile(r"📝 (\d\d) ")


@pytest.mark.parametrize("line", ["/export to=9999-12-31", "/export from=0001-01-01", "/export from=2026-W01-1"])
async def test_export_dates_out_of_range_get_the_usage_line(tg: FakeTelegram, app: RunningApp, line: str) -> None:
    coordinator = await english_coordinator(tg)
    [reply] = await coordinator.send(line)
    assert reply.text.startswith("I could not read") and "Usage: /export" in reply.text


@pytest.mark.parametrize(
    "data", ["rc:99999999999999999999999", "rm:18446744073709551616:contacted", "rl:99999999999999:::", "rc:1_0"]
)
async def test_forged_callbacks_with_huge_numbers_are_out_of_date(
    tg: FakeTelegram, app: RunningApp, data: str
) -> None:
    coordinator = await english_coordinator(tg)
    await coordinator.press_data(data)
    answers = tg.calls_of("answerCallbackQuery")
    assert answers[-1].params.get("text") == "This button is out of date."


@pytest.mark.parametrize("name", ["\u3164", "\u200b\u200b", "\u3164 \u2800", "\u115f\u1160"])
async def test_a_name_of_invisible_characters_is_refused(tg: FakeTelegram, app: RunningApp, name: str) -> None:
    user = tg.user(3100, language_code="en")
    await fill_form(user)  # up to the summary, then change the name
    await user.press("Edit")
    await user.press("Name")
    refusal, question = await user.send(name)
    assert refusal.text.startswith("Your message shows nothing: it has only invisible characters.")
    assert question.text.startswith("What is your name?")
    [summary] = await user.send("Aigul Toktogulova")
    assert summary.text.startswith("Please check your request")


async def test_a_card_full_of_emoji_and_long_notes_still_opens(tg: FakeTelegram, app: RunningApp) -> None:
    coordinator = await english_coordinator(tg)
    reference = await apply(tg, 3101, comment="🙏" * 500)
    for n in range(12):
        await add_note(app.db, referral_id(reference), COORDINATOR_ID, f"{n:02d} " + "📞" * 480)
    [card] = await coordinator.press("Open")
    assert utf16_len(card.text) <= 4096
    assert "11 📞" in card.text and "00 📞" not in card.text  # the newest notes show; the rest is a tap away
    assert "earlier entries: press History." in card.text
    [page] = await coordinator.press("📜 History")
    assert page.text.startswith(f"{reference} · History, page 1 of ")
    seen = NOTE.findall(page.text)
    while "Next ▶️" in page.button_texts():
        [page] = await coordinator.press("Next ▶️")
        assert utf16_len(page.text) <= 4096
        seen += NOTE.findall(page.text)
    assert seen == [f"{n:02d}" for n in reversed(range(12))]  # every note, newest first
    [card] = await coordinator.press("Back")
    assert card.text.startswith(reference)


async def test_a_form_confirmed_after_reload_removed_its_programme_is_not_saved(
    tg: FakeTelegram, make_app, tmp_path: Path
) -> None:
    directory = content_with(tmp_path)
    app = await make_app(content_dir=directory)
    coordinator = tg.user(COORDINATOR_ID, language_code="en")
    user = tg.user(3102, language_code="en")
    await fill_form(user)
    training = directory / "training.yaml"
    edit_entry(training, "id: osh_centre_of_excellence", "id: osh_centre_of_excellence", "id: osh_centre_renamed")
    [done] = await coordinator.send("/reload")
    assert done.text.startswith("Content reloaded"), done.text
    [reply] = await user.press("Confirm")
    assert reply.text.startswith("Sorry, this programme was removed from the catalogue")
    assert reply.button_texts() == ["🎓 Training programmes", "Menu"]
    assert await app.db.fetchval("SELECT COUNT(*) FROM referrals") == 0
    assert await get_referral(app.db, 1) is None


async def test_a_database_failure_is_told_in_the_users_language(tg: FakeTelegram, app: RunningApp) -> None:
    async def broken(*args, **kwargs):
        raise sqlite3.OperationalError("disk I/O error")

    app.db.fetchall = broken  # every read and the user record fail, as with a broken disk
    [reply] = await tg.user(3103, language_code="en").send("/help")
    assert reply.text == "Sorry, something went wrong. Please try again."
    [reply] = await tg.user(3104, language_code="ky").send("/help")
    assert reply.text == "Кечиресиз, бир ката кетти. Кайра аракет кылыңыз."


async def test_a_form_abandoned_for_a_day_is_dropped_by_the_running_bot(tg: FakeTelegram, app: RunningApp) -> None:
    user = tg.user(3105, language_code="en")
    await fill_form(user)  # name and phone now sit in the dialogue state
    await app.db.execute("UPDATE fsm_state SET updated_at = '2020-01-01T00:00:00+00:00'")
    await app.restart()  # the sweep runs at start, then every hour
    for _ in range(50):
        if await app.db.fetchval("SELECT COUNT(*) FROM fsm_state") == 0:
            break
        await asyncio.sleep(0.05)
    assert await app.db.fetchval("SELECT COUNT(*) FROM fsm_state") == 0
    [reply] = await user.press("Confirm")  # the old summary's button: the form is gone, nothing is saved
    assert await app.db.fetchval("SELECT COUNT(*) FROM referrals") == 0
    assert "Please check your request" not in reply.text
