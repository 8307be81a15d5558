"""Reminder rows: planning, scheduling without duplicates, claiming each once, cascading on /forget."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.db import reminders
from bot.services.reminders import ban_end_plan, document_plan, travel_plan

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

TODAY = date(2026, 11, 25)


@pytest.fixture
async def db(database):
    for user_id, locale, blocked in [(1, "ky", 0), (2, None, 0), (3, "en", 1)]:
        await database.execute(
            "INSERT INTO users (id, locale, first_seen, last_seen, blocked) VALUES (?, ?, ?, ?, ?)",
            (user_id, locale, NOW, NOW, blocked),
        )
    return database


def test_ban_end_plan():
    """Counted to the first day entry is allowed again: 30, 7, 1 days before it, and on it (defect 8)."""
    assert ban_end_plan(date(2029, 3, 31), TODAY) == [
        ("check_before_travel", date(2029, 3, 31), date(2029, 1, 31)),
        ("ban_end", date(2029, 3, 31), date(2029, 3, 1)),
        ("ban_end", date(2029, 3, 31), date(2029, 3, 24)),
        ("ban_end", date(2029, 3, 31), date(2029, 3, 30)),
        ("ban_end", date(2029, 3, 31), date(2029, 3, 31)),
    ]
    assert ban_end_plan(date(2026, 12, 5), TODAY) == [
        ("ban_end", date(2026, 12, 5), date(2026, 11, 28)),
        ("ban_end", date(2026, 12, 5), date(2026, 12, 4)),
        ("ban_end", date(2026, 12, 5), date(2026, 12, 5)),
    ]
    assert ban_end_plan(TODAY, TODAY) == []


@pytest.mark.parametrize("kind", ["stay_end", "contract_end", "medical_expiry", "registration_expiry", "passport_expiry"])
def test_document_plan_is_30_7_and_1_days_before(kind):
    assert document_plan(kind, date(2027, 3, 1), TODAY) == [
        (kind, date(2027, 3, 1), date(2027, 1, 30)),
        (kind, date(2027, 3, 1), date(2027, 2, 22)),
        (kind, date(2027, 3, 1), date(2027, 2, 28)),
    ]
    # 31 December and 1 January: the 1-day reminder crosses the year; only what is still ahead
    assert document_plan(kind, date(2027, 1, 1), date(2026, 12, 26)) == [(kind, date(2027, 1, 1), date(2026, 12, 31))]
    with pytest.raises(ValueError):
        document_plan("birthday", date(2027, 1, 1), TODAY)


def test_travel_plan():
    assert travel_plan(date(2027, 4, 30), TODAY) == [
        ("check_before_travel", date(2027, 4, 30), date(2027, 2, 28))
    ]
    assert travel_plan(date(2027, 1, 25), TODAY) == []
    assert travel_plan(date(2027, 1, 26), TODAY) == [
        ("check_before_travel", date(2027, 1, 26), date(2026, 11, 26))
    ]


async def queued(db) -> list[tuple]:
    rows = await db.fetchall("SELECT o.kind, o.chat_id, r.kind, r.subject_date FROM outbox o"
                             " JOIN reminders r ON r.id = o.subject_id ORDER BY o.id")
    return [tuple(row) for row in rows]


async def test_due_reminders_are_queued_in_the_outbox_once(db):
    assert await reminders.schedule(db, 1, ban_end_plan(date(2027, 1, 10), date(2026, 10, 1))) == 5
    assert await reminders.schedule(db, 1, ban_end_plan(date(2027, 1, 10), date(2026, 10, 1))) == 0
    await reminders.schedule(db, 2, travel_plan(date(2026, 12, 20), date(2026, 10, 1)))
    await reminders.schedule(db, 3, travel_plan(date(2026, 12, 20), date(2026, 10, 1)))

    assert await reminders.queue_due(db, TODAY) == 2
    assert await queued(db) == [
        ("reminder", 2, "check_before_travel", "2026-12-20"),
        ("reminder", 1, "check_before_travel", "2027-01-10"),
    ]
    assert await reminders.queue_due(db, TODAY) == 0
    # the bot was down from 30 days before until the day: one message, not four
    assert await reminders.queue_due(db, date(2027, 1, 10)) == 1
    assert (await queued(db))[-1] == ("reminder", 1, "ban_end", "2027-01-10")
    assert await reminders.queue_due(db, date(2027, 1, 11)) == 0
    first = await db.fetchval("SELECT subject_id FROM outbox ORDER BY id LIMIT 1")
    reminder = await reminders.get(db, first)
    assert (reminder.user_id, reminder.locale, reminder.kind) == (2, None, "check_before_travel")


async def test_pending_reminders_are_listed_and_cancelled(db):
    await reminders.schedule(db, 1, document_plan("passport_expiry", date(2027, 3, 1), TODAY))
    await reminders.schedule(db, 1, ban_end_plan(date(2027, 1, 10), TODAY))
    pending = await reminders.pending_for(db, 1)
    assert [(p.kind, p.subject_date, p.next_due) for p in pending] == [
        ("ban_end", date(2027, 1, 10), date(2026, 12, 11)),
        ("passport_expiry", date(2027, 3, 1), date(2027, 1, 30)),
    ]
    assert await reminders.cancel(db, 1, "passport_expiry", date(2027, 3, 1)) == 3
    assert [p.kind for p in await reminders.pending_for(db, 1)] == ["ban_end"]
    assert await reminders.pending_for(db, 2) == []


async def test_unknown_kind_is_refused(db):
    with pytest.raises(ValueError):
        await reminders.schedule(db, 1, [("birthday", TODAY, TODAY)])


async def test_deleting_the_user_deletes_their_reminders(db):
    await reminders.schedule(db, 1, ban_end_plan(date(2027, 1, 10), TODAY))
    await db.execute("DELETE FROM users WHERE id = 1")
    assert await db.fetchval("SELECT count(*) FROM reminders") == 0
