"""The staff console in a real headless Chromium (Debian's `chromium`, driven by Playwright for Python).

One browser serves the whole module. Playwright's objects belong to the event loop that made them, and each
test has its own loop, so the browser lives on a loop of its own in a thread: the steps a browser takes are
small coroutines run there (`BrowserThread.run`), while the bot and the fake Telegram go on in the test's loop.
Every page visited is saved as a screenshot under the test's tmp_path.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from openpyxl import load_workbook

from bot.db import cases as db_cases
from bot.db.staff import grant
from bot.devtools.fake_telegram import FakeTelegram
from bot.services.referrals import Status
from tests.ask_helpers import GROUP, open_case, volunteer, wait_in_topic
from tests.conftest import COORDINATOR_ID
from tests.web_helpers import login_link, seed_referral, start_console

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
VOLUNTEER_ID = 960
T = TypeVar("T")


class BrowserThread:
    """A Playwright browser on its own event loop, in a thread, for tests running on other loops."""

    def __init__(self, executable: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="browser", daemon=True)
        self.thread.start()
        self.playwright, self.browser = self.wait(self._launch(executable))

    async def _launch(self, executable: str) -> tuple[Any, Any]:
        from playwright.async_api import async_playwright

        playwright = await async_playwright().start()
        browser = await playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        return playwright, browser

    def wait(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout=60)

    async def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run a browser step on the browser's loop; the test's loop keeps serving the bot meanwhile."""
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coro, self.loop))

    def close(self) -> None:
        async def stop() -> None:
            await self.browser.close()
            await self.playwright.stop()

        try:
            self.wait(stop())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def chromium() -> Iterator[BrowserThread]:
    executable = shutil.which("chromium")
    if executable is None:
        message = "Chromium not found: install it with `apt-get install -y chromium` to run the browser tests"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    browser = BrowserThread(executable)
    yield browser
    browser.close()


async def visit(context: Any, url: str, shot: Path) -> tuple[Any, int]:
    """Open `url` in a new tab of `context`, save a screenshot; the tab and the HTTP status."""
    page = await context.new_page()
    response = await page.goto(url)
    await page.screenshot(path=str(shot), full_page=True)
    return page, response.status


async def test_a_coordinator_works_with_referrals_in_the_browser(
    tg: FakeTelegram, make_app, chromium: BrowserThread, tmp_path: Path
) -> None:
    console = await start_console(make_app)
    osh = await seed_referral(tg, console.app, 3001, name="<script>alert(1)</script>")
    naryn = await seed_referral(tg, console.app, 3002, region="naryn", name="Naryn Person")
    migrant = tg.user(3001)
    link = await login_link(tg, COORDINATOR_ID)
    context = await chromium.run(chromium.browser.new_context(locale="en-US", viewport={"width": 1100, "height": 800}))

    async def log_in() -> str:
        page, status = await visit(context, link, tmp_path / "1-referrals.png")
        assert status == 200
        return page.url

    assert (await chromium.run(log_in())).endswith("/referrals")

    async def filter_osh() -> tuple[str, str]:
        page = context.pages[-1]
        await page.select_option("select[name=region]", "osh_city")
        await page.click("button:has-text('Show')")
        await page.wait_for_url("**/referrals?*region=osh_city*")
        await page.screenshot(path=str(tmp_path / "2-referrals-filtered.png"), full_page=True)
        return await page.inner_text("table"), await page.content()

    table, html = await chromium.run(filter_osh())
    assert osh.reference in table and naryn.reference not in table
    assert "<script>alert(1)</script>" in table  # shown as text...
    assert "&lt;script&gt;" in html  # ...because it was escaped

    async def change_status() -> str:
        page = context.pages[-1]
        await page.click(f"a:has-text('{osh.reference}')")
        await page.click("button:has-text('Contacted')")
        await page.wait_for_selector(".notice")
        await page.fill("textarea[name=note]", "Called, comes on Monday")
        await page.click("button:has-text('Save note')")
        await page.wait_for_selector("text=Called, comes on Monday")
        await page.screenshot(path=str(tmp_path / "3-referral.png"), full_page=True)
        return await page.inner_text("main")

    text = await chromium.run(change_status())
    assert "New → Contacted" in text and "Called, comes on Monday" in text
    await tg.wait_for(lambda: bool(migrant.messages) and "Contacted" in migrant.last.text)
    assert migrant.last.text.startswith(f"Your request {osh.reference}")

    async def export_xlsx() -> Path:
        page = await context.new_page()
        await page.goto(f"{console.base}/referrals?status=contacted")
        async with page.expect_download() as info:
            await page.click("button:has-text('Export XLSX')")
        download = await info.value
        target = tmp_path / download.suggested_filename
        await download.save_as(str(target))
        return target

    xlsx = await chromium.run(export_xlsx())
    assert xlsx.suffix == ".xlsx"
    rows = list(load_workbook(xlsx, read_only=True).active.iter_rows(values_only=True))
    code = rows[0].index("Status code")
    assert [row[0] for row in rows[1:]] == [osh.reference] and rows[1][code] == Status.CONTACTED.value

    async def other_pages() -> dict[str, int]:
        statuses = {}
        for name in ("broadcasts", "stats", "staff", "content"):
            _page, statuses[name] = await visit(context, f"{console.base}/{name}", tmp_path / f"4-{name}.png")
        return statuses

    assert await chromium.run(other_pages()) == {"broadcasts": 200, "stats": 200, "staff": 200, "content": 200}
    await chromium.run(context.close())
    actions = [row[0] for row in await console.app.db.fetchall("SELECT action FROM audit_log ORDER BY id")]
    assert actions[:1] == ["web.login"] and "referral.status" in actions and "referrals.export" in actions


