"""Talk to a person, the team's side: the operator groups' topics, one per case.

Whatever a staff member writes in a case's topic reaches the migrant from the bot, as "Koldoo volunteer",
never with their name; `!` notes stay in the group; `/answer KEY` sends a saved answer in the migrant's
language; `/close` ends the case. The role is read from the database on every message (the user middleware),
so someone whose role was revoked is ignored at once, like every other member who is not staff.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from aiogram import Bot, F, Router, html
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramForbiddenError
from aiogram.filters import Command, CommandObject, Filter
from aiogram.types import CallbackQuery, Message, ReplyParameters
from aiogram.utils.callback_answer import CallbackAnswer

from bot.config import Settings
from bot.content.loader import ContentStore
from bot.db import cases as db_cases
from bot.db.cases import Case
from bot.db.connection import Database
from bot.db.users import mark_blocked
from bot.filters.roles import IsStaff
from bot.handlers.ask import raise_urgent
from bot.handlers.case_texts import topic_label, volunteer_prefix, waiting_label
from bot.handover import Handover
from bot.i18n import LANGUAGE_NAMES, _
from bot.keyboards.callbacks import CaseCb
from bot.replies import answer
from bot.services.case_closing import close_case
from bot.services.cases import CAPTIONED_KINDS, is_note, may_reach_migrant, median_minutes, reference

log = logging.getLogger(__name__)
router = Router(name="operators")


class InOperatorGroup(Filter):
    async def __call__(self, event: Message | CallbackQuery, settings: Settings) -> bool:
        message = event.message if isinstance(event, CallbackQuery) else event
        return message is not None and message.chat.id in settings.operator_chats


class InCaseTopic(Filter):
    """A message in a case's topic: hands the case to the handler (None outside any case's topic)."""

    async def __call__(self, message: Message, db: Database) -> bool | dict[str, Case]:
        if not message.is_topic_message or message.message_thread_id is None:
            return False
        case = await db_cases.case_in_thread(db, message.chat.id, message.message_thread_id)
        return {"case": case} if case is not None else False


group = Router(name="operators.group")
group.message.filter(InOperatorGroup())
group.edited_message.filter(InOperatorGroup())
router.include_router(group)


# -- lists and figures (staff, anywhere) ------------------------------------------------------------------
@router.message(Command("cases"), IsStaff())
async def cases_command(message: Message, db: Database) -> None:
    cases = await db_cases.open_cases(db)
    if not cases:
        await answer(message, _("No open cases."))
        return
    now = datetime.now(UTC)
    lines = [_("<b>Open cases</b>, longest waiting first:")]
    for case in cases:
        assignee = str(case.assignee_id) if case.assignee_id else _("nobody")
        urgent = "🆘 " if case.urgent else ""
        lines.append(
            f"{urgent}<b>{reference(case.id)}</b> · {case.locale} · {topic_label(case.topic)} · "
            + _("{waiting} · taken by {assignee}").format(waiting=waiting_label(case, now), assignee=assignee)
        )
    await answer(message, "\n".join(lines))


async def case_stats_lines(db: Database) -> list[str]:
    """For /stats: cases opened and closed, the median time to a first answer, the average rating."""
    figures = await db_cases.case_figures(db)
    median = median_minutes(answered - asked for asked, answered in figures.first_answer_pairs)
    return [
        _("Cases: opened {opened} · closed {closed} · open {open}").format(
            opened=figures.opened, closed=figures.closed, open=figures.open_now
        ),
        _("Median time to first answer: {minutes}").format(
            minutes=_("{n} min").format(n=round(median)) if median is not None else "—"
        ),
        _("Average rating: {rating} ({count} ratings)").format(
            rating=f"{figures.average_rating:.1f}" if figures.average_rating is not None else "—",
            count=figures.ratings,
        ),
    ]


# -- the case card's buttons ------------------------------------------------------------------------------
@router.callback_query(CaseCb.filter())
async def card_button(
    callback: CallbackQuery,
    callback_data: CaseCb,
    callback_answer: CallbackAnswer,
    role: str | None,
    db: Database,
    handover: Handover,
    content: ContentStore,
    settings: Settings,
) -> None:
    """Only staff, and only on the card of that case in its own group: a forged button does nothing."""
    case = await db_cases.get_case(db, callback_data.id)
    message = callback.message
    if (
        role is None
        or case is None
        or message is None
        or message.chat.id != case.chat_id
        or message.chat.id not in settings.operator_chats
    ):
        log.info("case.button_refused", extra={"user_id": callback.from_user.id})
        callback_answer.text = _("This button is not for you.")
        return
    if not case.is_open:
        callback_answer.text = _("This case is closed.")
        return
    if callback_data.action == "take":
        await db_cases.assign(db, case.id, callback.from_user.id)
        log.info("case.taken", extra={"case_id": case.id, "staff_id": callback.from_user.id})
        callback_answer.text = _("The case is yours.")
        await handover.refresh_card(await db_cases.get_case(db, case.id) or case)
    elif callback_data.action == "urgent":
        await raise_urgent(case, db, handover, content)
        callback_answer.text = _("Marked urgent: coordinators are alerted.")
    elif callback_data.action == "close":
        await close_case(case, db, handover, closed_by=callback.from_user.id)
        callback_answer.text = _("Closed.")


# -- messages in the group --------------------------------------------------------------------------------
@group.message(~IsStaff())
async def not_staff(message: Message) -> None:
    """Members who are not staff are ignored: nothing of theirs reaches a migrant."""
    if message.from_user and not message.from_user.is_bot:
        log.info("operators.ignored_member", extra={"user_id": message.from_user.id})


@group.message(Command("answer"), InCaseTopic())
async def saved_answer(
    message: Message,
    command: CommandObject,
    case: Case,
    db: Database,
    handover: Handover,
    content: ContentStore,
    locale: str,
) -> None:
    """`/answer` lists the keys; `/answer KEY` sends that answer in the migrant's language, not the volunteer's."""
    answers = content.current.answers
    key = (command.args or "").strip().lower()
    if not key or key not in answers:
        listing = "\n".join(f"<code>{html.quote(k)}</code> — {html.quote(a.title.get(locale))}" for k, a in answers.items())
        intro = _("Unknown key.") + "\n" if key else ""
        await answer(message, intro + _("Saved answers (send /answer KEY):") + "\n" + listing)
        return
    if not await _may_write(message, case, handover):
        return
    saved = answers[key].text.get(case.locale)
    text = _prefix(handover, case) + "\n" + saved
    sent = await _to_migrant(message, case, db, handover, lambda: handover.bot.send_message(case.user_id, text), saved)
    if sent:
        log.info("case.saved_answer", extra={"case_id": case.id, "key": key})
        await answer(
            message,
            _("Sent the saved answer “{key}” in {language}:").format(
                key=html.quote(key), language=LANGUAGE_NAMES.get(case.locale, case.locale)
            )
            + "\n\n"
            + answers[key].text.get(case.locale),
        )


@group.message(Command("close"), InCaseTopic())
async def close_command(message: Message, case: Case, db: Database, handover: Handover) -> None:
    if not await close_case(case, db, handover, closed_by=message.from_user.id):
        await answer(message, _("This case is closed already."))


@group.message(InCaseTopic(), F.func(lambda message: is_note(message.text or message.caption)))
async def internal_note(message: Message, case: Case) -> None:
    """`!` at the start of a text or of a caption (a photo of a document for the team): never sent."""
    log.info("case.note", extra={"case_id": case.id})


@group.message(InCaseTopic(), ~F.text.startswith("/"))
async def to_migrant(message: Message, case: Case, db: Database, handover: Handover) -> None:
    if not await _may_write(message, case, handover):
        return
    reply = await _reply_in_migrant_chat(message, case, db)
    bot = handover.bot
    kind = message.content_type
    prefix = _prefix(handover, case)

    async def send() -> int:
        if kind == "text":
            return (await bot.send_message(case.user_id, prefix + "\n" + message.html_text, reply_parameters=reply)).message_id
        if kind in CAPTIONED_KINDS:
            caption = prefix + ("\n" + message.html_text if message.caption else "")
            copied = await bot.copy_message(
                case.user_id, message.chat.id, message.message_id, caption=caption, reply_parameters=reply
            )
            return copied.message_id
        await bot.send_message(case.user_id, prefix)
        return (await bot.copy_message(case.user_id, message.chat.id, message.message_id, reply_parameters=reply)).message_id

    await _to_migrant(message, case, db, handover, send, message.html_text if message.text or message.caption else None)


def _prefix(handover: Handover, case: Case) -> str:
    """"Koldoo volunteer:" in the migrant's language, whatever the volunteer reads."""
    with handover.i18n.use_locale(case.locale):
        return volunteer_prefix()


