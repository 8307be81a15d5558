"""Which re-entry ban grounds of Russian law a migrant's answers meet, and until when each lasts.

The estimator knows no number of the law: thresholds, durations, kinds and starting points all come from the
grounds of `content/ban_rules.yaml`. It turns answers into findings, one per ground that applies, after
dropping grounds that a harsher applicable ground replaces (an overstay of 200 days is a 5-year case, not also
a 3-year one). Expired bans are still reported (a finding knows whether it is active), because a past ban
the migrant never knew of explains a refusal and shows the ruling dates were understood.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bot.content.ban_rules import BanGround, EventCountCondition, OverstayCondition
from bot.services.dates import add_years


@dataclass(frozen=True)
class BanAnswers:
    """What the migrant told us; every date is on or before `check_date` (the day of the self-check).

    `departure` is the day they left Russia after overstaying `overstay_days`; None while they are still
    there, in which case the estimate assumes they leave on `check_date`. Ruling dates are the days the
    rulings took effect; removals are expulsions, deportations and readmissions, each with its date.
    """

    check_date: date
    overstay_days: int = 0
    departure: date | None = None
    admin_rulings: tuple[date, ...] = ()
    migration_rulings: tuple[date, ...] = ()
    removals: tuple[date, ...] = ()
    unpaid_fines: bool = False
    unspent_conviction: bool = False

    def __post_init__(self) -> None:
        if self.overstay_days < 0:
            raise ValueError("overstay_days is negative")
        dated = [*self.admin_rulings, *self.migration_rulings, *self.removals]
        if self.departure is not None:
            dated.append(self.departure)
        if any(day > self.check_date for day in dated):
            raise ValueError("a date is after the check date")


@dataclass(frozen=True)
class Finding:
    """One ground that applies: its clause and kind, and the ban's first day and the day it runs out.

    `end` is None when the ban lasts until its cause is cleared (a debt paid, a conviction spent).
    """

    ground: BanGround
    start: date
    end: date | None

    def active_on(self, day: date) -> bool:
        return self.end is None or self.end > day


@dataclass(frozen=True)
class BanEstimate:
    findings: tuple[Finding, ...]
    check_date: date
    departure_assumed: bool = False  # an overstayer still in Russia: the ban would start on check_date

    @property
    def active(self) -> tuple[Finding, ...]:
        """The findings whose ban has not run out by the check date."""
        return tuple(f for f in self.findings if f.active_on(self.check_date))

    @property
    def found(self) -> bool:
        return bool(self.findings)

    @property
    def latest_end(self) -> date | None:
        """The last day any dated ban runs out, or None when no finding has an end date."""
        return max((f.end for f in self.findings if f.end is not None), default=None)

    @property
    def open_ended(self) -> bool:
        """Some ground lasts until its cause is cleared, whatever latest_end says."""
        return any(f.end is None for f in self.findings)


def estimate_ban(grounds: Sequence[BanGround], answers: BanAnswers) -> BanEstimate:
    """Every ground of `grounds` that `answers` meet, in table order, minus the replaced ones."""
    departure = answers.departure or answers.check_date
    starts: dict[str, date] = {}
    for ground in grounds:
        start = _start(ground, answers, departure)
        if start is not None:
            starts[ground.id] = start
    findings = tuple(
        Finding(ground, starts[ground.id], _end(ground, starts[ground.id]))
        for ground in grounds
        if ground.id in starts and not starts.keys() & set(ground.replaced_by)
    )
    assumed = answers.departure is None and any(
        isinstance(f.ground.condition, OverstayCondition) for f in findings
    )
    return BanEstimate(findings, answers.check_date, departure_assumed=assumed)


def _start(ground: BanGround, answers: BanAnswers, departure: date) -> date | None:
    """The ban's first day when the ground applies, else None."""
    condition = ground.condition
    if isinstance(condition, OverstayCondition):
        return departure if answers.overstay_days > condition.more_than_days else None
    if isinstance(condition, EventCountCondition):
        events = {
            "admin_offences": answers.admin_rulings,
            "migration_offences": answers.migration_rulings,
            "removals": answers.removals,
        }[condition.type]
        return _latest_qualifying_event(events, condition.min_count, condition.within_years)
    flagged = answers.unpaid_fines if condition.type == "unpaid_fines" else answers.unspent_conviction
    return answers.check_date if flagged else None


def _end(ground: BanGround, start: date) -> date | None:
    return None if ground.duration_years is None else add_years(start, ground.duration_years)


def _latest_qualifying_event(events: Sequence[date], min_count: int, within_years: int | None) -> date | None:
    """The latest event that completes `min_count` events within `within_years` (None: ever).

    A window of 3 years holds the events from 3 years before the latest one up to it, both days included.
    """
    ordered = sorted(events)
    for index in range(len(ordered) - 1, -1, -1):
        last = ordered[index]
        first_allowed = add_years(last, -within_years) if within_years else date.min
        if index + 1 - bisect_left(ordered, first_allowed) >= min_count:
            return last
    return None
