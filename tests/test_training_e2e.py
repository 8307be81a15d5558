"""End to end: a migrant browses the catalogue and asks for a referral; coordinators follow it up."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re

import pytest
from openpyxl import load_workbook

from bot.db.referrals import get_referral, list_events
from bot.devtools.fake_telegram import FakeTelegram
from bot.devtools.fake_users import FakeUser
from bot.services.referrals import Status
from tests.conftest import COORDINATOR_ID, RunningApp

REFERENCE = re.compile(r"K-\d{4}-\d{6}")
OSH_CENTRE = {
    "ky": (
        "🎓 Окуу программалары",
        "Ош шаары",
        "Ар кандай кесиптер",
        "ОшМУ: алдыңкы тажрыйба борбору",
        "Арыз берүү",
    ),
    "ru": (
        "🎓 Программы обучения",
        "г. Ош",
        "Разные профессии",
        "Центр передового опыта ОшГУ",
        "Подать заявку",
    ),
    "en": (
        "🎓 Training programmes",
        "Osh city",
        "Various trades",
        "Centre of Excellence, OshSU",
        "Apply",
    ),
}


async def open_osh_centre(user: FakeUser, locale: str) -> None:
    """From /training to the Osh Centre of Excellence card."""
    section, region, trade, programme, _apply = OSH_CENTRE[locale]
    await user.send("/training")
    await user.press(section)
    await user.press(region)
    await user.press(trade)
    await user.press(programme)


async def fill_form(
    user: FakeUser, phone: str = "0555 123 456", comment: str | None = "Call after 18:00"
) -> None:
    """Apply for the Osh centre in English, up to the summary."""
    await open_osh_centre(user, "en")
    await user.press("Apply")
    await user.press("Agree")
    await user.send("Aigul Toktogulova")
    await user.send(phone)
    await user.press("Osh city")
    await user.send("Osh")
    if comment is None:
        await user.press("Skip")
    else:
        await user.send(comment)


async def apply(tg: FakeTelegram, user_id: int, **form: str | None) -> str:
    """A full English referral; returns its reference number."""
    tg.user(COORDINATOR_ID, language_code="en")  # a coordinator exists, to be told about it
    user = tg.user(user_id, language_code="en")
    await fill_form(user, **form)
    [done] = await user.press("Confirm")
    reference = REFERENCE.search(done.text).group(0)
    await announced(tg, reference)
    return reference


async def announced(tg: FakeTelegram, reference: str) -> None:
    """The announcement goes out from the outbox, a moment after the confirmation."""
    chats = (COORDINATOR_ID, *tg.known_chats)
    await tg.wait_for(
        lambda: any(reference in (m.text or "") for chat in chats for m in tg.chat(chat)),
        message=f"{reference} announced",
    )


async def english_coordinator(tg: FakeTelegram) -> FakeUser:
    """The coordinator of the suite's settings (ADMIN_IDS), who has chosen English."""
    coordinator = tg.user(COORDINATOR_ID, language_code="en")
    await coordinator.send("/start")
    await coordinator.press("English")
    return coordinator


def referral_id(reference: str) -> int:
    return int(reference.rsplit("-", 1)[1])


@pytest.mark.parametrize("locale", ["ky", "ru", "en"])
async def test_browse_region_trade_programme_card(tg: FakeTelegram, app: RunningApp, locale: str) -> None:
    user = tg.user(2001, language_code=locale)
    await open_osh_centre(user, locale)
    card = user.last
    assert card.text.startswith(OSH_CENTRE[locale][3])
    assert "oshsu.kg" in card.text
    assert OSH_CENTRE[locale][4] in card.button_texts()


async def test_support_services_by_kind_and_unverified_flag(tg: FakeTelegram, app: RunningApp) -> None:
    user = tg.user(2002, language_code="en")
    await user.send("/training")
    [kinds] = await user.press("🤝 Support services")
    assert kinds.button_texts()[:5] == [
        "Legal aid",
        "Counter-trafficking",
        "Employment abroad",
        "Reintegration and grants",
        "Health",
    ]
    await user.press("Reintegration and grants")
    [card] = await user.press('"Social contract" grant')
    assert "150,000 som" in card.text and "Not verified" not in card.text  # confirmed by the ministry (24.kg, 2026)
    assert "Ask for help" in card.button_texts()
    await user.send("/training")
    await user.press("🎓 Training programmes")
    await user.press("Osh city")
    await user.press("Skills certification")
    [card] = await user.press("Certify your skills")
    assert "Not verified" in card.text


