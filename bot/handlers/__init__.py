"""The order routers are tried in: commands that work anywhere first, features, then the fallback."""

from aiogram import Router


def get_routers() -> list[Router]:
    """The feature routers, free to be included in a new dispatcher.

    An aiogram router belongs to one parent for life, but tests and the chat simulator build a fresh
    dispatcher for each run in one process, so the module-level routers are detached from the previous one.
    """
    from bot.handlers import (
        ask,
        ban,
        broadcast,
        check,
        contacts,
        emergency,
        fallback,
        guide,
        operators,
        private,
        reminders,
        search,
        settings,
        share,
        staff,
        start,
        stats,
        training,
        web,
    )

    routers = [
        private.router,  # before every feature: personal dialogues stay out of groups
        emergency.router,  # distress words: the numbers first, then the text goes on to the others
        start.router,
        share.router,
        guide.router,
        contacts.router,
        check.router,
        ban.router,
        reminders.router,
        training.router,
        staff.router,
        settings.router,
        broadcast.router,
        stats.router,
        operators.router,  # operator groups: before anything that answers free text
        ask.router,
        search.router,
        web.router,
        fallback.router,
    ]
    for router in routers:
        router._parent_router = None
    return routers
