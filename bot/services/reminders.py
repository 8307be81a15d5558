"""When to remind a migrant, from the result of their ban self-check.

The MVD list can lag behind decisions, so the advice is to check it at least two months before travelling
(FACTS.md section 4); the reminders fall on that day and, for a dated ban, on the day it runs out.
"""

from __future__ import annotations

from datetime import date

from bot.services.dates import add_months

CHECK_AHEAD_MONTHS = 2

# (kind, subject_date, due_on): the shape `bot.db.reminders.schedule` stores.
Plan = list[tuple[str, date, date]]


def ban_end_plan(ban_end: date, today: date) -> Plan:
    """Check two months before a ban runs out (today when that is nearer), and again on the day it ends."""
    if ban_end <= today:
        return []
    return [
        ("check_before_travel", ban_end, max(today, add_months(ban_end, -CHECK_AHEAD_MONTHS))),
        ("ban_end", ban_end, ban_end),
    ]


def travel_plan(travel_date: date, today: date) -> Plan:
    """Check two months before a planned trip (today when the trip is nearer than that)."""
    if travel_date <= today:
        return []
    return [("check_before_travel", travel_date, max(today, add_months(travel_date, -CHECK_AHEAD_MONTHS)))]
