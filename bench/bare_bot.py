"""The ceiling for bench/load.py: an aiogram bot whose only handler answers "hi"."""

import asyncio
import os

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message

dp = Dispatcher()


@dp.message()
async def hi(message: Message) -> None:
    await message.answer("hi")


async def main() -> None:
    session = AiohttpSession(api=TelegramAPIServer.from_base(os.environ["BOT_API_URL"]))
    await dp.start_polling(Bot(os.environ["BOT_TOKEN"], session=session))


asyncio.run(main())