async def _may_write(message: Message, case: Case, handover: Handover) -> bool:
    """Nobody writes to a migrant without an open case, nor to one who blocked the bot."""
    if case.user_id is not None and may_reach_migrant(case.status, case.unreachable):
        return True
    reason = _("This case is closed: nothing was sent.") if not case.is_open else _(
        "The migrant blocked the bot: nothing was sent."
    )
    await answer(message, reason)
    return False


async def _to_migrant(
    message: Message, case: Case, db: Database, handover: Handover, send, text_html: str | None
) -> bool:
    """Send, link the copy both ways (with the text the migrant got, for the transcript), and tell the topic
    when the migrant cannot be reached."""
    try:
        result = await send()
    except TelegramForbiddenError:
        await mark_blocked(db, case.user_id)
        if await db_cases.set_unreachable(db, case.id, True):
            log.info("case.unreachable", extra={"case_id": case.id})
        await answer(message, handover.team_note(case, "blocked"))
        return False
    except TelegramBadRequest as error:
        log.warning("case.answer_refused", extra={"case_id": case.id, "error": error.message})
        await answer(message, _("Telegram refused this message; it was not sent."))
        return False
    user_message_id = result if isinstance(result, int) else result.message_id
    await db_cases.add_outgoing(db, case.id, message.content_type, user_message_id, message.message_id, text_html)
    log.info("case.message_out", extra={"case_id": case.id, "kind": message.content_type})
    return True


