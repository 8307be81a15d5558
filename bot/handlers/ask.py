"""Talk to a person, the migrant's side: choose a topic, read and accept what happens to the messages, then
write; everything sent while the case is open goes to the team's topic (bot/handover.py).

The bot stays usable meanwhile: commands, menus and dialogues come first (this router is included after the
features and matches only when no dialogue is running), and a persistent keyboard button says that a
conversation is open and ends it.
"""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, Filter, StateFilter
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from aiogram.utils.callback_answer import CallbackAnswer

from bot.config import Settings
from bot.content.loader import ContentStore
from bot.db import cases as db_cases
from bot.db.cases import Case
from bot.db.clock import utcnow
from bot.db.connection import Database
from bot.db.subscriptions import get_subscription
from bot.db.tables import as_datetime
from bot.handlers.case_texts import conversation_facts, topic_label
from bot.handlers.contacts import contact_text
from bot.handover import Handover
from bot.i18n import _
from bot.keyboards.callbacks import AskCb, MenuCb, RateCb
from bot.keyboards.menu import menu_button, menu_only_keyboard
from bot.replies import answer, edit_or_send
from bot.services.case_closing import close_case
from bot.services.cases import (
    PASSED_KINDS,
    TOPICS,
    ask_step,
    emergency_countries,
    is_urgent_topic,
    reference,
)

log = logging.getLogger(__name__)
router = Router(name="ask")
router.message.filter(F.chat.type == "private")
router.edited_message.filter(F.chat.type == "private")


# -- screens ---------------------------------------------------------------------------------------------
def end_label() -> str:
    return _("✖️ End conversation")


def open_keyboard(case: Case) -> ReplyKeyboardMarkup:
    """Always on screen while a case is open: that it is open, and the way to end it."""
    return ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=end_label())]],
        resize_keyboard=True,
        is_persistent=True,
        input_field_placeholder=_("Conversation {reference} is open").format(reference=reference(case.id))[:64],
    )


def open_text(case: Case) -> str:
    return _(
        "💬 Conversation <b>{reference}</b> is open. Write here: text, photos, documents, voice messages, "
        "video, your location or a contact. A Koldoo volunteer will answer in this chat.\n\n"
        "The menu and commands keep working. To end the conversation, press “End conversation” or send /end."
    ).format(reference=reference(case.id))


def topics_screen(source: str) -> tuple[str, InlineKeyboardMarkup]:
    rows = [
        [InlineKeyboardButton(text=topic_label(topic), callback_data=AskCb(action="topic", topic=topic, src=source).pack())]
        for topic in TOPICS
    ]
    rows.append([menu_button()])
    text = _(
        "<b>Ask a person</b>\nA trained Koldoo volunteer or a partner lawyer will answer you here, in your "
        "language. What is your question about?"
    )
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


def consent_text(topic: str, settings: Settings) -> str:
    return (
        _("<b>Before you write: {topic}</b>").format(topic=topic_label(topic))
        + "\n\n"
        + conversation_facts(settings.retention_days)
        + "\n"
        + _(
            "<b>Working hours:</b> every day, 9:00 to 21:00 (Moscow time). Messages sent at night are answered "
            "in the morning.\n\n"
            "You can delete everything at any time with /forget.\n"
            "Do you agree?"
        )
    )


def consent_keyboard(topic: str, source: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=_("I agree, continue"), callback_data=AskCb(action="agree", topic=topic, src=source).pack())],
            [
                InlineKeyboardButton(text=_("Back"), callback_data=AskCb(action="start", src=source).pack()),
                menu_button(),
            ],
        ]
    )


def hotlines_text(content: ContentStore, locale: str) -> str:
    """Without an operator group the feature is off: the numbers that reach a person instead."""
    contacts = [c for c in content.current.contacts if c.kind in ("hotline", "emergency")]
    blocks = [contact_text(contact, locale) for contact in contacts]
    return _("<b>Talk to a person</b>\nThese hotlines can help you:") + "\n\n" + "\n\n".join(blocks)


