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
- **The EAEU worker rule** (where the rule has a `contract`): a day covered by the worker's contract is legal
  whatever the count says. The contract covers the latest trip that began on or before its end, from that
  trip's entry to the contract's end; a contract that ended early more than `after_days` days after that
  entry (EAEU Treaty art. 97 p. 5: "after 90 days") also covers `grace_days` more days to sign a new one.
  After the covered days the count rule judges again, so a contract that ends on 31 December is followed by
  a fresh calendar-year count on 1 January, like any stay that was legal on 31 December.
- **Every trip has its own overstay**, up to its exit day (or today for the open one), each ending on its
  own exit date: a ban from an earlier trip can still run after a later lawful one. Days of overstay still
  count as days of stay for later trips. Trips must not overlap, and only the latest one may still be open.
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
class TripResult:
    """One trip's answer: its last legal day (the day before its entry when none was legal) and overstay."""

    trip: Trip
    last_legal_day: date
    overstay_days: int  # days of the trip after last_legal_day, up to its exit or today
    contract_applied: bool  # the contract made last_legal_day later than the count alone

    @property
    def overstay_start(self) -> date | None:
        return self.last_legal_day + ONE_DAY if self.overstay_days else None


@dataclass(frozen=True)
class StayResult:
    """Every trip's answer, and the allowance as of today."""

    rule: Literal["calendar_year", "rolling"]  # the rule in force today
    window_start: date  # days_used counts the days of stay from here to today, inclusive
    days_used: int
    limit_days: int
    trips: tuple[TripResult, ...]  # sorted by entry

    @property
    def latest(self) -> TripResult:
        return self.trips[-1]

    @property
    def in_country(self) -> bool:
        return self.latest.trip.exit is None

    @property
    def last_legal_day(self) -> date:
        return self.latest.last_legal_day

    @property
    def overstay_days(self) -> int:
        """The latest trip's overstay."""
        return self.latest.overstay_days

    @property
    def contract_applied(self) -> bool:
        return any(t.contract_applied for t in self.trips)

    @property
    def overstays(self) -> tuple[TripResult, ...]:
        """Every trip with an overstay, oldest first."""
        return tuple(t for t in self.trips if t.overstay_days)

    @property
    def days_left(self) -> int:
        """Days still allowed in the current window (0 once it is used up)."""
        return max(0, self.limit_days - self.days_used)


def calculate_stay(
    trips: Sequence[Trip], today: date, rule: StayRule, contract: Contract | None = None
) -> StayResult:
    """Days used, and every trip's last legal day and overstay, as of `today`; TripError on impossible trips."""
    ordered = _validated_trips(trips, today)
    covered = _covered_days(ordered, rule, contract)
    results = []
    for index, trip in enumerate(ordered):
        earlier_days = _days_of_stay(ordered[:index], today)
        cover = covered.get(index)
        last_legal = _last_legal_day(earlier_days, trip.entry, rule, cover)
        applied = cover is not None and last_legal > _last_legal_day(earlier_days, trip.entry, rule, None)
        stay_end = trip.exit or today
        results.append(TripResult(trip, last_legal, max(0, (stay_end - last_legal).days), applied))
    window_start, rule_today = _window(today, rule)
    all_days = _days_of_stay(ordered, today)
    return StayResult(
        rule=rule_today,
        window_start=window_start,
        days_used=_count_between(all_days, window_start, today),
        limit_days=rule.limit_days,
        trips=tuple(results),
    )


@dataclass(frozen=True)
class ContractCover:
    """What the contract does: the trip it covers, its last covered day, and whether the grace was given."""

    trip_index: int
    last_day: date
    grace_given: bool


def contract_cover(trips: Sequence[Trip], rule: StayRule, contract: Contract | None) -> ContractCover | None:
    """The contract's effect on the (valid) trips, or None when the rule or the trips give it none."""
    ordered = sorted(trips, key=lambda trip: trip.entry)
    covered = _covered_days(ordered, rule, contract)
    if not covered or contract is None:
        return None
    [(index, last_day)] = covered.items()
    return ContractCover(index, last_day, last_day > contract.end)


def used_by_day(trips: Sequence[Trip], first: date, last: date, rule: StayRule, today: date) -> list[tuple[date, int]]:
    """`days_used_on` for every day from `first` to `last`, computed in one pass over the days."""
    all_days = _days_of_stay(sorted(trips, key=lambda trip: trip.entry), today)
    out, day = [], first
    while day <= last:
        out.append((day, _count_between(all_days, _window(day, rule)[0], day)))
        day += ONE_DAY
    return out


def _covered_days(ordered: list[Trip], rule: StayRule, contract: Contract | None) -> dict[int, date]:
    """{trip index: the last day the contract covers} for the one trip the contract applies to."""
    if contract is None or rule.contract is None:
        return {}
    index = next((i for i in range(len(ordered) - 1, -1, -1) if ordered[i].entry <= contract.end), None)
    if index is None:
        return {}
    day_of_trip = (contract.end - ordered[index].entry).days + 1
    grace = rule.contract.grace_days if contract.ended_early and day_of_trip > rule.contract.after_days else 0
    return {index: contract.end + timedelta(days=grace)}


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


def _last_legal_day(earlier_days: list[date], entry: date, rule: StayRule, covered_until: date | None) -> date:
    """The last day of a stay that begins on `entry` and goes on without a break.

    Walks day by day from the entry: a day up to `covered_until` (the contract) is legal; any other day is
    over the limit when the earlier trips' days in its window plus this trip's days so far exceed
    `limit_days`. The walk always ends: past the contract, a continuous stay passes `limit_days` (which the
    model keeps no larger than the window) after at most a year and a window.
    """
    day = entry
    if covered_until is not None and covered_until >= entry:
        day = covered_until + ONE_DAY
    while True:
        window_start, _ = _window(day, rule)
        this_trip = (day - max(entry, window_start)).days + 1
        if _count_between(earlier_days, window_start, day) + this_trip > rule.limit_days:
            return day - ONE_DAY
        day += ONE_DAY


def summary_lines(result: StayResult) -> list[str]:
    """Which lines of the stay answer to show: only lines that are true together.

    "Days left" is never shown beside an overstay, and "within the limit" never beside more days used
    than the limit (a contract covered them, which is said instead).
    """
    overstayed = bool(result.overstays)
    if result.days_used > result.limit_days and not result.overstay_days:
        lines = ["used_covered"]
    elif overstayed:
        lines = ["used"]
    else:
        lines = ["used_left"]
    if result.overstay_days:
        lines.append("over_now" if result.in_country else "over_last_trip")
    elif result.in_country:
        lines.append("may_stay_until")
    elif not overstayed:
        lines.append("within_limit")
    if any(t is not result.latest for t in result.overstays):
        lines.append("earlier_overstays")
    if result.contract_applied:
        lines.append("contract")
    return lines
