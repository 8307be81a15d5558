"""`python -m bot chat`: talk to the real bot in a terminal, with no token and no network.

The real dispatcher polls an in-process FakeTelegram over a throw-away database, so content authors and
translators see exactly what a migrant sees: the bot's messages with numbered buttons. Type text to send it,
a button's number to press it, Ctrl-D to leave. The person is a coordinator, so `/reload` previews edits
to `content/` without restarting.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.config import load_settings
from bot.devtools.fake_models import FakeMessage
from bot.devtools.fake_telegram import FakeTelegram
from bot.devtools.fake_users import FakeUser

CHAT_USER_ID = 1

Reader = Callable[[str], str]
Writer = Callable[[str], None]


@dataclass(frozen=True)
class Action:
    """What typing a button's number does."""

    label: str
    callback_data: str | None = None  # inline button: press it
    url: str | None = None  # URL button: show where it leads
    message_id: int | None = None
    text: str | None = None  # reply-keyboard button: send its text
    request_contact: bool = False


def render(messages: list[FakeMessage]) -> tuple[list[str], list[Action]]:
    """The lines to print for the bot's messages, and their buttons, numbered on across the messages."""
    lines: list[str] = []
    actions: list[Action] = []
    for message in messages:
        lines += ["", "─" * 40, message.text or f"[{message.kind}]"]
        for action in _actions(message):
            actions.append(action)
            lines.append(f"  [{len(actions)}] {action.label}")
    return lines, actions


def _actions(message: FakeMessage) -> list[Action]:
    inline = [
        Action(
            label=button["text"] + (f"  → {button['url']}" if "url" in button else ""),
            callback_data=button.get("callback_data"),
            url=button.get("url"),
            message_id=message.message_id,
        )
        for button in message.buttons
    ]
    keyboard = message.reply_markup.get("keyboard", []) if message.reply_markup else []
    reply = [
        Action(label=_text(button), text=_text(button), request_contact=_requests_contact(button))
        for row in keyboard
        for button in row
    ]
    return inline + reply


def _text(button: str | dict[str, Any]) -> str:
    return button if isinstance(button, str) else button["text"]


def _requests_contact(button: str | dict[str, Any]) -> bool:
    return isinstance(button, dict) and bool(button.get("request_contact"))


async def _perform(user: FakeUser, line: str, actions: list[Action], read: Reader) -> list[FakeMessage] | str:
    """Send the line or press the button it names; a string is a note for the person, not a bot reply."""
    if line.isdigit() and 1 <= int(line) <= len(actions):
        action = actions[int(line) - 1]
        if action.url is not None:
            return f"(a link button: it opens {action.url})"
        if action.callback_data is not None:
            return await user.press_data(action.callback_data, message_id=action.message_id)
        if action.request_contact:
            phone = await asyncio.to_thread(read, "phone number to share: ")
            return await user.share_contact(phone.strip())
        line = action.text or action.label
    try:
        return await user.send(line)
    except ValueError as error:  # Telegram itself would not let a person send it
        return f"({error})"


async def run_chat(locale: str, read: Reader = input, write: Writer = print, **settings: Any) -> int:
    """Run the bot against a fake Telegram and relay one person's conversation until end of input."""
    from bot.app import App

    async with FakeTelegram() as tg:
        with tempfile.TemporaryDirectory() as tmp:
            app = await App.create(
                load_settings(
                    _env_file=None,
                    bot_token=tg.token,
                    bot_api_url=tg.base_url,
                    database_path=Path(tmp) / "chat.sqlite3",
                    admin_ids=[CHAT_USER_ID],
                    **settings,
                )
            )
            polling = asyncio.create_task(app.run_polling(handle_as_tasks=False, handle_signals=False))
            user = tg.user(CHAT_USER_ID, first_name="Preview", language_code=locale)
            write(f"Koldoo chat preview ({locale}). Type text or a button number; Ctrl-D to leave.")
            try:
                result: list[FakeMessage] | str = await user.send("/start")
                actions: list[Action] = []
                while True:
                    if isinstance(result, str):
                        write(result)
                    else:
                        lines, shown = render(result)
                        actions = shown or actions
                        write("\n".join(lines))
                    try:
                        line = (await asyncio.to_thread(read, "\n> ")).strip()
                    except EOFError:
                        return 0
                    result = await _perform(user, line, actions, read) if line else "(type something)"
            finally:
                await app.dp.stop_polling()
                await asyncio.wait_for(polling, timeout=10)
                await app.shutdown()
