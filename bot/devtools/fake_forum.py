"""Forum supergroups for the fake Bot API: topics, members writing in them, and the group message limit.

``tg.forum(chat_id)`` makes a supergroup with topics where the bot is an admin that may manage topics;
``tg.member(user, chat_id)`` is a person writing in it (``send(text, thread=...)``, ``reply``, ``edit``,
``press``). As in Telegram: a topic's id (``message_thread_id``) is the id of the service message that
created it; a message in a topic has ``is_topic_message`` and, when it replies to nothing else, replies to that
service message; sending into a deleted topic is "message thread not found"; a member cannot write in a
closed topic; and a bot may send at most ``per_minute`` (20) messages a minute into one group, beyond which
it gets 429 with a retry_after.
"""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.devtools import fake_validation as check
from bot.devtools.fake_faults import rate_limited
from bot.devtools.fake_models import FakeMessage, bad_request

if TYPE_CHECKING:
    from bot.devtools.fake_telegram import FakeTelegram
    from bot.devtools.fake_users import FakeUser

THREAD_NOT_FOUND = "message thread not found"
_TOPIC_PARAMS = {"chat_id": "chat", "message_thread_id": "int"}
check.PARAMS.update(
    {
        "createForumTopic": {
            "chat_id": "chat",
            "name": "str",
            "icon_color": "int",
            "icon_custom_emoji_id": "str",
        },
        "editForumTopic": _TOPIC_PARAMS | {"name": "str", "icon_custom_emoji_id": "str"},
        "closeForumTopic": _TOPIC_PARAMS,
        "reopenForumTopic": _TOPIC_PARAMS,
        "deleteForumTopic": _TOPIC_PARAMS,
    }
)
check.REQUIRED.update(
    {
        "createForumTopic": ("chat_id", "name"),
        "editForumTopic": ("chat_id", "message_thread_id"),
        "closeForumTopic": ("chat_id", "message_thread_id"),
        "reopenForumTopic": ("chat_id", "message_thread_id"),
        "deleteForumTopic": ("chat_id", "message_thread_id"),
    }
)
_ICON_COLORS = (7322096, 16766590, 13338331, 9367192, 16749490, 16478047)


@dataclass
class Topic:
    thread_id: int
    name: str
    icon_color: int
    closed: bool = False


@dataclass
class Forum:
    chat_id: int
    title: str
    per_minute: int
    topics: dict[int, Topic] = field(default_factory=dict)
    deleted: set[int] = field(default_factory=set)
    sent: deque[float] = field(default_factory=deque)
    penalty_until: float = 0.0

    def throttle(self, now: float) -> None:
        """Telegram's 20 messages a minute per group: beyond it, 429 until the oldest falls out."""
        if now < self.penalty_until:
            raise rate_limited(max(1, math.ceil(self.penalty_until - now)))
        while self.sent and self.sent[0] <= now - 60:
            self.sent.popleft()
        if len(self.sent) >= self.per_minute:
            retry_after = max(1, math.ceil(self.sent[0] + 60 - now))
            self.penalty_until = now + retry_after
            raise rate_limited(retry_after)
        self.sent.append(now)


