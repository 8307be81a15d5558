"""The broadcast tables: subscriptions defaults, audience filters, recipient states and their counts."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.db import broadcasts as store
from bot.db import stats
from bot.db import subscriptions as subs
from bot.db.broadcasts import Content, Counts
from bot.services.subscriptions import Audience
from tests.broadcast_helpers import NOW, add_users, new_broadcast


@pytest.fixture
async def db(database):
    return database


async def test_a_new_user_is_subscribed_to_safety_alerts(db):
    await add_users(db, [7])
    sub = await subs.get_subscription(db, 7)
    assert sub.subscribed and sub.region is None and sub.interests == {"safety"}


async def test_settings_change_and_toggle(db):
    await add_users(db, [7])
    await subs.set_region(db, 7, "osh")
    assert await subs.toggle_interest(db, 7, "jobs") is True
    assert await subs.toggle_interest(db, 7, "safety") is False
    await subs.set_subscribed(db, 7, False)
    sub = await subs.get_subscription(db, 7)
    assert (sub.subscribed, sub.region, sub.interests) == (False, "osh", {"jobs"})
    with pytest.raises(ValueError):
        await subs.set_region(db, 7, "atlantis")
    with pytest.raises(ValueError):
        await subs.toggle_interest(db, 7, "gossip")


async def test_audience_filters(db):
    await add_users(db, range(1, 6), locale="ru")
    await add_users(db, [6, 7], locale="ky")
    await add_users(db, [8], locale=None)  # no language chosen yet: counted in the default one
    await add_users(db, [9], locale="ru", blocked=True)
    await subs.set_subscribed(db, 5, False)
    await subs.set_region(db, 6, "naryn")
    await subs.set_region(db, 1, "naryn")
    await subs.toggle_interest(db, 2, "safety")
    await subs.toggle_interest(db, 7, "jobs")

    async def count(**kwargs):
        return await store.audience_count(db, Audience(**kwargs), default_locale="ru")

    assert await count() == 7  # 9 users minus one blocked, minus one unsubscribed
    assert await count(locale="ru") == 5  # 1, 2, 3, 4 and 8
    assert await count(locale="ky") == 2
    assert await count(region="naryn") == 2
    assert await count(region="naryn", locale="ky") == 1
    assert await count(interest="safety") == 6
    assert await count(interest="jobs") == 1


def test_audience_rejects_unknown_ids_and_round_trips():
    with pytest.raises(ValueError):
        Audience(region="mars")
    audience = Audience(locale="ky", interest="events")
    assert Audience.from_json(audience.to_json()) == audience
    assert Audience().is_everyone and not audience.is_everyone


async def test_start_writes_recipients_once_with_their_language(db):
    await add_users(db, [1, 2], locale="ky")
    await add_users(db, [3], locale=None)
    bid = await new_broadcast(db)
    assert await store.start_broadcast(db, bid, NOW, default_locale="en") == 3
    assert await store.start_broadcast(db, bid, NOW, default_locale="en") is None
    page = await store.pending_page(db, bid, 0, 10)
    assert [(r.user_id, r.locale) for r in page] == [(1, "ky"), (2, "ky"), (3, "en")]
    info = await store.get_broadcast(db, bid)
    assert info.status == "running" and info.total == 3 and info.counts == Counts(pending=3)


async def test_sender_version_is_required(db):
    with pytest.raises(ValueError):
        await new_broadcast(db, versions={"ky": Content("text", "Салам")}, sender_locale="ru")
    with pytest.raises(ValueError):
        Content("photo", "caption")  # a file without its id


async def test_versions_round_trip(db):
    entities = ({"type": "bold", "offset": 0, "length": 6},)
    versions = {
        "ru": Content("text", "Важно: документы", entities),
        "ky": Content("photo", "Маанилүү", (), "AgACfile"),
    }
    bid = await new_broadcast(db, versions=versions)
    assert await store.get_versions(db, bid) == versions


async def test_keyset_paging_and_state_steps(db):
    await add_users(db, range(1, 8))
    bid = await new_broadcast(db)
    await store.start_broadcast(db, bid, NOW, "ru")
    first = await store.pending_page(db, bid, 0, 3)
    second = await store.pending_page(db, bid, first[-1].user_id, 3)
    assert [r.user_id for r in first + second] == [1, 2, 3, 4, 5, 6]

    assert await store.mark_sending(db, bid, 1) is True
    assert await store.mark_sending(db, bid, 1) is False  # only a pending row may be sent
    await store.mark_sent(db, bid, 1)
    for user_id in (2, 3, 4, 5):
        await store.mark_sending(db, bid, user_id)
    await store.mark_blocked(db, bid, 2)
    await store.mark_failed(db, bid, 3, "Bad Request: chat not found")
    await store.mark_retry(db, bid, 4, "timeout")
    counts = await store.state_counts(db, bid)
    assert counts == Counts(pending=3, sending=1, sent=1, blocked=1, failed=1)
    assert counts.left == 4 and counts.done == 3
    assert await db.fetchval("SELECT blocked FROM users WHERE id = 2") == 1
    row = await db.fetchone("SELECT error, attempts FROM broadcast_recipients WHERE user_id = 4")
    assert (row["error"], row["attempts"]) == ("timeout", 1)
    # a row retried goes back to the pending pages
    assert 4 in [r.user_id for r in await store.pending_page(db, bid, 0, 10)]


async def test_rows_in_flight_at_a_crash_become_ambiguous(db):
    await add_users(db, range(1, 5))
    bid = await new_broadcast(db)
    await store.start_broadcast(db, bid, NOW, "ru")
    await store.mark_sending(db, bid, 1)
    await store.mark_sent(db, bid, 1)
    await store.mark_sending(db, bid, 2)
    assert await store.mark_ambiguous(db) == 1
    assert await store.state_counts(db, bid) == Counts(pending=2, sent=1, ambiguous=1)
    assert [r.user_id for r in await store.pending_page(db, bid, 0, 10)] == [3, 4]


async def test_forgetting_a_user_removes_their_recipient_rows(db):
    await add_users(db, [1, 2])
    bid = await new_broadcast(db)
    await store.start_broadcast(db, bid, NOW, "ru")
    await db.execute("DELETE FROM users WHERE id = 1")
    assert await store.state_counts(db, bid) == Counts(pending=1)
    assert await db.fetchval("SELECT COUNT(*) FROM subscriptions") == 1


async def test_due_cancel_finish_and_listing(db):
    later = await new_broadcast(db, scheduled_at=NOW + timedelta(hours=2))
    soon = await new_broadcast(db, scheduled_at=NOW + timedelta(hours=1))
    now = await new_broadcast(db)
    assert await store.due_broadcasts(db, NOW) == [now]
    assert await store.due_broadcasts(db, NOW + timedelta(hours=3)) == [now, soon, later]
    await store.start_broadcast(db, now, NOW, "ru")
    assert await store.running_broadcasts(db) == [now]
    assert [b.id for b in await store.recent_broadcasts(db)] == [soon, later, now]

    assert await store.cancel_broadcast(db, later, NOW) is True
    assert await store.cancel_broadcast(db, later, NOW) is False
    assert await store.start_broadcast(db, later, NOW, "ru") is None  # a cancelled one never fires
    assert await store.finish_broadcast(db, now, NOW) is True
    assert await store.cancel_broadcast(db, now, NOW) is False
    statuses = {b.id: b.status for b in await store.recent_broadcasts(db)}
    assert statuses == {soon: "scheduled", later: "cancelled", now: "done"}

    await store.set_progress_message(db, now, 42, 99)
    info = await store.get_broadcast(db, now)
    assert (info.progress_chat_id, info.progress_message_id, info.finished_at) == (42, 99, NOW)


async def ended_broadcast(db, user_ids, ended_at, outcomes):
    """A broadcast to `user_ids` that ended at `ended_at`, with `outcomes` {user_id: sent|blocked|failed}."""
    bid = await new_broadcast(db)
    await store.start_broadcast(db, bid, ended_at, "ru")
    for user_id, outcome in outcomes.items():
        await store.mark_sending(db, bid, user_id)
        if outcome == "sent":
            await store.mark_sent(db, bid, user_id)
        elif outcome == "blocked":
            await store.mark_blocked(db, bid, user_id)
        else:
            await store.mark_failed(db, bid, user_id, "Bad Request: chat not found")
    await store.finish_broadcast(db, bid, ended_at)
    return bid


async def test_recipients_of_old_broadcasts_are_folded_into_counts(db):
    await add_users(db, range(1, 8))
    old = await ended_broadcast(db, range(1, 8), NOW - timedelta(days=40), {1: "sent", 2: "sent", 3: "blocked", 4: "failed"})
    recent = await ended_broadcast(db, range(1, 8), NOW - timedelta(days=5), {1: "sent"})
    running = await new_broadcast(db)
    await store.start_broadcast(db, running, NOW - timedelta(days=60), "ru")
    old_counts = await store.state_counts(db, old)
    assert old_counts == Counts(pending=3, sent=2, blocked=1, failed=1)
    listed_before = {b.id: b.counts for b in await store.recent_broadcasts(db)}
    deliveries_before = (await stats.collect(db, "ru")).deliveries

    assert await store.fold_recipients(db, ended_before=NOW - timedelta(days=30), batch=2) == 1

    rows_left = await db.fetchall("SELECT DISTINCT broadcast_id FROM broadcast_recipients ORDER BY 1")
    assert [row[0] for row in rows_left] == sorted([recent, running])
    assert await store.state_counts(db, old) == old_counts
    assert {b.id: b.counts for b in await store.recent_broadcasts(db)} == listed_before
    assert (await stats.collect(db, "ru")).deliveries == deliveries_before
    assert await store.fold_recipients(db, ended_before=NOW - timedelta(days=30)) == 0


async def test_an_interrupted_fold_finishes_without_counting_twice(db):
    await add_users(db, range(1, 6))
    bid = await ended_broadcast(db, range(1, 6), NOW - timedelta(days=40), {1: "sent", 2: "sent"})
    # the counts were written, then the process stopped after deleting only some rows
    await db.execute(
        "INSERT INTO broadcast_summaries (broadcast_id, state, n) VALUES (?, 'sent', 2), (?, 'pending', 3)",
        (bid, bid),
    )
    await db.execute("DELETE FROM broadcast_recipients WHERE broadcast_id = ? AND user_id IN (1, 3)", (bid,))
    assert await store.state_counts(db, bid) == Counts(pending=3, sent=2)
    assert await store.fold_recipients(db, ended_before=NOW) == 1
    assert await store.state_counts(db, bid) == Counts(pending=3, sent=2)
    assert await db.fetchval("SELECT COUNT(*) FROM broadcast_recipients") == 0


async def test_a_country_audience_reaches_its_cities_and_a_city_audience_only_that_city(db):
    await add_users(db, range(1, 6))
    for user_id, region in ((1, "moscow"), (2, "russia"), (3, "novosibirsk"), (4, "almaty"), (5, "osh")):
        await subs.set_region(db, user_id, region)

    async def count(region):
        return await store.audience_count(db, Audience(region=region), default_locale="ru")

    # "russia" is also the subscriber's "anywhere else in Russia", so those who chose it before the cities count
    assert (await count("russia"), await count("kazakhstan")) == (3, 1)
    assert (await count("moscow"), await count("astana"), await count("osh")) == (1, 0, 1)
    assert Audience.from_json(Audience(region="saint_petersburg").to_json()).region == "saint_petersburg"
