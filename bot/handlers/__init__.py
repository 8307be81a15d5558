"""The order routers are tried in: commands that work anywhere first, features, then the fallback."""

from aiogram import Router


def get_routers() -> list[Router]:
    from bot.handlers import fallback, start

    return [
        start.router,
        fallback.router,
    ]
