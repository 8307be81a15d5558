"""The date parser accepts the ways migrants write dates and names what is wrong with the rest."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.services.dates import DateParseError, DateProblem, add_months, add_years, parse_user_date

TODAY = date(2026, 11, 25)


@pytest.mark.parametrize(
    "text",
    [
        "05.03.2024",
        "5.3.24",
        "2024-03-05",
        "5 03 2024",
        "05/03/2024",
        "5-3-2024",
        " 5.3.2024. ",
        "05 . 03 . 24",
    ],
)
def test_common_forms(text):
    assert parse_user_date(text, TODAY) == date(2024, 3, 5)


def test_two_digit_year_in_the_future_means_last_century():
    assert parse_user_date("1.1.99", TODAY) == date(1999, 1, 1)
    assert parse_user_date("25.11.26", TODAY) == date(2026, 11, 25)
    assert parse_user_date("26.11.26", TODAY) == date(1926, 11, 26)


def test_future_dates_allowed_when_asked():
    assert parse_user_date("31.12.27", TODAY, allow_future=True) == date(2027, 12, 31)
    with pytest.raises(DateParseError) as caught:
        parse_user_date("31.12.2027", TODAY)
    assert caught.value.problem is DateProblem.IN_FUTURE


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", DateProblem.NOT_A_DATE),
        ("yesterday", DateProblem.NOT_A_DATE),
        ("5 мартобря 2024", DateProblem.NOT_A_DATE),
        ("31 February 2024", DateProblem.IMPOSSIBLE),
        ("05.03", DateProblem.NOT_A_DATE),
        ("5.3.202", DateProblem.NOT_A_DATE),
        ("2024-03-005", DateProblem.NOT_A_DATE),
        ("12345.1.1", DateProblem.NOT_A_DATE),
        ("31.02.2024", DateProblem.IMPOSSIBLE),
        ("29.02.2023", DateProblem.IMPOSSIBLE),
        ("5.13.2024", DateProblem.IMPOSSIBLE),
        ("00.01.2024", DateProblem.IMPOSSIBLE),
        ("01.01.1024", DateProblem.IMPOSSIBLE),
        ("01.01.2099", DateProblem.IN_FUTURE),
    ],
)
def test_rejections_carry_a_reason(text, problem):
    with pytest.raises(DateParseError) as caught:
        parse_user_date(text, TODAY)
    assert caught.value.problem is problem


def test_leap_day_exists_only_in_leap_years():
    assert parse_user_date("29.02.2024", TODAY) == date(2024, 2, 29)


@given(
    st.dates(date(1950, 1, 1), TODAY),
    st.sampled_from(["{d:02}.{m:02}.{y}", "{d}/{m}/{y}", "{y}-{m:02}-{d:02}", "{d} {m} {y}", "{d}-{m}-{y}"]),
)
def test_every_written_form_reads_back(day, pattern):
    text = pattern.format(d=day.day, m=day.month, y=day.year)
    assert parse_user_date(text, TODAY) == day


@pytest.mark.parametrize(
    ("start", "years", "expected"),
    [
        (date(2025, 6, 15), 3, date(2028, 6, 15)),
        (date(2024, 2, 29), 5, date(2029, 2, 28)),
        (date(2024, 2, 29), 4, date(2028, 2, 29)),
        (date(2025, 3, 1), -3, date(2022, 3, 1)),
    ],
)
def test_add_years(start, years, expected):
    assert add_years(start, years) == expected


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 5, 31), -3, date(2025, 2, 28)),
        (date(2024, 5, 31), -3, date(2024, 2, 29)),
        (date(2026, 1, 31), -2, date(2025, 11, 30)),
        (date(2025, 12, 15), 2, date(2026, 2, 15)),
    ],
)
def test_add_months(start, months, expected):
    assert add_months(start, months) == expected


@pytest.mark.parametrize("locale", ["ky", "ru", "en"])
@given(st.dates(date(1990, 1, 1), date(2099, 12, 31)))
def test_every_date_the_bot_prints_parses_back(locale, day):
    """Defect 9: "5 March 2026", as the bot prints it in English, can be typed back (and so in ky, ru)."""
    from bot.i18n import format_date

    assert parse_user_date(format_date(day, locale), date(2026, 12, 1), allow_future=True) == day


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5 March 2026", date(2026, 3, 5)),
        ("29 February 2024", date(2024, 2, 29)),
        ("March 5, 2026", date(2026, 3, 5)),
        ("31 december 2025", date(2025, 12, 31)),
        ("1 Jan 2026", date(2026, 1, 1)),
        ("5 марта 2026", date(2026, 3, 5)),
        ("5 март 2026", date(2026, 3, 5)),
    ],
)
def test_dates_with_month_names(text, expected):
    assert parse_user_date(text, date(2026, 12, 1)) == expected
