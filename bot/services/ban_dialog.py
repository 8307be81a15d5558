"""The ban part of "Check my situation": removals, fines, debts, conviction, medical examination.

Overstays are not asked: they come from the trips (`bot.services.stay`), one per trip that went over. Only
what a ground of the rule table needs is asked, and a follow-up (dates) only after a "yes". Fines are asked
once: first those for breaking migration rules, then any others, so no fine is typed twice; both kinds are
administrative offences. A fine counts from the day its ruling came into force; a migrant who knows only the
day it was imposed may say so, and `APPEAL_DAYS` are added (the usual time to appeal), which the result
states. Russia's grounds only: Kazakhstan's rule table knows overstay alone.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from bot.services.ban import BanAnswers, Overstay
from bot.services.dialog import YES, Question
from bot.services.stay import StayResult

MAX_LIST_DATES = 20  # no one has twenty rulings to enter; a longer list is a stuck finger
IN_FORCE, FINE_DAY = "in_force", "fine_day"
APPEAL_DAYS = 10  # a ruling comes into force when the 10 days to appeal it have passed (KoAP art. 30.3)

QUESTIONS: dict[str, Question] = {
    q.id: q
    for q in (
        Question("expelled", "yes_no"),
        Question("expelled_dates", "date_list"),
        Question("readmitted", "yes_no"),
        Question("readmitted_dates", "date_list"),
        Question("migration_fines", "yes_no"),
        Question("fine_basis", "choice", choices=(IN_FORCE, FINE_DAY)),
        Question("migration_dates", "date_list", allow_future=True),
        Question("other_fines", "yes_no"),
        Question("other_dates", "date_list", allow_future=True),
        Question("debts", "yes_no"),
        Question("conviction", "yes_no"),
        Question("medical", "yes_no"),
    )
}
FIRST = "expelled"
_FOLLOW_UP = {"expelled": "expelled_dates", "readmitted": "readmitted_dates"}
_FINES = {"migration_fines": "migration_dates", "other_fines": "other_dates"}
_AFTER = {
    "expelled": "readmitted",
    "expelled_dates": "readmitted",
    "readmitted": "migration_fines",
    "readmitted_dates": "migration_fines",
    "migration_fines": "other_fines",
    "migration_dates": "other_fines",
    "other_fines": "debts",
    "other_dates": "debts",
    "debts": "conviction",
    "conviction": "medical",
    "medical": None,
}


def next_step(current: str, answers: dict[str, Any]) -> str | None:
    """The question after `current` given the answers, or None when the estimate can be made."""
    if current in _FOLLOW_UP and answers.get(current) == YES:
        return _FOLLOW_UP[current]
    if current in _FINES and answers.get(current) == YES:
        return _FINES[current] if "fine_basis" in answers else "fine_basis"
    if current == "fine_basis":
        return (
            "migration_dates"
            if answers.get("migration_fines") == YES and not answers.get("migration_dates")
            else "other_dates"
        )
    return _AFTER[current]


def check(step: str, value: date | None, answers: dict[str, Any], today: date) -> str | None:
    """A problem code when a typed date contradicts the question, else None."""
    if QUESTIONS[step].kind != "date_list" or value is None:
        return None
    if len(answers.get(step, [])) >= MAX_LIST_DATES:
        return "too_many_dates"
    # A fine's ruling may come into force a few days ahead (while the appeal time runs), never more.
    limit = today + timedelta(days=APPEAL_DAYS) if answers.get("fine_basis") == IN_FORCE else today
    if value > limit:
        return "too_far_ahead"
    return None


def fines_from_fine_day(answers: dict[str, Any]) -> bool:
    """The migrant knew only the days fines were imposed: APPEAL_DAYS were added to each."""
    return answers.get("fine_basis") == FINE_DAY and any(answers.get(ask) == YES for ask in _FINES)


def _dates(answers: dict[str, Any], step: str, parent: str) -> tuple[date, ...]:
    return (
        tuple(date.fromisoformat(day) for day in answers.get(step, [])) if answers.get(parent) == YES else ()
    )


def to_ban_answers(answers: dict[str, Any], stay: StayResult | None, today: date) -> BanAnswers:
    """The estimator's input: the overstays of every trip, and the answers to the ban questions."""
    overstays = tuple(
        Overstay(t.overstay_days, t.overstay_start, t.trip.exit)  # type: ignore[arg-type]
        for t in (stay.overstays if stay is not None else ())
    )
    shift = timedelta(days=APPEAL_DAYS if answers.get("fine_basis") == FINE_DAY else 0)
    migration = tuple(day + shift for day in _dates(answers, "migration_dates", "migration_fines"))
    other = tuple(day + shift for day in _dates(answers, "other_dates", "other_fines"))
    expelled = _dates(answers, "expelled_dates", "expelled")
    return BanAnswers(
        check_date=today,
        overstays=overstays,
        admin_rulings=migration + other,
        migration_rulings=migration,
        removals=expelled + _dates(answers, "readmitted_dates", "readmitted"),
        expulsions=expelled,
        unpaid_fines=answers.get("debts") == YES,
        unspent_conviction=answers.get("conviction") == YES,
        medical_exam=answers.get("medical") == YES,
    )


# "Remind me" without a dated ban asks one more thing: when the migrant plans to travel.
TRAVEL_QUESTIONS = {"travel_date": Question("travel_date", "date", allow_future=True)}


def check_travel(step: str, value: date | None, answers: dict[str, Any], today: date) -> str | None:
    """A reminder is about a trip still ahead: today or a past day is refused."""
    return "not_ahead" if value is not None and value <= today else None
