"""The Telegram side of a guided dialogue: one question per message, typed dates, buttons, Back and Cancel.

The flows themselves (questions, order, checks between answers) are pure code in `bot/services/*_dialog.py`.
A feature describes its texts and its result in a `DialogSpec`, and `attach` registers the handlers on the
feature's router. Progress is kept in the persisted FSM data, so a restart resumes at the same question.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer

from bot.content.loader import Content, ContentStore
from bot.db.connection import Database
from bot.handlers.questions import asks_again
from bot.handlers.start import show_menu
from bot.i18n import _
from bot.keyboards.callbacks import MenuCb, StepCb
from bot.keyboards.menu import main_menu_keyboard
from bot.services.dates import DateParseError, DateProblem, parse_user_date, users_today
from bot.services.dialog import Progress, Question
from bot.services.text import split_html

log = logging.getLogger(__name__)

Answers = dict[str, Any]


@dataclass(frozen=True)
class Context:
    """What a dialogue's result needs besides the answers: where to send it, in which language, with what.

    `content` is the snapshot served when the update arrived: a `/reload` meanwhile cannot mix two versions
    of the rules within one step.
    """

    bot: Bot
    chat_id: int
    locale: str
    content: Content
    db: Database


Finish = Callable[[Answers, Context], Awaitable[None]]


@dataclass(frozen=True)
class DialogSpec:
    """What a feature supplies: its flow (from services) and its words (gettext, in the user's language)."""

    name: str  # callback id and FSM data key
    state: State
    questions: Mapping[str, Question]
    first: str
    record: Callable[[str, str | date | None, Answers], Answers]
    next_step: Callable[[str, Answers, date, Content], str | None]  # (step, answers, today, content)
    check: Callable[[str, date | None, Answers, date], str | None]
    prompt: Callable[[str, Answers, str], str]  # the question's text (HTML) for (step, answers, locale)
    label: Callable[[str], str]  # a choice button's label
    problem: Callable[[str, Answers, str], str]  # what to say about a problem code of `check`, in a locale
    finish: Finish  # shows the result; the FSM is already cleared
    # Instead of `record`, for flows whose answers depend on the day and the rules: (step, value, answers,
    # today, content).
    record_in: Callable[[str, str | date | None, Answers, date, Content], Answers] | None = None
    # A long dialogue asks once before Cancel throws its answers away (a mis-tap should not cost 9 answers).
    confirm_cancel: bool = False


def _record(spec: DialogSpec, context: Context, step: str, value: str | date | None, answers: Answers) -> Answers:
    if spec.record_in is not None:
        return spec.record_in(step, value, answers, users_today(), context.content)
    return spec.record(step, value, answers)


async def send(bot: Bot, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Send `text`, split under Telegram's limit; the keyboard goes with the last part."""
    parts = split_html(text)
    for part in parts[:-1]:
        await bot.send_message(chat_id, part)
    await bot.send_message(chat_id, parts[-1], reply_markup=markup)


def date_problem_text(problem: DateProblem) -> str:
    if problem is DateProblem.IMPOSSIBLE:
        return _("There is no such date. Please check the day and the month, for example: 05.03.2024")
    if problem is DateProblem.IN_FUTURE:
        return _(
            "This date is in the future. Please type a date that has already passed, for example: 05.03.2024"
        )
    return _("I could not read a date. Please type it like this: 05.03.2024")


def question_keyboard(spec: DialogSpec, progress: Progress) -> InlineKeyboardMarkup:
    question = spec.questions[progress.step]

    def button(text: str, action: str, value: str = "") -> InlineKeyboardButton:
        data = StepCb(dialog=spec.name, step=question.id, action=action, value=value)
        return InlineKeyboardButton(text=text, callback_data=data.pack())

    rows: list[list[InlineKeyboardButton]] = []
    if question.kind == "yes_no":
        rows.append([button(spec.label(choice), "pick", choice) for choice in question.buttons])
    elif question.kind == "choice":
        rows += [[button(spec.label(choice), "pick", choice)] for choice in question.buttons]
    elif question.none_choice:
        rows.append([button(spec.label(question.none_choice), "none")])
    if question.kind == "date_list" and progress.answers.get(question.id):
        rows.append([button(_("Done"), "done")])
    # Back and Cancel on rows of their own, Cancel last: side by side, one slip of the thumb lost the answers.
    rows.append([button(_("Back"), "back")])
    rows.append([button(_("Cancel"), "cancel")])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def cancel_confirm_keyboard(spec: DialogSpec, progress: Progress) -> InlineKeyboardMarkup:
    def button(text: str, action: str) -> InlineKeyboardButton:
        data = StepCb(dialog=spec.name, step=progress.step, action=action)
        return InlineKeyboardButton(text=text, callback_data=data.pack())

    return InlineKeyboardMarkup(
        inline_keyboard=[[button(_("No, continue"), "resume")], [button(_("Yes, stop"), "stop")]]
    )


async def ask(context: Context, spec: DialogSpec, progress: Progress, note: str = "") -> None:
    """Send the current question, after `note` (what was wrong with the last answer) when there is one."""
    text = spec.prompt(progress.step, progress.answers, context.locale)
    await send(
        context.bot, context.chat_id, f"{note}\n\n{text}" if note else text, question_keyboard(spec, progress)
    )


async def begin(context: Context, state: FSMContext, spec: DialogSpec) -> None:
    """Start the dialogue from its first question, dropping any other dialogue in progress."""
    await state.clear()
    await state.set_state(spec.state)
    progress = Progress(spec.first)
    await state.update_data({spec.name: progress.to_data()})
    await ask(context, spec, progress)


async def _load(state: FSMContext, spec: DialogSpec) -> Progress | None:
    """The saved progress, or None when there is none or it no longer fits the dialogue (after an update)."""
    raw = (await state.get_data()).get(spec.name)
    try:
        progress = Progress.from_data(raw) if raw else None
    except (KeyError, TypeError, ValueError):
        return None
    return progress if progress is not None and progress.step in spec.questions else None


async def _move_on(
    context: Context,
    state: FSMContext,
    spec: DialogSpec,
    progress: Progress,
    answers: Answers,
    *,
    stay: bool = False,
) -> None:
    """Store the answers and ask the next question (the same one when `stay`), or finish the dialogue."""
    following = (
        progress.step if stay else spec.next_step(progress.step, answers, users_today(), context.content)
    )
    if following is None:
        await state.clear()
        log.info("dialog.finished", extra={"dialog": spec.name, "user_id": context.chat_id})
        await spec.finish(answers, context)
        return
    progress.advance(answers, following)
    await state.update_data({spec.name: progress.to_data()})
    await ask(context, spec, progress)


def attach(
    router: Router,
    spec: DialogSpec,
    *,
    command: str | tuple[str, ...] = (),
    section: str | tuple[str, ...] = (),
) -> None:
    """Register the dialogue's handlers on `router`: its commands and main-menu sections, when it has them,
    which start it; then typed answers, its question asked again (bot/handlers/questions.py), anything else,
    and its buttons."""
    commands = (command,) if isinstance(command, str) else command
    sections = (section,) if isinstance(section, str) else section

    if commands:

        @router.message(Command(*commands))
        async def command_entry(
            message: Message, state: FSMContext, bot: Bot, locale: str, content: ContentStore, db: Database
        ) -> None:
            await begin(Context(bot, message.chat.id, locale, content.current, db), state, spec)

    if sections:

        @router.callback_query(MenuCb.filter(F.section.in_(sections)))
        async def section_entry(
            callback: CallbackQuery, state: FSMContext, bot: Bot, locale: str, content: ContentStore, db: Database
        ) -> None:
            await begin(Context(bot, callback.from_user.id, locale, content.current, db), state, spec)

    @router.message(spec.state, F.text, ~F.text.startswith("/"))
    async def typed(
        message: Message, state: FSMContext, bot: Bot, locale: str, content: ContentStore, db: Database
    ) -> None:
        context = Context(bot, message.chat.id, locale, content.current, db)
        progress = await _load(state, spec)
        if progress is None:
            await begin(context, state, spec)
            return
        question = spec.questions[progress.step]
        if question.kind not in ("date", "date_list"):
            await ask(context, spec, progress, _("Please answer with one of the buttons below."))
            return
        today = users_today()
        try:
            value = parse_user_date(message.text, today, allow_future=question.allow_future)
        except DateParseError as error:
            await ask(context, spec, progress, date_problem_text(error.problem))
            return
        problem = spec.check(progress.step, value, progress.answers, today)
        if problem is not None:
            await ask(context, spec, progress, spec.problem(problem, progress.answers, context.locale))
            return
        answers = _record(spec, context, progress.step, value, progress.answers)
        await _move_on(context, state, spec, progress, answers, stay=question.kind == "date_list")

    @asks_again(spec.state)
    async def again(
        message: Message, state: FSMContext, note: str, *, bot: Bot, locale: str, content: ContentStore, db: Database
    ) -> None:
        context = Context(bot, message.chat.id, locale, content.current, db)
        progress = await _load(state, spec)
        if progress is None:
            await begin(context, state, spec)
        else:
            await ask(context, spec, progress, note)

    @router.message(spec.state, ~F.text)
    async def not_text(
        message: Message, state: FSMContext, bot: Bot, locale: str, content: ContentStore, db: Database
    ) -> None:
        context = Context(bot, message.chat.id, locale, content.current, db)
        progress = await _load(state, spec)
        if progress is None:
            await begin(context, state, spec)
            return
        await ask(context, spec, progress, _("Please answer with text or a button."))

    @router.callback_query(StepCb.filter(F.dialog == spec.name))
    async def pressed(
        callback: CallbackQuery,
        callback_data: StepCb,
        callback_answer: CallbackAnswer,
        state: FSMContext,
        bot: Bot,
        locale: str,
        content: ContentStore,
        db: Database,
    ) -> None:
        context = Context(bot, callback.from_user.id, locale, content.current, db)
        progress = await _load(state, spec)
        if progress is None or callback_data.step != progress.step:
            callback_answer.text = _("This button is out of date.")
            if progress is not None:
                await ask(context, spec, progress)
            return
        question = spec.questions[progress.step]
        action, value = callback_data.action, callback_data.value
        if action == "cancel" and spec.confirm_cancel:
            await send(
                bot,
                context.chat_id,
                _("Stop the check? Your answers so far will be lost."),
                cancel_confirm_keyboard(spec, progress),
            )
        elif action == "resume":
            await ask(context, spec, progress)
        elif action in ("cancel", "stop"):
            await state.clear()
            await send(bot, context.chat_id, _("Stopped. Nothing was saved."), main_menu_keyboard())
        elif action == "back":
            if progress.back():
                await state.update_data({spec.name: progress.to_data()})
                await ask(context, spec, progress)
            else:
                await state.clear()
                await show_menu(callback)
        elif action == "pick" and question.kind in ("yes_no", "choice") and value in question.buttons:
            await _move_on(
                context, state, spec, progress, _record(spec, context, progress.step, value, progress.answers)
            )
        elif action == "none" and question.none_choice:
            problem = spec.check(progress.step, None, progress.answers, users_today())
            if problem is not None:
                await ask(context, spec, progress, spec.problem(problem, progress.answers, context.locale))
            else:
                answers = _record(spec, context, progress.step, None, progress.answers)
                await _move_on(context, state, spec, progress, answers)
        elif action == "done" and question.kind == "date_list" and progress.answers.get(question.id):
            await _move_on(context, state, spec, progress, progress.answers)
        else:  # forged or impossible data: show the question again
            await ask(context, spec, progress)
