"""Strict readers for what staff type after a command: Telegram user ids and ISO dates.

`str.isdigit` and `int` accept far more than ASCII digits (`"²³".isdigit()` is True, and `int("²³")` then
raises; `int("١٢")` is 12), and `date.fromisoformat` accepts week dates and years up to 9999, whose next day
does not exist. These accept only what a person means and a database can store, and return None otherwise.
"""

from __future__ import annotations

import re
from datetime import date

_USER_ID = re.compile(r"[0-9]{1,16}")
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
MAX_USER_ID = 2**53  # Telegram's bound: ids fit in a double
MIN_YEAR, MAX_YEAR = 2000, 2100


def parse_user_id(text: str) -> int | None:
    """A Telegram user id typed in ASCII digits, 1 to 2**53 - 1."""
    if not _USER_ID.fullmatch(text):
        return None
    value = int(text)
    return value if 0 < value < MAX_USER_ID else None


def parse_iso_date(text: str) -> date | None:
    """`2026-01-31`, with a year from 2000 to 2100."""
    match = _ISO_DATE.fullmatch(text)
    if match is None:
        return None
    year, month, day = (int(part) for part in match.groups())
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None
