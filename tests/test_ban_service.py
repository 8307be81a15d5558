"""The ban estimator against worked cases from the rule table, and properties that must always hold."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.content.ban_rules import BanRules
from bot.services.ban import BanAnswers, Overstay, estimate_ban
from tests.content_helpers import shipped_content

RULES = shipped_content().ban_rules
GROUNDS = RULES.grounds_of("russia")
CHECK = date(2026, 11, 25)
LEFT = date(2025, 6, 15)
D = date


def over(days: int, left: date | None = LEFT, check: date = CHECK) -> tuple[Overstay, ...]:
    """One overstay of `days` ending on `left` (None: still there on `check`)."""
    end = left or check
    return (Overstay(days, end - timedelta(days=days - 1), left),) if days else ()


def findings(answers: BanAnswers, rules: BanRules = RULES) -> list[tuple[str, str, date, date | None]]:
    estimate = estimate_ban(rules.grounds_of("russia"), answers)
    return [(f.ground.id, f.ground.kind, f.start, f.end) for f in estimate.findings]


THREE = [("overstay_30", "mandatory", LEFT, D(2028, 6, 15)), ("overstay_30_refusal", "discretionary", LEFT, D(2028, 6, 15))]


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (0, []),
        (30, []),
        (31, THREE),
        (180, THREE),
        (181, [("overstay_180", "mandatory", LEFT, D(2030, 6, 15))]),
        (200, [("overstay_180", "mandatory", LEFT, D(2030, 6, 15))]),
        (270, [("overstay_180", "mandatory", LEFT, D(2030, 6, 15))]),
        (271, [("overstay_270", "mandatory", LEFT, D(2035, 6, 15))]),
    ],
)
def test_overstay_boundaries(days, expected):
    assert findings(BanAnswers(CHECK, overstays=over(days))) == expected


def test_ban_from_a_leap_day_ends_on_28_february():
    answers = BanAnswers(CHECK, overstays=over(200, D(2024, 2, 29)))
    assert findings(answers) == [("overstay_180", "mandatory", D(2024, 2, 29), D(2029, 2, 28))]


def test_still_in_russia_counts_from_the_check_date():
    estimate = estimate_ban(GROUNDS, BanAnswers(CHECK, overstays=over(40, None)))
    assert estimate.departure_assumed
    assert {(f.start, f.end) for f in estimate.findings} == {(CHECK, D(2029, 11, 25))}


@pytest.mark.parametrize(
    ("rulings", "expected"),
    [
        ((D(2024, 3, 1),), []),
        (
            (D(2023, 5, 1), D(2025, 4, 30)),
            [("admin_offences", "discretionary", D(2025, 4, 30), D(2028, 4, 30))],
        ),
        # exactly 3 years apart still counts; one day more does not
        (
            (D(2022, 4, 30), D(2025, 4, 30)),
            [("admin_offences", "discretionary", D(2025, 4, 30), D(2028, 4, 30))],
        ),
        ((D(2022, 4, 29), D(2025, 4, 30)), []),
        # the start is the last ruling of the latest qualifying pair, whatever the order of the answers
        (
            (D(2026, 1, 10), D(2025, 12, 31), D(2018, 1, 1)),
            [("admin_offences", "discretionary", D(2026, 1, 10), D(2029, 1, 10))],
        ),
    ],
)
def test_two_administrative_offences_within_three_years(rulings, expected):
    assert findings(BanAnswers(CHECK, admin_rulings=rulings)) == expected


def test_an_expired_ban_is_reported_but_not_active():
    estimate = estimate_ban(GROUNDS, BanAnswers(CHECK, admin_rulings=(D(2015, 5, 1), D(2016, 2, 1))))
    assert estimate.found and estimate.active == ()
    assert estimate.latest_end == D(2019, 2, 1)


@pytest.mark.parametrize(
    ("rulings", "expected"),
    [
        (
            (D(2025, 1, 10), D(2025, 11, 2)),
            [("migration_offences", "mandatory", D(2025, 11, 2), D(2030, 11, 2))],
        ),
        ((D(2024, 11, 1), D(2025, 11, 2)), []),
    ],
)
def test_two_migration_offences_within_a_year(rulings, expected):
    assert findings(BanAnswers(CHECK, migration_rulings=rulings)) == expected


def test_one_removal_is_five_years_two_expulsions_are_ten():
    once = findings(BanAnswers(CHECK, removals=(D(2023, 8, 1),), expulsions=(D(2023, 8, 1),)))
    twice = (D(2023, 8, 1), D(2015, 2, 2))
    assert once == [("removal", "mandatory", D(2023, 8, 1), D(2028, 8, 1))]
    assert findings(BanAnswers(CHECK, removals=twice, expulsions=twice)) == [
        ("repeated_removal", "mandatory", D(2023, 8, 1), D(2033, 8, 1))
    ]


def test_two_readmissions_are_not_the_ten_year_clause():
    """Defect 9: sub. 2.1 is about expulsion or deportation twice; readmissions give the 5-year clause."""
    assert findings(BanAnswers(CHECK, removals=(D(2023, 8, 1), D(2020, 2, 2)))) == [
        ("removal", "mandatory", D(2023, 8, 1), D(2028, 8, 1))
    ]


def test_debts_and_convictions_last_until_cleared():
    estimate = estimate_ban(GROUNDS, BanAnswers(CHECK, unpaid_fines=True, unspent_conviction=True))
    assert [(f.ground.id, f.ground.kind, f.start, f.end) for f in estimate.findings] == [
        ("unpaid_fines", "discretionary", CHECK, None),
        ("unspent_conviction", "mandatory", CHECK, None),
    ]
    assert estimate.open_ended and estimate.latest_end is None
    assert len(estimate.active) == 2


def test_several_grounds_give_the_latest_end_overall():
    answers = BanAnswers(
        CHECK,
        overstays=over(45, D(2026, 3, 1)),
        admin_rulings=(D(2025, 2, 1), D(2026, 2, 1)),
        removals=(D(2026, 3, 1),),
        unpaid_fines=True,
    )
    estimate = estimate_ban(GROUNDS, answers)
    assert [f.ground.id for f in estimate.findings] == [
        "overstay_30",
        "overstay_30_refusal",
        "admin_offences",
        "removal",
        "unpaid_fines",
    ]
    assert estimate.latest_end == D(2031, 3, 1)
    assert estimate.open_ended


def test_no_ground_found():
    estimate = estimate_ban(GROUNDS, BanAnswers(CHECK, overstays=over(12)))
    assert not estimate.found and estimate.latest_end is None and not estimate.open_ended


def test_the_table_drives_the_numbers():
    """A lawyer's edit of the YAML (here: 280 days instead of 270) changes the answer without code."""
    raw = RULES.model_dump()
    for ground in raw["grounds"]:
        if ground["id"] == "overstay_270":
            ground["condition"]["more_than_days"] = 280
    edited = BanRules.model_validate(raw)
    answers = BanAnswers(CHECK, overstays=over(275))
    assert [f[0] for f in findings(answers)] == ["overstay_270"]
    assert [f[0] for f in findings(answers, edited)] == ["overstay_180"]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"overstays": (Overstay(-1, LEFT, LEFT),)},
        {"overstays": (Overstay(3, CHECK, CHECK + timedelta(days=1)),)},
        {"removals": (D(2027, 1, 1),)},
    ],
)
def test_inconsistent_answers_are_refused(kwargs):
    with pytest.raises(ValueError):
        BanAnswers(CHECK, **kwargs)