def emergency_text(content: ContentStore, region: str | None, locale: str) -> str:
    countries = emergency_countries(region)
    contacts = [c for c in content.current.contacts if c.kind == "emergency" and c.country in countries]
    contacts.sort(key=lambda contact: countries.index(contact.country))
    blocks = [contact_text(contact, locale) for contact in contacts]
    header = _(
        "🆘 <b>If you are in danger now, call the emergency number.</b>\n"
        "A Koldoo coordinator has been told and will answer you as soon as possible."
    )
    return header + "\n\n" + "\n\n".join(blocks)


# -- entry: /ask, the menu, and the offers at the end of other screens -------------------------------------
async def start_screen(
    user_id: int, source: str, db: Database, handover: Handover, content: ContentStore, locale: str
) -> tuple[str, InlineKeyboardMarkup | ReplyKeyboardMarkup]:
    """What /ask leads to: the hotlines (feature off), the open case, a reopened one, or the topics."""
    if not handover.enabled:
        return hotlines_text(content, locale), menu_only_keyboard()
    async with handover.user_locks.hold(user_id):
        case = await db_cases.open_case_of(db, user_id) or await reopen_recent(user_id, db, handover)
    if case is not None:
        return open_text(case), open_keyboard(case)
    return topics_screen(source)


def reopenable(case: Case | None) -> bool:
    """A closed case the migrant may continue: closed at most REOPEN_DAYS ago."""
    if case is None or case.is_open or case.closed_at is None:
        return False
    return ask_step(False, as_datetime(case.closed_at), utcnow()) == "reopen"


async def reopen_recent(user_id: int, db: Database, handover: Handover) -> Case | None:
    """The migrant's case closed within REOPEN_DAYS, open again: its topic reopens, its card says so and
    the team is told. None when there is no such case. The caller holds the migrant's lock."""
    last = await db_cases.last_closed_case(db, user_id)
    if not reopenable(last):
        return None
    assert last is not None
    if not await db_cases.reopen(db, last.id):  # another case opened meanwhile: that one is theirs
        return await db_cases.open_case_of(db, user_id)
    case = await db_cases.get_case(db, last.id)
    assert case is not None
    log.info("case.reopened", extra={"case_id": case.id})
    await handover.set_topic_state(case, closed=False)
    await handover.refresh_card(case)
    await handover.post_note(case, handover.team_note(case, "reopened"))
    return case


async def _show_start(
    target: Message | CallbackQuery, source: str, db: Database, handover: Handover, content: ContentStore, locale: str
) -> None:
    text, markup = await start_screen(target.from_user.id, source, db, handover, content, locale)
    message = target.message if isinstance(target, CallbackQuery) else target
    if isinstance(markup, ReplyKeyboardMarkup) or not isinstance(target, CallbackQuery):
        await answer(message, text, markup)  # a reply keyboard comes with a new message only
    else:
        await edit_or_send(target, text, markup)


@router.message(Command("ask"))
async def ask_command(message: Message, db: Database, handover: Handover, content: ContentStore, locale: str) -> None:
    await _show_start(message, "command", db, handover, content, locale)


@router.callback_query(MenuCb.filter(F.section == "ask"))
async def ask_from_menu(
    callback: CallbackQuery, db: Database, handover: Handover, content: ContentStore, locale: str
) -> None:
    await _show_start(callback, "menu", db, handover, content, locale)


@router.callback_query(AskCb.filter(F.action == "start"))
async def ask_offered(
    callback: CallbackQuery, callback_data: AskCb, db: Database, handover: Handover, content: ContentStore, locale: str
) -> None:
    source = callback_data.src if callback_data.src in ("ban", "search", "referral", "menu", "command") else "menu"
    await _show_start(callback, source, db, handover, content, locale)


@router.callback_query(AskCb.filter(F.action == "topic"), AskCb.filter(F.topic.in_(TOPICS)))
async def topic_chosen(callback: CallbackQuery, callback_data: AskCb, settings: Settings, handover: Handover) -> None:
    if not handover.enabled:
        await edit_or_send(callback, _("Talking to a person is not available now."), menu_only_keyboard())
        return
    await edit_or_send(callback, consent_text(callback_data.topic, settings), consent_keyboard(callback_data.topic, callback_data.src))


