"""When to remind a migrant: before a ban runs out, before a planned trip, and before a document expires.

The MVD list can lag behind decisions, so the advice is to check it at least two months before travelling
(FACTS.md section 4). Dates a migrant lives by (the end of the allowed stay, a contract's end, the medical
certificate, the registration, the passport, a ban) get a reminder 30, 7 and 1 days before; a ban also on
the day entry is allowed again (the day after its last day), when the migrant may travel.
"""

from __future__ import annotations

from datetime import date, timedelta

from bot.services.dates import add_months

CHECK_AHEAD_MONTHS = 2
DAYS_BEFORE = (30, 7, 1)
# The dates a "Remind me" can be about; the reminder's subject date is the date itself (for a ban: the
# first day entry is allowed again).
DOCUMENT_KINDS = (
    "stay_end",
    "contract_end",
    "medical_expiry",
    "registration_expiry",
    "passport_expiry",
    "ban_end",
)
# Those a migrant adds by typing the date in /reminders (the others come from the check's result).
TYPED_KINDS = ("medical_expiry", "registration_expiry", "passport_expiry")

# (kind, subject_date, due_on): the shape `bot.db.reminders.schedule` stores.
Plan = list[tuple[str, date, date]]


def document_plan(kind: str, subject: date, today: date) -> Plan:
    """Reminders 30, 7 and 1 days before `subject` (and on it, for a ban's end); only those still ahead."""
    if kind not in DOCUMENT_KINDS:
        raise ValueError(f"unknown reminder kind {kind!r}")
    offsets = [*DAYS_BEFORE, 0] if kind == "ban_end" else list(DAYS_BEFORE)
    plan = [(kind, subject, subject - timedelta(days=days)) for days in offsets]
    return [item for item in plan if item[2] > today]


def ban_end_plan(enter_from: date, today: date) -> Plan:
    """Check the MVD list two months before entry is allowed again, and the document reminders of the day."""
    plan = [("check_before_travel", enter_from, add_months(enter_from, -CHECK_AHEAD_MONTHS))]
    return [item for item in plan if item[2] > today] + document_plan("ban_end", enter_from, today)


def travel_plan(travel_date: date, today: date) -> Plan:
    """Check two months before a planned trip; nothing when that day has come (the advice is: check now)."""
    due = add_months(travel_date, -CHECK_AHEAD_MONTHS)
    return [("check_before_travel", travel_date, due)] if due > today else []
