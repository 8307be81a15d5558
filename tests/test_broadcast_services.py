"""Pure helpers of the broadcast feature: Bishkek time, the weekly chart, staff records and /stats figures."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.db import staff
from bot.db.stats import collect
from bot.db.subscriptions import set_region, set_subscribed
from bot.services.charts import last_weeks, weekly_chart
from bot.services.schedule import ScheduleError, example_time, format_local_time, parse_local_time
from tests.broadcast_helpers import add_users

NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)  # 14:00 in Bishkek (UTC+6)


@pytest.fixture
async def db(database):
    return database


def test_bishkek_time_is_stored_in_utc():
    assert parse_local_time("25.11.2026 18:30", NOW) == datetime(2026, 11, 25, 12, 30, tzinfo=UTC)
    assert parse_local_time("  26.11.26   09:05 ", NOW) == datetime(2026, 11, 26, 3, 5, tzinfo=UTC)
    assert format_local_time(datetime(2026, 11, 25, 12, 30, tzinfo=UTC)) == "25.11.2026 18:30"
    assert example_time(NOW) == "26.11.2026 18:00"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("tomorrow", "format"),
        ("31.02.2026 10:00", "format"),
        ("25.11.2026 25:00", "format"),
        ("25.11.2026 13:59", "past"),
        ("01.01.2028 10:00", "too_far"),
    ],
)
def test_unusable_times_say_why(text, reason):
    with pytest.raises(ScheduleError) as error:
        parse_local_time(text, NOW)
    assert str(error.value) == reason


def test_weekly_chart_is_a_png_over_the_given_weeks():
    weeks = last_weeks(date(2026, 11, 25), 12)
    assert weeks[-1] == date(2026, 11, 23) and weeks[0] == date(2026, 9, 7) and len(weeks) == 12
    png = weekly_chart(weeks, {"Жаңы колдонуучулар": {weeks[-1]: 4}, "Referrals": {}}, "Per week")
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 5000


async def test_grant_change_revoke_and_their_audit_rows(db):
    await staff.grant(db, 900, 5, staff.VOLUNTEER)
    await staff.grant(db, 900, 6, staff.COORDINATOR)
    await staff.grant(db, 900, 5, staff.COORDINATOR)
    assert [(m.user_id, m.role, m.granted_by) for m in await staff.list_staff(db)] == [
        (5, "coordinator", 900),
        (6, "coordinator", 900),
    ]
    assert await staff.revoke(db, 900, 6) == "coordinator"
    assert await staff.revoke(db, 900, 6) is None
    await staff.audit(db, 5, "broadcast.send", 1, {"languages": ["ru"]})
    rows = await db.fetchall("SELECT actor_id, action, target, details FROM audit_log ORDER BY id")
    assert [tuple(row) for row in rows] == [
        (900, "staff.grant", "5", '{"role": "volunteer"}'),
        (900, "staff.grant", "6", '{"role": "coordinator"}'),
        (900, "staff.grant", "5", '{"role": "coordinator"}'),
        (900, "staff.revoke", "6", '{"role": "coordinator"}'),
        (5, "broadcast.send", "1", '{"languages": ["ru"]}'),
    ]
    with pytest.raises(ValueError):
        await staff.grant(db, 900, 7, "admin")


async def test_stats_figures(db):
    await add_users(db, range(1, 5), locale="ky")
    await add_users(db, [5, 6], locale=None)
    await add_users(db, [7], locale="ru", blocked=True)
    await set_subscribed(db, 4, False)
    await set_region(db, 1, "talas")
    stats = await collect(db, default_locale="ru")
    assert (stats.users, stats.active, stats.unsubscribed, stats.blocked) == (7, 5, 1, 1)
    assert stats.by_locale == {"ky": 3, "ru": 2}
    assert stats.by_region == {None: 4, "talas": 1}


async def test_new_users_per_week_cover_the_last_weeks_only(db):
    await add_users(db, range(1, 6))
    today = datetime.now(UTC)
    await db.execute("UPDATE users SET first_seen = ? WHERE id <= 3", (today.isoformat(timespec="seconds"),))
    await db.execute("UPDATE users SET first_seen = '2020-01-06T10:00:00+00:00' WHERE id > 3")
    stats = await collect(db, default_locale="ru")
    assert stats.new_users_weekly == {last_weeks(today.date(), 1)[0]: 3}


async def test_stats_count_referrals_by_status_and_week(db):
    from bot.db.referrals import create_referral
    from bot.services.referrals import Kind

    await add_users(db, [1, 2, 3])
    for user_id in (1, 2, 3):
        await create_referral(
            db, user_id=user_id, kind=Kind.TRAINING, item_id=f"p{user_id}", name="A", phone="+996555123456",
            region="osh", city=None, comment=None,
        )
    await db.execute("UPDATE referrals SET status = 'enrolled' WHERE user_id = 3")
    stats = await collect(db, default_locale="ru")
    assert stats.referrals == {"enrolled": 1, "new": 2}
    assert sum(stats.referrals_weekly.values()) == 3
