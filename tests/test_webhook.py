"""Webhook mode: the secret token is checked, updates are handled, /healthz tells the database's state."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.app import App
from bot.devtools.fake_telegram import FakeTelegram
from tests.conftest import test_settings
from tests.web_helpers import free_port

SECRET = "s3cret-token_for-tests"


@pytest.fixture
async def webhook(tg: FakeTelegram, tmp_path: Path) -> AsyncIterator[tuple[App, str]]:
    port = free_port()
    settings = test_settings(
        tg, tmp_path, webhook_url="https://bot.example.org/telegram/hook", webhook_secret=SECRET,
        webhook_listen=f"127.0.0.1:{port}",
    )
    app = await App.create(settings)
    stop = asyncio.Event()
    task = asyncio.create_task(app.run_webhook(stop))
    await tg.wait_for(lambda: tg.calls_of("setWebhook"))
    yield app, f"http://127.0.0.1:{port}"
    stop.set()
    await asyncio.wait_for(task, 10)
    await app.shutdown()


def update(user_id: int, text: str, update_id: int = 1) -> dict:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id, "date": 1764000000, "text": text,
            "chat": {"id": user_id, "type": "private", "first_name": "A"},
            "from": {"id": user_id, "is_bot": False, "first_name": "A", "language_code": "en"},
            "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}] if text.startswith("/") else [],
        },
    }


async def test_set_webhook_is_called_with_the_secret(tg: FakeTelegram, webhook: tuple[App, str]) -> None:
    [call] = tg.calls_of("setWebhook")
    assert call.params["url"] == "https://bot.example.org/telegram/hook"
    assert call.params["secret_token"] == SECRET
    assert "message" in call.params["allowed_updates"]


@pytest.mark.parametrize("headers", [{}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}], ids=["missing", "wrong"])
async def test_a_missing_or_wrong_secret_gets_401(tg: FakeTelegram, webhook: tuple[App, str], headers: dict) -> None:
    _, base = webhook
    tg.user(5001, language_code="en")
    async with aiohttp.ClientSession() as http:
        response = await http.post(f"{base}/telegram/hook", json=update(5001, "/menu"), headers=headers)
        assert response.status == 401
    await asyncio.sleep(0.2)
    assert not tg.calls_of("sendMessage")


async def test_an_update_with_the_secret_is_answered(tg: FakeTelegram, webhook: tuple[App, str]) -> None:
    _, base = webhook
    user = tg.user(5002, language_code="en")
    async with aiohttp.ClientSession() as http:
        response = await http.post(
            f"{base}/telegram/hook", json=update(5002, "/menu"), headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
        )
        assert response.status == 200
    assert user.last.text.startswith("Main menu")  # handled before the webhook request returned


async def test_healthz_follows_the_database(webhook: tuple[App, str]) -> None:
    app, base = webhook
    async with aiohttp.ClientSession() as http:
        response = await http.get(f"{base}/healthz")
        assert response.status == 200
        assert (await response.json())["status"] == "ok"
        await app.db.close()
        response = await http.get(f"{base}/healthz")
        assert response.status == 503
    app.db = await type(app.db).open(app.db.path)  # let the fixture shut down cleanly


async def test_an_update_delivered_twice_is_handled_once(tg: FakeTelegram, webhook: tuple[App, str]) -> None:
    _, base = webhook
    tg.user(5003, language_code="en")
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    async with aiohttp.ClientSession() as http:
        first, again = await asyncio.gather(
            http.post(f"{base}/telegram/hook", json=update(5003, "/menu", update_id=77), headers=headers),
            http.post(f"{base}/telegram/hook", json=update(5003, "/menu", update_id=77), headers=headers),
        )
        assert sorted([first.status, again.status]) == [200, 503]  # the second is told to come back later
        later = await http.post(f"{base}/telegram/hook", json=update(5003, "/menu", update_id=77), headers=headers)
        assert later.status == 200
    await asyncio.sleep(0.2)
    assert len([c for c in tg.calls_of("sendMessage") if c.params["chat_id"] == 5003]) == 1
