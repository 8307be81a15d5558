"""What must never reach a log line: the names, phones and texts of the people the tests play."""

from __future__ import annotations

import logging
import re

from bot.devtools.fake_telegram import FakeTelegram

_DIGITS = re.compile(r"\d")
# A number as a person writes it on one line: "+996 (555) 12-34-56", "15.05.2026". Digits are never joined across
# lines or other punctuation, so the end of one random id and the next line's timestamp cannot form a "phone".
_NUMBER = re.compile(r"\+?\d[\d ().\-]*\d")


def personal_data(tg: FakeTelegram) -> set[str]:
    """Names and usernames of every fake user, the texts they typed, and every phone number they gave."""
    found: set[str] = set()
    for user in tg.users:
        found |= {value for value in (user.first_name, user.last_name, user.username) if value and len(value) >= 3}
        for message in tg.chat(user.id):
            if message.from_bot:
                continue
            if message.contact:
                found.add(_digits_only(message.contact["phone_number"]))
            text = (message.text or "").strip()
            too_short_to_identify = text.isdigit() and len(text) < 7  # "12345" also matches the bot id 123456
            if len(text) >= 4 and not text.startswith("/") and not too_short_to_identify:
                found.add(text[:200])
                if len(_DIGITS.findall(text)) >= 7:
                    found.add(_digits_only(text))
    return found


def _digits_only(value: str) -> str:
    return "".join(_DIGITS.findall(value))


def leaks(log_text: str, secrets: set[str]) -> list[str]:
    """The secrets that appear in `log_text`; phone numbers are also matched with formatting removed."""
    numbers = {_digits_only(number) for number in _NUMBER.findall(log_text)}
    return sorted(
        secret for secret in secrets
        if secret in log_text
        or (secret.isdigit() and len(secret) >= 7 and any(secret in number for number in numbers))
    )


class CapturingHandler(logging.Handler):
    """Every record, formatted with its extra fields and traceback, as an operator would read it."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        from bot.logs import KeyValueFormatter

        self.setFormatter(KeyValueFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    @property
    def text(self) -> str:
        return "\n".join(self.lines)
