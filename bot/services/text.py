"""Splitting long Telegram-HTML texts into messages without breaking tags.

Telegram counts a message's length after parsing its HTML, so measuring the raw HTML is conservative: a
chunk that fits raw always fits parsed.
"""

from __future__ import annotations

import re

MESSAGE_LIMIT = 4096
_TOKEN = re.compile(r"<(/?)([a-zA-Z][\w-]*)([^>]*)>|&[#\w]+;|[^<&]+|[<&]", re.S)


def _tokens(text: str) -> list[tuple[str, str | None, bool]]:
    """(raw, tag name or None, is_closing) for tags; (raw, None, False) for text and entities."""
    out = []
    for match in _TOKEN.finditer(text):
        if match.group(2):
            out.append((match.group(0), match.group(2).lower(), bool(match.group(1))))
        else:
            out.append((match.group(0), None, False))
    return out


def _split_plain(text: str, room: int) -> tuple[str, str]:
    """Cut a text run at the last newline, else space, that fits in `room` characters."""
    head = text[:room]
    for separator in ("\n\n", "\n", " "):
        cut = head.rfind(separator)
        if cut > room // 3:
            return text[: cut + len(separator)], text[cut + len(separator):]
    return head, text[room:]


def split_html(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Chunks of at most `limit` characters; tags open at a cut are closed and reopened in the next chunk."""
    if len(text) <= limit:
        return [text]
    chunks: list[str] = []
    open_tags: list[tuple[str, str]] = []  # (name, raw opening tag)
    current = ""
    tokens = _tokens(text)
    index = 0

    def closing() -> str:
        return "".join(f"</{name}>" for name, _ in reversed(open_tags))

    def flush() -> None:
        nonlocal current
        body = current + closing()
        if body.strip():
            chunks.append(body.strip("\n") or body)
        current = "".join(raw for _, raw in open_tags)

    while index < len(tokens):
        raw, name, is_closing = tokens[index]
        room = limit - len(current) - len(closing())
        if name is not None:
            extra = len(raw) + (0 if is_closing else len(f"</{name}>"))
            if extra > room:
                flush()
                continue
            current += raw
            if is_closing:
                if open_tags and open_tags[-1][0] == name:
                    open_tags.pop()
            else:
                open_tags.append((name, raw))
        elif len(raw) <= room:
            current += raw
        elif raw.startswith("&") and raw.endswith(";"):
            flush()
            continue
        else:
            head, rest = _split_plain(raw, room)
            if not head:
                flush()
                continue
            current += head
            tokens[index] = (rest, None, False)
            flush()
            continue
        index += 1
    if current.strip() and current != "".join(raw for _, raw in open_tags):
        chunks.append(current + closing())
    return chunks
