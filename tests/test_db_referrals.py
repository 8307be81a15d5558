"""Referral storage: duplicate guard, filters, paging, status history and anonymisation on /forget."""

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.db.connection import Database
from bot.db.referrals import (
    add_note,
    anonymise_closed,
    change_status,
    create_referral,
    find_recent,
    get_referral,
    iter_referrals,
    list_events,
    list_user_referrals,
    log_export,
    page_referrals,
    undo_move,
    withdraw,
)
from bot.services.referrals import DeclineReason, Kind, ReferralFilter, Status
from tests.databases import only

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


@pytest.fixture
async def db(database: Database):
    for user_id in (1, 2):
        await database.execute(
            "INSERT INTO users (id, locale, first_seen, last_seen) VALUES (?, 'ky', ?, ?)",
            (user_id, T0.isoformat(), T0.isoformat()),
        )
    return database


async def _create(db: Database, user_id: int = 1, item_id: str = "vocational_lyceums", **changes):
    fields = {
        "user_id": user_id,
        "kind": Kind.TRAINING,
        "item_id": item_id,
        "name": "Айгүл",
        "phone": "+996555123456",
        "region": "osh",
        "city": "Ош",
        "comment": "Эртең чалыңыз",
        "now": T0,
    }
    return await create_referral(db, **(fields | changes))


async def test_create_returns_a_new_referral_with_its_reference(db: Database) -> None:
    referral, created = await _create(db)
    assert created
    assert referral.reference == f"K-2026-{referral.id:06d}"
    assert (referral.status, referral.name, referral.phone) == (Status.NEW, "Айгүл", "+996555123456")
    assert await get_referral(db, referral.id) == referral


async def test_same_item_within_30_days_returns_the_existing_referral(db: Database) -> None:
    first, _ = await _create(db)
    again, created = await _create(db, now=T0 + timedelta(days=29), name="Other")
    assert not created and again == first
    assert await find_recent(db, 1, Kind.TRAINING, "vocational_lyceums", now=T0 + timedelta(days=29)) == first
    assert await db.fetchval("SELECT COUNT(*) FROM referrals") == 1


async def test_after_30_days_or_for_another_item_or_user_a_new_one_is_made(db: Database) -> None:
    first, _ = await _create(db)
    later, created_later = await _create(db, now=T0 + timedelta(days=31))
    other_item, created_item = await _create(db, item_id="osh_centre_of_excellence")
    other_user, created_user = await _create(db, user_id=2)
    assert created_later and created_item and created_user
    assert len({first.id, later.id, other_item.id, other_user.id}) == 4
    assert await find_recent(db, 1, Kind.SERVICE, "vocational_lyceums", now=T0) is None


async def test_user_list_is_newest_first_and_only_theirs(db: Database) -> None:
    a, _ = await _create(db)
    b, _ = await _create(db, item_id="skills_certification")
    await _create(db, user_id=2)
    assert [r.id for r in await list_user_referrals(db, 1)] == [b.id, a.id]


async def test_status_change_records_who_and_when(db: Database) -> None:
    referral, _ = await _create(db)
    moved = await change_status(db, referral.id, Status.CONTACTED, actor_id=900, now=T0 + timedelta(hours=2))
    assert moved is not None and moved.status is Status.CONTACTED
    assert moved.updated_at == T0 + timedelta(hours=2)
    [event] = await list_events(db, referral.id)
    assert (event.actor_id, event.from_status, event.to_status, event.at) == (
        900,
        Status.NEW,
        Status.CONTACTED,
        T0 + timedelta(hours=2),
    )


async def test_disallowed_or_stale_moves_change_nothing(db: Database) -> None:
    referral, _ = await _create(db)
    assert await change_status(db, referral.id, Status.COMPLETED, actor_id=900) is None
    assert await change_status(db, referral.id, Status.DECLINED, actor_id=900) is not None
    assert await change_status(db, referral.id, Status.CONTACTED, actor_id=901) is None
    assert await change_status(db, 9999, Status.CONTACTED, actor_id=900) is None
    assert (await get_referral(db, referral.id)).status is Status.DECLINED
    assert len(await list_events(db, referral.id)) == 1


async def test_notes_are_kept_in_the_history(db: Database) -> None:
    referral, _ = await _create(db)
    assert await add_note(db, referral.id, actor_id=900, note="Called, no answer")
    assert not await add_note(db, 9999, actor_id=900, note="x")
    [event] = await list_events(db, referral.id)
    assert (event.note, event.from_status, event.to_status) == ("Called, no answer", None, None)


