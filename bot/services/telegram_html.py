"""A strict parser for Telegram's HTML parse mode.

It mirrors what the Bot API does with ``parse_mode=HTML`` (tdlib's ``parse_html``): it returns the plain text
the user will see and the message entities, with offsets and lengths in UTF-16 code units, and it rejects
markup Telegram rejects, with Telegram's own error wording (byte offsets are UTF-8 offsets into the input).

It is deliberately a little stricter than Telegram in one respect: an ``&`` that does not start a known entity
(``&lt; &gt; &amp; &quot; &#NN; &#xNN;``) is an error here, while Telegram keeps it literally. The Bot API
documentation requires escaping it, and an unescaped ``&`` almost always means a value was not passed through
``html.quote`` (the same value with a ``<`` in it would break the message).

Used by the fake Bot API server, the content validator and the long-text splitter, so it has no aiogram
dependency.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["TelegramHtmlError", "parse_html", "utf16_len"]

_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}
_SUPPORTED_TAGS = frozenset(_SIMPLE_TAGS) | {"a", "code", "pre", "blockquote", "tg-emoji"}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPACES = " \t\r\n\v\f"
_LINK_SCHEMES = ("http://", "https://", "tg://", "ton://", "tonsite://")
_MAX_CODE_POINT = 0x10FFFF


class TelegramHtmlError(ValueError):
    """Markup Telegram would refuse; ``description`` is Telegram's text after "can't parse entities: "."""

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units: how Telegram counts message length and entity offsets."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


@dataclass
class _OpenTag:
    name: str
    argument: str
    offset: int  # UTF-16 offset in the plain text where the tag's content starts
    text_start: int  # index in the plain text (Python str) where the tag's content starts


