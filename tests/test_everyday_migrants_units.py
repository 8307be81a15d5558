"""Pure parts of issue 14 (migrants): distress words, the broadcast header's entity shift, places abroad,
and which updates leave a dialogue."""

from __future__ import annotations

import pytest
from aiogram.types import CallbackQuery, Chat, Message, User

from bot.broadcasting import with_header
from bot.content.catalogue import PLACE_COUNTRY, PLACES, REGIONS, region_id
from bot.db.broadcasts import Content
from bot.middlewares.leave import command_of, leaves_dialogue
from bot.services.cases import country_of
from bot.services.distress import is_distress
from bot.services.telegram_html import utf16_len


@pytest.mark.parametrize(
    "text",
    [
        "помогите",
        "Помогите!!!",
        "ПОМОГИ",
        "меня задержали",
        "брата задержала полиция",
        "я задержан",
        "задерживают в метро",
        "полиция",
        "полицейский забрал документы",
        "паспорт забрали",
        "забрали паспорт на работе",
        "работодатель отобрал паспорт",
        "жардам",
        "жардам бериңиздерчи",
        "паспортумду алып алышты",
        "мени кармашты",
        "help",
        "Help me please",
        "I was detained",
        "police took me",
        "they took my passport",
        "SOS",
    ],
)
def test_distress_in_every_language_and_inflection(text: str) -> None:
    assert is_distress(text)


@pytest.mark.parametrize(
    "text",
    [
        "patent",
        "регистрация",
        "как продлить паспорт",
        "паспорт",
        "задержка зарплаты",  # a delay of wages, not a detention
        "helpful tips",
        "/help",  # the command, not a cry
        "",
        None,
        "05.03.2025",
    ],
)
def test_ordinary_text_is_not_distress(text: str | None) -> None:
    assert not is_distress(text)


def test_the_header_moves_the_senders_formatting_down() -> None:
    content = Content("text", "Салам 👋 <b>", ({"type": "italic", "offset": 6, "length": 2},))
    header = "📣 Koldoo · news"
    dressed = with_header(content, header)
    assert dressed.text == "📣 Koldoo · news\n\nСалам 👋 <b>"
    shift = utf16_len(header) + 2
    assert dressed.entities == (
        {"type": "bold", "offset": 0, "length": utf16_len(header)},
        {"type": "italic", "offset": 6 + shift, "length": 2},
    )
    italic = dressed.entities[1]
    as_utf16 = dressed.text.encode("utf-16-le")
    assert as_utf16[italic["offset"] * 2 : (italic["offset"] + italic["length"]) * 2].decode("utf-16-le") == "👋"


def test_a_file_without_caption_gets_the_header_alone_and_no_header_changes_nothing() -> None:
    photo = Content("photo", "", (), "file-1")
    assert with_header(photo, "📣 Koldoo · news") == Content(
        "photo", "📣 Koldoo · news", ({"type": "bold", "offset": 0, "length": 16},), "file-1"
    )
    assert with_header(photo, "") is photo


def test_places_are_kyrgyz_regions_then_russia_then_kazakhstan() -> None:
    assert list(PLACES)[: len(REGIONS)] == list(REGIONS)
    countries = [PLACE_COUNTRY[place] for place in PLACES]
    assert countries == sorted(countries, key=["kg", "ru", "kz"].index)
    assert {"moscow", "saint_petersburg", "yekaterinburg", "novosibirsk", "almaty", "astana"} <= set(PLACES)
    assert all(len(f"rf:region:{place}".encode()) <= 64 for place in PLACES)


@pytest.mark.parametrize(
    ("typed", "place"),
    [("Moscow", "moscow"), ("москва", "moscow"), ("St Petersburg", "saint_petersburg"), ("Almaty", "almaty"),
     ("russia", "russia"), ("Osh city", "osh_city"), ("Atlantis", None)],
)
def test_export_filters_name_places_abroad(typed: str, place: str | None) -> None:
    assert region_id(typed) == place


def test_a_city_abroad_is_in_its_country_for_the_emergency_numbers() -> None:
    assert (country_of("moscow"), country_of("astana"), country_of("osh"), country_of(None)) == ("ru", "kz", "kg", None)


@pytest.mark.parametrize(
    ("text", "command"),
    [("/ban", "ban"), ("/guide@KoldooBot", "guide"), ("/start topic-x", "start"), ("hello", None), ("/", None)],
)
def test_command_of(text: str, command: str | None) -> None:
    assert command_of(text) == command


def _message(text: str, chat_type: str = "private") -> Message:
    user = User(id=1, is_bot=False, first_name="A")
    return Message(message_id=1, date=0, chat=Chat(id=1, type=chat_type), from_user=user, text=text)


def test_what_leaves_a_dialogue() -> None:
    user = User(id=1, is_bot=False, first_name="A")
    assert leaves_dialogue(_message("/guide"))
    assert not leaves_dialogue(_message("/cancel"))  # it says itself what it stopped
    assert not leaves_dialogue(_message("05.03.2025"))
    assert not leaves_dialogue(_message("/guide", "supergroup"))  # groups have no personal dialogues
    assert leaves_dialogue(CallbackQuery(id="1", from_user=user, chat_instance="c", data="m:contacts"))
    assert not leaves_dialogue(CallbackQuery(id="1", from_user=user, chat_instance="c", data="dq:check:country:back:"))
