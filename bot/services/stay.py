"""How long a migrant may stay: days used, the last legal day and any overstay, from their own trip dates.

The limits come from `content/ban_rules.yaml` (`StayRule`); this module only counts. Assumptions, stated
once here because every answer depends on them:

- **Days count inclusively**: the entry day and the exit day are both days of stay (a trip from 1 to 3 March
  is 3 days), which is how the migration service counts.
- **Each day is judged by the rule in force on that day.** Before `calendar_year_from` (1 Jan 2025 for
  Russia) a day is legal when the days of stay in the 180 days ending on it (itself included) are at most 90.
  From then on a day is legal when the days of stay in its calendar year up to it are at most 90.
- **Trips spanning 1 January 2025**: the days before 2025 are judged by the 90/180 rule and do not count
  towards the 2025 allowance, because the new rule counts days *of the calendar year*. For the same reason
  a stay that was still legal on 31 December starts a fresh count on 1 January. This is the literal reading
  of 115-FZ art. 5 as amended by 260-FZ; the law has no transitional clause, so the bot calls it an estimate.
- **Once a stay has run out it stays out**: the first day that breaks the limit ends the legal stay of that
  trip; every later day of the same trip is overstay, even across 1 January, until the person leaves.
- **The EAEU worker rule** (only where `contract_grace_days` is set, i.e. Russia): a worker whose contract
  covers the current trip may stay until the contract ends, or for `contract_grace_days` more days after an
  early end (to sign a new contract). It can only lengthen the stay, never shorten it. A contract that ended
  before the trip began does not apply to it.
- Overstay is counted for the latest trip only, up to its exit day or today: that is the trip the
  migrant asks about. Trips must not overlap, and only the latest one may still be open.
"""

from __future__ import annotations

import enum
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from bot.content.ban_rules import StayRule

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Trip:
    """One stay in the country; `exit` is None while the person is still there."""

    entry: date
    exit: date | None = None


@dataclass(frozen=True)
class Contract:
    """An employment (or civil) contract: its end date, and whether it ended before its term."""

    end: date
    ended_early: bool = False


class TripProblem(enum.StrEnum):
    NO_TRIPS = "no_trips"
    EXIT_BEFORE_ENTRY = "exit_before_entry"
    IN_FUTURE = "in_future"
    OVERLAP = "overlap"
    OPEN_TRIP_NOT_LAST = "open_trip_not_last"


class TripError(ValueError):
    """The trips contradict each other or today; `problem` says how, `index` which trip (sorted by entry)."""

    def __init__(self, problem: TripProblem, index: int | None = None) -> None:
        super().__init__(problem.value if index is None else f"{problem.value} (trip {index})")
        self.problem = problem
        self.index = index


@dataclass(frozen=True)
class StayResult:
    """The answer for the latest trip, and the allowance as of today."""

    rule: Literal["calendar_year", "rolling"]  # the rule in force today
    window_start: date  # days_used counts the days of stay from here to today, inclusive
    days_used: int
    limit_days: int
    in_country: bool
    last_legal_day: date  # of the latest trip, after the contract rule
    overstay_days: int  # days of the latest trip after last_legal_day, up to its exit or today
    contract_applied: bool  # the contract rule moved last_legal_day later

    @property
    def days_left(self) -> int:
        """Days still allowed in the current window (0 once it is used up)."""
        return max(0, self.limit_days - self.days_used)


def calculate_stay(
    trips: Sequence[Trip], today: date, rule: StayRule, contract: Contract | None = None
) -> StayResult:
    """Days used, last legal day and overstay for `trips` as of `today`; TripError on impossible trips."""
    ordered = _validated_trips(trips, today)
    latest = ordered[-1]
    earlier_days = _days_of_stay(ordered[:-1], today)
    last_legal = _last_legal_day(earlier_days, latest.entry, rule)

    contract_applied = False
    if contract is not None and rule.contract_grace_days is not None and contract.end >= latest.entry:
        grace = timedelta(days=rule.contract_grace_days if contract.ended_early else 0)
        if contract.end + grace > last_legal:
            last_legal, contract_applied = contract.end + grace, True

    stay_end = latest.exit or today
    window_start, rule_today = _window(today, rule)
    all_days = _days_of_stay(ordered, today)
    return StayResult(
        rule=rule_today,
        window_start=window_start,
        days_used=_count_between(all_days, window_start, today),
        limit_days=rule.limit_days,
        in_country=latest.exit is None,
        last_legal_day=last_legal,
        overstay_days=max(0, (stay_end - last_legal).days),
        contract_applied=contract_applied,
    )


def _validated_trips(trips: Sequence[Trip], today: date) -> list[Trip]:
    """The trips sorted by entry, or TripError naming the first contradiction."""
    if not trips:
        raise TripError(TripProblem.NO_TRIPS)
    ordered = sorted(trips, key=lambda trip: trip.entry)
    for index, trip in enumerate(ordered):
        if trip.entry > today or (trip.exit is not None and trip.exit > today):
            raise TripError(TripProblem.IN_FUTURE, index)
        if trip.exit is not None and trip.exit < trip.entry:
            raise TripError(TripProblem.EXIT_BEFORE_ENTRY, index)
        if index + 1 < len(ordered):
            if trip.exit is None:
                raise TripError(TripProblem.OPEN_TRIP_NOT_LAST, index)
            if trip.exit >= ordered[index + 1].entry:
                raise TripError(TripProblem.OVERLAP, index + 1)
    return ordered


def _days_of_stay(trips: Sequence[Trip], today: date) -> list[date]:
    """Every day spent in the country, sorted (trips are sorted and do not overlap)."""
    days: list[date] = []
    for trip in trips:
        day, last = trip.entry, trip.exit or today
        while day <= last:
            days.append(day)
            day += ONE_DAY
    return days


def _window(day: date, rule: StayRule) -> tuple[date, Literal["calendar_year", "rolling"]]:
    """The first day of the window that judges `day`, and which rule that is."""
    if rule.calendar_year_from is not None and day >= rule.calendar_year_from:
        return date(day.year, 1, 1), "calendar_year"
    return day - timedelta(days=rule.rolling_window_days - 1), "rolling"


def _count_between(days: list[date], first: date, last: date) -> int:
    return bisect_right(days, last) - bisect_left(days, first)


def _last_legal_day(earlier_days: list[date], entry: date, rule: StayRule) -> date:
    """The last day of a stay that begins on `entry` and goes on without a break.

    Walks day by day from the entry: a day is over the limit when the earlier trips' days in its window plus
    this trip's days so far exceed `limit_days`. The walk always ends: within any window, a continuous stay
    passes `limit_days` (which the model keeps no larger than the window) after at most a year and a window.
    """
    day = entry
    while True:
        window_start, _ = _window(day, rule)
        this_trip = (day - max(entry, window_start)).days + 1
        if _count_between(earlier_days, window_start, day) + this_trip > rule.limit_days:
            return day - ONE_DAY
        day += ONE_DAY
