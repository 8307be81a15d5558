"""End to end: browsing the guide, paging, search in each language, deep links, sharing, contacts, /reload."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from aiogram.fsm.storage.base import StorageKey

from bot.db.storage import SQLiteStorage
from bot.devtools.fake_telegram import FakeTelegram
from tests.conftest import COORDINATOR_ID, RunningApp
from tests.content_helpers import content_with

MakeApp = Callable[..., Awaitable[RunningApp]]


async def test_browsing_the_tree_with_back_and_menu(tg: FakeTelegram, app: RunningApp) -> None:
    user = tg.user(2001, language_code="en")
    [root] = await user.send("/guide")
    assert root.text.startswith("Safe migration guide")
    assert root.button_texts() == [
        "Before you go",
        "Working in Russia",
        "Kazakhstan basics",
        "Help and safety",
        "Coming home",
        "Menu",
    ]

    [section] = await user.press("Working in Russia")
    assert section.message_id == root.message_id  # edited in place
    assert "Your first 30 days in Russia" in section.button_texts()
    assert section.button_texts()[-3:] == ["Share", "Back", "Menu"]

    [page] = await user.press("Your first 30 days in Russia")
    assert page.text.startswith("Your first 30 days in Russia")
    assert "do not need it for the first 30 days" in page.text
    assert "Source: Russia-Kyrgyzstan agreement" in page.text
    assert "Checked: 20 November 2026." in page.text

    [back] = await user.press("Back")
    assert back.text.startswith("Working in Russia")
    [back] = await user.press("Back")
    assert back.text.startswith("Safe migration guide")
    [menu] = await user.press("Menu")
    assert menu.text.startswith("Main menu")
    assert {"Safe migration guide", "Help contacts"} <= set(menu.button_texts())


@pytest.mark.parametrize(
    ("locale", "menu_label", "title"),
    [
        ("ky", "Коопсуз миграция колдонмосу", "Жолго чыгардан мурун"),
        ("ru", "Справочник по безопасной миграции", "Перед выездом"),
        ("en", "Safe migration guide", "Before you go"),
    ],
)
async def test_the_menu_opens_the_guide_in_each_language(
    tg: FakeTelegram, app: RunningApp, locale: str, menu_label: str, title: str
) -> None:
    user = tg.user(2002, language_code=locale)
    await user.send("/menu")
    [root] = await user.press(menu_label)
    assert root.button_texts()[0] == title
    [page] = await user.press(title)
    assert page.text.startswith(title)


async def test_topic_pages_show_links_as_url_buttons(tg: FakeTelegram, app: RunningApp) -> None:
    user = tg.user(2003, language_code="en")
    await user.send("/guide")
    await user.press("Before you go")
    [page] = await user.press("Check for an entry ban")
    urls = {button["text"]: button.get("url") for button in page.buttons}
    assert urls["MVD entry-ban check"].startswith("http://xn--")
    assert urls["FSSP debts"] == "https://fssp.gov.ru"


async def test_a_level_with_more_than_eight_entries_is_paged(
    tg: FakeTelegram, make_app: MakeApp, tmp_path: Path
) -> None:
    await make_app(content_dir=content_with(tmp_path, "paged"))
    user = tg.user(2004, language_code="en")
    await user.send("/guide")
    [first] = await user.press("Many")
    assert first.button_texts()[:8] == [f"Item {n}" for n in range(1, 9)]
    assert "Next ▶️" in first.button_texts() and "◀️ Previous" not in first.button_texts()

    [second] = await user.press("Next ▶️")
    assert second.button_texts()[:2] == ["Item 9", "Item 10"]
    assert "◀️ Previous" in second.button_texts() and "Next ▶️" not in second.button_texts()
    [again] = await user.press("◀️ Previous")
    assert again.button_texts()[0] == "Item 1"


async def test_an_unconfirmed_topic_is_marked_not_verified(
    tg: FakeTelegram, make_app: MakeApp, tmp_path: Path
) -> None:
    await make_app(content_dir=content_with(tmp_path, "paged"))
    [confirmed] = await tg.user(2014, language_code="ru").send("/start topic-item-9")
    assert "не проверено" not in confirmed.text
    [unconfirmed] = await tg.user(2014, language_code="ru").send("/start topic-item-10")
    assert unconfirmed.text.startswith("Тема 10\n⚠️ не проверено")


@pytest.mark.parametrize(
    ("locale", "query", "header", "expected"),
    [
        ("ky", "патентке", "Колдонмодон табылгандар", "Россиядагы алгачкы 30 күн"),
        ("ru", "Патента?!", "Вот что нашлось в справочнике", "Первые 30 дней в России"),
        ("en", "lost PASSPORT", "Here is what I found in the guide", "Lost documents"),
    ],
)
async def test_plain_text_is_searched_in_the_users_language(
    tg: FakeTelegram, app: RunningApp, locale: str, query: str, header: str, expected: str
) -> None:
    user = tg.user(2005, language_code=locale)
    [results] = await user.send(query)
    assert results.text.startswith(header)
    assert expected in results.button_texts()
    assert len(results.button_texts()) <= 6  # five results at most, and Menu
    [page] = await user.press(expected)
    assert page.text.startswith(expected)


async def test_a_search_with_no_result_gives_a_hint_and_the_menu(tg: FakeTelegram, app: RunningApp) -> None:
    [reply] = await tg.user(2006, language_code="ru").send("абырвалг")
    assert reply.text.startswith("По этим словам ничего не нашлось")
    assert "Справочник по безопасной миграции" in reply.button_texts()


async def test_text_inside_a_dialogue_is_not_searched(tg: FakeTelegram, app: RunningApp) -> None:
    user = tg.user(2012, language_code="en")
    await SQLiteStorage(app.db).set_state(
        StorageKey(bot_id=tg.bot_id, chat_id=2012, user_id=2012), "SomeDialogue:question"
    )
    [reply] = await user.send("patent")
    assert reply.text == "Please answer the question above, or send /cancel to stop."


async def test_deep_link_opens_a_topic_and_an_unknown_one_opens_the_menu(
    tg: FakeTelegram, app: RunningApp
) -> None:
    user = tg.user(2007, language_code="en")
    replies = await user.send("/start topic-kazakhstan")
    assert replies[-1].text.startswith("Kazakhstan basics")
    assert "90 days in any 180" in replies[-1].text
    replies = await user.send("/start topic-no-such-page")
    assert replies[-1].text.startswith("Main menu")


async def test_share_gives_the_deep_link_to_the_page(tg: FakeTelegram, app: RunningApp) -> None:
    user = tg.user(2008, language_code="ky")
    await user.send("/start topic-lost-documents")
    [shared] = await user.press("Бөлүшүү")
    assert "«Документтер жоголсо»" in shared.text
    assert shared.text.endswith("https://t.me/koldoo_test_bot?start=topic-lost-documents")


async def test_contacts_by_country_then_city(tg: FakeTelegram, app: RunningApp) -> None:
    user = tg.user(2009, language_code="en")
    [countries] = await user.send("/contacts")
    assert countries.button_texts() == ["Russia", "Kazakhstan", "Kyrgyzstan", "Menu"]

    [cities] = await user.press("Russia")
    assert cities.button_texts()[:5] == [
        "Moscow",
        "Yekaterinburg",
        "Novosibirsk",
        "St Petersburg",
        "All cities",
    ]
    [moscow] = await user.press("Moscow")
    assert "Embassy of the Kyrgyz Republic in Russia" in moscow.text
    assert "☎️ 112" in moscow.text  # the country-wide emergency number is shown in every city
    assert "Novosibirsk" not in moscow.text
    assert not any(button.get("url", "").startswith("tel:") for button in moscow.buttons)

    [back] = await user.press("Back")
    assert back.button_texts()[0] == "Moscow"


async def test_a_long_contact_list_is_paged(tg: FakeTelegram, app: RunningApp) -> None:
    user = tg.user(2013, language_code="en")
    await user.send("/contacts")
    await user.press("Russia")
    [first] = await user.press("All cities")
    first_page = first.text
    assert first_page.count("Checked:") == 5
    assert "Centre for Employment of Citizens Abroad" not in first_page
    assert first.button_texts() == ["Next ▶️", "Back", "Menu"]

    [second] = await user.press("Next ▶️")
    assert second.text.count("Checked:") == 1
    assert "Centre for Employment of Citizens Abroad" in second.text
    assert second.button_texts() == ["◀️ Previous", "Back", "Menu"]


async def test_unconfirmed_contacts_are_marked_not_verified(tg: FakeTelegram, app: RunningApp) -> None:
    user = tg.user(2010, language_code="ru")
    await user.send("/contacts")
    [page] = await user.press("Кыргызстан")
    assert "Экстренные службы ⚠️ не проверено" in page.text
    assert "0800" not in page.text and "1899" not in page.text  # numbers no public page confirms are not printed
    assert "Действующий номер горячей линии смотрите на её сайте" in page.text
    assert "Международная организация по миграции (МОМ) в Кыргызстане ⚠️" not in page.text


async def test_reload_keeps_running_content_when_a_file_is_broken(
    tg: FakeTelegram, make_app: MakeApp, tmp_path: Path
) -> None:
    directory = content_with(tmp_path)
    await make_app(content_dir=directory, admin_ids=[COORDINATOR_ID])
    coordinator = tg.user(COORDINATOR_ID, language_code="en")

    topics = directory / "topics.yaml"
    topics.write_text(
        topics.read_text(encoding="utf-8").replace("en: Kazakhstan basics", "en: Kazakhstan today")
    )
    [done] = await coordinator.send("/reload")
    assert done.text.startswith("Content reloaded: 24 topics, 10 contacts.")
    [page] = await coordinator.send("/start topic-kazakhstan")
    assert page.text.startswith("Kazakhstan today")

    topics.write_text("root: [a\n", encoding="utf-8")
    [refused] = await coordinator.send("/reload")
    assert refused.text.startswith("Content was NOT reloaded")
    assert f"{topics}:2: (yaml): broken YAML" in refused.text
    [page] = await coordinator.send("/start topic-kazakhstan")
    assert page.text.startswith("Kazakhstan today")


async def test_a_long_error_report_is_split_into_several_messages(
    tg: FakeTelegram, make_app: MakeApp, tmp_path: Path
) -> None:
    directory = content_with(tmp_path)
    await make_app(content_dir=directory, admin_ids=[COORDINATOR_ID])
    fields = "title: {ru: а, en: a}, body: {ky: а, ru: а, en: a}, source: s, verified_on: 2026-11-01"
    entries = "".join(f"  - {{id: t{n}, {fields}}}\n" for n in range(120))
    (directory / "topics.yaml").write_text("root: [t0]\ntopics:\n" + entries, encoding="utf-8")

    replies = await tg.user(COORDINATOR_ID, language_code="en").send("/reload")

    assert len(replies) >= 2
    assert replies[0].text.startswith("Content was NOT reloaded")
    report = "\n".join(reply.text for reply in replies)
    assert report.count("missing language ky") == 120
    assert f"{directory / 'topics.yaml'}:122: topics.t119.title.ky: missing language ky" in report


async def test_reload_is_for_coordinators_only(tg: FakeTelegram, app: RunningApp) -> None:
    [reply] = await tg.user(2011, language_code="en").send("/reload")
    assert reply.text == "Only coordinators can reload the content."
