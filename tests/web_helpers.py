"""The staff console under test: a bot with its console on a free port, login through /web in the fake
Telegram, and referrals seeded straight into the database."""

from __future__ import annotations

import re
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import aiohttp

from bot.db.referrals import create_referral
from bot.devtools.fake_telegram import FakeTelegram
from bot.services.referrals import Kind, Referral
from tests.conftest import RunningApp

LINK = re.compile(r"http://\S+/login/[A-Za-z0-9_-]+")
OSH_CENTRE = "osh_centre_of_excellence"  # a programme of the shipped training catalogue


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Console:
    app: RunningApp
    base: str


async def start_console(make_app: Callable[..., Awaitable[RunningApp]], **overrides: object) -> Console:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    app = await make_app(web_listen=f"127.0.0.1:{port}", web_base_url=base, **overrides)
    return Console(app, base)


async def login_link(tg: FakeTelegram, user_id: int, language_code: str = "en") -> str:
    """What the bot answers to /web: the one-time link in its text."""
    user = tg.user(user_id, language_code=language_code)
    marker = tg.activity_marker()
    await user.send("/web")  # a bot in its own process handles it as a task: wait for the answer

    def found() -> list[str]:
        return [m.group(0) for msg in tg.bot_activity(user_id, since=marker) if (m := LINK.search(msg.text or ""))]

    await tg.wait_for(found, timeout=10)
    return found()[-1]


def browser_session() -> aiohttp.ClientSession:
    """An HTTP client that keeps cookies for 127.0.0.1, as a browser does."""
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True), headers={"Accept-Language": "en-GB,en;q=0.8"})


async def logged_in(tg: FakeTelegram, console: Console, user_id: int) -> aiohttp.ClientSession:
    http = browser_session()
    response = await http.get(await login_link(tg, user_id))
    assert response.status == 200 and str(response.url).startswith(console.base), response.status
    return http


async def seed_referral(
    tg: FakeTelegram,
    app: RunningApp,
    user_id: int,
    *,
    name: str = "Aigul Toktogulova",
    region: str = "osh_city",
    item_id: str = OSH_CENTRE,
    comment: str | None = None,
    language_code: str = "en",
) -> Referral:
    """A migrant who talked to the bot, with a referral made for them (as the form would)."""
    await tg.user(user_id, language_code=language_code).send("/start")
    referral, _created = await create_referral(
        app.db,
        user_id=user_id,
        kind=Kind.TRAINING,
        item_id=item_id,
        name=name,
        phone="+996555123456",
        region=region,
        city="Osh",
        comment=comment,
    )
    return referral


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)