async def _reply_in_migrant_chat(message: Message, case: Case, db: Database) -> ReplyParameters | None:
    """A reply in the topic to a migrant's message (or an earlier answer) replies to it in their chat too.
    In a topic, a message that replies to nothing else "replies" to the topic's first service message."""
    replied = message.reply_to_message
    if replied is None or replied.message_id == message.message_thread_id:
        return None
    link = await db_cases.link_of_group_message(db, case.id, replied.message_id)
    if link is None:
        return None
    return ReplyParameters(message_id=link.user_message_id, allow_sending_without_reply=True)


@group.edited_message(IsStaff(), InCaseTopic())
async def edited_by_staff(message: Message, case: Case, db: Database, bot: Bot, handover: Handover) -> None:
    link = await db_cases.link_of_group_message(db, case.id, message.message_id)
    if link is None or link.direction != "out" or case.user_id is None or not case.is_open:
        return
    await db_cases.update_text(db, link.id, message.html_text if message.text or message.caption else None)
    try:
        if link.kind == "text":
            await bot.edit_message_text(
                _prefix(handover, case) + "\n" + message.html_text, chat_id=case.user_id, message_id=link.user_message_id
            )
        elif link.kind in CAPTIONED_KINDS:
            await bot.edit_message_caption(
                chat_id=case.user_id,
                message_id=link.user_message_id,
                caption=_prefix(handover, case) + ("\n" + message.html_text if message.caption else ""),
            )
    except TelegramAPIError as error:
        log.info("case.edit_not_followed", extra={"case_id": case.id, "error": type(error).__name__})


@group.message()
async def elsewhere_in_group(message: Message) -> None:
    """Anything else in an operator group (the General topic, a topic that is no case's): not for migrants,
    and not for the search or the fallback either."""