@router.callback_query(AskCb.filter(F.action == "agree"), AskCb.filter(F.topic.in_(TOPICS)))
async def agreed(
    callback: CallbackQuery,
    callback_data: AskCb,
    db: Database,
    settings: Settings,
    handover: Handover,
    content: ContentStore,
    locale: str,
) -> None:
    """Consent given: the case opens (once, however often the button is pressed), and the migrant writes."""
    user_id = callback.from_user.id
    chat_id = settings.operator_chat_for(locale)
    if chat_id is None:
        await edit_or_send(callback, _("Talking to a person is not available now."), menu_only_keyboard())
        return
    region = (await get_subscription(db, user_id)).region
    source = callback_data.src if callback_data.src in ("ban", "search", "referral", "menu", "command") else "menu"
    async with handover.user_locks.hold(user_id):
        case, created = await db_cases.open_case(db, user_id, callback_data.topic, locale, region, source, chat_id)
    if not created:  # a second press of the same button: the case is there already
        return
    log.info("case.opened", extra={"case_id": case.id, "topic": case.topic, "locale": locale})
    await edit_or_send(callback, _("Thank you. Your consent is recorded."))
    await callback.bot.send_message(user_id, open_text(case), reply_markup=open_keyboard(case))
    if is_urgent_topic(case.topic):
        await raise_urgent(case, db, handover, content)


async def raise_urgent(case: Case, db: Database, handover: Handover, content: ContentStore) -> None:
    """The safety topic or an operator's Urgent: emergency numbers to the migrant at once, coordinators
    alerted, the topic marked. Happens once per case."""
    if not await db_cases.mark_urgent(db, case.id) or case.user_id is None:
        return
    case = await db_cases.get_case(db, case.id) or case
    with handover.i18n.use_locale(case.locale):
        text = emergency_text(content, case.region, case.locale)
    try:
        await handover.bot.send_message(case.user_id, text)
    except Exception as error:  # noqa: BLE001 - the alert to the team must go even if the migrant is unreachable
        log.warning("case.emergency_numbers_failed", extra={"case_id": case.id, "error": type(error).__name__})
    if case.thread_id is not None:  # an existing topic shows it now; a new one is made so
        await handover.rename_topic(case)
        await handover.refresh_card(case)
    else:
        try:
            case = await handover.ensure_topic(case)
        except Exception as error:  # noqa: BLE001 - the worker creates it later; coordinators still hear
            log.warning("case.urgent_topic_failed", extra={"case_id": case.id, "error": type(error).__name__})
    await handover.alert_coordinators(case)


# -- ending, closing and rating --------------------------------------------------------------------------
async def _end(user_id: int, db: Database, handover: Handover) -> bool:
    case = await db_cases.open_case_of(db, user_id)
    return case is not None and await close_case(case, db, handover)


@router.message(Command("end"))
async def end_command(message: Message, db: Database, handover: Handover) -> None:
    if not await _end(message.from_user.id, db, handover):
        await answer(message, _("You have no open conversation."), ReplyKeyboardRemove())


@router.message(StateFilter(None), F.text.func(lambda text: text == end_label()))
async def end_button(message: Message, db: Database, handover: Handover) -> None:
    if not await _end(message.from_user.id, db, handover):
        await answer(message, _("You have no open conversation."), ReplyKeyboardRemove())


@router.callback_query(RateCb.filter(F.score.in_(range(1, 6))))
async def rated(callback: CallbackQuery, callback_data: RateCb, callback_answer: CallbackAnswer, db: Database) -> None:
    if not await db_cases.rate(db, callback_data.id, callback.from_user.id, callback_data.score):
        callback_answer.text = _("This rating is no longer possible.")
        return
    log.info("case.rated", extra={"case_id": callback_data.id, "score": callback_data.score})
    await edit_or_send(callback, _("Thank you for your rating!"), menu_only_keyboard())