async def test_filters_and_pages(db: Database) -> None:
    ids = []
    for day, region in enumerate(["osh", "batken", "osh", "naryn", "osh"]):
        referral, _ = await _create(db, item_id=f"item{day}", region=region, now=T0 + timedelta(days=day))
        ids.append(referral.id)
    await change_status(db, ids[2], Status.CONTACTED, actor_id=900)

    page, total = await page_referrals(db, ReferralFilter(region="osh"), page=0, page_size=2)
    assert total == 3 and [r.id for r in page] == [ids[4], ids[2]]
    page, _ = await page_referrals(db, ReferralFilter(region="osh"), page=1, page_size=2)
    assert [r.id for r in page] == [ids[0]]
    page, total = await page_referrals(db, ReferralFilter(status=Status.CONTACTED), page=0, page_size=10)
    assert (total, [r.id for r in page]) == (1, [ids[2]])
    page, total = await page_referrals(db, ReferralFilter(item_id="item3"), page=0, page_size=10)
    assert (total, [r.id for r in page]) == (1, [ids[3]])
    # `to` is inclusive: a referral made during the last day is in.
    dated = ReferralFilter(date_from=date(2026, 3, 2), date_to=date(2026, 3, 4))
    page, total = await page_referrals(db, dated, page=0, page_size=10)
    assert (total, sorted(r.id for r in page)) == (3, ids[1:4])


async def test_iteration_walks_every_match_in_batches(db: Database) -> None:
    for n in range(7):
        await _create(db, item_id=f"item{n}", region="osh" if n % 2 else "talas")
    batches = [batch async for batch in iter_referrals(db, ReferralFilter(region="talas"), batch_size=3)]
    assert [len(batch) for batch in batches] == [3, 1]
    ids = [r.id for batch in batches for r in batch]
    assert ids == sorted(ids) and all(r.region == "talas" for batch in batches for r in batch)


async def test_forget_drops_personal_data_but_keeps_the_counts(db: Database) -> None:
    mine, _ = await _create(db)
    theirs, _ = await _create(db, user_id=2)
    await change_status(db, mine.id, Status.CONTACTED, actor_id=900)
    await add_note(db, mine.id, actor_id=900, note="Айгүл asked to call after 6")

    await db.execute("DELETE FROM users WHERE id = 1")

    forgotten = await get_referral(db, mine.id)
    assert (forgotten.user_id, forgotten.name, forgotten.phone, forgotten.comment) == (None, None, None, None)
    assert (forgotten.status, forgotten.region, forgotten.item_id) == (Status.CONTACTED, "osh", mine.item_id)
    assert [e.note for e in await list_events(db, mine.id)] == [None, None]
    assert len(await list_events(db, mine.id)) == 2
    assert await get_referral(db, theirs.id) == theirs
    assert await db.fetchval("SELECT COUNT(*) FROM referrals") == 2


@only("sqlite")
async def test_forget_user_also_erases_the_city_and_the_notes_and_leaves_no_trace_in_the_files(
    db: Database, tmp_path: Path
) -> None:
    from bot.db.users import forget_user

    mine, _ = await _create(db, city="Кара-Суу айылы", phone="+996700111222", name="Жылдызкан")
    await add_note(db, mine.id, actor_id=900, note="Жылдызкан: чалуу керек")
    await forget_user(db, 1)

    forgotten = await get_referral(db, mine.id)
    assert (forgotten.name, forgotten.phone, forgotten.city, forgotten.comment) == (None, None, None, None)
    assert [e.note for e in await list_events(db, mine.id)] == [None]
    raw = b"".join(path.read_bytes() for path in tmp_path.glob("koldoo.sqlite3*"))
    for secret in ("+996700111222", "Жылдызкан", "Кара-Суу", "Эртең чалыңыз"):
        assert secret.encode() not in raw, secret


async def test_export_is_audited_without_personal_data(db: Database) -> None:
    flt = ReferralFilter(status=Status.NEW, region="osh", date_from=date(2026, 1, 1))
    await log_export(db, actor_id=900, flt=flt, rows=12, now=T0)
    row = await db.fetchone("SELECT actor_id, action, details, at FROM audit_log")
    assert (row["actor_id"], row["action"], row["at"]) == (900, "referrals.export", T0)
    assert json.loads(row["details"]) == {
        "filters": {"status": "new", "region": "osh", "from": "2026-01-01"},
        "rows": 12,
    }


async def test_closed_referrals_are_anonymised_after_the_retention_period(db: Database) -> None:
    old_done, _ = await _create(db, item_id="a")
    old_open, _ = await _create(db, item_id="b")
    recent_done, _ = await _create(db, item_id="c")
    await change_status(db, old_done.id, Status.DECLINED, actor_id=900, now=T0)
    await add_note(db, old_done.id, actor_id=900, note="Aigul moved to Moscow", now=T0)
    await change_status(db, recent_done.id, Status.DECLINED, actor_id=900, now=T0 + timedelta(days=400))

    assert await anonymise_closed(db, before=T0 + timedelta(days=365)) == 1
    assert await anonymise_closed(db, before=T0 + timedelta(days=365)) == 0

    gone = await get_referral(db, old_done.id)
    assert (gone.name, gone.phone, gone.comment, gone.status) == (None, None, None, Status.DECLINED)
    assert [e.note for e in await list_events(db, old_done.id)] == [None, None]
    assert (await get_referral(db, old_open.id)).name == "Айгүл"  # still open: the coordinator needs it
    assert (await get_referral(db, recent_done.id)).name == "Айгүл"


