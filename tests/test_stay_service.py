"""The stay calculator against worked cases (computed by hand) and properties that must always hold."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bot.services.stay import Contract, Trip, TripError, TripProblem, calculate_stay
from tests.content_helpers import shipped_content

RULES = shipped_content().ban_rules.stay
RU, KZ = RULES.russia, RULES.kazakhstan
D = date


@pytest.mark.parametrize(
    ("trips", "today", "used", "last_legal", "overstay"),
    [
        # one closed trip in 2025: 31 days used, 59 left, the projection ends on day 90
        ([Trip(D(2025, 3, 1), D(2025, 3, 31))], D(2025, 6, 1), 31, D(2025, 5, 29), 0),
        # still here: day 90 of the year is legal, day 91 is the first overstay day
        ([Trip(D(2025, 1, 1))], D(2025, 3, 31), 90, D(2025, 3, 31), 0),
        ([Trip(D(2025, 1, 1))], D(2025, 4, 1), 91, D(2025, 3, 31), 1),
        # entry and exit on the same day is one day
        ([Trip(D(2025, 7, 7), D(2025, 7, 7))], D(2025, 8, 1), 1, D(2025, 10, 4), 0),
        # two trips in one calendar year share the 90 days
        ([Trip(D(2025, 1, 1), D(2025, 1, 31)), Trip(D(2025, 6, 1))], D(2025, 6, 10), 41, D(2025, 7, 29), 0),
        # a trip spanning 1 Jan 2025: 61 days of 2024 are judged by 90/180, 2025 starts a fresh count
        ([Trip(D(2024, 11, 1))], D(2025, 2, 1), 32, D(2025, 3, 31), 0),
        # a stay that ran out in 2024 is not made legal again by 1 January
        ([Trip(D(2024, 9, 1))], D(2025, 1, 10), 10, D(2024, 11, 29), 42),
        # 90/180 in a leap year: 60 days (29 Feb included) + 30 days reach 90 on 30 April
        ([Trip(D(2024, 1, 1), D(2024, 2, 29)), Trip(D(2024, 4, 1))], D(2024, 5, 15), 105, D(2024, 4, 30), 15),
        # 90/180: the allowance used up, the entry day itself is already overstay
        (
            [Trip(D(2024, 1, 1), D(2024, 3, 30)), Trip(D(2024, 6, 28), D(2024, 7, 5))],
            D(2024, 8, 1),
            64,
            D(2024, 6, 27),
            8,
        ),
        # 90/180: one day later, old days roll off as new ones come, until 26 September
        ([Trip(D(2024, 1, 1), D(2024, 3, 30)), Trip(D(2024, 6, 29))], D(2024, 7, 10), 90, D(2024, 9, 26), 0),
        # all of 2025's days used, a November entry is overstay from its first day
        ([Trip(D(2025, 1, 1), D(2025, 3, 31)), Trip(D(2025, 11, 1))], D(2025, 11, 3), 93, D(2025, 10, 31), 3),
        # the year boundary: 92 days from 1 Oct to 31 Dec 2025 is 2 days of overstay
        ([Trip(D(2025, 10, 1), D(2025, 12, 31))], D(2026, 1, 20), 0, D(2025, 12, 29), 2),
        # last year's days do not count in 2026
        ([Trip(D(2025, 10, 1), D(2025, 12, 29)), Trip(D(2026, 1, 5))], D(2026, 1, 20), 16, D(2026, 4, 4), 0),
        # leap year 2028 versus 2027 under the calendar-year rule
        ([Trip(D(2028, 1, 1))], D(2028, 1, 2), 2, D(2028, 3, 30), 0),
        ([Trip(D(2027, 1, 1))], D(2027, 1, 2), 2, D(2027, 3, 31), 0),
    ],
)
def test_russia_worked_cases(trips, today, used, last_legal, overstay):
    result = calculate_stay(trips, today, RU)
    assert (result.days_used, result.last_legal_day, result.overstay_days) == (used, last_legal, overstay)
    assert result.in_country == (trips[-1].exit is None)
    assert result.days_left == max(0, 90 - used)


def test_window_follows_the_rule_in_force_today():
    before = calculate_stay([Trip(D(2024, 6, 1), D(2024, 6, 10))], D(2024, 12, 1), RU)
    after = calculate_stay([Trip(D(2025, 6, 1), D(2025, 6, 10))], D(2025, 12, 1), RU)
    assert (before.rule, before.window_start) == ("rolling", D(2024, 6, 5))
    assert (before.days_used, before.days_left) == (6, 84)
    assert (after.rule, after.window_start, after.days_used) == ("calendar_year", D(2025, 1, 1), 10)


def test_contract_term_extends_the_stay():
    result = calculate_stay([Trip(D(2025, 1, 10))], D(2025, 6, 1), RU, Contract(D(2025, 11, 30)))
    assert (result.last_legal_day, result.overstay_days, result.contract_applied) == (
        D(2025, 11, 30),
        0,
        True,
    )


def test_a_contract_ending_on_31_december_is_followed_by_a_fresh_count():
    """Defect 9: legal on 31 December, so 1 January starts 2026's 90 days (to 31 March)."""
    result = calculate_stay([Trip(D(2025, 1, 10))], D(2026, 2, 15), RU, Contract(D(2025, 12, 31)))
    assert (result.last_legal_day, result.overstay_days, result.contract_applied) == (D(2026, 3, 31), 0, True)
    leap = calculate_stay([Trip(D(2027, 1, 10))], D(2028, 2, 15), RU, Contract(D(2027, 12, 31)))
    assert leap.last_legal_day == D(2028, 3, 30)  # 29 February is one of the 90 days


