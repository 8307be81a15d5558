"""The trips part of "Check my situation": every trip of each period that matters, then the contract.

The allowance is counted per calendar year (and before 2025, per 180 days), so "the last 12 months" misses
trips that still count. The dialogue asks period by period, in words a migrant understands: this year, last
year (where the calendar-year rule holds), the last 180 days (where the 90/180 rule holds), and, when a trip
reaches back before the calendar-year rule, the 180 days before it. Then it asks about older trips that
went over the limit (their bans can still run) and the work contract. It never asks for a date it can
compute, such as the end of the allowed stay.

Answers are plain JSON (dates as ISO strings): `trips` is a list of `[entry, exit or None]`, `periods` the
periods to ask about, `period` the index of the current one.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from bot.content.ban_rules import StayRule, StayRules
from bot.services.dialog import YES, Question, record_answer
from bot.services.stay import Contract, Trip

COUNTRIES = ("russia", "kazakhstan")
STILL_THERE = "still"
MAX_TRIPS = 20  # nobody has twenty trips in two years; a longer list is a stuck finger

QUESTIONS: dict[str, Question] = {
    q.id: q
    for q in (
        Question("country", "choice", choices=COUNTRIES),
        Question("in_period", "yes_no"),
        Question("entry", "date"),
        Question("exit", "date", none_choice=STILL_THERE),
        Question("more", "yes_no"),
        Question("old", "yes_no"),
        Question("old_entry", "date"),
        Question("old_exit", "date"),
        Question("old_more", "yes_no"),
        Question("contract", "yes_no"),
        Question("contract_end", "date", allow_future=True),
        Question("ended_early", "yes_no"),
    )
}
FIRST = "country"
_ENTRY_STEPS = {"entry", "old_entry"}
_EXIT_STEPS = {"exit", "old_exit"}


def rule_for(answers: dict[str, Any], rules: StayRules) -> StayRule:
    return getattr(rules, answers["country"])


def periods_for(rule: StayRule, today: date) -> list[list[str]]:
    """The periods to ask about, most recent first: `[kind, first day, last day]` (ISO dates).

    Under the calendar-year rule: this year and last year (kinds "this_year", "year"). Under 90/180: the
    last 180 days ("recent").
    """
    if rule.calendar_year_from is not None and today >= rule.calendar_year_from:
        return [
            ["this_year", date(today.year, 1, 1).isoformat(), today.isoformat()],
            ["year", date(today.year - 1, 1, 1).isoformat(), date(today.year - 1, 12, 31).isoformat()],
        ]
    start = today - timedelta(days=rule.rolling_window_days - 1)
    return [["recent", start.isoformat(), today.isoformat()]]


def record(
    step: str, value: str | date | None, answers: dict[str, Any], rules: StayRules, today: date
) -> dict[str, Any]:
    """The answers after this one (a new dict, never a change to the old one, which Back returns to).

    A country sets the periods; an exit completes a trip; an answer that closes a period moves on to the
    next one (adding the 180 days before the earliest trip when they matter).
    """
    if step == "country":
        answers = record_answer(QUESTIONS[step], value, answers)
        return {**answers, "periods": periods_for(rule_for(answers, rules), today), "period": 0, "trips": []}
    if step in _EXIT_STEPS:
        entry = answers["old_entry" if step == "old_exit" else "entry"]
        exit_ = value.isoformat() if isinstance(value, date) else None
        answers = {**answers, "trips": [*answers["trips"], [entry, exit_]]}
        return (
            _close_period(answers, rules)
            if step == "exit" and len(answers["trips"]) >= MAX_TRIPS
            else answers
        )
    answers = record_answer(QUESTIONS[step], value, answers)
    if step in ("in_period", "more") and value != YES:
        return _close_period(answers, rules)
    return answers


def _close_period(answers: dict[str, Any], rules: StayRules) -> dict[str, Any]:
    periods = answers["periods"]
    window = window_before(answers, rules) if answers["period"] + 1 >= len(periods) else None
    if window is not None:
        periods = [*periods, ["window", window[0].isoformat(), window[1].isoformat()]]
    return {**answers, "periods": periods, "period": answers["period"] + 1}


def next_step(current: str, answers: dict[str, Any], rules: StayRules, today: date) -> str | None:
    """The question after `current` (answers already recorded); None means the trips part is over."""
    if current == "country":
        return "in_period"
    if current == "in_period":
        return "entry" if answers["in_period"] == YES else _next_period(answers)
    if current == "entry":
        return "exit"
    if current == "exit":
        return "more" if len(answers["trips"]) < MAX_TRIPS else _next_period(answers)
    if current == "more":
        return "entry" if answers["more"] == YES else _next_period(answers)
    if current == "old":
        return "old_entry" if answers["old"] == YES else _contract_step(answers, rules)
    if current == "old_entry":
        return "old_exit"
    if current == "old_exit":
        return "old_more" if len(answers["trips"]) < MAX_TRIPS else _contract_step(answers, rules)
    if current == "old_more":
        return "old_entry" if answers["old_more"] == YES else _contract_step(answers, rules)
    if current == "contract":
        return "contract_end" if answers["contract"] == YES else None
    if current == "contract_end":
        return "ended_early" if date.fromisoformat(answers["contract_end"]) <= today else None
    return None


def _next_period(answers: dict[str, Any]) -> str:
    """The next period's question once `record` has closed the current one, or the older trips'."""
    return "in_period" if answers["period"] < len(answers["periods"]) else "old"


def window_before(answers: dict[str, Any], rules: StayRules) -> tuple[date, date] | None:
    """The 180 days before the earliest trip given, when the 90/180 rule judges that trip's first day and
    those days were not asked yet; else None."""
    rule = rule_for(answers, rules)
    trips = answers["trips"]
    if not trips or any(kind == "window" for kind, _first, _last in answers["periods"]):
        return None
    earliest = min(date.fromisoformat(entry) for entry, _exit in trips)
    if rule.calendar_year_from is not None and earliest >= rule.calendar_year_from:
        return None
    last = earliest - timedelta(days=1)
    first = earliest - timedelta(days=rule.rolling_window_days)
    asked_from = min(date.fromisoformat(p[1]) for p in answers["periods"])
    if last < asked_from:
        return first, last
    return (first, asked_from - timedelta(days=1)) if first < asked_from else None


def _contract_step(answers: dict[str, Any], rules: StayRules) -> str | None:
    return "contract" if rule_for(answers, rules).contract is not None else None


def current_period(answers: dict[str, Any]) -> tuple[str, date, date]:
    kind, first, last = answers["periods"][answers["period"]]
    return kind, date.fromisoformat(first), date.fromisoformat(last)


def asked_from(answers: dict[str, Any]) -> date:
    """The first day of the earliest period asked: older trips are asked only when they went over."""
    return min(date.fromisoformat(p[1]) for p in answers["periods"])


def trips_of(answers: dict[str, Any], today: date) -> list[tuple[date, date]]:
    """The trips given so far as (entry, last day), the open one ending today."""
    return [
        (date.fromisoformat(entry), date.fromisoformat(exit_) if exit_ else today)
        for entry, exit_ in answers.get("trips", [])
    ]


def check(step: str, value: date | None, answers: dict[str, Any], today: date) -> str | None:
    """A problem code when a typed date (or "still there") contradicts earlier answers, else None."""
    given = trips_of(answers, today)
    if step in _ENTRY_STEPS and value is not None:
        if any(first <= value <= last for first, last in given):
            return "overlap"
        if step == "entry" and value > current_period(answers)[2]:
            return "not_in_period"
        if step == "old_entry" and value >= asked_from(answers):
            return "old_not_before"
        return None
    if step not in _EXIT_STEPS:
        return None
    entry = date.fromisoformat(answers["old_entry" if step == "old_exit" else "entry"])
    if value is None:  # "I am still there"
        if any(exit_ is None for _entry, exit_ in answers["trips"]) or any(
            last >= entry for _f, last in given
        ):
            return "open_not_last"
        return None
    if value < entry:
        return "exit_before_entry"
    if any(first <= value and entry <= last for first, last in given):
        return "overlap"
    if step == "exit" and value < current_period(answers)[1]:
        return "not_in_period"
    return None


def to_inputs(answers: dict[str, Any]) -> tuple[list[Trip], Contract | None]:
    """The calculator's trips and contract from the dialogue's answers."""
    trips = [
        Trip(date.fromisoformat(entry), date.fromisoformat(exit_) if exit_ else None)
        for entry, exit_ in answers.get("trips", [])
    ]
    contract = None
    if answers.get("contract") == YES:
        contract = Contract(
            date.fromisoformat(answers["contract_end"]), ended_early=answers.get("ended_early") == YES
        )
    return trips, contract
