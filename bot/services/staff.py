"""Giving a staff role, one way for `/grant` in the bot and the Staff page of the console: who the coordinator
means (an @username of someone who started the bot, or a numeric id), and whether the role could be given.

Plain values in and out; each edge words the outcome in its own way.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from bot.db.connection import Database
from bot.db.staff import grant
from bot.db.users import find_by_username, has_used_bot
from bot.services.parsing import parse_user_id

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Person:
    """Who `who` names: an id, or None with the reason (a username nobody started the bot with, or text
    that is neither an @username nor an id)."""

    user_id: int | None
    unknown_username: bool = False


async def find_person(db: Database, who: str) -> Person:
    """`@name` is looked up among the users who started the bot (usernames are stored lower case, without
    "@"); anything else must be a numeric Telegram id."""
    who = who.strip()
    if who.startswith("@"):
        user_id = await find_by_username(db, who)
        return Person(user_id, unknown_username=user_id is None)
    return Person(parse_user_id(who))


@dataclass(frozen=True)
class Granted:
    """What giving a role did: nothing for an ADMIN_IDS coordinator (the setting decides), else the role is
    given and audited; `known` is False for an id that never used the bot (mistyped, or they must /start)."""

    given: bool
    known: bool = True


async def give_role(db: Database, actor_id: int, user_id: int, role: str, admin_ids: Iterable[int]) -> Granted:
    if user_id in admin_ids:
        return Granted(given=False)
    known = await has_used_bot(db, user_id)
    await grant(db, actor_id, user_id, role)  # writes the audit line in the same transaction
    log.info("staff.granted", extra={"actor_id": actor_id, "user_id": user_id, "role": role})
    return Granted(given=True, known=known)
