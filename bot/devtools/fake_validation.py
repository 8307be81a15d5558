"""Request validation of the fake Bot API server, with Telegram's error texts.

Pure functions: they take decoded request values and either return the checked value or raise ApiError.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

from bot.devtools.fake_models import ApiError, UploadedFile, bad_request
from bot.services.telegram_html import TelegramHtmlError, parse_html, utf16_len

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_INLINE_BUTTONS = 100
MAX_INLINE_ROW = 8
MAX_COMMANDS = 100
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
_LANGUAGE_RE = re.compile(r"[a-z]{2}")
_INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_KEYBOARD_REQUESTS = (
    "request_users",
    "request_chat",
    "request_contact",
    "request_location",
    "request_poll",
    "web_app",
)
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)

# Parameter kinds: int, str, chat (Integer or String), bool, json (object or array), file (InputFile or String).
_TEXT_PARAMS = {"parse_mode": "str", "entities": "json", "link_preview_options": "json"}
_CAPTION_PARAMS = {"caption": "str", "parse_mode": "str", "caption_entities": "json"}
_SEND_PARAMS = {
    "chat_id": "chat",
    "message_thread_id": "int",
    "disable_notification": "bool",
    "protect_content": "bool",
    "allow_paid_broadcast": "bool",
    "message_effect_id": "str",
    "reply_parameters": "json",
    "reply_markup": "json",
    "business_connection_id": "str",
}
_EDIT_PARAMS = {
    "chat_id": "chat",
    "message_id": "int",
    "inline_message_id": "str",
    "reply_markup": "json",
    "business_connection_id": "str",
}
_SCOPE_PARAMS = {"scope": "json", "language_code": "str"}
PARAMS: dict[str, dict[str, str]] = {
    "getMe": {},
    "getUpdates": {"offset": "int", "limit": "int", "timeout": "int", "allowed_updates": "json"},
    "setWebhook": {
        "url": "str",
        "certificate": "file",
        "ip_address": "str",
        "max_connections": "int",
        "allowed_updates": "json",
        "drop_pending_updates": "bool",
        "secret_token": "str",
    },
    "deleteWebhook": {"drop_pending_updates": "bool"},
    "getWebhookInfo": {},
    "setMyCommands": {"commands": "json"} | _SCOPE_PARAMS,
    "getMyCommands": _SCOPE_PARAMS,
    "deleteMyCommands": _SCOPE_PARAMS,
    "sendMessage": _SEND_PARAMS | _TEXT_PARAMS | {"text": "str"},
    "editMessageText": _EDIT_PARAMS | _TEXT_PARAMS | {"text": "str"},
    "editMessageReplyMarkup": _EDIT_PARAMS,
    "editMessageCaption": _EDIT_PARAMS | _CAPTION_PARAMS | {"show_caption_above_media": "bool"},
    "deleteMessage": {"chat_id": "chat", "message_id": "int"},
    "answerCallbackQuery": {
        "callback_query_id": "str",
        "text": "str",
        "show_alert": "bool",
        "url": "str",
        "cache_time": "int",
    },
    "copyMessage": _SEND_PARAMS
    | _CAPTION_PARAMS
    | {"from_chat_id": "chat", "message_id": "int", "show_caption_above_media": "bool"},
    "sendPhoto": _SEND_PARAMS
    | _CAPTION_PARAMS
    | {"photo": "file", "has_spoiler": "bool", "show_caption_above_media": "bool"},
    "sendVideo": _SEND_PARAMS
    | _CAPTION_PARAMS
    | {
        "video": "file",
        "duration": "int",
        "width": "int",
        "height": "int",
        "thumbnail": "file",
        "supports_streaming": "bool",
        "has_spoiler": "bool",
    },
    "sendDocument": _SEND_PARAMS
    | _CAPTION_PARAMS
    | {"document": "file", "thumbnail": "file", "disable_content_type_detection": "bool"},
    "sendChatAction": {"chat_id": "chat", "action": "str", "message_thread_id": "int", "business_connection_id": "str"},
    "getChat": {"chat_id": "chat"},
    "getFile": {"file_id": "str"},
    "close": {},
    "logOut": {},
}
REQUIRED: dict[str, tuple[str, ...]] = {
    "setWebhook": ("url",),
    "setMyCommands": ("commands",),
    "sendMessage": ("chat_id",),
    "deleteMessage": ("chat_id", "message_id"),
    "answerCallbackQuery": ("callback_query_id",),
    "copyMessage": ("chat_id", "from_chat_id", "message_id"),
    "sendPhoto": ("chat_id", "photo"),
    "sendVideo": ("chat_id", "video"),
    "sendDocument": ("chat_id", "document"),
    "sendChatAction": ("chat_id", "action"),
    "getChat": ("chat_id",),
    "getFile": ("file_id",),
}
_JSON_ERRORS = {
    "reply_markup": "can't parse reply keyboard markup JSON object",
    "entities": "can't parse entities JSON object",
    "caption_entities": "can't parse entities JSON object",
    "commands": "can't parse commands JSON object",
}


def decode_params(
    method: str, raw: dict[str, Any], uploads: dict[str, UploadedFile]
) -> dict[str, Any]:
    """Convert the raw request values (strings from a form, or JSON values) to the method's parameter types.

    Parameters the method does not know are kept as given (Telegram ignores them). Files referenced with
    ``attach://name`` or sent as a part named like the parameter become UploadedFile values.
    """
    spec = PARAMS[method]
    params: dict[str, Any] = {}
    for name, value in raw.items():
        kind = spec.get(name)
        params[name] = value if kind is None else _decode(name, kind, value, uploads)
    for name, upload in uploads.items():
        if spec.get(name) == "file" and name not in params:
            params[name] = upload
    for name in REQUIRED.get(method, ()):
        if params.get(name) in (None, ""):
            raise bad_request(f"{name} is empty")
    return params


def _decode(name: str, kind: str, value: Any, uploads: dict[str, UploadedFile]) -> Any:
    if kind == "str":
        if isinstance(value, (dict, list)):
            raise bad_request(f'field "{name}" must be of type String')
        return str(value)
    if kind == "int":
        return _integer(name, value)
    if kind == "chat":
        if isinstance(value, str) and value.startswith("@"):
            return value
        return _integer(name, value)
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if str(value).lower() in ("true", "1"):
            return True
        if str(value).lower() in ("false", "0", ""):
            return False
        raise bad_request(f'field "{name}" must be of type Boolean')
    if kind == "json":
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(_JSON_ERRORS.get(name, f"can't parse {name} JSON object")) from None
        return value
    # file: an upload, an attach:// reference to one, or a file_id / URL string
    if isinstance(value, UploadedFile):
        return value
    text = str(value)
    if text.startswith("attach://"):
        upload = uploads.get(text.removeprefix("attach://"))
        if upload is None:
            raise bad_request(f"file {text} not found in the request")
        return upload
    return text


def _integer(name: str, value: Any) -> int:
    if isinstance(value, bool):
        raise bad_request(f'field "{name}" must be of type Integer')
    if isinstance(value, int):
        return value
    try:
        return int(str(value))
    except ValueError:
        if name in ("chat_id", "from_chat_id"):
            raise bad_request("chat not found") from None
        raise bad_request(f'field "{name}" must be of type Integer') from None


def formatted_text(
    text: str | None, parse_mode: str | None, entities: Any, *, caption: bool
) -> tuple[str, list[dict[str, Any]]]:
    """Apply parse_mode (or explicit entities) and Telegram's length rules to a text or a caption."""
    text = text or ""
    if parse_mode:
        mode = parse_mode.lower()
        if mode != "html":
            if mode in ("markdown", "markdownv2"):
                raise bad_request(f"parse_mode {parse_mode} is not supported by the fake server; use HTML")
            raise bad_request(f"unsupported parse_mode {parse_mode!r}")
        try:
            plain, parsed = parse_html(text)
        except TelegramHtmlError as error:
            raise bad_request(f"can't parse entities: {error.description}") from None
    else:
        plain, parsed = text, _checked_entities(entities)
    plain, parsed = _strip(plain, parsed)
    length = utf16_len(plain)
    if caption:
        if length > MAX_CAPTION_LENGTH:
            raise bad_request("message caption is too long")
    elif not plain:
        raise bad_request("message text is empty")
    elif length > MAX_TEXT_LENGTH:
        raise bad_request("message is too long")
    return plain, parsed


