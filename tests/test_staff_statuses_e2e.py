"""End to end: statuses that fit the request (issue 14). Services are passed to the organisation and
resolved, a decline says why and what to do next, a mis-tap is undone within a minute, and in /my the
migrant withdraws a request or adds information the coordinators see."""

from __future__ import annotations

import json

from bot.db.referrals import create_referral, get_referral, list_events
from bot.devtools.fake_telegram import FakeTelegram
from bot.services.referrals import DeclineReason, Kind, Status
from tests.conftest import RunningApp
from tests.test_training_e2e import apply, english_coordinator, referral_id

MIGRANT = 3100


async def _service_referral(app: RunningApp, tg: FakeTelegram) -> int:
    migrant = tg.user(MIGRANT, language_code="en")
    await migrant.send("/start")
    await migrant.press("English")
    referral, _ = await create_referral(
        app.db,
        user_id=MIGRANT,
        kind=Kind.SERVICE,
        item_id="migrant_kg",
        name="Bakyt",
        phone="+996700111222",
        region="osh",
        city=None,
        comment=None,
    )
    return referral.id


async def test_a_service_request_is_passed_to_the_organisation_then_resolved(
    tg: FakeTelegram, app: RunningApp
) -> None:
    coordinator = await english_coordinator(tg)
    ref_id = await _service_referral(app, tg)
    [card] = await coordinator.send(f"/start card-{ref_id}")
    assert card.button_texts()[:2] == ["Contacted", "Declined"]
    [card] = await coordinator.press("Contacted")
    assert card.button_texts()[:2] == ["Passed to the organisation", "Declined"]
    [card] = await coordinator.press("Passed to the organisation")
    assert card.button_texts()[:2] == ["Resolved", "Declined"]
    [card] = await coordinator.press("Resolved")
    assert "Resolved" in card.text.split("\n")[0]
    assert "Enrolled" not in card.button_texts() and "Declined" not in card.button_texts()
    migrant = tg.user(MIGRANT)
    await tg.wait_for(lambda: "new status: Resolved" in (migrant.last.text or ""))


async def test_a_decline_carries_its_reason_and_the_next_step(tg: FakeTelegram, app: RunningApp) -> None:
    coordinator = await english_coordinator(tg)
    reference = await apply(tg, 3101)
    migrant = tg.user(3101)
    await coordinator.press("Open")
    [reasons] = await coordinator.press("Declined")
    assert "Why is it declined?" in reasons.text
    assert reasons.button_texts()[:5] == [
        "We could not reach you by phone",
        "The programme's conditions do not fit",
        "No places left",
        "You already have a request for this",
        "Another reason",
    ]
    assert (await get_referral(app.db, referral_id(reference))).status is Status.NEW  # nothing moved yet
    [card] = await coordinator.press("We could not reach you by phone")
    assert "Declined" in card.text.split("\n")[0]
    assert "Decline reason: We could not reach you by phone" in card.text
    stored = await get_referral(app.db, referral_id(reference))
    assert (stored.status, stored.decline_reason) == (Status.DECLINED, DeclineReason.UNREACHABLE)
    await tg.wait_for(lambda: "Declined" in (migrant.last.text or ""))
    assert "Reason: We could not reach you by phone" in migrant.last.text
    assert "What you can do: Check your phone number and apply again: /training" in migrant.last.text
    details = await app.db.fetchval("SELECT details FROM audit_log WHERE action = 'referral.status'")
    assert json.loads(details) == {"from": "new", "to": "declined", "reason": "unreachable"}
    await migrant.send("/my")
    [screen] = await migrant.press(reference)
    assert "What you can do: Check your phone number" in screen.text
    assert "Withdraw the request" not in screen.button_texts()  # a closed request cannot be withdrawn


async def test_a_mis_tap_is_undone_and_the_migrant_gets_a_correction(tg: FakeTelegram, app: RunningApp) -> None:
    coordinator = await english_coordinator(tg)
    reference = await apply(tg, 3102)
    migrant = tg.user(3102)
    await coordinator.press("Open")
    [card] = await coordinator.press("Contacted")
    assert "↩️ Undo (1 minute)" in card.button_texts()
    await tg.wait_for(lambda: "new status: Contacted" in (migrant.last.text or ""))  # already delivered
    [card] = await coordinator.press("↩️ Undo (1 minute)")
    assert "New" in card.text.split("\n")[0] and "↩️ Undo (1 minute)" not in card.button_texts()
    assert tg.calls_of("answerCallbackQuery")[-1].params["text"] == (
        "Undone. The applicant already had the notice: a correction is on its way."
    )
    assert (await get_referral(app.db, referral_id(reference))).status is Status.NEW
    await tg.wait_for(lambda: (migrant.last.text or "").startswith("Correction:"))
    assert reference in migrant.last.text and "is New again" in migrant.last.text
    events = await list_events(app.db, referral_id(reference))
    assert [(e.from_status, e.to_status) for e in events] == [
        (Status.NEW, Status.CONTACTED),
        (Status.CONTACTED, Status.NEW),
    ]
    actions = [r[0] for r in await app.db.fetchall("SELECT action FROM audit_log ORDER BY id")]
    assert actions == ["referral.status", "referral.undo"]


