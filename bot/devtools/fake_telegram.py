"""A strict fake Telegram Bot API server for end-to-end tests and the terminal simulator.

A real aiogram ``Bot`` talks to it over HTTP
(``AiohttpSession(api=TelegramAPIServer.from_base(fake.base_url))``) and the dispatcher runs unchanged with
long polling. The fake keeps the chats, answers like Telegram (same JSON, same error texts), and is stricter
than a mock can be: invalid HTML, over-long texts, unchanged edits, bad callback data, double callback
answers... are refused with Telegram's 400 and recorded in ``violations``, so a test fails on the bugs real
Telegram would only show in production.

In a test: ``u = tg.user(1001, language_code="ky")``; ``await u.send("/start")``, ``u.press("English")``,
``u.tap(...)``, ``u.share_contact(...)`` return the bot messages sent or edited in reply (see FakeUser);
``tg.chat(id)``, ``tg.calls_of(method)``, ``tg.wait_for(predicate)`` inspect; ``tg.blocked``, ``tg.fail()``,
``tg.outage()`` and the rate limits make Telegram misbehave; ``tg.assert_clean()`` checks the bot's manners.

Deliberate differences from Telegram: ``parse_mode`` Markdown/MarkdownV2 is refused (the project uses HTML),
an unescaped ``&`` in HTML is refused (see bot.services.telegram_html), and groups are bare supergroups (a
``known_chats`` id below 0; ``FakeUser.in_group`` writes there) without members, admins or inline mode.
"""

from __future__ import annotations

import asyncio
import mimetypes
import secrets
import socket
import time
from collections.abc import Callable
from http import HTTPStatus
from types import TracebackType
from typing import Any, Self

import aiohttp
from aiohttp import web
from yarl import URL

from bot.devtools import fake_validation as check
from bot.devtools.fake_faults import CountWindow, Fault, RateWindow, TokenBucket, rate_limited
from bot.devtools.fake_forum import ForumMixin
from bot.devtools.fake_models import (
    MESSAGE_KINDS_WITH_CAPTION,
    ApiCall,
    ApiError,
    FakeMessage,
    StoredFile,
    UploadedFile,
    bad_request,
)
from bot.devtools.fake_users import FakeUser

__all__ = ["ApiCall", "FakeMessage", "FakeTelegram", "FakeUser", "StoredFile"]

BLOCKED = "Forbidden: bot was blocked by the user"
NOT_STARTED = "Forbidden: bot can't initiate conversation with a user"
_IMAGE_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"RIFF")
_POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
)
_CONFLICT_GRACE = 0.1
_RECHECK_INTERVAL = 0.05  # wait_for also re-checks on this period, for state outside the fake (e.g. the DB)


