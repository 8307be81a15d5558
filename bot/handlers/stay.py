"""/stay: the stay calculator for Russia and Kazakhstan, as a guided dialogue."""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.content.ban_rules import StayRule
from bot.handlers.ban import caution_text
from bot.handlers.guided import Answers, Context, DialogSpec, attach, send
from bot.i18n import _, __, format_date
from bot.keyboards.callbacks import MenuCb
from bot.keyboards.menu import menu_button
from bot.services import stay_dialog
from bot.services.dates import users_today
from bot.services.dialog import NO, YES
from bot.services.stay import StayResult, calculate_stay

log = logging.getLogger(__name__)
router = Router(name="stay")


class StayStates(StatesGroup):
    asking = State()


COUNTRY_NAMES = {"russia": __("Russia"), "kazakhstan": __("Kazakhstan")}
PROMPTS = {
    "country": __(
        "<b>Stay calculator</b>\nI will count how many days you may stay, from your own dates. "
        "Your answers are "
        "kept only until the result.\n\nWhich country?"
    ),
    "entry": __("On what date did you last enter the country? Type the date, for example: 05.03.2026"),
    "exit": __("On what date did you leave? If you are still there, press the button."),
    "earlier": __("Were you in the country at other times in the last 12 months?"),
    "another": __("Added. Was there another trip to the country before that one?"),
    "earlier_entry": __("An earlier trip: on what date did you enter? It must be before {date}."),
    "earlier_exit": __("And on what date did you leave after that trip?"),
    "contract": __("Do you work in Russia under an employment (or civil) contract?"),
    "contract_end": __("On what date does (or did) the contract end? For example: 31.12.2026"),
    "ended_early": __(
        "Did the contract end early, before its term (for example, you quit or were dismissed)?"
    ),
}
LABELS = {
    YES: __("Yes"),
    NO: __("No"),
    stay_dialog.STILL_THERE: __("I am still there"),
    "russia": __("🇷🇺 Russia"),
    "kazakhstan": __("🇰🇿 Kazakhstan"),
}
PROBLEMS = {
    "exit_before_entry": __("The date of leaving is before the date of entry. Please check it."),
    "overlap": __("Trips cannot overlap: this trip must be before {date}, when the later one began."),
}


def prompt(step: str, answers: Answers, locale: str) -> str:
    key = "another" if step == "earlier" and answers.get("trips") else step
    if step == "earlier_entry":
        return str(PROMPTS[key]).format(date=format_date(stay_dialog.earliest_entry(answers), locale))
    return str(PROMPTS[key])


def problem(code: str, answers: Answers, locale: str) -> str:
    return str(PROBLEMS[code]).format(date=format_date(stay_dialog.earliest_entry(answers), locale))


def result_text(result: StayResult, rule: StayRule, country: str, locale: str) -> str:
    """The result for `country` (a key of COUNTRY_NAMES), in the active language."""
    limit, left = rule.limit_days, result.days_left
    parts = [_("<b>Stay calculator: {country}</b>").format(country=COUNTRY_NAMES[country])]
    if result.rule == "calendar_year":
        parts.append(_("Rule: {limit} days in total per calendar year.").format(limit=limit))
        parts.append(
            _("Days used in {year}: <b>{used}</b> of {limit}. Days left: {left}.").format(
                year=result.window_start.year, used=result.days_used, limit=limit, left=left
            )
        )
    else:
        parts.append(
            _("Rule: {limit} days in any {window} days.").format(limit=limit, window=rule.rolling_window_days)
        )
        parts.append(
            _("Days used from {start} to today: <b>{used}</b> of {limit}. Days left: {left}.").format(
                start=format_date(result.window_start, locale), used=result.days_used, limit=limit, left=left
            )
        )
    last_day = format_date(result.last_legal_day, locale)
    if result.overstay_days and result.in_country:
        parts.append(
            _(
                "⚠️ Your allowed stay ended on <b>{date}</b>. Days over the limit: <b>{days}</b>. Leave as "
                "soon as you can or get legal help; /ban shows what an overstay can lead to."
            ).format(date=last_day, days=result.overstay_days)
        )
        if country == "russia":  # the register of controlled persons, since 5 Feb 2025
            parts.append(
                _(
                    "People whose stay has run out are put on the register of controlled persons: bank cards "
                    "can be blocked and moving around is restricted."
                )
            )
    elif result.overstay_days:
        parts.append(
            _(
                "⚠️ On your last trip the allowed stay ended on <b>{date}</b>. Days over the limit: "
                "<b>{days}</b>. /ban shows what this can lead to."
            ).format(date=last_day, days=result.overstay_days)
        )
    elif result.in_country:
        parts.append(_("You may stay until <b>{date}</b> (your last legal day).").format(date=last_day))
    else:
        parts.append(_("Your last trip was within the limit."))
    if result.contract_applied:
        parts.append(
            _(
                "Your employment contract counts: as a worker from an EAEU country you may stay for the "
                "contract term, and {days} days more to sign a new contract if it ends early."
            ).format(days=rule.contract_grace_days)
        )
    parts.append(caution_text())
    return "\n\n".join(parts)


def result_keyboard() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=_("Ban self-check"), callback_data=MenuCb(section="ban").pack())],
            [menu_button()],
        ]
    )


async def show_result(answers: Answers, context: Context) -> None:
    rule = stay_dialog.rule_for(answers, context.content.ban_rules.stay)
    trips, contract = stay_dialog.to_inputs(answers)
    result = calculate_stay(trips, users_today(), rule, contract)
    log.info("stay.calculated", extra={"user_id": context.chat_id, "trips": len(trips)})
    country = answers["country"]
    await send(
        context.bot, context.chat_id, result_text(result, rule, country, context.locale), result_keyboard()
    )


CALCULATOR = DialogSpec(
    name="stay",
    state=StayStates.asking,
    questions=stay_dialog.QUESTIONS,
    first=stay_dialog.FIRST,
    record=stay_dialog.record,
    next_step=lambda step, answers, today, content: stay_dialog.next_step(
        step, answers, content.ban_rules.stay, today
    ),
    check=stay_dialog.check,
    prompt=prompt,
    label=lambda choice: str(LABELS[choice]),
    problem=problem,
    finish=show_result,
)


attach(router, CALCULATOR, command="stay", section="stay")