async def test_main_menu_opens_training_and_my_requests(tg: FakeTelegram, app: RunningApp) -> None:
    user = tg.user(2003, language_code="en")
    await user.send("/menu")
    [screen] = await user.press("Training and help")
    assert screen.text.startswith("Training and help")
    await user.press("Menu")
    [screen] = await user.press("My requests")
    assert screen.text.startswith("You have no requests yet")


async def test_consent_screen_and_cancel_save_nothing(tg: FakeTelegram, app: RunningApp) -> None:
    user = tg.user(2004, language_code="en")
    await open_osh_centre(user, "en")
    [consent] = await user.press("Apply")
    assert "What we keep" in consent.text and "Who sees it" in consent.text and "/forget" in consent.text
    assert consent.button_texts() == ["Agree", "Cancel"]
    [cancelled] = await user.press("Cancel")
    assert cancelled.text.startswith("Cancelled. Nothing was saved.")
    assert await app.db.fetchval("SELECT COUNT(*) FROM referrals") == 0


async def test_cancel_command_at_the_phone_question_removes_its_keyboard(tg: FakeTelegram, app: RunningApp) -> None:
    user = tg.user(2010, language_code="en")
    await open_osh_centre(user, "en")
    await user.press("Apply")
    await user.press("Agree")
    await user.send("Aigul Toktogulova")
    assert user.keyboard == ["Share my number", "Cancel"]
    stopped, menu = await user.send("/cancel")
    assert stopped.text == "Stopped. Nothing was saved."
    assert user.keyboard == []
    assert "Safe migration guide" in menu.button_texts()
    assert await app.db.fetchval("SELECT COUNT(*) FROM referrals") == 0


async def test_full_referral_with_shared_contact(tg: FakeTelegram, app: RunningApp) -> None:
    await english_coordinator(tg)
    user = tg.user(2005, language_code="en")
    await open_osh_centre(user, "en")
    await user.press("Apply")
    await user.press("Agree")
    [question] = await user.send("Aigul Toktogulova")
    assert "keyboard" in question.reply_markup  # the question brings the reply keyboard
    assert user.keyboard == ["Share my number", "Cancel"]
    replies = await user.share_contact("996555123456")
    assert replies[0].text == "Thank you, your number is +996555123456."
    await user.press("Osh city")
    await user.send("Osh")
    summary = (await user.press("Skip"))[-1]
    assert summary.text.startswith("Please check your request")
    assert "Aigul Toktogulova" in summary.text and "+996555123456" in summary.text
    assert summary.button_texts() == ["Confirm", "Edit", "Cancel"]

    [done] = await user.press("Confirm")
    reference = REFERENCE.search(done.text).group(0)
    referral = await get_referral(app.db, referral_id(reference))
    assert (referral.name, referral.phone, referral.region, referral.city, referral.comment) == (
        "Aigul Toktogulova",
        "+996555123456",
        "osh_city",
        "Osh",
        None,
    )
    assert referral.item_id == "osh_centre_of_excellence" and referral.status is Status.NEW

    await announced(tg, reference)
    announcement = tg.chat(COORDINATOR_ID)[-1]
    assert reference in announcement.text and "Centre of Excellence" in announcement.text
    assert "· New" in announcement.text and "Aigul" not in announcement.text and "+996" not in announcement.text
    assert announcement.button_texts() == ["Open"]


DIALOGUE = {
    "ky": (
        "Арыз берүү",
        "Макулмун",
        ["Номеримди жөнөтүү", "Жокко чыгаруу"],
        "Ош шаары",
        "Өткөрүп жиберүү",
        "Ырастоо",
        "Рахмат! Сурамыңыз сакталды.",
    ),
    "ru": (
        "Подать заявку",
        "Даю согласие",
        ["Отправить мой номер", "Отмена"],
        "г. Ош",
        "Пропустить",
        "Подтвердить",
        "Спасибо! Ваш запрос сохранён.",
    ),
}


