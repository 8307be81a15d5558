"""The question each dialogue is waiting on, asked again when a typed message must not be its answer.

Typed distress inside a dialogue ("помогите, задержали" where the form asks for a name, "жардам" where
the check asks for a date) is not an answer: the emergency router shows the numbers, then asks the waiting
question again (bot/handlers/emergency.py), and the dialogue never sees the text. Each dialogue registers,
per state, how to ask its current question; a state not registered here is not a question (a conversation
with a person, a staff draft), and its text goes on as before.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Protocol

from aiogram import Bot
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import Message

from bot.content.loader import ContentStore
from bot.db.connection import Database
from bot.i18n import _


class Asker(Protocol):
    """How a dialogue asks its current question again, after `note`."""

    def __call__(
        self, message: Message, state: FSMContext, note: str, *, bot: Bot, locale: str, content: ContentStore,
        db: Database,
    ) -> Awaitable[None]: ...


_ASKERS: dict[str, Asker] = {}


def asks_again(*states: State) -> Callable[[Asker], Asker]:
    """Register the decorated function as the way to ask again the question of each of `states`."""

    def register(asker: Asker) -> Asker:
        for state in states:
            _ASKERS[state.state] = asker
        return asker

    return register


def is_question(raw_state: str | None) -> bool:
    return raw_state is not None and raw_state in _ASKERS


def not_an_answer_note() -> str:
    return _(
        "Your message was not taken as an answer. When you can, answer the question below, or send /cancel "
        "to stop."
    )


async def ask_again(
    raw_state: str, message: Message, state: FSMContext, *, bot: Bot, locale: str, content: ContentStore,
    db: Database,
) -> None:
    await _ASKERS[raw_state](
        message, state, not_an_answer_note(), bot=bot, locale=locale, content=content, db=db
    )
