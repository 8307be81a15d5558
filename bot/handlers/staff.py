"""Coordinators manage staff roles: /grant, /revoke, /staff. Every change is written to the audit log."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.config import Settings
from bot.db.broadcasts import cancel_scheduled_by
from bot.db.connection import Database
from bot.db.staff import COORDINATOR, ROLES, audit, grant, list_staff, revoke
from bot.filters.roles import IsCoordinator
from bot.i18n import _
from bot.replies import answer
from bot.services.parsing import parse_user_id

log = logging.getLogger(__name__)
router = Router(name="staff")
router.message.filter(IsCoordinator())


def role_label(role: str) -> str:
    return {"volunteer": _("volunteer"), "coordinator": _("coordinator")}[role]


@router.message(Command("grant"))
async def grant_command(message: Message, command: CommandObject, db: Database, settings: Settings) -> None:
    args = (command.args or "").split()
    user_id = parse_user_id(args[0]) if args else None
    if len(args) != 2 or user_id is None or args[1].lower() not in ROLES:
        await answer(message, _("Usage: /grant USER_ID volunteer|coordinator"))
        return
    role = args[1].lower()
    if user_id in settings.admin_ids:
        await answer(
            message, _("{user_id} is a coordinator through the ADMIN_IDS setting.").format(user_id=user_id)
        )
        return
    await grant(db, message.from_user.id, user_id, role)
    log.info("staff.granted", extra={"actor_id": message.from_user.id, "user_id": user_id, "role": role})
    await answer(
        message, _("Done: {user_id} is now a {role}.").format(user_id=user_id, role=role_label(role))
    )


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
    lines = [_("<b>Staff</b>")]
    lines += [
        _("• <code>{user_id}</code>: {role} (ADMIN_IDS)").format(user_id=uid, role=role_label(COORDINATOR))
        for uid in settings.admin_ids
    ]
    lines += [
        _("• <code>{user_id}</code>: {role}").format(user_id=member.user_id, role=role_label(member.role))
        for member in await list_staff(db)
        if member.user_id not in settings.admin_ids
    ]
    lines += ["", _("Give a role: /grant USER_ID volunteer|coordinator\nTake it away: /revoke USER_ID")]
    await answer(message, "\n".join(lines))