@pytest.mark.parametrize("locale", ["ky", "ru"])
async def test_the_dialogue_in_kyrgyz_and_russian(tg: FakeTelegram, app: RunningApp, locale: str) -> None:
    apply_label, agree, phone_keys, region, skip, confirm, thanks = DIALOGUE[locale]
    tg.user(COORDINATOR_ID, language_code="en")
    user = tg.user(2020, language_code=locale)
    await open_osh_centre(user, locale)
    await user.press(apply_label)
    await user.press(agree)
    [question] = await user.send("Айгүл Токтогулова")
    assert "keyboard" in question.reply_markup
    assert user.keyboard == phone_keys
    await user.share_contact("+996555123456")
    await user.press(region)
    await user.send("Ош")
    await user.press(skip)
    [done] = await user.press(confirm)
    assert done.text.startswith(thanks)
    assert REFERENCE.search(done.text)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0555 123 456", "+996555123456"),
        ("+7 912 345-67-89", "+79123456789"),
        ("8 701 234 56 78", "+77012345678"),
        ("+998 90 123 45 67", "+998901234567"),
    ],
)
async def test_typed_phone_forms_are_normalised(
    tg: FakeTelegram, app: RunningApp, typed: str, stored: str
) -> None:
    reference = await apply(tg, 2006, phone=typed)
    assert (await get_referral(app.db, referral_id(reference))).phone == stored


async def test_bad_answers_get_a_message_and_the_same_question(tg: FakeTelegram, app: RunningApp) -> None:
    user = tg.user(2007, language_code="en")
    await open_osh_centre(user, "en")
    await user.press("Apply")
    await user.press("Agree")
    for bad_name in ("!!!", "12345"):
        error, again = await user.send(bad_name)
        assert error.text.startswith("Please write your name with letters")
        assert again.text.startswith("What is your name?")
    await user.send("Aigul")
    for bad_phone in ("12345", "call me", "+996 555"):
        error, again = await user.send(bad_phone)
        assert error.text.startswith("This does not look like a phone number.")
        assert user.keyboard == ["Share my number", "Cancel"]
    error, again = await user.share_contact("+996700000000", user_id=777)
    assert error.text == "Please share your own number, not someone else's contact."
    assert user.keyboard == ["Share my number", "Cancel"]
    await user.send("0700 123 456")
    await user.press("Osh city")
    await user.send("Osh")
    error, again = await user.send("x" * 501)
    assert error.text == "Your comment is 501 characters long; please keep it under 500."
    assert "Skip" in again.button_texts()
    [summary] = await user.send("y" * 500)
    assert summary.text.startswith("Please check your request")


async def test_edit_from_the_summary_returns_to_the_summary(tg: FakeTelegram, app: RunningApp) -> None:
    user = tg.user(2008, language_code="en")
    await fill_form(user)
    await user.press("Edit")
    await user.press("Name")
    [summary] = await user.send("Asel Bekova")
    assert "Asel Bekova" in summary.text and "Aigul" not in summary.text
    await user.press("Edit")
    await user.press("Phone")
    replies = await user.send("+7 912 345 67 89")
    assert "+79123456789" in replies[-1].text


async def test_dialogue_survives_a_restart(tg: FakeTelegram, app: RunningApp) -> None:
    user = tg.user(2009, language_code="en")
    await open_osh_centre(user, "en")
    await user.press("Apply")
    await user.press("Agree")
    await user.send("Aigul")
    await app.restart()
    replies = await user.send("0555 123 456")
    assert replies[-1].text.startswith("Which region")


async def test_asking_twice_within_30_days_shows_the_existing_request(
    tg: FakeTelegram, app: RunningApp
) -> None:
    reference = await apply(tg, 2010)
    user = tg.user(2010, language_code="en")
    await open_osh_centre(user, "en")
    [existing] = await user.press("Apply")
    assert existing.text.startswith("You already asked for this on")
    assert reference in existing.text
    assert await app.db.fetchval("SELECT COUNT(*) FROM referrals") == 1
    [mine] = await user.send("/my")
    assert reference in mine.text and "New" in mine.text


async def test_group_announcement_when_coordinator_chat_is_set(tg: FakeTelegram, make_app) -> None:
    tg.known_chats.add(-100500)
    await make_app(coordinator_chat_id=-100500)
    reference = await apply(tg, 2011)
    [announcement] = tg.chat(-100500)
    assert reference in announcement.text


