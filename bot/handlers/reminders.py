"""Reminders for the dates a migrant lives by: "Remind me" under a result, and /reminders to list, add and
cancel them. The loop that sends them is bot/jobs/reminders.py; the texts it sends are written here."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.content.loader import ContentStore
from bot.db import reminders
from bot.db.connection import Database
from bot.handlers.guided import Answers, Context, DialogSpec, ask, attach, send
from bot.i18n import _, __, format_date
from bot.keyboards.callbacks import DocRemindCb, RemListCb
from bot.keyboards.menu import menu_button, menu_only_keyboard
from bot.services.dates import users_today
from bot.services.dialog import Progress, Question, record_answer
from bot.services.reminders import DOCUMENT_KINDS, TYPED_KINDS, Plan, ban_end_plan, document_plan

log = logging.getLogger(__name__)
router = Router(name="reminders")


class ReminderStates(StatesGroup):
    doc_date = State()


KIND_NAMES = {
    "check_before_travel": __("Check for a ban before your trip"),
    "stay_end": __("End of your allowed stay"),
    "contract_end": __("End of your employment contract"),
    "medical_expiry": __("Medical certificate expires"),
    "registration_expiry": __("Registration expires"),
    "passport_expiry": __("Passport expires"),
    "ban_end": __("You may enter again (end of the ban)"),
}
ADD_LABELS = {
    "passport_expiry": __("➕ Passport"),
    "medical_expiry": __("➕ Medical certificate"),
    "registration_expiry": __("➕ Registration"),
}
DATE_PROMPTS = {
    "passport_expiry": __("On what date does your passport expire? For example: 05.03.2027"),
    "medical_expiry": __("On what date does your medical certificate expire? For example: 05.03.2027"),
    "registration_expiry": __("On what date does your registration end? For example: 05.03.2027"),
}


def document_reminder_text(kind: str, subject: date, days_left: int, locale: str) -> str:
    """What a reminder about `subject` says, `days_left` days before it: the date and what to do."""
    day = format_date(subject, locale)
    if kind == "ban_end" and days_left == 0:
        return _(
            "⏰ <b>Reminder from Koldoo</b>\nBy your check, your entry ban has ended: you may enter from today, "
            "{date}. Before you travel, make sure with the official check that it has really ended."
        ).format(date=day)
    if kind == "ban_end":
        return _(
            "⏰ <b>Reminder from Koldoo</b>\nBy your check, your entry ban's last day is {last}; you may enter "
            "from {date} (days left: {days}). Before you buy tickets, make sure with the official check that "
            "the ban has really ended."
        ).format(last=format_date(subject - timedelta(days=1), locale), date=day, days=days_left)
    texts = {
        "stay_end": __(
            "⏰ <b>Reminder from Koldoo</b>\nYour allowed stay ends on {date} (days left: {days}). Leave by then, "
            "or make sure a valid employment contract covers your stay: staying longer can lead to an entry ban."
        ),
        "contract_end": __(
            "⏰ <b>Reminder from Koldoo</b>\nYour employment contract ends on {date} (days left: {days}). Sign a "
            "new contract or extend this one in time, or plan to leave: after the contract your days are "
            "counted by the usual rule again."
        ),
        "medical_expiry": __(
            "⏰ <b>Reminder from Koldoo</b>\nYour medical certificate expires on {date} (days left: {days}). Take "
            "the medical examination again in time, at a clinic the migration service accepts."
        ),
        "registration_expiry": __(
            "⏰ <b>Reminder from Koldoo</b>\nYour registration at your address ends on {date} (days left: "
            "{days}). Ask your host or employer to extend it in time."
        ),
        "passport_expiry": __(
            "⏰ <b>Reminder from Koldoo</b>\nYour passport expires on {date} (days left: {days}). Apply for a new "
            "one in time: at an embassy or consulate of Kyrgyzstan, or at home before you travel."
        ),
    }
    return str(texts[kind]).format(date=day, days=days_left)


async def schedule_reminders(plan: Plan, context: Context, empty_text: str) -> None:
    """Store the plan and say when the reminders will come, or `empty_text` when none is ahead."""
    if not plan:
        text = empty_text
    else:
        await reminders.schedule(context.db, context.chat_id, plan)
        log.info("reminders.set", extra={"user_id": context.chat_id, "count": len(plan)})
        days = ", ".join(format_date(due, context.locale) for _kind, _subject, due in plan)
        text = _("Done. I will remind you on: {dates}. /reminders lists them.").format(dates=days)
    await send(context.bot, context.chat_id, text, menu_only_keyboard())


def plan_for(kind: str, subject: date, today: date) -> Plan:
    return ban_end_plan(subject, today) if kind == "ban_end" else document_plan(kind, subject, today)


@router.callback_query(DocRemindCb.filter())
async def remind_me(
    callback: CallbackQuery,
    callback_data: DocRemindCb,
    bot: Bot,
    locale: str,
    content: ContentStore,
    db: Database,
) -> None:
    context = Context(bot, callback.from_user.id, locale, content.current, db)
    try:
        subject = date.fromisoformat(callback_data.day)
    except ValueError:  # forged data
        subject = None
    if subject is None or callback_data.kind not in DOCUMENT_KINDS:
        await send(bot, context.chat_id, _("This button is out of date."), menu_only_keyboard())
        return
    plan = plan_for(callback_data.kind, subject, users_today())
    await schedule_reminders(plan, context, _("This date is too close for a reminder."))


async def list_text_and_keyboard(db: Database, user_id: int, locale: str) -> tuple[str, InlineKeyboardMarkup]:
    pending = await reminders.pending_for(db, user_id)
    rows: list[list[InlineKeyboardButton]] = []
    if pending:
        lines = [_("<b>Your reminders</b>")]
        for number, item in enumerate(pending, start=1):
            lines.append(
                _("{number}. {what}: {date}. Next reminder: {next}.").format(
                    number=number,
                    what=KIND_NAMES[item.kind],
                    date=format_date(item.subject_date, locale),
                    next=format_date(item.next_due, locale),
                )
            )
            data = RemListCb(action="cancel", kind=item.kind, day=item.subject_date.isoformat())
            rows.append(
                [
                    InlineKeyboardButton(
                        text=_("✖ Cancel {number}").format(number=number), callback_data=data.pack()
                    )
                ]
            )
        text = "\n".join(lines)
    else:
        text = _("<b>Your reminders</b>\nYou have no reminders yet.")
    text += "\n\n" + _("Add a reminder for a document:")
    rows.append(
        [
            InlineKeyboardButton(text=str(label), callback_data=RemListCb(action="add", kind=kind).pack())
            for kind, label in ADD_LABELS.items()
        ]
    )
    rows.append([menu_button()])
    return text, InlineKeyboardMarkup(inline_keyboard=rows)


@router.message(Command("reminders"))
async def show_reminders(message: Message, db: Database, locale: str) -> None:
    text, markup = await list_text_and_keyboard(db, message.chat.id, locale)
    await message.answer(text, reply_markup=markup)


def check_ahead(step: str, value: date | None, answers: Answers, today: date) -> str | None:
    return "not_ahead" if value is not None and value <= today else None


async def doc_date_given(answers: Answers, context: Context) -> None:
    kind, subject = answers["kind"], date.fromisoformat(answers["doc_date"])
    await schedule_reminders(
        plan_for(kind, subject, users_today()), context, _("This date is too close for a reminder.")
    )


DOC_QUESTIONS = {"doc_date": Question("doc_date", "date", allow_future=True)}
DOC_DATE = DialogSpec(
    name="docdate",
    state=ReminderStates.doc_date,
    questions=DOC_QUESTIONS,
    first="doc_date",
    record=lambda step, value, answers: record_answer(DOC_QUESTIONS[step], value, answers),
    next_step=lambda step, answers, today, content: None,
    check=check_ahead,
    prompt=lambda step, answers, locale: str(DATE_PROMPTS[answers["kind"]]),
    label=str,
    problem=lambda code, answers, locale: _("Please type a date in the future."),
    finish=doc_date_given,
)


@router.callback_query(RemListCb.filter())
async def reminders_button(
    callback: CallbackQuery,
    callback_data: RemListCb,
    callback_answer: CallbackAnswer,
    state: FSMContext,
    bot: Bot,
    locale: str,
    content: ContentStore,
    db: Database,
) -> None:
    user_id = callback.from_user.id
    if callback_data.action == "add" and callback_data.kind in TYPED_KINDS:
        await state.clear()
        await state.set_state(DOC_DATE.state)
        progress = Progress(DOC_DATE.first, answers={"kind": callback_data.kind})
        await state.update_data({DOC_DATE.name: progress.to_data()})
        await ask(Context(bot, user_id, locale, content.current, db), DOC_DATE, progress)
        return
    if callback_data.action == "cancel":
        try:
            subject = date.fromisoformat(callback_data.day)
        except ValueError:
            subject = None
        if subject is not None and await reminders.cancel(db, user_id, callback_data.kind, subject):
            callback_answer.text = _("Cancelled.")
            log.info("reminders.cancelled", extra={"user_id": user_id})
    text, markup = await list_text_and_keyboard(db, user_id, locale)
    if isinstance(callback.message, Message) and (
        callback.message.html_text != text or callback.message.reply_markup != markup
    ):
        await callback.message.edit_text(text, reply_markup=markup)


attach(router, DOC_DATE)
