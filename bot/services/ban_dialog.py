"""The /ban self-check dialogue: its questions, their order, the checks between answers, the estimate input.

Only what a ground of the rule table needs is asked: a follow-up (dates) comes only after a "yes". Answers
are kept as JSON values (dates as ISO strings) in the dialogue progress until the result is shown.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.services.ban import BanAnswers
from bot.services.dialog import YES, Question

STILL_THERE = "still"
MAX_LIST_DATES = 20  # no one has twenty rulings to enter; a longer list is a stuck finger

QUESTIONS: dict[str, Question] = {
    q.id: q
    for q in (
        Question("overstayed", "yes_no"),
        Question("allowed_until", "date"),
        Question("departure", "date", none_choice=STILL_THERE),
        Question("admin", "yes_no"),
        Question("admin_dates", "date_list"),
        Question("migration", "yes_no"),
        Question("migration_dates", "date_list"),
        Question("removal", "yes_no"),
        Question("removal_dates", "date_list"),
        Question("debts", "yes_no"),
        Question("conviction", "yes_no"),
    )
}
FIRST = "overstayed"
# A follow-up question is asked only when its parent was answered "yes".
_PARENT = {
    "allowed_until": "overstayed",
    "departure": "overstayed",
    "admin_dates": "admin",
    "migration_dates": "migration",
    "removal_dates": "removal",
}
_LIST_FIELD = {
    "admin_dates": "admin_rulings",
    "migration_dates": "migration_rulings",
    "removal_dates": "removals",
}


def next_step(current: str, answers: dict[str, Any]) -> str | None:
    """The question after `current` given the answers, or None when the estimate can be made."""
    order = list(QUESTIONS)
    for step in order[order.index(current) + 1 :]:
        parent = _PARENT.get(step)
        if parent is None or answers.get(parent) == YES:
            return step
    return None


def check(step: str, value: date | None, answers: dict[str, Any], today: date) -> str | None:
    """A problem code when a typed date contradicts earlier answers, else None."""
    if step == "departure" and value is not None and value < date.fromisoformat(answers["allowed_until"]):
        return "departure_before_allowed_end"
    if QUESTIONS[step].kind == "date_list" and len(answers.get(step, [])) >= MAX_LIST_DATES:
        return "too_many_dates"
    return None


# "Remind me" without a dated ban asks one more thing: when the migrant plans to travel.
TRAVEL_QUESTIONS = {"travel_date": Question("travel_date", "date", allow_future=True)}


def check_travel(step: str, value: date | None, answers: dict[str, Any], today: date) -> str | None:
    """A reminder is about a trip still ahead: today or a past day is refused."""
    return "not_ahead" if value is not None and value <= today else None


def to_ban_answers(answers: dict[str, Any], today: date) -> BanAnswers:
    """The estimator's input from the dialogue's answers."""
    overstay_days, departure = 0, None
    if answers.get("overstayed") == YES:
        departure = _date(answers.get("departure"))
        overstay_days = max(0, ((departure or today) - date.fromisoformat(answers["allowed_until"])).days)
    lists = {
        field: tuple(date.fromisoformat(day) for day in answers.get(step, []))
        if answers.get(_PARENT[step]) == YES
        else ()
        for step, field in _LIST_FIELD.items()
    }
    return BanAnswers(
        check_date=today,
        overstay_days=overstay_days,
        departure=departure,
        unpaid_fines=answers.get("debts") == YES,
        unspent_conviction=answers.get("conviction") == YES,
        **lists,
    )


def _date(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)