async def test_status_change_is_recorded_and_sent_to_the_migrant_in_their_language(
    tg: FakeTelegram, app: RunningApp
) -> None:
    coordinator = await english_coordinator(tg)
    reference = await apply(tg, 2012)
    migrant = tg.user(2012, language_code="ky")
    await app.db.execute("UPDATE users SET locale = 'ky' WHERE id = 2012")  # as if chosen with /language

    [card] = await coordinator.press("Open")
    assert reference in card.text and "Aigul Toktogulova" in card.text and "+996555123456" in card.text
    assert card.button_texts()[:3] == ["Contacted", "Declined", "Add note"]
    [card] = await coordinator.press("Contacted")
    assert "Contacted" in card.text.split("\n")[0]
    assert card.button_texts()[:2] == ["Enrolled", "Declined"]
    [event] = await list_events(app.db, referral_id(reference))
    assert (event.actor_id, event.from_status, event.to_status) == (
        COORDINATOR_ID,
        Status.NEW,
        Status.CONTACTED,
    )
    await tg.wait_for(lambda: "жаңы абалы" in (migrant.last.text or ""))
    [line] = await app.db.fetchall("SELECT actor_id, target, details FROM audit_log WHERE action = 'referral.status'")
    assert (line["actor_id"], line["target"], json.loads(line["details"])) == (
        COORDINATOR_ID, str(referral_id(reference)), {"from": "new", "to": "contacted"}
    )
    assert (
        migrant.last.text
        == f"{reference} сурамыңыздын (ОшМУ: алдыңкы тажрыйба борбору) жаңы абалы: Байланышты"
    )

    await coordinator.press("Add note")
    await coordinator.send("Called, will come on Monday")
    card = coordinator.last
    assert "Called, will come on Monday" in card.text and str(COORDINATOR_ID) in card.text


async def test_coordinator_list_filters_and_pages(tg: FakeTelegram, app: RunningApp) -> None:
    coordinator = await english_coordinator(tg)
    references = [await apply(tg, 2100 + n) for n in range(10)]
    [page] = await coordinator.send("/referrals")
    assert page.text.startswith("Requests: 10")
    assert references[-1] in page.text and references[0] not in page.text
    [page] = await coordinator.press("Next ▶️")
    assert references[0] in page.text
    await coordinator.press("🔎 Status")
    [page] = await coordinator.press("Contacted")
    assert page.text.startswith("Requests: 0")
    [usage] = await coordinator.send("/referrals colour=red")
    assert usage.text.startswith("I could not read colour=red.")


async def test_export_sends_csv_and_xlsx_with_the_exact_rows(tg: FakeTelegram, app: RunningApp) -> None:
    coordinator = await english_coordinator(tg)
    first = await apply(tg, 2013)
    second = await apply(tg, 2014, phone="+7 912 345 67 89", comment="=1+1")
    await coordinator.press("Open")
    await coordinator.press("Contacted")

    csv_doc, xlsx_doc = await coordinator.send("/export")
    assert re.fullmatch(r"referrals-\d{4}-\d{2}-\d{2}\.csv", csv_doc.filename)
    assert xlsx_doc.filename == csv_doc.filename.replace(".csv", ".xlsx")
    rows = list(csv.reader(io.StringIO(csv_doc.file_bytes.decode("utf-8-sig"))))
    title = "Centre of Excellence, OshSU"
    # [reference, created, status word, code, item, title, region, city, name, phone, comment, reason, language]
    assert [row[:1] + row[2:13] for row in rows[1:]] == [
        [
            first,
            "New",
            "new",
            "osh_centre_of_excellence",
            title,
            "osh_city",
            "Osh",
            "Aigul Toktogulova",
            "'+996555123456",
            "Call after 18:00",
            "",
            "en",
        ],
        [
            second,
            "Contacted",
            "contacted",
            "osh_centre_of_excellence",
            title,
            "osh_city",
            "Osh",
            "Aigul Toktogulova",
            "'+79123456789",
            "'=1+1",
            "",
            "en",
        ],
    ]
    assert rows[0][1] == "Created (Bishkek time)" and rows[0][13] == "Notes and history"
    assert rows[1][13] == "" and rows[2][13].endswith(f" · {COORDINATOR_ID} · New → Contacted")
    sheet = load_workbook(io.BytesIO(xlsx_doc.file_bytes))["Referrals"]
    values = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert [row[:1] + row[2:13] for row in values] == [
        [
            first,
            "New",
            "new",
            "osh_centre_of_excellence",
            title,
            "osh_city",
            "Osh",
            "Aigul Toktogulova",
            "+996555123456",
            "Call after 18:00",
            None,
            "en",
        ],
        [
            second,
            "Contacted",
            "contacted",
            "osh_centre_of_excellence",
            title,
            "osh_city",
            "Osh",
            "Aigul Toktogulova",
            "+79123456789",
            "=1+1",
            None,
            "en",
        ],
    ]

    [only_new] = (await coordinator.send("/export status=new region=osh-city"))[:1]
    assert only_new.text == "Requests: 1"
    audit = await app.db.fetchall(
        "SELECT actor_id, action, details FROM audit_log WHERE action LIKE 'referrals.%' ORDER BY id"
    )
    assert [(row["actor_id"], row["action"]) for row in audit] == [(COORDINATOR_ID, "referrals.export")] * 2
    assert "Aigul" not in audit[1]["details"] and '"rows": 1' in audit[1]["details"]


