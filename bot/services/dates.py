"""Dates typed by people, and calendar arithmetic in whole years.

Migrants type dates the way they write them on paper: `05.03.2024`, `5.3.24`, `5 03 2024`, `05/03/2024`,
`5-3-2024`, or the ISO `2024-03-05`; and every date the bot prints can be typed back, so month names in
English, Russian and Kyrgyz are read too (`5 March 2026`, `March 5, 2026`, `5 марта 2026`). Day comes before month in every form except ISO (that is how dates are
written in Kyrgyzstan and Russia), so `05/03/2024` is 5 March. A parse failure carries a reason the dialogue
turns into a precise message: text that is no date at all, a date that does not exist, or one in the future.
"""

from __future__ import annotations

import enum
import re
from datetime import date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from babel.dates import get_month_names

_SEPARATOR = r"[.\-/\s]+"
_DATE = re.compile(rf"^(\d{{1,4}}){_SEPARATOR}(\d{{1,2}}){_SEPARATOR}(\d{{1,4}})\.?$")
_NAMED_DAY_FIRST = re.compile(r"^(\d{1,2})\s+([^\W\d_]+)\.?,?\s+(\d{2}|\d{4})(?:\s*(?:г|ж)\.?)?$")
_NAMED_MONTH_FIRST = re.compile(r"^([^\W\d_]+)\.?\s+(\d{1,2}),?\s+(\d{2}|\d{4})$")


@cache
def _month_numbers() -> dict[str, int]:
    """Month names (full and abbreviated, every grammatical form Babel knows) in our languages."""
    names: dict[str, int] = {}
    for locale in ("en", "ru", "ky"):
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for number, name in get_month_names(width, context, locale).items():
                    names[name.casefold().rstrip(".")] = number
    return names
# Years outside this range are typos (a birth year of 1024, a trip in 9024), not dates worth computing with.
MIN_YEAR = 1900
MAX_YEAR = 2100


class DateProblem(enum.StrEnum):
    NOT_A_DATE = "not_a_date"
    IMPOSSIBLE = "impossible_date"
    IN_FUTURE = "in_future"


class DateParseError(ValueError):
    """The text could not be taken as an acceptable date; `problem` says why."""

    def __init__(self, problem: DateProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def parse_user_date(text: str, today: date, *, allow_future: bool = False) -> date:
    """The date in `text`, or DateParseError.

    A two-digit year means 20yy, unless that date would be in the future while the question asks about the
    past (then 19yy: `1.1.99` is 1999). When `allow_future` is set (a contract end date, a trip being
    planned), 20yy is always meant and future dates are accepted.
    """
    text = text.strip()
    match = _DATE.match(text)
    if match is None:
        named = _named(text)
        if named is None:
            raise DateParseError(DateProblem.NOT_A_DATE)
        first, month_text, last = named
    else:
        first, month_text, last = match.groups()
    if len(first) == 4:
        year_text, day_text = first, last
        if len(day_text) > 2:
            raise DateParseError(DateProblem.NOT_A_DATE)
    elif len(first) <= 2 and len(last) in (2, 4):
        day_text, year_text = first, last
    else:
        raise DateParseError(DateProblem.NOT_A_DATE)

    year, month, day = int(year_text), int(month_text), int(day_text)
    if len(year_text) == 2:
        year += 2000
    try:
        parsed = date(year, month, day)
    except ValueError:
        raise DateParseError(DateProblem.IMPOSSIBLE) from None
    if len(year_text) == 2 and parsed > today and not allow_future:
        # 20yy and 19yy are both leap years for yy > 00, and 29.02.00 is never in the future: always valid.
        parsed = parsed.replace(year=year - 100)
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        raise DateParseError(DateProblem.IMPOSSIBLE)
    if parsed > today and not allow_future:
        raise DateParseError(DateProblem.IN_FUTURE)
    return parsed


def _named(text: str) -> tuple[str, str, str] | None:
    """(day, month number, year) texts of a date written with a month name, or None."""
    day_first = _NAMED_DAY_FIRST.match(text)
    month_first = _NAMED_MONTH_FIRST.match(text)
    if day_first:
        day_text, name, year_text = day_first.groups()
    elif month_first:
        name, day_text, year_text = month_first.groups()
    else:
        return None
    month = _month_numbers().get(name.casefold())
    return None if month is None else (day_text, str(month), year_text)


def add_months(value: date, months: int) -> date:
    """The same day `months` later (or earlier), clamped to the month's end (31 May - 3 months = 28 Feb)."""
    index = value.year * 12 + value.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    next_month = date(year + month // 12, month % 12 + 1, 1)
    last_day = (next_month - timedelta(days=1)).day
    return date(year, month, min(value.day, last_day))


def add_years(value: date, years: int) -> date:
    """The same day `years` later (or earlier); 29 February becomes 28 February in a common year.

    This is how Russian law counts periods in years (Civil Code art. 192: a period ends on the matching day
    of the last year, or on the last day of the month when that day does not exist).
    """
    return add_months(value, 12 * years)


# Kyrgyzstan's time (UTC+6) is ahead of Moscow and Almaty, where most of our users live: a date one of them
# calls "today" is never later than today here, so it is never refused as being in the future.
USERS_TIMEZONE = ZoneInfo("Asia/Bishkek")


def users_today() -> date:
    """Today's date as the dialogues judge typed dates: in Bishkek time."""
    return datetime.now(USERS_TIMEZONE).date()