async def test_undo_withdraws_the_notice_still_waiting_in_the_outbox(db: Database) -> None:
    referral, _ = await _create(db)
    await change_status(db, referral.id, Status.CONTACTED, actor_id=900, now=T0, notify=True)
    assert await db.fetchval("SELECT COUNT(*) FROM outbox WHERE kind = 'referral.status'") == 1
    undone = await undo_move(db, referral.id, actor_id=900, now=T0 + timedelta(seconds=30))
    assert undone is not None and undone[1] == "withdrawn" and undone[0].status is Status.NEW
    assert await db.fetchval("SELECT COUNT(*) FROM outbox WHERE kind = 'referral.status'") == 0


async def test_undo_after_the_notice_left_queues_a_correction(db: Database) -> None:
    referral, _ = await _create(db)
    await change_status(db, referral.id, Status.CONTACTED, actor_id=900, now=T0, notify=True)
    await db.execute("UPDATE outbox SET state = 'sent'")
    referral_after, outcome = await undo_move(db, referral.id, actor_id=900, now=T0 + timedelta(seconds=30))
    assert outcome == "corrected" and referral_after.status is Status.NEW
    payloads = [json.loads(r[0]) for r in await db.fetchall("SELECT payload FROM outbox ORDER BY id")]
    assert payloads == [{"status": "contacted"}, {"status": "new", "correction": True}]


async def test_undo_is_refused_late_by_others_and_twice(db: Database) -> None:
    referral, _ = await _create(db)
    await change_status(db, referral.id, Status.CONTACTED, actor_id=900, now=T0)
    assert await undo_move(db, referral.id, actor_id=900, now=T0 + timedelta(minutes=2)) is None
    assert await undo_move(db, referral.id, actor_id=901, now=T0 + timedelta(seconds=5)) is None
    assert await undo_move(db, referral.id, actor_id=900, now=T0 + timedelta(seconds=5)) is not None
    assert await undo_move(db, referral.id, actor_id=900, now=T0 + timedelta(seconds=6)) is None  # no undo of undo
    assert (await get_referral(db, referral.id)).status is Status.NEW


async def test_a_decline_keeps_its_reason_and_a_service_has_its_own_steps(db: Database) -> None:
    service, _ = await _create(db, kind=Kind.SERVICE, item_id="migrant_kg")
    assert await change_status(db, service.id, Status.CONTACTED, actor_id=900) is not None
    assert await change_status(db, service.id, Status.ENROLLED, actor_id=900) is None  # a training step
    assert (await change_status(db, service.id, Status.PASSED, actor_id=900)).status is Status.PASSED
    declined = await change_status(db, service.id, Status.DECLINED, actor_id=900, reason=DeclineReason.NO_PLACES)
    assert declined.decline_reason is DeclineReason.NO_PLACES


async def test_only_the_owner_withdraws_an_open_request(db: Database) -> None:
    referral, _ = await _create(db)
    assert await withdraw(db, referral.id, user_id=2) is None
    withdrawn = await withdraw(db, referral.id, user_id=1)
    assert withdrawn is not None and withdrawn.status is Status.WITHDRAWN
    assert await withdraw(db, referral.id, user_id=1) is None
    assert not await add_note(db, referral.id, 2, "not mine", owner_only=True)
    assert await add_note(db, referral.id, 1, "my new phone", owner_only=True)


async def test_migration_0011_keeps_every_referral_and_event_and_the_cascade(tmp_path: Path) -> None:
    """The referrals table is rebuilt to widen its status CHECK: rows, ids and history must survive."""
    import sqlite3

    from bot.db.legacy import legacy_migrations as migrations

    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys = ON")
    for number, _name, sql in migrations():
        if number > 10:
            break
        conn.executescript(sql)
    conn.execute("PRAGMA user_version = 10")
    conn.execute("INSERT INTO users (id, first_seen, last_seen) VALUES (1, 'x', 'x')")
    conn.execute(
        "INSERT INTO referrals (id, user_id, kind, item_id, name, phone, region, status, created_at, updated_at)"
        " VALUES (7, 1, 'training', 'p', 'Айгүл', '+996555', 'osh', 'enrolled', '2026-01-01', '2026-01-02')"
    )
    conn.execute(
        "INSERT INTO referral_events (id, referral_id, actor_id, at, note) VALUES (3, 7, 900, '2026-01-02', 'hi')"
    )
    conn.commit()
    conn.close()
    db = await Database.open(path)
    try:
        kept = await get_referral(db, 7)
        assert (kept.status, kept.name, kept.decline_reason) == (Status.ENROLLED, "Айгүл", None)
        [event] = await list_events(db, 7)
        assert (event.id, event.note) == (3, "hi")
        await db.execute("UPDATE referrals SET status = 'withdrawn' WHERE id = 7")  # the widened CHECK
        await db.execute("DELETE FROM users WHERE id = 1")  # /forget: the trigger still reaches both tables
        assert (await list_events(db, 7))[0].note is None and (await get_referral(db, 7)).name is None
        await db.execute("DELETE FROM referrals WHERE id = 7")
        assert await db.fetchval("SELECT COUNT(*) FROM referral_events") == 0  # ON DELETE CASCADE kept
    finally:
        await db.close()
