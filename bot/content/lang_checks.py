"""What a translation must keep from its original, and what does not belong in Kyrgyz or Russian text.

A placeholder (`{date}`), an HTML tag or a command (`/ban`) missing from one language breaks that language
only, and nobody reading the English notices; Latin letters in a Kyrgyz or Russian sentence are usually an
untranslated word. Names, addresses and commands are allowed (`NAMES`). Content texts and the `.po`
catalogues are both held to these rules (translate-toolkit's pofilter has the same checks for `.po` files).
"""

from __future__ import annotations

import re
from collections import Counter

_PLACEHOLDER = re.compile(r"\{[a-z_][a-z0-9_]*\}")
_TAG = re.compile(r"</?([a-z]+)[^>]*>")
_COMMAND = re.compile(r"(?<![\w/.])/[a-z_]+")
_URL = re.compile(r"https?://\S+|\b[\w.-]+\.(?:kg|ru|kz|int|org|com|gov|net|media|info|io|рф)\b[/\w.?=&%-]*", re.IGNORECASE)
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z-]*")
_CODE = re.compile(r"<code>.*?</code>", re.DOTALL)
# Settings, arguments and acronyms: `ADMIN_IDS`, `status=new`, `volunteer|coordinator`, `XLSX`, `UTC`.
# snake_case, key=value, a|b choices, ABBREVIATIONS, an @username to type, a time zone (Asia/Bishkek)
_TECHNICAL = re.compile(r"\b\w+_\w+\b|\b\w+=\S*|\b\w+(?:\|\w+)+\b|\b[A-Z]{2,}\b|@\w+|\b[A-Z][a-z]+/[A-Z][a-z]+\b")
# Names written in Latin letters in every language: apps, projects, organisations' own spellings.
NAMES = frozenset(
    {"ruID", "RuID", "Koldoo", "USAID", "ID", "IT", "Skills", "for", "Inclusive", "Growth", "HTML", "CSV", "PDF",
     "Excel", "Telegram", "WhatsApp", "RuStore", "SMS", "OK", "id", "Start"}
)


def markup(text: str) -> Counter[str]:
    """The placeholders, tags and commands of a text: what every translation of it must have too."""
    found: Counter[str] = Counter(_PLACEHOLDER.findall(text))
    found.update(f"<{name}>" for name in _TAG.findall(text))
    found.update(_COMMAND.findall(_URL.sub(" ", _TAG.sub(" ", text))))
    return found


def markup_problem(original: str, translation: str, original_locale: str = "en") -> str | None:
    """What `translation` lacks or adds against `original`, or None when they match."""
    want, have = markup(original), markup(translation)
    if want == have:
        return None
    missing, extra = sorted((want - have).elements()), sorted((have - want).elements())
    parts = ([f"missing {', '.join(missing)}"] if missing else []) + ([f"extra {', '.join(extra)}"] if extra else [])
    return f"placeholders, tags or commands differ from {original_locale}: {'; '.join(parts)}"


def without_addresses(text: str) -> str:
    """`text` with web addresses and domain names blanked out: they are spelt as they are, in any language."""
    return _URL.sub(" ", text)


def latin_words(text: str) -> list[str]:
    """Words in Latin letters that are not a name, an address, a command or inside a tag."""
    text = _URL.sub(" ", _TAG.sub(" ", _CODE.sub(" ", text)))
    text = _TECHNICAL.sub(" ", text)
    text = _COMMAND.sub(" ", _PLACEHOLDER.sub(" ", text))
    text = re.sub(r"&[a-z]+;", " ", text)
    return [word for word in _LATIN_WORD.findall(text) if word not in NAMES]
