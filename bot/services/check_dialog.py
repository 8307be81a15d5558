""" "Check my situation": one dialogue that asks the trips once, then what the ban rules need.

The trips part (`stay_dialog`) comes first; for Russia the ban part (`ban_dialog`) follows. The answers
feed both the stay calculator and the ban estimator, so the two results can never disagree about a date.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.content.ban_rules import BanRules
from bot.services import ban_dialog, stay_dialog
from bot.services.ban import BanEstimate, estimate_ban
from bot.services.dialog import record_answer
from bot.services.stay import StayResult, calculate_stay

QUESTIONS = {**stay_dialog.QUESTIONS, **ban_dialog.QUESTIONS}
FIRST = stay_dialog.FIRST


def record(
    step: str, value: str | date | None, answers: dict[str, Any], rules: BanRules, today: date
) -> dict[str, Any]:
    if step in stay_dialog.QUESTIONS:
        return stay_dialog.record(step, value, answers, rules.stay, today)
    return record_answer(QUESTIONS[step], value, answers)


def next_step(current: str, answers: dict[str, Any], rules: BanRules, today: date) -> str | None:
    if current in ban_dialog.QUESTIONS:
        return ban_dialog.next_step(current, answers)
    following = stay_dialog.next_step(current, answers, rules.stay, today)
    if following is None and answers["country"] == "russia":
        return ban_dialog.FIRST
    return following


def check(step: str, value: date | None, answers: dict[str, Any], today: date) -> str | None:
    if step in stay_dialog.QUESTIONS:
        return stay_dialog.check(step, value, answers, today)
    return ban_dialog.check(step, value, answers, today)


def evaluate(answers: dict[str, Any], rules: BanRules, today: date) -> tuple[StayResult | None, BanEstimate]:
    """Both results from one set of answers; no stay result when no trip was given."""
    trips, contract = stay_dialog.to_inputs(answers)
    country = answers["country"]
    stay = calculate_stay(trips, today, getattr(rules.stay, country), contract) if trips else None
    return stay, estimate_ban(rules.grounds_of(country), ban_dialog.to_ban_answers(answers, stay, today))