@pytest.mark.parametrize(("today", "overstay"), [(D(2025, 5, 5), 0), (D(2025, 5, 10), 5)])
def test_early_contract_end_leaves_fifteen_days(today, overstay):
    result = calculate_stay([Trip(D(2025, 1, 10))], today, RU, Contract(D(2025, 4, 20), ended_early=True))
    assert result.last_legal_day == D(2025, 5, 5)
    assert result.overstay_days == overstay


def test_contract_never_shortens_and_old_contract_is_ignored():
    short = calculate_stay([Trip(D(2025, 3, 1))], D(2025, 3, 5), RU, Contract(D(2025, 3, 20)))
    old = calculate_stay([Trip(D(2025, 3, 1))], D(2025, 3, 5), RU, Contract(D(2025, 2, 20), ended_early=True))
    assert short.last_legal_day == old.last_legal_day == D(2025, 5, 29)
    assert not short.contract_applied and not old.contract_applied


def test_kazakhstan_is_ninety_in_any_hundred_and_eighty():
    result = calculate_stay([Trip(D(2025, 1, 1))], D(2025, 4, 5), KZ)
    assert (result.rule, result.last_legal_day, result.overstay_days) == ("rolling", D(2025, 3, 31), 5)


def test_kazakhstan_applies_the_eaeu_contract_rule_flagged_unverified():
    result = calculate_stay([Trip(D(2025, 1, 1))], D(2025, 4, 5), KZ, Contract(D(2025, 6, 30)))
    assert (result.last_legal_day, result.overstay_days, result.contract_applied) == (D(2025, 6, 30), 0, True)
    assert KZ.contract is not None and not KZ.contract.verified and RU.contract.verified


@pytest.mark.parametrize(
    ("trips", "problem"),
    [
        ([], TripProblem.NO_TRIPS),
        ([Trip(D(2025, 3, 10), D(2025, 3, 1))], TripProblem.EXIT_BEFORE_ENTRY),
        ([Trip(D(2025, 3, 10), D(2025, 7, 1))], TripProblem.IN_FUTURE),
        ([Trip(D(2025, 7, 1))], TripProblem.IN_FUTURE),
        ([Trip(D(2025, 1, 1), D(2025, 2, 1)), Trip(D(2025, 2, 1))], TripProblem.OVERLAP),
        ([Trip(D(2025, 1, 1)), Trip(D(2025, 3, 1), D(2025, 3, 2))], TripProblem.OPEN_TRIP_NOT_LAST),
    ],
)
def test_impossible_trips_are_named(trips, problem):
    with pytest.raises(TripError) as caught:
        calculate_stay(trips, D(2025, 6, 1), RU)
    assert caught.value.problem is problem


TODAY = D(2026, 6, 1)


@st.composite
def trip_lists(draw, min_size=1):
    """Non-overlapping trips between 2023 and TODAY; the last one may still be open."""
    cursor = draw(st.dates(D(2023, 1, 1), D(2025, 12, 31)))
    trips = []
    for _ in range(draw(st.integers(min_size, 4))):
        entry = cursor + timedelta(days=draw(st.integers(1, 200)))
        exit_ = entry + timedelta(days=draw(st.integers(0, 200)))
        if exit_ > TODAY:
            break
        trips.append(Trip(entry, exit_))
        cursor = exit_
    if trips and draw(st.booleans()):
        trips[-1] = Trip(trips[-1].entry)
    return trips


@given(trip_lists(), st.sampled_from([RU, KZ]))
def test_counts_are_never_negative_or_beyond_the_days_spent(trips, rule):
    assume(trips)
    result = calculate_stay(trips, TODAY, rule)
    spent = sum(((t.exit or TODAY) - t.entry).days + 1 for t in trips)
    assert 0 <= result.days_used <= spent
    assert result.overstay_days >= 0
    assert result.last_legal_day >= trips[-1].entry - timedelta(days=1)


@given(trip_lists(min_size=2), st.sampled_from([RU, KZ]))
def test_adding_an_earlier_trip_never_helps(trips, rule):
    assume(len(trips) >= 2)
    without = calculate_stay(trips[1:], TODAY, rule)
    with_it = calculate_stay(trips, TODAY, rule)
    assert with_it.days_used >= without.days_used
    assert with_it.last_legal_day <= without.last_legal_day
    assert with_it.overstay_days >= without.overstay_days
