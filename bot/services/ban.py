"""Which re-entry ban grounds a migrant's answers meet, and until when each lasts.

The estimator knows no number of the law: thresholds, durations, kinds and starting points all come from the
grounds of `content/ban_rules.yaml` (the caller passes one country's grounds). It turns answers into
findings, one per ground that applies, after dropping grounds that a harsher applicable ground replaces (an
overstay of 200 days is a 5-year case, not also a 3-year one). Every overstay is judged on its own, from its
own exit: an old overstay's ban can still run after a later lawful trip. Expired bans are still reported (a
finding knows whether it is active), because a past ban the migrant never knew of explains a refusal.

A ban of N years counted from a day ends on the matching day N years later (Civil Code art. 191-192: the
period starts the day after the event and ends on the matching day), which is its **last day**; the migrant
may enter from the day after it.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from bot.content.ban_rules import BanGround, EventCountCondition, OverstayCondition
from bot.services.dates import add_years

ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Overstay:
    """One trip's overstay: its days, its first day, and the exit (None: still there, assumed today)."""

    days: int
    first_day: date
    departure: date | None = None


@dataclass(frozen=True)
class BanAnswers:
    """What the migrant told us; every date is on or before `check_date` (the day of the self-check).

    `overstays` are every trip's overstay; one with no departure is the trip still going on, in which case
    the estimate assumes they leave on `check_date`. Ruling dates are the days the rulings took effect (which
    may be a few days ahead, while an appeal is still possible); removals are expulsions, deportations and
    readmissions, `expulsions` the expulsions and deportations among them, each with its date.
    """

    check_date: date
    overstays: tuple[Overstay, ...] = ()
    admin_rulings: tuple[date, ...] = ()
    migration_rulings: tuple[date, ...] = ()
    removals: tuple[date, ...] = ()
    expulsions: tuple[date, ...] = ()
    unpaid_fines: bool = False
    unspent_conviction: bool = False
    medical_exam: bool = False

    def __post_init__(self) -> None:
        if any(o.days < 0 for o in self.overstays):
            raise ValueError("overstay days are negative")
        dated = [*self.removals, *self.expulsions, *(o.departure for o in self.overstays if o.departure)]
        if any(day > self.check_date for day in dated):
            raise ValueError("a date is after the check date")


@dataclass(frozen=True)
class Finding:
    """One ground that applies: its clause and kind, and the ban's first day and the day it runs out.

    `end` (the ban's last day) is None when the ban lasts until its cause is cleared (a debt paid, a
    conviction spent) or for a time the sources do not state.
    """

    ground: BanGround
    start: date
    end: date | None

    @property
    def enter_from(self) -> date | None:
        """The first day entry is allowed again."""
        return None if self.end is None else self.end + ONE_DAY

    def active_on(self, day: date) -> bool:
        return self.end is None or self.end >= day


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
        """The last day of the dated ban that runs longest, or None when no finding has an end date."""
        return max((f.end for f in self.findings if f.end is not None), default=None)

    @property
    def enter_from(self) -> date | None:
        """The day after latest_end: from then on no dated ban stands in the way."""
        return None if self.latest_end is None else self.latest_end + ONE_DAY

    @property
    def open_ended(self) -> bool:
        """Some ground lasts until its cause is cleared, whatever latest_end says."""
        return any(f.end is None for f in self.findings)


def estimate_ban(grounds: Sequence[BanGround], answers: BanAnswers) -> BanEstimate:
    """Every ground of `grounds` that `answers` meet, in table order, minus the replaced ones.

    Overstay grounds are judged once per overstay (replacements within that overstay); the others once.
    """
    overstay_grounds = [g for g in grounds if isinstance(g.condition, OverstayCondition)]
    found: list[tuple[int, Finding]] = []
    for overstay in answers.overstays:
        departure = overstay.departure or answers.check_date
        applying = {g.id for g in overstay_grounds if _overstay_applies(g, overstay)}
        found += [
            (grounds.index(g), Finding(g, departure, _end(g, departure)))
            for g in overstay_grounds
            if g.id in applying and not applying & set(g.replaced_by)
        ]
    starts: dict[str, date] = {}
    for ground in grounds:
        if not isinstance(ground.condition, OverstayCondition):
            start = _start(ground, answers)
            if start is not None:
                starts[ground.id] = start
    found += [
        (grounds.index(g), Finding(g, starts[g.id], _end(g, starts[g.id])))
        for g in grounds
        if g.id in starts and not starts.keys() & set(g.replaced_by)
    ]
    findings = tuple(f for _, f in sorted(found, key=lambda item: (item[0], item[1].start)))
    assumed = any(o.departure is None for o in answers.overstays) and any(
        isinstance(f.ground.condition, OverstayCondition) for f in findings
    )
    return BanEstimate(findings, answers.check_date, departure_assumed=assumed)


def _overstay_applies(ground: BanGround, overstay: Overstay) -> bool:
    condition = ground.condition
    assert isinstance(condition, OverstayCondition)
    if condition.began_before is not None and overstay.first_day >= condition.began_before:
        return False
    return overstay.days > condition.more_than_days


def _start(ground: BanGround, answers: BanAnswers) -> date | None:
    """The ban's first day when a ground other than overstay applies, else None."""
    condition = ground.condition
    if isinstance(condition, EventCountCondition):
        events = {
            "admin_offences": answers.admin_rulings,
            "migration_offences": answers.migration_rulings,
            "removals": answers.removals,
            "expulsions": answers.expulsions,
        }[condition.type]
        return _latest_qualifying_event(events, condition.min_count, condition.within_years)
    flagged = {
        "unpaid_fines": answers.unpaid_fines,
        "unspent_conviction": answers.unspent_conviction,
        "medical_exam": answers.medical_exam,
    }[condition.type]
    return answers.check_date if flagged else None


@dataclass(frozen=True)
class Tier:
    """What leaving on a day from `first_exit` to `last_exit` (None: any later day) leads to.

    `grounds` are the mandatory overstay grounds such an exit meets (empty: no mandatory ban).
    """

    first_exit: date
    last_exit: date | None
    grounds: tuple[BanGround, ...]


def exit_tiers(grounds: Sequence[BanGround], last_legal_day: date, today: date) -> list[Tier]:
    """For someone still in the country: from which exit day each mandatory overstay ground applies.

    Only tiers that can still be reached (their last exit day is today or later) are returned.
    """
    overstay_grounds = [
        g
        for g in grounds
        if isinstance(g.condition, OverstayCondition) and g.kind == "mandatory"
        and (g.condition.began_before is None or last_legal_day + ONE_DAY < g.condition.began_before)
    ]
    thresholds = sorted({0, *(g.condition.more_than_days + 1 for g in overstay_grounds)})  # type: ignore[union-attr]
    tiers = []
    for position, days in enumerate(thresholds):
        first = last_legal_day + timedelta(days=days) if days else today
        if position + 1 < len(thresholds):
            last: date | None = last_legal_day + timedelta(days=thresholds[position + 1] - 1)
        else:
            last = None
        if last is not None and last < today:
            continue
        first = max(first, today)
        probe = Overstay(max(0, (first - last_legal_day).days), last_legal_day + ONE_DAY, first)
        applying = {g.id for g in overstay_grounds if _overstay_applies(g, probe)}
        chosen = tuple(g for g in overstay_grounds if g.id in applying and not applying & set(g.replaced_by))
        tiers.append(Tier(first, last, chosen))
    return tiers


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
