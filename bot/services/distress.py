"""Words that mean "I am in trouble now", in ky, ru and en: such a message gets the emergency numbers first.

Matching is by word stems, so inflections count ("задержали", "задержан", "задержания"); a stem is chosen
so that everyday words are not caught ("задержка", a delay, is not "задержали"). A passport is distress only
with a verb of taking ("паспорт забрали", "паспортумду алып алышты"), not in "how do I renew my passport".
"""

from __future__ import annotations

import re

_WORD = re.compile(r"\w+")

# A word starting with one of these is distress on its own.
ALARM_STEMS = (
    # ru
    "помогит", "помогите", "спасит", "задержа", "задержив", "задержан", "арестов", "полиц", "милиц",
    # ky
    "жардам", "кармал", "кармаш", "кармад", "куткар",
    # en
    "detain", "arrest", "police",
)
# Whole words only: "help" but not "helpful", "sos" but not "sosiska".
ALARM_WORDS = frozenset({"помоги", "sos", "help"})
PASSPORT_STEMS = ("паспорт", "passport")
TAKEN_STEMS = (
    "забра", "отобра", "отня", "изъя", "отбира", "забир",  # ru
    "алып", "алыш", "тартып", "алды",  # ky
    "took", "taken", "take", "confiscat", "seiz",  # en
)


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("ё", "е"))


def is_distress(text: str | None) -> bool:
    if not text or text.startswith("/"):
        return False
    words = _words(text)
    if any(word in ALARM_WORDS or word.startswith(ALARM_STEMS) for word in words):
        return True
    passport = any(word.startswith(PASSPORT_STEMS) for word in words)
    return passport and any(word.startswith(TAKEN_STEMS) for word in words)
