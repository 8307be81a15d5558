"""Phone numbers as migrants type them, normalised to E.164 (`+996555123456`).

Migrants write the same number many ways: the Kyrgyz local form `0555 123 456`, with or without `+996`,
the Russian trunk form `8 912 345-67-89`, or a foreign number without its `+`. A coordinator must be able to
call back whatever was typed, so each form is tried in turn and only a number the `phonenumbers` metadata
calls valid is accepted.
"""

from __future__ import annotations

import re

import phonenumbers

DEFAULT_REGION = "KG"
MAX_INPUT_LENGTH = 32
_ALLOWED = re.compile(r"^\+?[\d\s().\-]+$")


def normalise_phone(text: str) -> str | None:
    """The number in E.164 form, or None when it is not a valid phone number.

    Letters are refused outright: `phonenumbers` would read `1-800-FLOWERS` as digits, which is not what a
    migrant means when they type a word by mistake.
    """
    text = text.strip()
    if not text or len(text) > MAX_INPUT_LENGTH or not _ALLOWED.match(text):
        return None
    digits = re.sub(r"\D", "", text)
    candidates = [(text, DEFAULT_REGION)]
    if not text.startswith("+"):
        candidates.append(("+" + digits, None))
        if len(digits) == 11 and digits.startswith("8"):
            candidates.append((digits, "RU"))  # 8 is the trunk prefix of Russia and Kazakhstan
    for candidate, region in candidates:
        try:
            number = phonenumbers.parse(candidate, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None
