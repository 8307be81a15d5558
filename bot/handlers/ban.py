"""/ban: the re-entry ban self-check, its result with the official check walkthrough, and "Remind me"."""

from __future__ import annotations

import logging
from datetime import date

from aiogram import Bot, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup
from aiogram.utils.text_decorations import html_decoration

from bot.content.ban_rules import BanRules, OverstayCondition
from bot.content.loader import ContentStore
from bot.db import reminders
from bot.db.connection import Database
from bot.handlers.guided import Answers, Context, DialogSpec, attach, begin, send
from bot.i18n import _, __, format_date
from bot.keyboards.ask import ask_rows
from bot.keyboards.callbacks import RemindCb, ServCb
from bot.keyboards.menu import menu_button, menu_only_keyboard
from bot.services import ban_dialog
from bot.services.ban import BanEstimate, Finding, estimate_ban
from bot.services.dates import users_today
from bot.services.dialog import NO, YES, record_answer
from bot.services.reminders import Plan, ban_end_plan, travel_plan

log = logging.getLogger(__name__)
quote = html_decoration.quote
router = Router(name="ban")

MVD_HOST = "сервисы.гувм.мвд.рф"
# A URL button needs the ASCII (punycode) form of the Cyrillic domain; the idna codec computes it.
MVD_CHECK_URL = f"http://{MVD_HOST.encode('idna').decode('ascii')}/info-service.htm?sid=3000"
MIGRANT_KG_URL = "https://migrant.kg"


class BanStates(StatesGroup):
    asking = State()
    travel_date = State()


PROMPTS = {
    "overstayed": __(
        "<b>Ban self-check</b>\nA few questions about your stays in Russia. Your answers are kept only until "
        "the result.\n\nHave you ever stayed in Russia longer than allowed (overstay)?"
    ),
    "allowed_until": __(
        "On what date did your allowed stay end? Usually it is the day you reached 90 days; /stay calculates "
        "it.\nType the date, for example: 05.03.2024"
    ),
    "departure": __(
        "On what date did you leave Russia after that stay? Type the date, or press the button if you are "
        "still in Russia."
    ),
    "admin": __(
        "Were you punished in Russia for administrative offences (for example, fines from the police or the "
        "migration service)?"
    ),
    "admin_dates": __(
        "Type the date of each ruling (the day the fine was imposed), one date per message, for example: "
        "05.03.2024"
    ),
    "migration": __(
        "Were any of the penalties for breaking migration rules (registration, period of stay, work without "
        "documents)?"
    ),
    "migration_dates": __("Type the date of each migration-rule penalty, one date per message."),
    "removal": __("Were you ever expelled, deported, or handed over under readmission?"),
    "removal_dates": __("Type the date of each expulsion, deportation or readmission, one date per message."),
    "debts": __("Do you have unpaid fines, taxes or court debts in Russia?"),
    "conviction": __("Do you have a criminal conviction in Russia that is not yet spent?"),
    "travel_date": __("When do you plan to travel to Russia? Type the date, for example: 05.03.2027"),
}
LABELS = {YES: __("Yes"), NO: __("No"), ban_dialog.STILL_THERE: __("I am still in Russia")}
PROBLEMS = {
    "departure_before_allowed_end": __(
        "This day is before your allowed stay ended, so there was no overstay. Please check the date, "
        "or press "
        "Back to correct the end of your stay."
    ),
    "too_many_dates": __("That is enough dates. Press Done to go on."),
    "not_ahead": __("Please type a date in the future."),
}
KINDS = {
    "mandatory": __("entry is refused"),
    "discretionary": __("entry may be refused (the authorities decide)"),
}


def prompt(step: str, answers: Answers, locale: str) -> str:
    """The question, and for a list of dates the ones already typed."""
    text = str(PROMPTS[step])
    if step in ban_dialog.QUESTIONS and ban_dialog.QUESTIONS[step].kind == "date_list" and answers.get(step):
        dates = ", ".join(format_date(date.fromisoformat(day), locale) for day in answers[step])
        text += "\n\n" + _("Added so far: {dates}. Type the next date or press Done.").format(dates=dates)
    return text


def finding_text(number: int, finding: Finding, today: date, locale: str) -> str:
    ground = finding.ground
    start = format_date(finding.start, locale)
    if finding.end is None:
        period = _("From {start} until the cause is removed.").format(start=start)
    elif finding.active_on(today):
        period = _("From {start} to {end}.").format(start=start, end=format_date(finding.end, locale))
    else:
        period = _("From {start} to {end}: this ban has already ended.").format(
            start=start, end=format_date(finding.end, locale)
        )
    lines = [
        f"<b>{number}. {quote(ground.title.get(locale))}</b>",
        f"{quote(ground.clause.get(locale))}: {KINDS[ground.kind]}.",
        quote(ground.explanation.get(locale)),
        period,
    ]
    if not ground.verified:
        lines.append(_("⚠️ Not verified: check this rule with a lawyer."))
    return "\n".join(lines)


