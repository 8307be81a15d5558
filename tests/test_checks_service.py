"""Issue 18's defects, each with a worked case through the pure services, and the properties that must hold.

Every case is computed by hand in its comment; the dialogue's versions are in tests/test_checks_e2e.py.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.services import ban_dialog, check_dialog, stay_dialog
from bot.services.ban import BanAnswers, Overstay, estimate_ban, exit_tiers
from bot.services.dialog import NO, YES, Progress
from bot.services.stay import Contract, Trip, calculate_stay, summary_lines
from tests.content_helpers import shipped_content

RULES = shipped_content().ban_rules
RU, KZ = RULES.stay.russia, RULES.stay.kazakhstan
GROUNDS = RULES.grounds_of("russia")
D = date


def ban_of(trips, today, rule=RU, contract=None, country="russia", **answers):
    stay = calculate_stay(trips, today, rule, contract)
    ban = ban_dialog.to_ban_answers(answers, stay, today)
    return stay, estimate_ban(RULES.grounds_of(country), ban)


def ids(estimate) -> list[str]:
    return [f.ground.id for f in estimate.findings]


# Defect 1: trips of the whole calendar year count, not "the last 12 months".
def test_defect_1_trips_early_in_the_previous_year_count():
    # 1 Jan - 31 Mar 2025 uses all 90 days; 21 Nov - 31 Dec 2025 is 41 days, all over the limit.
    trips = [Trip(D(2025, 1, 1), D(2025, 3, 31)), Trip(D(2025, 11, 21), D(2025, 12, 31))]
    stay, estimate = ban_of(trips, D(2026, 6, 10))
    assert [t.overstay_days for t in stay.trips] == [0, 41]
    assert ids(estimate) == ["overstay_30", "overstay_30_refusal"]  # both 3-year clauses (defect 10)
    assert {(f.start, f.end) for f in estimate.findings} == {(D(2025, 12, 31), D(2028, 12, 31))}
    # the last 12 months alone (from June 2025) would have shown 41 days "within the limit"
    alone = calculate_stay(trips[1:], D(2026, 6, 10), RU)
    assert alone.overstay_days == 0


def test_defect_1_the_dialogue_asks_this_year_then_last_year():
    answers = check_dialog.record("country", "russia", {}, RULES, D(2026, 6, 10))
    assert answers["periods"] == [
        ["this_year", "2026-01-01", "2026-06-10"],
        ["year", "2025-01-01", "2025-12-31"],
    ]
    kz = check_dialog.record("country", "kazakhstan", {}, RULES, D(2026, 6, 10))
    assert kz["periods"] == [["recent", "2025-12-13", "2026-06-10"]]


def test_defect_1_before_2025_the_180_days_before_the_earliest_trip_are_asked():
    today = D(2025, 3, 1)
    answers = check_dialog.record("country", "russia", {}, RULES, today)
    answers = {**answers, "period": 1, "entry": "2024-02-01"}
    answers = check_dialog.record("exit", D(2024, 3, 30), answers, RULES, today)
    answers = check_dialog.record("more", NO, answers, RULES, today)
    # 1 Feb 2024 is judged by 90/180: the 180 days before it reach into 2023, which was not asked yet
    assert stay_dialog.current_period(answers) == ("window", D(2023, 8, 5), D(2023, 12, 31))
    assert check_dialog.next_step("more", answers, RULES, today) == "in_period"
    # a 2024 trip whose 180 days lie within 2024 needs no more questions
    inside = {
        **check_dialog.record("country", "russia", {}, RULES, today),
        "period": 1,
        "entry": "2024-10-01",
    }
    inside = check_dialog.record("exit", D(2024, 11, 30), inside, RULES, today)
    inside = check_dialog.record("more", NO, inside, RULES, today)
    assert check_dialog.next_step("more", inside, RULES, today) == "old"


# Defect 2: every trip's overstay gives its own grounds, from its own exit.
def test_defect_2_an_old_overstay_still_bans_after_a_lawful_trip():
    # 1 Jun 2016: day 90 is 29 Aug 2016 (90/180); leaving 24 Mar 2017 is 207 days over.
    trips = [Trip(D(2016, 6, 1), D(2017, 3, 24)), Trip(D(2018, 6, 1), D(2018, 7, 1))]
    stay, estimate = ban_of(trips, D(2021, 6, 1))
    assert [(t.last_legal_day, t.overstay_days) for t in stay.trips] == [
        (D(2016, 8, 29), 207),
        (D(2018, 8, 29), 0),
    ]
    assert ids(estimate) == ["overstay_180"]
    [five] = estimate.findings
    assert (five.start, five.end, five.enter_from) == (D(2017, 3, 24), D(2022, 3, 24), D(2022, 3, 25))
    assert five.active_on(D(2021, 6, 1))
    assert "earlier_overstays" in summary_lines(stay) and "within_limit" not in summary_lines(stay)


def test_defect_2_two_overstays_give_two_findings_each_from_its_exit():
    trips = [Trip(D(2025, 1, 1), D(2025, 5, 10)), Trip(D(2026, 1, 1), D(2026, 5, 10))]  # 40 and 40 days over
    _stay, estimate = ban_of(trips, D(2026, 6, 1))
    assert sorted({(f.ground.id, f.start) for f in estimate.findings}) == [
        ("overstay_30", D(2025, 5, 10)),
        ("overstay_30", D(2026, 5, 10)),
        ("overstay_30_refusal", D(2025, 5, 10)),
        ("overstay_30_refusal", D(2026, 5, 10)),
    ]
    assert estimate.latest_end == D(2029, 5, 10)


# Defect 3: the 15 days after an early end apply only after 90 days in the country.
@pytest.mark.parametrize(
    ("ended_on_day", "last_legal", "overstay", "grace"),
    [
        (89, D(2026, 3, 31), 32, False),  # the case: 32 days over (3 years), not 18
        (90, D(2026, 3, 31), 32, False),
        (91, D(2026, 4, 16), 16, True),  # 1 April + 15 days
    ],
)
def test_defect_3_contract_grace_only_after_90_days(ended_on_day, last_legal, overstay, grace):
    entry = D(2026, 1, 1)
    ended = entry + timedelta(days=ended_on_day - 1)
    trips = [Trip(entry, entry + timedelta(days=121))]  # left on day 122, 2 May
    contract = Contract(ended, ended_early=True)
    stay, estimate = ban_of(trips, D(2026, 6, 1), contract=contract)
    assert (stay.last_legal_day, stay.overstay_days) == (last_legal, overstay)
    from bot.services.stay import contract_cover

    cover = contract_cover(trips, RU, contract)
    assert cover is not None and cover.grace_given is grace
    assert bool(estimate.findings) is (overstay > 30)


# Defect 4: Kazakhstan's overstay has a consequence, with its source, flagged unverified.
def test_defect_4_kazakhstan_overstay_is_a_refusal_of_entry():
    stay, estimate = ban_of([Trip(D(2026, 1, 1), D(2026, 4, 5))], D(2026, 6, 1), KZ, country="kazakhstan")
    assert (stay.last_legal_day, stay.overstay_days) == (D(2026, 3, 31), 5)
    [refusal] = estimate.findings
    assert refusal.ground.id == "kz_overstay" and refusal.end is None and refusal.ground.duration_unknown
    assert "art. 48" in refusal.ground.clause.en and not refusal.ground.verified
    assert refusal.ground.source and refusal.ground.verified_on
    lawful = ban_of([Trip(D(2026, 1, 1), D(2026, 3, 31))], D(2026, 6, 1), KZ, country="kazakhstan")[1]
    assert not lawful.found


# Defect 5: the next thresholds, as dates.
def test_defect_5_exit_tiers_for_someone_still_in_russia():
    last = D(2026, 3, 31)  # 1 January entry, still there
    tiers = exit_tiers(GROUNDS, last, today=D(2026, 4, 10))
    assert [(t.first_exit, t.last_exit, [g.id for g in t.grounds]) for t in tiers] == [
        (D(2026, 4, 10), D(2026, 4, 30), []),  # 30 days over: no mandatory ban
        (D(2026, 5, 1), D(2026, 9, 27), ["overstay_30"]),  # 31..180 days over: 3 years
        (D(2026, 9, 28), D(2026, 12, 26), ["overstay_180"]),  # 181..270: 5 years
        (D(2026, 12, 27), None, ["overstay_270"]),  # 271 and more: 10 years
    ]
    later = exit_tiers(GROUNDS, last, today=D(2026, 10, 1))
    assert [(t.first_exit, [g.id for g in t.grounds]) for t in later] == [
        (D(2026, 10, 1), ["overstay_180"]),
        (D(2026, 12, 27), ["overstay_270"]),
    ]


@pytest.mark.parametrize(("leave", "ground"), [(D(2026, 4, 30), None), (D(2026, 5, 1), "overstay_30")])
def test_defect_5_the_tier_dates_match_the_estimate(leave, ground):
    stay, estimate = ban_of([Trip(D(2026, 1, 1), leave)], D(2026, 6, 1))
    assert stay.overstay_days == (leave - D(2026, 3, 31)).days
    assert (ids(estimate)[0] if estimate.found else None) == ground


# Defect 6: only lines that are true together.
def test_defect_6_no_days_left_beside_an_overstay_and_no_within_beside_over_the_limit():
    over = calculate_stay([Trip(D(2026, 1, 1))], D(2026, 6, 4), RU)
    assert over.overstay_days == 65 and "used_left" not in summary_lines(over)
    assert summary_lines(over) == ["used", "over_now"]
    covered = calculate_stay(
        [Trip(D(2025, 1, 10), D(2025, 11, 28))], D(2025, 12, 1), RU, Contract(D(2025, 11, 30))
    )
    assert covered.days_used == 323 and covered.overstay_days == 0
    assert summary_lines(covered) == ["used_covered", "within_limit", "contract"]
    fine = calculate_stay([Trip(D(2026, 1, 1), D(2026, 1, 31))], D(2026, 6, 1), RU)
    assert summary_lines(fine) == ["used_left", "within_limit"]


# Defect 7: fines count from the ruling's entry into force (or the fine's date plus 10 days, said so).
def test_defect_7_fines_count_from_entry_into_force():
    base = {"migration_fines": YES, "other_fines": YES, "migration_dates": [], "other_dates": []}
    in_force = {**base, "fine_basis": ban_dialog.IN_FORCE, "other_dates": ["2024-05-01", "2026-04-30"]}
    estimate = estimate_ban(GROUNDS, ban_dialog.to_ban_answers(in_force, None, D(2026, 6, 1)))
    assert [(f.ground.id, f.start, f.end) for f in estimate.findings] == [
        ("admin_offences", D(2026, 4, 30), D(2029, 4, 30))
    ]
    fine_day = {**base, "fine_basis": ban_dialog.FINE_DAY, "other_dates": ["2023-05-01", "2026-04-20"]}
    estimate = estimate_ban(GROUNDS, ban_dialog.to_ban_answers(fine_day, None, D(2026, 6, 1)))
    # 1 May 2023 + 10 = 11 May 2023, within 3 years of 30 April 2026 (= 20 April + 10)
    assert [(f.start, f.end) for f in estimate.findings] == [(D(2026, 4, 30), D(2029, 4, 30))]
    assert ban_dialog.fines_from_fine_day(fine_day) and not ban_dialog.fines_from_fine_day(in_force)


def test_defect_7_an_in_force_date_may_be_a_few_days_ahead():
    answers = {"fine_basis": ban_dialog.IN_FORCE}
    today = D(2026, 6, 1)
    assert ban_dialog.check("other_dates", today + timedelta(days=10), answers, today) is None
    assert ban_dialog.check("other_dates", today + timedelta(days=11), answers, today) == "too_far_ahead"
    assert ban_dialog.check("other_dates", today + timedelta(days=1), {"fine_basis": "fine_day"}, today) == (
        "too_far_ahead"
    )


# Defect 8: the last day of a ban, and "you may enter from" the day after.
def test_defect_8_the_last_day_of_a_ban_is_still_a_ban():
    _stay, estimate = ban_of([Trip(D(2025, 1, 1), D(2025, 5, 10))], D(2028, 5, 10))
    finding = estimate.findings[0]
    assert (finding.end, finding.enter_from) == (D(2028, 5, 10), D(2028, 5, 11))
    assert finding.active_on(D(2028, 5, 10)) and not finding.active_on(D(2028, 5, 11))
    assert estimate.active and estimate.enter_from == D(2028, 5, 11)


def test_defect_8_a_ban_from_29_february():
    _stay, estimate = ban_of([Trip(D(2023, 11, 1), D(2024, 2, 29))], D(2026, 6, 1))
    # 90/180 from 1 Nov 2023: day 90 is 29 Jan 2024; 31 days over, so 3 years from 29 Feb 2024
    assert {(f.end, f.enter_from) for f in estimate.findings} == {(D(2027, 2, 28), D(2027, 3, 1))}


# Defect 9: readmissions, the fines' order, 31 December, the medical ground (dates: tests/test_dates.py).
def test_defect_9_the_fines_questions_follow_each_other_without_repeats():
    steps, answers = [], {"country": "russia"}
    step = "migration_fines"
    for value in (NO, YES, ban_dialog.FINE_DAY):
        answers = check_dialog.record(step, value, answers, RULES, D(2026, 6, 1))
        steps.append(step)
        step = check_dialog.next_step(step, answers, RULES, D(2026, 6, 1))
    assert steps == ["migration_fines", "other_fines", "fine_basis"] and step == "other_dates"
    answers = {"migration_fines": YES, "fine_basis": "in_force", "migration_dates": ["2026-01-01"]}
    assert ban_dialog.next_step("migration_dates", answers) == "other_fines"
    assert (
        ban_dialog.next_step("other_fines", {**answers, "other_fines": YES}) == "other_dates"
    )  # basis asked once


def test_defect_9_the_medical_ground_is_modelled():
    estimate = estimate_ban(GROUNDS, BanAnswers(D(2026, 6, 1), medical_exam=True))
    assert ids(estimate) == ["medical_exam"] and estimate.open_ended


# Defect 10: an overstay of 30 days or less is never "no ground".
@pytest.mark.parametrize(("days", "found"), [(1, []), (30, []), (31, ["overstay_30", "overstay_30_refusal"])])
def test_defect_10_short_overstays_since_2015(days, found):
    left = D(2025, 3, 31) + timedelta(days=days)
    stay, estimate = ban_of([Trip(D(2025, 1, 1), left)], D(2026, 6, 1))
    assert stay.overstays and ids(estimate) == found
    assert not RULES.minor_overstay.verified and RULES.minor_overstay.source


def test_defect_10_before_2015_any_excess_was_a_mandatory_three_year_ban():
    # 90/180 from 1 Sep 2014: day 90 is 29 Nov 2014; leaving 9 Dec 2014 is 10 days over
    _stay, estimate = ban_of([Trip(D(2014, 9, 1), D(2014, 12, 9))], D(2016, 6, 1))
    [finding] = estimate.findings
    assert (finding.ground.id, finding.ground.kind, finding.end) == (
        "overstay_before_2015",
        "mandatory",
        D(2017, 12, 9),
    )
    assert not finding.ground.verified
    # the same overstay begun in 2015 meets no dated ground
    assert not ban_of([Trip(D(2015, 1, 1), D(2015, 4, 10))], D(2016, 6, 1))[1].found


def test_boundaries_89_90_91_days_and_still_in_the_country():
    for days, over in ((89, 0), (90, 0), (91, 1)):
        stay = calculate_stay(
            [Trip(D(2026, 1, 1), D(2026, 1, 1) + timedelta(days=days - 1))], D(2026, 6, 1), RU
        )
        assert stay.overstay_days == over
    still = calculate_stay([Trip(D(2026, 1, 1))], D(2026, 3, 31), RU)
    assert (still.in_country, still.days_used, still.days_left, still.overstay_days) == (True, 90, 0, 0)
    assert summary_lines(still) == ["used_left", "may_stay_until"]


def test_the_dialogue_refuses_impossible_trips():
    today = D(2026, 6, 1)
    answers = check_dialog.record("country", "russia", {}, RULES, today)
    answers = {**answers, "trips": [["2026-01-10", "2026-02-10"]], "entry": "2026-03-01"}
    assert check_dialog.check("entry", D(2026, 2, 1), answers, today) == "overlap"
    assert check_dialog.check("exit", D(2026, 2, 28), answers, today) == "exit_before_entry"
    assert check_dialog.check("exit", None, answers, today) is None
    early = {**answers, "entry": "2025-12-01"}
    assert check_dialog.check("exit", None, early, today) == "open_not_last"
    assert check_dialog.check("exit", D(2026, 3, 1), early, today) == "overlap"
    assert check_dialog.check("entry", D(2026, 7, 1), {**answers, "period": 1}, today) == "not_in_period"
    assert check_dialog.check("old_entry", D(2025, 2, 1), answers, today) == "old_not_before"


def test_a_whole_dialogue_in_answers():
    today = D(2026, 6, 10)
    progress, step = Progress(check_dialog.FIRST), check_dialog.FIRST
    script = [
        ("country", "russia"),
        ("in_period", NO),
        ("in_period", YES),
        ("entry", D(2025, 1, 1)),
        ("exit", D(2025, 3, 31)),
        ("more", YES),
        ("entry", D(2025, 11, 21)),
        ("exit", D(2025, 12, 31)),
        ("more", NO),
        ("old", NO),
        ("contract", NO),
        ("expelled", NO),
        ("readmitted", NO),
        ("migration_fines", NO),
        ("other_fines", NO),
        ("debts", NO),
        ("conviction", NO),
        ("medical", NO),
    ]
    for expected, value in script:
        assert step == expected
        assert (
            check_dialog.check(step, value if isinstance(value, date) else None, progress.answers, today)
            is None
        )
        answers = check_dialog.record(step, value, progress.answers, RULES, today)
        step = check_dialog.next_step(step, answers, RULES, today)
        progress.advance(answers, step or "done")
    assert step is None
    stay, estimate = check_dialog.evaluate(progress.answers, RULES, today)
    assert stay.overstays[0].overstay_days == 41 and estimate.latest_end == D(2028, 12, 31)


TODAY = D(2026, 6, 1)


@st.composite
def trip_lists(draw, min_size=1):
    """Non-overlapping trips between 2013 and TODAY; the last one may still be open."""
    cursor = draw(st.dates(D(2013, 1, 1), D(2025, 12, 31)))
    trips = []
    for _ in range(draw(st.integers(min_size, 4))):
        entry = cursor + timedelta(days=draw(st.integers(1, 200)))
        exit_ = entry + timedelta(days=draw(st.integers(0, 400)))
        if exit_ > TODAY:
            break
        trips.append(Trip(entry, exit_))
        cursor = exit_
    if trips and draw(st.booleans()):
        trips[-1] = Trip(trips[-1].entry)
    return trips


@settings(max_examples=60, deadline=None)
@given(trip_lists(min_size=2), st.data(), st.sampled_from([RU, KZ]))
def test_adding_a_trip_never_lowers_the_overstay(trips, data, rule):
    assume(len(trips) >= 2)
    dropped = data.draw(st.integers(0, len(trips) - 1))
    fewer = [t for i, t in enumerate(trips) if i != dropped]
    without = {r.trip: r.overstay_days for r in calculate_stay(fewer, TODAY, rule).trips}
    with_it = {r.trip: r.overstay_days for r in calculate_stay(trips, TODAY, rule).trips}
    assert all(with_it[trip] >= days for trip, days in without.items())
    assert sum(with_it.values()) >= sum(without.values())


@settings(max_examples=60, deadline=None)
@given(trip_lists(), st.integers(1, 400), st.sampled_from(["russia", "kazakhstan"]))
def test_a_later_exit_never_shortens_a_ban(trips, later_by, country):
    assume(trips and trips[-1].exit is not None)
    last = trips[-1]
    later_exit = min(TODAY, last.exit + timedelta(days=later_by))
    moved = [*trips[:-1], Trip(last.entry, later_exit)]
    rule = getattr(RULES.stay, country)
    early = ban_of(trips, TODAY, rule, country=country)[1]
    late = ban_of(moved, TODAY, rule, country=country)[1]
    assert (late.latest_end or D.min) >= (early.latest_end or D.min)
    assert len(late.findings) >= len(early.findings) or late.latest_end is not None
    assert late.found or not early.found


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 400), st.integers(0, 400))
def test_a_longer_stay_never_shortens_the_ban_for_one_overstay(fewer, more):
    fewer, more = sorted((fewer, more))
    left = D(2024, 6, 1)

    def end(days: int) -> date:
        overstays = (Overstay(days, left - timedelta(days=days - 1), left),) if days else ()
        return estimate_ban(GROUNDS, BanAnswers(TODAY, overstays=overstays)).latest_end or D.min

    assert end(more) >= end(fewer)
