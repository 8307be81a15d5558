"""The help directory: countries, then cities, then the organisations, with unconfirmed ones marked."""

from __future__ import annotations

from html import escape

from aiogram import F, Router, html
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.content.contacts import Contact, Country
from bot.content.loader import Content, ContentStore
from bot.handlers.guide import not_verified_mark
from bot.i18n import LANGUAGE_NAMES, _, format_date
from bot.keyboards.callbacks import ContactsCb, MenuCb
from bot.keyboards.guide import (
    ALL_CITIES,
    cities_keyboard,
    contacts_page_keyboard,
    countries_keyboard,
    page_bounds,
)
from bot.replies import answer, edit_or_send

router = Router(name="contacts")

CONTACTS_PER_PAGE = 5  # keeps a page well under Telegram's 4096 characters on a small screen
# Languages are named in their own language, like the language buttons; Kazakh is spoken by contacts only.
SPOKEN_LANGUAGES = {**LANGUAGE_NAMES, "kk": "Қазақша"}


def kind_label(kind: str) -> str:
    labels = {
        "emergency": _("Emergency"),
        "consulate": _("Embassy or consulate"),
        "hotline": _("Hotline"),
        "ngo": _("Non-governmental organisation"),
        "legal_aid": _("Legal aid"),
        "iom": _("International Organization for Migration"),
        "government": _("Government"),
    }
    return labels[kind]


def contact_text(contact: Contact, locale: str) -> str:
    """One organisation; phones are plain text (Telegram makes them tappable), never `tel:` buttons."""
    lines = [f"<b>{html.quote(contact.organisation.get(locale))}</b>"]
    if not contact.verified:
        lines[0] += " " + not_verified_mark()
    lines.append(f"<i>{kind_label(contact.kind)}</i>")
    if contact.phones:
        lines.append("☎️ " + ", ".join(html.quote(phone) for phone in contact.phones))
    if contact.hours is not None:
        lines.append("🕘 " + html.quote(contact.hours.get(locale)))
    if contact.languages:
        lines.append("🗣 " + ", ".join(SPOKEN_LANGUAGES[code] for code in contact.languages))
    if contact.note is not None:
        lines.append(contact.note.get(locale))
    if contact.website is not None:
        lines.append(f'🌐 <a href="{escape(contact.website, quote=True)}">{html.quote(contact.website)}</a>')
    lines.append(_("Checked: {date}.").format(date=format_date(contact.verified_on, locale)))
    return "\n".join(lines)


def countries_screen(content: Content, locale: str) -> tuple[str, InlineKeyboardMarkup]:
    return _("<b>Help contacts</b>\nChoose a country:"), countries_keyboard(content.countries, locale)


def contacts_screen(
    content: Content, country: Country, city: str, page: int, locale: str
) -> tuple[str, InlineKeyboardMarkup]:
    """One page of a country's (or a city's) contacts, in the order the directory lists them."""
    city_id = None if city == ALL_CITIES else city
    contacts = content.contacts_in(country.id, city_id)
    page, pages = page_bounds(len(contacts), page, CONTACTS_PER_PAGE)
    place = country.name.get(locale)
    city_model = next((item for item in country.cities if item.id == city_id), None)
    if city_model is not None:
        place = f"{city_model.name.get(locale)}, {place}"
    shown = contacts[page * CONTACTS_PER_PAGE : (page + 1) * CONTACTS_PER_PAGE]
    blocks = [contact_text(contact, locale) for contact in shown] or [_("No contacts here yet.")]
    header = _("<b>Help contacts: {place}</b>").format(place=html.quote(place))
    text = header + "\n\n" + "\n\n".join(blocks)
    return text, contacts_page_keyboard(country, city, page, pages)


@router.message(Command("contacts"))
async def contacts_command(message: Message, content: ContentStore, locale: str) -> None:
    await answer(message, *countries_screen(content.current, locale))


@router.callback_query(MenuCb.filter(F.section == "contacts"))
async def contacts_from_menu(callback: CallbackQuery, content: ContentStore, locale: str) -> None:
    await edit_or_send(callback, *countries_screen(content.current, locale))


@router.callback_query(ContactsCb.filter())
async def browse_contacts(
    callback: CallbackQuery, callback_data: ContactsCb, content: ContentStore, locale: str
) -> None:
    """Country, then city when the country has any; an unknown id (after a reload) goes back to the start."""
    guide = content.current
    country = guide.country(callback_data.country)
    if country is None:
        await edit_or_send(callback, *countries_screen(guide, locale))
    elif country.cities and not callback_data.city:
        text = _("<b>Help contacts: {country}</b>\nChoose a city:").format(
            country=html.quote(country.name.get(locale))
        )
        await edit_or_send(callback, text, cities_keyboard(country, locale))
    else:
        await edit_or_send(
            callback, *contacts_screen(guide, country, callback_data.city, callback_data.page, locale)
        )
