"""When a scheduled broadcast goes out: staff type a local date and time in Bishkek, the database keeps UTC."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

BISHKEK = ZoneInfo("Asia/Bishkek")
_FORMATS = ("%d.%m.%Y %H:%M", "%d.%m.%y %H:%M")
MAX_DAYS_AHEAD = 365


class ScheduleError(ValueError):
    """Why a typed time can't be used: `format`, `past` or `too_far` (the handler words it)."""


def parse_local_time(text: str, now: datetime, zone: ZoneInfo = BISHKEK) -> datetime:
    """`25.11.2026 18:30` in `zone` as an aware UTC datetime, after `now` and within a year."""
    cleaned = " ".join(text.split())
    for pattern in _FORMATS:
        try:
            local = datetime.strptime(cleaned, pattern).replace(tzinfo=zone)
            break
        except ValueError:
            continue
    else:
        raise ScheduleError("format")
    moment = local.astimezone(UTC)
    if moment <= now:
        raise ScheduleError("past")
    if (moment - now).days > MAX_DAYS_AHEAD:
        raise ScheduleError("too_far")
    return moment


def format_local_time(moment: datetime, zone: ZoneInfo = BISHKEK) -> str:
    """The same shape staff type, so what they read back is what they wrote."""
    return moment.astimezone(zone).strftime("%d.%m.%Y %H:%M")


def example_time(now: datetime, zone: ZoneInfo = BISHKEK) -> str:
    """Tomorrow at 18:00 local time, as an example of what to type."""
    tomorrow = (now.astimezone(zone) + timedelta(days=1)).replace(hour=18, minute=0)
    return format_local_time(tomorrow, zone)