def result_text(estimate: BanEstimate, rules: BanRules, locale: str) -> str:
    today = estimate.check_date
    parts = [_("<b>Ban self-check: result</b>")]
    if not estimate.found:
        parts.append(_("<b>No ground for an entry ban was found in your answers.</b>"))
    parts += [finding_text(n, f, today, locale) for n, f in enumerate(estimate.findings, start=1)]
    if any(isinstance(f.ground.condition, OverstayCondition) for f in estimate.findings):
        parts.append(quote(rules.overstay_exceptions.get(locale)))
    if estimate.latest_end is not None and estimate.latest_end > today:
        parts.append(
            _("<b>Latest end of a ban: {date}</b>").format(date=format_date(estimate.latest_end, locale))
        )
    elif estimate.found and not estimate.active:
        parts.append(_("<b>By these dates, every ban has already ended.</b>"))
    if estimate.open_ended:
        parts.append(_("Some grounds last until their cause is removed: a debt paid, a conviction spent."))
    if estimate.departure_assumed:
        parts.append(
            _(
                "You are still in Russia: the dates assume you leave today. Each extra day of overstay "
                "can make the ban longer."
            )
        )
    parts.append(caution_text())
    parts.append(official_check_text())
    return "\n\n".join(parts)


def caution_text() -> str:
    return _(
        "⚠️ This is an estimate from your own answers, not legal advice. Only the official check shows "
        "whether a ban was actually issued."
    )


def official_check_text() -> str:
    return _(
        "<b>How to check officially</b>\n"
        "1. Open the MVD entry-ban service: {mvd}\n"
        "2. Enter your surname and name in Cyrillic and in Latin letters exactly as in your passport, "
        "your date of birth, citizenship (Kyrgyzstan) and your document. "
        "Koldoo never asks for your passport number: enter it only on the official site.\n"
        "3. The Kyrgyz Foreign Ministry's portal {migrant_kg} also has entry-ban information and a chat.\n"
        "4. Check at least two months before you travel: the list is updated with a delay."
    ).format(
        mvd=f'<a href="{MVD_CHECK_URL}">{MVD_HOST}</a>',
        migrant_kg=f'<a href="{MIGRANT_KG_URL}">migrant.kg</a>',
    )


def result_keyboard(estimate: BanEstimate) -> InlineKeyboardMarkup:
    ban_end = (
        estimate.latest_end if estimate.latest_end and estimate.latest_end > estimate.check_date else None
    )
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=_("🔎 Official check"), url=MVD_CHECK_URL)],
            [InlineKeyboardButton(text=_("Get legal help"), callback_data=ServCb(kind="legal_aid").pack())],
            [
                InlineKeyboardButton(
                    text=_("Remind me"),
                    callback_data=RemindCb(ban_end=ban_end.isoformat() if ban_end else "").pack(),
                )
            ],
            *ask_rows("ban"),
            [menu_button()],
        ]
    )


async def show_result(answers: Answers, context: Context) -> None:
    rules = context.content.ban_rules
    estimate = estimate_ban(rules.grounds, ban_dialog.to_ban_answers(answers, users_today()))
    log.info("ban.estimated", extra={"user_id": context.chat_id, "grounds": len(estimate.findings)})
    await send(
        context.bot, context.chat_id, result_text(estimate, rules, context.locale), result_keyboard(estimate)
    )


SELF_CHECK = DialogSpec(
    name="ban",
    state=BanStates.asking,
    questions=ban_dialog.QUESTIONS,
    first=ban_dialog.FIRST,
    record=lambda step, value, answers: record_answer(ban_dialog.QUESTIONS[step], value, answers),
    next_step=lambda step, answers, today, content: ban_dialog.next_step(step, answers),
    check=ban_dialog.check,
    prompt=prompt,
    label=lambda choice: str(LABELS[choice]),
    problem=lambda code, answers, locale: str(PROBLEMS[code]),
    finish=show_result,
)


async def schedule_reminders(plan: Plan, context: Context) -> None:
    """Store the plan and say when the reminders will come, or advise checking now when none is ahead."""
    if not plan:
        text = _("Your date is less than two months away: please check now, as described above.")
    else:
        await reminders.schedule(context.db, context.chat_id, plan)
        log.info("ban.reminders_set", extra={"user_id": context.chat_id, "count": len(plan)})
        days = ", ".join(format_date(due, context.locale) for _kind, _subject, due in plan)
        text = _("Done. I will remind you on: {dates}.").format(dates=days)
    await send(context.bot, context.chat_id, text, menu_only_keyboard())


async def travel_date_given(answers: Answers, context: Context) -> None:
    await schedule_reminders(travel_plan(date.fromisoformat(answers["travel_date"]), users_today()), context)


TRAVEL_REMINDER = DialogSpec(
    name="remind",
    state=BanStates.travel_date,
    questions=ban_dialog.TRAVEL_QUESTIONS,
    first="travel_date",
    record=lambda step, value, answers: record_answer(ban_dialog.TRAVEL_QUESTIONS[step], value, answers),
    next_step=lambda step, answers, today, content: None,
    check=ban_dialog.check_travel,
    prompt=lambda step, answers, locale: str(PROMPTS[step]),
    label=lambda choice: str(LABELS[choice]),
    problem=lambda code, answers, locale: str(PROBLEMS[code]),
    finish=travel_date_given,
)


@router.callback_query(RemindCb.filter())
async def remind_me(
    callback: CallbackQuery,
    callback_data: RemindCb,
    state: FSMContext,
    bot: Bot,
    locale: str,
    content: ContentStore,
    db: Database,
) -> None:
    context = Context(bot, callback.from_user.id, locale, content.current, db)
    try:
        ban_end = date.fromisoformat(callback_data.ban_end) if callback_data.ban_end else None
    except ValueError:  # forged data
        ban_end = None
    if ban_end is not None and ban_end > users_today():
        await schedule_reminders(ban_end_plan(ban_end, users_today()), context)
    else:
        await begin(context, state, TRAVEL_REMINDER)


attach(router, SELF_CHECK, command="ban", section="ban")
attach(router, TRAVEL_REMINDER)