class ForumMixin:
    """The forum part of FakeTelegram (kept apart so the core server stays readable)."""

    forums: dict[int, Forum]

    def _init_forums(self) -> None:
        self.forums = {}

    # -- test controls -------------------------------------------------------------------------------------
    def forum(self: FakeTelegram, chat_id: int, title: str = "Koldoo volunteers", per_minute: int = 20) -> Forum:
        """A supergroup with topics (chat ids of supergroups are negative), the bot an admin in it."""
        if chat_id >= 0:
            raise ValueError("a supergroup's chat id is negative, e.g. -1001234567890")
        self.known_chats.add(chat_id)
        forum = self.forums[chat_id] = Forum(chat_id, title, per_minute)
        return forum

    def member(self: FakeTelegram, user: FakeUser, chat_id: int) -> FakeMember:
        if chat_id not in self.forums:
            raise AssertionError(f"no forum {chat_id}: call tg.forum({chat_id}) first")
        return FakeMember(self, user, chat_id)

    def topic(self: FakeTelegram, chat_id: int, thread_id: int) -> Topic | None:
        return self.forums[chat_id].topics.get(thread_id)

    def topics(self: FakeTelegram, chat_id: int) -> list[Topic]:
        return list(self.forums[chat_id].topics.values())

    def thread(self: FakeTelegram, chat_id: int, thread_id: int) -> list[FakeMessage]:
        """The messages now in one topic, oldest first, without the service message that opened it."""
        return [message for message in self.chat(chat_id) if message.message_thread_id == thread_id and not message.service]

    def delete_topic_by_hand(self: FakeTelegram, chat_id: int, thread_id: int) -> None:
        """An admin deletes a topic in the Telegram app: it and its messages are gone."""
        self._delete_topic(chat_id, thread_id)

    # -- used by FakeTelegram ------------------------------------------------------------------------------
    def _forum_json(self, chat_id: int) -> dict[str, Any] | None:
        forum = self.forums.get(chat_id)
        if forum is None:
            return None
        return {"id": chat_id, "type": "supergroup", "title": forum.title, "is_forum": True}

    def _refused_after_deletion(self, call: Any) -> bool:
        """Sending into a topic someone deleted is not the bot's fault: it could not know."""
        forum = self.forums.get(call.params.get("chat_id"))
        return (
            forum is not None
            and call.description == f"Bad Request: {THREAD_NOT_FOUND}"
            and call.params.get("message_thread_id") in forum.deleted
        )

    def _checked_thread(self: FakeTelegram, chat_id: int, thread_id: int | None) -> int | None:
        """The topic a message goes to; a deleted or unknown one is Telegram's "message thread not found"."""
        forum = self.forums.get(chat_id)
        if forum is None or thread_id is None:
            return None
        if thread_id not in forum.topics:
            raise bad_request(THREAD_NOT_FOUND)
        return thread_id

    def _throttle_group(self, chat_id: int) -> None:
        forum = self.forums.get(chat_id)
        if forum is not None:
            forum.throttle(time.monotonic())

    def _topic_of(self: FakeTelegram, params: dict[str, Any]) -> tuple[Forum, Topic]:
        chat_id = self._target_chat(params["chat_id"])
        forum = self.forums.get(chat_id)
        if forum is None:
            raise bad_request("the chat is not a forum")
        topic = forum.topics.get(params["message_thread_id"])
        if topic is None:
            raise bad_request(THREAD_NOT_FOUND)
        return forum, topic

    def _delete_topic(self: FakeTelegram, chat_id: int, thread_id: int) -> None:
        forum = self.forums[chat_id]
        forum.topics.pop(thread_id, None)
        forum.deleted.add(thread_id)
        messages = self._chats.get(chat_id, {})
        for message_id in [mid for mid, m in messages.items() if m.message_thread_id == thread_id]:
            del messages[message_id]
        self._notify()

    # -- Bot API methods -----------------------------------------------------------------------------------
    async def _api_createForumTopic(self: FakeTelegram, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._target_chat(params["chat_id"])
        forum = self.forums.get(chat_id)
        if forum is None:
            raise bad_request("the chat is not a forum")
        name = params["name"]
        if not 1 <= len(name) <= 128:
            raise bad_request("TOPIC_TITLE_EMPTY" if not name else "TOPIC_TITLE_TOO_LONG")
        color = params.get("icon_color", _ICON_COLORS[len(forum.topics) % len(_ICON_COLORS)])
        if color not in _ICON_COLORS:
            raise bad_request("TOPIC_ICON_COLOR_INVALID")  # hypothetical wording; Telegram refuses other colours
        created = {"forum_topic_created": {"name": name, "icon_color": color}}
        service = self.add_message(chat_id, from_bot=True, kind="service", service=created)
        service.message_thread_id = service.message_id
        forum.topics[service.message_id] = Topic(service.message_id, name, color)
        return {"message_thread_id": service.message_id, "name": name, "icon_color": color}

    async def _api_editForumTopic(self: FakeTelegram, params: dict[str, Any]) -> bool:
        _, topic = self._topic_of(params)
        if "name" in params:
            if not 1 <= len(params["name"]) <= 128:
                raise bad_request("TOPIC_TITLE_EMPTY" if not params["name"] else "TOPIC_TITLE_TOO_LONG")
            if params["name"] == topic.name:
                raise bad_request("TOPIC_NOT_MODIFIED")
            topic.name = params["name"]
        self._notify()
        return True

    async def _api_closeForumTopic(self: FakeTelegram, params: dict[str, Any]) -> bool:
        _, topic = self._topic_of(params)
        if topic.closed:
            raise bad_request("TOPIC_NOT_MODIFIED")
        topic.closed = True
        self._notify()
        return True

    async def _api_reopenForumTopic(self: FakeTelegram, params: dict[str, Any]) -> bool:
        _, topic = self._topic_of(params)
        if not topic.closed:
            raise bad_request("TOPIC_NOT_MODIFIED")
        topic.closed = False
        self._notify()
        return True

    async def _api_deleteForumTopic(self: FakeTelegram, params: dict[str, Any]) -> bool:
        forum, topic = self._topic_of(params)
        self._delete_topic(forum.chat_id, topic.thread_id)
        return True


class FakeMember:
    """A person in a forum group: writes in topics, replies, edits and presses the bot's buttons there.

    Like FakeUser, each action waits until the bot handled it and returns the bot's messages sent or edited
    in the group meanwhile.
    """

    def __init__(self, tg: FakeTelegram, user: FakeUser, chat_id: int) -> None:
        self.tg = tg
        self.user = user
        self.chat_id = chat_id

    @property
    def id(self) -> int:
        return self.user.id

    async def send(self, text: str, thread: int | None = None, reply_to: int | None = None) -> list[FakeMessage]:
        from bot.devtools.fake_users import command_entities

        return await self._post("text", thread, reply_to, text=text, entities=command_entities(text))

    async def send_photo(self, thread: int, caption: str | None = None) -> list[FakeMessage]:
        from bot.devtools.fake_users import TINY_PNG

        stored = self.tg.store_file("photo", None, TINY_PNG)
        return await self._post("photo", thread, None, file=stored, text=caption)

    async def send_document(self, thread: int, filename: str = "answer.pdf") -> list[FakeMessage]:
        stored = self.tg.store_file("document", filename, b"%PDF-1.4\n%answer\n")
        return await self._post("document", thread, None, file=stored)

    async def send_voice(self, thread: int) -> list[FakeMessage]:
        stored = self.tg.store_file("voice", None, b"OggS\x00voice")
        return await self._post("voice", thread, None, file=stored)

    async def edit(self, message_id: int, text: str) -> list[FakeMessage]:
        """Edit one's own text message: Telegram sends an edited_message update."""
        message = self.tg._chats[self.chat_id][message_id]
        assert not message.from_bot and message.sender["id"] == self.id, "a member edits only their own messages"
        message.text, message.edit_date = text, int(time.time())
        message.edited += 1
        return await self._deliver({"edited_message": message.to_api()})

    async def press(self, text: str, thread: int | None = None) -> list[FakeMessage]:
        """Press the inline button labelled ``text`` on the latest bot message in the group (or the topic)."""
        messages = [m for m in self.tg.chat(self.chat_id) if m.from_bot and (thread is None or m.message_thread_id == thread)]
        for message in reversed(messages):
            for button in message.buttons:
                if button["text"] == text and "callback_data" in button:
                    return await self.press_data(button["callback_data"], message)
        raise AssertionError(f"no button {text!r} in group {self.chat_id}")

    async def press_data(self, data: str, message: FakeMessage) -> list[FakeMessage]:
        query = {
            "id": self.tg.new_callback_query(),
            "from": self.user.to_api(),
            "chat_instance": str(self.chat_id),
            "data": data,
            "message": message.to_api(),
        }
        return await self._deliver({"callback_query": query})

    def message_update(self, text: str, thread: int | None = None) -> dict[str, Any]:
        """Write a text in the group and return its update, for ``tg.push_update`` (no waiting)."""
        from bot.devtools.fake_users import command_entities

        return self._update("text", thread, None, text=text, entities=command_entities(text))

    async def _post(self, kind: str, thread: int | None, reply_to: int | None, **content: Any) -> list[FakeMessage]:
        return await self._deliver(self._update(kind, thread, reply_to, **content))

    def _update(self, kind: str, thread: int | None, reply_to: int | None, **content: Any) -> dict[str, Any]:
        forum = self.tg.forums[self.chat_id]
        if thread is not None:
            topic = forum.topics.get(thread)
            if topic is None:
                raise AssertionError(f"topic {thread} does not exist in group {self.chat_id}")
            if topic.closed:
                raise AssertionError(f"topic {thread} is closed: a member cannot write there")
        replied = None
        messages = self.tg._chats.get(self.chat_id, {})
        if reply_to is not None:
            replied = messages[reply_to]
        elif thread is not None:
            replied = messages.get(thread)  # the service message that created the topic
        message = self.tg.add_message(
            self.chat_id, from_bot=False, kind=kind, sender=self.user.to_api(), thread_id=thread, **content
        )
        message.reply_to = replied
        return {"message": message.to_api()}

    async def _deliver(self, update: dict[str, Any]) -> list[FakeMessage]:
        marker = self.tg.activity_marker()
        update_id = self.tg.push_update(update)
        await self.tg.wait_handled(update_id, timeout=self.tg.handle_timeout)
        return self.tg.bot_activity(self.chat_id, since=marker)