async def test_undo_after_a_minute_is_refused(tg: FakeTelegram, app: RunningApp) -> None:
    coordinator = await english_coordinator(tg)
    reference = await apply(tg, 3103)
    await coordinator.press("Open")
    await coordinator.press("Contacted")
    await app.db.execute("UPDATE referral_events SET at = '2020-01-01T00:00:00+00:00'")
    await coordinator.press("↩️ Undo (1 minute)")
    answer = tg.calls_of("answerCallbackQuery")[-1].params
    assert answer["show_alert"] and answer["text"].startswith("Too late to undo")
    assert (await get_referral(app.db, referral_id(reference))).status is Status.CONTACTED


async def test_only_the_coordinator_who_moved_can_undo(tg: FakeTelegram, app: RunningApp) -> None:
    coordinator = await english_coordinator(tg)
    reference = await apply(tg, 3104)
    await coordinator.press("Open")
    await coordinator.press("Contacted")
    await app.db.execute("UPDATE referral_events SET actor_id = 4242")  # someone else moved it
    await coordinator.press("↩️ Undo (1 minute)")
    assert tg.calls_of("answerCallbackQuery")[-1].params["text"].startswith("Too late to undo")
    assert (await get_referral(app.db, referral_id(reference))).status is Status.CONTACTED


async def test_a_migrant_withdraws_a_request_after_one_question(tg: FakeTelegram, app: RunningApp) -> None:
    coordinator = await english_coordinator(tg)
    reference = await apply(tg, 3105)
    migrant = tg.user(3105)
    await migrant.send("/my")
    [screen] = await migrant.press(reference)
    assert screen.button_texts()[:2] == ["✏️ Add information", "Withdraw the request"]
    [question] = await migrant.press("Withdraw the request")
    assert question.text.startswith(f"Withdraw the request {reference}?")
    [screen] = await migrant.press("No, keep it")
    assert (await get_referral(app.db, referral_id(reference))).status is Status.NEW
    await migrant.press("Withdraw the request")
    [screen] = await migrant.press("Yes, withdraw it")
    assert "Withdrawn" in screen.text.split("\n")[0]
    assert "Withdraw the request" not in screen.button_texts()
    assert (await get_referral(app.db, referral_id(reference))).status is Status.WITHDRAWN
    await tg.wait_for(lambda: "The applicant withdrew the request." in (coordinator.last.text or ""))
    assert reference in coordinator.last.text and "Aigul" not in coordinator.last.text  # no personal data
    assert coordinator.last.button_texts() == ["Open"]
    [card] = await coordinator.send(f"/start card-{referral_id(reference)}")
    assert "Withdrawn" in card.text.split("\n")[0] and "the applicant" in card.text
    assert "Contacted" not in card.button_texts()  # a withdrawn request is closed
    # a stale "Yes" is no second withdrawal
    await migrant.press_data(f"my:withdraw_yes:{referral_id(reference)}")
    assert tg.calls_of("answerCallbackQuery")[-1].params["text"] == "This request is already closed."


async def test_a_migrant_adds_information_the_coordinators_see(tg: FakeTelegram, app: RunningApp) -> None:
    coordinator = await english_coordinator(tg)
    reference = await apply(tg, 3106)
    migrant = tg.user(3106)
    await migrant.send("/my")
    await migrant.press(reference)
    [prompt] = await migrant.press("✏️ Add information")
    assert prompt.text.startswith(f"Write what you want to add to {reference}")
    [too_long, *_] = await migrant.send("x" * 501)
    assert too_long.text.startswith("Please write 1 to 500 characters")
    [done, screen] = await migrant.send("New phone after 18:00: 0700 111 222")
    assert screen.text.startswith(reference)
    assert done.text == "Added. The coordinators will see it with your request."
    await tg.wait_for(lambda: "The applicant added information." in (coordinator.last.text or ""))
    assert "0700 111 222" not in coordinator.last.text  # the text itself is behind Open
    [card] = await coordinator.send(f"/start card-{referral_id(reference)}")
    assert "New phone after 18:00: 0700 111 222" in card.text and "the applicant" in card.text


async def test_nobody_withdraws_or_adds_to_someone_elses_request(tg: FakeTelegram, app: RunningApp) -> None:
    reference = await apply(tg, 3107)
    stranger = tg.user(3108, language_code="en")
    await stranger.send("/my")
    for action in ("withdraw_yes", "info", "open"):
        await stranger.press_data(f"my:{action}:{referral_id(reference)}")
        assert tg.calls_of("answerCallbackQuery")[-1].params["text"] == "This request no longer exists."
    assert (await get_referral(app.db, referral_id(reference))).status is Status.NEW
    assert await list_events(app.db, referral_id(reference)) == []
