"""End to end: `/reload` refreshes the ban rules and the training catalogue, not only the guide."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from pathlib import Path

from bot.devtools.fake_telegram import FakeTelegram
from bot.devtools.fake_users import FakeUser
from bot.i18n import format_date
from bot.services.dates import add_years, users_today
from tests.check_helpers import check_russia
from tests.conftest import COORDINATOR_ID, RunningApp
from tests.content_helpers import content_with, edit_entry

MakeApp = Callable[..., Awaitable[RunningApp]]
OSH_CENTRE = "Centre of Excellence, OshSU"


async def osh_programmes(user: FakeUser) -> list[str]:
    """The programme buttons a migrant sees for Osh city, various trades."""
    await user.send("/training")
    await user.press("🎓 Training programmes")
    await user.press("Osh city")
    [listing] = await user.press("Various trades")
    return listing.button_texts()[:-2]  # without Back and Menu


async def ban_result_after_overstay(user: FakeUser, entry: date, departure: date) -> str:
    replies = await check_russia(user, "en", last_year=[(entry, departure)], command="/ban")
    return replies[-1].text


async def test_reload_refreshes_the_training_catalogue(
    tg: FakeTelegram, make_app: MakeApp, tmp_path: Path
) -> None:
    directory = content_with(tmp_path)
    training = directory / "training.yaml"
    await make_app(content_dir=directory)
    coordinator, user = tg.user(COORDINATOR_ID, language_code="en"), tg.user(4100, language_code="en")
    assert OSH_CENTRE in await osh_programmes(user)

    edit_entry(training, "id: osh_centre_of_excellence", f"en: {OSH_CENTRE}", "en: Osh Centre of Excellence")
    [done] = await coordinator.send("/reload")
    assert done.text.startswith("Content reloaded")

    assert "Osh Centre of Excellence" in await osh_programmes(user)
    [card] = await user.press("Osh Centre of Excellence")
    assert card.text.startswith("Osh Centre of Excellence")

    line = edit_entry(training, "id: osh_centre_of_excellence", "trades: [various]", "trades: [juggling]")
    [refused] = await coordinator.send("/reload")
    assert refused.text.startswith("Content was NOT reloaded")
    assert f"{training}:{line}: programmes.osh_centre_of_excellence.trades: unknown trade ids" in refused.text
    assert "Osh Centre of Excellence" in await osh_programmes(user)  # the running catalogue is kept


async def test_reload_refreshes_the_ban_rules(tg: FakeTelegram, make_app: MakeApp, tmp_path: Path) -> None:
    directory = content_with(tmp_path)
    await make_app(content_dir=directory)
    coordinator, user = tg.user(COORDINATOR_ID, language_code="en"), tg.user(4200, language_code="en")
    entry = date(users_today().year - 1, 1, 1)
    departure = date(entry.year, 3, 31) + timedelta(days=200)  # the overstay_180 ground

    before = await ban_result_after_overstay(user, entry, departure)
    assert f"Last day of the ban: {format_date(add_years(departure, 5), 'en')}." in before

    edit_entry(directory / "ban_rules.yaml", "id: overstay_180", "duration_years: 5", "duration_years: 7")
    [done] = await coordinator.send("/reload")
    assert done.text.startswith("Content reloaded")

    after = await ban_result_after_overstay(user, entry, departure)
    assert f"Last day of the ban: {format_date(add_years(departure, 7), 'en')}." in after
