"""/stats: for coordinators subscribers, broadcasts and deliveries, referrals and a weekly chart; for a
volunteer, a read-only view of their own broadcasts (they send them, so they want to know how they went)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import BufferedInputFile, Message

from bot.broadcasting import broadcast_info_text, status_label
from bot.config import Settings
from bot.db import broadcasts as store
from bot.db.connection import Database
from bot.db.stats import WEEKS, Stats, collect
from bot.filters.roles import IsCoordinator, IsStaff
from bot.handlers.operators import case_stats_lines
from bot.handlers.referral_texts import status_label as referral_status_label
from bot.handlers.regions import region_label
from bot.i18n import LANGUAGE_NAMES, _
from bot.replies import answer
from bot.services.charts import last_weeks, weekly_chart
from bot.services.referrals import Status

router = Router(name="stats")
OWN_BROADCASTS = 10


def _breakdown(counts: dict, label: Callable[[str], str]) -> str:
    return ", ".join(f"{label(key)}: {value}" for key, value in counts.items()) or "—"


def stats_text(stats: Stats) -> str:
    delivery = stats.deliveries
    lines = [
        _("📊 <b>Statistics</b>"),
        _(
            "Users: {users} · receive broadcasts: {active} · unsubscribed: {unsubscribed} · blocked the bot: {blocked}"
        ).format(
            users=stats.users, active=stats.active, unsubscribed=stats.unsubscribed, blocked=stats.blocked
        ),
        _("By language: {breakdown}").format(breakdown=_breakdown(stats.by_locale, LANGUAGE_NAMES.get)),
        _("By region: {breakdown}").format(
            breakdown=_breakdown(
                stats.by_region, lambda region: region_label(region) if region else _("not chosen")
            )
        ),
        "",
        _("Broadcasts: {breakdown}").format(breakdown=_breakdown(stats.broadcasts, status_label)),
        _("Deliveries: sent {sent} · blocked {blocked} · failed {failed} · waiting {left}").format(
            sent=delivery.get("sent", 0),
            blocked=delivery.get("blocked", 0),
            failed=delivery.get("failed", 0) + delivery.get("ambiguous", 0),
            left=delivery.get("pending", 0) + delivery.get("sending", 0),
        ),
    ]
    if stats.referrals is not None:
        lines.append(_("Referrals: {breakdown}").format(breakdown=_breakdown(stats.referrals, _status_word)))
    if stats.referrals_by_region:
        lines.append(
            _("Referrals by place: {breakdown}").format(
                breakdown=_breakdown(stats.referrals_by_region, region_label)
            )
        )
    return "\n".join(lines)


def _status_word(code: str) -> str:
    return referral_status_label(Status(code)) if code in set(Status) else code


async def weekly_png(stats: Stats) -> bytes:
    """The weekly chart in the current language, for /stats and the console's Stats page."""
    series = {_("New users"): stats.new_users_weekly}
    if stats.referrals is not None:
        series[_("Referrals")] = stats.referrals_weekly
    weeks = last_weeks(datetime.now(UTC).date(), WEEKS)
    # Drawing takes a fraction of a second: off the event loop, so other users are not kept waiting.
    return await asyncio.to_thread(weekly_chart, weeks, series, _("Per week"))


@router.message(Command("stats"), IsCoordinator())
async def stats_command(message: Message, db: Database, settings: Settings) -> None:
    stats = await collect(db, settings.default_locale)
    await answer(message, stats_text(stats) + "\n\n" + "\n".join(await case_stats_lines(db)))
    png = await weekly_png(stats)
    await message.answer_photo(
        BufferedInputFile(png, "stats.png"), caption=_("New users and referrals per week")
    )


@router.message(Command("stats"), IsStaff())
async def own_broadcasts(message: Message, db: Database) -> None:
    """A volunteer's /stats: their latest broadcasts and how delivery went, nothing about other people."""
    mine = await store.recent_broadcasts(db, OWN_BROADCASTS, sender_id=message.from_user.id)
    lines = [_("📊 <b>Your broadcasts</b> (times in Bishkek time)")]
    if not mine:
        lines.append(_("You have sent no broadcasts yet. Start one with /broadcast."))
    lines += [broadcast_info_text(info) for info in mine]
    await answer(message, "\n\n".join(lines))