class _Parser:
    def __init__(self, source: str) -> None:
        self.src = source
        self.pos = 0
        self.out: list[str] = []
        self.out_len = 0  # characters in self.out
        self.utf16 = 0
        self.stack: list[_OpenTag] = []
        self.entities: list[dict] = []

    # -- helpers -------------------------------------------------------------------------------------------
    def char(self, index: int) -> str:
        return self.src[index] if index < len(self.src) else ""

    def byte_offset(self, index: int) -> int:
        return len(self.src[:index].encode("utf-8"))

    def fail(self, message: str, index: int | None = None) -> TelegramHtmlError:
        if index is not None:
            message = f"{message} at byte offset {self.byte_offset(index)}"
        return TelegramHtmlError(message)

    def emit(self, text: str) -> None:
        self.out.append(text)
        self.out_len += len(text)
        self.utf16 += utf16_len(text)

    def skip_spaces(self) -> None:
        while self.char(self.pos) and self.char(self.pos) in _SPACES:
            self.pos += 1

    def decode_entity(self, start: int) -> tuple[str, int] | None:
        """Decode the character reference at ``start`` (an ``&``): (character, index after it) or None."""
        end = start + 1
        if self.char(end) == "#":
            end += 1
            hexadecimal = self.char(end) in ("x", "X")
            if hexadecimal:
                end += 1
            digits_start = end
            allowed = "0123456789abcdefABCDEF" if hexadecimal else "0123456789"
            while self.char(end) and self.char(end) in allowed:
                end += 1
            digits = self.src[digits_start:end]
            if not digits or len(digits) > 7:
                return None
            code = int(digits, 16 if hexadecimal else 10)
            if code == 0 or code >= _MAX_CODE_POINT or 0xD800 <= code <= 0xDFFF:
                return None
            value = chr(code)
        else:
            while self.char(end).isascii() and self.char(end).isalpha():
                end += 1
            named = _NAMED_ENTITIES.get(self.src[start + 1 : end])
            if named is None:
                return None
            value = named
        if self.char(end) == ";":
            end += 1
        return value, end

    # -- parsing -------------------------------------------------------------------------------------------
    def parse(self) -> tuple[str, list[dict]]:
        while self.pos < len(self.src):
            char = self.src[self.pos]
            if char == "&":
                decoded = self.decode_entity(self.pos)
                if decoded is None:
                    raise self.fail('Unescaped "&" (use &amp;)', self.pos)
                self.emit(decoded[0])
                self.pos = decoded[1]
            elif char == "<":
                if self.char(self.pos + 1) == "/":
                    self.end_tag()
                else:
                    self.start_tag()
            else:
                run_end = self.pos
                while run_end < len(self.src) and self.src[run_end] not in "<&":
                    run_end += 1
                self.emit(self.src[self.pos : run_end])
                self.pos = run_end
        if self.stack:
            raise self.fail(f'Can\'t find end tag corresponding to start tag "{self.stack[-1].name}"')
        self.entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
        return "".join(self.out), self.entities

    def start_tag(self) -> None:
        begin = self.pos
        self.pos += 1
        while self.char(self.pos) and self.char(self.pos) not in _SPACES + ">":
            self.pos += 1
        if not self.char(self.pos):
            raise self.fail("Unclosed start tag", begin)
        name = self.src[begin + 1 : self.pos].lower()
        if name not in _SUPPORTED_TAGS:
            raise self.fail(f'Unsupported start tag "{name}"', begin)
        argument = ""
        while self.char(self.pos) != ">":
            attribute, value = self.attribute(name, begin)
            if name == "a" and attribute == "href":
                argument = value
            elif name == "code" and attribute == "class" and value.startswith("language-"):
                argument = value.removeprefix("language-")
            elif name == "span" and attribute == "class" and value.startswith("tg-"):
                argument = value.removeprefix("tg-")
            elif name == "tg-emoji" and attribute == "emoji-id":
                argument = value
            elif name == "blockquote" and attribute == "expandable":
                argument = "expandable"
        self.pos += 1  # the ">"
        if name == "span" and argument != "spoiler":
            raise self.fail('Tag "span" must have class "tg-spoiler"', begin)
        self.stack.append(_OpenTag(name, argument, self.utf16, self.out_len))

    def attribute(self, tag: str, begin: int) -> tuple[str, str]:
        """Read one ``name=value`` attribute (or the ``>``-terminated end); return (name, value)."""
        self.skip_spaces()
        if self.char(self.pos) == ">":
            return "", ""
        if not self.char(self.pos):
            raise self.fail("Unclosed start tag", begin)
        name_start = self.pos
        while self.char(self.pos) and self.char(self.pos) not in _SPACES + "=>":
            self.pos += 1
        name = self.src[name_start : self.pos]
        if not name:
            raise self.fail(f'Empty attribute name in the tag "{tag}"', begin)
        self.skip_spaces()
        if self.char(self.pos) != "=":
            if tag == "blockquote" and name == "expandable":
                return name, ""
            raise self.fail(f'Expected equal sign in declaration of an attribute of the tag "{tag}"', begin)
        self.pos += 1
        self.skip_spaces()
        quote = self.char(self.pos)
        if not quote:
            raise self.fail(f'Unclosed start tag "{tag}"', begin)
        if quote not in "'\"":
            token_start = self.pos
            while self.char(self.pos).isascii() and (
                self.char(self.pos).isalnum() or self.char(self.pos) in ".-"
            ):
                self.pos += 1
            if self.char(self.pos) not in (*_SPACES, ">"):
                raise self.fail("Unexpected end of name token", token_start)
            return name, self.src[token_start : self.pos].lower()
        self.pos += 1
        value: list[str] = []
        while self.char(self.pos) and self.char(self.pos) != quote:
            decoded = self.decode_entity(self.pos) if self.char(self.pos) == "&" else None
            if decoded is None:
                value.append(self.src[self.pos])
                self.pos += 1
            else:
                value.append(decoded[0])
                self.pos = decoded[1]
        if not self.char(self.pos):
            raise self.fail("Unclosed start tag", begin)
        self.pos += 1
        return name, "".join(value)

    def end_tag(self) -> None:
        begin = self.pos
        if not self.stack:
            raise self.fail("Unexpected end tag", begin)
        self.pos += 2
        while self.char(self.pos) and self.char(self.pos) not in _SPACES + ">":
            self.pos += 1
        name = self.src[begin + 2 : self.pos]
        self.skip_spaces()
        if self.char(self.pos) != ">":
            raise self.fail("Unclosed end tag", begin)
        self.pos += 1
        tag = self.stack.pop()
        if name and name != tag.name:
            raise self.fail(
                f'Unmatched end tag at byte offset {self.byte_offset(begin)}, expected "</{tag.name}>", '
                f'found "</{name}>"'
            )
        if self.utf16 > tag.offset:
            self.add_entity(tag)

    def add_entity(self, tag: _OpenTag) -> None:
        entity: dict = {"offset": tag.offset, "length": self.utf16 - tag.offset}
        last = self.entities[-1] if self.entities else None
        same_range = last is not None and (last["offset"], last["length"]) == (
            entity["offset"],
            entity["length"],
        )
        if tag.name in _SIMPLE_TAGS:
            entity["type"] = _SIMPLE_TAGS[tag.name]
        elif tag.name == "a":
            url = tag.argument or "".join(self.out)[tag.text_start :]
            if "://" not in url:
                url = "http://" + url
            if not url.lower().startswith(_LINK_SCHEMES):
                return  # Telegram silently drops links it cannot open
            entity.update(type="text_link", url=url)
        elif tag.name == "tg-emoji":
            if not tag.argument.isdigit() or int(tag.argument) == 0:
                raise TelegramHtmlError("Invalid custom emoji identifier specified")
            entity.update(type="custom_emoji", custom_emoji_id=tag.argument)
        elif tag.name == "blockquote":
            entity["type"] = "expandable_blockquote" if tag.argument else "blockquote"
        elif tag.name == "code":
            if last is not None and same_range and last["type"] == "pre":
                if tag.argument:
                    last["language"] = tag.argument
                return
            entity["type"] = "code"
            if tag.argument:
                entity["language"] = tag.argument  # kept only if an enclosing <pre> absorbs it
        else:  # pre
            if last is not None and same_range and last["type"] == "code":
                self.entities.pop()
                if "language" in last:
                    entity["language"] = last["language"]
            entity["type"] = "pre"
        self.entities.append(entity)


def parse_html(text: str) -> tuple[str, list[dict]]:
    """Parse Telegram HTML into (plain text, entities as Bot API dicts with UTF-16 offsets).

    Raises TelegramHtmlError with Telegram's description (without the "Bad Request: can't parse entities: "
    prefix) when Telegram would refuse the markup.
    """
    plain, entities = _Parser(text).parse()
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)
    return plain, entities
