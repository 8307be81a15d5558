"""Splitting long Telegram-HTML texts into messages without breaking tags.

Telegram counts a message's length after parsing its HTML, in UTF-16 code units (an emoji is two), so
measuring the raw HTML in those units is conservative: a chunk that fits raw always fits parsed.
"""

from __future__ import annotations

import re

from bot.services.telegram_html import utf16_len

MESSAGE_LIMIT = 4096
_TOKEN = re.compile(r"<(/?)([a-zA-Z][\w-]*)([^>]*)>|&[#\w]+;|[^<&]+|[<&]", re.DOTALL)


def _tokens(text: str) -> list[tuple[str, str | None, bool]]:
    """(raw, tag name or None, is_closing) for tags; (raw, None, False) for text and entities."""
    out = []
    for match in _TOKEN.finditer(text):
        if match.group(2):
            out.append((match.group(0), match.group(2).lower(), bool(match.group(1))))
        else:
            out.append((match.group(0), None, False))
    return out


def fitting_prefix(text: str, units: int) -> int:
    """How many characters of `text` fit in `units` UTF-16 code units (a character is one or two)."""
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > units:
            return index
    return len(text)


def _split_plain(text: str, room: int) -> tuple[str, str]:
    """Cut a text run at the last newline, else space, that fits in `room` UTF-16 units."""
    fits = fitting_prefix(text, room)
    head = text[:fits]
    for separator in ("\n\n", "\n", " "):
        cut = head.rfind(separator)
        if cut > fits // 3:
            return text[: cut + len(separator)], text[cut + len(separator):]
    return head, text[fits:]


def split_html(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Chunks of at most `limit` UTF-16 units; tags open at a cut are closed and reopened in the next chunk."""
    if utf16_len(text) <= limit:
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
        room = limit - utf16_len(current) - utf16_len(closing())
        if name is not None:
            extra = utf16_len(raw) + (0 if is_closing else len(f"</{name}>"))
            if extra > room:
                flush()
                continue
            current += raw
            if is_closing:
                if open_tags and open_tags[-1][0] == name:
                    open_tags.pop()
            else:
                open_tags.append((name, raw))
        elif utf16_len(raw) <= room:
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


def pages_within(lines: list[str], limit: int) -> list[list[str]]:
    """`lines` in order, grouped into pages whose lines, joined by newlines, take at most `limit` UTF-16 units.

    A line longer than `limit` on its own is cut to fit (its HTML must then be plain text). Always at least
    one page, so an empty list gives one empty page.
    """
    pages: list[list[str]] = [[]]
    used = 0
    for line in lines:
        size = utf16_len(line)
        if size > limit:
            line, size = line[: fitting_prefix(line, limit - 1)] + "…", limit
        extra = size + (1 if pages[-1] else 0)
        if pages[-1] and used + extra > limit:
            pages.append([])
            used, extra = 0, size
        pages[-1].append(line)
        used += extra
    return pages
