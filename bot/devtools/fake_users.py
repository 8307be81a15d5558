"""Fake users of the fake Bot API server: they push realistic updates and wait for the bot to handle them."""

from __future__ import annotations

import re
import secrets
from typing import TYPE_CHECKING, Any

from bot.services.telegram_html import utf16_len

if TYPE_CHECKING:
    from bot.devtools.fake_models import FakeMessage
    from bot.devtools.fake_telegram import FakeTelegram

# Telegram marks "/command" or "/command@bot" at the start of the text or after whitespace.
_BOT_COMMAND = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![^\s.,;:!?])")
# A 1x1 transparent PNG: a real image, as Telegram only accepts photos it can decode.
TINY_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000005000127e8a3cd0000000049454e44ae426082"
)


def command_entities(text: str) -> list[dict[str, Any]]:
    """The bot_command entities Telegram attaches to a user's text (UTF-16 offsets)."""
    return [
        {
            "type": "bot_command",
            "offset": utf16_len(text[: match.start()]),
            "length": utf16_len(match.group()),
        }
        for match in _BOT_COMMAND.finditer(text)
    ]


class FakeUser:
    """A Telegram user in a private chat with the bot, or (``in_group``) the same user writing in a group.

    Every action pushes an update, waits until the bot has handled it (``FakeTelegram.wait_handled``) and
    returns the bot messages sent or edited in this chat meanwhile (each once, as they are now).
    """

    def __init__(
        self,
        tg: FakeTelegram,
        user_id: int,
        *,
        first_name: str,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
        chat_id: int | None = None,
    ) -> None:
        self.tg = tg
        self.id = user_id
        self.chat_id = user_id if chat_id is None else chat_id  # a group's id (negative) for a group member
        self.first_name = first_name
        self.last_name = last_name
        self.username = username
        self.language_code = language_code
        self._chat_instance = str(secrets.randbits(63))

    def to_api(self) -> dict[str, Any]:
        """The Telegram User object."""
        user: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        optional = {
            "last_name": self.last_name,
            "username": self.username,
            "language_code": self.language_code,
        }
        return user | {key: value for key, value in optional.items() if value is not None}

    def in_group(self, group_id: int) -> FakeUser:
        """The same user writing in a supergroup the bot is a member of: sends and presses happen there."""
        self.tg.known_chats.add(group_id)
        return FakeUser(
            self.tg,
            self.id,
            first_name=self.first_name,
            last_name=self.last_name,
            username=self.username,
            language_code=self.language_code,
            chat_id=group_id,
        )

    def chat_json(self) -> dict[str, Any]:
        """The Telegram Chat object of this user's chat with the bot (private, or the group)."""
        if self.chat_id != self.id:
            return {"id": self.chat_id, "type": "supergroup", "title": f"Group {self.chat_id}"}
        profile = {"last_name": self.last_name, "username": self.username}
        chat = {"id": self.id, "type": "private", "first_name": self.first_name}
        return chat | {key: value for key, value in profile.items() if value is not None}

    @property
    def messages(self) -> list[FakeMessage]:
        """The bot's messages now in this chat, oldest first."""
        return [message for message in self.tg.chat(self.chat_id) if message.from_bot]

    @property
    def last(self) -> FakeMessage:
        """The bot's latest message in this chat."""
        messages = self.messages
        if not messages:
            raise AssertionError(f"the bot has sent nothing to user {self.id}")
        return messages[-1]

    @property
    def keyboard(self) -> list[str]:
        """Texts of the reply-keyboard buttons the user now sees (empty when none)."""
        markup = self.tg.reply_keyboard(self.chat_id)
        if markup is None:
            return []
        return [
            button if isinstance(button, str) else button["text"]
            for row in markup["keyboard"]
            for button in row
        ]

    # -- actions -------------------------------------------------------------------------------------------
    async def send(self, text: str) -> list[FakeMessage]:
        """Send a text message (commands get their bot_command entity, as in Telegram)."""
        return await self._deliver(self.message_update(text))

    def message_update(self, text: str) -> dict[str, Any]:
        """Write a text message in the chat and return its update, for ``tg.push_update`` (no waiting)."""
        if not text.strip() or utf16_len(text) > 4096:
            raise ValueError("a Telegram user can only send 1-4096 characters of text")
        return self._message_update("text", text=text, entities=command_entities(text))

    async def tap(self, text: str) -> list[FakeMessage]:
        """Tap a reply-keyboard button: it must be on the keyboard shown; it sends its text."""
        if text not in self.keyboard:
            raise AssertionError(
                f"no reply-keyboard button {text!r} shown to user {self.id}; keyboard: {self.keyboard}"
            )
        return await self.send(text)

    async def share_contact(
        self, phone_number: str, user_id: int | None = None, first_name: str | None = None
    ) -> list[FakeMessage]:
        """Share a contact: the user's own by default; ``user_id=0`` shares someone's not on Telegram."""
        contact: dict[str, Any] = {"phone_number": phone_number, "first_name": first_name or self.first_name}
        if user_id is None:
            user_id = self.id
            if self.last_name and first_name is None:
                contact["last_name"] = self.last_name
        if user_id:
            contact["user_id"] = user_id
        return await self._send_message("contact", contact=contact)

    async def send_photo(self, caption: str | None = None, content: bytes = TINY_PNG) -> list[FakeMessage]:
        return await self._send_file("photo", None, content, caption)

    async def send_video(
        self, caption: str | None = None, content: bytes = b"\x00\x00\x00\x18ftypmp42"
    ) -> list[FakeMessage]:
        return await self._send_file("video", "video.mp4", content, caption)

    async def send_document(
        self, filename: str = "a.pdf", content: bytes = b"%PDF-1.4\n%fake\n", caption: str | None = None
    ) -> list[FakeMessage]:
        return await self._send_file("document", filename, content, caption)

    async def send_voice(self, content: bytes = b"OggS\x00voice") -> list[FakeMessage]:
        return await self._send_file("voice", None, content, None)

    async def send_location(self, latitude: float = 55.7558, longitude: float = 37.6173) -> list[FakeMessage]:
        return await self._send_message("location", location={"latitude": latitude, "longitude": longitude})

    async def forward(self, text: str, author: FakeUser | None = None, hidden_name: str = "") -> list[FakeMessage]:
        """Forward to the bot a text `author` wrote; with no author, one who hides their account in forwards
        (Telegram then gives only the name they show, `hidden_name`)."""
        import time

        if author is not None:
            origin = {"type": "user", "date": int(time.time()), "sender_user": author.to_api()}
        else:
            origin = {"type": "hidden_user", "date": int(time.time()), "sender_user_name": hidden_name or "Someone"}
        return await self._send_message("text", text=text, forward_origin=origin)

    async def reply(self, text: str, to_message_id: int) -> list[FakeMessage]:
        """Reply to a message of this chat (Telegram puts it in reply_to_message)."""
        update = self.message_update(text)
        replied = self.tg._chats[self.id][to_message_id]
        message = self.tg._chats[self.id][update["message"]["message_id"]]
        message.reply_to = replied
        return await self._deliver({"message": message.to_api()})

    async def edit(self, message_id: int, text: str) -> list[FakeMessage]:
        """Edit one's own text (or caption): Telegram sends an edited_message update."""
        import time

        message = self.tg._chats[self.id][message_id]
        assert not message.from_bot, "a user edits only their own messages"
        message.text, message.edit_date = text, int(time.time())
        message.edited += 1
        return await self._deliver({"edited_message": message.to_api()})

    async def send_sticker(self) -> list[FakeMessage]:
        return await self._send_file("sticker", None, b"RIFF\x00\x00\x00\x00WEBP", None)

    async def press(self, text: str) -> list[FakeMessage]:
        """Press the inline button labelled ``text`` on the latest bot message that has one."""
        for message in reversed(self.messages):
            for button in message.buttons:
                if button["text"] != text:
                    continue
                if "callback_data" not in button:
                    kind = next(key for key in button if key != "text")
                    raise AssertionError(
                        f"button {text!r} is a {kind} button: it opens, it cannot be pressed"
                    )
                return await self._callback(message, button["callback_data"])
        available = [message.button_texts() for message in self.messages if message.buttons]
        raise AssertionError(
            f"no inline button {text!r} in the chat with user {self.id}; buttons: {available}"
        )

    async def press_data(self, data: str, message_id: int | None = None) -> list[FakeMessage]:
        """Send a callback query with any (forged or stale) data, from a bot message (default: the latest)."""
        messages = {message.message_id: message for message in self.messages}
        if message_id is not None and message_id not in messages:
            raise AssertionError(f"no bot message {message_id} in the chat with user {self.id}")
        message = messages[message_id] if message_id is not None else (self.last if messages else None)
        return await self._callback(message, data)

    # -- plumbing ------------------------------------------------------------------------------------------
    async def _send_file(
        self, kind: str, filename: str | None, content: bytes, caption: str | None
    ) -> list[FakeMessage]:
        stored = self.tg.store_file(kind, filename, content)
        entities = command_entities(caption) if caption else []
        return await self._send_message(kind, file=stored, text=caption, entities=entities)

    async def _send_message(self, kind: str, **content: Any) -> list[FakeMessage]:
        return await self._deliver(self._message_update(kind, **content))

    def _message_update(self, kind: str, **content: Any) -> dict[str, Any]:
        if self.chat_id == self.id:  # writing to the bot means the user has unblocked (or started) it
            self.tg.blocked.discard(self.id)
            self.tg.not_started.discard(self.id)
        message = self.tg.add_message(self.chat_id, from_bot=False, kind=kind, sender=self.to_api(), **content)
        return {"message": message.to_api()}

    async def _callback(self, message: FakeMessage | None, data: str) -> list[FakeMessage]:
        query: dict[str, Any] = {
            "id": self.tg.new_callback_query(),
            "from": self.to_api(),
            "chat_instance": self._chat_instance,
            "data": data,
        }
        if message is not None:
            query["message"] = message.to_api()
        return await self._deliver({"callback_query": query})

    async def _deliver(self, update: dict[str, Any]) -> list[FakeMessage]:
        marker = self.tg.activity_marker()
        update_id = self.tg.push_update(update)
        await self.tg.wait_handled(update_id, timeout=self.tg.handle_timeout)
        return self.tg.bot_activity(self.chat_id, since=marker)
