"""The loaded guide: the tree, the contacts, and the IDN-safe links the handlers show."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.content.common import LOCALES, HtmlText, check_url
from bot.content.loader import Content, read_content
from bot.content.registry import CONTENT_FILES
from bot.services.search import strip_tags
from bot.services.telegram_html import parse_html
from tests.content_helpers import SHIPPED

# FACTS.md lists these topics; the guide must carry every one of them.
REQUIRED_TOPICS = {
    "ban-check",
    "ban-notice",
    "stay-rules",
    "two-fines-rule",
    "first-30-days",
    "eaeu-rights",
    "controlled-persons",
    "expulsion",
    "kazakhstan",
    "lost-documents",
    "emergency-numbers",
    "unpaid-wages",
    "trafficking",
    "coming-home",
    "digital-tools",
}


@pytest.fixture(scope="module")
def content() -> Content:
    loaded, _ = read_content(SHIPPED, date(2026, 12, 1))
    assert loaded is not None
    return loaded


def test_the_guide_has_every_topic_from_the_facts(content: Content) -> None:
    assert REQUIRED_TOPICS <= set(content.topics)


def test_every_topic_is_reachable_from_the_root_with_one_parent(content: Content) -> None:
    reached: list[str] = []
    level = list(content.root)
    while level:
        reached += level
        level = [child.id for topic_id in level for child in content.children(topic_id)]
    assert sorted(reached) == sorted(content.topics)
    assert all(content.parents[topic_id] in content.topics for topic_id in set(reached) - set(content.root))


def test_root_level_lists_the_sections_in_file_order(content: Content) -> None:
    assert [topic.id for topic in content.children(None)] == list(content.root)


def test_bodies_parse_as_telegram_html_and_fit_a_message(content: Content) -> None:
    for topic in content.topics.values():
        for locale in LOCALES:
            text, _ = parse_html(topic.body.get(locale))
            assert 0 < len(text) < 2000, (topic.id, locale)


def test_kyrgyz_text_is_written_in_kyrgyz_cyrillic(content: Content) -> None:
    kyrgyz = " ".join(topic.body.ky for topic in content.topics.values())
    assert {"ң", "ө", "ү"} <= set(kyrgyz)
    assert kyrgyz != " ".join(topic.body.ru for topic in content.topics.values())


def test_contacts_filter_by_country_then_city(content: Content) -> None:
    moscow = {contact.id for contact in content.contacts_in("ru", "moscow")}
    russia = {contact.id for contact in content.contacts_in("ru", None)}

    assert "kg-embassy-moscow" in moscow and "ru-emergency" in moscow
    assert "kg-consulate-novosibirsk" not in moscow
    assert moscow < russia
    assert all(contact.country == "kg" for contact in content.contacts_in("kg", None))


def test_low_confidence_hotlines_are_marked_not_verified(content: Content) -> None:
    by_id = {contact.id: contact for contact in content.contacts}
    # No public page confirms the "1899" hotline or the trafficking hotline's number: neither is printed.
    assert "iom-trafficking-hotline" not in by_id and "migrant-hotline-1899" not in by_id
    assert not any(phone in ("1899", "0800 0000 189") for contact in content.contacts for phone in contact.phones)
    assert by_id["kg-emergency"].verified is False
    assert by_id["kz-emergency"].verified is True


def test_the_ban_rules_and_the_catalogue_come_with_the_guide(content: Content) -> None:
    assert "overstay_180" in {ground.id for ground in content.ban_rules.grounds}
    assert content.ban_rules.stay.russia.limit_days == 90
    assert content.catalogue.item("training", "vocational_lyceums") is not None
    assert content.catalogue.item("service", "social_contract") is not None
    assert content.catalogue.item("training", "social_contract") is None


def test_cyrillic_host_names_become_punycode_for_buttons() -> None:
    url = check_url("http://сервисы.гувм.мвд.рф/info-service.htm?sid=3000")
    assert url == "http://xn--b1afk4ade4e.xn--b1ab2a0a.xn--b1aew.xn--p1ai/info-service.htm?sid=3000"


@pytest.mark.parametrize("url", ["ftp://example.org", "https://", "example.org", "https://exa mple.org"])
def test_urls_other_than_http_with_a_host_are_refused(url: str) -> None:
    with pytest.raises(ValueError, match="bad URL"):
        check_url(url)


def test_html_text_is_a_localized_text_the_checker_can_tell_apart() -> None:
    text = HtmlText(ky="<b>а</b>", ru="<b>б</b>", en="<b>c</b>")
    assert text.get("en") == "<b>c</b>"
    assert strip_tags(text.get("ru")).strip() == "б"


def test_unknown_directory_reports_every_file_missing(tmp_path: Path) -> None:
    content, problems = read_content(tmp_path, date(2026, 12, 1))
    assert content is None
    assert {Path(problem.file).name for problem in problems} == set(CONTENT_FILES)
    assert {"topics.yaml", "contacts.yaml", "ban_rules.yaml", "training.yaml", "services.yaml"} <= set(
        CONTENT_FILES
    )
