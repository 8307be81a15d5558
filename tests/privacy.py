"""What must never reach a log line: the names, phones and texts of the people the tests play."""

from __future__ import annotations

import logging
import re

from bot.devtools.fake_telegram import FakeTelegram

_DIGITS = re.compile(r"\d")


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
            if len(text) >= 4 and not text.startswith("/"):
                found.add(text[:200])
                if len(_DIGITS.findall(text)) >= 7:
                    found.add(_digits_only(text))
    return found


def _digits_only(value: str) -> str:
    return "".join(_DIGITS.findall(value))


def leaks(log_text: str, secrets: set[str]) -> list[str]:
    """The secrets that appear in `log_text`; phone numbers are also matched with formatting removed."""
    digits = _digits_only(log_text)
    return sorted(
        secret for secret in secrets
        if secret in log_text or (secret.isdigit() and len(secret) >= 7 and secret in digits)
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