# -- messages while a case is open -----------------------------------------------------------------------
class HasOpenCase(Filter):
    """Matches a migrant's message when they have an open case; hands the case to the handler."""

    async def __call__(self, message: Message, db: Database, handover: Handover) -> bool | dict[str, Case]:
        if not handover.enabled or message.from_user is None:
            return False
        case = await db_cases.open_case_of(db, message.from_user.id)
        return {"case": case} if case is not None else False


@router.message(StateFilter(None), ~F.text.startswith("/"), HasOpenCase())
async def to_team(message: Message, case: Case, db: Database, handover: Handover) -> None:
    """Stored first, copied by the handover: a restart or a flood limit delays it, never loses it."""
    kind = message.content_type
    if kind not in PASSED_KINDS:
        await answer(
            message,
            _(
                "I cannot pass this kind of message on. Please send text, a photo, a document, a voice message, "
                "a video, your location or a contact."
            ),
        )
        return
    reply_to = message.reply_to_message.message_id if message.reply_to_message else None
    text_html = message.html_text if kind == "text" or message.caption else None  # a caption too: the transcript
    first = await db_cases.add_incoming(db, case.id, kind, message.message_id, text_html, reply_to)
    handover.wake()
    log.info("case.message_in", extra={"case_id": case.id, "kind": kind})
    if case.unreachable and await db_cases.set_unreachable(db, case.id, False):
        await handover.post_note(case, handover.team_note(case, "back"))
    if first:
        await answer(
            message,
            _(
                "✅ Received. Your case number is <b>{reference}</b>. A volunteer usually answers within a few "
                "hours (9:00 to 21:00 Moscow time). You can add more messages meanwhile."
            ).format(reference=reference(case.id)),
            open_keyboard(case),
        )


class HasRecentCase(Filter):
    """Matches what could go to the team from a migrant whose case closed within REOPEN_DAYS: writing again
    continues it. Anyone else's plain message (no case, or an older one) goes on to the search."""

    async def __call__(self, message: Message, db: Database, handover: Handover) -> bool:
        if not handover.enabled or message.from_user is None or message.content_type not in PASSED_KINDS:
            return False
        return reopenable(await db_cases.last_closed_case(db, message.from_user.id))


@router.message(StateFilter(None), ~F.text.startswith("/"), HasRecentCase())
async def reopened_by_writing(message: Message, db: Database, handover: Handover) -> None:
    """Writing again soon after the close: the same case opens again (the migrant is told) and this
    message is its next one."""
    async with handover.user_locks.hold(message.from_user.id):
        case = await db_cases.open_case_of(db, message.from_user.id)  # a message just before this one reopened it
        reopened = case is None and (case := await reopen_recent(message.from_user.id, db, handover)) is not None
    if case is None:  # it went past the 7 days meanwhile: a new case, chosen as /ask would
        await answer(message, *topics_screen("menu"))
        return
    if reopened:
        await answer(
            message,
            _("↩️ You wrote again within 7 days, so conversation <b>{reference}</b> is open again.").format(
                reference=reference(case.id)
            )
            + "\n\n"
            + open_text(case),
            open_keyboard(case),
        )
    await to_team(message, case, db, handover)


@router.edited_message(HasOpenCase())
async def edited_by_migrant(message: Message, case: Case, db: Database, handover: Handover) -> None:
    """An edit follows the message: to its copy in the topic, or into the text still waiting to go."""
    link = await db_cases.link_of_user_message(db, case.id, message.message_id)
    if link is None or link.direction != "in":
        return
    if link.kind == "text" or message.caption is not None:
        await db_cases.update_text(db, link.id, message.html_text)
    if link.status != "sent" or link.group_message_id is None:
        return
    try:
        if link.kind == "text":
            texts = await db_cases.post_texts(db, case.id, link.group_message_id)
            await handover.bot.edit_message_text("\n\n".join(texts), chat_id=case.chat_id, message_id=link.group_message_id)
        elif message.caption is not None:
            await handover.bot.edit_message_caption(
                chat_id=case.chat_id, message_id=link.group_message_id, caption=message.html_text
            )
    except TelegramBadRequest as error:
        log.info("case.edit_not_followed", extra={"case_id": case.id, "error": error.message})
