"""What every ban answer shares (the caution, the official check walkthrough) and "Remind me before I travel".

The check itself is "Check my situation" (bot/handlers/check.py), which /ban opens."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from aiogram import Bot, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery

from bot.content.loader import ContentStore
from bot.db.connection import Database
from bot.handlers.guided import Answers, Context, DialogSpec, attach, begin
from bot.handlers.reminders import schedule_reminders
from bot.i18n import _, __
from bot.keyboards.callbacks import RemindCb
from bot.services import ban_dialog
from bot.services.dates import users_today
from bot.services.dialog import record_answer
from bot.services.reminders import ban_end_plan, travel_plan

log = logging.getLogger(__name__)
router = Router(name="ban")

MVD_HOST = "сервисы.гувм.мвд.рф"
# A URL button needs the ASCII (punycode) form of the Cyrillic domain; the idna codec computes it.
MVD_CHECK_URL = f"http://{MVD_HOST.encode('idna').decode('ascii')}/info-service.htm?sid=3000"
MIGRANT_KG_URL = "https://migrant.kg"


class BanStates(StatesGroup):
    travel_date = State()


PROMPTS = {
    "travel_date": __("When do you plan to travel to Russia? Type the date, for example: 05.03.2027"),
}
PROBLEMS = {"not_ahead": __("Please type a date in the future.")}


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


async def travel_date_given(answers: Answers, context: Context) -> None:
    plan = travel_plan(date.fromisoformat(answers["travel_date"]), users_today())
    await schedule_reminders(
        plan, context, _("Your date is less than two months away: please check now, as described above.")
    )


TRAVEL_REMINDER = DialogSpec(
    name="remind",
    state=BanStates.travel_date,
    questions=ban_dialog.TRAVEL_QUESTIONS,
    first="travel_date",
    record=lambda step, value, answers: record_answer(ban_dialog.TRAVEL_QUESTIONS[step], value, answers),
    next_step=lambda step, answers, today, content: None,
    check=ban_dialog.check_travel,
    prompt=lambda step, answers, locale: str(PROMPTS[step]),
    label=str,
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
    if ban_end is not None and ban_end > users_today():  # a button from before "Check my situation":
        # those buttons carried the ban's last day; reminders now count to the day after it.
        plan = ban_end_plan(ban_end + timedelta(days=1), users_today())
        await schedule_reminders(plan, context, _("This date is too close for a reminder."))
    else:
        await begin(context, state, TRAVEL_REMINDER)


attach(router, TRAVEL_REMINDER)
