"""The /stay calculator dialogue: its questions, their order, the checks between answers, and the inputs.

The latest trip is asked first (it is the one the migrant cares about), then earlier trips one by one going
back in time, then the employment contract where the country's stay rule knows the EAEU worker rule.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.content.ban_rules import StayRule, StayRules
from bot.services.dialog import YES, Question, record_answer
from bot.services.stay import Contract, Trip

COUNTRIES = ("russia", "kazakhstan")
STILL_THERE = "still"
MAX_EARLIER_TRIPS = 10

QUESTIONS: dict[str, Question] = {
    q.id: q
    for q in (
        Question("country", "choice", choices=COUNTRIES),
        Question("entry", "date"),
        Question("exit", "date", none_choice=STILL_THERE),
        Question("earlier", "yes_no"),
        Question("earlier_entry", "date"),
        Question("earlier_exit", "date"),
        Question("contract", "yes_no"),
        Question("contract_end", "date", allow_future=True),
        Question("ended_early", "yes_no"),
    )
}
FIRST = "country"


def rule_for(answers: dict[str, Any], rules: StayRules) -> StayRule:
    return getattr(rules, answers["country"])


def record(step: str, value: str | date | None, answers: dict[str, Any]) -> dict[str, Any]:
    """The answers after this one: an earlier trip's exit completes the trip and adds it to the list."""
    if step == "earlier_exit" and isinstance(value, date):
        return {
            **answers,
            "trips": [*answers.get("trips", []), [answers["earlier_entry"], value.isoformat()]],
        }
    return record_answer(QUESTIONS[step], value, answers)


def next_step(current: str, answers: dict[str, Any], rules: StayRules, today: date) -> str | None:
    """The question after `current` (answers already recorded), or None when the result can be computed."""
    if current == "country":
        return "entry"
    if current == "entry":
        return "exit"
    if current in ("exit", "earlier_exit"):
        return (
            "earlier" if len(answers.get("trips", [])) < MAX_EARLIER_TRIPS else _contract_step(answers, rules)
        )
    if current == "earlier":
        return "earlier_entry" if answers["earlier"] == YES else _contract_step(answers, rules)
    if current == "earlier_entry":
        return "earlier_exit"
    if current == "contract":
        return "contract_end" if answers["contract"] == YES else None
    if current == "contract_end":
        return "ended_early" if date.fromisoformat(answers["contract_end"]) <= today else None
    return None


def _contract_step(answers: dict[str, Any], rules: StayRules) -> str | None:
    return "contract" if rule_for(answers, rules).contract_grace_days is not None else None


def earliest_entry(answers: dict[str, Any]) -> date:
    """The entry of the earliest trip given so far: an earlier trip must end before it."""
    entries = [answers["entry"], *(trip[0] for trip in answers.get("trips", []))]
    return date.fromisoformat(min(entries))


def check(step: str, value: date | None, answers: dict[str, Any], today: date) -> str | None:
    """A problem code when a typed date contradicts earlier answers, else None."""
    if value is None:
        return None
    if step == "exit" and value < date.fromisoformat(answers["entry"]):
        return "exit_before_entry"
    if step == "earlier_entry" and value >= earliest_entry(answers):
        return "overlap"
    if step == "earlier_exit":
        if value < date.fromisoformat(answers["earlier_entry"]):
            return "exit_before_entry"
        if value >= earliest_entry(answers):
            return "overlap"
    return None


def to_inputs(answers: dict[str, Any]) -> tuple[list[Trip], Contract | None]:
    """The calculator's trips and contract from the dialogue's answers."""
    latest_exit = answers.get("exit")
    trips = [
        Trip(date.fromisoformat(entry), date.fromisoformat(exit_))
        for entry, exit_ in answers.get("trips", [])
    ]
    trips.append(
        Trip(date.fromisoformat(answers["entry"]), date.fromisoformat(latest_exit) if latest_exit else None)
    )
    contract = None
    if answers.get("contract") == YES:
        contract = Contract(
            date.fromisoformat(answers["contract_end"]), ended_early=answers.get("ended_early") == YES
        )
    return trips, contract
