"""Logs never carry names, phones or texts: the detector itself, and a migrant's session end to end.

Every end-to-end test runs under the `tg` fixture, which applies the same check to all log output of that
test; these tests prove the detector catches what it should.
"""

from __future__ import annotations

import logging

from bot.devtools.fake_telegram import FakeTelegram
from tests.conftest import RunningApp
from tests.privacy import CapturingHandler, leaks, personal_data


async def test_the_detector_finds_names_texts_and_phones_in_any_format(tg: FakeTelegram) -> None:
    user = tg.user(4001, first_name="Айгүл", last_name="Токтогулова", username="aigul_t")
    tg.add_message(4001, from_bot=False, kind="text", text="менин номерим 0555 12 34 56")
    tg.add_message(4001, from_bot=False, kind="contact", contact={"phone_number": "+996 700 111 222", "first_name": "A"})
    secrets = personal_data(tg)
    assert {"Айгүл", "Токтогулова", "aigul_t", "менин номерим 0555 12 34 56", "0555123456", "996700111222"} <= secrets
    assert leaks("user_id=4001 event=menu.open", secrets) == []
    assert leaks("phone=+996-700-111-222", secrets) == ["996700111222"]
    assert leaks("name=Айгүл", secrets) == ["Айгүл"]
    assert leaks("phone=(0555) 12.34.56", secrets) == ["0555123456"]
    assert user.id == 4001


def test_digits_of_neighbouring_lines_never_join_into_a_secret() -> None:
    """A random callback id ending in 3011 followed by the next line's timestamp once read as the date 30.11.2026."""
    log = "callback query id=2203896698859243011\n2026-12-01 17:12:48,115 INFO bot.app bot.started"
    assert leaks(log, {"30112026"}) == []
    assert leaks("date=30.11.2026", {"30112026"}) == ["30112026"]


async def test_a_migrants_session_leaves_no_personal_data_in_the_logs(tg: FakeTelegram, app: RunningApp) -> None:
    capture = CapturingHandler()
    logging.getLogger().addHandler(capture)
    try:
        user = tg.user(4002, first_name="Бакыт", last_name="Осмонов", username="bakyt_o", language_code="ky")
        await user.send("/start")
        await user.press("Русский")
        await user.send("где найти работу в Москве?")
        await user.share_contact("+996555123456")
        await user.send_photo(caption="мой паспорт")
        await user.press_data("forged:data")
        await user.send("/forget")
        await user.press("Да, удалить всё")
    finally:
        logging.getLogger().removeHandler(capture)
    assert capture.lines, "the session logged nothing at all: the capture is not working"
    assert "user_id=4002" in capture.text  # ids and events are logged...
    assert leaks(capture.text, personal_data(tg)) == []  # ...names, phones and texts are not
