"""Search as migrants type: any case, no punctuation, words with endings, in ky, ru and en."""

from __future__ import annotations

from datetime import date

import pytest

from bot.content.loader import read_content
from bot.services.search import MAX_RESULTS, Document, SearchIndex, has_words, stem, strip_tags
from tests.content_helpers import SHIPPED

DOCS = [
    Document("patent", "ru", "Патент и работа", "Кыргызстанцам <b>патент</b> не нужен."),
    Document("patent", "ky", "Патент жана иш", "Кыргызстандыктарга патенттин кереги жок."),
    Document("patent", "en", "Work patent", "Citizens of Kyrgyzstan need no <i>patent</i>."),
    Document("stay", "ru", "Срок пребывания", "Без патента можно работать по договору."),
    Document("stay", "ky", "Болуу мөөнөтү", "Келишим менен патентсиз иштесеңиз болот."),
    Document("stay", "en", "Stay", "Without a patent you work under a contract."),
    Document("home", "ru", "Возвращение домой", "Обучение в лицеях."),
    Document("home", "ky", "Мекенге кайтуу", "Лицейлерде окуу."),
    Document("home", "en", "Coming home", "Training in lyceums."),
]


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    return SearchIndex(DOCS)


@pytest.mark.parametrize(
    ("query", "locale"),
    [
        ("патент", "ru"),
        ("ПАТЕНТА", "ru"),
        ("патентом?!", "ru"),
        ("патент", "ky"),
        ("патентке", "ky"),
        ("Патенттин", "ky"),
        ("patent", "en"),
        ("Patents!", "en"),
    ],
)
def test_word_endings_case_and_punctuation_do_not_matter(index: SearchIndex, query: str, locale: str) -> None:
    assert index.search(query, locale) == ["patent", "stay"]


def test_title_matches_come_before_body_matches(index: SearchIndex) -> None:
    assert index.search("patent", "en")[0] == "patent"


def test_other_languages_fill_in_when_the_users_has_nothing(index: SearchIndex) -> None:
    assert index.search("lyceums", "ky") == ["home"]
    assert index.search("лицей", "en") == ["home"]


def test_nothing_found_is_an_empty_list(index: SearchIndex) -> None:
    assert index.search("салам", "ky") == []
    assert index.search("?!", "ru") == []


def test_a_prefix_finds_longer_words(index: SearchIndex) -> None:
    assert index.search("возвращ", "ru") == ["home"]


def test_tags_are_not_searchable(index: SearchIndex) -> None:
    assert index.search("b", "ru") == []
    assert strip_tags("<b>a &amp; b</b>").strip() == "a & b"


@pytest.mark.parametrize(
    ("word", "locale", "expected"),
    [
        ("мигранттардын", "ky", "мигрант"),
        ("каттоодон", "ky", "каттоо"),
        ("патентке", "ky", "патент"),
        ("регистрацию", "ru", "регистрац"),
        ("регистрация", "ru", "регистрац"),
        ("documents", "en", "document"),
        ("fines", "en", "fin"),
        ("fine", "en", "fin"),
        ("countries", "en", "countri"),
        ("country", "en", "countri"),
        ("passes", "en", "pass"),
        ("бар", "ky", "бар"),
    ],
)
def test_stems(word: str, locale: str, expected: str) -> None:
    assert stem(word, locale) == expected


@pytest.fixture(scope="module")
def guide() -> SearchIndex:
    content, _ = read_content(SHIPPED, date(2026, 12, 1))
    assert content is not None
    return content.search


@pytest.mark.parametrize(
    ("query", "locale", "expected_first"),
    [
        ("Паспорт жоголду", "ky", "lost-documents"),
        ("кирүүгө тыюуну текшерүү", "ky", "ban-check"),
        ("потерял документы", "ru", "lost-documents"),
        ("реестр контролируемых лиц", "ru", "controlled-persons"),
        ("Kazakhstan", "en", "kazakhstan"),
        ("unpaid wages!", "en", "unpaid-wages"),
    ],
)
def test_the_shipped_guide_answers_common_questions(
    guide: SearchIndex, query: str, locale: str, expected_first: str
) -> None:
    results = guide.search(query, locale)
    assert results[0] == expected_first
    assert len(results) <= MAX_RESULTS


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("патент", True), ("номер 112", True),
        ("01.03.2024", False), ("112", False), ("?!", False), ("как", False),
    ],
)
def test_only_texts_with_words_are_questions(text: str, expected: bool) -> None:
    assert has_words(text) is expected