async def test_a_volunteer_is_refused_referral_pages_in_the_browser(
    tg: FakeTelegram, make_app, chromium: BrowserThread, tmp_path: Path
) -> None:
    console = await start_console(make_app)
    referral = await seed_referral(tg, console.app, 3003)
    await grant(console.app.db, COORDINATOR_ID, VOLUNTEER_ID, "volunteer")
    link = await login_link(tg, VOLUNTEER_ID)
    context = await chromium.run(chromium.browser.new_context(locale="en-US", viewport={"width": 390, "height": 800}))

    async def walk() -> list[tuple[str, int, str]]:
        seen = []
        page, status = await visit(context, link, tmp_path / "1-volunteer-home.png")
        seen.append((page.url, status, await page.inner_text("body")))
        for number, path in enumerate(("/referrals", f"/referrals/{referral.id}"), start=2):
            page, status = await visit(context, f"{console.base}{path}", tmp_path / f"{number}-volunteer-refused.png")
            seen.append((page.url, status, await page.inner_text("body")))
        await context.close()
        return seen

    (home_url, home_status, home_text), *refused = await chromium.run(walk())
    assert home_url.endswith("/broadcasts") and home_status == 200 and "Referrals" not in home_text
    for _url, status, text in refused:
        assert status == 403 and "only for Koldoo coordinators" in text and "Aigul" not in text


async def test_a_volunteer_opens_a_case_and_closes_it_in_the_browser(
    tg: FakeTelegram, make_app, chromium: BrowserThread, tmp_path: Path
) -> None:
    tg.forum(GROUP)
    console = await start_console(make_app, operator_chat_id=GROUP, default_locale="en")
    await volunteer(tg, console.app, VOLUNTEER_ID)
    migrant = tg.user(3004, first_name="Aigul", last_name="Toktogulova")
    await open_case(migrant, "Work and wages", "I agree, continue")
    await migrant.send("<script>alert(1)</script> my boss does not pay")
    case = await wait_in_topic(tg, console.app, migrant, 1)
    link = await login_link(tg, VOLUNTEER_ID)
    context = await chromium.run(chromium.browser.new_context(locale="en-US", viewport={"width": 390, "height": 800}))

    async def open_and_close() -> tuple[str, str, str, str]:
        page, status = await visit(context, link, tmp_path / "1-volunteer-home.png")
        assert status == 200
        await page.click("nav a:has-text('Cases')")
        await page.wait_for_url("**/cases")
        await page.screenshot(path=str(tmp_path / "2-cases.png"), full_page=True)
        listing = await page.inner_text("main")
        await page.click(f"a:has-text('#C-{case.id}')")
        await page.wait_for_url(f"**/cases/{case.id}")
        await page.screenshot(path=str(tmp_path / "3-case.png"), full_page=True)
        transcript = await page.inner_text(".transcript")
        await page.click("button:has-text('Close the case')")
        await page.wait_for_selector(".notice")
        await page.screenshot(path=str(tmp_path / "4-case-closed.png"), full_page=True)
        after = await page.inner_text("main")
        html = await page.content()
        await context.close()
        return listing, transcript, after, html

    listing, transcript, after, html = await chromium.run(open_and_close())
    assert f"#C-{case.id}" in listing and "Work and wages" in listing and "Aigul" not in listing
    assert "<script>alert(1)</script> my boss does not pay" in transcript  # shown as text...
    assert "&lt;script&gt;" in html  # ...because it was escaped
    assert "The case is closed" in after and "Close the case" not in after and "Aigul" not in after
    await tg.wait_for(lambda: migrant.last.button_texts() == ["1", "2", "3", "4", "5"])
    assert tg.topic(GROUP, case.thread_id).closed
    assert not (await db_cases.get_case(console.app.db, case.id)).is_open
    actions = [row[0] for row in await console.app.db.fetchall("SELECT action FROM audit_log ORDER BY id")]
    assert "case.close" in actions