def _checked_entities(entities: Any) -> list[dict[str, Any]]:
    if entities is None:
        return []
    if not isinstance(entities, list) or not all(
        isinstance(entity, dict)
        and isinstance(entity.get("type"), str)
        and isinstance(entity.get("offset"), int)
        and isinstance(entity.get("length"), int)
        for entity in entities
    ):
        raise bad_request("can't parse entities JSON object")
    return [dict(entity) for entity in entities]


def _strip(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Trim surrounding whitespace as Telegram does, moving and clipping the entities with the text."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    shift = utf16_len(text[: len(text) - len(text.lstrip())])
    size = utf16_len(stripped)
    kept = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        end = min(entity["offset"] + entity["length"] - shift, size)
        if end > start:
            kept.append(entity | {"offset": start, "length": end - start})
    return stripped, kept


def reply_markup(markup: Any, *, inline_only: bool = False) -> dict[str, Any] | None:
    """Check a reply_markup value; return it (None when absent)."""
    if markup is None:
        return None
    kinds = [key for key in ("inline_keyboard", "keyboard", "remove_keyboard", "force_reply") if key in markup] if (
        isinstance(markup, dict)
    ) else []
    if len(kinds) != 1:
        raise bad_request("can't parse reply keyboard markup JSON object")
    if inline_only and kinds[0] != "inline_keyboard":
        raise bad_request("inline keyboard expected")
    if kinds[0] == "inline_keyboard":
        _inline_keyboard(markup["inline_keyboard"])
    elif kinds[0] == "keyboard":
        _reply_keyboard(markup)
    elif markup[kinds[0]] is not True:
        raise bad_request(f'field "{kinds[0]}" must be True')
    return markup


def _rows(rows: Any, field_name: str, markup_name: str) -> list[list[Any]]:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(f'field "{field_name}" of the {markup_name} should be an Array of Arrays')
    return rows


def _inline_keyboard(rows: Any) -> None:
    rows = _rows(rows, "inline_keyboard", "InlineKeyboardMarkup")
    if sum(len(row) for row in rows) > MAX_INLINE_BUTTONS or any(len(row) > MAX_INLINE_ROW for row in rows):
        raise bad_request("BUTTONS_TOO_MUCH")
    for button in (button for row in rows for button in row):
        if not isinstance(button, dict) or not isinstance(button.get("text"), str):
            raise bad_request("can't parse inline keyboard button: Field \"text\" must be of type String")
        if not button["text"].strip():
            raise bad_request("BUTTON_TEXT_INVALID")
        actions = [action for action in _INLINE_ACTIONS if action in button]
        if not actions:
            raise bad_request("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
        if len(actions) > 1:
            raise bad_request("can't parse inline keyboard button: only one of the optional fields must be used")
        if "callback_data" in button:
            data = button["callback_data"]
            if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
                raise bad_request("BUTTON_DATA_INVALID")
        if "url" in button and not is_button_url(button["url"]):
            raise bad_request("BUTTON_URL_INVALID")


def is_button_url(url: Any) -> bool:
    """An inline button url must be http(s):// or tg:// with a host."""
    if not isinstance(url, str):
        return False
    parts = urlsplit(url)
    return parts.scheme.lower() in ("http", "https", "tg") and bool(parts.netloc)


def _reply_keyboard(markup: dict[str, Any]) -> None:
    rows = _rows(markup["keyboard"], "keyboard", "ReplyKeyboardMarkup")
    if not rows or not any(rows):
        raise bad_request("keyboard must be non-empty")
    for button in (button for row in rows for button in row):
        if isinstance(button, str):
            button = {"text": button}
        if not isinstance(button, dict) or not isinstance(button.get("text"), str) or not button["text"].strip():
            raise bad_request("can't parse keyboard button: Field \"text\" must be of type String")
        if sum(1 for request in _KEYBOARD_REQUESTS if button.get(request)) > 1:
            raise bad_request("can't parse keyboard button: only one of the optional fields must be used")
    placeholder = markup.get("input_field_placeholder")
    if placeholder is not None and not 1 <= len(str(placeholder)) <= 64:
        raise bad_request("input field placeholder must be 1-64 characters long")


def bot_commands(commands: Any) -> list[dict[str, str]]:
    """Check a setMyCommands list: at most 100 commands of a-z0-9_ (1-32) with a 1-256 character description."""
    if not isinstance(commands, list) or not all(isinstance(command, dict) for command in commands):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > MAX_COMMANDS:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    checked = []
    for command in commands:
        name, description = command.get("command"), command.get("description")
        if not isinstance(name, str) or not _COMMAND_RE.fullmatch(name):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description.strip()) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        checked.append({"command": name, "description": description})
    return checked


def scope_key(scope: Any, language_code: str | None) -> tuple[str, str]:
    """The key commands are stored under: (scope type, plus ":chat_id" for chat scopes; language code)."""
    if language_code and not _LANGUAGE_RE.fullmatch(language_code):
        raise bad_request("invalid language code specified")
    if scope is None:
        return "default", language_code or ""
    if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
        raise bad_request("can't parse BotCommandScope JSON object")
    scope_type = scope["type"]
    if "chat_id" in scope:
        scope_type += f":{scope['chat_id']}"
    if "user_id" in scope:
        scope_type += f":{scope['user_id']}"
    return scope_type, language_code or ""


def callback_answer_text(text: str | None) -> None:
    if text is not None and len(text) > MAX_CALLBACK_ANSWER_LENGTH:
        raise bad_request("MESSAGE_TOO_LONG")


def rate_limited(retry_after: int) -> ApiError:
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after})
