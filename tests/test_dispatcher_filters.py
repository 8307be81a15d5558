"""Magic filters and states run on the event loop, not in aiogram's worker thread, and still decide the same."""

from __future__ import annotations

import datetime

from aiogram import F, Router
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import Chat, Message

from bot.factory import run_pure_filters_inline
from bot.handlers import get_routers


class Form(StatesGroup):
    name = State()


def _message(text: str) -> Message:
    return Message(message_id=1, date=datetime.datetime.now(datetime.UTC), chat=Chat(id=5, type="private"), text=text)


def _filters(root: Router) -> list:
    return [
        event_filter
        for router in root.chain_tail
        for observer in router.observers.values()
        for handler in (observer._handler, *observer.handlers)
        for event_filter in handler.filters or ()
    ]


async def test_magic_and_state_filters_decide_the_same_on_the_loop() -> None:
    router = Router()
    router.message.filter(F.chat.type == "private")

    def by_hand(message: Message) -> bool:
        return True

    @router.message(F.text == "hello", Form.name, by_hand)
    async def greet(message: Message) -> None: ...

    run_pure_filters_inline(router)
    chat_filter, text_filter, state_filter, hand_filter = _filters(router)
    assert chat_filter.awaitable and text_filter.awaitable and state_filter.awaitable
    assert not hand_filter.awaitable  # anything else may block: it keeps aiogram's thread
    assert await text_filter.call(_message("hello")) is True
    assert not await text_filter.call(_message("bye"))
    assert await state_filter.call(_message("hello"), raw_state="Form:name") is True
    assert await state_filter.call(_message("hello"), raw_state=None) is False
    assert await chat_filter.call(_message("hello")) is True


def test_no_feature_router_leaves_a_magic_or_state_filter_to_a_thread() -> None:
    root = Router()
    root.include_routers(*get_routers())
    run_pure_filters_inline(root)
    threaded = [event_filter.callback for event_filter in _filters(root) if not event_filter.awaitable]
    assert threaded == []
