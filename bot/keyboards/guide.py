"""Keyboards of the guide and the help directory: tree levels with paging, topic pages, search results."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.content.contacts import Country
from bot.content.loader import Content
from bot.content.topics import Topic
from bot.i18n import _
from bot.keyboards.callbacks import ContactsCb, ServCb, ShareCb, TopicCb
from bot.keyboards.menu import menu_button, nav_row, pager_row

PAGE_SIZE = 8  # more entries than this on one level are paged
ALL_CITIES = "*"

Row = list[InlineKeyboardButton]


def page_bounds(total: int, page: int, size: int = PAGE_SIZE) -> tuple[int, int]:
    """The page actually shown (a stale page number is clamped) and the number of pages."""
    pages = max(1, -(-total // size))
    return min(max(page, 0), pages - 1), pages


def _button(text: str, data: CallbackData) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data.pack())


def _paged(
    entries: Sequence[tuple[str, CallbackData]], page: int, page_data: Callable[[int], CallbackData]
) -> list[Row]:
    """One button per entry on this page, then ◀ ▶ when there is more than one page."""
    page, pages = page_bounds(len(entries), page)
    rows = [[_button(text, data)] for text, data in entries[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]]
    pager = pager_row(page, pages, page_data)
    return rows + [pager] if pager else rows


def topic_keyboard(content: Content, topic: Topic | None, page: int, locale: str) -> InlineKeyboardMarkup:
    """A level of the tree (the root when `topic` is None): children, the topic's links, Share, Back, Menu."""
    topic_id = topic.id if topic is not None else None
    children = [(child.title.get(locale), TopicCb(id=child.id)) for child in content.children(topic_id)]
    rows = _paged(children, page, lambda number: TopicCb(id=topic_id or "", page=number))
    if topic is None:
        rows.append([menu_button()])
        return InlineKeyboardMarkup(inline_keyboard=rows)
    if topic.referral is not None:
        label = _("✍️ Sign up") if topic.referral == "volunteer" else _("🤝 Ask a coordinator")
        rows.append([_button(label, ServCb(kind=topic.referral))])
    rows += [[InlineKeyboardButton(text=link.label.get(locale), url=link.url)] for link in topic.links]
    rows.append([_button(_("Share"), ShareCb(id=topic.id))])
    rows.append(nav_row(TopicCb(id=content.parents.get(topic.id, ""))))
    return InlineKeyboardMarkup(inline_keyboard=rows)


def results_keyboard(topics: Sequence[Topic], locale: str) -> InlineKeyboardMarkup:
    rows = [[_button(topic.title.get(locale), TopicCb(id=topic.id))] for topic in topics]
    rows.append([menu_button()])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def countries_keyboard(countries: Sequence[Country], locale: str) -> InlineKeyboardMarkup:
    rows = [[_button(country.name.get(locale), ContactsCb(country=country.id))] for country in countries]
    rows.append([menu_button()])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def cities_keyboard(country: Country, locale: str) -> InlineKeyboardMarkup:
    rows = [
        [_button(city.name.get(locale), ContactsCb(country=country.id, city=city.id))]
        for city in country.cities
    ]
    rows.append([_button(_("All cities"), ContactsCb(country=country.id, city=ALL_CITIES))])
    rows.append(nav_row(ContactsCb()))
    return InlineKeyboardMarkup(inline_keyboard=rows)


def contacts_page_keyboard(country: Country, city: str, page: int, pages: int) -> InlineKeyboardMarkup:
    """Paging through a long list of contacts, and Back to the cities (or countries when there are none)."""
    pager = pager_row(page, pages, lambda number: ContactsCb(country=country.id, city=city, page=number))
    rows = [pager] if pager else []
    back = ContactsCb(country=country.id) if country.cities else ContactsCb()
    rows.append(nav_row(back))
    return InlineKeyboardMarkup(inline_keyboard=rows)
