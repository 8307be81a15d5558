"""Talk to a person, end to end: a migrant's case in a forum topic of the operator group, and back."""

from __future__ import annotations

from bot.db import cases as db_cases
from tests.ask_helpers import GROUP, case_of, volunteer, wait_in_topic


async def test_full_case_in_kyrgyz_with_a_russian_speaking_volunteer(tg, make_app) -> None:
    tg.forum(GROUP)
    app = await make_app(operator_chat_id=GROUP)
    staff = await volunteer(tg, app, language="ru")
    migrant = tg.user(1001, language_code="ky")

    await migrant.send("/start")
    await migrant.press("💬 Адамдан сураңыз")
    await migrant.press("Кирүүгө тыюу салуу жана укуктук суроолор")
    consent = migrant.last.text
    assert "ыктыярчылар" in consent and "/forget" in consent
    await migrant.press("Макулмун, улантуу")
    case = await case_of(app, migrant)
    assert case.consent_at and case.topic == "ban" and case.locale == "ky" and case.source == "menu"

    replies = await migrant.send("Менин паспортумду иш берүүчү алып койду")
    assert any(f"#C-{case.id}" in (m.text or "") for m in replies)
    assert migrant.keyboard == ["✖️ Сүйлөшүүнү бүтүрүү"]

    case = await wait_in_topic(tg, app, migrant, 1)
    topic = tg.topic(GROUP, case.thread_id)
    assert topic.name == f"#C-{case.id} · ky · ban"
    card, copy = tg.thread(GROUP, case.thread_id)[:2]
    assert card.button_texts() == ["Взять", "Срочно", "Закрыть"]
    assert "Кыргызча" in card.text and "User1001" not in card.text
    assert copy.text == "Менин паспортумду иш берүүчү алып койду" and copy.protected

    await staff.send("/answer lost-passport", thread=case.thread_id)
    answer = migrant.last
    assert answer.text.startswith("Koldoo ыктыярчысы:")
    assert "3 күндүн ичинде полицияга" in answer.text
    assert "Volunteer" not in answer.text

    await staff.send("! проверить консульство", thread=case.thread_id)
    assert "консульство" not in migrant.last.text

    await staff.send("Напишите, в каком вы городе?", thread=case.thread_id)
    assert migrant.last.text == "Koldoo ыктыярчысы:\nНапишите, в каком вы городе?"

    await staff.send("/close", thread=case.thread_id)
    assert tg.topic(GROUP, case.thread_id).closed
    assert migrant.last.button_texts() == ["1", "2", "3", "4", "5"]
    await migrant.press("5")
    closed = await db_cases.get_case(app.db, case.id)
    assert closed.status == "closed" and closed.rating == 5 and closed.first_answer_at
