"""🆘 Emergency, the first row of the main menu: the emergency numbers of each country, the embassy and
consulates, and what to do when detained. Typed distress ("задержали", "жардам", "help") gets this screen
first, before whatever else the text would have given; inside a dialogue's question, instead of the text
being taken as the answer, the question comes again.

Numbers are plain text (Telegram makes them tappable on phones; `tel:` url buttons are refused by the Bot
API). Everything shown comes from content/contacts.yaml and topics.yaml, with its source and check date.
"""

from __future__ import annotations

import logging

from aiogram import Bot, F, Router, html
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.filters import Command, Filter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.content.loader import Content, ContentStore
from bot.db.connection import Database
from bot.db.subscriptions import get_subscription
from bot.handlers.contacts import contact_text
from bot.handlers.guide import not_verified_mark
from bot.handlers.questions import ask_again, is_question
from bot.i18n import _
from bot.keyboards.callbacks import MenuCb, TopicCb
from bot.keyboards.menu import menu_button
from bot.replies import answer, edit_or_send
from bot.services.cases import EMERGENCY_COUNTRIES, emergency_countries
from bot.services.distress import is_distress

log = logging.getLogger(__name__)
router = Router(name="emergency")
router.message.filter(F.chat.type == "private")

DETAINED_TOPIC = "if-detained"
# Staff drafting a broadcast or a note write "police" for others to read: that is not their own distress.
STAFF_DRAFTS = ("Compose:", "NoteForm:")
CONSULATES_SITE = "https://mfa.gov.kg"


def country_order(region: str | None) -> list[str]:
    """Every country's numbers, the one the migrant said they are in first."""
    first = list(emergency_countries(region)) if region else []
    return first + [country for country in EMERGENCY_COUNTRIES if country not in first]


def emergency_text(content: Content, region: str | None, locale: str) -> str:
    order = country_order(region)
    parts = [
        _("🆘 <b>Emergency</b>\nIf your life or health is in danger, <b>call 112 now</b>. Tap a number to call.")
    ]
    numbers = [c for c in content.contacts if c.kind == "emergency" and c.country in order]
    numbers.sort(key=lambda contact: order.index(contact.country))
    for contact in numbers:
        country = content.country(contact.country)
        name = country.name.get(locale) if country is not None else contact.country
        parts.append(f"<b>{html.quote(name)}</b>\n" + contact_text(contact, locale))
    consulates = [c for c in content.contacts if c.kind == "consulate"]
    if consulates:
        lines = [_("<b>Embassy and consulates of Kyrgyzstan</b>")]
        for contact in consulates:
            mark = "" if contact.verified else " " + not_verified_mark()
            lines.append(f"• {html.quote(contact.organisation.get(locale))}{mark}")
        lines.append(
            _("Their phone numbers are not confirmed yet: find them on {site}.").format(
                site=f'<a href="{CONSULATES_SITE}">mfa.gov.kg</a>'
            )
        )
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def call_now_text() -> str:
    return _(
        "🆘 <b>In danger now? Call 112 now.</b> Emergency services answer at once; a request to Koldoo would "
        "only be answered later."
    )


def emergency_button() -> InlineKeyboardButton:
    return InlineKeyboardButton(text=_("🆘 Emergency"), callback_data=MenuCb(section="emergency").pack())


def emergency_keyboard(content: Content, locale: str) -> InlineKeyboardMarkup:
    rows = []
    detained = content.topics.get(DETAINED_TOPIC)
    if detained is not None:
        rows.append(
            [InlineKeyboardButton(text="👮 " + detained.title.get(locale), callback_data=TopicCb(id=detained.id).pack())]
        )
    rows.append([InlineKeyboardButton(text=_("🏛 Embassy and consulates"), url=CONSULATES_SITE)])
    rows.append([InlineKeyboardButton(text=_("Help contacts"), callback_data=MenuCb(section="contacts").pack())])
    rows.append([menu_button()])
    return InlineKeyboardMarkup(inline_keyboard=rows)


async def screen(db: Database, user_id: int, content: ContentStore, locale: str) -> tuple[str, InlineKeyboardMarkup]:
    region = (await get_subscription(db, user_id)).region
    current = content.current
    return emergency_text(current, region, locale), emergency_keyboard(current, locale)


@router.message(Command("emergency"))
async def emergency_command(message: Message, db: Database, content: ContentStore, locale: str) -> None:
    await answer(message, *await screen(db, message.from_user.id, content, locale))


@router.callback_query(MenuCb.filter(F.section == "emergency"))
async def emergency_from_menu(callback: CallbackQuery, db: Database, content: ContentStore, locale: str) -> None:
    await edit_or_send(callback, *await screen(db, callback.from_user.id, content, locale))


class NotStaffDraft(Filter):
    async def __call__(self, message: Message, raw_state: str | None = None) -> bool:
        return raw_state is None or not raw_state.startswith(STAFF_DRAFTS)


@router.message(F.text.func(is_distress), F.forward_origin.is_(None), NotStaffDraft())  # a forward: someone else's words
async def distress(
    message: Message,
    state: FSMContext,
    bot: Bot,
    db: Database,
    content: ContentStore,
    locale: str,
    raw_state: str | None = None,
) -> None:
    """The numbers first. Inside a dialogue's question the text is not an answer: the question is asked
    again (bot/handlers/questions.py). Anywhere else the text goes on to whoever would have answered it
    (search, a conversation with a person), so nothing the migrant wrote is lost."""
    in_question = is_question(raw_state)
    log.info("emergency.distress_words", extra={"user_id": message.from_user.id, "in_question": in_question})
    await answer(message, *await screen(db, message.from_user.id, content, locale))
    if not in_question:
        raise SkipHandler
    await ask_again(raw_state, message, state, bot=bot, locale=locale, content=content, db=db)
