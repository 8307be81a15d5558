"""Coordinators manage staff roles: /grant (by @username, id or a forwarded message), /revoke, /staff.
Every change is written to the audit log."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from aiogram import F, Router, html
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import Message, MessageOriginHiddenUser, MessageOriginUser

from bot.config import Settings
from bot.db.broadcasts import cancel_scheduled_by
from bot.db.connection import Database
from bot.db.staff import COORDINATOR, ROLES, audit, list_staff, revoke
from bot.db.tables import as_datetime
from bot.db.users import usernames
from bot.filters.roles import IsCoordinator
from bot.i18n import _
from bot.replies import answer
from bot.services.parsing import parse_user_id
from bot.services.schedule import format_local_time
from bot.services.staff import find_person, give_role

log = logging.getLogger(__name__)
router = Router(name="staff")
router.message.filter(IsCoordinator())


def role_label(role: str) -> str:
    return {"volunteer": _("volunteer"), "coordinator": _("coordinator")}[role]


class GrantForm(StatesGroup):
    forward = State()  # waiting for a forwarded message of the person to give `role` to


def _usage() -> str:
    return _(
        "Usage: /grant @username volunteer|coordinator, /grant USER_ID volunteer|coordinator, or /grant "
        "volunteer|coordinator as a reply to a message forwarded from the person."
    )


@router.message(Command("grant"))
async def grant_command(
    message: Message, command: CommandObject, db: Database, settings: Settings, state: FSMContext
) -> None:
    """`/grant @username ROLE`, `/grant ID ROLE`, or `/grant ROLE` replying to (or followed by) a message
    forwarded from the person: coordinators know people by name, not by id."""
    args = (command.args or "").split()
    if len(args) == 1 and args[0].lower() in ROLES:
        role = args[0].lower()
        if message.reply_to_message is not None:
            await _grant_forwarded(message, message.reply_to_message, role, db, settings)
            return
        await state.set_state(GrantForm.forward)
        await state.set_data({"role": role})
        await answer(
            message,
            _("Forward me a message from the person who should become a {role}, or /cancel.").format(
                role=role_label(role)
            ),
        )
        return
    if len(args) != 2 or args[1].lower() not in ROLES:
        await answer(message, _usage())
        return
    role = args[1].lower()
    person = await find_person(db, args[0])
    if person.unknown_username:
        await answer(
            message,
            _(
                "Nobody with the username {username} has started the bot. Ask them to send /start to the "
                "bot, then try again, or forward me a message from them."
            ).format(username=html.quote(args[0])),
        )
        return
    if person.user_id is None:
        await answer(message, _usage())
        return
    await _grant(message, db, settings, person.user_id, role)


@router.message(GrantForm.forward, F.forward_origin)
async def forwarded(message: Message, state: FSMContext, db: Database, settings: Settings) -> None:
    role = (await state.get_data())["role"]
    await state.clear()
    await _grant_forwarded(message, message, role, db, settings)


@router.message(GrantForm.forward, ~F.text.startswith("/"))
async def not_forwarded(message: Message) -> None:
    await answer(message, _("That is not a forwarded message. Forward one from the person, or /cancel."))


async def _grant_forwarded(message: Message, source: Message, role: str, db: Database, settings: Settings) -> None:
    """Grant to the author of a forwarded message, or say why Telegram does not tell who they are."""
    origin = source.forward_origin
    if isinstance(origin, MessageOriginUser) and not origin.sender_user.is_bot:
        await _grant(message, db, settings, origin.sender_user.id, role)
    elif isinstance(origin, MessageOriginHiddenUser):
        await answer(
            message,
            _(
                "{name} hides their account in forwarded messages, so Telegram does not tell me who they are. "
                "Use /grant @username {role}, or their numeric id."
            ).format(name=html.quote(origin.sender_user_name), role=role),
        )
    elif origin is None:
        await answer(message, _("This is not a forwarded message. Forward one from the person.") + "\n" + _usage())
    else:
        await answer(message, _("This message comes from a bot, a chat or a channel, not from a person."))


async def _grant(message: Message, db: Database, settings: Settings, user_id: int, role: str) -> None:
    granted = await give_role(db, message.from_user.id, user_id, role, settings.admin_ids)
    if not granted.given:
        await answer(
            message, _("{user_id} is a coordinator through the ADMIN_IDS setting.").format(user_id=user_id)
        )
        return
    who = await person(db, user_id)
    lines = [_("Done: {person} is now a {role}.").format(person=who, role=role_label(role))]
    if not granted.known:
        lines.append(never_used_warning(user_id))
    await answer(message, "\n".join(lines))


def never_used_warning(user_id: int) -> str:
    """Said by /grant and the console's Staff page when the id given a role never used the bot."""
    return _(
        "⚠️ {user_id} has never used the bot: check the id. They need to send /start to the bot "
        "before they can work."
    ).format(user_id=user_id)


