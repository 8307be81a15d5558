"""Texts shared by the migrant's and the coordinators' side of referrals, in the active language."""

from __future__ import annotations

from aiogram import html

from bot.handlers.regions import region_label
from bot.i18n import _, format_date
from bot.services.referrals import Referral, ReferralEvent, Status


def status_label(status: Status) -> str:
    return {
        Status.NEW: _("New"),
        Status.CONTACTED: _("Contacted"),
        Status.ENROLLED: _("Enrolled"),
        Status.COMPLETED: _("Completed"),
        Status.DECLINED: _("Declined"),
    }[status]


def details_lines(
    *, name: str | None, phone: str | None, region: str, city: str | None, comment: str | None, locale: str
) -> list[str]:
    """The personal part of a referral, as the migrant reviews it and as a coordinator reads it."""
    lines = [
        _("<b>Name:</b> {name}").format(name=html.quote(name or "—")),
        _("<b>Phone:</b> {phone}").format(phone=html.quote(phone or "—")),
        _("<b>Region:</b> {region}").format(region=html.quote(region_label(region, locale))),
        _("<b>City or village:</b> {city}").format(city=html.quote(city or "—")),
    ]
    if comment:
        lines.append(_("<b>Comment:</b> {comment}").format(comment=html.quote(comment)))
    return lines


def coordinator_card(referral: Referral, title: str, events: list[ReferralEvent], locale: str) -> str:
    """Everything a coordinator needs to follow up: the request, the person, and who did what when."""
    lines = [
        f"<b>{referral.reference}</b> · {status_label(referral.status)}",
        html.quote(title),
        _("Received: {date}").format(date=format_date(referral.created_at.date(), locale)),
        "",
        *details_lines(
            name=referral.name,
            phone=referral.phone,
            region=referral.region,
            city=referral.city,
            comment=referral.comment,
            locale=locale,
        ),
    ]
    if referral.user_id is None:
        lines.append(_("<i>The person deleted their data.</i>"))
    if events:
        lines += ["", _("<b>History</b>")]
    for event in events:
        when = f"{format_date(event.at.date(), locale)} {event.at:%H:%M} UTC"
        if event.to_status is not None:
            change = f"{status_label(event.from_status)} → {status_label(event.to_status)}"
        else:
            change = "📝 " + html.quote(event.note or _("(note deleted)"))
        lines.append(f"{when} · <code>{event.actor_id}</code> · {change}")
    return "\n".join(lines)
