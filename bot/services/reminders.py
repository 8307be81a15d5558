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
    """Check two months before a ban runs out, and again on the day it ends; only what is still ahead."""
    plan = [
        ("check_before_travel", ban_end, add_months(ban_end, -CHECK_AHEAD_MONTHS)),
        ("ban_end", ban_end, ban_end),
    ]
    return [item for item in plan if item[2] > today]


def travel_plan(travel_date: date, today: date) -> Plan:
    """Check two months before a planned trip; nothing when that day has come (the advice is: check now)."""
    due = add_months(travel_date, -CHECK_AHEAD_MONTHS)
    return [("check_before_travel", travel_date, due)] if due > today else []