class FakeTelegram(ForumMixin):
    """The fake server: start it, point a Bot at ``base_url``, play users, inspect chats and calls."""

    def __init__(
        self,
        *,
        token: str = "123456:TEST-token",
        bot_username: str = "koldoo_test_bot",
        rate_limit: float | None = None,
        per_chat_rate_limit: float | None = None,
        per_chat_burst: int = 1,
        per_group_limit: int | None = None,
        group_window: float = 60.0,
    ) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_username = bot_username
        self.bot_user: dict[str, Any] = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Koldoo",
            "username": bot_username,
        }
        self.base_url = ""
        self.handle_timeout = 10.0  # how long FakeUser helpers wait for the bot to handle an update
        self.calls: list[ApiCall] = []
        self.violations: list[ApiCall] = []
        self.blocked: set[int] = set()
        self.not_started: set[int] = set()  # users who never opened the private chat: the bot may not write
        self.known_chats: set[int] = set()
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.files: dict[str, StoredFile] = {}
        self.callback_answers: dict[str, dict[str, Any]] = {}
        self.webhook_url = ""
        self._reply_keyboards: dict[int, dict[str, Any]] = {}  # chat_id -> the reply keyboard shown there
        self._users: dict[int, FakeUser] = {}
        self._chats: dict[int, dict[int, FakeMessage]] = {}
        self._last_message_id: dict[int, int] = {}
        self._activity: list[tuple[int, int]] = []  # (chat_id, message_id) of each bot send or edit, in order
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 1
        self._confirmed_offset = 0
        self._skipped_updates: set[int] = set()  # filtered out by allowed_updates: handled without the bot
        self._webhook_targets: list[str] = []  # webhook mode: replicas' addresses, posted to in turn
        self._webhook_secret = ""
        self._webhook_turn = 0
        self._webhook_posts: set[asyncio.Task[None]] = set()
        self._webhook_http: aiohttp.ClientSession | None = None
        self._webhook_connections = asyncio.Semaphore(40)  # Telegram's default max_connections
        self._webhook_handled: set[int] = set()
        self.webhook_deliveries: list[tuple[int, str, int]] = []  # (update_id, target, HTTP status)
        self._allowed_updates: set[str] | None = None
        self._poll_generation = 0
        self._queries: dict[str, bool] = {}  # callback query id -> answered
        self._faults: list[Fault] = []
        self._outage: tuple[float, int] | None = None
        self._rate: RateWindow | None = None
        self._per_chat: tuple[float, int] | None = None
        self._per_group: tuple[int, float] | None = None
        self._chat_rates: dict[int, TokenBucket | CountWindow] = {}
        self.limit(
            rate=rate_limit,
            per_chat=per_chat_rate_limit,
            chat_burst=per_chat_burst,
            per_group=per_group_limit,
            group_window=group_window,
        )
        self._file_paths: dict[str, StoredFile] = {}
        self._changed = asyncio.Event()
        self._stopping = False
        self._runner: web.AppRunner | None = None
        self._init_forums()

    # -- lifecycle -----------------------------------------------------------------------------------------
    async def start(self) -> None:
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        # Cancel handlers whose client went away, so a poll abandoned by a stopped bot records nothing.
        self._runner = web.AppRunner(app, handler_cancellation=True, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        site = web.SockSite(self._runner, sock)
        await site.start()
        self.base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        self._stopping = False

    async def stop(self) -> None:
        self._stopping = True
        self._notify()
        for task in self._webhook_posts:
            task.cancel()
        await asyncio.gather(*self._webhook_posts, return_exceptions=True)
        if self._webhook_http is not None:
            await self._webhook_http.close()
            self._webhook_http = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    # -- test controls -------------------------------------------------------------------------------------
    def user(
        self,
        user_id: int,
        first_name: str | None = None,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> FakeUser:
        """A fake user with a private chat with the bot (calling it again updates the profile)."""
        user = FakeUser(
            self,
            user_id,
            first_name=first_name or f"User{user_id}",
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        self._users[user_id] = user
        return user

    @property
    def users(self) -> list[FakeUser]:
        return list(self._users.values())

    def fail(
        self,
        method: str | None = None,
        *,
        status: int = 500,
        times: int = 1,
        retry_after: int | None = None,
        description: str | None = None,
        delay: float = 0.0,
    ) -> None:
        """Make the next ``times`` calls of ``method`` (None: any but getUpdates) fail with ``status``.

        ``delay`` makes the server wait before answering; with ``status=200`` the call then succeeds normally
        (a slow, not failing, server). A 429 without ``retry_after`` gets retry_after=1.
        """
        self._faults.append(Fault(method, status, times, retry_after, description, delay))

    def limit(
        self,
        *,
        rate: float | None = None,
        per_chat: float | None = None,
        chat_burst: int = 1,
        per_group: int | None = None,
        group_window: float = 60.0,
    ) -> None:
        """Enforce Telegram's flood limits (None: off), each answered with 429 and a ``retry_after``:
        ``rate`` messages a second in all (going beyond starts a penalty, as Telegram does), ``per_chat``
        a second to one chat after a burst of ``chat_burst``, ``per_group`` per ``group_window`` seconds to
        one group (Telegram: 30/s, about 1/s with short bursts, 20 a minute)."""
        self._rate = RateWindow(rate) if rate else None
        self._per_chat = (per_chat, chat_burst) if per_chat else None
        self._per_group = (per_group, group_window) if per_group else None
        self._chat_rates.clear()

    @property
    def rate_limited(self) -> list[ApiCall]:
        """The calls answered 429 by a rate limit (not by ``fail``)."""
        return [call for call in self.calls if call.status == 429 and not call.injected]

    def lose_answers(self, method: str | None = None, *, times: int = 1, delay: float = 1.0) -> None:
        """Handle the next ``times`` calls of ``method`` normally (the message is delivered), then hold the
        answer back ``delay`` seconds: a client with a shorter timeout never learns it was delivered."""
        self._faults.append(Fault(method, 200, times, None, None, delay, answer_late=True))

    def heal(self) -> None:
        """Forget every fault queued by ``fail``/``lose_answers`` and end an ``outage``: Telegram is back."""
        self._faults.clear()
        self._outage = None

    def outage(self, seconds: float, status: int = 502) -> None:
        """Every call except getUpdates fails with ``status`` for ``seconds``."""
        self._outage = (time.monotonic() + seconds, status)

    def push_update(self, update: dict[str, Any]) -> int:
        """Queue a raw update (its update_id is assigned here) and return the update_id."""
        update_id = self._next_update_id
        self._next_update_id += 1
        if self._webhook_targets:
            task = asyncio.ensure_future(self._post_update({**update, "update_id": update_id}))
            self._webhook_posts.add(task)
            task.add_done_callback(self._webhook_posts.discard)
            return update_id
        self._updates.append({**update, "update_id": update_id})
        self._notify()
        return update_id

    def deliver_to(self, targets: list[str], secret: str) -> None:
        """Webhook mode, as Telegram does it: each update is POSTed with the secret header, to the targets in
        turn (several replicas behind one address), and posted again, to the next one, until one answers
        200. Updates pushed before were queued for getUpdates and stay there."""
        self._webhook_targets, self._webhook_secret = list(targets), secret

    async def deliver_again(self, update: dict[str, Any]) -> None:
        """Telegram delivers an update a second time (its first answer was lost, say)."""
        await self._post_update(update)

    async def _post_update(self, update: dict[str, Any]) -> None:
        headers = {"X-Telegram-Bot-Api-Secret-Token": self._webhook_secret}
        if self._webhook_http is None:
            self._webhook_http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        while True:
            target = self._webhook_targets[self._webhook_turn % len(self._webhook_targets)]
            self._webhook_turn += 1
            try:
                async with self._webhook_connections, self._webhook_http.post(target, json=update, headers=headers) as response:
                    status = response.status
            except (aiohttp.ClientError, TimeoutError):
                status = 0  # the replica is gone: Telegram tries again later
            self.webhook_deliveries.append((update["update_id"], target, status))
            if status == 200:
                self._webhook_handled.add(update["update_id"])
                self._notify()
                return
            await asyncio.sleep(0.2)

    async def wait_handled(self, update_id: int, timeout: float = 10.0) -> None:
        """Wait until the bot asked for updates past ``update_id``: with sequential polling, it handled it."""
        await self.wait_for(
            lambda: self._confirmed_offset > update_id
            or update_id in self._skipped_updates
            or update_id in self._webhook_handled,
            timeout=timeout,
            message=f"the bot did not handle update {update_id} (no getUpdates with a higher offset)",
        )

    async def wait_for(
        self, predicate: Callable[[], Any], timeout: float = 5.0, message: str | None = None
    ) -> None:
        """Wait until ``predicate()`` is true, re-checking whenever the fake's state changes."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            remaining = deadline - loop.time()
            if remaining <= 0:
                recent = ", ".join(f"{call.method}->{call.status}" for call in self.calls[-8:])
                what = message or f"condition {predicate!r}"
                raise AssertionError(f"{what} not met within {timeout}s; last calls: {recent}")
            await self._wait_change(min(remaining, _RECHECK_INTERVAL))

    # -- inspection ----------------------------------------------------------------------------------------
    def chat(self, chat_id: int) -> list[FakeMessage]:
        """The messages now in a chat, oldest first (edits applied, deleted ones gone)."""
        return list(self._chats.get(chat_id, {}).values())

    def reply_keyboard(self, chat_id: int) -> dict[str, Any] | None:
        """The reply keyboard the user now sees in a chat (it outlives its message, as in Telegram)."""
        return self._reply_keyboards.get(chat_id)

    def calls_of(self, method: str) -> list[ApiCall]:
        return [call for call in self.calls if call.method == method]

    def unanswered_callback_queries(self) -> list[str]:
        return [query_id for query_id, answered in self._queries.items() if not answered]

    def assert_clean(self) -> None:
        """Fail with a readable list if the bot made invalid calls or left callback queries unanswered."""
        problems = [
            f"{call.method}: {call.status} {call.description} {call.params}" for call in self.violations
        ]
        problems += [
            f"callback query {query_id} never answered" for query_id in self.unanswered_callback_queries()
        ]
        if problems:
            raise AssertionError("the bot misused the Bot API:\n" + "\n".join(problems))

    # -- used by FakeUser ----------------------------------------------------------------------------------
    def add_message(
        self,
        chat_id: int,
        *,
        from_bot: bool,
        kind: str,
        sender: dict[str, Any] | None = None,
        thread_id: int | None = None,
        **content: Any,
    ) -> FakeMessage:
        """Store a new message in a chat (message ids increase per chat, as in Telegram); in a group, the
        `sender` is the member who wrote it and `thread_id` the forum topic."""
        message_id = self._last_message_id.get(chat_id, 0) + 1
        self._last_message_id[chat_id] = message_id
        user = self._users.get(chat_id)
        if sender is None:
            sender = self.bot_user if from_bot else (user.to_api() if user else self._chat_json(chat_id))
        message = FakeMessage(
            message_id=message_id,
            chat=self._chat_json(chat_id),
            sender=sender,
            message_thread_id=thread_id,
            from_bot=from_bot,
            kind=kind,
            date=int(time.time()),
            **content,
        )
        self._chats.setdefault(chat_id, {})[message_id] = message
        if from_bot:
            self._activity.append((chat_id, message_id))
        self._notify()
        return message

    def store_file(self, kind: str, filename: str | None, content: bytes) -> StoredFile:
        """Keep a file under a new file_id."""
        mime_type = mimetypes.guess_type(filename)[0] if filename else None
        stored = StoredFile(
            file_id=f"{kind[:3].upper()}-{secrets.token_urlsafe(12)}",
            file_unique_id=secrets.token_hex(8),
            kind=kind,
            filename=filename,
            content=content,
            mime_type=mime_type,
        )
        self.files[stored.file_id] = stored
        return stored

    def new_callback_query(self) -> str:
        query_id = str(secrets.randbits(62))
        self._queries[query_id] = False
        return query_id

    def activity_marker(self) -> int:
        return len(self._activity)

    def bot_activity(self, chat_id: int, since: int) -> list[FakeMessage]:
        """Bot messages sent or edited in a chat since the marker, once each, as they are now."""
        messages: dict[int, FakeMessage] = {}
        current = self._chats.get(chat_id, {})
        for activity_chat, message_id in self._activity[since:]:
            if activity_chat == chat_id and message_id in current:
                messages.setdefault(message_id, current[message_id])
        return list(messages.values())

    # -- HTTP ----------------------------------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.Response:
        name = request.match_info["method"]
        method = next((known for known in check.PARAMS if known.lower() == name.lower()), name)
        call = ApiCall(method, {}, {})
        try:
            call.params, call.files = await _read_request(request)
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            if method not in check.PARAMS:
                raise ApiError(404, "Not Found")
            await self._inject_fault(call)
            call.params = check.decode_params(method, call.params, call.files)
            result = await getattr(self, f"_api_{method}")(call.params)
            call.status, call.response = 200, {"ok": True, "result": result}
        except ApiError as error:
            call.status, call.response = error.status, error.response()
        self._record(call)
        late = next((fault for fault in self._faults if fault.matches(method, answer_late=True)), None)
        if late is not None and call.ok:
            late.remaining -= 1
            if late.remaining <= 0:
                self._faults.remove(late)
            call.answer_lost = True
            await asyncio.sleep(late.delay)  # the client gave up meanwhile; the message stays delivered
        return web.json_response(call.response, status=call.status)

    async def _inject_fault(self, call: ApiCall) -> None:
        fault = next((fault for fault in self._faults if fault.matches(call.method)), None)
        if fault is not None:
            fault.remaining -= 1
            if fault.remaining <= 0:
                self._faults.remove(fault)
            await asyncio.sleep(fault.delay)
            if fault.status != 200:
                call.injected = True
                raise fault.error()
        if self._outage and call.method != "getUpdates":
            until, status = self._outage
            if time.monotonic() < until:
                call.injected = True
                raise ApiError(status, HTTPStatus(status).phrase)
            self._outage = None

    def _record(self, call: ApiCall) -> None:
        self.calls.append(call)
        is_bot_bug = 400 <= call.status < 500 and call.status != 429 and call.description not in (BLOCKED, NOT_STARTED)
        if is_bot_bug and not call.injected and not self._refused_after_deletion(call):
            self.violations.append(call)
        self._notify()

    async def _download(self, request: web.Request) -> web.Response:
        stored = self._file_paths.get(request.match_info["path"])
        if request.match_info["token"] != self.token or stored is None:
            return web.json_response({"ok": False, "error_code": 404, "description": "Not Found"}, status=404)
        return web.Response(body=stored.content, content_type=stored.mime_type or "application/octet-stream")

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait_change(self, timeout: float) -> None:
        try:
            await asyncio.wait_for(self._changed.wait(), timeout)
        except TimeoutError:
            pass

    # -- chats ---------------------------------------------------------------------------------------------
    def _chat_json(self, chat_id: int) -> dict[str, Any]:
        forum = self._forum_json(chat_id)
        if forum is not None:
            return forum
        user = self._users.get(chat_id)
        if user is not None:
            return user.chat_json()
        if chat_id < 0:
            return {"id": chat_id, "type": "supergroup", "title": f"Group {chat_id}"}
        return {"id": chat_id, "type": "private", "first_name": f"User{chat_id}"}

    def _is_known(self, chat_id: int | str) -> bool:
        """Chats exist for fake users and for ``known_chats``; the fake has no public @usernames."""
        return isinstance(chat_id, int) and (chat_id in self._users or chat_id in self.known_chats)

    def _target_chat(self, chat_id: int | str) -> int:
        """Check that the bot may write to a chat: known (else 400) and not blocked (else 403)."""
        if not self._is_known(chat_id):
            raise bad_request("chat not found")
        if chat_id in self.blocked:
            raise ApiError(403, BLOCKED)
        if chat_id in self.not_started:
            raise ApiError(403, NOT_STARTED)
        return chat_id

    def _message(self, chat_id: int, message_id: int | None, missing: str) -> FakeMessage:
        message = self._chats.get(chat_id, {}).get(message_id) if message_id is not None else None
        if message is None:
            raise bad_request(missing)
        return message

    def _throttle(self, chat_id: int) -> None:
        """Refuse with 429 a message beyond the global, per-chat or per-group rate limit."""
        now = time.monotonic()
        windows: list[RateWindow | TokenBucket | CountWindow] = [self._rate] if self._rate else []
        if chat_id < 0 and self._per_group:
            windows.append(self._chat_rates.setdefault(chat_id, CountWindow(*self._per_group)))
        elif chat_id > 0 and self._per_chat:
            windows.append(self._chat_rates.setdefault(chat_id, TokenBucket(*self._per_chat)))
        for window in windows:
            retry_after = window.retry_after(now)
            if retry_after is not None:
                raise rate_limited(retry_after)
        for window in windows:
            window.record(now)

    def _send(self, chat_id: int, kind: str, params: dict[str, Any], **content: Any) -> FakeMessage:
        markup = check.reply_markup(params.get("reply_markup"))
        reply = params.get("reply_parameters") or {}
        replied_exists = reply.get("message_id") in (None, *self._chats.get(chat_id, {}))
        if not replied_exists and not reply.get("allow_sending_without_reply"):
            raise bad_request("message to be replied not found")
        thread_id = self._checked_thread(chat_id, params.get("message_thread_id"))
        self._throttle(chat_id)
        self._throttle_group(chat_id)
        if markup and "keyboard" in markup:
            self._reply_keyboards[chat_id] = markup
        elif markup and "remove_keyboard" in markup:
            self._reply_keyboards.pop(chat_id, None)
        return self.add_message(
            chat_id,
            from_bot=True,
            kind=kind,
            parse_mode=params.get("parse_mode"),
            reply_markup=markup,
            thread_id=thread_id,
            protected=bool(params.get("protect_content")),
            **content,
        )

    def _edit(
        self,
        message: FakeMessage,
        text: str | None,
        entities: list[dict[str, Any]],
        markup: dict[str, Any] | None,
        parse_mode: str | None,
    ) -> dict[str, Any]:
        """Apply an edit, refusing one that changes nothing the user sees (Telegram's "not modified")."""
        if (message.text or None, message.entities, message.inline_markup) == (
            text or None,
            entities,
            markup,
        ):
            raise bad_request(
                "message is not modified: specified new message content and reply markup are exactly the "
                "same as a current content and reply markup of the message"
            )
        message.parse_mode = parse_mode
        message.text, message.entities, message.reply_markup = text, entities, markup
        message.edited += 1
        message.edit_date = int(time.time())
        self._activity.append((message.chat_id, message.message_id))
        self._notify()
        return message.to_api()

    def _message_to_edit(self, params: dict[str, Any]) -> FakeMessage:
        if "inline_message_id" in params:
            raise bad_request("message to edit not found")
        if "chat_id" not in params or "message_id" not in params:
            raise bad_request("message identifier is not specified")
        message = self._message(
            self._target_chat(params["chat_id"]), params["message_id"], "message to edit not found"
        )
        if not message.from_bot:
            raise bad_request("message can't be edited")
        return message

    def _input_file(self, value: UploadedFile | str, kind: str) -> StoredFile:
        if isinstance(value, UploadedFile):
            if not value.content:
                raise bad_request("file must be non-empty")
            if kind == "photo" and not value.content.startswith(_IMAGE_SIGNATURES):
                raise bad_request("IMAGE_PROCESS_FAILED")
            return self.store_file(kind, value.filename, value.content)
        if value.startswith(("http://", "https://")):
            return self.store_file(kind, value.rsplit("/", 1)[-1] or None, b"")
        stored = self.files.get(value)
        if stored is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if stored.kind != kind:
            raise bad_request(f"can't use file of type {stored.kind.title()} as {kind.title()}")
        return stored

    def _deliverable(self, limit: int) -> list[dict[str, Any]]:
        allowed = self._allowed_updates
        if allowed:
            for update in self._updates:
                if not allowed.intersection(update):
                    self._skipped_updates.add(update["update_id"])
            self._updates = [update for update in self._updates if allowed.intersection(update)]
        return self._updates[:limit]

    # -- Bot API methods -----------------------------------------------------------------------------------
    async def _api_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return self.bot_user | {
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    async def _api_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete "
                "the webhook first",
            )
        offset = params.get("offset", 0)
        if offset > 0:
            self._confirmed_offset = max(self._confirmed_offset, offset)
            self._updates = [update for update in self._updates if update["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        if "allowed_updates" in params:
            self._allowed_updates = set(params["allowed_updates"] or ())
        limit = min(max(params.get("limit", 100), 1), 100)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(params.get("timeout", 0), 0)
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()
        while True:
            if generation != self._poll_generation:
                # A poll abandoned by a stopped bot is cancelled once its connection closes; only a poll whose
                # client is still there after that grace time belongs to a second running bot instance.
                await asyncio.sleep(_CONFLICT_GRACE)
                raise ApiError(409, _POLL_CONFLICT)
            batch = self._deliverable(limit)
            remaining = deadline - loop.time()
            if batch or self._stopping or remaining <= 0:
                return batch
            await self._wait_change(remaining)

    async def _api_setWebhook(self, params: dict[str, Any]) -> bool:
        if not params["url"].startswith("https://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook_url = params["url"]
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _api_deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook_url = ""
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    async def _api_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": self.webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }

    async def _api_setMyCommands(self, params: dict[str, Any]) -> bool:
        key = check.scope_key(params.get("scope"), params.get("language_code"))
        commands = check.bot_commands(params["commands"])
        if commands:
            self.commands[key] = commands
        else:
            self.commands.pop(key, None)
        return True

    async def _api_getMyCommands(self, params: dict[str, Any]) -> list[dict[str, str]]:
        return self.commands.get(check.scope_key(params.get("scope"), params.get("language_code")), [])

    async def _api_deleteMyCommands(self, params: dict[str, Any]) -> bool:
        self.commands.pop(check.scope_key(params.get("scope"), params.get("language_code")), None)
        return True

    async def _api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._target_chat(params["chat_id"])
        text, entities = check.formatted_text(
            params.get("text"), params.get("parse_mode"), params.get("entities"), caption=False
        )
        return self._send(chat_id, "text", params, text=text, entities=entities).to_api()

    async def _send_media(self, params: dict[str, Any], kind: str) -> dict[str, Any]:
        chat_id = self._target_chat(params["chat_id"])
        caption, entities = check.formatted_text(
            params.get("caption"), params.get("parse_mode"), params.get("caption_entities"), caption=True
        )
        file = self._input_file(params[kind], kind)
        return self._send(chat_id, kind, params, text=caption or None, entities=entities, file=file).to_api()

    async def _api_sendPhoto(self, params: dict[str, Any]) -> dict[str, Any]:
        return await self._send_media(params, "photo")

    async def _api_sendVideo(self, params: dict[str, Any]) -> dict[str, Any]:
        return await self._send_media(params, "video")

    async def _api_sendDocument(self, params: dict[str, Any]) -> dict[str, Any]:
        return await self._send_media(params, "document")

    async def _api_copyMessage(self, params: dict[str, Any]) -> dict[str, int]:
        chat_id = self._target_chat(params["chat_id"])
        source_chat = params["from_chat_id"]
        if not self._is_known(source_chat):
            raise bad_request("chat not found")
        source = self._message(source_chat, params["message_id"], "message to copy not found")
        if source.kind == "service":
            raise bad_request("message can't be copied")
        text, entities = source.text, source.entities
        if "caption" in params and source.kind in MESSAGE_KINDS_WITH_CAPTION:
            text, entities = check.formatted_text(
                params["caption"], params.get("parse_mode"), params.get("caption_entities"), caption=True
            )
        copy = self._send(
            chat_id,
            source.kind,
            params,
            text=text or None,
            entities=entities,
            file=source.file,
            contact=source.contact,
            location=source.location,
        )
        return {"message_id": copy.message_id}

    async def _api_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._message_to_edit(params)
        if message.kind != "text":
            raise bad_request("there is no text in the message to edit")
        text, entities = check.formatted_text(
            params.get("text"), params.get("parse_mode"), params.get("entities"), caption=False
        )
        markup = check.reply_markup(params.get("reply_markup"), inline_only=True)
        return self._edit(message, text, entities, markup, params.get("parse_mode"))

    async def _api_editMessageCaption(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._message_to_edit(params)
        if message.kind not in MESSAGE_KINDS_WITH_CAPTION:
            raise bad_request("there is no caption in the message to edit")
        caption, entities = check.formatted_text(
            params.get("caption"), params.get("parse_mode"), params.get("caption_entities"), caption=True
        )
        markup = check.reply_markup(params.get("reply_markup"), inline_only=True)
        return self._edit(message, caption or None, entities, markup, params.get("parse_mode"))

    async def _api_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._message_to_edit(params)
        markup = check.reply_markup(params.get("reply_markup"), inline_only=True)
        return self._edit(message, message.text, message.entities, markup, message.parse_mode)

    async def _api_deleteMessage(self, params: dict[str, Any]) -> bool:
        chat_id = self._target_chat(params["chat_id"])
        message = self._message(chat_id, params["message_id"], "message to delete not found")
        del self._chats[chat_id][message.message_id]
        self._notify()
        return True

    async def _api_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        query_id = params["callback_query_id"]
        if self._queries.get(query_id, True):
            raise bad_request("query is too old and response timeout expired or query ID is invalid")
        check.callback_answer_text(params.get("text"))
        self._queries[query_id] = True
        self.callback_answers[query_id] = {
            key: params[key] for key in ("text", "show_alert", "url", "cache_time") if key in params
        }
        return True

    async def _api_sendChatAction(self, params: dict[str, Any]) -> bool:
        self._target_chat(params["chat_id"])
        if params["action"] not in check.CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    async def _api_getChat(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = params["chat_id"]
        if not self._is_known(chat_id):
            raise bad_request("chat not found")
        return self._chat_json(chat_id) | {
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": True,
                "limited_gifts": True,
                "unique_gifts": True,
                "premium_subscription": True,
                "gifts_from_channels": True,
            },
        }

    async def _api_getFile(self, params: dict[str, Any]) -> dict[str, Any]:
        stored = self.files.get(params["file_id"])
        if stored is None:
            raise bad_request("invalid file_id")
        extension = mimetypes.guess_extension(stored.mime_type or "") or ""
        path = f"{stored.kind}s/file_{stored.file_unique_id}{extension}"
        self._file_paths[path] = stored
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_size": stored.size,
            "file_path": path,
        }

    async def _api_close(self, params: dict[str, Any]) -> bool:
        return True

    async def _api_logOut(self, params: dict[str, Any]) -> bool:
        return True


async def _read_request(request: web.Request) -> tuple[dict[str, Any], dict[str, UploadedFile]]:
    """Decode the parameters of a Bot API request: query string plus JSON, urlencoded or multipart body."""
    raw: dict[str, Any] = dict(request.query)
    uploads: dict[str, UploadedFile] = {}
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise bad_request("can't parse JSON request") from None
        if not isinstance(body, dict):
            raise bad_request("can't parse JSON request")
        raw.update(body)
    elif request.content_type == "multipart/form-data":
        reader = await request.multipart()
        async for part in reader:
            if part.filename is not None:
                uploads[part.name] = UploadedFile(part.filename, bytes(await part.read()))
            else:
                raw[part.name] = await part.text()
    elif request.content_type == "application/x-www-form-urlencoded":
        # yarl's C unquoter: urllib's, behind request.post(), took a third of the fake's time in bench/load.py
        raw.update(URL.build(query_string=await request.text(), encoded=True).query)
    elif request.can_read_body:
        raw.update(await request.post())
    return raw, uploads
