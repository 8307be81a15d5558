"""Records kept by the fake Bot API server: API calls, stored files and chat messages.

Messages are kept as plain values (not aiogram objects) so tests read them without a bot, and each can render
itself as the exact Message JSON Telegram would send.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

MESSAGE_KINDS_WITH_CAPTION = frozenset({"photo", "video", "document", "voice", "audio"})


class ApiError(Exception):
    """An error answer of the Bot API: HTTP status, Telegram's description and optional parameters."""

    def __init__(self, status: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def response(self) -> dict[str, Any]:
        body: dict[str, Any] = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(description: str) -> ApiError:
    """A 400 whose description gets Telegram's "Bad Request: " prefix."""
    return ApiError(400, f"Bad Request: {description}")


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart request."""

    filename: str
    content: bytes


@dataclass
class ApiCall:
    """One request the bot made, as the server decoded it, and the answer it got."""

    method: str
    params: dict[str, Any]
    files: dict[str, UploadedFile]
    time: float = field(default_factory=time.monotonic)
    status: int = 0
    response: dict[str, Any] = field(default_factory=dict)
    injected: bool = False  # the answer came from fail()/outage(), not from the bot's own request
    answer_lost: bool = False  # handled, but its answer was held back past the client's timeout

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def description(self) -> str | None:
        return self.response.get("description")


@dataclass
class StoredFile:
    """A file the fake knows by file_id: uploaded by the bot or sent by a fake user."""

    file_id: str
    file_unique_id: str
    kind: str  # "photo", "video", "document", "sticker", "voice", "audio"
    filename: str | None
    content: bytes
    mime_type: str | None = None

    @property
    def size(self) -> int:
        return len(self.content)

    def to_api(self) -> dict[str, Any]:
        """The Telegram object describing this file inside a Message."""
        base: dict[str, Any] = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
        }
        if self.kind == "photo":
            return base | {"width": 800, "height": 600}
        if self.kind == "video":
            return base | {
                "width": 640,
                "height": 360,
                "duration": 5,
                "mime_type": self.mime_type or "video/mp4",
            }
        if self.kind == "voice":
            return base | {"duration": 3, "mime_type": self.mime_type or "audio/ogg"}
        if self.kind == "audio":
            return base | {"duration": 60, "mime_type": self.mime_type or "audio/mpeg"}
        if self.kind == "sticker":
            return base | {
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": "👍",
            }
        document = base | {"file_name": self.filename or "file"}
        if self.mime_type:
            document["mime_type"] = self.mime_type
        return document


@dataclass
class FakeMessage:
    """A message as it currently stands in a chat of the fake (after edits)."""

    message_id: int
    chat: dict[str, Any]
    sender: dict[str, Any]
    from_bot: bool
    kind: str  # "text", "photo", "video", "document", "contact", "sticker", "voice", "audio", "location", "service"
    date: int
    text: str | None = None  # the text, or the caption of a media message
    entities: list[dict[str, Any]] = field(default_factory=list)
    parse_mode: str | None = None
    reply_markup: dict[str, Any] | None = None  # as sent, any keyboard kind
    file: StoredFile | None = None
    contact: dict[str, Any] | None = None
    edited: int = 0
    edit_date: int | None = None
    # Forums (bot/devtools/fake_forum.py): the topic a message is in, what it replies to, service content.
    message_thread_id: int | None = None
    reply_to: FakeMessage | None = None
    forward_origin: dict[str, Any] | None = None  # a forwarded message: who wrote it (MessageOrigin)
    location: dict[str, Any] | None = None
    service: dict[str, Any] | None = None  # e.g. {"forum_topic_created": {...}}
    protected: bool = False  # sent with protect_content

    @property
    def chat_id(self) -> int:
        return int(self.chat["id"])

    @property
    def inline_markup(self) -> dict[str, Any] | None:
        """The markup Telegram shows in the Message object: only inline keyboards are attached."""
        if self.reply_markup and "inline_keyboard" in self.reply_markup:
            return self.reply_markup
        return None

    @property
    def buttons(self) -> list[dict[str, Any]]:
        """Every inline button, row after row."""
        markup = self.inline_markup
        return [button for row in markup["inline_keyboard"] for button in row] if markup else []

    def button_texts(self) -> list[str]:
        return [button["text"] for button in self.buttons]

    @property
    def file_bytes(self) -> bytes | None:
        return self.file.content if self.file else None

    @property
    def filename(self) -> str | None:
        return self.file.filename if self.file else None

    def to_api(self, nested: bool = True) -> dict[str, Any]:
        """The complete Message JSON, as Telegram sends it in updates and method results (a replied-to
        message inside it carries no reply of its own: `nested=False`)."""
        message: dict[str, Any] = {
            "message_id": self.message_id,
            "from": self.sender,
            "chat": self.chat,
            "date": self.date,
        }
        if self.edit_date is not None:
            message["edit_date"] = self.edit_date
        text_field, entities_field = (
            ("caption", "caption_entities")
            if self.kind in MESSAGE_KINDS_WITH_CAPTION
            else ("text", "entities")
        )
        if self.text:
            message[text_field] = self.text
            if self.entities:
                message[entities_field] = self.entities
        if self.file is not None:
            message[self.kind] = [self.file.to_api()] if self.kind == "photo" else self.file.to_api()
        if self.contact is not None:
            message["contact"] = self.contact
        if self.forward_origin is not None:
            message["forward_origin"] = self.forward_origin
        if self.location is not None:
            message["location"] = self.location
        if self.service is not None:
            message.update(self.service)
        if self.message_thread_id is not None:
            message["message_thread_id"] = self.message_thread_id
            message["is_topic_message"] = True
        if self.reply_to is not None and nested:
            message["reply_to_message"] = self.reply_to.to_api(nested=False)
        if self.protected:
            message["has_protected_content"] = True
        if self.inline_markup:
            message["reply_markup"] = self.inline_markup
        return message

    def __repr__(self) -> str:
        who = "bot" if self.from_bot else "user"
        extra = f" buttons={self.button_texts()}" if self.buttons else ""
        return f"<FakeMessage #{self.message_id} {who} {self.kind} {self.text!r}{extra}>"
