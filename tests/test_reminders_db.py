"""Reminder rows: planning, scheduling without duplicates, claiming each once, cascading on /forget."""

from __future__ import annotations

from datetime import date

import pytest

from bot.db import reminders
from bot.db.connection import Database
from bot.services.reminders import ban_end_plan, document_plan, travel_plan

TODAY = date(2026, 11, 25)


@pytest.fixture
async def db(tmp_path):
    database = await Database.open(tmp_path / "t.sqlite3")
    for user_id, locale, blocked in [(1, "ky", 0), (2, None, 0), (3, "en", 1)]:
        await database.execute(
            "INSERT INTO users (id, locale, first_seen, last_seen, blocked) VALUES (?, ?, 'x', 'x', ?)",
            (user_id, locale, blocked),
        )
    yield database
    await database.close()


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


async def test_due_reminders_are_claimed_once(db):
    assert await reminders.schedule(db, 1, ban_end_plan(date(2027, 1, 10), date(2026, 10, 1))) == 5
    assert await reminders.schedule(db, 1, ban_end_plan(date(2027, 1, 10), date(2026, 10, 1))) == 0
    await reminders.schedule(db, 2, travel_plan(date(2026, 12, 20), date(2026, 10, 1)))
    await reminders.schedule(db, 3, travel_plan(date(2026, 12, 20), date(2026, 10, 1)))

    due = await reminders.claim_due(db, TODAY)
    assert [(r.user_id, r.locale, r.kind, r.subject_date) for r in due] == [
        (2, None, "check_before_travel", date(2026, 12, 20)),
        (1, "ky", "check_before_travel", date(2027, 1, 10)),
    ]
    assert await reminders.claim_due(db, TODAY) == []
    # the bot was down from 30 days before until the day: one message, not four
    later = await reminders.claim_due(db, date(2027, 1, 10))
    assert [(r.user_id, r.kind) for r in later] == [(1, "ban_end")]
    assert await reminders.claim_due(db, date(2027, 1, 11)) == []


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


async def test_released_reminder_is_claimed_again(db):
    await reminders.schedule(db, 1, [("check_before_travel", date(2026, 12, 20), TODAY)])
    (first,) = await reminders.claim_due(db, TODAY)
    await reminders.release(db, first.id)
    assert [r.id for r in await reminders.claim_due(db, TODAY)] == [first.id]


async def test_unknown_kind_is_refused(db):
    with pytest.raises(ValueError):
        await reminders.schedule(db, 1, [("birthday", TODAY, TODAY)])


async def test_deleting_the_user_deletes_their_reminders(db):
    await reminders.schedule(db, 1, ban_end_plan(date(2027, 1, 10), TODAY))
    await db.execute("DELETE FROM users WHERE id = 1")
    assert await db.fetchval("SELECT count(*) FROM reminders") == 0