async def person(db: Database, user_id: int) -> str:
    """`@aida (<code>123</code>)` when the username is known, else the id."""
    name = (await usernames(db, [user_id])).get(user_id)
    return f"{html.quote(name)} (<code>{user_id}</code>)" if name else f"<code>{user_id}</code>"


@router.message(Command("revoke"))
async def revoke_command(message: Message, command: CommandObject, db: Database, settings: Settings) -> None:
    args = (command.args or "").split()
    user_id = parse_user_id(args[0]) if len(args) == 1 else None
    if user_id is None:
        await answer(message, _("Usage: /revoke USER_ID"))
        return
    if user_id in settings.admin_ids:
        await answer(
            message,
            _(
                "{user_id} is a coordinator through the ADMIN_IDS setting; change the setting to remove them."
            ).format(user_id=user_id),
        )
        return
    had = await revoke(db, message.from_user.id, user_id)
    if had is None:
        await answer(message, _("{user_id} has no staff role.").format(user_id=user_id))
        return
    log.info("staff.revoked", extra={"actor_id": message.from_user.id, "user_id": user_id})
    lines = [_("Done: {user_id} is no longer a {role}.").format(user_id=user_id, role=role_label(had))]
    # Nobody but the sender and coordinators may cancel a broadcast: one left scheduled would go out with its
    # sender unable to stop it. It is cancelled, and the revoker told; a running one is left to them.
    cancelled = await cancel_scheduled_by(db, user_id, datetime.now(UTC))
    for broadcast_id in cancelled:
        await audit(db, message.from_user.id, "broadcast.cancel", broadcast_id, {"reason": "sender_revoked"})
    if cancelled:
        lines.append(
            _("Their scheduled broadcasts were cancelled: {ids}.").format(
                ids=", ".join(f"#{broadcast_id}" for broadcast_id in cancelled)
            )
        )
    await answer(message, "\n".join(lines))


@router.message(Command("staff"))
async def staff_command(message: Message, db: Database, settings: Settings) -> None:
    members = [member for member in await list_staff(db) if member.user_id not in settings.admin_ids]
    names = await usernames(db, [*settings.admin_ids, *(member.user_id for member in members)])

    def who(user_id: int) -> str:
        name = names.get(user_id)
        return f"{html.quote(name)} (<code>{user_id}</code>)" if name else f"<code>{user_id}</code>"

    lines = [_("<b>Staff</b> (times in Bishkek time)")]
    lines += [
        _("• {person}: {role} (ADMIN_IDS)").format(person=who(uid), role=role_label(COORDINATOR))
        for uid in settings.admin_ids
    ]
    lines += [
        _("• {person}: {role}, since {when}").format(
            person=who(member.user_id),
            role=role_label(member.role),
            when=format_local_time(as_datetime(member.granted_at)),
        )
        for member in members
    ]
    lines += [
        "",
        _(
            "Give a role: /grant @username volunteer|coordinator (or /grant USER_ID ...)\n"
            "Take it away: /revoke USER_ID"
        ),
    ]
    await answer(message, "\n".join(lines))
