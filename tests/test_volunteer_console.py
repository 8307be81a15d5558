"""Volunteer sign-ups are referrals like any other: the web console lists and filters them, exports keep them."""

from __future__ import annotations

import pytest

from bot.db.referrals import create_referral
from bot.devtools.fake_telegram import FakeTelegram
from bot.services.referrals import Kind
from tests.conftest import COORDINATOR_ID
from tests.web_helpers import Console, logged_in, seed_referral, start_console

MIGRANT_ID = 5100


@pytest.fixture
async def console(make_app) -> Console:
    return await start_console(make_app)


async def test_the_console_filters_volunteers(tg: FakeTelegram, console: Console) -> None:
    await seed_referral(tg, console.app, MIGRANT_ID, name="Trainee Person")
    await tg.user(MIGRANT_ID + 1, language_code="en").send("/start")
    volunteer, _created = await create_referral(
        console.app.db,
        user_id=MIGRANT_ID + 1,
        kind=Kind.SERVICE,
        item_id="community_volunteer",
        name="Volunteer Person",
        phone="+996555123457",
        region="batken",
        city="Batken",
        comment=None,
    )
    async with await logged_in(tg, console, COORDINATOR_ID) as http:
        everything = await (await http.get(f"{console.base}/referrals")).text()
        assert 'value="community_volunteer"' in everything and "Community volunteer" in everything
        body = await (await http.get(f"{console.base}/referrals", params={"programme": "community_volunteer"})).text()
    assert "Found: 1" in body and volunteer.reference in body and "Trainee Person" not in body