async def test_malformed_export_filters_get_a_usage_line(tg: FakeTelegram, app: RunningApp) -> None:
    coordinator = await english_coordinator(tg)
    for line in (
        "/export status=lost",
        "/export from=2026-13-01",
        "/export region",
        "/export from=2026-12-01 to=2026-01-01",
    ):
        [reply] = await coordinator.send(line)
        assert reply.text.startswith("I could not read") and "Usage: /export" in reply.text
    assert await app.db.fetchval("SELECT COUNT(*) FROM audit_log") == 0


@pytest.mark.parametrize("command", ["/referrals", "/export"])
async def test_non_coordinators_are_refused(tg: FakeTelegram, app: RunningApp, command: str) -> None:
    [reply] = await tg.user(2015, language_code="en").send(command)
    assert reply.text == "Sorry, this is only for Koldoo coordinators."


async def test_non_coordinator_cannot_use_coordinator_buttons(tg: FakeTelegram, app: RunningApp) -> None:
    reference = await apply(tg, 2016)
    user = tg.user(2016, language_code="en")
    await user.press_data(f"rm:{referral_id(reference)}:contacted")
    answers = tg.calls_of("answerCallbackQuery")
    assert answers[-1].params.get("text") == "Sorry, this is only for Koldoo coordinators."
    assert (await get_referral(app.db, referral_id(reference))).status is Status.NEW


async def test_forget_anonymises_but_keeps_the_count(tg: FakeTelegram, app: RunningApp) -> None:
    coordinator = await english_coordinator(tg)
    reference = await apply(tg, 2017, comment="Call my brother")
    user = tg.user(2017, language_code="en")
    await user.send("/forget")
    await user.press("Yes, delete everything")
    referral = await get_referral(app.db, referral_id(reference))
    assert (referral.user_id, referral.name, referral.phone, referral.comment) == (None, None, None, None)
    assert await app.db.fetchval("SELECT COUNT(*) FROM referrals") == 1
    [card] = await coordinator.press("Open")
    assert "The person deleted their data." in card.text and "Aigul" not in card.text
    assert "City or village: —" in card.text  # the city the person typed is gone too


async def test_forget_leaves_no_trace_in_the_database_files(tg: FakeTelegram, app: RunningApp) -> None:
    coordinator = await english_coordinator(tg)
    await apply(tg, 2018, phone="+7 912 345 67 89", comment="Ring my cousin Nurlanbek")
    await coordinator.press("Open")
    await coordinator.press("Add note")
    await coordinator.send("Nurlanbek answered")
    user = tg.user(2018, language_code="en")
    await user.send("/forget")
    await user.press("Yes, delete everything")
    database = app.settings.database_path
    if database is None:  # PostgreSQL: no file to read, the rows are what is left
        dump = repr([tuple(row) for table in ("referrals", "referral_events", "users", "fsm_state")
                     for row in await app.db.fetchall(f"SELECT * FROM {table}")])
        assert all(secret not in dump for secret in ("+79123456789", "Aigul Toktogulova", "Nurlanbek")), dump
        return
    raw = b"".join(path.read_bytes() for path in database.parent.glob(database.name + "*") if path.is_file())
    for secret in ("+79123456789", "Aigul Toktogulova", "Nurlanbek"):
        assert secret.encode() not in raw, secret


async def test_closed_requests_are_anonymised_after_the_retention_period(
    tg: FakeTelegram, app: RunningApp
) -> None:
    reference = await apply(tg, 2030)
    await app.db.execute(
        "UPDATE referrals SET status = 'completed', updated_at = '2020-01-01T00:00:00+00:00' WHERE id = ?",
        (referral_id(reference),),
    )
    await app.restart()  # the retention loop runs at start, then once a day
    for _ in range(50):
        if (await get_referral(app.db, referral_id(reference))).name is None:
            break
        await asyncio.sleep(0.1)
    referral = await get_referral(app.db, referral_id(reference))
    assert (referral.name, referral.phone, referral.status) == (None, None, Status.COMPLETED)