past_dates = st.dates(D(2005, 1, 1), CHECK)


@given(
    st.integers(0, 2000),
    past_dates,
    st.lists(past_dates, max_size=5),
    st.lists(past_dates, max_size=5),
    st.lists(past_dates, max_size=4),
    st.booleans(),
    st.booleans(),
)
def test_every_ban_ends_after_it_starts(days, left, admin, migration, removals, fines, conviction):
    answers = BanAnswers(
        CHECK, over(days, left), tuple(admin), tuple(migration), tuple(removals), (), fines, conviction
    )
    estimate = estimate_ban(GROUNDS, answers)
    for finding in estimate.findings:
        assert finding.start <= CHECK
        assert finding.end is None or finding.end > finding.start
        assert finding.end is None or estimate.latest_end >= finding.end
    assert estimate.found == bool(estimate.findings)


@given(st.integers(0, 1000), st.integers(0, 1000), past_dates)
def test_a_longer_overstay_never_shortens_the_ban(fewer, more, left):
    fewer, more = sorted((fewer, more))
    short = estimate_ban(GROUNDS, BanAnswers(CHECK, over(fewer, left))).latest_end or date.min
    long = estimate_ban(GROUNDS, BanAnswers(CHECK, over(more, left))).latest_end or date.min
    assert long >= short
